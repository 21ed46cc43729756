"""Dify's External Knowledge API against a live server: every field, every error code, the
score threshold, top_k 1..N, and metadata conditions."""

from __future__ import annotations

import httpx
import pytest

QUERY = "How many steps are there in the lighthouse tower's staircase?"


def _retrieve(url: str, path: str = "/retrieval", headers: dict | None = None, **fields):
    body = {
        "knowledge_id": "default",
        "query": QUERY,
        "retrieval_setting": {"top_k": 5, "score_threshold": 0.0},
        **fields,
    }
    return httpx.post(url + path, json=body, headers=headers, timeout=60)


@pytest.mark.parametrize("path", ["/retrieval", "/dify/retrieval"])
def test_every_field_of_a_record(two_collections, path):
    server, engine = two_collections
    response = _retrieve(server.url, path)
    assert response.status_code == 200
    records = response.json()["records"]
    assert len(records) == 5
    for record in records:
        assert set(record) == {"content", "score", "title", "metadata"}
        assert isinstance(record["metadata"], dict) and 0.0 <= record["score"] <= 1.0
        meta = record["metadata"]
        assert meta["source"] == record["title"] and meta["collection"] == "default"
        assert {"type", "start", "end", "chunk_id", "modified", "url"} <= set(meta)
        text = engine.reader().page_text(meta["source"], meta.get("page"))
        assert text[meta["start"] : meta["end"]] == record["content"]
        assert httpx.get(server.url + meta["url"].split("#")[0]).status_code == 200
    assert records[0]["title"] == "saltmere-lighthouse-history.pdf"
    scores = [r["score"] for r in records]
    assert scores == sorted(scores, reverse=True)


def test_top_k_from_1_to_n(two_collections):
    server, _ = two_collections
    for k in range(1, 11):
        body = {"top_k": k, "score_threshold": 0}
        assert len(_retrieve(server.url, retrieval_setting=body).json()["records"]) == k


def test_score_threshold_leaves_out_lower_scores(two_collections):
    server, _ = two_collections
    setting = {"top_k": 20, "score_threshold": 0.0}
    everything = _retrieve(server.url, retrieval_setting=setting).json()["records"]
    scores = sorted({r["score"] for r in everything}, reverse=True)
    cut = scores[len(scores) // 2]
    setting["score_threshold"] = cut
    kept = _retrieve(server.url, retrieval_setting=setting).json()["records"]
    assert kept and len(kept) < len(everything)
    assert [r["score"] for r in kept] == [r["score"] for r in everything if r["score"] >= cut]
    setting["score_threshold"] = 1.0
    top = _retrieve(server.url, retrieval_setting=setting).json()["records"]
    assert all(r["score"] == 1.0 for r in top)


def test_knowledge_id_names_a_collection(two_collections):
    server, _ = two_collections
    found = _retrieve(server.url, knowledge_id="extra", query="kite line").json()["records"]
    assert {r["title"] for r in found} == {"kites.md", "boats/sails.md"}
    assert found[0]["title"] == "kites.md" and "?collection=extra" in found[0]["metadata"]["url"]


@pytest.mark.parametrize("knowledge_id", ["nope", "../index", "a/b", "", "x" * 300])
def test_unknown_knowledge_is_2001(two_collections, knowledge_id):
    server, _ = two_collections
    response = _retrieve(server.url, knowledge_id=knowledge_id)
    if len(knowledge_id) > 200:  # over the schema's limit: a validation error, in Dify's shape
        assert response.status_code == 422 and response.json()["error_code"] == 422
        return
    assert response.status_code == 404
    assert response.json()["error_code"] == 2001 and response.json()["error_msg"]


def test_metadata_conditions_filter_inside_the_search(two_collections):
    server, engine = two_collections
    notes = [s for s in engine.reader().manifest.files if s.startswith("notes/")]
    chunks = sum(engine.reader().manifest.files[s].chunks for s in notes)
    condition = {
        "logical_operator": "and",
        "conditions": [
            {"name": "source", "comparison_operator": "start with", "value": "notes/"},
            {"name": "type", "comparison_operator": "is", "value": "txt"},
        ],
    }
    found = _retrieve(server.url, metadata_condition=condition).json()["records"]
    assert len(found) == min(5, chunks) and all(r["title"].startswith("notes/") for r in found)
    pages = {"conditions": [{"name": "page", "comparison_operator": "≥", "value": 2}]}
    found = _retrieve(server.url, metadata_condition=pages).json()["records"]
    assert found and all(r["metadata"]["page"] >= 2 for r in found)
    as_dify_dumps_it = {"logical_operator": "and", "conditions": None}
    assert _retrieve(server.url, metadata_condition=as_dify_dumps_it).status_code == 200


@pytest.mark.parametrize(
    ("condition", "named"),
    [
        ({"name": "author", "comparison_operator": "is", "value": "me"}, "author"),
        ({"name": "source", "comparison_operator": "empty"}, "empty"),
        ({"name": "page", "comparison_operator": "start with", "value": "1"}, "page"),
        ({"name": "modified", "comparison_operator": "after", "value": "soon"}, "soon"),
    ],
)
def test_an_unsupported_condition_is_a_400_that_names_it(two_collections, condition, named):
    server, _ = two_collections
    response = _retrieve(server.url, metadata_condition={"conditions": [condition]})
    assert response.status_code == 400 and named in response.json()["error_msg"]
    assert response.json()["error_code"] == 400


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"knowledge_id": "default", "query": "x"},
        {"knowledge_id": "default", "query": " ", "retrieval_setting": {"top_k": 1,
                                                                         "score_threshold": 0}},
        {"knowledge_id": "default", "query": "x", "retrieval_setting": {"top_k": 0,
                                                                         "score_threshold": 0}},
        {"knowledge_id": "default", "query": "x", "retrieval_setting": {"top_k": 2,
                                                                         "score_threshold": 2}},
    ],
)  # fmt: skip
def test_bad_bodies_are_4xx_in_difys_shape(two_collections, body):
    server, _ = two_collections
    response = httpx.post(server.url + "/retrieval", json=body)
    assert response.status_code in (400, 422)
    assert set(response.json()) == {"error_code", "error_msg"}


def test_authorization_errors_are_1001_and_1002(keyed_server):
    url = keyed_server.url
    for headers in ({}, {"Authorization": "s3cret"}, {"Authorization": "Basic s3cret"}):
        response = _retrieve(url, headers=headers)
        assert response.status_code == 403 and response.json()["error_code"] == 1001
    wrong = _retrieve(url, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403 and wrong.json() == {
        "error_code": 1002,
        "error_msg": "Authorization failed",
    }
    good = {"Authorization": "Bearer s3cret"}
    assert _retrieve(url, headers=good).status_code == 200
    # Dify checks an endpoint on registration with the key and no body; only 403, 404 and 502
    # make it refuse the endpoint.
    registration = httpx.post(url + "/retrieval", headers=good)
    assert registration.status_code in (400, 422)
    assert httpx.post(url + "/retrieval", headers={"Authorization": "Bearer no"}).status_code == 403
