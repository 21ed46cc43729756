"""The index in Milvus: the same reader and draft as app.store's, over three collections.

A URI ending in `.db` is a Milvus Lite file (an engine inside this process, one process per
file); `http://host:19530` is a Milvus server or cluster, which any number of docqa processes on
any number of machines can share. Everything lives in the engine, nothing on local disk:

    <name>_chunks   one row per chunk: text, offsets, its vector, and the words BM25 indexes
    <name>_pages    the full text of every page, cut in parts that fit a VARCHAR, for citations
    <name>_files    one row per corpus file (its manifest entry), plus the settings row and one
                    "unfinished ingest" row per shard

Milvus has no transactions and no folders to swap, so consistency comes from three rules:

1. Row ids are hashes of what the row holds (source, a key of the file's extracted text and
   chunk layout, page, offsets). Writing the same file twice writes the same rows: upserts are
   idempotent, and a re-run after a kill overwrites instead of duplicating.
2. A file's row in <name>_files is its commit: it names the content key of the rows that count.
   Readers drop every chunk whose (source, content key) the manifest does not name, so rows
   written by an ingest that has not committed them, or left by one that was killed, are never
   seen. Old rows are deleted only after the new manifest rows are written.
3. An ingest marks its shard unfinished before its first write and finished after its last;
   the next ingest of that shard that finds the mark sweeps every row its manifest does not name.

Files are split between machines by a stable hash of their source name (`in_shard`), and each
file has its own manifest row, so N shards write disjoint rows of the same collections.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from app.chunking import Chunk
from app.keywords import Phrase, bm25, idf, keyword_terms, occurrences, query_phrases
from app.loaders import Page
from app.store import (
    FileEntry,
    IndexMismatchError,
    IndexNotFoundError,
    Manifest,
    StoredChunk,
    StoreError,
)

if TYPE_CHECKING:
    from pymilvus import MilvusClient

Shard = tuple[int, int]  # (index, count), 1 <= index <= count: "part index of count"

DEFAULT_NAME = "docqa"
META_KEY = -1  # the row of <name>_files holding the manifest's settings; file rows are >= 0
VARCHAR_BYTES = 65535  # Milvus's largest VARCHAR
PAGE_PART_CHARS = 16000  # 4 bytes per character at most: a part always fits a VARCHAR
WRITE_BATCH = 256  # rows per upsert: a few MB per request, far under gRPC's limits
SCAN_BATCH = 1000  # rows per query-iterator page
MAX_TOP_K = 16384  # Milvus's largest search limit
# Keyword candidates that Milvus's BM25 gathers for docqa's to rescore: at least this many,
# and this many times the passages asked for (see MilvusReader.search_keywords)
KEYWORD_POOL_MIN = 200
KEYWORD_POOL_FACTOR = 4
# How the chunks' `terms` were made (app.keywords). An index whose settings row names another
# way (or none: docqa before 2026-11-26 stemmed with Snowball) is refused with "rebuild".
TERMS_FORMAT = "fts5 porter unicode61 remove_diacritics 2"
# Milvus requires a vector field in every collection: pages and files carry this constant one.
_MARKER = [0.0, 0.0]


class MilvusUnavailableError(StoreError):
    """The engine could not be reached or opened; the message says what to do."""


# --------------------------------------------------------------------------- connection


@dataclass
class MilvusStore:
    """A connection to one docqa index in Milvus: a client and the names of its collections."""

    uri: str
    name: str
    client: MilvusClient

    @property
    def chunks(self) -> str:
        return f"{self.name}_chunks"

    @property
    def pages(self) -> str:
        return f"{self.name}_pages"

    @property
    def files(self) -> str:
        return f"{self.name}_files"

    def exists(self) -> bool:
        return all(self.client.has_collection(c) for c in (self.chunks, self.pages, self.files))

    def close(self) -> None:
        """Close the client. A Milvus Lite file stays open in this process until it exits."""
        self.client.close()


def is_local(uri: str) -> bool:
    """Whether `uri` names a Milvus Lite file rather than a server."""
    return "://" not in uri and not uri.startswith("unix:")


def connect(
    uri: str, name: str = DEFAULT_NAME, *, create: bool = False, token: str = ""
) -> MilvusStore:
    """Open the index `name` at `uri`; `create` makes a missing Milvus Lite file's folder.

    A reader passes create=False so that looking at a missing file does not create one.
    """
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,200}", name):
        raise ValueError(f"collection name {name!r}: use letters, digits and _ only")
    if is_local(uri):
        path = Path(uri).expanduser()
        if path.suffix != ".db":
            raise ValueError(f"a Milvus Lite URI is a path ending in .db, not {uri!r}")
        if not create and not path.exists():
            raise IndexNotFoundError(
                f"no Milvus index at {uri}; build one with: "
                f"docqa ingest --store milvus --milvus-uri {uri}"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        uri = str(path.resolve())
    _quiet_lite_iterator_warning()
    # pymilvus pings every 10 s and Milvus Lite answers an idle client with "too_many_pings".
    # gRPC then pings less often by itself, but first logs an alarming error line; requests are
    # not affected (checked after 150 s idle). Quiet gRPC's own log unless the user set it.
    os.environ.setdefault("GRPC_VERBOSITY", "NONE")
    from pymilvus import MilvusClient
    from pymilvus.exceptions import MilvusException

    try:
        client = MilvusClient(uri=uri, token=token)
    except MilvusException as exc:
        raise MilvusUnavailableError(_connect_failure(uri, exc)) from exc
    store = MilvusStore(uri, name, client)
    if store.exists():
        # A restarted engine holds collections released; search and query need them loaded.
        for collection in (store.chunks, store.pages, store.files):
            client.load_collection(collection)
    return store


def _connect_failure(uri: str, exc: Exception) -> str:
    if is_local(uri):
        return (
            f"could not open the Milvus Lite file {uri}: another process probably has it open "
            "(a Milvus Lite file serves one process at a time). Stop that process, or serve the "
            f"file to all of them with `milvus-lite server --data-dir {uri} --port 19530` and "
            "use --milvus-uri http://127.0.0.1:19530"
        )
    reason = getattr(exc, "message", None) or str(exc)
    return f"could not reach Milvus at {uri}: {reason}. Is the server running and the URI right?"


@cache
def _quiet_lite_iterator_warning() -> None:
    """Milvus Lite cannot pin a query iterator to a timestamp and pymilvus warns on every scan;
    scans here never overlap a write of the same rows, so the warning says nothing useful."""
    logging.getLogger("pymilvus.client.iterator.query_iterator").addFilter(
        lambda record: not str(record.msg).startswith("failed to get mvccTs")
    )


# --------------------------------------------------------------------------- keys and shards


def _hash63(*parts: object) -> int:
    """A stable, non-negative 63-bit integer for `parts` (Milvus keys are signed 64-bit)."""
    encoded = json.dumps(parts, ensure_ascii=False, separators=(",", ":")).encode()
    return int.from_bytes(hashlib.blake2b(encoded, digest_size=8).digest(), "big") >> 1


def source_key(source: str) -> int:
    """The integer that stands for `source` in rows and filters (no string escaping needed)."""
    return _hash63("source", source)


def content_key(source: str, pages: list[Page], chunks: list[Chunk]) -> int:
    """One version of one file: its name, page texts and chunk boundaries. 0 means "nothing".

    The name is part of it so that a content key alone picks the rows to delete.
    """
    digest = hashlib.blake2b(digest_size=8)
    digest.update(json.dumps(source, ensure_ascii=False).encode())
    for page in pages:
        digest.update(json.dumps([page.number, page.text], ensure_ascii=False).encode())
    digest.update(json.dumps([[c.page, c.start, c.end] for c in chunks]).encode())
    return (int.from_bytes(digest.digest(), "big") >> 1) or 1


def chunk_id(source: str, content: int, page: int | None, start: int, end: int) -> int:
    return _hash63("chunk", source, content, page, start, end)


def _page_part_id(source: str, content: int, page: int | None, part: int) -> int:
    return _hash63("page", source, content, page, part)


def parse_shard(text: str) -> Shard:
    """`"2/3"` -> (2, 3): the second of three disjoint parts of the corpus."""
    found = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not found or not 1 <= int(found[1]) <= int(found[2]):
        raise ValueError(f"--shard takes i/N with 1 <= i <= N, like 1/3; not {text!r}")
    return int(found[1]), int(found[2])


def in_shard(source: str, shard: Shard | None) -> bool:
    """Whether `source` belongs to `shard` (None: the whole corpus).

    The shards of one count partition every set of sources, whatever machine computes them:
    the hash depends on the source name only.
    """
    if shard is None:
        return True
    index, count = shard
    return _key_in_shard(source_key(source), shard) if 1 <= index <= count else False


def _key_in_shard(key: int, shard: Shard | None) -> bool:
    return shard is None or key % shard[1] == shard[0] - 1


def _journal_key(shard: Shard | None) -> int:
    """The row that marks an unfinished ingest of `shard`: -2 for the whole corpus."""
    return -2 if shard is None else -(1_000_000 * shard[1] + shard[0] + 2)


# --------------------------------------------------------------------------- keyword terms


def _terms_field(terms: list[str]) -> str:
    """A chunk's keyword terms (FTS5's, see app.keywords) for Milvus's BM25 index. They are
    letters and digits only, so Milvus's standard analyzer splits them back exactly."""
    joined = " ".join(terms)
    if len(joined.encode()) > VARCHAR_BYTES:  # only for pathological chunks; a tail is dropped
        joined = joined.encode()[:VARCHAR_BYTES].decode(errors="ignore").rsplit(" ", 1)[0]
    return joined


# --------------------------------------------------------------------------- collections


def _create_collections(store: MilvusStore, dim: int) -> bool:
    """Create the three collections; True when the engine accepted BM25 full-text search."""
    from pymilvus import DataType, MilvusClient
    from pymilvus.exceptions import MilvusException

    client = store.client
    for name, schema in ((store.pages, _pages_schema()), (store.files, _files_schema())):
        if not client.has_collection(name):
            index = client.prepare_index_params()
            index.add_index(field_name="marker", index_type="FLAT", metric_type="L2")
            _create(store, name, schema, index)
    if client.has_collection(store.chunks):
        return has_full_text(store)
    for full_text in (True, False):
        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("source_key", DataType.INT64)
        schema.add_field("content_key", DataType.INT64)
        schema.add_field("source", DataType.VARCHAR, max_length=VARCHAR_BYTES)
        schema.add_field("page", DataType.INT64)  # 0: a file without pages
        schema.add_field("char_start", DataType.INT64)
        schema.add_field("char_end", DataType.INT64)
        schema.add_field("text", DataType.VARCHAR, max_length=VARCHAR_BYTES)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        index = client.prepare_index_params()
        # FLAT is exact, like the FAISS store's default: both backends rank the same.
        index.add_index(field_name="vector", index_type="FLAT", metric_type="IP")
        if full_text:
            _add_full_text(schema, index)
        else:
            schema.add_field("terms", DataType.VARCHAR, max_length=VARCHAR_BYTES)
        try:
            _create(store, store.chunks, schema, index)
            return full_text
        except MilvusException:
            if not full_text:
                raise
            # An engine without full-text search (Milvus before 2.5, old Milvus Lite) refuses
            # the BM25 function: keep the terms so a later rebuild on a newer engine has them.
            if client.has_collection(store.chunks):
                client.drop_collection(store.chunks)
    raise AssertionError("unreachable")


def _create(store: MilvusStore, name: str, schema: Any, index: Any) -> None:
    """Create and load an empty collection. Strong consistency: a search sees every write
    acknowledged before it, so a publish is visible to the next request on any machine."""
    store.client.create_collection(name, schema=schema, consistency_level="Strong")
    # pymilvus polls a new index every 0.5 s until it is built; an empty collection's index is
    # built at once on Milvus Lite, where that wait would be most of an ingest's set-up time.
    store.client.create_index(name, index, sync=not is_local(store.uri))
    store.client.load_collection(name)


def _add_full_text(schema: Any, index: Any) -> None:
    from pymilvus import DataType, Function, FunctionType

    schema.add_field(
        "terms",
        DataType.VARCHAR,
        max_length=VARCHAR_BYTES,
        enable_analyzer=True,
        enable_match=True,  # document_frequencies counts with text_match
    )
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_function(
        Function(
            name="bm25",
            function_type=FunctionType.BM25,
            input_field_names=["terms"],
            output_field_names=["sparse"],
        )
    )
    index.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")


def _pages_schema() -> Any:
    from pymilvus import DataType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("source_key", DataType.INT64)
    schema.add_field("content_key", DataType.INT64)
    schema.add_field("source", DataType.VARCHAR, max_length=VARCHAR_BYTES)
    schema.add_field("page", DataType.INT64)
    schema.add_field("part", DataType.INT64)
    schema.add_field("text", DataType.VARCHAR, max_length=VARCHAR_BYTES)
    schema.add_field("marker", DataType.FLOAT_VECTOR, dim=len(_MARKER))
    return schema


def _files_schema() -> Any:
    from pymilvus import DataType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("key", DataType.INT64, is_primary=True)  # source_key, or META_KEY, ...
    schema.add_field("source", DataType.VARCHAR, max_length=VARCHAR_BYTES)
    schema.add_field("content_key", DataType.INT64)  # the rows that count; 0 for none
    schema.add_field("data", DataType.VARCHAR, max_length=VARCHAR_BYTES)  # JSON
    schema.add_field("marker", DataType.FLOAT_VECTOR, dim=len(_MARKER))
    return schema


def has_full_text(store: MilvusStore) -> bool:
    """Whether the chunks collection has Milvus's BM25 function (keyword search works)."""
    from pymilvus import FunctionType

    functions = store.client.describe_collection(store.chunks).get("functions") or []
    return any(f.get("type") == FunctionType.BM25 for f in functions)


def _vector_dim(store: MilvusStore) -> int:
    fields = store.client.describe_collection(store.chunks)["fields"]
    return int(next(f for f in fields if f["name"] == "vector")["params"]["dim"])


def _scan(
    store: MilvusStore, collection: str, fields: list[str], filter: str = ""
) -> Iterator[dict]:
    """Every row of `collection` matching `filter`, page by page."""
    iterator = store.client.query_iterator(
        collection, batch_size=SCAN_BATCH, filter=filter, output_fields=fields
    )
    try:
        while batch := iterator.next():
            yield from batch
    finally:
        iterator.close()


def _batches(rows: list, size: int = WRITE_BATCH) -> Iterator[list]:
    for begin in range(0, len(rows), size):
        yield rows[begin : begin + size]


def _delete_ids(store: MilvusStore, collection: str, ids: Iterable[int]) -> None:
    for batch in _batches(sorted(ids), 1000):
        store.client.delete(collection, ids=batch)


# --------------------------------------------------------------------------- the manifest


@dataclass
class _Files:
    """The manifest rows as stored: entries, and the content key each file's rows must have."""

    meta: dict[str, Any] | None
    entries: dict[str, FileEntry] = field(default_factory=dict)
    contents: dict[str, int] = field(default_factory=dict)  # source -> content key (0: none)
    terms: dict[str, int] = field(default_factory=dict)  # source -> keyword terms in its chunks


def _read_files(store: MilvusStore) -> _Files:
    rows = store.client.get(store.files, ids=[META_KEY], output_fields=["data"])
    files = _Files(json.loads(rows[0]["data"]) if rows else None)
    for row in _scan(store, store.files, ["source", "content_key", "data"], "key >= 0"):
        data = json.loads(row["data"])
        files.terms[row["source"]] = data.pop("terms", 0)
        files.entries[row["source"]] = FileEntry(**data)
        files.contents[row["source"]] = row["content_key"]
    return files


def _file_row(source: str, entry: FileEntry, content: int, terms: int) -> dict:
    return {
        "key": source_key(source),
        "source": source,
        "content_key": content,
        "data": json.dumps({**asdict(entry), "terms": terms}, sort_keys=True),
        "marker": _MARKER,
    }


def _special_row(key: int, data: dict) -> dict:
    """A row of <name>_files that is not a file: the settings, or an unfinished-ingest mark."""
    return {"key": key, "source": "", "content_key": 0, "data": json.dumps(data), "marker": _MARKER}


def _manifest(meta: dict[str, Any], entries: dict[str, FileEntry]) -> Manifest:
    settings = {k: v for k, v in meta.items() if k in Manifest.__dataclass_fields__}
    return Manifest(**{**settings, "files": dict(entries)})


def read_manifest(store: MilvusStore, shard: Shard | None = None) -> Manifest | None:
    """The published manifest with the files of `shard` only; None when nothing was published."""
    if not store.exists():
        return None
    files = _read_files(store)
    if files.meta is None:
        return None
    entries = {s: e for s, e in files.entries.items() if in_shard(s, shard)}
    return _manifest(files.meta, entries)


def current_version(store: MilvusStore) -> str | None:
    """What changes whenever any ingest publishes: compare it to `MilvusReader.version`.

    One primary-key lookup, cheap enough to call before every request.
    """
    if not store.client.has_collection(store.files):
        return None
    rows = store.client.get(store.files, ids=[META_KEY], output_fields=["data"])
    return json.loads(rows[0]["data"])["stamp"] if rows else None


def ensure_compatible(found: Manifest, expected: Manifest, store: MilvusStore) -> None:
    """Refuse an index whose vectors, chunks or keyword terms mean something else than this
    docqa's."""
    where = f"Milvus collection {store.name} at {store.uri}"
    flags = f"--store milvus --milvus-uri {store.uri} --milvus-collection {store.name}"
    found.ensure_compatible(expected, where, flags)
    rows = store.client.get(store.files, ids=[META_KEY], output_fields=["data"])
    if rows and json.loads(rows[0]["data"]).get("terms_format") != TERMS_FORMAT:
        raise IndexMismatchError(
            f"the {where} was built by an older docqa that made its keyword terms differently. "
            f"Rebuild it: docqa ingest --rebuild {flags}"
        )


# --------------------------------------------------------------------------- reading


class MilvusReader:
    """The published index, read through one manifest: chunks it does not name are invisible.

    Safe to share between threads (the client is). A newer publish shows up in
    `current_version(store)`; open a new reader then.
    """

    def __init__(self, store: MilvusStore) -> None:
        self.store = store
        files = _read_files(store)
        if files.meta is None:
            raise IndexNotFoundError(
                f"no docqa index {store.name} at {store.uri}; build one with: docqa ingest "
                f"--store milvus --milvus-uri {store.uri} --milvus-collection {store.name}"
            )
        self.manifest = _manifest(files.meta, files.entries)
        self.version: str = files.meta["stamp"]
        self.keyword_search = has_full_text(store)
        self._live = {source_key(s): c for s, c in files.contents.items() if c}
        live_entries = [e for e in self.manifest.files.values() if e.skipped is None]
        self._chunk_count = sum(e.chunks for e in live_entries)
        # FTS5's average document length: keyword terms per live chunk
        term_total = sum(files.terms.get(s, 0) for s, c in files.contents.items() if c)
        self._average_terms = term_total / max(1, self._chunk_count)
        self._phrase_frequencies: dict[Phrase, int] = {}

    @property
    def chunk_count(self) -> int:
        return self._chunk_count

    @property
    def document_count(self) -> int:
        return sum(1 for e in self.manifest.files.values() if e.skipped is None)

    def _is_live(self, row: dict) -> bool:
        return self._live.get(row["source_key"]) == row["content_key"]

    def _search(
        self, data: list, field: str, k: int, params: dict, fields: tuple[str, ...] = ()
    ) -> list[dict]:
        """The `k` best live hits, with `fields`; asks for more when rows of unpublished writes
        crowd them out."""
        limit = min(k, MAX_TOP_K)
        while True:
            [hits] = self.store.client.search(
                self.store.chunks,
                data=data,
                anns_field=field,
                limit=limit,
                search_params=params,
                output_fields=["source_key", "content_key", *fields],
            )
            live = [h for h in hits if self._is_live(h)]
            if len(live) >= k or len(hits) < limit or limit == MAX_TOP_K:
                return live[:k]
            limit = min(limit * 4, MAX_TOP_K)

    def search_vectors(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Inner product with unit vectors (cosine), exact; higher is better."""
        if self.chunk_count == 0 or k <= 0:
            return []
        vector = np.asarray(query, dtype=np.float32).reshape(-1).tolist()
        hits = self._search([vector], "vector", k, {"metric_type": "IP"})
        return [(int(hit["id"]), float(hit["distance"])) for hit in hits]

    def search_keywords(self, words: list[str], k: int) -> list[tuple[int, float]]:
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
        pool = self._search([query], "sparse", pool_size, {"metric_type": "BM25"}, ("terms",))
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
            output_fields=["source_key", "content_key", *_CHUNK_FIELDS],
        )
        return {row["id"]: _stored_chunk(row) for row in rows if self._is_live(row)}

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


_CHUNK_FIELDS = ["source", "page", "char_start", "char_end", "text"]


def _stored_chunk(row: dict) -> StoredChunk:
    return StoredChunk(
        int(row["id"]),
        row["source"],
        row["page"] or None,
        row["char_start"],
        row["char_end"],
        row["text"],
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


# --------------------------------------------------------------------------- writing


class MilvusDraft:
    """Changes to the index in Milvus, applied file by file and published by `publish`.

    Same calls as app.store.Draft. Rows are written as they come, but nothing a reader uses
    changes before the file's manifest row does: in `add_source` when it is given the file's
    entry (so a killed ingest resumes where it stopped), else in `publish`. `shard` limits
    the draft to that part of the corpus; other shards' files are never touched.
    """

    def __init__(
        self,
        store: MilvusStore,
        dim: int,
        rebuild: bool = False,
        shard: Shard | None = None,
    ) -> None:
        self.store = store
        self.shard = shard
        if store.exists() and _vector_dim(store) != dim:
            if not rebuild or shard is not None:
                raise IndexMismatchError(
                    f"the Milvus index {store.name} at {store.uri} holds {_vector_dim(store)}-"
                    f"dimension vectors, not {dim}; rebuild it without --shard: docqa ingest "
                    f"--rebuild --store milvus --milvus-uri {store.uri}"
                )
            for collection in (store.chunks, store.pages, store.files):
                store.client.drop_collection(collection)
        self.full_text = _create_collections(store, dim)
        recover(store, shard, force=rebuild)
        self._stored = _read_files(store)
        _set_journal(store, shard, unfinished=True)
        # A rebuild starts its shard from nothing, as the FAISS store's rebuild does.
        self._chunk_counts = {
            source: entry.chunks
            for source, entry in self._stored.entries.items()
            if entry.skipped is None and not (rebuild and in_shard(source, shard))
        }
        self._added: dict[str, int] = {}  # source -> content key of the rows written for it
        self._terms: dict[str, int] = {}  # source -> keyword terms in the chunks written for it
        self._written: dict[str, set[int]] = {}  # every content key this draft wrote rows of
        self._removed: set[str] = set()

    @property
    def chunk_count(self) -> int:
        """Chunks in the index once published (all shards), like the FAISS draft's ntotal."""
        return sum(self._chunk_counts.values())

    def _check_shard(self, source: str) -> None:
        if not in_shard(source, self.shard):
            raise ValueError(f"{source} is not in shard {self.shard[0]}/{self.shard[1]}")

    def remove_source(self, source: str) -> int:
        """Take `source` out of the index at publish; the number of chunks it had."""
        self._check_shard(source)
        self._removed.add(source)
        self._added.pop(source, None)
        return self._chunk_counts.pop(source, 0)

    def add_source(
        self,
        source: str,
        pages: list[Page],
        chunks: list[Chunk],
        vectors: np.ndarray,
        entry: FileEntry | None = None,
    ) -> None:
        """Write the pages and chunks of `source`; with `entry`, commit them at once."""
        self._check_shard(source)
        if len(vectors) != len(chunks):
            raise ValueError(f"{source}: {len(chunks)} chunk(s) but {len(vectors)} vector(s)")
        content = content_key(source, pages, chunks)
        self._written.setdefault(source, set()).add(content)
        self._write_pages(source, content, pages)
        self._terms[source] = self._write_chunks(source, content, chunks, vectors)
        if entry is not None:
            row = _file_row(source, entry, content, self._terms[source])
            self.store.client.upsert(self.store.files, [row])
        self._added[source] = content
        self._chunk_counts[source] = len(chunks)

    def _write_pages(self, source: str, content: int, pages: list[Page]) -> None:
        key = source_key(source)
        rows = [
            {
                "id": _page_part_id(source, content, page.number, part),
                "source_key": key,
                "content_key": content,
                "source": source,
                "page": page.number or 0,
                "part": part,
                "text": page.text[begin : begin + PAGE_PART_CHARS],
                "marker": _MARKER,
            }
            for page in pages
            for part, begin in enumerate(range(0, max(1, len(page.text)), PAGE_PART_CHARS))
        ]
        for batch in _batches(rows):
            self.store.client.upsert(self.store.pages, batch)

    def _write_chunks(
        self, source: str, content: int, chunks: list[Chunk], vectors: np.ndarray
    ) -> int:
        """Upsert the chunks' rows; returns the number of keyword terms they hold."""
        key = source_key(source)
        vectors = np.asarray(vectors, dtype=np.float32)
        terms = [_terms_field(t) for t in keyword_terms([c.text for c in chunks])]
        rows = []
        for chunk, vector, chunk_terms in zip(chunks, vectors, terms, strict=True):
            if len(chunk.text.encode()) > VARCHAR_BYTES:
                raise ValueError(
                    f"{source}: a chunk of {len(chunk.text.encode())} bytes is over Milvus's "
                    f"{VARCHAR_BYTES}-byte text limit"
                )
            rows.append(
                {
                    "id": chunk_id(source, content, chunk.page, chunk.start, chunk.end),
                    "source_key": key,
                    "content_key": content,
                    "source": source,
                    "page": chunk.page or 0,
                    "char_start": chunk.start,
                    "char_end": chunk.end,
                    "text": chunk.text,
                    "terms": chunk_terms,
                    "vector": vector.tolist(),
                }
            )
        for batch in _batches(rows):
            self.store.client.upsert(self.store.chunks, batch)
        return sum(len(t.split()) for t in terms)

    def publish(self, manifest: Manifest) -> str:
        """Commit every file row, then the settings row (readers switch), then delete old rows.

        Returns the new version (see `current_version`). A kill anywhere leaves the shard
        marked unfinished and the old rows invisible; the next draft sweeps them.
        """
        for source in manifest.files:
            self._check_shard(source)
        stored = self._stored
        after: dict[str, int] = {}  # the content key each file's rows will have
        rows = []
        for source, entry in manifest.files.items():
            if entry.skipped or (source in self._removed and source not in self._added):
                after[source] = 0
            else:
                after[source] = self._added.get(source, stored.contents.get(source, 0))
            if not after[source]:
                terms = 0
            elif source in self._added:
                terms = self._terms[source]
            else:
                terms = stored.terms.get(source)
            row = (entry, after[source], terms)
            if row != (
                stored.entries.get(source),
                stored.contents.get(source),
                stored.terms.get(source),
            ):
                rows.append(_file_row(source, *row))
        for batch in _batches(rows):
            self.store.client.upsert(self.store.files, batch)
        gone = [s for s in stored.entries if in_shard(s, self.shard) and s not in manifest.files]
        _delete_ids(self.store, self.store.files, (source_key(s) for s in gone))

        manifest.built_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        meta = {k: v for k, v in asdict(manifest).items() if k != "files"}
        if self.shard is not None and stored.meta is not None:
            meta["roots"] = {**stored.meta.get("roots", {}), **manifest.roots}
        meta["stamp"] = f"{manifest.built_at} {secrets.token_hex(6)}"
        meta["terms_format"] = TERMS_FORMAT
        self.store.client.upsert(self.store.files, [_special_row(META_KEY, meta)])

        stale: set[int] = set()
        for source in {*self._written, *self._removed, *gone}:
            versions = {stored.contents.get(source, 0), *self._written.get(source, ())}
            stale |= versions - {0, after.get(source, 0)}
        # A few deletes by content key, not one per file: Milvus Lite scans its unflushed rows
        # for every delete by filter. Rows no one knows of can only come from an interrupted
        # ingest, and the journal makes the next draft sweep them.
        for batch in _batches(sorted(stale), 500):
            for collection in (self.store.chunks, self.store.pages):
                self.store.client.delete(collection, filter=f"content_key in {batch}")
        _set_journal(self.store, self.shard, unfinished=False)
        # Milvus Lite searches unflushed rows by copying them on every request (0.7 s for a
        # dense search over 10,000 chunks, against 40 ms once flushed into indexed segments).
        for collection in (self.store.chunks, self.store.pages, self.store.files):
            self.store.client.flush(collection)
        return meta["stamp"]

    def discard(self) -> None:
        """Stop here. Committed files stay; other rows wait for the next draft's sweep."""


def _set_journal(store: MilvusStore, shard: Shard | None, unfinished: bool) -> None:
    key = _journal_key(shard)
    if unfinished:
        label = "all" if shard is None else f"{shard[0]}/{shard[1]}"
        store.client.upsert(
            store.files, [_special_row(key, {"shard": label, "since": time.time()})]
        )
    else:
        store.client.delete(store.files, ids=[key])


def recover(store: MilvusStore, shard: Shard | None = None, force: bool = False) -> int:
    """Delete the rows of `shard` that its manifest does not name, if an ingest of it was
    interrupted (or always, with `force`). Returns the number of rows deleted.

    Cheap when there is nothing to do (one lookup), so an ingest that finds nothing changed
    can still call it. Never run it for a shard whose ingest is running elsewhere.
    """
    if not store.exists():
        return 0
    mark = store.client.get(store.files, ids=[_journal_key(shard)], output_fields=["key"])
    if not force and not mark:
        return 0
    contents = {source_key(s): c for s, c in _read_files(store).contents.items()}
    removed = 0
    for collection in (store.chunks, store.pages):
        stale = [
            row["id"]
            for row in _scan(store, collection, ["source_key", "content_key"])
            if _key_in_shard(row["source_key"], shard)
            and contents.get(row["source_key"], 0) != row["content_key"]
        ]
        _delete_ids(store, collection, stale)
        removed += len(stale)
    if shard is None:  # the whole corpus is clean: every shard's mark is obsolete
        marks = [r["key"] for r in _scan(store, store.files, ["key"], "key <= -2")]
        _delete_ids(store, store.files, marks)
    else:
        _set_journal(store, shard, unfinished=False)
    return removed


# --------------------------------------------------------------------------- checking


def keyword_search_status(store: MilvusStore) -> str:
    """One line for `docqa check`: whether keyword (BM25) search works on this engine."""
    try:
        version = store.client.get_server_version()
    except Exception:  # an engine without the RPC: the version is only for the message
        version = "unknown version"
    if store.client.has_collection(store.chunks) and has_full_text(store):
        return (
            f"keyword search: BM25 full-text search of Milvus ({version}) finds candidates, "
            "ranked by SQLite FTS5's BM25 as in the FAISS store"
        )
    return (
        f"keyword search: unavailable, this Milvus ({version}) has no BM25 full-text search "
        "(it needs Milvus 2.5 or later); keyword mode finds nothing and hybrid mode ranks by "
        "vectors alone. After upgrading, rebuild: docqa ingest --rebuild --store milvus"
    )


def check(store: MilvusStore) -> list[str]:
    """Everything that disagrees between the manifest, the chunks and the pages; empty when
    consistent. Reads every row, page texts included."""
    reader = open_index(store)
    problems: list[str] = []
    files = _read_files(store)
    keys = {source_key(s): s for s in files.entries}
    if len(keys) != len(files.entries):
        problems.append("two sources of the manifest share a key (hash collision)")
    if _vector_dim(store) != reader.manifest.dim:
        problems.append(
            f"vectors have {_vector_dim(store)} dimensions, the manifest says {reader.manifest.dim}"
        )
    pages: dict[tuple[int, int], list[tuple[int, str]]] = {}
    stale_pages = 0
    for row in _scan(store, store.pages, ["source", "content_key", "page", "part", "text"]):
        if files.contents.get(row["source"]) != row["content_key"]:
            stale_pages += 1
            continue
        pages.setdefault((source_key(row["source"]), row["page"]), []).append(
            (row["part"], row["text"])
        )
    page_texts = {key: "".join(t for _, t in sorted(parts)) for key, parts in pages.items()}
    for (key, page), parts in pages.items():
        if sorted(p for p, _ in parts) != list(range(len(parts))):
            problems.append(f"{keys.get(key, key)} page {page or None}: page text parts missing")

    counts: dict[str, int] = {}
    term_counts: dict[str, int] = {}
    spans: set[tuple[str, int, int, int]] = set()
    stale_chunks = 0
    fields = ["source_key", "content_key", "terms", *_CHUNK_FIELDS]
    for row in _scan(store, store.chunks, fields):
        chunk = _stored_chunk(row)
        content = files.contents.get(chunk.source, 0)
        if row["content_key"] != content or row["source_key"] != source_key(chunk.source):
            stale_chunks += 1
            continue
        counts[chunk.source] = counts.get(chunk.source, 0) + 1
        term_counts[chunk.source] = term_counts.get(chunk.source, 0) + len(row["terms"].split())
        span = (chunk.source, row["page"], chunk.start, chunk.end)
        if span in spans:
            problems.append(f"{chunk.source} page {chunk.page}: duplicate chunk {span[2:]}")
        spans.add(span)
        if chunk.id != chunk_id(chunk.source, content, chunk.page, chunk.start, chunk.end):
            problems.append(f"{chunk.source}: chunk {chunk.id} has an id that is not its hash")
        text = page_texts.get((row["source_key"], row["page"]))
        if text is None or text[chunk.start : chunk.end] != chunk.text:
            problems.append(
                f"{chunk.source} page {chunk.page}: chunk offsets {chunk.start}:{chunk.end} "
                "do not match"
            )
    page_counts: dict[int, int] = {}
    for key, _page in page_texts:
        page_counts[key] = page_counts.get(key, 0) + 1
    for source, entry in files.entries.items():
        expected = 0 if entry.skipped else entry.chunks
        if counts.pop(source, 0) != expected:
            problems.append(f"{source}: manifest says {expected} chunk(s), the store differs")
        terms = files.terms.get(source)
        if terms is not None and term_counts.get(source, 0) != terms:
            problems.append(f"{source}: manifest says {terms} keyword term(s), the store differs")
        if not entry.skipped and page_counts.get(source_key(source), 0) != entry.pages:
            problems.append(f"{source}: manifest says {entry.pages} page(s), the store differs")
    if stale_chunks or stale_pages:
        problems.append(
            f"{stale_chunks} chunk row(s) and {stale_pages} page row(s) that the manifest does "
            "not name (left by an interrupted or running ingest; readers ignore them, and the "
            "next ingest of their shard removes them)"
        )
    return problems
