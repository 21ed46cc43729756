"""The words of a question that carry its meaning, as retrieval and the answer step read them."""

from __future__ import annotations

import re

# Words too common to carry meaning; dropping them keeps FTS5 queries fast on large corpora.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its itself
    just me more most my myself no nor not now of off on once only or other our ours ourselves out
    over own same she should so some such than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself yourselves""".split()
)


def content_words(text: str) -> list[str]:
    """The distinct lower-cased words of `text` that carry meaning, in order."""
    return [w for w in dict.fromkeys(re.findall(r"\w+", text.lower())) if w not in STOPWORDS]
