"""A question without the words it says about the asker, which no passage read holds.

People ask about their documents in their own words: "how much is the deposit for my room?",
"what time can I drop my daughter off early", "where do I check in when I get to the site".
The reader, trained on questions whose every word is about the text, then scores "no answer"
above the right span, because a word of the question stands nowhere in the passage ("room",
"daughter", "site"): for the deposit -3.1 against "no answer", and +12.3 for "how much is the
deposit?". Reading the question again without such words lets the reader find the span.

Only words that tell about the asker are dropped, never what the question asks for: a word no
passage read holds, in a phrase the asker owns after a verb, an auxiliary or a preposition
("... for my room", "drop my daughter off", "can my son take") or in a clause about what the
asker does ("when we're late collecting Elsie", "when I get to the site"). "What's my policy's
excess?" keeps "excess" however the documents spell it: there the asker's phrase is the thing
asked for, and a document without it does not answer the question. A condition is part of what
is asked, so "if" opens no such clause: "If I cancel on the morning of the appointment, what
will I be charged?" keeps its morning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.answer.overlap import found_in
from app.answer.words import STOPWORDS

OWNERS = frozenset("my our".split())
# A clause about what the asker does opens with one of these and then its subject.
CLAUSE_OPENERS = frozenset("when while whilst after before until".split())
SUBJECTS = frozenset("i i'm i've i'll we we're we've we'll they they're they've they'll".split())
# Words before an owner that make its phrase the thing asked for: "what's my ...", "is my ...";
# after others it is who or what does something ("can my son take", "drop my daughter off").
ASKING = frozenset(
    """what what's whats which who who's whose when when's where where's how how's is are was
    were""".split()
)
# After one of these the asker's phrase is a subject, and the verb after it is not its own:
# "can my son take".
AUXILIARIES = frozenset("can could will would should do does did may might must shall".split())
DETERMINERS = frozenset("a an the this that these those my our your".split())
PREPOSITIONS = frozenset(
    "for to at in on of from with about into onto by near during after before".split()
)
# Verbs that say nothing of what the asker asks ("when I get to the site").
LIGHT_VERBS = frozenset("get got getting go going come coming arrive arrives be".split())

_LITTLE_OR_SUBJECT = STOPWORDS | SUBJECTS
_LITTLE_OR_LIGHT = STOPWORDS | LIGHT_VERBS
_TOKENS = re.compile(r"\w+(?:['’]\w+)?|[^\w\s]")
_CLAUSE_ENDS = frozenset(",;:?!.")


def without_own_words(question: str, texts: Iterable[str]) -> str | None:
    """`question` without its words about the asker that none of `texts` holds, or None when
    it has none (see the module's docstring)."""
    tokens = [
        (m.start(), m.end(), m.group().lower().replace("’", "'"))
        for m in _TOKENS.finditer(question)
    ]
    words = [t.removesuffix("'s") for _, _, t in tokens]  # "daughter's" as "daughter"
    candidates = {w for w in words if w[:1].isalnum() and w not in _LITTLE_OR_SUBJECT}
    if not candidates:
        return None
    text = "\n".join(texts)
    absent = set(candidates) - set(found_in(sorted(candidates), text))
    if not absent:
        return None
    dropped: set[int] = set()
    for n, word in enumerate(words):
        if word in OWNERS and n > 0 and words[n - 1] not in ASKING:
            dropped |= _owned_phrase(words, n, absent)
        elif word in CLAUSE_OPENERS and n + 1 < len(words) and words[n + 1] in SUBJECTS:
            dropped |= _clause_words(words, n, absent)
    kept = [n for n in range(len(tokens)) if n not in dropped]
    if not dropped or not any(words[n] in candidates and words[n] not in absent for n in kept):
        return None
    return _joined(question, [tokens[n][:2] for n in kept])


def _owned_phrase(words: list[str], owner: int, absent: set[str]) -> set[int]:
    """The positions to drop of the phrase the asker owns from `owner` on: its words up to the
    next little word or mark (after an auxiliary, less the verb that ends them), if none of
    them is a word the passages hold; with the owner, and the preposition before it ("for my
    room")."""
    end = owner + 1
    while end < len(words) and words[end][:1].isalnum() and words[end] not in STOPWORDS:
        end += 1
    if owner > 0 and words[owner - 1] in AUXILIARIES and end - owner > 2:
        end -= 1
    phrase = range(owner + 1, end)
    if not phrase or any(words[n] not in absent for n in phrase):
        return set()
    start = owner - 1 if owner > 0 and words[owner - 1] in PREPOSITIONS else owner
    return set(range(start, end))


def _clause_words(words: list[str], opener: int, absent: set[str]) -> set[int]:
    """The positions to drop in the clause about the asker from `opener` to the next mark:
    the whole clause when it holds no word the passages hold but light verbs, else its words
    that the passages lack, each with the little words that lead to it ("to the site")."""
    end = opener + 1
    while end < len(words) and words[end] not in _CLAUSE_ENDS:
        end += 1
    meant = [n for n in range(opener + 2, end) if words[n] not in _LITTLE_OR_LIGHT]
    if not any(words[n] in absent for n in meant):
        return set()
    if all(words[n] in absent for n in meant):
        return set(range(opener, end))
    dropped: set[int] = set()
    for n in meant:
        if words[n] in absent:
            start = n
            while start - 1 > opener + 1 and words[start - 1] in DETERMINERS:
                start -= 1
            if start - 1 > opener + 1 and words[start - 1] in PREPOSITIONS:
                start -= 1
            dropped |= set(range(start, n + 1))
    return dropped


def _joined(question: str, kept: list[tuple[int, int]]) -> str:
    """The kept tokens of `question`: a space before a word where anything stood before it."""
    parts = []
    for n, (start, end) in enumerate(kept):
        mark = not question[start].isalnum()
        parts.append(" " if n and not mark and question[kept[n - 1][1] : start] else "")
        parts.append(question[start:end])
    return "".join(parts)
