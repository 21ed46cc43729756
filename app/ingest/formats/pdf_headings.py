"""Headings and paragraphs on a PDF page -> blocks of their own, as a Word file's are.

pypdf gives a heading as one more line above its paragraph, so the sentence splitter glued it
to the paragraph's first sentence ("Vorwort Dieses Skript wurde ..."), and that sentence was
cited with it. Lines set in type clearly larger than the page's body text (HEADING), short
enough to be a title, are set apart by blank lines on one line: a block that
app.ingest.sentences takes for a title and leaves out of the sentences.

pypdf gives no blank line between paragraphs either, where the page shows a gap: a heading in
body type ("1. WHAT ALLERVEEN IS") ran into the sentence under it, a label's line into the
paragraph after it, and a chunk ended wherever its tokens did. A line that starts after a gap
wider than the page's usual space between lines by most of an empty line (PARAGRAPH_GAP)
starts a paragraph (`with_paragraphs`).
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter

from app.ingest.formats.pdf_lines import Line, whole_lines

HEADING = 1.2  # lines set this many times larger than the page's body text...
HEADING_WORDS = 12  # ...in at most this many words in all are a heading
PARAGRAPH_GAP = 0.8  # of the median character height, above the usual gap between lines


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


def with_paragraphs(text: str, lines: list[Line]) -> str:
    """`text` with a blank line before each line of `lines` that starts a paragraph: one set
    below the line before it by a gap wider than the page's usual one (its lower quartile) by
    PARAGRAPH_GAP of a character's height. Lines of letters only count (a list's dash, set
    lower, is a line of its own to pdfium), and a line found once in `text`, as whole lines,
    is all that moves."""
    words = [line for line in lines if any(ch.isalpha() for ch in line.text)]
    gaps = [above.bottom - below.top for above, below in itertools.pairwise(words)]
    spaced = [gap for gap in gaps if gap > 0]
    if not spaced:
        return text
    usual = sorted(spaced)[len(spaced) // 4]  # paragraphs' gaps may be most of a short page's
    wide = usual + PARAGRAPH_GAP * statistics.median(line.height for line in words)
    for gap, line in zip(gaps, words[1:], strict=True):
        place = whole_lines(text, line.text) if gap > wide else None
        if place is None or place.page.text.count(place.key.text) != 1:
            continue
        before = text[: place.start]
        if before.strip() and not before.endswith("\n\n"):
            text = before.rstrip("\n") + "\n\n" + text[place.start :]
    return text
