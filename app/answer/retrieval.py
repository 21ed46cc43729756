"""Question -> passages, best first: dense vectors (FAISS) and BM25 keywords (SQLite FTS5), fused.

Dense search finds paraphrases; keyword search finds rare names, numbers and codes that a small
embedding model blurs. Reciprocal rank fusion combines the two rankings without having to put
cosine similarities and BM25 scores on one scale. The default mode and weights were chosen on
SciFact and SQuAD (see BENCHMARKS.md).
"""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Literal

import numpy as np

from app.answer.compounds import spelled_as_indexed
from app.answer.file_names import named_sources
from app.answer.words import content_words
from app.models.embedder import Embedder
from app.records import Passage, StoredChunk
from app.store.filters import condition, restrict
from app.store.folder import IndexReader

Mode = Literal["hybrid", "dense", "keyword"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "keyword")
RRF_K = 20  # Cormack et al. use 60; 20 measured better on SciFact and SQuAD (BENCHMARKS.md)
DENSE_WEIGHT = 1.0
KEYWORD_WEIGHT = 1.0
# A question that names a file by its name (app.answer.file_names) but finds none of its
# passages among the first NAMED_WITHIN (the passages the reader reads) gets the best of them
# fused in as a ranking of its own, of this weight (0: never), and placed no lower than
# NAMED_WITHIN.
NAMED_WEIGHT = 1.0
NAMED_WITHIN = 5
CANDIDATES = 100  # depth of each ranking that fusion looks at
KEYWORDS = 64  # words of a question that keyword search uses at most
TIE_DIGITS = 9  # scores equal to this many decimals are a tie (stores differ in the last bits)
_KEYWORD_SEARCHES = ThreadPoolExecutor(max_workers=8, thread_name_prefix="docqa-keywords")


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
        pending = _KEYWORD_SEARCHES.submit(_keyword_search, reader, query, depth)
    if mode in ("hybrid", "dense"):
        vector = embed_query(embedder, query) if query_vector is None else query_vector
        dense = reader.search_vectors(vector, depth)
    if pending is not None:
        words, keyword = pending.result()
    if mode == "dense":
        ranked = dense
    elif mode == "keyword":
        ranked = keyword
    else:
        ranked = fuse([(dense, DENSE_WEIGHT), (keyword, KEYWORD_WEIGHT)])
        named = _named_files_passages(reader, vector, words, ranked) if NAMED_WEIGHT else []
        if named:
            fused = fuse([(dense, DENSE_WEIGHT), (keyword, KEYWORD_WEIGHT), (named, NAMED_WEIGHT)])
            ranked = _within_reach(fused, [chunk_id for chunk_id, _ in named])
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


def _keyword_search(
    reader: IndexReader, query: str, depth: int
) -> tuple[list[str], list[tuple[int, float]]]:
    """The words searched for and the chunks found. The keyword index matches terms, where the
    embedding model reads "wifi" and "Wi-Fi" alike, so a compound word of the question is
    also searched for as the documents spell it (app.answer.compounds); as asked too, for
    "angiogenesis" in "Anti-Angiogenesis" is a word of its own."""
    spelled = spelled_as_indexed(reader, query)
    words = content_words(query if spelled == query else f"{query}\n{spelled}")[:KEYWORDS]
    return words, reader.search_keywords(words, depth)


def _named_files_passages(
    reader: IndexReader, vector: np.ndarray, words: list[str], ranked: list[tuple[int, float]]
) -> list[tuple[int, float]]:
    """The best passage (by similarity) of each file the question names by its name
    (app.answer.file_names) that has none among the first NAMED_WITHIN passages of `ranked`:
    its name says what its text does not ("the Teams chat"). A file that has one there was
    found by its text, and its name adds nothing ("Saltmere" in the question and in
    `saltmere-lighthouse-history.pdf`, the answer in another file that says "Saltmere")."""
    sources = named_sources(reader.manifest, words)
    if not sources:
        return []
    first = reader.chunks([chunk_id for chunk_id, _ in ranked[:NAMED_WITHIN]])
    found = {chunk.source for chunk in first.values()}
    best = [
        hit
        for source in sources
        if source not in found
        for hit in restrict(reader, condition("source", "eq", source)).search_vectors(vector, 1)
    ]
    return sorted(best, key=lambda hit: -hit[1])


def _within_reach(ranked: list[tuple[int, float]], named: list[int]) -> list[tuple[int, float]]:
    """`ranked` with each of the `named` passages at least at place NAMED_WITHIN (counting
    them from the last), so the reader reads them, however little else matched them."""
    kept = [hit for hit in ranked if hit[0] not in named]
    slot = kept[NAMED_WITHIN - len(named)][1] if len(kept) > NAMED_WITHIN - len(named) else 0.0
    raised = [
        (chunk_id, max(score, slot + (len(named) - n) * 1e-6))
        for n, (chunk_id, score) in enumerate(hit for hit in ranked if hit[0] in named)
    ]
    return sorted(kept + raised, key=lambda item: (-item[1], item[0]))


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


def without_copies(passages: list[Passage]) -> list[Passage]:
    """`passages` less those whose text (spacing aside) a better-ranked one already has.

    A document saved twice, a message quoted in its reply, or a handbook that repeats its
    boilerplate would otherwise fill the reading with copies of one text (two distinct texts
    in the top five, measured on real office files) and show it several times as the closest
    passages."""
    seen: set[str] = set()
    kept = []
    for passage in passages:
        text = " ".join(passage.text.split())
        if text not in seen:
            seen.add(text)
            kept.append(passage)
    return kept
