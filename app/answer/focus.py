"""Passage -> the part of it the reader reads: the run of sentences around the sentence that
holds most of the question's information, within a budget of tokens (READ_TOKENS in
app.answer.answering).

The reader's time grows with every token it reads, and it is most of an answer's time. The
answer nearly always stands in, or beside, the sentence that shares most of the question's
words, so the reader reads that sentence and grows the run by whichever neighbour shares more,
until the next one would pass the budget. A passage within the budget is read whole.
"""

from __future__ import annotations

import itertools

from app.answer.overlap import overlap
from app.ingest.chunking import tiktoken_encoding
from app.ingest.sentences import sentence_spans
from app.records import Passage


def focus(passage: Passage, idf: dict[str, float], budget: int | None) -> tuple[int, int]:
    """Offsets in `passage.text` of the part to read, at most `budget` tiktoken tokens. All of
    it when it fits, when there is no budget (None), when the question has no word to look for
    (`idf`, from `query_idf`, is empty), and when the passage holds none of them (found by its
    meaning alone: 0.7% of the top five passages on SciFact and on SQuAD), since nothing then
    says where to look."""
    whole = (0, len(passage.text))
    if budget is None or not idf:
        return whole
    pieces = _pieces(passage)
    texts = [passage.text[start:end] for start, end in pieces]
    # One call a piece: the batch call hands each call to a thread pool (1.6 ms a passage)
    counts = [len(tiktoken_encoding().encode_ordinary(text)) for text in texts]
    if sum(counts) <= budget:
        return whole
    shares = [overlap(idf, text) for text in texts]
    if max(shares) == 0.0:
        return whole
    first = last = max(range(len(pieces)), key=lambda i: (shares[i], -i))
    used = counts[first]
    while True:
        growing = [i for i in (first - 1, last + 1) if 0 <= i < len(pieces)]
        growing = [i for i in growing if used + counts[i] <= budget]
        if not growing:
            return pieces[first][0], pieces[last][1]
        step = max(growing, key=lambda i: (shares[i], i > last))
        used += counts[step]
        first, last = min(first, step), max(last, step)


def _pieces(passage: Passage) -> list[tuple[int, int]]:
    """The passage cut at its sentences' edges into pieces that cover all of it (a heading or a
    table between two sentences, which is no sentence, is a piece of its own), as offsets in
    its text."""
    text = passage.text
    spans = passage.sentences
    if spans is None:  # an index from before sentences were stored
        spans = sentence_spans(text, passage.start)
    cuts = {0, len(text)}
    for start, end in spans:
        cuts.update(min(len(text), max(0, at - passage.start)) for at in (start, end))
    ordered = sorted(cuts)
    return [(a, b) for a, b in itertools.pairwise(ordered) if text[a:b].strip()]
