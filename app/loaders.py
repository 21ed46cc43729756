"""Files -> extracted text, one `Page` per PDF page (one page for everything else).

The text stored here is what citations point into: every offset docqa reports is an offset into
`Page.text`, so extraction must be deterministic for a given file.
"""

from __future__ import annotations

import io
import os
import re
import stat
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
_HTML_BEFORE = dict.fromkeys(_BLOCK_HTML, "\n\n")
_HTML_AFTER = {
    **dict.fromkeys(_BLOCK_HTML, "\n\n"),
    **dict.fromkeys(_LINE_HTML, "\n"),
    **dict.fromkeys(_CELL_HTML, " "),
}
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ExtractionError(Exception):
    """A file that cannot be turned into text; the message is shown to the user as the reason."""


class UnreadableFileError(ExtractionError):
    """The file could not be read at all (it vanished, or the disk failed), whatever it holds.

    Unlike other refusals this says nothing about the file's content, so it is not remembered:
    the next ingest tries the file again.
    """


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
        try:
            outcome = _inspect(path, relpath, root, max_bytes)
        except FileNotFoundError:
            continue  # deleted while we were scanning: it is simply not part of the corpus
        if isinstance(outcome, str):
            skipped.append(Skipped(printable_name(relpath), outcome))
        else:
            found.append(CorpusFile(path, relpath, outcome.st_size, outcome.st_mtime_ns))
    return found, skipped


def _walk(root: Path) -> Iterator[Path]:
    """Every visible file, and every visible folder symlink (never entered) so it is reported."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        links = [d for d in dirnames if (Path(dirpath) / d).is_symlink()]
        for name in sorted([*filenames, *links]):
            if not name.startswith("."):
                yield Path(dirpath) / name


def _inspect(path: Path, relpath: str, root: Path, max_bytes: int) -> os.stat_result | str:
    """The file's status if docqa may read it, else the reason it is refused.

    The status is taken once, so a file that changes meanwhile cannot pass one check and fail
    another. Only regular files are read: a FIFO or a device named `x.txt` would block or never
    end.
    """
    if _CONTROL_CHARS.search(relpath) or "\n" in relpath or "\r" in relpath:
        return "file name contains control characters"
    if not _is_utf8(relpath):
        return "file name is not valid UTF-8"
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return "broken symlink"
        if not target.is_relative_to(root):
            return "symlink points outside the corpus"
        if target.is_dir():
            return "symlink to a folder (not followed; its files are read where they are)"
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return f"unsupported file type {path.suffix or '(no extension)'}"
    try:
        status = path.stat()
    except FileNotFoundError:
        raise
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    if not stat.S_ISREG(status.st_mode):
        return "not a regular file (a pipe, socket or device)"
    if status.st_size == 0:
        return "empty file"
    if status.st_size > max_bytes:
        return f"too large ({status.st_size / 2**20:.0f} MiB > {max_bytes / 2**20:.0f} MiB limit)"
    return status


def _is_utf8(name: str) -> bool:
    """False for names whose bytes are not UTF-8 (Python keeps them as lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable_name(relpath: str) -> str:
    """`relpath` with undecodable bytes shown as U+FFFD, so it can be printed and stored."""
    return relpath.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def extract(path: Path, max_pages: int = 5000) -> list[Page]:
    """The pages of one file with their text; raises ExtractionError with a readable reason."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ExtractionError(f"unsupported file type {suffix}")
    try:
        data = path.read_bytes()  # read once: what is hashed, parsed and stored is one version
    except OSError as exc:
        raise UnreadableFileError(f"cannot read: {exc.strerror or exc}") from exc
    if suffix in PDF_SUFFIXES:
        pages = _extract_pdf(data, max_pages)
    elif suffix in HTML_SUFFIXES:
        pages = [Page(None, _html_text(decode_bytes(data)))]
    else:
        pages = [Page(None, clean_text(decode_bytes(data)))]
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
    """The visible text of a page, with blocks as paragraphs and list items as lines.

    One walk over the parsed tree with an explicit stack: no recursion, and no tree edits
    (bs4's insert_before/after cost a walk to the last descendant each, so 10,000 nested
    divs took seconds and 100,000 took minutes).
    """
    from bs4 import BeautifulSoup
    from bs4.element import CData, NavigableString, PreformattedString, Tag

    soup = BeautifulSoup(html, "html.parser")
    pieces: list[str] = []
    in_pre = 0
    stack: list[tuple[Tag | NavigableString, bool]] = [(soup, False)]
    while stack:
        node, closing = stack.pop()
        if isinstance(node, NavigableString):
            # Comments, doctypes and processing instructions are not text; CDATA is, verbatim.
            if not isinstance(node, PreformattedString):
                pieces.append(node if in_pre else re.sub(r"\s+", " ", node))
            elif isinstance(node, CData):
                pieces.append(node)
        elif closing:
            in_pre -= node.name == "pre"
            pieces.append(_HTML_AFTER.get(node.name, ""))
        elif node.name not in _INVISIBLE_HTML:
            in_pre += node.name == "pre"
            pieces.append(_HTML_BEFORE.get(node.name, ""))
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
    return _tidy_whitespace(clean_text("".join(pieces)))


def _tidy_whitespace(text: str) -> str:
    lines = (re.sub(r"[ \t\f\v\u00a0]+", " ", line).strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _extract_pdf(data: bytes, max_pages: int) -> list[Page]:
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
