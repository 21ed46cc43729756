"""Files -> extracted text, one `Page` per PDF page (one page for everything else).

The text stored here is what citations point into: every offset docqa reports is an offset into
`Page.text`, so extraction must be deterministic for a given file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".rst"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES

_INVISIBLE_HTML = ["script", "style", "noscript", "template", "svg", "iframe", "object"]
_BLOCK_HTML = [
    "address", "article", "aside", "blockquote", "caption", "div", "dl", "figcaption", "figure",
    "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p",
    "pre", "section", "table", "title", "ul",
]  # fmt: skip
_LINE_HTML = ["br", "dd", "dt", "li", "tr"]
_CELL_HTML = ["td", "th"]
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ExtractionError(Exception):
    """A file that cannot be turned into text; the message is shown to the user as the reason."""


@dataclass(frozen=True)
class Page:
    number: int | None  # 1-based page of a PDF; None for files without pages
    text: str


@dataclass(frozen=True)
class CorpusFile:
    path: Path  # absolute
    relpath: str  # POSIX path relative to the corpus root: the file's identity in the index
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Skipped:
    relpath: str
    reason: str


def scan_corpus(root: Path, max_bytes: int) -> tuple[list[CorpusFile], list[Skipped]]:
    """Every supported file under `root`, plus the ones we refuse and why.

    Hidden files and folders are ignored; symlinks are followed only while they stay inside
    `root`, so a link cannot pull files from elsewhere on the disk into the index.
    """
    root = root.resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {root}")
    found: list[CorpusFile] = []
    skipped: list[Skipped] = []
    for path in _walk(root):
        relpath = path.relative_to(root).as_posix()
        reason = _refusal(path, root, max_bytes)
        if reason:
            skipped.append(Skipped(relpath, reason))
            continue
        stat = path.stat()
        found.append(CorpusFile(path, relpath, stat.st_size, stat.st_mtime_ns))
    return found, skipped


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def _refusal(path: Path, root: Path, max_bytes: int) -> str | None:
    if _CONTROL_CHARS.search(path.name) or "\n" in path.name or "\r" in path.name:
        return "file name contains control characters"
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return "broken symlink"
        if not target.is_relative_to(root):
            return "symlink points outside the corpus"
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return f"unsupported file type {path.suffix or '(no extension)'}"
    try:
        size = path.stat().st_size
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    if size == 0:
        return "empty file"
    if size > max_bytes:
        return f"too large ({size / 2**20:.0f} MiB > {max_bytes / 2**20:.0f} MiB limit)"
    return None


def extract(path: Path, max_pages: int = 5000) -> list[Page]:
    """The pages of one file with their text; raises ExtractionError with a readable reason."""
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        pages = _extract_pdf(path, max_pages)
    elif suffix in HTML_SUFFIXES:
        pages = [Page(None, _html_text(decode_bytes(path.read_bytes())))]
    elif suffix in TEXT_SUFFIXES:
        pages = [Page(None, clean_text(decode_bytes(path.read_bytes())))]
    else:
        raise ExtractionError(f"unsupported file type {suffix}")
    pages = [p for p in pages if p.text.strip()]
    if not pages:
        raise ExtractionError(
            "no extractable text" + (" (scanned or image-only?)" if suffix in PDF_SUFFIXES else "")
        )
    return pages


def decode_bytes(data: bytes) -> str:
    """Text from bytes in whatever encoding they are in; binary data is refused, not garbled."""
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractionError("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data[: 4 * 2**20]))
    if not matches:
        raise ExtractionError("binary file (no text encoding fits)")
    best = matches[0]
    # On short texts the detector cannot tell the Latin code pages apart; when Windows-1252
    # (by far the most common legacy encoding) fits about as well, it is the safer guess.
    for match in matches:
        if match.encoding == "cp1252" and match.chaos <= best.chaos + 0.1:
            best = match
    return data.decode(best.encoding, errors="replace")


def clean_text(text: str) -> str:
    """Unify line ends and drop control characters that no reader wants to see or search."""
    return _CONTROL_CHARS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _html_text(html: str) -> str:
    from bs4 import BeautifulSoup
    from bs4.element import PreformattedString

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(_INVISIBLE_HTML):
        tag.decompose()
    for string in soup.find_all(string=True):  # source line breaks are not text structure
        if not isinstance(string, PreformattedString) and string.find_parent("pre") is None:
            string.replace_with(re.sub(r"\s+", " ", string))
    for tag in soup.find_all(_BLOCK_HTML):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    for tag in soup.find_all(_LINE_HTML):
        tag.insert_after("\n")
    for tag in soup.find_all(_CELL_HTML):
        tag.insert_after(" ")
    return _tidy_whitespace(clean_text(soup.get_text()))


def _tidy_whitespace(text: str) -> str:
    lines = (re.sub(r"[ \t\f\v\u00a0]+", " ", line).strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _extract_pdf(path: Path, max_pages: int) -> list[Page]:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("encrypted PDF (needs a password)")
        count = len(reader.pages)
    except ExtractionError:
        raise
    except (FileNotDecryptedError, NotImplementedError) as exc:
        raise ExtractionError(f"encrypted PDF ({exc})") from exc
    except PdfReadError as exc:
        raise ExtractionError(f"corrupt PDF ({exc})") from exc
    except Exception as exc:  # pypdf raises TypeError, AssertionError... on damaged files
        raise ExtractionError(f"corrupt PDF ({type(exc).__name__}: {exc})") from exc
    if count > max_pages:
        raise ExtractionError(f"too many pages ({count} > {max_pages} limit)")
    pages, failures = [], 0
    for number, page in enumerate(reader.pages, start=1):
        try:
            pages.append(Page(number, clean_text(page.extract_text() or "")))
        except Exception:  # one damaged page must not cost the rest of the document
            failures += 1
    if failures == count:
        raise ExtractionError("corrupt PDF (no page could be read)")
    return pages
