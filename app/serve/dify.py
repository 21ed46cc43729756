"""Dify's External Knowledge API: `POST {endpoint}/retrieval`, as Dify (and RAGFlow) call it.

The contract, as Dify's documentation (dify-docs `en/use-dify/knowledge/external-knowledge-api`)
and its caller (`ExternalDatasetService.fetch_external_knowledge_retrieval` in langgenius/dify)
define it:

- request `{"knowledge_id", "query", "retrieval_setting": {"top_k", "score_threshold"},
  "metadata_condition"?: {"logical_operator", "conditions": [{"name", "comparison_operator",
  "value"}]}}`, with `Authorization: Bearer <key>`; `knowledge_id` names a docqa collection;
- response `{"records": [{"content", "score", "title", "metadata"}]}`, `metadata` an object;
- errors `{"error_code", "error_msg"}`: 1001 (the header is not `Bearer <key>`) and 1002 (wrong
  key) with HTTP 403, 2001 (no such knowledge) with 404.

Dify checks an endpoint when it is registered by posting to it with the key and no body, and
refuses it on 403, 404 and 502 only; so the key is checked first, and an empty body is a 400.
The route is served at `/retrieval` (endpoint: the server's address) and at RAGFlow's
`/dify/retrieval` (endpoint: `<address>/dify`).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr

from app.engine import Engine
from app.serve.common import bearer_token, key_matches, passage_metadata, relevance
from app.serve.errors import RouteError
from app.store.collections import UnknownCollectionError
from app.store.filters import MAX_CONDITIONS, Filter, FilterError, compound, condition

PATHS = ("/retrieval", "/dify/retrieval")
MAX_TOP_K = 50
# Dify's comparison operators, as docqa's (see app.store.filters.OPS)
OPERATORS = {
    "is": "eq", "=": "eq", "is not": "ne", "≠": "ne", "in": "in", "not in": "nin",
    "start with": "prefix", "end with": "suffix", "contains": "contains",
    "not contains": "not_contains", ">": "gt", "<": "lt", "≥": "gte", "≤": "lte",
    "after": "gt", "before": "lt",
}  # fmt: skip
NAMES = {"source": "source", "title": "source", "type": "type", "page": "page",
         "modified": "modified"}  # fmt: skip
Scalar = StrictStr | StrictInt | StrictFloat


class RetrievalSetting(BaseModel):
    top_k: StrictInt = Field(ge=1, le=MAX_TOP_K, description="How many records at most.")
    score_threshold: StrictFloat | StrictInt = Field(
        ge=0, le=1, description="Leave out records scoring less (0 when Dify's is off)."
    )


class DifyCondition(BaseModel):
    name: StrictStr | list[StrictStr] = Field(
        description="`source` (or `title`), `type`, `page` or `modified`; a list matches any."
    )
    comparison_operator: StrictStr = Field(max_length=32)
    value: Scalar | list[Scalar] | None = None


class MetadataCondition(BaseModel):
    logical_operator: Literal["and", "or"] | None = "and"
    conditions: list[DifyCondition] | None = Field(None, max_length=MAX_CONDITIONS)


class DifyRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    knowledge_id: StrictStr = Field(max_length=200, description="A docqa collection's name.")
    query: StrictStr = Field(min_length=1, max_length=2000, pattern=r"\S")
    retrieval_setting: RetrievalSetting
    metadata_condition: MetadataCondition | None = None


class DifyRecord(BaseModel):
    content: str
    score: float
    title: str
    metadata: dict[str, str | int | float]


class DifyResponse(BaseModel):
    records: list[DifyRecord]


class DifyError(BaseModel):
    error_code: int
    error_msg: str


def error_shape(error: RouteError) -> dict[str, Any]:
    code = error.code if isinstance(error.code, int) else error.status
    return {"error_code": code, "error_msg": error.message}


ERROR_SHAPES = {"/retrieval": error_shape, "/dify/": error_shape}
_MEANING = {
    400: "The body is not valid JSON, or a metadata condition cannot be applied.",
    403: "1001: the Authorization header is not `Bearer <key>`; 1002: wrong key.",
    404: "2001: no collection of that knowledge_id.",
    422: "A field is missing, of the wrong type or out of range.",
    503: "The collection has no usable index.",
}
RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": DifyError, "description": meaning} for code, meaning in _MEANING.items()
}


def router(engine: Engine) -> APIRouter:
    routes = APIRouter(dependencies=[Depends(_key_check(engine.settings.api_key))])

    def retrieval(body: DifyRequest) -> dict[str, Any]:
        """Dify's External Knowledge API: the best passages of the collection `knowledge_id`
        whose 0..1 score reaches `score_threshold`."""
        where = metadata_filter(body.metadata_condition)
        name, setting = body.knowledge_id, body.retrieval_setting
        try:
            if not name:  # not the default collection: Dify always names one
                raise UnknownCollectionError("knowledge_id is empty")
            passages = engine.search(body.query, setting.top_k, collection=name, filters=where)
            files = engine.reader(name).manifest.files
        except UnknownCollectionError as exc:
            raise RouteError(404, f"The knowledge does not exist: {exc}", 2001) from None
        records = []
        for passage in passages:
            score = relevance(passage)
            if score < setting.score_threshold:
                continue
            entry = files.get(passage.source)
            modified = entry.mtime_ns / 1e9 if entry else None
            records.append(
                {
                    "content": passage.text,
                    "score": score,
                    "title": passage.source,
                    "metadata": passage_metadata(passage, name, modified),
                }
            )
        return {"records": records}

    for path in PATHS:
        routes.add_api_route(
            path,
            retrieval,
            methods=["POST"],
            response_model=DifyResponse,
            tags=["dify"],
            responses=RESPONSES,
            operation_id="dify" + path.replace("/", "_"),
        )
    return routes


def metadata_filter(given: MetadataCondition | None) -> Filter | None:
    """Dify's metadata conditions as a docqa filter; FilterError names one it cannot apply."""
    if given is None or not given.conditions:
        return None
    parts = [_condition(c) for c in given.conditions]
    return compound(given.logical_operator or "and", parts)


def _condition(given: DifyCondition) -> Filter:
    shown = f"{given.name} {given.comparison_operator} {given.value!r}"
    op = OPERATORS.get(given.comparison_operator)
    if op is None:
        raise FilterError(
            f"metadata condition {shown}: comparison_operator {given.comparison_operator!r} is "
            f"not supported; use one of {', '.join(OPERATORS)}"
        )
    names = given.name if isinstance(given.name, list) else [given.name]
    unknown = [n for n in names if n not in NAMES]
    if unknown or not names:
        raise FilterError(
            f"metadata condition {shown}: docqa filters on {', '.join(NAMES)}, not {unknown}"
        )
    return compound("or", [condition(NAMES[n], op, given.value) for n in names])


def _key_check(api_key: str):
    """Dify's own codes: 1001 for a header that is not `Bearer <key>`, 1002 for a wrong key."""

    def check(request: Request) -> None:
        if not api_key:
            return
        token = bearer_token(request)
        if token is None:
            raise RouteError(
                403, "Invalid Authorization header format. Expected 'Bearer <api-key>' format.",
                1001,
            )  # fmt: skip
        if not key_matches(token, api_key):
            raise RouteError(403, "Authorization failed", 1002)

    return check
