"""How much of each passage the reader must read: answer quality and tokens read per budget.

    .venv/bin/python scripts/eval_focus.py [--budgets all 192 160 128 96] [--questions N]

Chooses `answering.READ_TOKENS` on the validation split only (the reader's held-out articles
inside 1-38), on two indexes: SQuAD's paragraphs one file each (the index eval_answers.py
uses, where most chunks are shorter than any budget) and the same text one file per article,
cut into full-size chunks as real documents are. For each budget: open-corpus EM and F1 (five
passages read, as `ask` reads them before the cascade), the tokens read, and EM and F1 with the
gold paragraph given.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata
from eval_answers import VALIDATION_ARTICLES, article_of, as_passage
from squad_metric import best_em_f1

from app.answer import answering
from app.answer.focus import focus
from app.answer.overlap import query_idf
from app.engine import Engine
from app.ingest.chunking import count_tokens


def per_article(paragraphs: dict[str, str]) -> dict[str, str]:
    """Each article's paragraphs in one document, so chunks are cut as in a long file."""
    articles: dict[str, list[str]] = {}
    for name in sorted(paragraphs):
        articles.setdefault(f"article-{name[:2]}", []).append(paragraphs[name])
    return {name: "\n\n".join(texts) for name, texts in articles.items()}


def scored(engine: Engine, question, passages, idf, budget) -> tuple[float, float, int]:
    """EM, F1 and tokens read of the best answer in `passages` when the reader reads `budget`."""
    answering.READ_TOKENS = budget
    candidates = answering.rank_candidates(engine.qa_reader, question.question, passages, idf)
    best = candidates[0].text if candidates else ""
    parts = [p.text[slice(*focus(p, idf, budget))] for p in passages]
    return (*best_em_f1(best, question.answers), count_tokens(parts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", nargs="+", default=["all", "192", "160", "128", "96"])
    parser.add_argument("--questions", type=int, default=0, help="cap (0: all validation)")
    parser.add_argument("--cache", type=Path, default=evaldata.DEFAULT_CACHE)
    args = parser.parse_args()
    budgets = [None if b == "all" else int(b) for b in args.budgets]
    paragraphs, questions = evaldata.load_squad()
    validation = [q for q in questions if article_of(q) in VALIDATION_ARTICLES]
    if args.questions:
        validation = evaldata.sample(validation, args.questions)
    print(f"machine: {evaldata.machine()}; {len(validation)} validation questions")
    indexes = {
        "paragraph index": evaldata.build_index("squad", paragraphs, args.cache),
        "article index": evaldata.build_index(
            "squad-articles", per_article(paragraphs), args.cache
        ),
    }
    rows: dict[str, dict] = {str(b or "all"): {} for b in budgets}
    for label, settings in indexes.items():
        engine = Engine(settings).warm_up()
        results: dict[object, list[tuple[float, float, int]]] = {b: [] for b in budgets}
        gold: dict[object, list[tuple[float, float, int]]] = {b: [] for b in budgets}
        for q in validation:
            passages = engine.search(q.question, answering.PASSAGES_READ)
            idf = query_idf(engine.reader(), q.question)
            for budget in budgets:
                results[budget].append(scored(engine, q, passages, idf, budget))
                if label == "paragraph index":
                    given = [as_passage(q.paragraph, paragraphs[q.paragraph])]
                    gold[budget].append(scored(engine, q, given, idf, budget))
        for budget in budgets:
            row = rows[str(budget or "all")]
            em, f, tokens = (
                statistics.mean(column) for column in zip(*results[budget], strict=True)
            )
            row[label] = f"{em:.3f} / {f:.3f} | {tokens:.0f}"
            if gold[budget]:
                em, f, _ = (statistics.mean(column) for column in zip(*gold[budget], strict=True))
                row["gold"] = f"{em:.3f} / {f:.3f}"
    print("\n| budget | paragraph index: open EM / F1 | tokens read | article index: open EM / "
          "F1 | tokens read | gold paragraph EM / F1 |\n" + "| --- " * 6 + "|")  # fmt: skip
    for budget, row in rows.items():
        print(f"| {budget} | {row['paragraph index']} | {row['article index']} | {row['gold']} |")


if __name__ == "__main__":
    main()
