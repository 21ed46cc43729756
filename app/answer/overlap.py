"""How much of a question's information a piece of text contains: IDF-weighted overlap of
stemmed words, IDF taken from the index's keyword table.

Both answer steps use it: the reader's confidence (the question's words around the marked span
tell a passage about the question from one merely on its topic) and the sentence ranking.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from app.answer.retrieval import content_words
from app.answer.stems import stem
from app.store import keywords
from app.store.folder import IndexReader
from app.store.keywords import Phrase


class QueryIdf(dict[str, float]):
    """Each content word of a question and its inverse document frequency; `phrases` holds
    what the keyword index makes of each word (its FTS5 terms) with the weight that
    `keyword_share` gives it.

    That weight is BM25's inverse document frequency as Lucene takes it, ln(1 + (N - n + 0.5)
    / (n + 0.5)), not FTS5's, ln((N - n + 0.5) / (n + 0.5)) but at least 1e-6. The two agree
    for a word in few chunks, but FTS5's is nothing for a word in half the chunks or more: in
    an index of one or two chunks (one short document, what a user tries first), for every
    word the document holds. A passage holding two of a question's three words then matched
    "none of them", whatever it held, as soon as the third was missing."""

    phrases: tuple[tuple[Phrase, float], ...] = ()


def query_idf(reader: IndexReader, query: str) -> QueryIdf:
    """Inverse document frequency of each content word of the query, from the keyword index."""
    words = content_words(query)
    total = max(1, reader.chunk_count)
    frequencies = reader.document_frequencies(words)
    idf = QueryIdf({w: math.log(1 + total / (1 + frequencies.get(w, 0))) for w in words})
    idf.phrases = tuple(
        (tuple(terms), _bm25_idf(total, frequencies.get(word, 0)))
        for word, terms in zip(words, keywords.keyword_terms(words), strict=True)
        if terms
    )
    return idf


def keyword_share(idf: QueryIdf, text: str) -> float:
    """How fully `text` holds the question's keyword terms: BM25's sum over them, each weighed
    by `QueryIdf.phrases` and its count saturated as BM25 saturates it (without the length
    normalisation, which needs the corpus), per unit of their weight. Between 0 (none) and
    2.2 (each many times); it does not grow with the question's length or the corpus."""
    return _keyword_share(idf.phrases, text)


@lru_cache(maxsize=256)  # the passages of a question, for each of their candidate spans
def _keyword_share(phrases: tuple[tuple[Phrase, float], ...], text: str) -> float:
    total = sum(weight for _, weight in phrases)
    if not total:
        return 0.0
    terms = keywords.keyword_terms([text])[0]
    saturated = 0.0
    for phrase, weight in phrases:
        count = keywords.occurrences(phrase, terms)
        saturated += weight * count * (keywords.BM25_K1 + 1.0) / (count + keywords.BM25_K1)
    return saturated / total


def _bm25_idf(rows: int, rows_holding: int) -> float:
    return math.log(1 + (rows - rows_holding + 0.5) / (rows_holding + 0.5))


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


_BREAK_BEFORE = re.compile(r"[.!?]\s|\n")  # a sentence or a line ends
_BREAK_AFTER = re.compile(r"[.!?](?:\s|$)|\n")


def words_around(text: str, start: int, end: int, count: int) -> str:
    """The `count` words of `text` before offset `start` and the `count` after `end`, within
    their sentence and line: a heading's words are not the sentence's under it."""
    before = _BREAK_BEFORE.split(text[max(0, start - 20 * count) : start])[-1]
    after = _BREAK_AFTER.split(text[end : end + 20 * count])[0]
    return " ".join(re.findall(r"\w+", before)[-count:] + re.findall(r"\w+", after)[:count])


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
