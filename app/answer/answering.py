"""Passages -> an extractive answer: the span a trained reader marks, its sentence, citations.

No model here writes text. The reader (app.models.reader) scores every span of the top passages
as the answer and gives each window a "no answer" score; each candidate span is ranked by the
reader's margin over "no answer" together with its passage's retrieval rank and the question's
words beside it, and the best one is returned verbatim, inside the sentence that holds it (a
question asked yes or no gets that sentence whole, one asking how to do something its list of
steps, one naming a form's field, a defined term or a listed thing that field's value, the name
defined or the list item: `with_named_span`). A question that says things about the asker
no passage holds is read again without them when the reader is unsure (app.answer.asker). The
confidence, the probability that the documents answer the question, and the abstention below
its threshold are app.answer.calibration's. (app.answer.heuristic, the sentence ranking before
the reader, is its baseline.) Every offset points into the page text stored in the index.
"""

from __future__ import annotations

import dataclasses
from typing import Protocol

from app.answer import asker, calibration, cells, follow_ups, shapes, tables
from app.answer.candidates import Candidate, candidate_features
from app.answer.citing import distinct, sentence_around, statements
from app.answer.compounds import spelled_as_indexed
from app.answer.definitions import definition_for
from app.answer.file_names import kind_words, named_sources
from app.answer.focus import focus
from app.answer.label_lines import Cell
from app.answer.overlap import query_idf
from app.answer.quantities import quantity_for
from app.answer.retrieval import search, without_copies
from app.answer.sentences import (
    cite,
    passage_sentences,
    with_antecedent,
)
from app.answer.steps import steps_for
from app.answer.words import content_words
from app.models.embedder import Embedder
from app.records import Answer, Citation, Passage, Span
from app.store.folder import IndexReader

NO_ANSWER = "No answer in the documents. The closest passages are shown below."

PASSAGES_READ = 5  # passages the reader reads (BENCHMARKS.md: more cost time, add nothing)
# Retrieval looks this many times deeper for passages whose text is not a copy of a better one's.
COPIES_DEPTH = 3
# The reader reads the best-ranked READ_FIRST passages first, and the rest of the PASSAGES_READ
# only when the best answer there is neither sure (confidence >= SETTLED_ABOVE) nor hopeless
# (< SETTLED_BELOW): reading on rarely changes such an answer (chosen on the validation split,
# `scripts/eval_answers.py --fit`, BENCHMARKS.md), and the reader is most of an answer's time.
# Fitted with the reader of stop 49 (MODEL_CARD.md): it reads 3.51 of the 5 on validation.
READ_FIRST = 3
SETTLED_ABOVE = 0.9
SETTLED_BELOW = 0.05
# Of each passage the reader reads the sentences around the question's words, at most this
# many tiktoken tokens (app.answer.focus; None: all of it). From 192 down to 96 the validation
# split's F1 stayed within its noise of reading all; below 160 demo questions of the bundled
# corpus lost their answers (BENCHMARKS.md, "reading less of each passage").
READ_TOKENS: int | None = 160
CITATIONS = 3
SNIPPET_CHARS = 220  # context shown on each side of the answering sentence
SPANS_PER_PASSAGE = 5
# The reader proposes this many times more, for spans that are no answer (`shapes.answer_span`):
# a passage whose five best spans all lay in headings or over blank lines gave no candidate.
SPANS_PROPOSED = 3
# A candidate's rank: the reader's margin over "no answer", plus this weight times its
# passage's reciprocal retrieval rank (chosen on the validation split, BENCHMARKS.md).
RANK_WEIGHT = 8.0
# ... plus this weight times the share of the question's information in the few words
# (candidates.NEAR_WORDS) either side of the span in its sentence: the reader, unsure between
# two dates of "begins on 1 March 2025 and ends on 28 February 2026", marked the second for
# "When does the tenancy begin?" (chosen on the validation split: EM / F1 0.651 / 0.778 with
# none, 0.665 / 0.792 at 5, 0.660 / 0.790 at 8; BENCHMARKS.md).
NEAR_WEIGHT = 5.0


class Reader(Protocol):
    def read(self, question: str, passages: list[str], top_n: int = 5) -> list[list[Span]]: ...


def ask(
    index: IndexReader,
    embedder: Embedder,
    reader: Reader,
    question: str,
    history: list[str] | None = None,
    k: int = 5,
) -> Answer:
    """Answer `question` from the index; `history` holds the earlier questions of the chat.

    A follow-up is searched for with the question before it; one that does not refer back
    may have moved on to a topic of its own, so the passages of its own search take turns
    with those (app.answer.follow_ups). The answer step reads the question with its compound
    words spelled as the documents spell them, as keyword search does (app.answer.compounds);
    the answer keeps the question as asked."""
    history = history or []
    query = follow_ups.contextual_query(question, history)
    wanted = max(k, PASSAGES_READ) * COPIES_DEPTH
    found = search(index, embedder, query, k=wanted)
    if query != question and not follow_ups.refers_back(question):
        found = follow_ups.taking_turns(found, search(index, embedder, question, k=wanted))
    passages = without_copies(found)[: max(k, PASSAGES_READ)]
    earlier = history[-1] if history and query != question else None
    spelled = spelled_as_indexed(index, question)
    if earlier:
        earlier = spelled_as_indexed(index, earlier)
    answer = answer_from(index, reader, spelled, passages, earlier)
    return dataclasses.replace(answer, question=question)


def answer_from(
    index: IndexReader,
    reader: Reader,
    question: str,
    passages: list[Passage],
    earlier: str | None = None,
) -> Answer:
    """The answer in `passages`; `earlier` is the question before `question` when this is a
    follow-up, searched for with both. The reader reads the question alone: given both
    questions it marks spans that answer both at once. So a follow-up is read only in the
    passages on its topic (`follow_ups.follow_up_topic`)."""
    idf = query_idf(index, question)
    read = passages[:PASSAGES_READ]
    if earlier:
        topics = follow_ups.follow_up_topic(question, idf, query_idf(index, earlier))
        read = follow_ups.on_topic(read, topics) or read
    candidates = read_candidates(reader, question, read, idf)
    named = named_sources(index.manifest, content_words(question))
    return _reader_answer(question, calibration.named_first(candidates, named), passages, idf)


def extract_answer(
    reader: Reader,
    question: str,
    passages: list[Passage],
    idf: dict[str, float] | None = None,
) -> Answer:
    """The reader's answer from `passages`; `idf` (`query_idf`) weighs the question's words
    for the confidence."""
    candidates = read_candidates(reader, question, passages[:PASSAGES_READ], idf)
    return _reader_answer(question, candidates, passages, idf)


def _reader_answer(
    question: str,
    candidates: list[Candidate],
    passages: list[Passage],
    idf: dict[str, float] | None,
) -> Answer:
    candidates = calibration.surest_copy_first(calibration.sure_when_unsure(candidates))
    confidence = round(best_confidence(candidates), 4)
    if not candidates or confidence < calibration.ABSTAIN_BELOW:
        # the closest passages, led by the one holding the reader's best span: that one held
        # the answer in 106 of the 199 answerable kinds questions docqa gave up on, the best
        # ranked in 82 (BENCHMARKS.md)
        closest = led_by(passages, candidates[0].passage) if candidates else passages
        return Answer(question, None, confidence, [], closest, message=NO_ANSWER)
    return answer_with(question, candidates, confidence, passages, idf)


def answer_with(
    question: str,
    candidates: list[Candidate],
    confidence: float,
    passages: list[Passage],
    idf: dict[str, float] | None = None,
) -> Answer:
    """The answer whose span is the first candidate's, cited with the best distinct others; for
    a question asked yes or no, or what to do, the sentence that states it
    (`shapes.sentence_answers`)."""
    chosen = distinct(candidates, CITATIONS)
    passages_cited = list({c.passage.id: c.passage for c in chosen}.values())
    sentences = passage_sentences(passages_cited)
    if shapes.sentence_answers(question):
        chosen = statements(chosen, sentences, idf or {})
    citations = [
        _cite(n, candidate, sentence_around(candidate, sentences))
        for n, candidate in enumerate(chosen, start=1)
    ]
    best = chosen[0]
    sentence = with_antecedent(best.passage, sentence_around(best, sentences), sentences)
    closest = led_by(passages, best.passage)
    return Answer(question, best.text, confidence, citations, closest, sentence)


def led_by(passages: list[Passage], first: Passage) -> list[Passage]:
    """`passages` with `first` first, the others in their order."""
    return sorted(passages, key=lambda p: p.id != first.id)


def read_candidates(
    reader: Reader, question: str, passages: list[Passage], idf: dict[str, float] | None = None
) -> list[Candidate]:
    """`_read_candidates` of `question`; when the reader is too unsure to answer, also of the
    question without the words it says about the asker that no passage holds
    (`asker.without_own_words`): the surer reading is kept."""
    found = _read_candidates(reader, question, passages, idf)
    if best_confidence(found) >= calibration.ABSTAIN_BELOW:
        return found
    plain = asker.without_own_words(question, (p.text for p in passages))
    again = _read_candidates(reader, plain, passages, idf) if plain else []
    return again if best_confidence(again) > best_confidence(found) else found


def _read_candidates(
    reader: Reader, question: str, passages: list[Passage], idf: dict[str, float] | None = None
) -> list[Candidate]:
    """`rank_candidates` of `passages`, reading past the first READ_FIRST only while the
    answer is not `settled`; none without the time of day, the count or the thing a question
    asks for (`shapes.answers_as_asked`). The span the passages' structure names is looked for
    in all of them, read or not, which costs no reading: "kennel cough vaccine price" settled
    on a row before it at 0.91, the row it names being in the fourth passage."""
    first = rank_candidates(reader, question, passages[:READ_FIRST], idf)
    if len(passages) <= READ_FIRST or settled(first):
        found = with_named_span(question, first, passages, idf)
    else:
        rest = rank_candidates(reader, question, passages[READ_FIRST:], idf, first_rank=READ_FIRST)
        found = with_named_span(
            question, sorted(first + rest, key=lambda c: -c.score), passages, idf
        )
    return [c for c in found if shapes.answers_as_asked(question, c.passage, c.span)]


def best_confidence(candidates: list[Candidate]) -> float:
    """The confidence of the first of `candidates`; 0 when there are none."""
    return calibration.confidence_of(candidates[0].features) if candidates else 0.0


def with_named_span(
    question: str,
    candidates: list[Candidate],
    passages: list[Passage],
    idf: dict[str, float] | None,
) -> list[Candidate]:
    """`candidates`, led by the span that the question names by the passages' structure: the
    steps it asks for (`steps.steps_for`), the name of the term it asks about
    (`definitions.definition_for`) or the quantity a list gives for the thing it asks how much
    of (`quantities.quantity_for`) in any passage read; else the cell it names
    (`tables.best_cell`) when the reader's best span is in a table row, where the reader marks
    header words, or in the passage that holds that cell, where it marks the table's caption
    ("in thousands of euros"), or anywhere when its label names the question whole
    (`Cell.named_whole`); of cells named alike, the one in the reader's passage; failing all
    these, the cell of the reader's column in the row the question names
    (`tables.in_named_row`). Such a span keeps the reader's margin, which says whether the
    passages answer the question; how much of the question stands around a cell is what its
    row and its header hold. The reader's span stays first where its own table row says more
    of the question (`_row_says_more`)."""
    if not candidates or not idf:
        return candidates
    best = candidates[0]
    span_named = (
        steps_for(question, passages, idf)
        or definition_for(question, passages)
        or quantity_for(question, passages)
    )
    if span_named is not None:
        position, start, end = span_named
        span = dataclasses.replace(best.span, passage=position, start=start, end=end)
        features = candidate_features(span, position, passages[position], idf)
        return [Candidate(passages[position], position, span, features, best.score), *candidates]
    order = sorted(range(len(passages)), key=lambda n: passages[n].id != best.passage.id)
    found = tables.best_cell([passages[n] for n in order], idf, question)
    if found is None:
        return _in_named_row(question, candidates, idf)
    position, cell = order[found[0]], found[1]
    in_row = cells.in_table_row(best.passage.text, best.span.start)
    if not (in_row or cell.named_whole) and passages[position].id != best.passage.id:
        return candidates
    passage = passages[position]
    start, end = shapes.shaped(question, passage.text, cell.start, cell.end)
    start, end = cells.without_aside(question, passage.text, start, end)
    # "Policy number: HX-4471-2290" for the claims line's phone number; an e-mail's Date line
    # for "the last date to renew my membership"
    if end <= start or shapes.in_mail_date(question, passage, start):
        return candidates
    named = _cell_candidate(best, passage, position, cell, start, end, idf)
    if in_row and _row_says_more(best, passage, cell.start, named.features["overlap"], idf):
        return candidates
    return [named, *candidates]


def _in_named_row(
    question: str, candidates: list[Candidate], idf: dict[str, float]
) -> list[Candidate]:
    """`candidates`, led by the cell of the best span's column in the row that the question
    names (`tables.in_named_row`); the best span of the shape asked for (the reader marked
    "Saturday", then "9am – 8pm", for "what time does gritstone shut on a sunday")."""
    asked = (c for c in candidates if shapes.answers_as_asked(question, c.passage, c.span))
    best = next(asked, None)
    cell = best and tables.in_named_row(best.passage.text, best.span.start, idf)
    if not cell:
        return candidates
    named = _cell_candidate(best, best.passage, best.rank, cell, cell.start, cell.end, idf)
    return [named, *candidates]


def _cell_candidate(
    best: Candidate,
    passage: Passage,
    position: int,
    cell: Cell,
    start: int,
    end: int,
    idf: dict[str, float],
) -> Candidate:
    """The span `start`-`end` of `cell` in `passage` (at `position` of the passages read), with
    `best`'s margin: how much of the question stands around a cell is what its row and its
    header hold (`tables.cell_overlap`), not the text beside it."""
    span = dataclasses.replace(best.span, passage=position, start=start, end=end)
    features = candidate_features(span, position, passage, idf)
    features["overlap"] = tables.cell_overlap(passage.text, cell, idf, kind_words(passage))
    return Candidate(passage, position, span, features, best.score)


def _row_says_more(
    best: Candidate, passage: Passage, cell_start: int, named: float, idf: dict[str, float]
) -> bool:
    """Whether the reader's span lies in a table row other than the named cell's (at
    `cell_start` of `passage`), one that holds more of the question than the cell's row and
    header do (`named`, `tables.cell_overlap`): the reader's "Monday 24 March" in "| Pool
    closure | Main Pool closed for maintenance Monday 24 March |", not the Day of a timetable
    row that only holds "Main Pool". In the cell's own row the named column is the answer."""
    text, at = best.passage.text, best.span.start
    if (
        passage.id == best.passage.id
        and cells.row_at(text, at)[0] == cells.row_at(text, cell_start)[0]
    ):
        return False
    return tables.overlap_at(text, at, idf, kind_words(best.passage)) > named


def settled(
    candidates: list[Candidate], above: float | None = None, below: float | None = None
) -> bool:
    """Whether the best of `candidates` is sure enough, or hopeless enough, to read no more
    passages (by SETTLED_ABOVE and SETTLED_BELOW unless given: `eval_answers.py --fit` tries
    others)."""
    confidence = best_confidence(candidates)
    above = SETTLED_ABOVE if above is None else above
    below = SETTLED_BELOW if below is None else below
    return confidence >= above or confidence < below


def rank_candidates(
    reader: Reader,
    question: str,
    passages: list[Passage],
    idf: dict[str, float] | None = None,
    first_rank: int = 0,
) -> list[Candidate]:
    """Every span the reader proposes in `passages`, with its features, best first. The reader
    reads the `focus` of each passage: the part around the question's words. `idf` weighs the
    question's words (`query_idf`) for that and for the confidence's overlap features; without
    it passages are read whole and those features are 0, which only the confidence reads.
    `first_rank` is the retrieval rank of `passages[0]`."""
    if not passages:
        return []
    parts = [focus(p, idf or {}, READ_TOKENS) for p in passages]
    shape = shapes.shape_words(question)
    texts = [p.text[start:end] for p, (start, end) in zip(passages, parts, strict=True)]
    spans = reader.read(question, texts, top_n=SPANS_PER_PASSAGE * SPANS_PROPOSED)
    candidates = []
    for rank, (passage, (at, _), found) in enumerate(
        zip(passages, parts, spans, strict=True), start=first_rank
    ):
        kept = 0
        for span in found:
            if kept == SPANS_PER_PASSAGE:
                break
            start, end = shapes.answer_span(question, passage, at + span.start, at + span.end)
            if end <= start:
                continue
            kept += 1
            span = dataclasses.replace(span, start=start, end=end)
            features = candidate_features(span, rank, passage, idf or {}, shape)
            candidates.append(Candidate(passage, rank, span, features, score_of(features)))
    return sorted(candidates, key=lambda c: -c.score)


def score_of(features: dict[str, float]) -> float:
    """A candidate's rank among the others: the reader's margin, its passage's rank and the
    question's words right beside it."""
    return features["margin"] + RANK_WEIGHT * features["rank"] + NEAR_WEIGHT * features["near"]


def _cite(n: int, candidate: Candidate, around: tuple[int, int]) -> Citation:
    """The span in its sentence, with up to SNIPPET_CHARS of context each side."""
    span = (candidate.page_start, candidate.page_end)
    score = calibration.confidence_of(candidate.features)
    return cite(n, candidate.passage, around, span, score, SNIPPET_CHARS)
