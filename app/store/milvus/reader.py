"""Searching the index in Milvus: dense and BM25 search over the chunks its manifest names."""

from __future__ import annotations

import functools

import numpy as np

from app.records import StoredChunk, source_key
from app.store.filters import Filter, SourceTable, milvus_expression
from app.store.keywords import Phrase, bm25, idf, keyword_terms, occurrences, query_phrases
from app.store.manifest import IndexNotFoundError, Manifest
from app.store.milvus.connection import MilvusStore
from app.store.milvus.manifest import ensure_compatible, manifest_of, read_files
from app.store.milvus.schema import has_full_text, has_sentences, sentences_of

MAX_TOP_K = 16384  # Milvus's largest search limit
# Keyword candidates that Milvus's BM25 gathers for docqa's to rescore: at least this many,
# and this many times the passages asked for (see MilvusReader.search_keywords)
KEYWORD_POOL_MIN = 200
KEYWORD_POOL_FACTOR = 4


class MilvusReader:
    """The published index, read through one manifest: chunks it does not name are invisible.

    Safe to share between threads (the client is). A newer publish shows up in
    `current_version(store)`; open a new reader then.
    """

    def __init__(self, store: MilvusStore) -> None:
        self.store = store
        files = read_files(store)
        if files.meta is None:
            raise IndexNotFoundError(
                f"no docqa index {store.name} at {store.uri}; build one with: docqa ingest "
                f"--store milvus --milvus-uri {store.uri} --milvus-collection {store.name}"
            )
        self.manifest = manifest_of(files.meta, files.entries)
        self.version: str = files.meta["stamp"]
        self.keyword_search = has_full_text(store)
        self._chunk_fields = [*CHUNK_FIELDS, "sentences"] if has_sentences(store) else CHUNK_FIELDS
        self._live = {source_key(s): c for s, c in files.contents.items() if c}
        live_entries = [e for e in self.manifest.files.values() if e.skipped is None]
        self._chunk_count = sum(e.chunks for e in live_entries)
        # FTS5's average document length: keyword terms per live chunk
        term_total = sum(files.terms.get(s, 0) for s, c in files.contents.items() if c)
        self._average_terms = term_total / max(1, self._chunk_count)
        self._phrase_frequencies: dict[Phrase, int] = {}
        self.expression = functools.lru_cache(maxsize=256)(self.expression)

    @property
    def chunk_count(self) -> int:
        return self._chunk_count

    @property
    def document_count(self) -> int:
        return sum(1 for e in self.manifest.files.values() if e.skipped is None)

    def _is_live(self, row: dict) -> bool:
        return self._live.get(row["source_key"]) == row["content_key"]

    def _search(
        self,
        data: list,
        field: str,
        k: int,
        params: dict,
        fields: tuple[str, ...] = (),
        where: Filter | None = None,
    ) -> list[dict]:
        """The `k` best live hits among the rows `where` admits, with `fields`; asks for more
        when rows of unpublished writes crowd them out."""
        expression = "" if where is None else self.expression(where)
        if expression == "id < 0":
            return []
        limit = min(k, MAX_TOP_K)
        while True:
            [hits] = self.store.client.search(
                self.store.chunks,
                data=data,
                anns_field=field,
                limit=limit,
                filter=expression,
                search_params=params,
                output_fields=["source_key", "content_key", *fields],
            )
            live = [h for h in hits if self._is_live(h)]
            if len(live) >= k or len(hits) < limit or limit == MAX_TOP_K:
                return live[:k]
            limit = min(limit * 4, MAX_TOP_K)

    def expression(self, where: Filter) -> str:
        """`where` as a Milvus filter expression, made once per filter and version."""
        return milvus_expression(where, self._sources)

    @functools.cached_property
    def _sources(self) -> SourceTable:
        return SourceTable(self.manifest)

    def search_vectors(
        self, query: np.ndarray, k: int, where: Filter | None = None
    ) -> list[tuple[int, float]]:
        """Inner product with unit vectors (cosine), exact, among the rows `where` admits;
        higher is better."""
        if self.chunk_count == 0 or k <= 0:
            return []
        vector = np.asarray(query, dtype=np.float32).reshape(-1).tolist()
        hits = self._search([vector], "vector", k, {"metric_type": "IP"}, where=where)
        return [(int(hit["id"]), float(hit["distance"])) for hit in hits]

    def search_keywords(
        self, words: list[str], k: int, where: Filter | None = None
    ) -> list[tuple[int, float]]:
        """The FAISS store's BM25 ranking (SQLite FTS5's formula, terms and statistics) for
        chunks holding any of `words`; higher is better. Empty without full-text search.

        Milvus's own BM25 differs (Lucene's IDF, statistics per segment), so it only gathers
        candidates: its best KEYWORD_POOL_FACTOR * k, rescored here with FTS5's formula. The
        ranking equals FTS5's whenever FTS5's top k lies among those candidates, which
        scripts/bench_stores.py measures.
        """
        phrases = query_phrases(words)
        if not phrases or not self.keyword_search or self.chunk_count == 0 or k <= 0:
            return []
        query = " ".join(term for phrase in phrases for term in phrase)
        pool_size = max(k * KEYWORD_POOL_FACTOR, KEYWORD_POOL_MIN)
        pool = self._search(
            [query], "sparse", pool_size, {"metric_type": "BM25"}, ("terms",), where
        )
        if not pool:
            return []
        counts = self._phrase_counts(phrases)
        weights = [(phrase, idf(self.chunk_count, counts[phrase])) for phrase in phrases]
        scored = [
            (int(hit["id"]), bm25(weights, hit["terms"].split(), self._average_terms))
            for hit in pool
        ]
        return sorted(scored, key=lambda hit: (-hit[1], hit[0]))[:k]

    def document_frequencies(self, words: list[str]) -> dict[str, int]:
        """How many chunks contain each word, counted the way the FAISS store's FTS5 counts."""
        phrases = {
            word: tuple(terms) for word, terms in zip(words, keyword_terms(words), strict=True)
        }
        counts = self._phrase_counts([p for p in phrases.values() if p])
        return {word: counts.get(phrase, 0) for word, phrase in phrases.items()}

    def _phrase_counts(self, phrases: list[Phrase]) -> dict[Phrase, int]:
        """Live chunks holding each phrase, cached per reader. A BM25 search for one term
        returns exactly the chunks that hold it, so every term is counted in one request.
        (Milvus Lite evaluates `text_match` by reading every row, a second per word at 10,000
        chunks.) A phrase of several terms ("a_b") counts where they stand in a row, as FTS5
        does, except past MAX_TOP_K chunks, where it counts the chunks holding all of them."""
        todo = [p for p in dict.fromkeys(phrases) if p not in self._phrase_frequencies]
        if todo and self.keyword_search and self.chunk_count:
            holding = self._chunks_holding(sorted({term for p in todo for term in p}))
            for phrase in todo:
                found = [holding[term] for term in phrase]
                if any(len(ids) >= MAX_TOP_K for ids in found):
                    self._phrase_frequencies[phrase] = self._count_holding(phrase)
                elif len(phrase) == 1:
                    self._phrase_frequencies[phrase] = len(found[0])
                else:  # chunks holding every term, then those holding them in a row
                    candidates = self._terms(sorted(set.intersection(*found)))
                    held = [t for t in candidates.values() if occurrences(phrase, t)]
                    self._phrase_frequencies[phrase] = len(held)
        return {p: self._phrase_frequencies.get(p, 0) for p in phrases}

    def _chunks_holding(self, terms: list[str]) -> dict[str, set[int]]:
        if not terms:
            return {}
        results = self.store.client.search(
            self.store.chunks,
            data=terms,
            anns_field="sparse",
            limit=MAX_TOP_K,
            search_params={"metric_type": "BM25"},
            output_fields=["source_key", "content_key"],
        )
        return {
            term: {hit["id"] for hit in hits if self._is_live(hit)}
            for term, hits in zip(terms, results, strict=True)
        }

    def _count_holding(self, terms: Phrase) -> int:
        """Count for terms in more chunks than one search returns (slow on Milvus Lite). It
        includes rows an unfinished ingest wrote: a filter cannot name the live ones cheaply."""
        # Terms are letters and digits only: nothing in them can break the quotes.
        expr = " and ".join(f"text_match(terms, '{term}')" for term in terms)
        rows = self.store.client.query(self.store.chunks, filter=expr, output_fields=["count(*)"])
        return int(rows[0]["count(*)"])

    def _terms(self, ids: list[int]) -> dict[int, list[str]]:
        """The keyword terms of the live chunks among `ids`."""
        if not ids:
            return {}
        rows = self.store.client.get(
            self.store.chunks, ids=ids, output_fields=["source_key", "content_key", "terms"]
        )
        return {row["id"]: row["terms"].split() for row in rows if self._is_live(row)}

    def chunks(self, ids: list[int]) -> dict[int, StoredChunk]:
        if not ids:
            return {}
        rows = self.store.client.get(
            self.store.chunks,
            ids=[int(i) for i in ids],
            output_fields=["source_key", "content_key", *self._chunk_fields],
        )
        return {row["id"]: stored_chunk(row) for row in rows if self._is_live(row)}

    def page_text(self, source: str, page: int | None) -> str | None:
        key = source_key(source)
        content = self._live.get(key)
        if content is None:
            return None
        rows = self.store.client.query(
            self.store.pages,
            filter=f"source_key == {key} and content_key == {content} and page == {page or 0}",
            output_fields=["source", "part", "text"],
        )
        parts = sorted((r["part"], r["text"]) for r in rows if r["source"] == source)
        return "".join(text for _, text in parts) if parts else None

    def close(self) -> None:
        """Nothing to release: the connection belongs to the store, which outlives readers."""


CHUNK_FIELDS = ["source", "page", "char_start", "char_end", "text"]


def stored_chunk(row: dict) -> StoredChunk:
    return StoredChunk(
        row["source"],
        row["page"] or None,
        row["char_start"],
        row["char_end"],
        row["text"],
        sentences=sentences_of(row, row["char_start"]),
        id=int(row["id"]),
    )


def open_index(store: MilvusStore, expected: Manifest | None = None) -> MilvusReader:
    """The published index in `store`, checked against the model in use."""
    if not store.exists():
        raise IndexNotFoundError(
            f"no docqa index {store.name} at {store.uri}; build one with: docqa ingest "
            f"--store milvus --milvus-uri {store.uri} --milvus-collection {store.name}"
        )
    reader = MilvusReader(store)
    if expected is not None:
        ensure_compatible(reader.manifest, expected, store)
    return reader
