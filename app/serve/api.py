"""The JSON HTTP API under /api, and the source files that citations link to under /files.

Handlers only validate and serialise: every answer comes from the same `Engine` the CLI uses.
Every request error is a 4xx with a message saying what is wrong; nothing returns a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator
from starlette.exceptions import HTTPException

from app import __version__
from app.engine import Engine, to_json
from app.serve import dify, openai_api, pages
from app.serve.common import FilterIn, bearer_token, key_matches, to_filter
from app.serve.errors import install_error_handlers
from app.store.collections import DEFAULT, UnknownCollectionError
from app.store.manifest import StoreError

MAX_QUERY_CHARS = 2000
MAX_HISTORY_TURNS = 20
COLLECTION_NAME = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty or only whitespace")
    return value


def _collection_field() -> Any:
    return Field(
        None,
        pattern=COLLECTION_NAME,
        description="Which collection to search (GET /api/collections); the default if absent.",
    )


def _filters_field() -> Any:
    return Field(
        None,
        description="Only passages whose file or page match: comparisons on `source`, `type`, "
        '`page` and `modified`, combined with {"type": "and"|"or", "filters": [...]}.',
    )


class RetrieveRequest(_Request):
    query: StrictStr = Field(max_length=MAX_QUERY_CHARS, description="What to look for.")
    k: StrictInt = Field(5, ge=1, le=50, description="How many passages to return.")
    collection: StrictStr | None = _collection_field()
    filters: FilterIn | None = _filters_field()

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
    collection: StrictStr | None = _collection_field()
    filters: FilterIn | None = _filters_field()

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
    location: str | None = Field(
        None, description='Where in the file: "page 3", "slide 2", "sheet Fees, rows 1-40".'
    )


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
    location: str | None = Field(None, description='Where in the file: "page 3", "slide 2", ...')
    ocr: bool = Field(
        False, description="The answer's text was read by OCR from an image, so it may differ."
    )


class AskResponse(BaseModel):
    question: str
    answer: str | None
    confidence: float
    citations: list[CitationOut]
    passages: list[PassageOut]
    sentence: str | None
    message: str | None


class CollectionOut(BaseModel):
    name: str
    default: bool
    documents: int
    chunks: int
    built_at: str


class CollectionsResponse(BaseModel):
    collections: list[CollectionOut]


class ErrorOut(BaseModel):
    error: str = Field(description="What is wrong, in words.")
    problems: list[str] | None = Field(None, description="Each invalid field, for a 4xx request.")


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error answers a route can give, so the OpenAPI schema documents every status."""
    meaning = {
        400: "The body is not valid JSON.",
        401: "DOCQA_API_KEY is set and the request lacks `Authorization: Bearer <key>`.",
        404: "No such document, or no such collection.",
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
    app.include_router(dify.router(engine))
    app.include_router(openai_api.router(engine), prefix="/v1")
    # the chat UI's page viewer: public like /files, since it shows no more than /files does
    app.add_api_route("/view", pages.page_route(engine), tags=["files"], **_PAGE_ROUTE)
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
            **_errors(404, 422, 503),
        },
    )
    install_error_handlers(app, {**dify.ERROR_SHAPES, "/v1/": openai_api.error_shape})
    return app


def _api_router(engine: Engine) -> APIRouter:
    router = APIRouter(
        dependencies=[Depends(_api_key_check(engine.settings.api_key))], responses=_errors(401)
    )

    questions = _errors(400, 404, 422, 503)

    @router.post("/retrieve", response_model=RetrieveResponse, tags=["api"], responses=questions)
    def retrieve(body: RetrieveRequest) -> dict[str, Any]:
        """Passages that best match the query, best first (dense + BM25, fused)."""
        found = engine.search(
            body.query, body.k, collection=body.collection, filters=to_filter(body.filters)
        )
        return {"query": body.query, "passages": to_json(found)}

    @router.post("/ask", response_model=AskResponse, tags=["api"], responses=questions)
    def ask(body: AskRequest) -> dict[str, Any]:
        """An extractive answer with numbered citations, or `answer: null` when none is found."""
        where = to_filter(body.filters)
        answer = engine.ask(body.question, body.earlier_questions(), body.collection, where)
        return to_json(answer)

    @router.get("/collections", response_model=CollectionsResponse, tags=["api"])
    def collections() -> dict[str, Any]:
        """Every collection this server answers from, the default first."""
        return {"collections": collection_list(engine)}

    @router.get("/health", response_model=HealthResponse, tags=["api"], responses=_errors(503))
    def health() -> dict[str, Any]:
        """Whether the index is loaded, and what it holds."""
        status = engine.status()
        return {"status": "ok", "version": __version__, **status}

    router.add_api_route("/page", pages.page_route(engine), tags=["api"], **_PAGE_ROUTE)
    return router


_PAGE_ROUTE: dict[str, Any] = {
    "methods": ["GET"],
    "response_class": Response,
    "responses": {
        200: {
            "description": "The cited page: PNG for a PDF or image, HTML for text formats.",
            "content": {"image/png": {}, "text/html": {}},
        },
        **_errors(404, 422, 503),
    },
}


def collection_list(engine: Engine) -> list[dict[str, Any]]:
    """Name and size of every collection with an index; one that vanished meanwhile is left out."""
    listed = []
    for name in engine.collections.names():
        try:
            status = engine.status(name)
        except StoreError:
            continue
        listed.append({**status, "name": name, "default": name == engine.default_collection})
    return listed


def _api_key_check(api_key: str):
    def check(request: Request) -> None:
        if api_key and not key_matches(bearer_token(request), api_key):
            raise HTTPException(401, "missing or wrong API key: send 'Authorization: Bearer <key>'")

    return check


# What a browser can show safely opens in the tab (PDFs at their page, pictures); Office files,
# e-books and mail are downloaded with their own type, so the desktop application opens them.
# Text, Markdown and HTML (XHTML too) are shown as plain text: a document's scripts never run.
_INLINE_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".bmp": "image/bmp",
}
_DOWNLOAD_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".docm": "application/vnd.ms-word.document.macroEnabled.12",
    ".doc": "application/msword",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".rtf": "application/rtf",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".pptm": "application/vnd.ms-powerpoint.presentation.macroEnabled.12",
    ".ppt": "application/vnd.ms-powerpoint",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    ".xls": "application/vnd.ms-excel",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".epub": "application/epub+zip",
    ".eml": "message/rfc822",
    ".msg": "application/vnd.ms-outlook",
    ".heic": "image/heic",
    ".heif": "image/heif",
}


def file_media_type(path: Path) -> tuple[str, str]:
    """(media type, content disposition) for serving the corpus file at `path`."""
    suffix = path.suffix.lower()
    if suffix in _INLINE_TYPES:
        return _INLINE_TYPES[suffix], "inline"
    if suffix in _DOWNLOAD_TYPES:
        return _DOWNLOAD_TYPES[suffix], "attachment"
    return "text/plain", "inline"


def _file_route(engine: Engine):
    def source_file(
        source: str,
        collection: str = Query(DEFAULT, pattern=COLLECTION_NAME, description="Its collection."),
    ) -> FileResponse:
        """A corpus file that a citation points to; only files that are in the index."""
        try:
            path = engine.locate(source, collection)
        # a NUL byte, a name too long for the file system, a collection that does not exist
        except (ValueError, OSError, UnknownCollectionError):
            path = None
        if path is None:
            raise HTTPException(404, f"no indexed document named {source!r}")
        media_type, disposition = file_media_type(path)
        return FileResponse(
            path,
            media_type=media_type,
            headers={"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"},
            filename=path.name,
            content_disposition_type=disposition,
        )

    return source_file
