"""Chunk text -> sentence boundaries, found once at ingest and stored with the chunk.

Answers are cited inside their sentence, so every answer needs the sentences of the passages it
cites. Finding them at ingest, with rules rather than a parser, keeps spaCy out of the answer
path (its segmenter cost 10 ms of every answer) and costs ingest about 50 µs a chunk.

The rules: a blank line, a Markdown heading, a list item or a table row ends a sentence whatever
its punctuation, so a heading is never glued to the sentence below it, and headings themselves
are left out (they share the question's words but state nothing). Inside such a
block, a sentence ends at `.`, `!` or `?` (and their CJK forms), after any closing quotes or
brackets, where the next word starts a sentence, unless the full stop ends an abbreviation or
an initial. On the first 1,500 SQuAD dev paragraphs (training split) these rules agree with
spaCy's parser on 98.1% of the sentence ends, its own segmenter on 97.9% (BENCHMARKS.md).
"""

from __future__ import annotations

import dataclasses
import re

from app.ingest.chunking import LINE_ITEM, is_title, trim_span
from app.records import Chunk

# A block of text that no sentence may cross: up to a blank line, or one line that is a
# Markdown heading, list item or table row.
BLOCK = re.compile(rf"(?m)^{LINE_ITEM}[^\n]*|[^\n]+(?:\n(?!\s*\n|{LINE_ITEM})[^\n]+)*")

# A possible end: terminal punctuation and any closing quotes or brackets, then white space,
# then what may open a sentence (a capital, a digit, an opening quote or bracket).
_END = re.compile(
    r"(?:[.!?]+|…)[\"'”’»)\]]*(?:\[[^\]\n]{1,30}\]|:\d+(?:[–-]\d+)?)*"  # Wikipedia's [12], :33
    r"(?=\s+[\"'“‘«(\[]*[A-Z0-9À-ÖØ-ÞĀ-ſ])|[。！？]+[」』”’）]*"
)
# Words that a full stop follows without ending the sentence: titles, Latin and reference
# abbreviations, months. "etc." and "Inc." often do end one, so they are not listed.
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt ft ave gen col lt sgt capt cmdr adm rev gov sen rep pres
    hon messrs mme mlle e.g i.e cf viz vs al approx c ca dept univ assn bros jan feb mar apr jun
    jul aug sep sept oct nov dec u.s u.k u.n e.u a.m p.m ph.d b.a m.a b.sc m.sc d.c""".split()
)
# ... and words that do so only before a number: "No. 5", "p. 12", "Fig. 3".
_NUMBERED = frozenset("no nos p pp vol vols fig figs eq eqs ch sec art op ed".split())
_WORD_BEFORE = re.compile(r"([\w.]+)\.$")
_INITIALS = re.compile(r"(?:[A-Z]\.)*[A-Z]")  # "J", "H.W"


def with_sentences(chunk: Chunk) -> Chunk:
    """`chunk` with its sentences, in page offsets, as the index stores them."""
    return dataclasses.replace(chunk, sentences=sentence_spans(chunk.text, chunk.start))


def sentence_spans(text: str, offset: int = 0) -> tuple[tuple[int, int], ...]:
    """(start, end) offsets of the sentences of `text`, plus `offset`, in order and trimmed of
    white space; headings are left out."""
    spans: list[tuple[int, int]] = []
    for block in BLOCK.finditer(text):
        if is_title(block.group()):
            continue
        start = block.start()
        for end in _ends(text, block.start(), block.end()):
            span = trim_span(text, start, end)
            if span[1] - span[0] >= 2:
                spans.append((offset + span[0], offset + span[1]))
            start = end
    return tuple(spans)


def _ends(text: str, lo: int, hi: int) -> list[int]:
    """Where the sentences of text[lo:hi] end; the last at `hi`."""
    ends = [m.end() for m in _END.finditer(text, lo, hi) if not _continues(text, m.start())]
    if not ends or ends[-1] < hi:
        ends.append(hi)
    return ends


def _continues(text: str, stop: int) -> bool:
    """Whether the full stop at `stop` belongs to an abbreviation or an initial, not an end."""
    if text[stop] != ".":
        return False
    if text.startswith("..", stop):  # an ellipsis before a number counts on: "1... 2... 3"
        return not text[stop:].lstrip(".\"'”’ ")[:1].isupper()
    before = _WORD_BEFORE.search(text, max(0, stop - 12), stop + 1)
    if before is None:
        return False
    word = before.group(1)
    if _INITIALS.fullmatch(word):  # "J. R. R. Tolkien", "H.W. Wembly"
        return True
    if word.lower() in _NUMBERED:
        return text[stop + 1 : stop + 3].strip()[:1].isdigit()
    return word.lower() in _ABBREVIATIONS
