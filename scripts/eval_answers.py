"""Answer quality on SQuAD v1.1 dev: retrieval, answer sentence, answer span, abstention.

    .venv/bin/python scripts/eval_answers.py [--questions 1000] [--tune] [--cache /tmp/docqa-eval]

The corpus is all 2,067 dev paragraphs, one file each, indexed by docqa's own ingest. Questions
are a fixed random sample. Abstention is measured on a second index holding only the even-numbered
articles: questions about those should be answered, questions about the odd-numbered articles
(absent from that index) should get "no answer". `--tune` fits the sentence-scoring weights on a
disjoint sample and prints the best ones; the evaluation sample is never used for fitting.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import re
import statistics
import string
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata

from app.answer import answering
from app.engine import Engine


def normalize(text: str) -> str:
    """SQuAD v1.1's answer normalisation: lower case, no punctuation, articles or extra spaces."""
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
    return " ".join(re.sub(r"\b(a|an|the)\b", " ", text).split())


def f1(prediction: str, gold: str) -> float:
    predicted, expected = normalize(prediction).split(), normalize(gold).split()
    common = sum((collections.Counter(predicted) & collections.Counter(expected)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)


@dataclass
class Result:
    question: evaldata.SquadQuestion
    sources: list[str]
    sentences: list  # ranked answering._Sentence, with features
    seconds: float


def run(engine: Engine, questions: list[evaldata.SquadQuestion]) -> list[Result]:
    results = []
    reader = engine.reader()
    for q in questions:
        started = time.perf_counter()
        passages = engine.search(q.question, 5)
        ranked = answering.rank_sentences(
            reader, engine.embedder, q.question, q.question, passages[: answering.PASSAGES_READ]
        )
        results.append(
            Result(q, [p.source for p in passages], ranked, time.perf_counter() - started)
        )
    return results


def best_sentence(result: Result, weights: dict[str, float]):
    return max(result.sentences, key=lambda s: answering.combine(s.features, weights), default=None)


def score(results: list[Result], weights: dict[str, float]) -> dict[str, float]:
    contains, exact, f1s, cited = [], [], [], []
    for r in results:
        sentence = best_sentence(r, weights)
        if sentence is None:
            contains.append(0.0), exact.append(0.0), f1s.append(0.0), cited.append(0.0)
            continue
        cited.append(float(sentence.passage.source == r.question.paragraph))
        start, end = answering.answer_span(sentence, r.question.question)
        span = sentence.passage.text[start - sentence.passage.start : end - sentence.passage.start]
        golds = r.question.answers
        contains.append(float(any(normalize(g) in normalize(sentence.text) for g in golds)))
        exact.append(float(any(normalize(span) == normalize(g) for g in golds)))
        f1s.append(max(f1(span, g) for g in golds))
    return {
        "top1": statistics.mean(r.sources[:1] == [r.question.paragraph] for r in results),
        "top5": statistics.mean(r.question.paragraph in r.sources[:5] for r in results),
        "cited": statistics.mean(cited),
        "sentence": statistics.mean(contains),
        "em": statistics.mean(exact),
        "f1": statistics.mean(f1s),
        "p50_ms": 1000 * statistics.median(r.seconds for r in results),
    }


def confidences(results: list[Result], weights: dict[str, float], model=None) -> list[float]:
    model = model or answering.CONFIDENCE_MODEL
    best = (best_sentence(r, weights) for r in results)
    return [0.0 if s is None else answering.confidence_of(s.features, model) for s in best]


def fit_confidence(answerable: list[Result], unanswerable: list[Result], weights) -> dict:
    """Logistic regression of "answerable" on the best sentence's cosine and overlap."""
    from sklearn.linear_model import LogisticRegression

    rows, labels = [], []
    for label, results in ((1, answerable), (0, unanswerable)):
        for r in results:
            s = best_sentence(r, weights)
            rows.append([s.features["cosine"], s.features["overlap"]] if s else [0.0, 0.0])
            labels.append(label)
    fitted = LogisticRegression(C=10.0).fit(rows, labels)
    cosine, overlap = fitted.coef_[0]
    model = {"bias": round(float(fitted.intercept_[0]), 3), "cosine": round(float(cosine), 3),
             "overlap": round(float(overlap), 3)}  # fmt: skip
    print(f"confidence model fitted on the tuning sample: {model}")
    return model


def abstention(answerable: list[float], unanswerable: list[float], threshold: float) -> dict:
    """Precision and recall of "no answer", treating unanswerable questions as the positives."""
    true_pos = sum(c < threshold for c in unanswerable)
    false_pos = sum(c < threshold for c in answerable)
    precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 1.0
    return {"threshold": threshold, "precision": precision, "recall": true_pos / len(unanswerable),
            "answered": 1 - false_pos / len(answerable)}  # fmt: skip


def tune(results: list[Result]) -> dict[str, float]:
    grid = {
        "cosine": [1.0],
        "overlap": [0.3, 0.6, 0.9, 1.2, 1.6],
        "passage": [0.0, 0.15, 0.3, 0.6],
        "type": [0.0, 0.15, 0.3, 0.5],
    }
    best, best_weights = -1.0, answering.WEIGHTS
    for values in itertools.product(*grid.values()):
        weights = dict(zip(grid, values, strict=True))
        metric = score(results, weights)["sentence"]
        if metric > best:
            best, best_weights = metric, weights
    print(f"best weights on the tuning sample: {best_weights} -> sentence contains gold {best:.4f}")
    return best_weights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--cache", type=Path, default=evaldata.DEFAULT_CACHE)
    parser.add_argument("--tune", action="store_true", help="fit weights on a disjoint sample")
    args = parser.parse_args()
    paragraphs, questions = evaldata.load_squad()
    shuffled = evaldata.sample(questions, len(questions))
    evaluation, tuning = shuffled[: args.questions], shuffled[args.questions : args.questions + 500]
    print(f"machine: {evaldata.machine()}")

    engine = Engine(evaldata.build_index("squad", paragraphs, args.cache))
    engine.warm_up()
    weights, model = answering.WEIGHTS, answering.CONFIDENCE_MODEL
    even = {n: t for n, t in paragraphs.items() if int(n[:2]) % 2 == 0}
    half = Engine(evaldata.build_index("squad-even", even, args.cache))
    if args.tune:
        weights = tune(run(engine, tuning))
        tune_in = [q for q in tuning if int(q.paragraph[:2]) % 2 == 0][:250]
        tune_out = [q for q in tuning if int(q.paragraph[:2]) % 2 == 1][:250]
        model = fit_confidence(run(half, tune_in), run(half, tune_out), weights)
    row = score(run(engine, evaluation), weights)
    print(f"\nSQuAD v1.1 dev, {len(evaluation)} questions over {len(paragraphs)} paragraphs")
    print(
        "| search top-1 | search top-5 | ask top-1 (cited passage) | sentence has gold "
        "| span EM | span F1 | ask p50 ms |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print(f"| {row['top1']:.3f} | {row['top5']:.3f} | {row['cited']:.3f} | {row['sentence']:.3f} "
          f"| {row['em']:.3f} | {row['f1']:.3f} | {row['p50_ms']:.0f} |")  # fmt: skip

    inside = [q for q in evaluation if int(q.paragraph[:2]) % 2 == 0][:400]
    outside = [q for q in evaluation if int(q.paragraph[:2]) % 2 == 1][:400]
    answerable = confidences(run(half, inside), weights, model)
    unanswerable = confidences(run(half, outside), weights, model)
    print(f"\nAbstention: {len(inside)} answerable vs {len(outside)} unanswerable questions")
    print("| threshold | no-answer precision | no-answer recall | answerable answered |")
    print("| --- | --- | --- | --- |")
    for threshold in sorted({answering.ABSTAIN_BELOW, 0.3, 0.4, 0.5, 0.6, 0.7}):
        a = abstention(answerable, unanswerable, threshold)
        mark = " (default)" if threshold == answering.ABSTAIN_BELOW else ""
        print(f"| {threshold:.2f}{mark} | {a['precision']:.3f} | {a['recall']:.3f} "
              f"| {a['answered']:.3f} |")  # fmt: skip


if __name__ == "__main__":
    main()
