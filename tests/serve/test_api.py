import concurrent.futures
import threading

import httpx
import pytest

from app.ingest.pipeline import ingest
from tests.conftest import assert_verbatim, serve_engine, write_files

VALIDATION_CASES = [
    ("/api/retrieve", {"query": "", "k": 3}, "must not be empty"),
    ("/api/retrieve", {"query": "   \n\t", "k": 3}, "must not be empty"),
    ("/api/retrieve", {"query": "x", "k": 0}, "k:"),
    ("/api/retrieve", {"query": "x", "k": 51}, "k:"),
    ("/api/retrieve", {"query": "x", "k": "5"}, "k:"),
    ("/api/retrieve", {"query": "x", "k": 2.5}, "k:"),
    ("/api/retrieve", {"query": "x", "k": True}, "k:"),
    ("/api/retrieve", {"query": "x" * 2001}, "query:"),
    ("/api/retrieve", {"query": 42}, "query:"),
    ("/api/retrieve", {"k": 3}, "query: this field is required"),
    ("/api/retrieve", {"query": "x", "colour": "red"}, "colour"),
    ("/api/retrieve", ["query"], "body"),
    ("/api/ask", {"question": ""}, "must not be empty"),
    ("/api/ask", {"question": "why?", "history": "not a list"}, "history"),
    ("/api/ask", {"question": "why?", "history": [{"answer": "no question"}]}, "history"),
    ("/api/ask", {"question": "why?", "history": ["q"] * 21}, "history"),
    ("/api/ask", {"question": None}, "question"),
]


def test_health_reports_the_index(live):
    server, _ = live
    body = httpx.get(server.url + "/api/health").json()
    assert body["status"] == "ok" and body["documents"] == 7 and body["chunks"] > 20
    assert body["model"].endswith("all-MiniLM-L6-v2") and body["built_at"]


def test_retrieve_returns_the_right_passage_first(live):
    server, _ = live
    response = httpx.post(
        server.url + "/api/retrieve", json={"query": "annual fee for a full allotment plot", "k": 3}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "annual fee for a full allotment plot" and len(body["passages"]) == 3
    assert body["passages"][0]["source"] == "notes/allotment-committee-2026-10.txt"
    assert {"id", "source", "page", "text", "score"} <= set(body["passages"][0])
    assert body["passages"][0]["location"] is None  # a text file has no pages
    pdf = httpx.post(server.url + "/api/retrieve", json={"query": "lighthouse keeper", "k": 1})
    assert pdf.json()["passages"][0]["location"].startswith("page ")


def test_ask_returns_the_public_answer_format(live):
    server, engine = live
    body = httpx.post(
        server.url + "/api/ask",
        json={"question": "How many steps are there in the lighthouse tower's staircase?"},
        timeout=60,
    ).json()
    assert set(body) >= {"question", "answer", "confidence", "citations", "passages"}
    assert "146" in body["answer"]
    citation = body["citations"][0]
    assert set(citation) == {
        "n",
        "source",
        "page",
        "snippet",
        "answer_start",
        "answer_end",
        "source_start",
        "source_end",
        "score",
        "location",
        "ocr",
    }
    assert citation["n"] == 1 and citation["page"] == 1
    assert citation["location"] == "page 1" and citation["ocr"] is False
    page_text = engine.reader().page_text(citation["source"], citation["page"])
    assert page_text[citation["source_start"] : citation["source_end"]] == body["answer"]


def test_ask_with_history_objects(live):
    server, _ = live
    history = [
        {
            "question": "Who was the first principal keeper of the lighthouse?",
            "answer": "Thomas Ardley",
        }
    ]
    response = httpx.post(
        server.url + "/api/ask",
        json={"question": "How many years did he keep the light?", "history": history},
        timeout=60,
    )
    assert response.status_code == 200
    assert response.json()["citations"][0]["source"] == "saltmere-lighthouse-history.pdf"


@pytest.mark.parametrize(("path", "body", "message"), VALIDATION_CASES)
def test_every_bad_field_gets_a_4xx_with_a_message(live, path, body, message):
    server, _ = live
    response = httpx.post(server.url + path, json=body)
    assert 400 <= response.status_code < 500, response.text
    assert message in response.json()["error"]
    assert "Traceback" not in response.text


@pytest.mark.parametrize("raw", [b"{bad json", b"", b"\xff\xfe", b"null"])
def test_malformed_bodies_are_4xx(live, raw):
    server, _ = live
    response = httpx.post(
        server.url + "/api/retrieve", content=raw, headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500 and response.json()["error"]


def test_openapi_documents_the_api(live):
    server, _ = live
    spec = httpx.get(server.url + "/openapi.json").json()
    assert {"/api/retrieve", "/api/ask", "/api/health"} <= set(spec["paths"])
    assert httpx.get(server.url + "/docs").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/files/..%2F..%2Fetc%2Fpasswd",
        "/files/%2e%2e/%2e%2e/etc/passwd",
        "/files/%2Fetc%2Fpasswd",
        "/files//etc/passwd",
        "/files/user-guide%2F..%2F..%2Fpyproject.toml",
        "/files/..%5C..%5Cpyproject.toml",
        "/files/notes/../../../pyproject.toml",
    ],
)
def test_source_links_cannot_escape_the_corpus(live, path):
    server, _ = live
    response = httpx.get(server.url + path)
    assert response.status_code == 404
    assert "root:" not in response.text and "[project]" not in response.text


def test_source_links_serve_indexed_documents_safely(live):
    server, _ = live
    pdf = httpx.get(server.url + "/files/saltmere-lighthouse-history.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    page = httpx.get(server.url + "/files/faq.html")
    assert page.headers["content-type"].startswith("text/plain")
    assert page.headers["content-security-policy"] == "sandbox"


def test_office_files_download_with_their_own_type_and_pictures_open_inline(
    tmp_path, real_embedder
):
    """A citation of a Word file opens it in Word, not as zip bytes shown as text."""
    import docx

    from app.settings import Settings
    from tests.ingest.test_ocr import text_image

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    document = docx.Document()
    document.add_paragraph("The boathouse key hangs behind the blue door.")
    document.save(corpus / "boathouse.docx")
    (corpus / "sign.png").write_bytes(text_image())
    settings = Settings.from_env(environ={}, corpus=corpus, index=tmp_path / "index")
    ingest(settings, embedder=real_embedder)
    server, _ = serve_engine(settings, real_embedder)
    try:
        word = httpx.get(server.url + "/files/boathouse.docx")
        assert word.status_code == 200 and word.content == (corpus / "boathouse.docx").read_bytes()
        assert word.headers["content-type"] == (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        assert word.headers["content-disposition"].startswith("attachment")
        sign = httpx.get(server.url + "/files/sign.png")
        assert sign.headers["content-type"] == "image/png"
        assert sign.headers["content-disposition"].startswith("inline")
    finally:
        server.stop()


DIFY_BODY = {"knowledge_id": "default", "query": "fees", "retrieval_setting": {"top_k": 2,
             "score_threshold": 0}}  # fmt: skip
ROUTE_BODIES = {
    "/api/retrieve": {"query": "fees"},
    "/api/ask": {"question": "fees?"},
    "/retrieval": DIFY_BODY,
    "/dify/retrieval": DIFY_BODY,
    "/v1/vector_stores/{vector_store_id}/search": {"query": "fees"},
}
# What each family answers without the key: its contract's status and error shape
REFUSALS = {
    "/api": (401, lambda body: body["error"].startswith("missing or wrong API key")),
    "/v1": (401, lambda body: body["error"]["code"] == "invalid_api_key"),
    "/retrieval": (403, lambda body: body["error_code"] in (1001, 1002)),
    "/dify": (403, lambda body: body["error_code"] in (1001, 1002)),
}


def test_api_key_protects_every_api_route_but_not_the_ui(real_embedder, live):
    _, engine = live
    settings = type(engine.settings).from_env(
        {}, corpus=engine.settings.corpus, index=engine.settings.index, api_key="s3cret"
    )
    server, _ = serve_engine(settings, real_embedder)
    try:
        routes = [  # the route table, as the OpenAPI schema publishes it: all but /files
            (method.upper(), path)
            for path, operations in server.app.openapi()["paths"].items()
            if not path.startswith(("/files", "/view"))  # /view: the UI's page view
            for method in operations
        ]
        assert {path for _, path in routes} == {
            "/api/retrieve", "/api/ask", "/api/health", "/api/collections", "/api/page",
            "/retrieval", "/dify/retrieval", "/v1/vector_stores",
            "/v1/vector_stores/{vector_store_id}",
            "/v1/vector_stores/{vector_store_id}/search",
        }  # fmt: skip
        for method, path in routes:
            url = server.url + path.replace("{vector_store_id}", "default")
            if path == "/api/page":
                url += "?source=saltmere-lighthouse-history.pdf&page=1"
            body = ROUTE_BODIES.get(path)
            status, says_why = next(v for k, v in REFUSALS.items() if path.startswith(k))
            for headers in ({}, {"Authorization": "Bearer nope"}):
                refused = httpx.request(method, url, json=body, headers=headers)
                assert refused.status_code == status and says_why(refused.json()), path
            if status == 401:
                assert refused.headers["www-authenticate"] == "Bearer"
            good = {"Authorization": "Bearer s3cret"}
            answered = httpx.request(method, url, json=body, headers=good, timeout=60)
            assert answered.status_code == 200, (path, answered.text)
        assert httpx.get(server.url + "/").status_code == 200
    finally:
        server.stop()


def test_collections_are_listed_and_named_in_requests(live):
    server, _ = live
    listed = httpx.get(server.url + "/api/collections").json()["collections"]
    assert [c["name"] for c in listed] == ["default"] and listed[0]["default"] is True
    assert listed[0]["documents"] == 7
    found = httpx.post(
        server.url + "/api/retrieve", json={"query": "fees", "collection": "default"}
    ).json()
    assert found["passages"]
    missing = httpx.post(server.url + "/api/retrieve", json={"query": "x", "collection": "nope"})
    assert missing.status_code == 404 and "no collection named 'nope'" in missing.json()["error"]
    bad = httpx.post(server.url + "/api/retrieve", json={"query": "x", "collection": "../x"})
    assert bad.status_code == 422 and "collection" in bad.json()["error"]


def test_filters_on_retrieve_and_ask(live):
    server, _ = live
    only_notes = {"key": "source", "type": "prefix", "value": "notes/"}
    found = httpx.post(
        server.url + "/api/retrieve", json={"query": "lighthouse", "k": 3, "filters": only_notes}
    ).json()["passages"]
    assert found and all(p["source"].startswith("notes/") for p in found)
    pages = {"type": "and", "filters": [{"key": "type", "type": "eq", "value": "pdf"},
                                        {"key": "page", "type": "lte", "value": 1}]}  # fmt: skip
    answer = httpx.post(
        server.url + "/api/ask",
        json={"question": "How many steps are there in the staircase?", "filters": pages},
        timeout=60,
    ).json()
    assert answer["passages"] and {p["page"] for p in answer["passages"]} == {1}
    unknown = httpx.post(
        server.url + "/api/retrieve",
        json={"query": "x", "filters": {"key": "page", "type": "glob", "value": "1*"}},
    )
    assert unknown.status_code == 400 and "page supports" in unknown.json()["error"]


def test_a_burst_of_requests_in_parallel_has_no_errors(live):
    server, _ = live
    questions = [
        "lighthouse keeper",
        "allotment fees",
        "release date",
        "chunk size",
        "API key",
        "scanned PDF",
    ]

    def call(i: int) -> int:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            if i % 10 == 0:
                return client.post(
                    "/api/ask", json={"question": f"What about the {questions[i % 6]}?"}
                ).status_code
            return client.post(
                "/api/retrieve", json={"query": questions[i % 6], "k": 5}
            ).status_code

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(call, range(500)))
    assert statuses.count(200) == 500


def test_answers_in_parallel_are_the_answers_one_at_a_time(live):
    """Requests no longer queue behind one lock: the models and the index are shared by
    threads, so 8 clients at once must get exactly what one client gets."""
    server, _ = live
    questions = [
        "When was the first public version of docqa published?",
        "How much is the allotment plot rent?",
        "What is the default chunk size?",
        "How tall is the Saltmere lighthouse?",
    ]

    def answer(question: str) -> tuple:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            body = client.post("/api/ask", json={"question": question}).json()
        return body["answer"], [(c["source"], c["source_start"]) for c in body["citations"]]

    alone = {q: answer(q) for q in questions}
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        together = list(pool.map(answer, questions * 4))
    assert together == [alone[q] for q in questions * 4]


def test_index_updates_are_picked_up_without_restart_or_failed_requests(live, real_embedder):
    server, engine = live
    before = httpx.get(server.url + "/api/health").json()
    errors: list[str] = []
    stop = threading.Event()

    def hammer() -> None:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            while not stop.is_set():
                response = client.post(
                    "/api/retrieve", json={"query": "bicycle tyre pressure", "k": 3}
                )
                if response.status_code != 200:
                    errors.append(response.text)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        write_files(
            engine.settings.corpus,
            {"bikes.md": "Road bike tyres should be inflated to about 6 bar."},
        )
        ingest(engine.settings, embedder=real_embedder)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []
    after = httpx.get(server.url + "/api/health").json()
    assert after["documents"] == before["documents"] + 1 and after["built_at"] >= before["built_at"]
    top = httpx.post(
        server.url + "/api/retrieve", json={"query": "bicycle tyre pressure", "k": 1}
    ).json()
    assert top["passages"][0]["source"] == "bikes.md"
    answer = engine.ask("What pressure should road bike tyres have?")
    assert_verbatim(answer, engine.reader())
