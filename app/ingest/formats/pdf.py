"""PDF, with pypdf, one `Page` per page so that citations carry page numbers."""

from __future__ import annotations

import io

from app.ingest.errors import ExtractionError
from app.ingest.formats.text import clean_text
from app.records import Page

SUFFIXES = {".pdf"}
EMPTY_REASON = "no extractable text (scanned or image-only?)"


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
            pages.append(Page(number, clean_text(page.extract_text() or "")))
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
    return pages


def _over_limits(exc: Exception) -> str:
    """The reason for a PDF that pypdf stopped reading: a decompression bomb or absurd sizes."""
    return f"PDF content exceeds the reader's safety limits, a decompression bomb? ({exc})"
