"""Keyword terms and BM25 scores exactly as SQLite FTS5 makes them, for stores that are not FTS5.

The FAISS store ranks keywords with FTS5's `bm25()` over the `porter unicode61 remove_diacritics
2` tokenizer. The Milvus store must rank the same passages the same way, so it takes its terms
from that very tokenizer (a scratch in-memory FTS5 table, not a re-implementation that would
drift: Snowball's Porter stems "is" to "i" and "assembly" to "assembli", FTS5 does neither) and
rescores with FTS5's formula over the corpus statistics docqa keeps.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections.abc import Sequence

TOKENIZER = "porter unicode61 remove_diacritics 2"
BM25_K1 = 1.2  # SQLite's constants (fts5_aux.c)
BM25_B = 0.75
MIN_IDF = 1e-6  # FTS5's floor for a phrase in more than half of the rows

_local = threading.local()  # an SQLite connection belongs to the thread that opened it

Phrase = tuple[str, ...]


def keyword_terms(texts: Sequence[str]) -> list[list[str]]:
    """The terms FTS5 indexes for each text, in order: folded, accents removed, Porter-stemmed.

    FTS5 cuts a token at 32,768 bytes, inside a character if it must (10,923 CJK characters
    without a space or stop): such a term keeps the whole characters it holds."""
    db = _tokenizer()
    try:
        db.executemany("INSERT INTO scratch (rowid, text) VALUES (?, ?)", enumerate(texts))
        query = "SELECT doc, CAST(term AS BLOB) FROM scratch_terms ORDER BY doc, offset"
        rows = db.execute(query).fetchall()
    finally:  # a text SQLite refuses (a lone surrogate) must not leave rows for the next call
        db.execute("DELETE FROM scratch")
    terms: list[list[str]] = [[] for _ in texts]
    for doc, term in rows:
        terms[doc].append(term.decode("utf-8", "ignore"))
    return terms


def query_phrases(words: Sequence[str]) -> list[Phrase]:
    """One phrase per query word, as FTS5 reads the quoted word (a word may hold several terms,
    "a_b" is the phrase "a b"); words that hold no term are dropped, as FTS5 matches nothing."""
    return [tuple(terms) for terms in keyword_terms(words) if terms]


def occurrences(phrase: Phrase, terms: Sequence[str]) -> int:
    """How often `phrase` occurs in `terms` (consecutive terms, overlaps counted, as FTS5 does)."""
    if len(phrase) == 1:
        return terms.count(phrase[0])
    n = len(phrase)
    return sum(1 for i in range(len(terms) - n + 1) if tuple(terms[i : i + n]) == phrase)


def idf(rows: int, rows_holding: int) -> float:
    """FTS5's inverse document frequency: log((N - n + 0.5) / (n + 0.5)), at least 1e-6."""
    value = math.log((rows - rows_holding + 0.5) / (rows_holding + 0.5))
    return value if value > 0.0 else MIN_IDF


def bm25(
    phrase_idfs: Sequence[tuple[Phrase, float]], terms: Sequence[str], average_terms: float
) -> float:
    """FTS5's `-bm25()` of one row: higher is better, summed phrase by phrase in query order."""
    norm = BM25_K1 * (1 - BM25_B + BM25_B * len(terms) / average_terms)
    score = 0.0
    for phrase, weight in phrase_idfs:
        freq = float(occurrences(phrase, terms))
        score += weight * ((freq * (BM25_K1 + 1.0)) / (freq + norm))
    return score


def _tokenizer() -> sqlite3.Connection:
    db = getattr(_local, "db", None)
    if db is None:
        db = sqlite3.connect(":memory:", isolation_level=None)
        db.execute(f"CREATE VIRTUAL TABLE scratch USING fts5 (text, tokenize='{TOKENIZER}')")
        db.execute("CREATE VIRTUAL TABLE scratch_terms USING fts5vocab (scratch, 'instance')")
        _local.db = db
    return db
