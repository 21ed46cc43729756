"""Property-based fuzzing of the HTTP API from its own OpenAPI schema, with schemathesis.

Every operation the schema publishes gets generated requests, valid ones and invalid ones (wrong
types, missing and unknown fields, odd strings, odd paths), sent in-process to the full server
(API and chat UI mounted together, as `docqa serve` runs them). No request may get a 5xx; a
valid one must get a documented status and body, an invalid one a 4xx.

schemathesis's own pytest integration (`schemathesis.pytest.from_fixture`) does not run under
pytest 9, so each operation's strategy is used with hypothesis directly.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.testclient import TestClient

from app.serve.server import build_server

OPERATIONS = [
    ("POST", "/api/retrieve"),
    ("POST", "/api/ask"),
    ("GET", "/api/health"),
    ("GET", "/files/{source}"),
    ("GET", "/api/collections"),
    ("GET", "/api/page"),
    ("GET", "/view"),
    ("POST", "/retrieval"),
    ("POST", "/dify/retrieval"),
    ("GET", "/v1/vector_stores"),
    ("GET", "/v1/vector_stores/{vector_store_id}"),
    ("POST", "/v1/vector_stores/{vector_store_id}/search"),
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# Invalid requests are generated where there is input to get wrong: the bodies. (Health has
# no input; any string is a valid document name, and the odd ones are in the positive cases.)
CASES = [(m, p, GenerationMode.POSITIVE) for m, p in OPERATIONS] + [
    ("POST", "/api/retrieve", GenerationMode.NEGATIVE),
    ("POST", "/api/ask", GenerationMode.NEGATIVE),
    ("POST", "/retrieval", GenerationMode.NEGATIVE),
    ("POST", "/v1/vector_stores/{vector_store_id}/search", GenerationMode.NEGATIVE),
]
EXAMPLES = {"/api/ask": 12}  # an answer takes about half a second; the rest are fast
DEFAULT_EXAMPLES = 40


@pytest.fixture(scope="module")
def server(sample_engine):
    return build_server(sample_engine)


@pytest.fixture(scope="module")
def api_schema(server):
    return schemathesis.openapi.from_asgi("/openapi.json", server)


def test_every_published_operation_is_fuzzed(api_schema):
    published = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert published == set(OPERATIONS)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "path", "mode"), CASES, ids=[f"{m} {p} {mode.value}" for m, p, mode in CASES]
)
def test_no_generated_request_gets_a_server_error(api_schema, method, path, mode):
    operation = api_schema[path][method]

    @settings(
        max_examples=EXAMPLES.get(path, DEFAULT_EXAMPLES),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,  # the same requests every run: a failure is a bug, never a fluke
        database=None,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case):
        case.call_and_validate(checks=CHECKS)

    fuzz()


@pytest.mark.parametrize(
    "name",
    ["%00", "faq.html%00.pdf", "a" * 5000, "notes/" + "b" * 300 + ".txt", "%ED%A0%80", "%C0%AF"],
    ids=["NUL", "NUL inside", "5000 chars", "300-char segment", "lone surrogate", "overlong /"],
)
def test_odd_document_names_are_not_found_rather_than_server_errors(server, name):
    """Names the generator does not produce: a NUL byte or an over-long name once made the
    file system raise, and the server answered 500."""
    response = TestClient(server).get("/files/" + name)
    assert response.status_code == 404
    assert response.json()["error"].startswith("no indexed document named")
