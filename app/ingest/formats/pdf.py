"""PDF, with pypdf, one `Page` per page so that citations carry page numbers; words split across
lines are joined, tables read as rows of named cells and headings set apart (`pdf_tables`,
`pdf_headings`: from pdfium's character boxes and sizes) and running heads, feet and page
numbers left out (`running_lines`). A form's filled-in fields follow its page's text as label
lines (`pdf_forms`).

A page whose text layer is (nearly) empty but which shows an image, like a scanned page, is
rendered with pypdfium2 at `ocr.RENDER_DPI` and read by OCR; its `Page.ocr` says so. A page that
cannot be rendered or read keeps its (empty) text layer: the rest of the document still counts.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io

from app.ingest import ocr
from app.ingest.errors import ExtractionError
from app.ingest.formats.pdf_forms import field_lines
from app.ingest.formats.pdf_headings import with_headings, with_paragraphs
from app.ingest.formats.pdf_lines import page_lines
from app.ingest.formats.pdf_tables import with_tables
from app.ingest.formats.running_lines import without_running_lines
from app.ingest.formats.text import clean_text, join_split_words
from app.records import Page

SUFFIXES = {".pdf"}
EMPTY_REASON = "no extractable text (no text layer, and OCR found no text on its pages)"
OCR_BELOW = 20  # pages with fewer non-space characters in their text layer are OCR candidates


def read(data: bytes, suffix: str, max_pages: int) -> list[Page]:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, LimitReachedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("encrypted PDF (needs a password)")
        count = len(reader.pages)
    except ExtractionError:
        raise
    except (FileNotDecryptedError, NotImplementedError) as exc:
        raise ExtractionError(f"encrypted PDF ({exc})") from exc
    except LimitReachedError as exc:
        raise ExtractionError(_over_limits(exc)) from exc
    except PdfReadError as exc:
        raise ExtractionError(f"corrupt PDF ({exc})") from exc
    except Exception as exc:  # pypdf raises TypeError, AssertionError... on damaged files
        raise ExtractionError(f"corrupt PDF ({type(exc).__name__}: {exc})") from exc
    if count > max_pages:
        raise ExtractionError(f"too many pages ({count} > {max_pages} limit)")
    pages: list[Page] = []
    failure: Exception | None = None
    for number, page in enumerate(reader.pages, start=1):
        try:
            text = join_split_words(clean_text(page.extract_text() or ""))
            pages.append(Page(number, _with_fields(text, page)))
        except MemoryError:
            raise
        except Exception as exc:  # one damaged page must not cost the rest of the document
            failure = failure or exc
    if failure is not None and not pages:
        if isinstance(failure, LimitReachedError):
            raise ExtractionError(_over_limits(failure))
        raise ExtractionError(
            f"corrupt PDF (no page could be read: {type(failure).__name__}: {failure})"
        )
    candidates = [p.number for p in pages if len("".join(p.text.split())) < OCR_BELOW]
    if candidates:
        pages = _with_ocr(data, pages, candidates)
    return without_running_lines(_with_layout(data, pages))


def _with_fields(text: str, page) -> str:
    """`text` and after it the page's filled-in form fields (`pdf_forms`), if any; a damaged
    form leaves the text as it is."""
    try:
        lines = field_lines(page)
    except MemoryError:
        raise
    except Exception:  # pypdf's errors on damaged annotations are of many kinds
        return text
    return "\n\n".join(part for part in (text, clean_text("\n".join(lines))) if part)


def _with_layout(data: bytes, pages: list[Page]) -> list[Page]:
    """`pages` with the tables pdfium finds on them as named rows, and their headings and
    paragraphs as blocks of their own; a page pdfium cannot read keeps its text as it is. It
    runs before running lines are left out, which may then take a table's header repeated atop
    each page (its rows are named already); OCR's pages are not searched."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return pages
    found: list[Page] = []
    header: list[str] | None = None  # of the table that ended the page before
    with contextlib.closing(document):
        for page in pages:
            try:
                if page.text.strip() and not page.ocr:
                    lines = page_lines(document[page.number - 1].get_textpage())
                    text, header = with_tables(page.text, lines, header)
                    text = with_paragraphs(with_headings(text, lines), lines)
                    page = dataclasses.replace(page, text=text)
                else:
                    header = None
            except MemoryError:
                raise
            except Exception:  # the layout only adds to the text: on any failure
                header = None  # (pdfium's, or an odd page's) the page keeps pypdf's text
            found.append(page)
    return found


def _with_ocr(data: bytes, pages: list[Page], candidates: list[int]) -> list[Page]:
    """`pages` with the text of image-only pages replaced by what OCR reads in them."""
    read = _ocr_pages(data, set(candidates))
    return [
        Page(p.number, read[p.number], ocr=True)
        if len(read.get(p.number, "").split()) > len(p.text.split())
        else p
        for p in pages
    ]


def _ocr_pages(data: bytes, numbers: set[int]) -> dict[int, str]:
    """OCR text of those of `numbers` (1-based) that show an image; unreadable pages omitted."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    found: dict[int, str] = {}
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return found
    with contextlib.closing(document):
        for number in sorted(numbers):
            try:
                page = document[number - 1]
                images = page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=4)
                if next(iter(images), None) is None:
                    continue
                width, height = page.get_size()
                scale = ocr.RENDER_DPI / 72
                scale = min(scale, (ocr.MAX_PIXELS / max(width * height, 1.0)) ** 0.5)
                found[number] = ocr.image_text(page.render(scale=scale).to_pil())
            except MemoryError:
                raise
            except (ExtractionError, pdfium.PdfiumError, ValueError, IndexError):
                continue  # this page stays as its text layer has it
    return found


def _over_limits(exc: Exception) -> str:
    """The reason for a PDF that pypdf stopped reading: a decompression bomb or absurd sizes."""
    return f"PDF content exceeds the reader's safety limits, a decompression bomb? ({exc})"
