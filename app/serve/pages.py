"""The cited page, shown with the answer on it: a PNG of a PDF page with the answer boxed and its
sentence shaded, or for text formats the surrounding text with both marked.

Every offset comes from the stored page text, the same text the citation's offsets point into,
so what is marked is exactly what was cited; on a PDF `boxes.locate` either finds the answer's
characters on the page for certain or the page is shown plain with a note saying so. Rendering
is bounded in pixels and in time, and kept in a small LRU keyed by file, modification time,
size, page and scale, so a second look at a page costs a dictionary lookup.
"""

from __future__ import annotations

import html
import io
import json
import math
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import Query, Response
from starlette.exceptions import HTTPException

from app.ingest.formats import images
from app.records import Citation
from app.serve.boxes import Box, locate, sentence_bounds
from app.store.collections import DEFAULT, UnknownCollectionError, valid_name

if TYPE_CHECKING:
    from app.engine import Engine

MAX_PIXELS = 4_000_000  # about an A4 page at 200 dpi; a larger request is scaled down
RENDER_SECONDS = 10.0
DEFAULT_SCALE = 1.5  # 108 dpi: readable on a laptop, light on a phone
CONTEXT_CHARS = 1500  # text shown on each side of the sentence in a text view
NO_POSITIONS = "An image holds no character positions to mark the answer with."
NOT_FOUND = "The answer's exact characters could not be found on this page; shown without marks."

# pdfium is not thread-safe: every call into it runs on this one thread, which also lets a
# request give up on a page that takes too long to render.
_PDFIUM = ThreadPoolExecutor(max_workers=1, thread_name_prefix="docqa-pdfium")


class PageViewError(Exception):
    """A request that cannot be shown (no such page, offsets outside it); the message says why."""


class RenderTimeoutError(PageViewError):
    pass


@dataclass
class PageView:
    media_type: str  # image/png, or text/html for a text view
    body: bytes
    boxes: list[Box] = field(default_factory=list)  # the answer's, in PDF points
    note: str | None = None  # why nothing is marked, when nothing is


class _LRU:
    """A small thread-safe least-recently-used map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            return None

    def put(self, key: tuple, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_views = _LRU(64)  # finished views, per highlight
_renders = _LRU(16)  # plain page images, shared by every highlight on the page


def parse_span(text: str | None, page_text: str) -> tuple[int, int] | None:
    """`"start:end"` -> offsets into `page_text`, checked; None for no highlight."""
    if not text:
        return None
    start, sep, end = text.partition(":")
    if not sep or not start.strip().isdigit() or not end.strip().isdigit():
        raise PageViewError(f"highlight must be START:END character offsets, not {text!r}")
    span = int(start), int(end)
    if not 0 <= span[0] < span[1] <= len(page_text):
        raise PageViewError(
            f"highlight {text} is outside the page's text (0:{len(page_text)}) or empty"
        )
    return span


def view_page(
    path: Path, page: int | None, page_text: str, span: tuple[int, int] | None, scale: float
) -> PageView:
    """The page of `path` with `span` (offsets into `page_text`) marked; cached."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size, page, round(scale, 3), span)
    cached = _views.get(key)
    if cached is not None:
        return cached
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        view = _on_pdfium(_pdf_view, path, key[:5], page, page_text, span, scale)
    elif suffix in images.SUFFIXES:
        view = _image_view(path, scale)
    else:
        view = text_view(page_text, span)
    _views.put(key, view)
    return view


def _on_pdfium(function, *args) -> PageView:
    future = _PDFIUM.submit(function, *args)
    try:
        return future.result(timeout=RENDER_SECONDS)
    except FutureTimeout as exc:
        raise RenderTimeoutError(
            f"the page took longer than {RENDER_SECONDS:.0f} s to render; try a smaller scale"
        ) from exc


def _pdf_view(
    path: Path,
    render_key: tuple,
    page: int | None,
    page_text: str,
    span: tuple[int, int] | None,
    scale: float,
) -> PageView:
    import pypdfium2 as pdfium

    with _closing(pdfium.PdfDocument(path)) as document:
        if page is None or not 1 <= page <= len(document):
            raise PageViewError(f"{path.name} has pages 1 to {len(document)}, not {page}")
        pdf_page = document[page - 1]
        image, scale = _rendered(pdf_page, render_key, scale)
        if span is None:
            return PageView("image/png", _png(image))
        if pdf_page.get_rotation() % 360:
            return PageView("image/png", _png(image), note=NOT_FOUND + " (rotated page)")
        textpage = pdf_page.get_textpage()
        answer = locate(textpage, page_text, *span)
        sentence = locate(textpage, page_text, *sentence_bounds(page_text, *span))
        textpage.close()
        if answer is None:
            return PageView("image/png", _png(image), note=NOT_FOUND)
        marked = _draw(image, pdf_page.get_bbox(), scale, answer, sentence or [])
        return PageView("image/png", _png(marked), answer)


class _closing:
    """`with` for pdfium objects, which close with `.close()` but are no context managers."""

    def __init__(self, thing: Any) -> None:
        self.thing = thing

    def __enter__(self) -> Any:
        return self.thing

    def __exit__(self, *exc: object) -> None:
        self.thing.close()


def _rendered(pdf_page: Any, key: tuple, scale: float) -> tuple[Any, float]:
    """The plain page image at `scale`, or smaller when that would exceed MAX_PIXELS."""
    width, height = pdf_page.get_size()
    # 0.99: pdfium rounds each side up to whole pixels
    scale = min(scale, 0.99 * math.sqrt(MAX_PIXELS / max(width * height, 1.0)))
    cached = _renders.get(key)
    if cached is None:
        cached = pdf_page.render(scale=scale).to_pil().convert("RGB")
        _renders.put(key, cached)
    return cached, scale


def _draw(image: Any, bbox: tuple, scale: float, answer: list[Box], sentence: list[Box]) -> Any:
    """A copy of `image` with the sentence shaded and the answer boxed."""
    from PIL import Image, ImageDraw

    left, _, _, top = bbox
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)

    def pixels(box: Box, pad: float) -> tuple[float, float, float, float]:
        return (
            (box.left - left - pad) * scale,
            (top - box.top - pad) * scale,
            (box.right - left + pad) * scale,
            (top - box.bottom + pad) * scale,
        )

    for box in sentence:
        draw.rectangle(pixels(box, 1.0), fill=(253, 224, 71, 90))
    width = max(2, round(scale * 1.2))
    for box in answer:
        draw.rectangle(pixels(box, 2.0), outline=(220, 38, 38, 255), width=width)
    return Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")


def _png(image: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue()


def _image_view(path: Path, scale: float) -> PageView:
    """An image document, scaled within MAX_PIXELS; no word positions are stored to box with."""
    from PIL import Image, ImageOps

    images.reads_heif()
    with Image.open(path) as opened:
        opened.thumbnail((4096, 4096))
        image = ImageOps.exif_transpose(opened)  # the way up its camera recorded
        shrink = min(scale / DEFAULT_SCALE, math.sqrt(MAX_PIXELS / (image.width * image.height)))
        if shrink < 1:
            image = image.resize((int(image.width * shrink), int(image.height * shrink)))
        return PageView("image/png", _png(image.convert("RGB")), note=NO_POSITIONS)


def text_view(page_text: str, span: tuple[int, int] | None) -> PageView:
    """The text around `span` as an HTML fragment, the sentence and the span marked; all
    document text escaped."""
    start, end = span or (0, 0)
    s_start, s_end = sentence_bounds(page_text, start, end) if span else (0, 0)
    begin = _cut(page_text, max(0, s_start - CONTEXT_CHARS), backwards=True)
    finish = _cut(page_text, min(len(page_text), s_end + CONTEXT_CHARS), backwards=False)
    parts = [
        _escape(page_text[begin:s_start]),
        '<mark class="docqa-sentence">',
        _escape(page_text[s_start:start]),
        '<mark class="docqa-span">',
        _escape(page_text[start:end]),
        "</mark>",
        _escape(page_text[end:s_end]),
        "</mark>",
        _escape(page_text[s_end:finish]),
    ]
    body = "".join(parts) if span else _escape(page_text[begin:finish])
    lead = "…" if begin > 0 else ""
    tail = "…" if finish < len(page_text) else ""
    fragment = f'<div class="docqa-text-view">{lead}{body}{tail}</div>'
    return PageView("text/html; charset=utf-8", fragment.encode())


def _cut(text: str, at: int, backwards: bool) -> int:
    """`at` moved to the nearest whitespace (within 80 characters) so no word is cut."""
    window = range(at, max(0, at - 80), -1) if backwards else range(at, min(len(text), at + 80))
    return next((i for i in window if i in (0, len(text)) or text[i].isspace()), at)


def _escape(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br>")


def clear_cache() -> None:
    """Forget every cached page (for benchmarks that measure uncached views)."""
    _views.clear()
    _renders.clear()


def page_route(engine: Engine):
    """GET handler for a cited page; only pages of indexed files inside the corpus."""

    def cited_page(
        source: str = Query(description="The citation's `source`."),
        page: int | None = Query(None, ge=1, le=10**6, description="The citation's `page`."),
        highlight: str | None = Query(
            None, max_length=40, description="`source_start:source_end` of the answer."
        ),
        scale: float = Query(DEFAULT_SCALE, ge=0.25, le=4.0, description="Pixels per point."),
        collection: str = Query(DEFAULT, max_length=64, description="Its collection."),
    ) -> Response:
        """The page as a PNG (PDF, image) or an HTML fragment (text formats), answer marked.

        `X-Docqa-Boxes` lists the answer's boxes in PDF points ([left, bottom, right, top],
        origin bottom left); `X-Docqa-Note` says why nothing is marked, when nothing is.
        """
        try:
            valid_name(collection)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from exc
        try:
            path = engine.locate(source, collection)
            page_text = engine.reader(collection).page_text(source, page) if path else None
        except (ValueError, OSError, UnknownCollectionError):
            path = page_text = None
        if path is None or page_text is None:
            where = f" page {page}" if page else ""
            raise HTTPException(404, f"no indexed document{where} named {source!r}")
        try:
            view = view_page(path, page, page_text, parse_span(highlight, page_text), scale)
        except RenderTimeoutError as exc:
            raise HTTPException(503, str(exc)) from exc
        except PageViewError as exc:
            raise HTTPException(422, str(exc)) from exc
        headers = {
            "X-Docqa-Boxes": json.dumps([box.as_list() for box in view.boxes]),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            "Cache-Control": "no-store",  # the index may change under the same address
        }
        if view.note:
            headers["X-Docqa-Note"] = view.note
        return Response(view.body, media_type=view.media_type, headers=headers)

    return cited_page


def view_link(citation: Citation) -> str:
    """The chat's link that opens `citation`'s page in the viewer (page_view.js), or in a new
    tab where scripts do not run."""
    query = {
        "source": citation.source,
        "highlight": f"{citation.source_start}:{citation.source_end}",
    }
    if citation.page:
        query["page"] = str(citation.page)
    href = html.escape("/view?" + urlencode(query))
    return (
        f'<a class="docqa-view" href="{href}" target="_blank" rel="noopener">show on the page</a>'
    )
