"""Running heads, running feet and page numbers: the lines a paged document repeats at the top
and bottom of its pages, dropped from the page text.

They are layout, not content. Left in, a book's "THE SIEGE OF VICKSBURG. 49" sits between the
two halves of the sentence that runs across the page break, is found by every search for the
book's title and is cited as part of an answer. A line is running when it is one of the first or
last `EDGE_LINES` lines of its page and is also at an edge of `MIN_NEIGHBOURS` of the pages up to
`REACH` before or after it (books alternate a left and a right head):
- the same words, and the same numbers but one (the page number: a table's rows at the
  pages' edges differ in several); a short line may differ by a misread letter or two
  (`SIMILAR`), as OCR's heads do, but a long one, most likely a sentence, must be the same;
- or, for a line that is only a number, the numbers of a page sequence: each neighbour's is
  larger by as many pages as it is further on (a year that ends a paragraph is not).
A page whose every line is running keeps them all: they are then its content, not a frame
around it. Pages are only compared with their neighbours: a document of thousands of pages
costs a few comparisons a page.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from app.records import Page

EDGE_LINES = 2  # lines at each end of a page where running lines are looked for
REACH = 4  # pages on each side a running line is looked for on
MIN_NEIGHBOURS = 2  # ...and must be found on
SIMILAR = 0.85  # difflib ratio of two short lines' words that counts as the same line
SHORT = 48  # characters of words: lines up to this long may match by SIMILAR
_NUMBER_ONLY = re.compile(r"\W*(\d{1,5})\W*")
_NUMBERS = re.compile(r"\d+|\b[ivxlcdm]+\b")
_NOT_WORDS = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class _Edge:
    """An edge line as it is compared: its words without numbers, or its page number."""

    words: str
    number: int | None  # the line is only this number
    numbers: tuple[str, ...] = ()  # the numbers in it, in order


def without_running_lines(pages: list[Page]) -> list[Page]:
    """`pages` with their running heads, feet and page numbers left out."""
    lines = [page.text.split("\n") for page in pages]
    at_edges = [_edge_indexes(page_lines) for page_lines in lines]
    edges = [[_edge(lines[p][i]) for i in at_edges[p]] for p in range(len(pages))]
    out = []
    for at, page in enumerate(pages):
        near = range(max(0, at - REACH), min(len(pages), at + REACH + 1))
        running = {
            i
            for i, edge in zip(at_edges[at], edges[at], strict=True)
            if sum(
                any(_same(edge, e, other - at) for e in edges[other])
                for other in near
                if other != at
            )
            >= MIN_NEIGHBOURS
        }
        kept = "\n".join(line for i, line in enumerate(lines[at]) if i not in running)
        # A page of nothing but such lines ("Potato 3" on each page of a test file, a slide
        # title alone) has no body for them to run beside: it keeps them as its content.
        if running and kept.strip():
            page = dataclasses.replace(page, text=kept.strip("\n"))
        out.append(page)
    return out


def _edge_indexes(lines: list[str]) -> list[int]:
    """Which of a page's `lines` are its first and last `EDGE_LINES` lines with text (the same
    words inside the page are content)."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if len(filled) <= 2 * EDGE_LINES:
        return filled
    return filled[:EDGE_LINES] + filled[-EDGE_LINES:]


def _edge(line: str) -> _Edge:
    """A line as it is compared: its words, and apart from them its numbers."""
    number = _NUMBER_ONLY.fullmatch(line)
    words = " ".join(_NOT_WORDS.sub(" ", _NUMBERS.sub(" ", line.lower())).split())
    numbers = tuple(_NUMBERS.findall(line.lower()))
    return _Edge(words, int(number.group(1)) if number else None, numbers)


def _same(mine: _Edge, theirs: _Edge, pages_on: int) -> bool:
    """Whether `theirs`, at the edge of the page `pages_on` pages after mine, repeats my line."""
    if mine.number is not None:
        return theirs.number == mine.number + pages_on
    if not mine.words or not theirs.words:
        return False
    if _numbers_differ(mine, theirs) > 1:
        return False  # rows of a table at the pages' edges ("S-001 Well 1 1.5 2024-03-02")
    if mine.words == theirs.words:
        return True
    if max(len(mine.words), len(theirs.words)) > SHORT:
        return False
    m = SequenceMatcher(None, mine.words, theirs.words, autojunk=False)
    return all(ratio() >= SIMILAR for ratio in (m.real_quick_ratio, m.quick_ratio, m.ratio))


def _numbers_differ(mine: _Edge, theirs: _Edge) -> int:
    """How many numbers two lines do not share, place by place: a running line's page number
    and nothing else, as the section in "26 2.1. TOPOLOGISCHE MANNIGFALTIGKEITEN" stays; a
    table's rows differ in several."""
    shared = sum(a == b for a, b in zip(mine.numbers, theirs.numbers, strict=False))
    return max(len(mine.numbers), len(theirs.numbers)) - shared
