"""OpenAI's vector-store API, called by the official `openai` package against a live server."""

from __future__ import annotations

import httpx
import pytest

openai = pytest.importorskip("openai")


def _client(url: str, key: str = "unused") -> openai.OpenAI:
    return openai.OpenAI(base_url=url + "/v1", api_key=key, max_retries=0, timeout=60)


def test_list_and_retrieve_the_collections(two_collections):
    server, _ = two_collections
    client = _client(server.url)
    stores = list(client.vector_stores.list())
    assert {s.id for s in stores} == {"default", "extra"}
    extra = client.vector_stores.retrieve("extra")
    assert extra.object == "vector_store" and extra.name == "extra" and extra.status == "completed"
    assert extra.file_counts.completed == 2 and extra.file_counts.total == 2
    assert extra.usage_bytes > 0 and extra.created_at > 1_700_000_000
    ascending = client.vector_stores.list(order="asc", limit=1)
    assert len(ascending.data) == 1 and ascending.has_more


def test_search_returns_openais_page(two_collections):
    server, _ = two_collections
    client = _client(server.url)
    page = client.vector_stores.search(
        "default", query="lighthouse staircase steps", max_num_results=4
    )
    assert len(page.data) == 4
    first = page.data[0]
    assert first.filename == "saltmere-lighthouse-history.pdf" and first.file_id == first.filename
    assert first.content[0].type == "text" and "146" in first.content[0].text
    assert 0 < first.score <= 1 and first.attributes["source"] == first.file_id
    raw = httpx.post(
        server.url + "/v1/vector_stores/default/search", json={"query": "lighthouse"}
    ).json()
    assert raw["object"] == "vector_store.search_results.page"
    assert raw["search_query"] == ["lighthouse"] and raw["has_more"] is False
    assert raw["next_page"] is None and len(raw["data"]) == 10


def test_search_with_filters_and_threshold(two_collections):
    server, _ = two_collections
    client = _client(server.url)
    pdf_pages = client.vector_stores.search(
        "default",
        query="lighthouse keepers",
        filters={
            "type": "and",
            "filters": [
                {"key": "type", "type": "eq", "value": "pdf"},
                {"key": "page", "type": "gte", "value": 2},
            ],
        },
        max_num_results=50,
    )
    assert pdf_pages.data and all(r.attributes["page"] >= 2 for r in pdf_pages.data)
    assert all(r.filename.endswith(".pdf") for r in pdf_pages.data)
    one_file = client.vector_stores.search(
        "extra", query="wind", filters={"key": "source", "type": "eq", "value": "kites.md"}
    )
    assert [r.file_id for r in one_file.data] == ["kites.md"]
    everything = client.vector_stores.search("default", query="lighthouse", max_num_results=20)
    cut = everything.data[len(everything.data) // 2].score
    kept = client.vector_stores.search(
        "default",
        query="lighthouse",
        max_num_results=20,
        ranking_options={"score_threshold": cut},
    )
    assert 0 < len(kept.data) < len(everything.data) and all(r.score >= cut for r in kept.data)


def test_errors_are_openais(two_collections, keyed_server):
    server, _ = two_collections
    client = _client(server.url)
    with pytest.raises(openai.NotFoundError) as missing:
        client.vector_stores.search("nope", query="x")
    assert missing.value.status_code == 404
    assert missing.value.body == {
        "message": "No vector store found with id 'nope'.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    with pytest.raises(openai.NotFoundError):
        client.vector_stores.retrieve("..%2Findex")
    with pytest.raises(openai.BadRequestError, match="unknown key 'author'"):
        client.vector_stores.search(
            "default", query="x", filters={"key": "author", "type": "eq", "value": "me"}
        )
    with pytest.raises(openai.UnprocessableEntityError):
        client.vector_stores.search("default", query="x", max_num_results=51)
    with pytest.raises(openai.AuthenticationError):
        list(_client(keyed_server.url, "wrong").vector_stores.list())
    keyed = _client(keyed_server.url, "s3cret")
    assert {s.id for s in keyed.vector_stores.list()} == {"default", "extra"}
