"""Answers that a document defines: "Who is the landlord?" of "... between Harbourview Properties
Ltd (the Landlord) and Samuel Ortiz (the Tenant)", "What is NWO?" of "the Dutch Research Council
(NWO)".

Contracts, policies and papers name a party or a body once, where they define the word or the
abbreviation the rest of the text calls it by. The reader, trained on Wikipedia's prose, reads
such a sentence poorly: asked "Who is the landlord?", it marked "Samuel Ortiz" at 0.98, the name
before "(the Tenant)". A question that asks who or what the defined term is, and nothing more,
is answered by the name before the parenthesis that defines it.
"""

from __future__ import annotations

import re

from app.answer.stems import stem
from app.records import Passage

# "(the Landlord)", '(the "Tenant")', '("Company")', '(hereinafter referred to as the "Buyer")',
# "(NWO)": a capitalised term of at most four words in parentheses.
_DEFINED = re.compile(
    r"\(\s*(?:hereinafter(?:\s+(?:referred\s+to|called))?(?:\s+as)?\s+)?(?:the\s+)?"
    r"[\"“'‘]?(?:the\s+)?([A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3})[\"”'’]?\s*\)"
)
# "Who is the landlord?", "What was the NWO?", "What does NWO stand for?"
_ASKS_WHO_OR_WHAT = re.compile(
    r"^\W*(?:(?:who|what)\s+(?:is|are|was|were)\s+(?:the\s+)?(?P<term>[\w&. -]+?)"
    r"|what\s+(?:does|did)\s+(?:the\s+)?(?P<short>[\w&. -]+?)\s+(?:stand\s+for|mean))\W*$",
    re.I,
)
_NAME_WORD = re.compile(r"[A-Z][\w&.'’-]*")  # "Harbourview", "Ltd", "O'Brien", "Inc."
# Lower-case words inside a name: "Bank of Scotland plc", "Smith and Sons Ltd", "Panel on
# Climate Change", "Court of Justice of the European Union"; and the suffixes after a comma:
# "Acme, Inc.".
_JOINING = frozenset(
    {"of", "and", "&", "on", "for", "in", "to", "the", "de", "van", "von", "der", "la", "du"}
)
_SUFFIXES = frozenset({"inc", "inc.", "ltd", "ltd.", "llc", "plc", "gmbh", "co.", "corp."})
_ARTICLES = frozenset({"the", "a", "an"})
NAME_WORDS = 8  # a name is at most this many words


def defined_term(question: str) -> str | None:
    """The term that `question` asks the meaning of, lower case, if that is all it asks."""
    found = _ASKS_WHO_OR_WHAT.match(question.strip())
    if found is None:
        return None
    return (found["term"] or found["short"]).strip().lower()


def definition_for(question: str, passages: list[Passage]) -> tuple[int, int, int] | None:
    """(passage position, start, end) of the name that the first passage defining the term
    `question` asks about gives it; None when the question asks no such thing or no passage
    defines its term."""
    term = defined_term(question)
    if term is None:
        return None
    wanted = _stems(term)
    for position, passage in enumerate(passages):
        for found in _DEFINED.finditer(passage.text):
            if _stems(found[1]) == wanted:
                name = _name_before(passage.text, found.start())
                if name is not None:
                    return (position, *_spelled(passage.text, *name, found[1]))
    return None


def _spelled(text: str, start: int, end: int, term: str) -> tuple[int, int]:
    """Of the name at `start`-`end` of `text`, the shortest end whose capitalised words'
    initials spell the abbreviation `term` ("European Union" of "Court of Justice of the
    European Union (EU)"); all of it when none does ("Dutch Research Council (NWO)")."""
    letters = [c for c in term if c.isupper()]
    if " " in term or len(letters) < 2:  # a defined word ("Landlord"), no abbreviation
        return start, end
    words = list(re.finditer(r"\S+", text[start:end]))
    for first in reversed(range(len(words))):
        initials = [w.group()[0] for w in words[first:] if w.group()[0].isupper()]
        if initials == letters:
            return start + words[first].start(), end
    return start, end


def _name_before(text: str, at: int) -> tuple[int, int] | None:
    """The start and end of the name that ends just before offset `at` of `text`: its
    capitalised words (with `_JOINING` words and `_SUFFIXES` among them), back to the first
    word that is none of those, without an article or a joining word in front."""
    start = max(0, at - 200)
    words = list(re.finditer(r"\S+", text[start:at]))[-NAME_WORDS:]
    kept: list[re.Match[str]] = []
    for word in reversed(words):
        token = word.group()
        if token.endswith(",") and not (kept and kept[-1].group().lower() in _SUFFIXES):
            break  # a comma before the name ends it, but for "Acme, Inc."
        token = token.rstrip(",")
        if not (_NAME_WORD.fullmatch(token) or token.lower() in _JOINING | _SUFFIXES):
            break
        kept.append(word)
    while kept and kept[-1].group().lower() in _JOINING | _ARTICLES:
        kept.pop()  # "between ... and Samuel Ortiz", "The Dutch Research Council"
    if not kept or not any(_NAME_WORD.fullmatch(w.group().rstrip(",")) for w in kept):
        return None
    return start + kept[-1].start(), start + kept[0].end()


def _stems(text: str) -> list[str]:
    return [stem(word) for word in re.findall(r"\w+", text.lower()) if word != "the"]
