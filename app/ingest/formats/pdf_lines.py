"""A PDF page's characters as pdfium places them, grouped into lines and words.

pypdf gives a page's text in reading order but not where anything sits; pdfium gives each
character's box and font size. From those, the lines of a page and the wide gaps in them show
its tables (app.ingest.formats.pdf_tables) and the size of its type shows its headings
(app.ingest.formats.pdf_headings). Both change pypdf's text only where it holds exactly the
characters they found, as whole lines (`whole_lines`).
"""

from __future__ import annotations

import ctypes
import itertools
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.ingest.formats.folding import Folded, fold

GAP = 1.5  # a gap wider than this many of a line's median character heights parts two cells
SMALL = 0.75  # characters set this much smaller than their line's (superscripts) are marks
JUSTIFIED = 1.25  # a line of evenly spaced words, some spaces wide but none wider than
JUSTIFIED_GAP = 3.0  # this many character heights, is justified text: one cell
MAX_CHARS = 20_000  # a page with more characters than this is not read for its layout


@dataclass
class Word:
    left: float
    right: float
    first: int  # index of its first character in the page's `Char` list
    last: int  # ...and of its last
    text: str = ""


@dataclass
class Line:
    """Characters whose vertical centres fall in one band, in the order pdfium read them; or,
    once `pdf_tables` has joined them, the bands of one table row whose cells' text wraps."""

    text: str  # every character of the line, marks too
    first: int  # index of its first character in the page's `Char` list
    top: float  # PDF points from the page's foot
    bottom: float
    height: float  # median character height
    words: list[Word] = field(default_factory=list)
    cell_words: list[int] = field(default_factory=list)  # words of each run of them with no
    # gap wider than GAP inside: the line's cells
    cell_edges: list[tuple[float, float]] = field(default_factory=list)  # where each of
    # those starts and ends
    size: float = 0.0  # median font size

    @property
    def cells(self) -> int:
        return len(self.cell_words)

    @property
    def is_marks(self) -> bool:
        """A line of superscripts alone (footnote marks set between two rows)."""
        return not self.words


@dataclass
class Char:
    """One visible character: its box in PDF points and its font size."""

    text: str
    left: float
    bottom: float
    right: float
    top: float
    size: float
    space_before: bool  # a space (typed, or one pdfium put where words part) comes before it
    typed_spaces: int = 0  # ...of which this many were in the document's own text


def page_lines(textpage: object) -> list[Line]:
    """The lines of the page `textpage` reads; none on a page of more than MAX_CHARS."""
    chars = list(_characters(textpage))
    return [] if len(chars) > MAX_CHARS else _lines(chars)


@dataclass(frozen=True)
class Place:
    """Where some of pdfium's characters sit in pypdf's text: the whole lines `start`..`end`
    hold exactly them; `key` and `page` are both folded, `at` is where `key` starts in `page`."""

    start: int
    end: int
    key: Folded
    page: Folded
    at: int


def whole_lines(text: str, characters: str) -> Place | None:
    """Where in `text` whole lines hold exactly `characters` (folded: whitespace and ligatures
    aside), or None."""
    key, page = fold(characters), fold(text)
    at = page.text.find(key.text) if key.text else -1
    if at < 0:
        return None
    start = text.rfind("\n", 0, page.where[at]) + 1
    end = text.find("\n", page.where[at + len(key.text) - 1])
    end = len(text) if end < 0 else end
    if fold(text[start:end]).text != key.text:
        return None  # the lines hold other text too
    return Place(start, end, key, page, at)


def _characters(textpage: object) -> Iterable[Char]:
    """pdfium's visible characters with their boxes and font sizes, and the spaces before
    each."""
    import pypdfium2.raw as pdfium_c

    raw = textpage.raw  # type: ignore[attr-defined]
    count = pdfium_c.FPDFText_CountChars(raw)
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    space, typed = False, 0
    for index in range(max(count, 0)):
        code = pdfium_c.FPDFText_GetUnicode(raw, index)
        text = chr(code) if 0 < code < 0x110000 else ""
        if not text or text.isspace() or text == "\ufffe" or text == "\x02":
            space = space or text.isspace()
            typed += text == " " and pdfium_c.FPDFText_IsGenerated(raw, index) == 0
            continue
        if not pdfium_c.FPDFText_GetCharBox(
            raw, index, ctypes.byref(left), ctypes.byref(right), ctypes.byref(bottom),
            ctypes.byref(top),
        ):  # fmt: skip
            continue
        size = pdfium_c.FPDFText_GetFontSize(raw, index)
        yield Char(text, left.value, bottom.value, right.value, top.value, size, space, typed)
        space, typed = False, 0


def _lines(chars: list[Char]) -> list[Line]:
    """Characters grouped into lines: a new line starts where a letter's or digit's vertical
    centre leaves the band of the line so far, or a mark's whole box does (pdfium starts a line
    at a superscript although its row goes on after it)."""
    bands: list[list[int]] = []
    bottom = top = 0.0  # the band of the line so far
    for at, char in enumerate(chars):
        middle = (char.bottom + char.top) / 2
        low, high = (middle, middle) if char.text.isalnum() else (char.bottom, char.top)
        if bands and bottom <= high and low <= top:
            bands[-1].append(at)
            bottom, top = min(bottom, char.bottom), max(top, char.top)
        else:
            bands.append([at])
            bottom, top = char.bottom, char.top
    return [_line(chars, band[0], band[-1] + 1) for band in bands]


def _line(chars: list[Char], first: int, stop: int) -> Line:
    """The line of `chars[first:stop]` and its words. Superscripts (SMALL) and leader dots are
    left out of them. A space parts two words; a gap of more than GAP median character heights
    parts two words and two cells."""
    size = statistics.median(c.size for c in chars[first:stop])
    body = [i for i in range(first, stop) if not _is_mark(chars[i], size)]
    letters = [i for i in body if chars[i].text.isalnum()] or body  # not leader dots
    heights = [chars[i].top - chars[i].bottom for i in letters] or [0.0]
    line = Line(
        "".join(c.text for c in chars[first:stop]),
        first,
        max(c.top for c in chars[first:stop]),
        min(c.bottom for c in chars[first:stop]),
        statistics.median(heights) or 1.0,
        size=size,
    )
    previous: Char | None = None
    for at in body:
        char = chars[at]
        gap = char.left - previous.right if previous else float("inf")
        stretched = char.typed_spaces == 1 and gap <= JUSTIFIED_GAP * line.height
        wide = gap > GAP * line.height and not stretched  # one typed space, stretched as a
        # justified line stretches it, parts two words (a Word table may end a cell with one)
        if wide or char.space_before:
            line.words.append(Word(char.left, char.right, at, at))
            if wide:
                line.cell_words.append(0)
                line.cell_edges.append((char.left, char.right))
            line.cell_words[-1] += 1
        word = line.words[-1]
        word.text += char.text
        word.left, word.right = min(word.left, char.left), max(word.right, char.right)
        word.last = at
        line.cell_edges[-1] = (line.cell_edges[-1][0], max(line.cell_edges[-1][1], char.right))
        previous = char
    line.words = [word for word in line.words if word.text.strip(".\u2026\u00b7")]
    gaps = [b.left - a.right for a, b in itertools.pairwise(line.words)]
    even = len(gaps) >= 2 and JUSTIFIED * min(gaps) >= max(gaps)
    if even and line.cells > 1 and max(gaps) <= JUSTIFIED_GAP * line.height:
        justified = (line.cell_edges[0][0], line.cell_edges[-1][1])
        line.cell_words, line.cell_edges = [len(line.words)], [justified]
    return line


def _is_mark(char: Char, size: float) -> bool:
    """A superscript letter or digit: a footnote mark, not part of the cell's value."""
    return char.text.isalnum() and char.size < SMALL * size
