"""Request errors in the shape each caller expects: docqa's own, Dify's, OpenAI's.

Every route family answers errors in its contract's shape (`{"error": ...}` under /api,
`{"error_code", "error_msg"}` for Dify, `{"error": {"message", "type", "param", "code"}}` under
/v1), and every handler below turns an exception into a 4xx or 5xx with a message: nothing ever
returns a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from app.store.collections import UnknownCollectionError
from app.store.filters import FilterError
from app.store.manifest import StoreError


@dataclass
class RouteError(Exception):
    """An error a route answers with; `code` and `param` are for the contracts that have them."""

    status: int
    message: str
    code: int | str | None = None
    param: str | None = None
    problems: list[str] = field(default_factory=list)


Shape = Callable[[RouteError], dict[str, Any]]


def docqa_shape(error: RouteError) -> dict[str, Any]:
    body: dict[str, Any] = {"error": error.message}
    if error.problems:
        body["problems"] = error.problems
    return body


def install_error_handlers(app: FastAPI, shapes: dict[str, Shape]) -> None:
    """Answer errors in the shape of the first path prefix in `shapes` that the request's path
    starts with, docqa's own otherwise."""

    def respond(request: Request, error: RouteError) -> JSONResponse:
        path = request.url.path
        shape = next((s for prefix, s in shapes.items() if path.startswith(prefix)), docqa_shape)
        headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
        return JSONResponse(shape(error), error.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [_describe(error) for error in exc.errors()]
        status = 400 if any(e.get("type") == "json_invalid" for e in exc.errors()) else 422
        return respond(request, RouteError(status, "; ".join(problems), problems=problems))

    @app.exception_handler(RouteError)
    async def route_error(request: Request, exc: RouteError) -> JSONResponse:
        return respond(request, exc)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return respond(request, RouteError(exc.status_code, str(exc.detail)))

    @app.exception_handler(FilterError)
    async def bad_filter(request: Request, exc: FilterError) -> JSONResponse:
        return respond(request, RouteError(400, str(exc), "invalid_filter", "filters"))

    @app.exception_handler(UnknownCollectionError)
    async def no_collection(request: Request, exc: UnknownCollectionError) -> JSONResponse:
        return respond(request, RouteError(404, str(exc), "collection_not_found", "collection"))

    @app.exception_handler(StoreError)
    async def no_index(request: Request, exc: StoreError) -> JSONResponse:
        return respond(request, RouteError(503, str(exc)))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        message = f"internal error ({type(exc).__name__}); see the server log"
        return respond(request, RouteError(500, message))


def _describe(error: dict) -> str:
    where = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"
    if error.get("type") == "json_invalid":
        return "the request body is not valid JSON"
    if error.get("type") == "missing":
        return f"{where}: this field is required"
    return f"{where}: {error.get('msg', 'invalid value')}"
