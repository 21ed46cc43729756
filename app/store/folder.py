"""The index on disk: vectors (FAISS), texts (SQLite with FTS5) and a manifest, versioned.

Layout of an index folder:

    CURRENT             name of the live version, replaced atomically
    v-<time>-<rand>/    one complete version: manifest.json, vectors.faiss, chunks.sqlite
    .lock               held by the one ingest allowed to write (app.store.lock)

A version folder is never changed after it is published. An update copies the live version into
a scratch folder, applies its changes there, and publishes it by renaming the folder and then
replacing CURRENT. A reader therefore sees the old index or the new one, never a mix, and a
killed ingest leaves only a scratch folder that the next ingest deletes.
"""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
import shutil
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from app.records import Chunk, Page, StoredChunk, pack_sentences, unpack_sentences
from app.store.filters import Filter, Selection, SourceTable, select
from app.store.keywords import TOKENIZER
from app.store.manifest import (
    FileEntry,
    IndexNotFoundError,
    Manifest,
)
from app.store.postings import KeywordScorer

if TYPE_CHECKING:
    import faiss

CURRENT = "CURRENT"
_SCRATCH_PREFIX = "tmp-"
_VERSION_PREFIX = "v-"
FREQUENCIES_KEPT = 4096  # words whose document frequency a reader keeps

_SCHEMA = f"""
CREATE TABLE pages (source TEXT NOT NULL, page INTEGER, text TEXT NOT NULL);
CREATE UNIQUE INDEX pages_key ON pages (source, ifnull(page, 0));
CREATE TABLE chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL, page INTEGER, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    text TEXT NOT NULL, sentences TEXT
);
CREATE INDEX chunks_source ON chunks (source);
CREATE VIRTUAL TABLE chunks_fts USING fts5 (
    text, content='chunks', content_rowid='id', tokenize='{TOKENIZER}'
);
CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts (chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
"""


def live_version(root: Path) -> Path | None:
    try:
        name = (root / CURRENT).read_text().strip()
    except FileNotFoundError:
        return None
    return root / name


def read_manifest(root: Path) -> Manifest | None:
    version = live_version(root)
    if version is None:
        return None
    return Manifest.from_json((version / "manifest.json").read_text())


class IndexReader:
    """One published version, opened read-only. Safe to share between threads."""

    def __init__(self, version: Path) -> None:
        import faiss

        self.version = version
        self.manifest = Manifest.from_json((version / "manifest.json").read_text())
        self.vectors = faiss.read_index(str(version / "vectors.faiss"))
        uri = f"file:{version / 'chunks.sqlite'}?mode=ro&immutable=1"
        self.db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        # Keyword search reads the same FTS5 pages for every question; keep them in memory.
        self.db.execute("PRAGMA mmap_size = 1073741824")
        self.db.execute("PRAGMA cache_size = -65536")
        # Per reader, so the cache goes when a newer version replaces this one.
        self._frequencies: dict[str, int] = {}  # of words asked before, FREQUENCIES_KEPT at most
        self._selection = functools.lru_cache(maxsize=256)(self._selection)
        # Indexes built before 2026-12-02 have no sentences column: answers find them instead.
        self.sentences_column = "sentences" if has_sentences(self.db) else "NULL"

    @property
    def chunk_count(self) -> int:
        return int(self.vectors.ntotal)

    @property
    def document_count(self) -> int:
        return sum(1 for f in self.manifest.files.values() if f.skipped is None)

    def search_vectors(
        self, query: np.ndarray, k: int, where: Filter | None = None
    ) -> list[tuple[int, float]]:
        """Cosine similarity, best first, among the chunks `where` admits (all without it)."""
        selection = self.selection(where)
        if self.chunk_count == 0 or (selection is not None and len(selection.ids) == 0):
            return []
        import faiss

        from app.store import faiss_index

        # One query is too small to share out: OpenMP threads only wait on each other, and on
        # a busy 2-core machine that wait measured 72 ms against 0.9 ms for one thread. Set on
        # every call: OpenMP's thread count belongs to the calling thread (a server's worker).
        faiss.omp_set_num_threads(1)
        allowed = None if selection is None else selection.restriction
        scores, ids = faiss_index.search(self.vectors, query, k, allowed)
        return [(int(i), float(s)) for i, s in zip(ids, scores, strict=True) if i >= 0]

    def search_keywords(
        self, words: list[str], k: int, where: Filter | None = None
    ) -> list[tuple[int, float]]:
        """BM25 over chunk texts (FTS5's, app.store.postings) for chunks holding any of
        `words`, among the chunks `where` admits. Higher scores are better."""
        selection = self.selection(where)
        if not words or (selection is not None and len(selection.ids) == 0):
            return []
        allowed = None if selection is None else selection.restriction
        return self._keywords.search(words, k, allowed)

    @functools.cached_property
    def _keywords(self) -> KeywordScorer:
        return KeywordScorer(self.db)

    def selection(self, where: Filter | None) -> Selection | None:
        """The chunks `where` admits, computed once per filter and version."""
        return None if where is None else self._selection(where)

    def _selection(self, where: Filter) -> Selection:
        ids, sources, pages, table = self._columns
        return select(where, ids, sources, pages, table)

    @functools.cached_property
    def _columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, SourceTable]:
        """Every chunk's id, file (a position in the SourceTable) and page, read once."""
        table = SourceTable(self.manifest)
        rows = self.db.execute("SELECT id, source, ifnull(page, 0) FROM chunks ORDER BY id")
        ids, sources, pages = [], [], []
        for chunk_id, source, page in rows:
            ids.append(chunk_id)
            sources.append(table.position.get(source, -1))
            pages.append(page)
        return (
            np.asarray(ids, dtype=np.int64),
            np.asarray(sources, dtype=np.int64),
            np.asarray(pages, dtype=np.int64),
            table,
        )

    def document_frequencies(self, words: list[str]) -> dict[str, int]:
        """How many chunks contain each word (stemmed the way the keyword index stems). Kept,
        for a question's words are counted by retrieval and again by the answer step."""
        kept = self._frequencies  # shared by threads: each reads what it needs once
        found = {word: kept.get(word) for word in words}
        new = [word for word, count in found.items() if count is None]
        if new:
            found.update(zip(new, self._keywords.frequencies(new), strict=True))
            if len(kept) > FREQUENCIES_KEPT:
                kept.clear()
            kept.update((word, found[word]) for word in new)
        return {word: found[word] for word in words}

    def chunks(self, ids: list[int]) -> dict[int, StoredChunk]:
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            f'SELECT id, source, page, start, "end", text, {self.sentences_column} FROM chunks '
            f"WHERE id IN ({marks})",
            ids,
        ).fetchall()
        return {
            row[0]: StoredChunk(*row[1:6], sentences=unpack_sentences(row[6], row[3]), id=row[0])
            for row in rows
        }

    def page_text(self, source: str, page: int | None) -> str | None:
        row = self.db.execute(
            "SELECT text FROM pages WHERE source = ? AND ifnull(page, 0) = ?", (source, page or 0)
        ).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        self.db.close()


def has_sentences(db: sqlite3.Connection) -> bool:
    return any(row[1] == "sentences" for row in db.execute("PRAGMA table_info(chunks)"))


def open_index(root: Path, expected: Manifest | None = None) -> IndexReader:
    """The live version of the index at `root`, checked against the model in use."""
    for _attempt in range(5):
        version = live_version(root)
        if version is None:
            raise IndexNotFoundError(
                f"no index in {root}; build one with: docqa ingest --index {root}"
            )
        try:
            reader = IndexReader(version)
        except (FileNotFoundError, RuntimeError):
            time.sleep(0.05)  # a newer version was published meanwhile; read CURRENT again
            continue
        if expected is not None:
            reader.manifest.ensure_compatible(expected, root)
        return reader
    raise IndexNotFoundError(f"the index in {root} is damaged: CURRENT names a missing version")


class Draft:
    """A new version being built from the live one. Call under `writer_lock`."""

    def __init__(
        self, root: Path, dim: int, rebuild: bool = False, exact_search_limit: int | None = None
    ) -> None:
        """`exact_search_limit`: chunks up to which search is exact (None: the setting)."""
        import faiss

        from app.store import faiss_index

        _remove_scratch(root)
        self.root = root
        self.exact_search_limit = exact_search_limit
        self.previous = None if rebuild else live_version(root)
        # A rebuild starts from nothing but reads the version it replaces for its vectors.
        self._replaced = live_version(root) if rebuild else None
        self._replaced_reader: IndexReader | None = None
        self.path = root / f"{_SCRATCH_PREFIX}{secrets.token_hex(4)}"
        self.path.mkdir()
        db_path = self.path / "chunks.sqlite"
        if self.previous is not None:
            shutil.copyfile(self.previous / "chunks.sqlite", db_path)
            self.vectors = faiss.read_index(str(self.previous / "vectors.faiss"))
            self.db = sqlite3.connect(db_path)
            if not has_sentences(self.db):
                self.db.execute("ALTER TABLE chunks ADD COLUMN sentences TEXT")
        else:
            self.vectors = faiss_index.create(dim)
            self.db = sqlite3.connect(db_path)
            self.db.executescript(_SCHEMA)

    @property
    def chunk_count(self) -> int:
        return int(self.vectors.ntotal)

    def stored_vectors(self, sources: list[str], limit: int) -> dict[str, np.ndarray]:
        """The vectors of up to `limit` chunk texts of `sources` in the live index, by text, so
        that text that comes back (an edited file, a moved one, a file read again by a
        rebuild) is not embedded again. A rebuild reads them from the live version; nothing
        if it is damaged."""
        if self.previous is not None:
            return _vectors_by_text(self.db, self.vectors, sources, limit)
        if self._replaced_reader is None and self._replaced is not None:
            try:
                self._replaced_reader = IndexReader(self._replaced)
            except (OSError, RuntimeError, sqlite3.Error, ValueError):
                self._replaced = None  # a rebuild of a damaged index embeds everything
        if self._replaced_reader is None:
            return {}
        old = self._replaced_reader
        return _vectors_by_text(old.db, old.vectors, sources, limit)

    def remove_source(self, source: str) -> int:
        ids = [r[0] for r in self.db.execute("SELECT id FROM chunks WHERE source = ?", (source,))]
        self.db.execute("DELETE FROM chunks WHERE source = ?", (source,))
        self.db.execute("DELETE FROM pages WHERE source = ?", (source,))
        if ids:
            self.vectors.remove_ids(np.asarray(ids, dtype=np.int64))
        return len(ids)

    def add_source(
        self,
        source: str,
        pages: list[Page],
        chunks: list[Chunk],
        vectors: np.ndarray,
        entry: FileEntry | None = None,
    ) -> None:
        """`entry` is not needed: this draft commits every file at once, in `publish`."""
        self.db.executemany(
            "INSERT INTO pages (source, page, text) VALUES (?, ?, ?)",
            [(source, p.number, p.text) for p in pages],
        )
        ids = [
            self.db.execute(
                'INSERT INTO chunks (source, page, start, "end", text, sentences) '
                "VALUES (?, ?, ?, ?, ?, ?)",
                (source, c.page, c.start, c.end, c.text, pack_sentences(c)),
            ).lastrowid
            for c in chunks
        ]
        if ids:
            self.vectors.add_with_ids(vectors, np.asarray(ids, dtype=np.int64))

    def publish(self, manifest: Manifest) -> Path:
        """Make this draft the live version, atomically, then drop versions nobody needs."""
        import faiss

        from app.store import faiss_index

        self.db.commit()
        self.db.close()
        self._close_replaced()
        self.vectors = faiss_index.fit(self.vectors, self.exact_search_limit)
        faiss.write_index(self.vectors, str(self.path / "vectors.faiss"))
        manifest.built_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        (self.path / "manifest.json").write_text(manifest.to_json())
        for name in ("chunks.sqlite", "vectors.faiss", "manifest.json"):
            _fsync(self.path / name)
        version = (
            self.root / f"{_VERSION_PREFIX}{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
        )
        os.rename(self.path, version)
        pointer = self.root / f"{_SCRATCH_PREFIX}{CURRENT}"
        pointer.write_text(version.name + "\n")
        _fsync(pointer)
        os.replace(pointer, self.root / CURRENT)
        _fsync(self.root)
        _remove_old_versions(self.root, keep={version.name, getattr(self.previous, "name", "")})
        return version

    def discard(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.close()
        self._close_replaced()
        shutil.rmtree(self.path, ignore_errors=True)

    def _close_replaced(self) -> None:
        if self._replaced_reader is not None:
            self._replaced_reader.close()
            self._replaced_reader = None


def _vectors_by_text(
    db: sqlite3.Connection, vectors: faiss.Index, sources: list[str], limit: int
) -> dict[str, np.ndarray]:
    """One lookup in the vector index for all `sources`: each costs a pass over its ids."""
    from app.store import faiss_index

    texts: dict[int, str] = {}
    for start in range(0, len(sources), 500):
        marks = ",".join("?" * len(sources[start : start + 500]))
        rows = db.execute(
            f"SELECT id, text FROM chunks WHERE source IN ({marks}) LIMIT ?",
            [*sources[start : start + 500], limit - len(texts)],
        )
        texts.update(rows.fetchall())
        if len(texts) >= limit:
            break
    found = faiss_index.vectors_of(vectors, np.fromiter(texts, dtype=np.int64))
    return {texts[chunk_id]: vector for chunk_id, vector in found.items()}


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_scratch(root: Path) -> None:
    for leftover in root.glob(f"{_SCRATCH_PREFIX}*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def _remove_old_versions(root: Path, keep: set[str]) -> None:
    """Keep the new version and the one before it: a reader may be opening that one right now."""
    for old in root.glob(f"{_VERSION_PREFIX}*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
