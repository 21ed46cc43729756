"""Answer quality on SQuAD v1.1 dev's evaluation split: the reader next to the old heuristic.

    .venv/bin/python scripts/eval_answers.py [--questions N] [--fit [--fit-only]] [--reader DIR]
                                             [--cache /tmp/docqa-eval] [--read-tokens N|all]

The split rule: articles 1-38 (file order) are for training and choosing, articles 39-48 only
ever produce these figures. Every figure below is on articles 39-48; `--fit` chooses the rank
weight and fits the confidence model on the reader's validation articles (held out of training,
inside 1-38) and prints them, to be copied into app/answer/answering.py. `--fit-only` stops
there, so a reader still being chosen (`--reader`) is never seen on the evaluation split.

Three measurements, each for the reader and for the heuristic it replaced:
1. gold paragraph given: the answer step alone, on the paragraph that holds the answer;
2. open corpus: all 2,067 dev paragraphs indexed by docqa's own ingest, the whole `ask`;
3. out-of-corpus abstention: an index of the even-numbered articles only; questions about even
   articles should be answered, questions about odd ones should get "no answer". With
   calibration: the expected calibration error and a reliability table of the confidence.
EM and F1 use the official SQuAD v1.1 normalisation.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata
import reader_data
from squad_metric import best_em_f1, f1, normalize

from app.answer import answering, calibration, heuristic
from app.answer.overlap import query_idf
from app.engine import Engine
from app.models.reader import SpanReader, load_reader
from app.records import Passage

# 0-based article numbers (file order): the evaluation split, and the reader's validation split
EVALUATION_ARTICLES = range(reader_data.N_TRAIN_ARTICLES, 48)
VALIDATION_ARTICLES = {int(a) - 1 for a in reader_data.VALIDATION_ARTICLES.split(",")}
# What --fit tries: passages the reader reads, and the weight of the retrieval rank
MAX_READ = 10
PASSAGE_COUNTS = (1, 2, 3, 5, 8, 10)
RANK_WEIGHTS = (0.0, 1.0, 2.0, 3.0, 5.0, 8.0, 12.0)
THRESHOLDS = tuple(round(0.05 * n, 2) for n in range(1, 20))  # what --fit tries for ABSTAIN_BELOW
# What --fit tries for the reading cascade (READ_FIRST, SETTLED_ABOVE, SETTLED_BELOW); a
# cascade may cost at most this much validation F1, or of the weakest abstention figure
READ_FIRSTS = (1, 2, 3)
SETTLED_ABOVES = (0.7, 0.8, 0.9, 0.95, 2.0)  # 2.0: never sure enough
SETTLED_BELOWS = (0.0, 0.05, 0.1, 0.2, 0.3)
CASCADE_TOLERANCE = 0.003


@dataclass
class Outcome:
    """One question's answer by one method: the span, its sentence, where, how sure, how fast."""

    question: evaldata.SquadQuestion
    span: str
    sentence: str
    source: str | None
    confidence: float
    features: dict[str, float]
    seconds: float
    top5: list[str]


def article_of(question: evaldata.SquadQuestion) -> int:
    return int(question.paragraph[:2])


def as_passage(name: str, text: str) -> Passage:
    return Passage(0, name, None, 0, len(text), text, 1.0, 1.0, 0.0)


def read_with_reader(engine: Engine, question: str, passages: list[Passage]) -> Outcome:
    started = time.perf_counter()
    idf = query_idf(engine.reader(), question)
    candidates = answering.read_candidates(engine.qa_reader, question, passages, idf)
    seconds = time.perf_counter() - started
    if not candidates:
        return Outcome(None, "", "", None, 0.0, {}, seconds, [])
    best = candidates[0]
    sentences = answering.passage_sentences([best.passage])
    start, end = answering.sentence_around(best, sentences)
    text = best.passage.text[start - best.passage.start : end - best.passage.start]
    confidence = calibration.confidence_of(best.features)
    return Outcome(None, best.text, text, best.passage.source, confidence, best.features,
                   seconds, [])  # fmt: skip


def read_with_heuristic(engine: Engine, question: str, passages: list[Passage]) -> Outcome:
    started = time.perf_counter()
    ranked = heuristic.rank_sentences(
        engine.reader(), engine.embedder, question, question, passages
    )
    seconds = time.perf_counter() - started
    if not ranked:
        return Outcome(None, "", "", None, 0.0, {}, seconds, [])
    best = ranked[0]
    start, end = heuristic.answer_span(best, question)
    span = best.passage.text[start - best.passage.start : end - best.passage.start]
    confidence = heuristic.confidence_of(best.features)
    return Outcome(None, span, best.text, best.passage.source, confidence, best.features,
                   seconds, [])  # fmt: skip


def read_as_docqa(engine: Engine, question: str, passages: list[Passage]) -> Outcome:
    """What `docqa ask` does after retrieval: the reader, its span cited in its sentence."""
    started = time.perf_counter()
    answer = answering.answer_from(engine.reader(), engine.qa_reader, question, passages)
    seconds = time.perf_counter() - started
    if answer.answer is None:
        return Outcome(None, "", "", None, answer.confidence, {}, seconds, [])
    return Outcome(None, answer.answer, answer.sentence or "", answer.citations[0].source,
                   answer.confidence, {}, seconds, [])  # fmt: skip


METHODS = {"reader": read_with_reader, "heuristic": read_with_heuristic, "docqa": read_as_docqa}


def gold_paragraph(engine, method, questions, paragraphs) -> list[Outcome]:
    """The answer step alone: every method answers, however unsure (abstention is measured
    apart, and a lone paragraph given by hand has no retrieval scores to be sure with)."""
    outcomes = []
    threshold, calibration.ABSTAIN_BELOW = calibration.ABSTAIN_BELOW, 0.0
    try:
        for q in questions:
            outcome = METHODS[method](
                engine, q.question, [as_passage(q.paragraph, paragraphs[q.paragraph])]
            )
            outcome.question = q
            outcomes.append(outcome)
    finally:
        calibration.ABSTAIN_BELOW = threshold
    return outcomes


def open_corpus(engine: Engine, method: str, questions) -> list[Outcome]:
    outcomes = []
    for q in questions:
        started = time.perf_counter()
        passages = engine.search(q.question, answering.PASSAGES_READ)
        outcome = METHODS[method](engine, q.question, passages)
        outcome.seconds = time.perf_counter() - started
        outcome.question, outcome.top5 = q, [p.source for p in passages]
        outcomes.append(outcome)
    return outcomes


def quality(outcomes: list[Outcome]) -> dict[str, float]:
    scores = [best_em_f1(o.span, o.question.answers) for o in outcomes]
    return {
        "em": statistics.mean(em for em, _ in scores),
        "f1": statistics.mean(span_f1 for _, span_f1 in scores),
        "sentence": statistics.mean(
            any(normalize(g) in normalize(o.sentence) for g in o.question.answers)
            for o in outcomes
        ),
        "cited": statistics.mean(o.source == o.question.paragraph for o in outcomes),
        "top5": statistics.mean(o.question.paragraph in o.top5 for o in outcomes),
        "p50_ms": 1000 * statistics.median(o.seconds for o in outcomes),
    }  # fmt: skip


def abstention(answerable: list[float], unanswerable: list[float], threshold: float) -> dict:
    """Precision and recall of "no answer", treating unanswerable questions as the positives."""
    true_pos = sum(c < threshold for c in unanswerable)
    false_pos = sum(c < threshold for c in answerable)
    precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 1.0
    return {"precision": precision, "recall": true_pos / len(unanswerable),
            "answered": 1 - false_pos / len(answerable)}  # fmt: skip


def reliability(answerable: list[float], unanswerable: list[float], bins: int = 10):
    """Rows (range, count, mean confidence, share answerable) and the expected calibration
    error: how far "confidence" is from the observed rate of answerable questions."""
    scored = [(c, 1) for c in answerable] + [(c, 0) for c in unanswerable]
    rows, error = [], 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(c, y) for c, y in scored if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if not inside:
            continue
        mean_c = statistics.mean(c for c, _ in inside)
        rate = statistics.mean(y for _, y in inside)
        rows.append((f"{lo:.1f}-{hi:.1f}", len(inside), mean_c, rate))
        error += len(inside) / len(scored) * abs(mean_c - rate)
    return rows, error


def fit(engine: Engine, validation: list, paragraphs: dict[str, str], cache: Path) -> None:
    """Choose RANK_WEIGHT on open-corpus F1, then fit the confidence model (answerable or not)
    on the validation articles; print them for app/answer/answering.py. The table shows F1 for
    other numbers of passages read too; how many are read (PASSAGES_READ) weighs that against
    the time each one costs, so it is set by hand. The confidence's examples come from two
    indexes that each leave out half the validation articles (`without_validation_halves`).
    The reader reads each question's top MAX_READ passages once; the choices only re-rank and
    cut its candidates (a candidate's features do not depend on the other passages read)."""
    from sklearn.linear_model import LogisticRegression

    read = []
    for q in validation:
        passages = engine.search(q.question, MAX_READ)
        idf = query_idf(engine.reader(), q.question)
        read.append((q, answering.rank_candidates(engine.qa_reader, q.question, passages, idf)))
    best_weight, best_f1 = answering.RANK_WEIGHT, -1.0
    print("| passages read | " + " | ".join(f"weight {w}" for w in RANK_WEIGHTS) + " |")
    print("| --- " * (len(RANK_WEIGHTS) + 1) + "|")
    for count in PASSAGE_COUNTS:
        cells = []
        for weight in RANK_WEIGHTS:
            scores = []
            for q, candidates in read:
                top = max((c for c in candidates if c.rank < count),
                          key=lambda c: c.score + (weight - answering.RANK_WEIGHT)
                          * c.features["rank"], default=None)  # fmt: skip
                scores.append(max(f1(top.text, g) for g in q.answers) if top else 0.0)
            cells.append(f"{statistics.mean(scores):.4f}")
            if count == answering.PASSAGES_READ and statistics.mean(scores) > best_f1:
                best_weight, best_f1 = weight, statistics.mean(scores)
        print(f"| {count} | " + " | ".join(cells) + " |")
    print(f"validation open-corpus F1 {best_f1:.4f} reading {answering.PASSAGES_READ} passages")
    answering.RANK_WEIGHT = best_weight
    names = calibration.CONFIDENCE_FEATURES
    nothing = {name: -20.0 if name == "margin" else 0.0 for name in names}  # no span proposed
    halves: list[tuple[int, list[answering.Candidate]]] = []  # (answerable?, all 5 read)
    for index, left_out in without_validation_halves(paragraphs, cache, engine.qa_reader):
        for q in validation:
            passages = index.search(q.question, answering.PASSAGES_READ)
            idf = query_idf(index.reader(), q.question)
            candidates = answering.rank_candidates(index.qa_reader, q.question, passages, idf)
            halves.append((int(article_of(q) not in left_out), candidates))
    rows = [[(c[0].features if c else nothing)[n] for n in names] for _, c in halves]
    labels = [label for label, _ in halves]
    model = LogisticRegression(C=1.0, max_iter=1000).fit(rows, labels)
    fitted = {"bias": round(float(model.intercept_[0]), 3)}
    fitted |= {n: round(float(w), 3) for n, w in zip(names, model.coef_[0], strict=True)}
    print(f"RANK_WEIGHT = {best_weight}\nCONFIDENCE_MODEL = {fitted}")
    calibration.CONFIDENCE_MODEL = fitted
    confidence = [calibration.confidence_of(c[0].features) if c else 0.0 for _, c in halves]
    answerable = [c for c, y in zip(confidence, labels, strict=True) if y == 1]
    unanswerable = [c for c, y in zip(confidence, labels, strict=True) if y == 0]
    print("\nValidation abstention (in-sample)\n"
          "| threshold | no-answer precision | no-answer recall | answerable answered |\n"
          "| --- | --- | --- | --- |")  # fmt: skip
    worst = {}
    for threshold in THRESHOLDS:
        a = abstention(answerable, unanswerable, threshold)
        worst[threshold] = min(a.values())
        print(f"| {threshold:.2f} | {a['precision']:.3f} | {a['recall']:.3f} "
              f"| {a['answered']:.3f} |")  # fmt: skip
    # The threshold whose weakest of the three figures is best (nearest 0.5 among equals).
    chosen = max(THRESHOLDS, key=lambda t: (round(worst[t], 3), -abs(t - 0.5)))
    print(f"ABSTAIN_BELOW = {chosen}")
    calibration.ABSTAIN_BELOW = chosen
    fit_cascade(read, halves)


def rescored(candidates: list[answering.Candidate]) -> list[answering.Candidate]:
    """`candidates` scored and sorted by today's RANK_WEIGHT (`fit` may have changed it)."""
    candidates = [dataclasses.replace(c, score=answering.score_of(c.features)) for c in candidates]
    return sorted(candidates, key=lambda c: -c.score)


def fit_cascade(read: list, halves: list[tuple[int, list]]) -> None:
    """Choose READ_FIRST, SETTLED_ABOVE and SETTLED_BELOW: the cascade that reads the fewest
    passages while it costs at most CASCADE_TOLERANCE of validation open-corpus F1 and of the
    weakest abstention figure, against reading all PASSAGES_READ. Simulated on the candidates
    of all of them (a candidate's features do not depend on the other passages read)."""
    whole = answering.PASSAGES_READ
    read = [(q, rescored([c for c in cands if c.rank < whole])) for q, cands in read]

    def cascade(candidates, first, above, below):
        early = [c for c in candidates if c.rank < first]
        if first >= whole or answering.settled(early, above, below):
            return early, min(first, whole)
        return candidates, whole

    def measure(first, above, below):
        f1s, counts, answerable, unanswerable = [], [], [], []
        for q, candidates in read:
            kept, count = cascade(candidates, first, above, below)
            f1s.append(max(f1(kept[0].text, g) for g in q.answers) if kept else 0.0)
            counts.append(count)
        for label, candidates in halves:
            kept, count = cascade(candidates, first, above, below)
            confidence = calibration.confidence_of(kept[0].features) if kept else 0.0
            (answerable if label else unanswerable).append(confidence)
            counts.append(count)
        a = abstention(answerable, unanswerable, calibration.ABSTAIN_BELOW)
        return statistics.mean(f1s), min(a.values()), statistics.mean(counts)

    full_f1, full_worst, _ = measure(whole, 2.0, 0.0)
    print(f"\nReading cascade (validation; all {whole} passages: F1 {full_f1:.4f}, weakest "
          f"abstention figure {full_worst:.3f})\n| read first | settled above | settled below "
          "| F1 | weakest abstention figure | passages read |\n" + "| --- " * 6 + "|")  # fmt: skip
    best, fewest = (whole, 2.0, 0.0), float(whole)
    for first in READ_FIRSTS:
        for above in SETTLED_ABOVES:
            for below in (b for b in SETTLED_BELOWS if b <= calibration.ABSTAIN_BELOW):
                score, worst, count = measure(first, above, below)
                print(f"| {first} | {above} | {below} | {score:.4f} | {worst:.3f} | {count:.2f} |")
                good = score >= full_f1 - CASCADE_TOLERANCE
                good = good and worst >= full_worst - CASCADE_TOLERANCE
                if good and count < fewest:
                    best, fewest = (first, above, below), count
    print(f"READ_FIRST = {best[0]}\nSETTLED_ABOVE = {best[1]}\nSETTLED_BELOW = {best[2]}"
          f"  # {fewest:.2f} passages read on average")  # fmt: skip
    answering.READ_FIRST, answering.SETTLED_ABOVE, answering.SETTLED_BELOW = best


def without_validation_halves(
    paragraphs: dict[str, str], cache: Path, qa_reader: SpanReader | None = None
):
    """Two indexes of every paragraph but those of half the validation articles, with the
    articles each leaves out, read by `qa_reader` (default: the shipped reader). Every
    validation question is then asked once with its article in the index and once without it,
    so "answerable" is never one article's questions alone."""
    articles = sorted(VALIDATION_ARTICLES)
    for left_out in (set(articles[0::2]), set(articles[1::2])):
        kept = {n: t for n, t in paragraphs.items() if int(n[:2]) not in left_out}
        name = "squad-without-" + "-".join(str(a + 1) for a in sorted(left_out))
        yield warm_engine(name, kept, cache, qa_reader), left_out


def warm_engine(
    name: str, paragraphs: dict[str, str], cache: Path, qa_reader: SpanReader | None = None
) -> Engine:
    """An Engine over the index `name` of `paragraphs` (built once in `cache`), reading with
    `qa_reader` (default: the shipped reader), its models loaded."""
    engine = Engine(evaldata.build_index(name, paragraphs, cache))
    if qa_reader is not None:
        engine.qa_reader = qa_reader
    return engine.warm_up()


def table(title: str, rows: dict[str, dict[str, float]], columns: list[str]) -> None:
    print(f"\n{title}\n| method | {' | '.join(columns)} |")
    print("| --- " * (len(columns) + 1) + "|")
    for name, row in rows.items():
        cells = [f"{row[c]:.0f}" if c.endswith("_ms") else f"{row[c]:.3f}" for c in columns]
        print(f"| {name} | {' | '.join(cells)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=0, help="cap per measurement (0: all)")
    parser.add_argument("--cache", type=Path, default=evaldata.DEFAULT_CACHE)
    parser.add_argument("--fit", action="store_true", help="fit on the validation articles")
    parser.add_argument(
        "--fit-only",
        action="store_true",
        help="with --fit, stop after fitting: nothing is scored on the evaluation split",
    )
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument(
        "--reader",
        type=Path,
        help="measure (and with --fit, fit docqa's constants to) another reader folder "
        "(default: the shipped one)",
    )
    parser.add_argument(
        "--read-tokens",
        type=lambda v: None if v == "all" else int(v),
        default=answering.READ_TOKENS,
        help="tokens of each passage the reader reads ('all': the whole passage; default "
        "%(default)s, answering.READ_TOKENS)",
    )
    args = parser.parse_args()
    if args.fit_only and not args.fit:
        parser.error("--fit-only goes with --fit")
    answering.READ_TOKENS = args.read_tokens
    paragraphs, questions = evaldata.load_squad()
    evaluation = [q for q in questions if article_of(q) in EVALUATION_ARTICLES]
    validation = [q for q in questions if article_of(q) in VALIDATION_ARTICLES]
    if args.questions:
        evaluation = evaldata.sample(evaluation, args.questions)
        validation = evaldata.sample(validation, args.questions)
    print(f"machine: {evaldata.machine()}; {len(evaluation)} evaluation questions "
          f"(articles {min(EVALUATION_ARTICLES) + 1}-{max(EVALUATION_ARTICLES) + 1}); "
          f"the reader reads {args.read_tokens or 'all'} tokens of each passage")  # fmt: skip

    reader = load_reader(args.reader.resolve()) if args.reader else None
    engine = warm_engine("squad", paragraphs, args.cache, reader)
    if args.fit:
        fit(engine, validation, paragraphs, args.cache)
        if args.fit_only:
            return
    even = {n: t for n, t in paragraphs.items() if int(n[:2]) % 2 == 0}
    half = warm_engine("squad-even", even, args.cache, reader)

    gold = {m: quality(gold_paragraph(engine, m, evaluation, paragraphs)) for m in args.methods}
    table("Gold paragraph given", gold, ["em", "f1", "sentence", "p50_ms"])
    opened = {m: quality(open_corpus(engine, m, evaluation)) for m in args.methods}
    table(f"Open corpus ({len(paragraphs)} paragraphs)", opened,
          ["top5", "cited", "sentence", "em", "f1", "p50_ms"])  # fmt: skip

    inside = [q for q in evaluation if article_of(q) % 2 == 0]
    outside = [q for q in evaluation if article_of(q) % 2 == 1]
    for method in args.methods:
        answerable = [o.confidence for o in open_corpus(half, method, inside)]
        unanswerable = [o.confidence for o in open_corpus(half, method, outside)]
        default = 0.5 if method == "heuristic" else calibration.ABSTAIN_BELOW
        print(f"\nAbstention ({method}): {len(inside)} answerable vs {len(outside)} unanswerable")
        print("| threshold | no-answer precision | no-answer recall | answerable answered |")
        print("| --- | --- | --- | --- |")
        for threshold in sorted({default, 0.3, 0.4, 0.5, 0.6, 0.7}):
            a = abstention(answerable, unanswerable, threshold)
            mark = " (default)" if threshold == default else ""
            print(f"| {threshold:.2f}{mark} | {a['precision']:.3f} | {a['recall']:.3f} "
                  f"| {a['answered']:.3f} |")  # fmt: skip
        rows, error = reliability(answerable, unanswerable)
        print(f"\nCalibration ({method}): expected calibration error {error:.3f}")
        print("| confidence | questions | mean confidence | share answerable |")
        print("| --- | --- | --- | --- |")
        for span, count, mean_c, rate in rows:
            print(f"| {span} | {count} | {mean_c:.3f} | {rate:.3f} |")


if __name__ == "__main__":
    main()
