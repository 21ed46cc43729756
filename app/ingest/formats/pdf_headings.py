"""Headings on a PDF page -> blocks of their own, as a Word file's headings are.

pypdf gives a heading as one more line above its paragraph, so the sentence splitter glued it
to the paragraph's first sentence ("Vorwort Dieses Skript wurde ..."), and that sentence was
cited with it. Lines set in type clearly larger than the page's body text (HEADING), short
enough to be a title, are set apart by blank lines on one line: a block that
app.ingest.sentences takes for a title and leaves out of the sentences.
"""

from __future__ import annotations

import itertools
from collections import Counter

from app.ingest.formats.pdf_lines import Line, whole_lines

HEADING = 1.2  # lines set this many times larger than the page's body text...
HEADING_WORDS = 12  # ...in at most this many words in all are a heading


def with_headings(text: str, lines: list[Line]) -> str:
    """`text` (pypdf's text of a page) with the headings among its `lines`
    (`pdf_lines.page_lines`) as blocks of their own, on one line: a run of lines in one large
    size holding at most HEADING_WORDS words in all (more is a quotation or a lead paragraph)."""
    body = _body_size(lines)
    for size, group in itertools.groupby(lines, key=lambda line: _large_size(line, body)):
        run = list(group)
        words = sum(len(line.words) for line in run)
        letters = sum(ch.isalpha() for line in run for ch in line.text)
        if not size or words > HEADING_WORDS or letters < 2:
            continue
        place = whole_lines(text, "".join(line.text for line in run))
        if place is not None:
            before, after = text[: place.start].rstrip("\n"), text[place.end :].lstrip("\n")
            heading = " ".join(text[place.start : place.end].split())
            text = "\n\n".join(part for part in (before, heading, after) if part)
    return text


def _body_size(lines: list[Line]) -> float:
    """The font size most of the page's characters are set in."""
    sizes = Counter[float]()
    for line in lines:
        sizes[round(line.size, 1)] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _large_size(line: Line, body: float) -> float:
    """The line's font size if it is a heading's, else 0: a chapter's title and the section's
    below it, in two sizes, are two headings."""
    large = body > 0 and line.size >= HEADING * body and bool(line.words)
    return round(line.size, 1) if large else 0.0
