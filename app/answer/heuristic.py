"""The sentence-ranking answer step that docqa used before the trained reader, kept as the
baseline that scripts/eval_answers.py measures the reader against ("today's heuristic" of issue
#13). `docqa ask` no longer runs it: it used to give a second opinion when the reader was
unsure, and the reader's own confidence now abstains as well on the validation split, without
spaCy's parser and the sentences' embeddings on every such question (BENCHMARKS.md).

The top passages are split into sentences (spaCy), each sentence is scored against the question
(embedding similarity, IDF-weighted overlap of stemmed words, its passage's rank, and whether it
names the kind of thing asked for), and inside the best one the named thing of the expected
kind nearest to the question's words is marked.
"""

from __future__ import annotations

import math
import re

from app.answer.overlap import overlap, query_idf, stem, word_positions
from app.answer.retrieval import content_words, embed_query
from app.answer.sentences import Sentence, candidate_sentences, cite, with_antecedent
from app.models.embedder import Embedder
from app.records import Answer, Citation, Passage
from app.store.folder import IndexReader

CITATIONS = 3
SNIPPET_CHARS = 220  # context shown on each side of the answering sentence
# Sentence score = weighted sum of these features; fitted on a SQuAD tuning split.
WEIGHTS = {"cosine": 1.0, "overlap": 0.9, "passage": 0.1, "type": 0.15}
# Confidence that the best sentence answers: a logistic model of its cosine and word overlap,
# fitted on SQuAD questions whose article is in the index against ones whose article is not.
CONFIDENCE_MODEL = {"bias": -8.899, "cosine": 12.883, "overlap": 5.765}
ABSTAIN_BELOW = 0.5  # confidence under which docqa says it has no answer
# Sentences encoded per call. Sentences vary in length and each batch is padded to its longest:
# for the 23 sentences of five SciFact passages, batches of 4 took 139 ms and one batch of 32
# took 296 ms (int8 ONNX, 2 cores without AMX).
SENTENCE_BATCH = 4

_ANSWER_TYPES = [  # (question pattern, spaCy entity labels that answer it)
    (r"\bhow (many|much)\b|\bwhat (number|percentage|amount)\b",
     {"CARDINAL", "QUANTITY", "MONEY", "PERCENT"}),
    (r"\bhow (long|old)\b", {"DATE", "TIME", "QUANTITY", "CARDINAL"}),
    (r"\bwhen\b|\bwhat (year|date|day|month|time|century|decade)\b", {"DATE", "TIME"}),
    (r"\bwho(m|se)?\b", {"PERSON", "ORG", "NORP"}),
    (r"\bwhere\b", {"GPE", "LOC", "FAC", "ORG"}),
    (r"\bhow (far|high|tall|big|large|wide|deep|heavy|fast)\b", {"QUANTITY", "CARDINAL"}),
]  # fmt: skip


def extract_answer(
    reader: IndexReader,
    embedder: Embedder,
    question: str,
    query: str,
    passages: list[Passage],
    read: int = 5,
) -> Answer | None:
    """The best sentence of the first `read` passages and its span; None when not convincing."""
    ranked = rank_sentences(reader, embedder, question, query, passages[:read])
    return answer_from(question, ranked, passages)


def sure_of(ranked: list[Sentence]) -> float | None:
    """The confidence that the best of `ranked` answers, or None when it is not convincing."""
    confidence = round(confidence_of(ranked[0].features), 4) if ranked else 0.0
    return confidence if confidence >= ABSTAIN_BELOW else None


def answer_from(question: str, ranked: list[Sentence], passages: list[Passage]) -> Answer | None:
    """The answer that the ranked sentences give, None when the best is not convincing."""
    confidence = sure_of(ranked)
    if confidence is None:
        return None
    citations = [
        _cite(n, sentence, question) for n, sentence in enumerate(_distinct(ranked), start=1)
    ]
    first = citations[0]
    answer = first.snippet[first.answer_start : first.answer_end]
    sentence = with_antecedent(ranked[0].passage, (ranked[0].start, ranked[0].end), ranked)
    return Answer(question, answer, confidence, citations, _by_evidence(passages, ranked), sentence)


def _by_evidence(passages: list[Passage], ranked: list[Sentence]) -> list[Passage]:
    """Passages reordered by their best sentence: the one that answers comes first."""
    best_rank: dict[int, int] = {}
    for position, sentence in enumerate(ranked):
        best_rank.setdefault(sentence.passage.id, position)
    return sorted(passages, key=lambda p: best_rank.get(p.id, len(ranked)))


def rank_sentences(
    reader: IndexReader,
    embedder: Embedder,
    question: str,
    query: str,
    passages: list[Passage],
    weights: dict[str, float] = WEIGHTS,
) -> list[Sentence]:
    """Every sentence of `passages`, with its features, best first.

    `query` is what was retrieved with: the question itself, or for a follow-up the question
    with the previous one. Words must match the question; similarity counts both.
    """
    sentences = candidate_sentences(passages)
    if not sentences:
        return []
    vectors = embedder.encode([s.text for s in sentences], batch_size=SENTENCE_BATCH)
    cosines = vectors @ embed_query(embedder, question)
    if query != question:  # a follow-up: the sentence must answer it, about the earlier topic
        cosines = (cosines + vectors @ embed_query(embedder, query)) / 2
    idf = query_idf(reader, question)
    expected = expected_labels(question)
    question_lower = question.lower()
    for sentence, cosine in zip(sentences, cosines, strict=True):
        sentence.features = {
            "cosine": float(cosine),
            "overlap": overlap(idf, sentence.text),
            "passage": 1.0 / (sentence.rank + 1),
            "type": float(bool(_typed_entities(sentence, expected, question_lower))),
        }
        sentence.score = combine(sentence.features, weights)
    return sorted(sentences, key=lambda s: -s.score)


def combine(features: dict[str, float], weights: dict[str, float]) -> float:
    return sum(weights[name] * value for name, value in features.items())


def confidence_of(features: dict[str, float], model: dict[str, float] = CONFIDENCE_MODEL) -> float:
    """Estimated probability that a sentence with these features answers the question."""
    logit = model["bias"] + sum(w * features[name] for name, w in model.items() if name != "bias")
    return 1.0 / (1.0 + math.exp(-logit))


def expected_labels(question: str) -> set[str]:
    lowered = question.lower()
    for pattern, labels in _ANSWER_TYPES:
        if re.search(pattern, lowered):
            return labels
    return set()


def answer_span(sentence: Sentence, question: str) -> tuple[int, int]:
    """Page offsets of the shortest text in `sentence` that answers; the sentence if none.

    Candidates are the named things of the kind the question asks for (any kind when its
    wording names none) that the question does not already mention; the one nearest to the
    question's own words in the sentence wins.
    """
    question_lower = question.lower()
    labels = expected_labels(question) or {label for *_, label in sentence.entities}
    candidates = _typed_entities(sentence, labels, question_lower)
    if not candidates:
        return sentence.start, sentence.end
    positions = word_positions(sentence.text)
    anchors = [
        sentence.start + position
        for word in content_words(question_lower)
        for position in positions.get(stem(word), [])
    ]
    if not anchors:
        return candidates[0][:2]
    best = min(candidates, key=lambda e: min(abs(e[0] - a) for a in anchors))
    return best[0], best[1]


def _typed_entities(
    sentence: Sentence, labels: set[str], question_lower: str
) -> list[tuple[int, int, str]]:
    return [
        e
        for e in sentence.entities
        if e[2] in labels
        and sentence.passage.text[
            e[0] - sentence.passage.start : e[1] - sentence.passage.start
        ].lower()
        not in question_lower
    ]


def _distinct(ranked: list[Sentence]) -> list[Sentence]:
    chosen: list[Sentence] = []
    for sentence in ranked:
        if any(sentence.text == other.text for other in chosen):
            continue
        chosen.append(sentence)
        if len(chosen) == CITATIONS:
            break
    return chosen


def _cite(n: int, sentence: Sentence, question: str) -> Citation:
    span = answer_span(sentence, question)
    around = (sentence.start, sentence.end)
    score = confidence_of(sentence.features)
    return cite(n, sentence.passage, around, span, score, SNIPPET_CHARS)
