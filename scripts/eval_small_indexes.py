"""Answers and abstention in small indexes: one paragraph, three, one article.

    .venv/bin/python scripts/eval_small_indexes.py [--cache /tmp/docqa-eval-small]

A user's first index is often one short document, a chunk or two, where BM25's IDF weighs every
word at nothing (BENCHMARKS.md, "Tables in documents, and indexes of one short document"). Two
sets, both from the training split (articles 1-38), so nothing here is evaluation data:
1. the reader's validation articles of SQuAD v1.1 dev (9, 14, 20, 30), each paragraph in an index
   of its own, three neighbouring paragraphs in one, or the whole article in one; asked their
   own questions (should be answered) and questions of another of those articles (should not);
2. SQuAD 2.0's Normans article, each paragraph alone or all in one index; asked its answerable
   questions and the unanswerable ones written to look answerable from the same paragraph.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata
import reader_data
from squad_metric import best_em_f1

from app.answer.answering import ask
from app.engine import Engine
from app.store.backends import backend

VALIDATION = [int(a) - 1 for a in reader_data.VALIDATION_ARTICLES.split(",")]  # 0-based
PER_ARTICLE = 60  # answerable questions asked of a whole-article index
Question = tuple[str, list[str]]  # question, gold answers ([] when it has none)


def squad_indexes(seed: int = 7) -> Iterator[tuple[str, str, dict[str, str], list, list]]:
    """(size, name, documents, answerable, unanswerable) for each index of set 1."""
    paragraphs, questions = evaldata.load_squad()
    rng = random.Random(seed)
    asked: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        asked[q.paragraph].append((q.question, q.answers))
    for article in VALIDATION:
        names = sorted(n for n in paragraphs if int(n[:2]) == article)
        others = [q for n in paragraphs if int(n[:2]) in VALIDATION and int(n[:2]) != article
                  for q in asked[n]]  # fmt: skip
        docs = {n: paragraphs[n] for n in names}
        mine = [q for n in names for q in asked[n]]
        yield ("one article", f"a{article}", docs, rng.sample(mine, PER_ARTICLE),
               [(q, []) for q, _ in rng.sample(others, PER_ARTICLE // 2)])  # fmt: skip
        for at in range(0, len(names) - 2, 3):
            three = names[at : at + 3]
            mine = [q for n in three for q in asked[n]]
            yield ("three paragraphs", f"t{article}-{at}", {n: paragraphs[n] for n in three},
                   rng.sample(mine, min(3, len(mine))),
                   [(q, []) for q, _ in rng.sample(others, 2)])  # fmt: skip
        for name in rng.sample(names, min(15, len(names))):
            yield ("one paragraph", f"p{name[:-4]}", {name: paragraphs[name]},
                   rng.sample(asked[name], min(2, len(asked[name]))),
                   [(q, []) for q, _ in rng.sample(others, 1)])  # fmt: skip


def normans_indexes() -> Iterator[tuple[str, str, dict[str, str], list, list]]:
    """(size, name, documents, answerable, unanswerable) for each index of set 2."""
    article = json.loads(reader_data.NORMANS_V2.read_text())["data"][0]
    split = []
    for paragraph in article["paragraphs"]:
        answerable = [(qa["question"], sorted({a["text"] for a in qa["answers"]}))
                      for qa in paragraph["qas"] if not qa.get("is_impossible")]  # fmt: skip
        impossible = [(qa["question"], []) for qa in paragraph["qas"] if qa.get("is_impossible")]
        split.append((paragraph["context"], answerable, impossible))
    docs = {f"normans-{i:02d}": text for i, (text, _, _) in enumerate(split)}
    yield ("whole article", "normans", docs, [q for _, a, _ in split for q in a],
           [q for _, _, u in split for q in u])  # fmt: skip
    for i, (text, answerable, impossible) in enumerate(split):
        yield "each paragraph", f"normans-{i:02d}", {f"n{i:02d}": text}, answerable, impossible


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/docqa-eval-small"))
    args = parser.parse_args()
    evaldata.require_shared()
    engine = None
    print(f"machine: {evaldata.machine()}\n")
    for title, indexes in (("SQuAD validation articles", squad_indexes()),
                           ("SQuAD 2.0 Normans", normans_indexes())):  # fmt: skip
        totals: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0, 0, 0, 0])
        for size, name, docs, answerable, unanswerable in indexes:
            settings = evaldata.build_index(name, docs, args.cache)
            engine = engine or Engine(settings)
            index = backend(settings).open_reader()
            row = totals[size]
            row[5] = max(row[5], index.chunk_count)
            for question, gold in answerable + unanswerable:
                answer = ask(index, engine.embedder, engine.qa_reader, question).answer
                if gold:
                    row[0] += 1
                    row[1] += answer is not None
                    row[2] += best_em_f1(answer, gold)[0] if answer else 0.0
                else:
                    row[3] += 1
                    row[4] += answer is not None
        print(
            f"{title}\n| index | chunks at most | answerable | answered | EM (all) | "
            "should get no answer | answered |\n| --- | --- | --- | --- | --- | --- | --- |"
        )
        for size, (n, answered, em, negatives, wrongly, chunks) in totals.items():
            print(f"| {size} | {chunks} | {n} | {answered / n:.3f} | {em / n:.3f} | "
                  f"{negatives} | {wrongly / max(1, negatives):.3f} |")  # fmt: skip
        print()


if __name__ == "__main__":
    main()
