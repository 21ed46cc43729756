"""Structured text -> page text whose block boundaries the sentence splitter can see.

A heading stands alone followed by a blank line, paragraphs are separated by blank lines, list
items are one per line starting with "- ", and table rows one per line as "| a | b |": the
splitter ends a sentence at each of them, so a heading is never glued to a sentence. Text that
OCR read in a picture is a paragraph too, and `join_marked` says where it landed, so a citation
of the typed text around a picture is not marked as read by OCR.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.ingest.formats.text import clean_text

HEADING, PARAGRAPH, ITEM, ROW = "heading", "paragraph", "item", "row"
PICTURE = "picture"  # a paragraph of text that OCR read in a picture
Spans = tuple[tuple[int, int], ...]
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_OPEN_END = re.compile(r"\s[^\W\d_]+,?$")
_FIRST_WORD = re.compile(r"[^\W\d_]+[\s,;:.]")
_LIST_MARKER = re.compile(r"[^\W\d_]{1,4}[.)]\s")


def join_blocks(blocks: Iterable[tuple[str, str]]) -> str:
    """`(kind, text)` blocks as one page text; consecutive items or rows share a paragraph."""
    return join_marked(blocks)[0]


def join_marked(blocks: Iterable[tuple[str, str]]) -> tuple[str, Spans]:
    """`join_blocks`, and the (start, end) offsets in its text of each PICTURE block."""
    out: list[str] = []
    pictures: list[tuple[int, int]] = []
    length, previous = 0, None
    for kind, raw in blocks:
        text = _tidy(raw, one_line=kind in (HEADING, ITEM, ROW))
        if not text:
            continue
        if kind == ITEM:
            text = "- " + text
        if out:
            separator = "\n" if kind == previous and kind in (ITEM, ROW) else "\n\n"
            if kind == previous == PARAGRAPH and _continues(out[-1], text):
                separator = " "
            out.append(separator)
            length += len(separator)
        if kind == PICTURE:
            pictures.append((length, length + len(text)))
        out.append(text)
        length += len(text)
        previous = kind
    return "".join(out), tuple(pictures)


def _continues(before: str, text: str) -> bool:
    """Whether paragraph `text` goes on with the sentence that paragraph `before` left open: a
    paragraph cut in two mid-sentence, as a document converted from PDF has one at each page
    break ("... before the meeting of" / "creditors, for actual ..."). The first part is prose
    (50 characters or more) whose last word is one of letters, maybe with a comma; the second
    starts with a lower-case word that is no list marker ("b. ", "ii) ")."""
    return (
        bool(_OPEN_END.search(before))
        and len(before) >= 50
        and text[0].islower()
        and bool(_FIRST_WORD.match(text))
        and not _LIST_MARKER.match(text)
    )


def picture_blocks(text: str) -> list[tuple[str, str]]:
    """Text that OCR read in a picture as paragraph blocks (OCR's blank lines end each)."""
    return [(PICTURE, part) for part in text.split("\n\n") if part.strip()]


def row_text(cells: Iterable[str]) -> str:
    """One table row as "| a | b |"; cell text on one line, empty trailing cells dropped."""
    values = [_tidy(c, one_line=True).replace("|", "/") for c in cells]
    while values and not values[-1]:
        values.pop()
    return "| " + " | ".join(values) + " |" if any(values) else ""


def _tidy(text: str, one_line: bool) -> str:
    text = clean_text(text)
    if one_line:
        return _SPACES.sub(" ", text.replace("\n", " ")).strip()
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
