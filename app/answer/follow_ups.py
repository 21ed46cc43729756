"""Follow-up questions in a chat: what to search with, and which passages to read.

A chat's follow-up ("and how many of them were Lithuanian?") leans on the question before it,
so it is searched for with both. The reader still reads the follow-up alone (given both it
marks spans that answer both at once), in the passages on the follow-up's topic. Whether that
topic is the earlier one depends on whether the follow-up refers back ("them", "it",
"there"): "and what should the boiler pressure be?" names a topic of its own, and is also
searched for alone. Measured on pairs of SQuAD questions: scripts/eval_follow_ups.py.
"""

from __future__ import annotations

import re
from itertools import zip_longest

from app.answer.overlap import overlap
from app.records import Passage

REFERS_BACK = re.compile(  # "there", but not "is there a ...", which refers to nothing
    r"\b(they|them|their|it|its|he|him|his|she|her|those|these|that one|this one|"
    r"(?<!is )(?<!are )(?<!was )(?<!were )there|there(?=\W*$))\b",
    re.I,
)
FOLLOW_UP = re.compile(
    r"^(and|but|also|so|then|what about|how about)\b|" + REFERS_BACK.pattern, re.I
)


def refers_back(question: str) -> bool:
    return bool(REFERS_BACK.search(question))


def contextual_query(question: str, history: list[str]) -> str:
    """The text to search with: a follow-up borrows the previous question's words."""
    if history and FOLLOW_UP.search(question):
        return f"{history[-1]} {question}"
    return question


def taking_turns(first: list[Passage], second: list[Passage]) -> list[Passage]:
    """The passages of two rankings alternately, `first`'s best first, each passage once."""
    merged: dict[int, Passage] = {}
    for pair in zip_longest(first, second):
        for passage in pair:
            if passage is not None:
                merged.setdefault(passage.id, passage)
    return list(merged.values())


def follow_up_topic(
    question: str, asked: dict[str, float], earlier: dict[str, float]
) -> list[dict[str, float]]:
    """The words that say what a follow-up is about, the likelier first (word -> IDF).

    One that refers back ("and how many of them were Lithuanian?") is about the earlier
    question's own words; one that names something new without referring back ("and what
    about the oven?", "and what should the boiler pressure be?") is about its own new words,
    and about the earlier topic only when no passage holds those.
    """
    before = {word: weight for word, weight in earlier.items() if word not in asked}
    new = {word: weight for word, weight in asked.items() if word not in earlier}
    return [before] if refers_back(question) else [new, before]


def on_topic(passages: list[Passage], topics: list[dict[str, float]]) -> list[Passage]:
    """The passages that hold the most of the first of `topics` any passage holds, at least
    half as much as the best one; best-ranked first. None when no passage holds any."""
    for topic in topics:
        shares = [overlap(topic, p.text) for p in passages]
        best = max(shares, default=0.0)
        if best > 0.0:
            return [p for p, share in zip(passages, shares, strict=True) if share >= best / 2]
    return []
