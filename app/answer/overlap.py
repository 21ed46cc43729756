"""How much of a question's information a piece of text contains: IDF-weighted overlap of
stemmed words, IDF taken from the index's keyword table.

Both answer steps use it: the reader's confidence (the question's words around the marked span
tell a passage about the question from one merely on its topic) and the sentence ranking.
"""

from __future__ import annotations

import math
import re

from app.answer.retrieval import content_words
from app.answer.stems import stem
from app.store import keywords
from app.store.folder import IndexReader


class QueryIdf(dict[str, float]):
    """Each content word of a question and its inverse document frequency; `keyword_mass` is
    what BM25 weighs those words by in all (FTS5's idf summed), the score per unit of which
    tells how fully a passage matches them.

    The two IDFs agree on a large index (0.99 of each other, median over SQuAD questions), but
    FTS5's is nothing for a word in half the chunks or more, so it is nothing for every word of
    an index of one or two chunks: a single short document. A passage's BM25 score there is
    near zero, and divided by the IDF mass it said "matches none of the question's words"."""

    keyword_mass: float = 0.0


def query_idf(reader: IndexReader, query: str) -> QueryIdf:
    """Inverse document frequency of each content word of the query, from the keyword index."""
    words = content_words(query)
    total = max(1, reader.chunk_count)
    frequencies = reader.document_frequencies(words)
    idf = QueryIdf({w: math.log(1 + total / (1 + frequencies.get(w, 0))) for w in words})
    idf.keyword_mass = sum(keywords.idf(total, frequencies.get(w, 0)) for w in words)
    return idf


def overlap(idf: dict[str, float], text: str) -> float:
    """Share of the query's information (IDF mass) whose words `text` contains (stemmed).

    Only the words of `text` that begin with the letter a query word's stem begins with are
    stemmed: a Snowball stem keeps its word's first letter (not always the second: "dying" is
    "die"), so no other word can match, and the pure-Python stemmer is most of the cost of
    looking (the answer step looks in every sentence it reads).
    """
    if not idf:
        return 0.0
    return sum(idf[word] for word in found_in(idf, text)) / sum(idf.values())


def found_in(words: dict[str, float] | list[str], text: str) -> list[str]:
    """Those of `words` that `text` contains, stemmed (see `overlap`)."""
    wanted = {word: stem(word) for word in words}
    starts = {s[:1] for s in wanted.values()}
    present = {stem(w) for w in re.findall(r"\w+", text.lower()) if w[:1] in starts}
    return [word for word, stemmed in wanted.items() if stemmed in present]


def word_positions(text: str) -> dict[str, list[int]]:
    """Where each stemmed word of `text` occurs."""
    positions: dict[str, list[int]] = {}
    for match in re.finditer(r"\w+", text.lower()):
        positions.setdefault(stem(match.group()), []).append(match.start())
    return positions
