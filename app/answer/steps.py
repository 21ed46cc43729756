"""Answers that are steps: "How do I replace the cartridge?" is answered by the list of steps
that the text just before it names.

The reader, trained on SQuAD's facts, marks a phrase ("every 6 months or after 1,500 litres",
from the sentence before the steps) where the answer is the numbered or bulleted list that
follows the heading or the sentence holding the question's words. A list is a run of two or
more item lines ("1. Close the inlet valve.", "- Push the new cartridge up"); the text that
names it is what stands in the INTRO_CHARS before it.
"""

from __future__ import annotations

import re

from app.answer.overlap import overlap
from app.answer.shapes import asks_how_to
from app.records import Passage

_ITEM = r"[ \t]*(?:[*+•-]|\d{1,2}[.)]|[a-z][.)])[ \t]+\S[^\n]*"
_STEPS = re.compile(rf"(?m)^{_ITEM}(?:\n(?:[ \t]*\n)?{_ITEM})+")  # items, maybe a blank line apart
INTRO_CHARS = 300
NAMED = 0.6  # of the question's information (IDF mass) that the text before the list holds
# Words that name the list, not what it is about ("What are the steps to ...?"): not counted.
LIST_WORDS = frozenset({"step", "steps", "procedure", "instructions", "process"})


def steps_for(
    question: str, passages: list[Passage], idf: dict[str, float]
) -> tuple[int, int, int] | None:
    """(passage position, start, end) of the list of steps that `question` asks for: the one
    whose INTRO_CHARS before it hold the most of the question's information, at least NAMED,
    in the best-ranked passage on ties; None for a question that asks for no steps, or when no
    list is named."""
    named = {word: weight for word, weight in idf.items() if word not in LIST_WORDS}
    if not named or not asks_how_to(question):
        return None
    best: tuple[float, int, int, int] | None = None
    for position, passage in enumerate(passages):
        for found in _STEPS.finditer(passage.text):
            intro = passage.text[max(0, found.start() - INTRO_CHARS) : found.start()]
            held = overlap(named, intro)
            if held >= NAMED and (best is None or held > best[0]):
                best = (held, position, found.start(), found.end())
    return None if best is None else best[1:]
