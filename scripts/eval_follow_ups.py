"""Follow-up questions in a chat: the same topic, or a new one introduced with "And ...".

    .venv/bin/python scripts/eval_follow_ups.py [--pairs 300] [--cache /tmp/docqa-eval]

SQuAD has no conversations, so pairs are made from the evaluation split (articles 39-48, all
2,067 dev paragraphs indexed, as in eval_answers.py): a first question, then a second one
asked as "And <question>?" with the first as the chat's history.
- same paragraph: the second question comes from the first one's paragraph, the follow-up a
  user makes when the answer leads on;
- new topic: the second question comes from another article, a user moving on in one chat.

Each second question is answered four ways: alone (no history: the ceiling); with the rules
docqa used before (a follow-up is searched for with the question before it, and read in the
passages holding that question's words); with today's reading rule alone
(`follow_ups.follow_up_topic`: only a follow-up that refers back, with "it", "them", "there"...,
is read on the earlier topic; one that names something new is read on that); and as docqa
answers today, where a follow-up that does not refer back is also searched for alone, the two
rankings taking turns, the one with the earlier question first (`follow_ups.taking_turns`).
A fifth way puts the follow-up's own search first. docqa's way was chosen on pairs from
articles 1-38 (`--split training`; the two orders tied on F1, the earlier-first one led on EM
by 0.002); the figures are on articles 39-48. EM and F1 use the official SQuAD v1.1
normalisation.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata
from eval_answers import EVALUATION_ARTICLES, article_of
from squad_metric import best_em_f1

from app.answer import follow_ups
from app.engine import Engine

LOWER_STARTS = set(
    "what who whom whose when where which why how in on at by for from of the a an during after "
    "before to with is are was were did does do".split()
)


def and_question(question: str) -> str:
    """ "And" before the question, its first word in lower case unless it is a name."""
    first, _, rest = question.partition(" ")
    if first.lower() in LOWER_STARTS:
        first = first.lower()
    return f"And {first} {rest}".rstrip()


def pairs(questions: list, count: int, same_paragraph: bool) -> list[tuple]:
    rng = random.Random(2026)
    by_paragraph: dict[str, list] = {}
    for q in questions:
        by_paragraph.setdefault(q.paragraph, []).append(q)
    made = []
    while len(made) < count:
        first = rng.choice(questions)
        if same_paragraph:
            others = [q for q in by_paragraph[first.paragraph] if q.id != first.id]
        else:
            others = [q for q in questions if q.article != first.article]
        if others:
            made.append((first, rng.choice(others)))
    return made


def earlier_topic_only(
    question: str, asked: dict[str, float], earlier: dict[str, float]
) -> list[dict[str, float]]:
    """The rule before: every follow-up is read on the earlier question's own words."""
    return [{word: weight for word, weight in earlier.items() if word not in asked}]


def with_the_earlier(with_earlier: list, alone: list) -> list:
    """The search before: a follow-up is searched for with the question before it only."""
    return with_earlier


def score(engine: Engine, made: list[tuple], history: bool) -> dict[str, float]:
    results = []
    for first, second in made:
        if history:
            answer = engine.ask(and_question(second.question), history=[first.question])
        else:
            answer = engine.ask(second.question)
        results.append((best_em_f1(answer.answer or "", second.answers), answer))
    return {
        "em": statistics.mean(em for (em, _), _ in results),
        "f1": statistics.mean(f1 for (_, f1), _ in results),
        "cited": statistics.mean(
            bool(a.citations) and a.citations[0].source == s.paragraph
            for (_, a), (_, s) in zip(results, made, strict=True)
        ),
        "answered": statistics.mean(a.answer is not None for _, a in results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=300, help="pairs of each kind")
    parser.add_argument("--cache", type=Path, default=evaldata.DEFAULT_CACHE)
    parser.add_argument(
        "--split",
        choices=["evaluation", "training"],
        default="evaluation",
        help="articles 39-48 (figures), or 1-38 (for choosing between ways)",
    )
    args = parser.parse_args()
    paragraphs, questions = evaldata.load_squad()
    wanted = EVALUATION_ARTICLES if args.split == "evaluation" else range(EVALUATION_ARTICLES[0])
    evaluation = [q for q in questions if article_of(q) in wanted]
    engine = Engine(evaldata.build_index("squad", paragraphs, args.cache))
    engine.warm_up()
    print(
        f"machine: {evaldata.machine()}; {args.pairs} pairs of each kind, articles "
        f"{min(wanted) + 1}-{max(wanted) + 1}\n"
    )
    print("| second question | asked | EM | F1 | cites its paragraph | answered |")
    print("| --- | --- | --- | --- | --- | --- |")
    topic, turns = follow_ups.follow_up_topic, follow_ups.taking_turns
    ways: dict[str, tuple[bool, Callable, Callable]] = {
        "alone (no history)": (False, topic, turns),
        "after the first, rules before": (True, earlier_topic_only, with_the_earlier),
        "after the first, today's reading rule only": (True, topic, with_the_earlier),
        "after the first, as docqa does today": (True, topic, turns),
        "after the first, today's, but the follow-up's own search first": (
            True,
            topic,
            lambda with_earlier, alone: turns(alone, with_earlier),
        ),
    }
    for kind, same in (("same paragraph", True), ("new topic", False)):
        made = pairs(evaluation, args.pairs, same)
        for way, (history, topic_rule, search_rule) in ways.items():
            follow_ups.follow_up_topic, follow_ups.taking_turns = topic_rule, search_rule
            try:
                result = score(engine, made, history)
            finally:
                follow_ups.follow_up_topic, follow_ups.taking_turns = topic, turns
            print(f"| {kind} | {way} | {result['em']:.3f} | {result['f1']:.3f} | "
                  f"{result['cited']:.3f} | {result['answered']:.3f} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
