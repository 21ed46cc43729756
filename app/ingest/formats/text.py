"""Plain text, Markdown, reStructuredText and HTML: decoded whatever their encoding, one page."""

from __future__ import annotations

import re

from app.ingest.errors import ExtractionError
from app.records import Page

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".rst"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES

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
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Typographic ligatures (U+FB00-FB06) as their letters. PDFs set by TeX are full of them, and
# neither keyword search nor the models know that "ﬁ" is "fi": a search for "misfits" found
# nothing in a PDF that says "misﬁts".
LIGATURES = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
)


def read(data: bytes, suffix: str, max_pages: int) -> list[Page]:
    """One page without a number: these formats have no pages."""
    if suffix in HTML_SUFFIXES:
        return [Page(None, html_text(decode_bytes(data)))]
    return [Page(None, clean_text(decode_bytes(data)))]


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


# A hyphen (or soft hyphen) that typesetting put at a line's end to split a word, with the line
# break after it: after a letter, before a letter ("inhabi-\ntants"). Text laid out in lines (PDF
# text layers, OCR) has them; text that wraps itself (HTML, Word) does not.
_SPLIT_WORD = re.compile(r"(?<=[^\W\d_])[-\u00ad][ \t\r]*\n[ \t\r]*(?=[^\W\d_])")


def split_words(text: str) -> list[re.Match[str]]:
    """Each hyphen and line break that splits a word across two lines of `text`.

    Only a lowercase continuation counts: "Anglo-\nSaxon" keeps its hyphen. A compound split at
    its own hyphen ("well-\nknown") loses it, as with every such rule. The page view compares
    the stored text with the PDF's characters without any letter's hyphen at a line's end
    (app.serve.boxes.fold), so a span is found on the page whichever way this rule went."""
    return [m for m in _SPLIT_WORD.finditer(text) if text[m.end()].islower()]


def join_split_words(text: str) -> str:
    """`text` with words split across lines made whole ("inhabi-\ntants" -> "inhabitants"), so
    that search finds the word and the models read it as the word it is."""
    out: list[str] = []
    at = 0
    for split in split_words(text):
        out.append(text[at : split.start()])
        at = split.end()
    out.append(text[at:])
    return "".join(out)


def clean_text(text: str) -> str:
    """Unify line ends, drop control characters that no reader wants to see or search, and
    spell ligatures out."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(LIGATURES)
    return CONTROL_CHARS.sub("", text)


def html_text(html: str) -> str:
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
