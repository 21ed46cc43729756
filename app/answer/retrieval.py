"""Question -> passages, best first: dense vectors (FAISS) and BM25 keywords (SQLite FTS5), fused.

Dense search finds paraphrases; keyword search finds rare names, numbers and codes that a small
embedding model blurs. Reciprocal rank fusion combines the two rankings without having to put
cosine similarities and BM25 scores on one scale. The default mode and weights were chosen on
SciFact and SQuAD (see BENCHMARKS.md).
"""

from __future__ import annotations

import itertools
import re
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Literal

import numpy as np

from app.models.embedder import Embedder
from app.records import Passage, StoredChunk
from app.store.folder import IndexReader

Mode = Literal["hybrid", "dense", "keyword"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "keyword")
RRF_K = 20  # Cormack et al. use 60; 20 measured better on SciFact and SQuAD (BENCHMARKS.md)
DENSE_WEIGHT = 1.0
KEYWORD_WEIGHT = 1.0
CANDIDATES = 100  # depth of each ranking that fusion looks at
KEYWORDS = 64  # words of a question that keyword search uses at most
TIE_DIGITS = 9  # scores equal to this many decimals are a tie (stores differ in the last bits)
_KEYWORD_SEARCHES = ThreadPoolExecutor(max_workers=8, thread_name_prefix="docqa-keywords")

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


def search(
    reader: IndexReader,
    embedder: Embedder,
    query: str,
    k: int = 5,
    mode: Mode = "hybrid",
    query_vector: np.ndarray | None = None,
) -> list[Passage]:
    """The `k` best passages for `query`."""
    depth = max(k, CANDIDATES)
    dense: list[tuple[int, float]] = []
    keyword: list[tuple[int, float]] = []
    pending = None
    if mode in ("hybrid", "keyword"):
        # On another thread while the question is encoded: both release the GIL.
        words = content_words(query)[:KEYWORDS]
        pending = _KEYWORD_SEARCHES.submit(reader.search_keywords, words, depth)
    if mode in ("hybrid", "dense"):
        vector = embed_query(embedder, query) if query_vector is None else query_vector
        dense = reader.search_vectors(vector, depth)
    if pending is not None:
        keyword = pending.result()
    if mode == "dense":
        ranked = dense
    elif mode == "keyword":
        ranked = keyword
    else:
        ranked = fuse([(dense, DENSE_WEIGHT), (keyword, KEYWORD_WEIGHT)])
    ranked, chunks = _best_in_reading_order_of_ties(reader, ranked, k)
    dense_scores, keyword_scores = dict(dense), dict(keyword)
    return [
        Passage(
            id=c.id,
            source=c.source,
            page=c.page,
            start=c.start,
            end=c.end,
            text=c.text,
            score=round(score, 6),
            dense_score=_rounded(dense_scores.get(c.id)),
            keyword_score=_rounded(keyword_scores.get(c.id)),
            sentences=c.sentences,
        )
        for chunk_id, score in ranked
        if (c := chunks.get(chunk_id)) is not None
    ]


def _best_in_reading_order_of_ties(
    reader: IndexReader, ranked: list[tuple[int, float]], k: int
) -> tuple[list[tuple[int, float]], dict[int, StoredChunk]]:
    """The `k` best of `ranked` and their chunks. Passages of equal score come in the order of
    the corpus (file, page, offset), not in the order of ids, which differ between stores and
    between builds, so the same corpus always gives the same passages."""
    cut = ranked[:k]
    if len(ranked) > k:
        last = round(ranked[k - 1][1], TIE_DIGITS)
        cut += itertools.takewhile(lambda hit: round(hit[1], TIE_DIGITS) == last, ranked[k:])
    chunks = reader.chunks([chunk_id for chunk_id, _ in cut])
    found = [hit for hit in cut if hit[0] in chunks]

    def order(hit: tuple[int, float]) -> tuple:
        chunk = chunks[hit[0]]
        return -round(hit[1], TIE_DIGITS), chunk.source, chunk.page or 0, chunk.start

    return sorted(found, key=order)[:k], chunks


def fuse(rankings: list[tuple[list[tuple[int, float]], float]]) -> list[tuple[int, float]]:
    """Weighted reciprocal rank fusion of several (id, score) rankings, best first.

    Equal scores share a rank (the best of theirs), so how a store happens to order a tie
    (by row id in SQLite, by hash in Milvus) does not move the fused scores.
    """
    fused: dict[int, float] = {}
    for ranking, weight in rankings:
        rank, previous = 0, None
        for position, (chunk_id, score) in enumerate(ranking, start=1):
            if (tie_key := round(score, TIE_DIGITS)) != previous:
                rank, previous = position, tie_key
            fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (RRF_K + rank)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def embed_query(embedder: Embedder, query: str) -> np.ndarray:
    return _cached_query_vector(embedder, query)


def clear_query_cache() -> None:
    _cached_query_vector.cache_clear()


@lru_cache(maxsize=1024)
def _cached_query_vector(embedder: Embedder, query: str) -> np.ndarray:
    vector = embedder.encode([query], batch_size=1)[0]
    vector.setflags(write=False)
    return vector


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
