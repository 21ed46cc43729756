"""OpenAI's vector-store search under /v1, so the `openai` SDK (and anything built on it) can
search docqa: `client.vector_stores.list()`, `.retrieve(id)` and `.search(id, query=...)`.

Each docqa collection is a vector store whose id is its name. Shapes follow OpenAI's API
reference and the SDK's own types (`openai.types.VectorStore`, `VectorStoreSearchResponse`,
`vector_store_search_params`): a search takes `query`, `max_num_results` (1..50), `filters`
(comparisons `eq ne gt gte lt lte in nin`, plus docqa's `prefix suffix contains not_contains
glob`, in `and`/`or` compounds) and `ranking_options.score_threshold`, and answers a
`vector_store.search_results.page`. Errors are OpenAI's `{"error": {"message", "type", "param",
"code"}}`; an unknown store is a 404, a missing or wrong key a 401.
"""

from __future__ import annotations

import calendar
import time
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

from app.engine import Engine
from app.serve.common import (
    FilterIn,
    bearer_token,
    key_matches,
    passage_metadata,
    relevance,
    to_filter,
)
from app.serve.errors import RouteError
from app.store.collections import UnknownCollectionError
from app.store.manifest import StoreError


class RankingOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ranker: Literal["none", "auto", "default-2024-11-15"] | None = None
    score_threshold: StrictFloat | StrictInt = Field(0, ge=0, le=1)


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: StrictStr | list[StrictStr] = Field(description="A query, or several searched as one.")
    filters: FilterIn | None = None
    max_num_results: StrictInt = Field(10, ge=1, le=50)
    ranking_options: RankingOptions | None = None
    rewrite_query: StrictBool = Field(False, description="Accepted; docqa never rewrites.")


class Content(BaseModel):
    type: Literal["text"]
    text: str


class SearchResult(BaseModel):
    file_id: str
    filename: str
    score: float
    attributes: dict[str, str | float | bool] | None
    content: list[Content]


class SearchPage(BaseModel):
    object: Literal["vector_store.search_results.page"]
    search_query: list[str]
    data: list[SearchResult]
    has_more: bool
    next_page: str | None


class FileCounts(BaseModel):
    in_progress: int
    completed: int
    failed: int
    cancelled: int
    total: int


class VectorStore(BaseModel):
    id: str
    object: Literal["vector_store"]
    created_at: int
    name: str
    usage_bytes: int
    file_counts: FileCounts
    status: Literal["expired", "in_progress", "completed"]
    last_active_at: int | None
    metadata: dict[str, str] | None


class VectorStoreList(BaseModel):
    object: Literal["list"]
    data: list[VectorStore]
    first_id: str | None
    last_id: str | None
    has_more: bool


class ErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None
    code: str | None


class OpenAIError(BaseModel):
    error: ErrorDetail


def error_shape(error: RouteError) -> dict[str, Any]:
    kind = "server_error" if error.status >= 500 else "invalid_request_error"
    code = None if error.code is None else str(error.code)
    return {"error": {"message": error.message, "type": kind, "param": error.param, "code": code}}


_MEANING = {
    400: "A filter cannot be applied, or the body is not valid JSON.",
    401: "DOCQA_API_KEY is set and the request lacks `Authorization: Bearer <key>`.",
    404: "No vector store (docqa collection) with that id.",
    422: "A field is missing, unknown, of the wrong type or out of range.",
    503: "The collection has no usable index.",
}


def _responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {c: {"model": OpenAIError, "description": _MEANING[c]} for c in (401, *codes)}


def router(engine: Engine) -> APIRouter:
    routes = APIRouter(dependencies=[Depends(_key_check(engine.settings.api_key))], tags=["openai"])

    @routes.get("/vector_stores", response_model=VectorStoreList, responses=_responses(422, 503))
    def list_vector_stores(
        limit: int = Query(20, ge=1, le=100),
        order: Literal["asc", "desc"] = "desc",
        after: str | None = Query(None, max_length=200),
        before: str | None = Query(None, max_length=200),
    ) -> dict[str, Any]:
        """Every collection as an OpenAI vector store, newest first by default."""
        stores = []
        for name in engine.collections.names():
            try:
                stores.append(_vector_store(engine, name))
            except StoreError:
                continue  # deleted meanwhile, or not readable: not listed
        stores.sort(key=lambda s: (s["created_at"], s["id"]), reverse=order == "desc")
        ids = [s["id"] for s in stores]
        start = ids.index(after) + 1 if after in ids else 0
        end = ids.index(before) if before in ids else len(stores)
        page = stores[start:end][:limit]
        return {
            "object": "list",
            "data": page,
            "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None,
            "has_more": start + len(page) < end,
        }

    @routes.get(
        "/vector_stores/{vector_store_id}",
        response_model=VectorStore,
        responses=_responses(404, 503),
    )
    def retrieve_vector_store(vector_store_id: str) -> dict[str, Any]:
        """One collection as an OpenAI vector store."""
        return _vector_store(engine, vector_store_id)

    @routes.post(
        "/vector_stores/{vector_store_id}/search",
        response_model=SearchPage,
        responses=_responses(400, 404, 422, 503),
    )
    def search_vector_store(vector_store_id: str, body: SearchRequest) -> dict[str, Any]:
        """The best passages of the collection, scored 0..1 (see the README, Integrations)."""
        queries = [body.query] if isinstance(body.query, str) else body.query
        text = " ".join(q for q in queries if q.strip())
        if not text or len(text) > 2000:
            raise RouteError(400, "query must hold 1 to 2000 characters of text", param="query")
        threshold = body.ranking_options.score_threshold if body.ranking_options else 0
        where = to_filter(body.filters)
        try:
            found = engine.search(text, body.max_num_results, collection=vector_store_id,
                                  filters=where)  # fmt: skip
            files = engine.reader(vector_store_id).manifest.files
        except UnknownCollectionError:
            raise _not_found(vector_store_id) from None
        data = []
        for passage in found:
            if (score := relevance(passage)) < threshold:
                continue
            entry = files.get(passage.source)
            attributes = passage_metadata(
                passage, vector_store_id, entry.mtime_ns / 1e9 if entry else None
            )
            data.append(
                {
                    "file_id": passage.source,
                    "filename": passage.source.rsplit("/", 1)[-1],
                    "score": score,
                    "attributes": attributes,
                    "content": [{"type": "text", "text": passage.text}],
                }
            )
        return {
            "object": "vector_store.search_results.page",
            "search_query": queries,
            "data": data,
            "has_more": False,
            "next_page": None,
        }

    return routes


def _vector_store(engine: Engine, name: str) -> dict[str, Any]:
    try:
        manifest = engine.reader(name).manifest
    except UnknownCollectionError:
        raise _not_found(name) from None
    live = [e for e in manifest.files.values() if e.skipped is None]
    failed = len(manifest.files) - len(live)
    built = _timestamp(manifest.built_at)
    return {
        "id": name,
        "object": "vector_store",
        "created_at": built,
        "name": name,
        "usage_bytes": sum(e.size for e in live),
        "file_counts": _file_counts(len(live), failed),
        "status": "completed",
        "last_active_at": built,
        "metadata": {"store": engine.store.kind, "chunks": str(sum(e.chunks for e in live))},
    }


def _file_counts(completed: int, failed: int) -> dict[str, int]:
    """Every file is read by the ingest that lists it: none is ever in progress."""
    total = completed + failed
    return {"in_progress": 0, "completed": completed, "failed": failed, "cancelled": 0,
            "total": total}  # fmt: skip


def _timestamp(built_at: str) -> int:
    """Unix seconds of a manifest's `built_at` (`2026-11-03T10:00:00Z`); 0 if it has none."""
    try:
        return calendar.timegm(time.strptime(built_at, "%Y-%m-%dT%H:%M:%SZ"))
    except ValueError:
        return 0


def _not_found(name: str) -> RouteError:
    return RouteError(404, f"No vector store found with id {name!r}.")


def _key_check(api_key: str):
    def check(request: Request) -> None:
        if not api_key:
            return
        token = bearer_token(request)
        if not key_matches(token, api_key):
            message = (
                "You didn't provide an API key. Send 'Authorization: Bearer <key>'."
                if token is None
                else "Incorrect API key provided."
            )
            raise RouteError(401, message, "invalid_api_key")

    return check
