"""How sure docqa is that a candidate answers the question, and which candidate leads.

The confidence is a logistic model of the reader's and retrieval's features of a candidate
(`candidates.candidate_features`), fitted on held-out SQuAD questions, in the index or not
(`scripts/eval_answers.py --fit`): the probability that the documents answer the question.
Below ABSTAIN_BELOW docqa says there is no answer. The rank of a candidate picks the right span
of a passage, this says whether it is right at all; so the candidate that leads is sometimes
not the best ranked: the surest copy of a span, the surest in a file the question names.
"""

from __future__ import annotations

import math

from app.answer.candidates import Candidate

# Probability that the documents answer the question: logistic in the best candidate's features
# (fitted by scripts/eval_answers.py --fit on the validation split: each of its questions asked
# once with its article in the index and once without).
CONFIDENCE_MODEL = {"bias": -6.225, "margin": 0.131, "rank": 1.421, "dense": 3.723,
                    "overlap": 1.763, "keyword": 2.541}  # fmt: skip
CONFIDENCE_FEATURES = ("margin", "rank", "dense", "overlap", "keyword")
# "No answer" below this confidence: the threshold whose weakest of no-answer precision, recall
# and answerable questions answered is best on the validation split (eval_answers.py --fit).
ABSTAIN_BELOW = 0.45


def confidence_of(features: dict[str, float], model: dict[str, float] | None = None) -> float:
    """Estimated probability that the documents answer the question, for its best candidate;
    by CONFIDENCE_MODEL unless `model` is given (read when called, so a refit takes effect)."""
    model = model or CONFIDENCE_MODEL
    logit = model["bias"] + sum(
        w * features.get(name, 0.0) for name, w in model.items() if name != "bias"
    )
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, logit))))


def named_first(candidates: list[Candidate], named: list[str]) -> list[Candidate]:
    """`candidates`, led by the best one in a file the question names by its name
    (`file_names.named_sources`) when that one is sure enough to answer on its own. "monthly
    direct debit amount for the car insurance" named `car_insurance_renewal.docx`, whose
    "£72.26" the reader marked (confidence 0.61), but it was far surer of an energy notice's
    monthly direct debit, "£138", in a passage that never says what it is a debit for."""
    if not named or not candidates or candidates[0].passage.source in named:
        return candidates
    best = next((c for c in candidates if c.passage.source in named), None)
    if best is None or confidence_of(best.features) < ABSTAIN_BELOW:
        return candidates
    return [best, *(c for c in candidates if c is not best)]


def sure_when_unsure(candidates: list[Candidate]) -> list[Candidate]:
    """`candidates`, led by the surest when the best is too unsure to answer. The rank and the
    confidence weigh the same features differently (the rank to pick the right span of a
    passage, the confidence to say whether it is right at all), and a table's "25%" ranked
    below "cumulative" (0.16) at 0.48. On the validation articles this moved no answer and
    answered one question of 418 that their index did not hold (BENCHMARKS.md)."""
    if not candidates or confidence_of(candidates[0].features) >= ABSTAIN_BELOW:
        return candidates
    surest = max(candidates, key=lambda c: confidence_of(c.features))
    return [surest, *(c for c in candidates if c is not surest)]


def surest_copy_first(candidates: list[Candidate]) -> list[Candidate]:
    """`candidates`, led by the copy of the best one that is surest. Chunks overlap, so the
    best span may be read in two passages, and the one where the reader marks it best may be
    the one that holds less of the question ("Book with our membership secretary, Colin Marsh"
    at the start of a chunk, without the course it is about): the span is the same answer."""
    if not candidates:
        return candidates
    where = _page_span(candidates[0])
    copies = [c for c in candidates if _page_span(c) == where]
    surest = max(copies, key=lambda c: confidence_of(c.features))
    return [surest, *(c for c in candidates if c is not surest)]


def _page_span(candidate: Candidate) -> tuple[str, int | None, int, int]:
    passage = candidate.passage
    return passage.source, passage.page, candidate.page_start, candidate.page_end
