"""Plain text, Markdown, reStructuredText and HTML: decoded whatever their encoding, one page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
    from app.ingest.formats.text_tables import text_tables  # it needs this module's clean_text

    if suffix in HTML_SUFFIXES:
        return [Page(None, html_text(decode_bytes(data)))]
    text = clean_text(decode_bytes(data))
    return [Page(None, text_tables(markdown_text(text) if suffix in MARKDOWN_SUFFIXES else text))]


# Markdown's marks within a line, as the text reads without them: "**Venue:** Community Room" is
# "Venue: Community Room", "`--dpi`" is "--dpi", "[the guide](https://x.example)" is "the guide
# (https://x.example)". The reader was trained on prose, and a label or a term is found by its
# words. Headings' "#" marks stay: they tell the chunker what a heading is. Each span is at most
# a line's 200 characters, so a line of unclosed marks costs linear time.
_MARKDOWN_MARKS = (
    (re.compile(r"!\[([^\]\n]{0,200})\]\([^)\s]{1,500}\)"), r"\1"),  # an image: its description
    (re.compile(r"\[([^\]\n]{1,200})\]\(([^)\s]{1,500})\)"), r"\1 (\2)"),
    (re.compile(r"\*\*(?=\S)([^\n]{0,200}?\S)\*\*"), r"\1"),
    (re.compile(r"(?<!\w)__(?=\S)([^\n]{0,200}?\S)__(?!\w)"), r"\1"),
    (re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]{0,200}?[^\s*])\*(?![\w*])"), r"\1"),
    (re.compile(r"`([^`\n]{1,200})`"), r"\1"),
)
MARKDOWN_SUFFIXES = {".md", ".markdown"}


def markdown_text(text: str) -> str:
    """`text` without Markdown's marks within its lines (_MARKDOWN_MARKS)."""
    for mark, plain in _MARKDOWN_MARKS:
        text = mark.sub(plain, text)
    return text


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
    """The visible text of a page, with blocks as paragraphs, list items as lines and data
    tables as rows named by their headers (`_HtmlTable`), as a Word table's are.

    One walk over the parsed tree with an explicit stack: no recursion, and no tree edits
    (bs4's insert_before/after cost a walk to the last descendant each, so 10,000 nested
    divs took seconds and 100,000 took minutes).
    """
    from bs4 import BeautifulSoup
    from bs4.element import CData, NavigableString, PreformattedString, Tag

    soup = BeautifulSoup(html, "html.parser")
    pieces: list[str] = []
    tables: list[_HtmlTable] = []  # the tables open at this point of the walk, innermost last
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
            pieces.append(
                _term_end(pieces) if node.name == "dt" else _HTML_AFTER.get(node.name, "")
            )
            if tables:
                _close_in_table(node.name, tables, pieces)
        elif node.name not in _INVISIBLE_HTML:
            in_pre += node.name == "pre"
            if node.name == "table":
                if tables:
                    tables[-1].holds_table = True
                tables.append(_HtmlTable(start=len(pieces)))
            elif tables:
                _open_in_table(node.name, tables[-1], pieces)
            pieces.append(_HTML_BEFORE.get(node.name, ""))
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
    return _tidy_whitespace(clean_text("".join(pieces)))


LABEL_TERM_WORDS = 8  # a longer term of a definition list is a heading or a sentence, no label


def _term_end(pieces: list[str]) -> str:
    """What ends a definition list's term: a colon where the term is a label, so that
    "<dt>Check-in</dt><dd>from 3pm</dd>" reads as the label line "Check-in: from 3pm" that a
    form would write; a line break after a question or a sentence (an FAQ's "Do I need my
    receipt?"), as before, and after a term that ends with its own colon, a space."""
    written = "".join(pieces[-4:]).rstrip()
    if written.endswith(":"):
        return " "
    label = written.rpartition("\n")[2]
    if not label or label.endswith(("?", "!", ".")) or len(label.split()) > LABEL_TERM_WORDS:
        return "\n"
    return ": "


# A table of data, as opposed to one that lays a page out (e-mails and old sites put their
# paragraphs in table cells): rows of at least two cells, none longer than a short sentence,
# and no table inside. Its rows then read as a Word table's do ("| Item: Tent | Qty: 2 |"), so
# a question finds the cell its words name (app.answer.tables); before, a row's cells ran
# together as one line of words.
TABLE_CELL_WORDS = 30


@dataclass
class _HtmlTable:
    start: int  # where the table's text starts in the pieces of the page
    rows: list[list[str]] = field(default_factory=list)
    rows_start: int | None = None  # where its first row starts (a caption comes before it)
    cell_start: int | None = None
    holds_table: bool = False
    cell_tags: list[list[str]] = field(default_factory=list)  # "td" or "th" of each cell

    def has_header(self) -> bool:
        """Whether its first row is of header cells (`<th>`) and no other row is."""
        heads = [all(tag == "th" for tag in tags) for tags in self.cell_tags if tags]
        return bool(heads) and heads[0] and not any(heads[1:])

    def has_row_headers(self) -> bool:
        """Whether each row is named by its first cell (`<th>`) alone: a table of labels and
        their values ("| Total paid | £486.00 |"), with no header row over its columns."""
        rows = [tags for tags in self.cell_tags if tags]
        return bool(rows) and all(tags[0] == "th" and "td" in tags for tags in rows)

    def is_data(self) -> bool:
        wide = [row for row in self.rows if sum(map(bool, row)) >= 2]
        return (
            not self.holds_table
            and len(wide) >= 2
            and len(wide) * 2 >= len([row for row in self.rows if any(row)])
            and all(len(cell.split()) <= TABLE_CELL_WORDS for row in self.rows for cell in row)
        )


def _open_in_table(name: str, table: _HtmlTable, pieces: list[str]) -> None:
    if name == "tr":
        table.rows_start = len(pieces) if table.rows_start is None else table.rows_start
        table.rows.append([])
        table.cell_tags.append([])
    elif name in _CELL_HTML:
        table.cell_start = len(pieces)
        if not table.rows:  # a cell outside any <tr>, which browsers put in a row of its own
            table.rows_start = len(pieces)
            table.rows.append([])
            table.cell_tags.append([])
        table.cell_tags[-1].append(name)


def _close_in_table(name: str, tables: list[_HtmlTable], pieces: list[str]) -> None:
    """Keep a cell's text, or write a data table's rows in place of its text."""
    # imported here: layout, which headers needs too, imports this module
    from app.ingest.formats.headers import table_blocks, under_header
    from app.ingest.formats.layout import row_text

    table = tables[-1]
    if name in _CELL_HTML and table.cell_start is not None:
        table.rows[-1].append(" ".join("".join(pieces[table.cell_start :]).split()))
        table.cell_start = None
    elif name == "table":
        tables.pop()
        if table.is_data():
            caption = "".join(pieces[table.start : table.rows_start])
            rows = [row for row in table.rows if any(row)]
            if table.has_row_headers():
                lines = [row_text(row) for row in rows]
            elif table.has_header():
                lines = under_header(rows)
            else:
                lines = [line for _, line in table_blocks(rows)]
            pieces[table.start :] = ["\n\n", caption, "\n\n", "\n".join(lines), "\n\n"]


def _tidy_whitespace(text: str) -> str:
    lines = (re.sub(r"[ \t\f\v\u00a0]+", " ", line).strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
