"""Text as two PDF extractors agree on it: the visible characters, without whitespace.

pypdf (the stored page text) and pdfium (character positions) read the same characters but not
the same whitespace, line ends or ligatures. Compared folded, a place in one is found in the
other: where a table's text sits in the page text (app.ingest.formats.pdf_tables), where a cited
span is drawn on the page (app.serve.boxes).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# A hyphen after a letter at a line's end: pdfium marks it (U+FFFE or U+0002) and leaves it out
# of the visible text; a dash that opens a list item or follows a space is kept.
_LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])-(?=[ \t\r]*\n)")


@dataclass(frozen=True)
class Folded:
    """Text without whitespace or control characters, NFKC-folded; `where[i]` is the index in
    the original text that folded character `i` came from."""

    text: str
    where: list[int]


def fold(text: str) -> Folded:
    """What both extractors agree on: the visible characters, in reading order, without a
    letter's hyphen at a line's end (pdfium marks such a hyphen and does not show it; the stored
    text has those that split a word joined, app.ingest.formats.text.join_split_words)."""
    chars: list[str] = []
    where: list[int] = []
    hyphens = {found.start() for found in _LINE_END_HYPHEN.finditer(text)}
    for i, ch in enumerate(text):
        if ch == "-" and i in hyphens:
            continue
        for c in unicodedata.normalize("NFKC", ch):
            if not c.isspace() and unicodedata.category(c)[0] != "C":
                chars.append(c)
                where.append(i)
    return Folded("".join(chars), where)
