"""Answers from lists of quantities: "How many eggs do I need?" of a recipe's "4 eggs", "How much
flour?" of "275 g self-raising flour", "How much water?" of "3 litres of drinking water per person
per day".

A recipe's ingredients, a packing list or a bill of materials is a run of short lines, each a
quantity before what it counts. The reader, trained on SQuAD's prose, reads such lines poorly:
it proposed "4" at a margin of -7 below its "no answer" score, and the question got none. The
question names the thing; the line that holds it is the answer, the quantity with what it
counts and how ("per person per day").
"""

from __future__ import annotations

import re

from app.answer.retrieval import content_words
from app.answer.stems import stem
from app.records import Passage

_NUMBER = r"\d+(?:[.,/]\d+)?(?:[ \t]*(?:-|–|to)[ \t]*\d+(?:[.,/]\d+)?)?"
# "4 eggs", "- 275 g self-raising flour", "2-3 cloves garlic", "1.5 l water"
_ITEM = re.compile(
    rf"^[ \t]*(?:[-*•][ \t]*)?(?P<quantity>{_NUMBER})[ \t]+(?P<thing>[^\n]*[^\s])[ \t]*$",
    re.MULTILINE,
)
_VERB = r"(?:do|does|did|is|are|was|were|should|shall|will|would|can|could|must)\b"
_ASKS = re.compile(  # "How many eggs do I need?", "How much flour?", not "How much does it cost?"
    rf"^\W*how (?:many|much)\s+(?!{_VERB})(?P<thing>[\w\s'-]+?)(?:\s+{_VERB}.*)?\W*$", re.I
)
_LIST_GAP = re.compile(r"\n[ \t]*\n?")  # items follow each other, maybe a blank line apart
# An item is short: paragraphs that open with a year ("1916 saw heavy losses ...") are no list.
ITEM_WORDS = 15


def asked_thing(question: str) -> list[str]:
    """The stems of what `question` asks how many or how much of ("eggs" -> ["egg"]); none when
    it asks no such thing."""
    found = _ASKS.match(question.strip())
    return [stem(word) for word in content_words(found["thing"])] if found else []


def quantity_for(question: str, passages: list[Passage]) -> tuple[int, int, int] | None:
    """(passage position, start, end) of the list item that gives the quantity of the thing
    `question` asks how many or how much of, from its number on: of the items in runs of two
    or more, the first that holds the most of the words after "how much", from the first on
    ("flour" of "How much flour goes into the cake?", "self-raising flour" before "flour").
    None when the question asks for no quantity or no list item holds its first word."""
    thing = asked_thing(question)
    best: tuple[int, int, int, int] | None = None  # (words held, position, start, end)
    for position, passage in enumerate(passages if thing else []):
        items = [i for i in _ITEM.finditer(passage.text) if len(i.group().split()) <= ITEM_WORDS]
        for n, item in enumerate(items):
            in_list = any(
                0 <= m < len(items) and _adjacent(passage.text, items[min(n, m)], items[max(n, m)])
                for m in (n - 1, n + 1)
            )
            held = {stem(word) for word in re.findall(r"\w+", item["thing"].lower())}
            leading = next((k for k, word in enumerate(thing) if word not in held), len(thing))
            if in_list and leading and (best is None or leading > best[0]):
                best = (leading, position, item.start("quantity"), item.end("thing"))
    return None if best is None else best[1:]


def _adjacent(text: str, first: re.Match[str], second: re.Match[str]) -> bool:
    """Whether list item `second` follows `first` with at most a blank line between them."""
    return _LIST_GAP.fullmatch(text, first.end(), second.start()) is not None
