"""A question's compound words spelled as the documents spell them: "wifi" asked of "Wi-Fi",
"e-mail" of "email".

The keyword index holds "Wi-Fi" as the two terms "wi fi" and "WiFi" as the one term "wifi", so
a question that joins or splits a compound otherwise than its documents do finds none of it by
keyword, and the answer step sees none of its words in the passage that answers. Such a word is
rewritten only when the index holds none of it as asked and holds it joined or split: the
index decides, so nothing changes for a question whose words the documents use.
"""

from __future__ import annotations

import re
from typing import Protocol

from app.answer.words import STOPWORDS
from app.store.keywords import keyword_terms

# Letters, or parts of letters joined by hyphens: a whole word ("E" of "E3" is none, nor "s"
# of "Earth's")
_WORD = re.compile(r"(?<![\w'’-])[^\W\d_]+(?:-[^\W\d_]+)*(?![\w'’-])")
_SHORTEST = 4  # letters of a word before it is split or made from a join
# A one-letter first part is a compound's prefix ("e-mail", "x-ray"), except a word of its own
_LONE_LETTERS = frozenset("ai")
# The two parts of a split stand together in at least this share of the chunks holding the
# rarer of them: "wi" and "fi" nearly always do; "s" and "lower" of "slower" seldom do.
COHESION = 0.5


class Frequencies(Protocol):
    def document_frequencies(self, words: list[str]) -> dict[str, int]: ...


def spelled_as_indexed(index: Frequencies, question: str) -> str:
    """`question` with each compound the index holds only in another spelling so spelled."""
    tokens = [
        token
        for token in _WORD.finditer(question)
        if len(token.group().replace("-", "")) >= _SHORTEST
        and token.group().lower() not in STOPWORDS
    ]
    # What every word needs looked up, in one call: most words end there.
    asked = {token.group().lower() for token in tokens}
    held = index.document_frequencies(
        sorted({form for word in asked for form in _first_looked_up(word)})
    )
    out, at = [], 0
    for token in tokens:
        word = token.group().lower()
        spelling = _joined(index, word, held) if "-" in word else _split(index, word, held)
        if spelling:
            out += [question[at : token.start()], _cased_as(token.group(), spelling)]
            at = token.end()
    return "".join(out) + question[at:]


def _first_looked_up(word: str) -> tuple[str, ...]:
    """A word as asked; a compound ("e-mail") joined ("email"), and its first part ("e")."""
    parts = word.split("-")
    return ("".join(parts), parts[0]) if len(parts) > 1 else (word,)


def _joined(index: Frequencies, compound: str, held: dict[str, int]) -> str | None:
    """`compound` ("e-mail") written as one word ("email"), if the index holds only that. Not
    when the keyword index's stemmer makes the joined word its first part's stem: "British-able"
    is the term "british"."""
    parts = compound.split("-")
    joined = "".join(parts)
    if not held.get(joined, 0):
        return None
    as_indexed, first_part = keyword_terms([joined, parts[0]])
    if as_indexed == first_part:
        return None
    phrase = "_".join(parts)  # the parts in a row, as the keyword index reads "a_b"
    return None if index.document_frequencies([phrase]).get(phrase, 0) else joined


def _split(index: Frequencies, word: str, held: dict[str, int]) -> str | None:
    """`word` ("wifi") cut in two ("wi-fi") where the index holds the two parts together (see
    COHESION) and not the word; the most frequent such cut. Not into a word too common to be
    searched for: "checkout" as "check-out" would be asked for as "check" alone, as
    "check-in" is."""
    if held.get(word, 0):
        return None
    cuts = {
        f"{word[:at]}_{word[at:]}": (word[:at], word[at:])
        for at in range(1, len(word) - 1)
        if not {word[:at], word[at:]} & STOPWORDS and (at > 1 or word[0] not in _LONE_LETTERS)
    }
    counts = index.document_frequencies(list(cuts))
    for phrase in sorted(cuts, key=lambda phrase: -counts.get(phrase, 0)):
        together = counts.get(phrase, 0)
        if not together:
            return None
        parts = index.document_frequencies(list(cuts[phrase]))
        if together >= COHESION * min(parts.values()):
            return phrase.replace("_", "-")
    return None


def _cased_as(word: str, spelling: str) -> str:
    """`spelling` capitalised as `word` is, so a name stays a name to the answer step."""
    if word.isupper() and len(word) > 1:
        return spelling.upper()
    return spelling[0].upper() + spelling[1:] if word[:1].isupper() else spelling
