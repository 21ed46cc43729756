"""Writing the index in Milvus: a draft that commits file by file, and the sweep after a kill."""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict

import numpy as np

from app.records import Chunk, Page, Shard, in_shard, source_key
from app.store.keywords import keyword_terms
from app.store.manifest import FileEntry, IndexMismatchError, Manifest
from app.store.milvus.connection import (
    MilvusStore,
    batches,
    chunk_id,
    content_key,
    delete_ids,
    page_part_id,
    scan,
)
from app.store.milvus.manifest import file_row, journal_key, read_files, set_journal, special_row
from app.store.milvus.schema import (
    MARKER,
    META_KEY,
    PAGE_PART_CHARS,
    TERMS_FORMAT,
    VARCHAR_BYTES,
    create_collections,
    has_sentences,
    sentences_field,
    terms_field,
    vector_dim,
)


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
        if store.exists() and vector_dim(store) != dim:
            if not rebuild or shard is not None:
                raise IndexMismatchError(
                    f"the Milvus index {store.name} at {store.uri} holds {vector_dim(store)}-"
                    f"dimension vectors, not {dim}; rebuild it without --shard: docqa ingest "
                    f"--rebuild --store milvus --milvus-uri {store.uri}"
                )
            for collection in (store.chunks, store.pages, store.files):
                store.client.drop_collection(collection)
        self.full_text = create_collections(store, dim)
        self.stores_sentences = has_sentences(store)
        recover(store, shard, force=rebuild)
        self._stored = read_files(store)
        set_journal(store, shard, unfinished=True)
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
            raise ValueError(f"{source} is not in shard {self.shard}")

    def stored_vectors(self, sources: list[str], limit: int) -> dict[str, np.ndarray]:
        """The vectors of up to `limit` chunk texts of `sources` in the published rows, by
        text, so that text that comes back (an edited file, a moved one, a file read again by a
        rebuild) is not embedded again."""
        contents = [c for c in (self._stored.contents.get(s, 0) for s in sources) if c]
        found: dict[str, np.ndarray] = {}
        for batch in batches(contents, 500):
            for row in scan(
                self.store, self.store.chunks, ["text", "vector"], f"content_key in {batch}"
            ):
                found[row["text"]] = np.asarray(row["vector"], dtype=np.float32)
                if len(found) >= limit:
                    return found
        return found

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
            row = file_row(source, entry, content, self._terms[source])
            self.store.client.upsert(self.store.files, [row])
        self._added[source] = content
        self._chunk_counts[source] = len(chunks)

    def _write_pages(self, source: str, content: int, pages: list[Page]) -> None:
        key = source_key(source)
        rows = [
            {
                "id": page_part_id(source, content, page.number, part),
                "source_key": key,
                "content_key": content,
                "source": source,
                "page": page.number or 0,
                "part": part,
                "text": page.text[begin : begin + PAGE_PART_CHARS],
                "marker": MARKER,
            }
            for page in pages
            for part, begin in enumerate(range(0, max(1, len(page.text)), PAGE_PART_CHARS))
        ]
        for batch in batches(rows):
            self.store.client.upsert(self.store.pages, batch)

    def _write_chunks(
        self, source: str, content: int, chunks: list[Chunk], vectors: np.ndarray
    ) -> int:
        """Upsert the chunks' rows; returns the number of keyword terms they hold."""
        key = source_key(source)
        vectors = np.asarray(vectors, dtype=np.float32)
        terms = [terms_field(t) for t in keyword_terms([c.text for c in chunks])]
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
            if self.stores_sentences:
                rows[-1]["sentences"] = sentences_field(chunk)
        for batch in batches(rows):
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
                rows.append(file_row(source, *row))
        for batch in batches(rows):
            self.store.client.upsert(self.store.files, batch)
        gone = [s for s in stored.entries if in_shard(s, self.shard) and s not in manifest.files]
        delete_ids(self.store, self.store.files, (source_key(s) for s in gone))

        manifest.built_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        meta = {k: v for k, v in asdict(manifest).items() if k != "files"}
        if self.shard is not None and stored.meta is not None:
            meta["roots"] = {**stored.meta.get("roots", {}), **manifest.roots}
        meta["stamp"] = f"{manifest.built_at} {secrets.token_hex(6)}"
        meta["terms_format"] = TERMS_FORMAT
        self.store.client.upsert(self.store.files, [special_row(META_KEY, meta)])

        stale: set[int] = set()
        for source in {*self._written, *self._removed, *gone}:
            versions = {stored.contents.get(source, 0), *self._written.get(source, ())}
            stale |= versions - {0, after.get(source, 0)}
        # A few deletes by content key, not one per file: Milvus Lite scans its unflushed rows
        # for every delete by filter. Rows no one knows of can only come from an interrupted
        # ingest, and the journal makes the next draft sweep them.
        for batch in batches(sorted(stale), 500):
            for collection in (self.store.chunks, self.store.pages):
                self.store.client.delete(collection, filter=f"content_key in {batch}")
        set_journal(self.store, self.shard, unfinished=False)
        # Milvus Lite searches unflushed rows by copying them on every request (0.7 s for a
        # dense search over 10,000 chunks, against 40 ms once flushed into indexed segments).
        for collection in (self.store.chunks, self.store.pages, self.store.files):
            self.store.client.flush(collection)
        return meta["stamp"]

    def discard(self) -> None:
        """Stop here. Committed files stay; other rows wait for the next draft's sweep."""


def recover(store: MilvusStore, shard: Shard | None = None, force: bool = False) -> int:
    """Delete the rows of `shard` that its manifest does not name, if an ingest of it was
    interrupted (or always, with `force`). Returns the number of rows deleted.

    Cheap when there is nothing to do (one lookup), so an ingest that finds nothing changed
    can still call it. Never run it for a shard whose ingest is running elsewhere.
    """
    if not store.exists():
        return 0
    mark = store.client.get(store.files, ids=[journal_key(shard)], output_fields=["key"])
    if not force and not mark:
        return 0
    contents = {source_key(s): c for s, c in read_files(store).contents.items()}
    removed = 0
    for collection in (store.chunks, store.pages):
        stale = [
            row["id"]
            for row in scan(store, collection, ["source_key", "content_key"])
            if (shard is None or shard.holds_key(row["source_key"]))
            and contents.get(row["source_key"], 0) != row["content_key"]
        ]
        delete_ids(store, collection, stale)
        removed += len(stale)
    if shard is None:  # the whole corpus is clean: every shard's mark is obsolete
        marks = [r["key"] for r in scan(store, store.files, ["key"], "key <= -2")]
        delete_ids(store, store.files, marks)
    else:
        set_journal(store, shard, unfinished=False)
    return removed
