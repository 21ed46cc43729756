"""Where on a PDF page a span of the stored page text is drawn: boxes in PDF points, or None.

The stored text came from pypdf, the character positions come from pdfium: the two extractors
agree on the characters but not on the whitespace and line ends between them, and sometimes not
on ligatures. So both texts are compared without whitespace and NFKC-folded, the span is carried
across, and the boxes pdfium gives for that character range are read back with pdfium's own
`get_text_bounded`. Only boxes whose text reads back as the span are ever returned: a span that
cannot be located, or whose boxes would hold other text, gives None and the page is shown plain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from app.ingest.formats.folding import Folded, fold

# SequenceMatcher is quadratic in the worst case: above this many characters per page the span
# is only located by a unique exact occurrence of its sentence.
MAX_ALIGN_CHARS = 20_000
_SENTENCE_END = re.compile(r"[.!?]['\")\]]*\s|\n\s*\n")


@dataclass(frozen=True)
class Box:
    """A rectangle on the page in PDF points, origin at the bottom left (pdfium's convention)."""

    left: float
    bottom: float
    right: float
    top: float

    def as_list(self) -> list[float]:
        return [round(v, 3) for v in (self.left, self.bottom, self.right, self.top)]


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence that holds `text[start:end]`: back to the previous sentence end or
    paragraph break, on to the next one. A rough rule, used only to shade, never to box."""
    begin = 0
    for found in _SENTENCE_END.finditer(text, 0, start):
        begin = found.end()
    after = _SENTENCE_END.search(text, end)
    finish = after.start() + 1 if after else len(text)
    return begin, max(finish, end)


def map_span(stored: str, pdf_text: str, start: int, end: int) -> tuple[int, int] | None:
    """Indexes `(first, last + 1)` of pdfium's characters that show `stored[start:end]`, or None
    when they cannot be told for sure."""
    a, b = fold(stored), fold(pdf_text)
    lo, hi = _folded_range(a, start, end)
    if lo >= hi:
        return None
    # Cheapest first: the same text at the same place, then a sentence found once, then an
    # alignment of the pages (quadratic at worst), which tells apart a sentence said twice.
    found = (
        _outside_the_difference(a.text, b.text, lo, hi)
        or _unique_occurrence(a, b, stored, start, end, lo, hi)
        or _aligned(a.text, b.text, lo, hi)
    )
    if found is None:
        return None
    first, last = found
    return b.where[first], b.where[last - 1] + 1


def _outside_the_difference(a: str, b: str, lo: int, hi: int) -> tuple[int, int] | None:
    """`a[lo:hi]` carried into `b` when it lies in the two texts' common start or common end,
    as it does on a page that differs only by a running head or a page number the stored text
    left out (app.ingest.formats.running_lines)."""
    same = min(len(a), len(b))
    prefix = next((i for i in range(same) if a[i] != b[i]), same)
    if hi <= prefix:
        return lo, hi
    shift = len(b) - len(a)
    suffix = next(
        (i for i in range(same - prefix) if a[len(a) - 1 - i] != b[len(b) - 1 - i]), same - prefix
    )
    if lo >= len(a) - suffix:
        return lo + shift, hi + shift
    return None


def _folded_range(a: Folded, start: int, end: int) -> tuple[int, int]:
    """The folded characters that came from `[start, end)` of the original text."""
    lo = next((i for i, w in enumerate(a.where) if w >= start), len(a.where))
    hi = next((i for i in range(lo, len(a.where)) if a.where[i] >= end), len(a.where))
    return lo, hi


def _aligned(a: str, b: str, lo: int, hi: int) -> tuple[int, int] | None:
    """`a[lo:hi]` carried into `b` through one matching block of a character alignment."""
    if len(a) > MAX_ALIGN_CHARS or len(b) > MAX_ALIGN_CHARS:
        return None
    for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        if block.a <= lo and hi <= block.a + block.size:
            shift = block.b - block.a
            return lo + shift, hi + shift
    return None


def _unique_occurrence(
    a: Folded, b: Folded, stored: str, start: int, end: int, lo: int, hi: int
) -> tuple[int, int] | None:
    """The span inside its sentence, when that sentence occurs exactly once in `b`."""
    s_lo, s_hi = _folded_range(a, *sentence_bounds(stored, start, end))
    sentence = a.text[s_lo:s_hi]
    at = b.text.find(sentence)
    if not sentence or at < 0 or b.text.find(sentence, at + 1) >= 0:
        return None
    return at + lo - s_lo, at + hi - s_lo


def line_boxes(textpage: Any, first: int, stop: int) -> list[Box]:
    """pdfium's rectangles (one per line run) for characters `first..stop-1`."""
    count = textpage.count_rects(first, stop - first)
    return [Box(*textpage.get_rect(i)) for i in range(max(count, 0))]


def read_back(textpage: Any, boxes: list[Box]) -> str:
    """The text pdfium finds inside `boxes`, in their order, a line each."""
    return "\n".join(textpage.get_text_bounded(b.left, b.bottom, b.right, b.top) for b in boxes)


def locate(textpage: Any, stored: str, start: int, end: int) -> list[Box] | None:
    """Boxes that hold exactly `stored[start:end]` on this page, or None."""
    wanted = fold(stored[start:end]).text
    count = textpage.count_chars()
    if not wanted or count <= 0:
        return None
    pdf_text = page_characters(textpage, count)
    span = map_span(stored, pdf_text, start, end)
    if span is None:
        return None
    boxes = line_boxes(textpage, *span)
    if not boxes or fold(read_back(textpage, boxes)).text != wanted:
        return None
    return boxes


def page_characters(textpage: Any, count: int) -> str:
    """pdfium's characters one for one with its character indexes (unlike `get_text_range`,
    which may drop or insert some), so an index found in this text is a pdfium index."""
    import pypdfium2.raw as pdfium_c

    return "".join(
        chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i) or 0xFFFD) for i in range(count)
    )
