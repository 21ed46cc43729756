"""English word stems (Snowball's), shared by the question-word overlap and the file-name index."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The stem of `word`, lower-case already ("teams" -> "team", "dying" -> "die")."""
    return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _stemmer():  # -> snowballstemmer.stemmer
    import snowballstemmer

    return snowballstemmer.stemmer("english")
