"""FTS5's BM25 ranking, computed from postings held in memory instead of row by row in SQLite.

FTS5 finds the chunks holding a question's words in half a millisecond, then calls `bm25()` once
per matching chunk, reading each word's positions again: 6 ms of every hybrid search on SciFact,
more than the question's encoding (BENCHMARKS.md). Here each word's postings (which chunks hold
it, how often) are read from FTS5's own index the first time a question uses the word and kept,
so a search is a few array operations. The formula, the corpus statistics and the order of the
sums are FTS5's (fts5_aux.c), so the scores are FTS5's to the last bit and the ranking is the
one FTS5 gives (tests/store/test_postings.py compares the two).
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence

import numpy as np

from app.store.keywords import BM25_B, BM25_K1, Phrase, idf, keyword_terms, query_phrases

POSTINGS_KEPT = 8_000_000  # (chunk, count) pairs kept in memory, about 100 MB at most


class KeywordScorer:
    """BM25 over one published FTS5 table (`chunks_fts` of a read-only connection)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunk_terms "
                   "USING fts5vocab(main, chunks_fts, instance)")  # fmt: skip
        rows = db.execute("SELECT id, sz FROM chunks_fts_docsize ORDER BY id").fetchall()
        self._ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        sizes = np.fromiter((_varint(r[1]) for r in rows), dtype=np.float64, count=len(rows))
        # FTS5's length normalisation of each row: k1 * (1 - b + b * D / avgdl)
        average = float(sizes.sum()) / len(rows) if rows else 1.0
        self._norms = BM25_K1 * (1 - BM25_B + BM25_B * sizes / average)
        self._kept: OrderedDict[Phrase, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._kept_size = 0
        self._turn = threading.Lock()

    def search(
        self, words: Sequence[str], k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The `k` best chunks holding any of `words` (among the sorted ids `allowed`, all
        without it), as (id, -bm25) pairs, best first; ties by id, as FTS5 orders them."""
        rows = len(self._ids)
        places, parts = [], []
        for where, counts in map(self._postings, query_phrases(words)):
            weight = idf(rows, len(where))
            places.append(where)
            parts.append(weight * ((counts * (BM25_K1 + 1.0)) / (counts + self._norms[where])))
        if not places:
            return []
        # Summed per row in the question's phrase order, a repeated phrase again ("cell",
        # "cells"), as FTS5 sums them: np.add.at adds in the order given.
        hits, slot = np.unique(np.concatenate(places), return_inverse=True)
        scores = np.zeros(len(hits))
        np.add.at(scores, slot, np.concatenate(parts))
        if allowed is not None:
            admitted = np.isin(self._ids[hits], allowed, assume_unique=True)
            hits, scores = hits[admitted], scores[admitted]
        best = np.lexsort((hits, -scores))[:k]  # positions follow ids, so ties go by id
        return [(int(self._ids[hits[i]]), float(scores[i])) for i in best]

    def frequencies(self, words: Sequence[str]) -> list[int]:
        """How many chunks hold each of `words`, as FTS5 would count the rows matching it quoted;
        the words are tokenized together, in one call of FTS5's tokenizer."""
        return [
            len(self._postings(tuple(terms))[0]) if terms else 0 for terms in keyword_terms(words)
        ]

    def _postings(self, phrase: Phrase) -> tuple[np.ndarray, np.ndarray]:
        """(positions in the id array, occurrence counts) of the rows holding `phrase`."""
        with self._turn:
            kept = self._kept.get(phrase)
            if kept is not None:
                self._kept.move_to_end(phrase)
                return kept
        by_row = self._occurrences(phrase)
        ids = np.fromiter(by_row, dtype=np.int64, count=len(by_row))
        order = np.argsort(ids)
        where = np.searchsorted(self._ids, ids[order])
        counts = np.fromiter(by_row.values(), dtype=np.float64, count=len(by_row))[order]
        with self._turn:
            if phrase not in self._kept:  # another thread may have read it meanwhile
                self._kept[phrase] = (where, counts)
                self._kept_size += len(where)
            while self._kept_size > POSTINGS_KEPT and len(self._kept) > 1:
                _, (dropped, _) = self._kept.popitem(last=False)
                self._kept_size -= len(dropped)
        return where, counts

    def _occurrences(self, phrase: Phrase) -> dict[int, int]:
        """How often `phrase` occurs in each row holding it: its terms at consecutive offsets,
        overlaps counted, as FTS5 counts a phrase."""
        query = "SELECT doc, offset FROM temp.chunk_terms WHERE term = ?"
        if len(phrase) == 1:
            query = "SELECT doc, count(*) FROM temp.chunk_terms WHERE term = ? GROUP BY doc"
            return dict(self._db.execute(query, phrase).fetchall())
        starts = set(self._db.execute(query, (phrase[0],)).fetchall())
        for shift, term in enumerate(phrase[1:], start=1):
            later = set(self._db.execute(query, (term,)).fetchall())
            starts = {(doc, at) for doc, at in starts if (doc, at + shift) in later}
        return dict(Counter(doc for doc, _ in starts))


def _varint(blob: bytes) -> int:
    """The first SQLite varint of `blob`: FTS5 stores a row's token count so."""
    value = 0
    for i, byte in enumerate(blob[:9]):
        if i == 8:
            return (value << 8) | byte
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value
    return value
