"""The JSON HTTP API under /api, and the source files that citations link to under /files.

Handlers only validate and serialise: every answer comes from the same `Engine` the CLI uses.
Every request error is a 4xx with a message saying what is wrong; nothing returns a traceback.
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator
from starlette.exceptions import HTTPException

from app import __version__
from app.engine import Engine, to_json
from app.store.manifest import StoreError

MAX_QUERY_CHARS = 2000
MAX_HISTORY_TURNS = 20


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty or only whitespace")
    return value


class RetrieveRequest(_Request):
    query: StrictStr = Field(max_length=MAX_QUERY_CHARS, description="What to look for.")
    k: StrictInt = Field(5, ge=1, le=50, description="How many passages to return.")

    _check_query = field_validator("query")(_not_blank)


class Turn(_Request):
    question: StrictStr = Field(max_length=MAX_QUERY_CHARS)
    answer: StrictStr | None = Field(None, max_length=20 * MAX_QUERY_CHARS)


class AskRequest(_Request):
    question: StrictStr = Field(max_length=MAX_QUERY_CHARS, description="The question.")
    history: list[Turn | StrictStr] = Field(
        default_factory=list,
        max_length=MAX_HISTORY_TURNS,
        description="Earlier turns of the conversation, oldest first: questions as strings, "
        'or {"question", "answer"} objects. A follow-up question is retrieved with them.',
    )

    _check_question = field_validator("question")(_not_blank)

    def earlier_questions(self) -> list[str]:
        return [turn if isinstance(turn, str) else turn.question for turn in self.history]


class PassageOut(BaseModel):
    id: int
    source: str
    page: int | None
    text: str
    score: float
    start: int
    end: int
    dense_score: float | None
    keyword_score: float | None


class RetrieveResponse(BaseModel):
    query: str
    passages: list[PassageOut]


class CitationOut(BaseModel):
    n: int
    source: str
    page: int | None
    snippet: str
    answer_start: int
    answer_end: int
    source_start: int
    source_end: int
    score: float


class AskResponse(BaseModel):
    question: str
    answer: str | None
    confidence: float
    citations: list[CitationOut]
    passages: list[PassageOut]
    sentence: str | None
    message: str | None


class ErrorOut(BaseModel):
    error: str = Field(description="What is wrong, in words.")
    problems: list[str] | None = Field(None, description="Each invalid field, for a 4xx request.")


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error answers a route can give, so the OpenAPI schema documents every status."""
    meaning = {
        400: "The body is not valid JSON.",
        401: "DOCQA_API_KEY is set and the request lacks `Authorization: Bearer <key>`.",
        404: "No such document in the index.",
        422: "A field is missing, unknown, of the wrong type or out of range.",
        503: "There is no usable index (not built yet, or built with another model).",
    }
    return {code: {"model": ErrorOut, "description": meaning[code]} for code in statuses}


class HealthResponse(BaseModel):
    status: str
    documents: int
    chunks: int
    model: str
    built_at: str
    version: str


def create_app(engine: Engine) -> FastAPI:
    app = FastAPI(
        title="docqa",
        version=__version__,
        description="Ask your documents a question; get the exact sentence that answers it.",
    )
    app.state.engine = engine
    app.include_router(_api_router(engine), prefix="/api")
    app.add_api_route(
        "/files/{source:path}",
        _file_route(engine),
        methods=["GET"],
        tags=["files"],
        response_class=FileResponse,
        responses={
            200: {
                "description": "The document: PDF as PDF, everything else as plain text.",
                "content": {"application/pdf": {}, "text/plain": {}},
            },
            **_errors(404, 503),
        },
    )
    _install_error_handlers(app)
    return app


def _api_router(engine: Engine) -> APIRouter:
    router = APIRouter(
        dependencies=[Depends(_api_key_check(engine.settings.api_key))], responses=_errors(401)
    )

    @router.post(
        "/retrieve", response_model=RetrieveResponse, tags=["api"], responses=_errors(400, 422, 503)
    )
    def retrieve(body: RetrieveRequest) -> dict[str, Any]:
        """Passages that best match the query, best first (dense + BM25, fused)."""
        return {"query": body.query, "passages": to_json(engine.search(body.query, body.k))}

    @router.post("/ask", response_model=AskResponse, tags=["api"], responses=_errors(400, 422, 503))
    def ask(body: AskRequest) -> dict[str, Any]:
        """An extractive answer with numbered citations, or `answer: null` when none is found."""
        return to_json(engine.ask(body.question, body.earlier_questions()))

    @router.get("/health", response_model=HealthResponse, tags=["api"], responses=_errors(503))
    def health() -> dict[str, Any]:
        """Whether the index is loaded, and what it holds."""
        status = engine.status()
        return {"status": "ok", "version": __version__, **status}

    return router


def _api_key_check(api_key: str):
    def check(request: Request) -> None:
        if not api_key:
            return
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), api_key.encode()):
            raise HTTPException(401, "missing or wrong API key: send 'Authorization: Bearer <key>'")

    return check


def _file_route(engine: Engine):
    def source_file(source: str) -> FileResponse:
        """A corpus file that a citation points to; only files that are in the index."""
        try:
            path = engine.locate(source)
        except (ValueError, OSError):  # a NUL byte, a name too long for the file system...
            path = None
        if path is None:
            raise HTTPException(404, f"no indexed document named {source!r}")
        # Text, Markdown and HTML (XHTML too) are shown as plain text: a document's scripts
        # never run here, and the browser displays rather than downloads it.
        media_type = "application/pdf" if path.suffix.lower() == ".pdf" else "text/plain"
        return FileResponse(
            path,
            media_type=media_type,
            headers={"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"},
            content_disposition_type="inline",
        )

    return source_file


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [_describe(error) for error in exc.errors()]
        status = 400 if any(e.get("type") == "json_invalid" for e in exc.errors()) else 422
        return JSONResponse({"error": "; ".join(problems), "problems": problems}, status)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse({"error": exc.detail}, exc.status_code, headers=headers)

    @app.exception_handler(StoreError)
    async def no_index(request: Request, exc: StoreError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, 503)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(
            {"error": f"internal error ({type(exc).__name__}); see the server log"}, 500
        )


def _describe(error: dict) -> str:
    where = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"
    if error.get("type") == "json_invalid":
        return "the request body is not valid JSON"
    if error.get("type") == "missing":
        return f"{where}: this field is required"
    return f"{where}: {error.get('msg', 'invalid value')}"
