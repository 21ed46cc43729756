"""Folders -> index: find what changed, extract it, chunk it, embed it, publish a new version.

Only new and changed files (by SHA-256 of their bytes) are read, and of their chunks only the
texts the index does not already hold are embedded (app.ingest.reuse); a re-run over an
unchanged corpus compares sizes and modification times, finds nothing to do, and never loads the
model. Every failure of a single file becomes a line in the report, not an aborted run.
"""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm import tqdm

from app.ingest.changes import changed_files, shard_files
from app.ingest.chunking import chunk_page, count_tokens
from app.ingest.errors import ExtractionError, UnreadableFileError
from app.ingest.extract import EXTRACTION_VERSION
from app.ingest.reuse import KnownVectors
from app.ingest.sandbox import ExtractionSandbox
from app.ingest.scan import CorpusFile, Skipped, corpus_roots, scan_roots
from app.ingest.sentences import with_sentences
from app.ingest.workers import embed_texts, embedding_pool, read_ahead
from app.models.embedder import Embedder, load_embedder
from app.records import Chunk, Page, Shard
from app.settings import Settings
from app.store.backends import Backend, backend
from app.store.manifest import FileEntry, Manifest, StoreError

if TYPE_CHECKING:
    from app.store.backends import IndexDraft

EMBED_GROUP = 256  # texts per encode() call: large enough to sort by length, small for progress


@dataclass
class IngestReport:
    index: str
    files_indexed: list[str] = field(default_factory=list)
    files_unchanged: int = 0
    files_removed: list[str] = field(default_factory=list)
    files_skipped: list[Skipped] = field(default_factory=list)
    chunks_added: int = 0
    chunks_removed: int = 0
    chunks_total: int = 0
    chunks_reused: int = 0  # of chunks_added: vectors the index held, or an identical chunk's
    files_read_by_older_docqa: int = 0  # their text is as an older extraction read it
    tokens_embedded: int = 0
    seconds: float = 0.0
    # busy seconds of each stage (scan, extract, chunk, embed, write); extract and chunk run
    # while embedding does, so the stages can add up to more than `seconds`
    stage_seconds: dict[str, float] = field(default_factory=dict)
    published: bool = False

    def to_dict(self) -> dict:
        data = asdict(self)
        data["files_skipped"] = [
            {"path": s.relpath, "reason": s.reason} for s in self.files_skipped
        ]
        return data


@dataclass
class _Extracted:
    file: CorpusFile
    pages: list[Page]
    chunks: list[Chunk]


def ingest(
    settings: Settings,
    folders: list[Path] | None = None,
    *,
    rebuild: bool = False,
    wait: bool = False,
    progress: bool = False,
    embedder: Embedder | None = None,
    shard: Shard | None = None,
    workers: int = 1,
    reuse_vectors: bool = True,
) -> IngestReport:
    """Update the index of `settings.store` from `folders`.

    `shard` (Milvus only) limits this run to its part of the corpus, so several machines can
    share one collection; `workers` embeds in that many processes. `reuse_vectors` False embeds
    every chunk read, even one whose text the index holds (`--re-embed`).
    """
    started = time.perf_counter()
    store = backend(settings)
    if shard is not None and store.kind != "milvus":
        raise ValueError("--shard needs --store milvus: shards share one Milvus collection")
    if workers < 1:
        raise ValueError("--workers must be 1 or more")
    if settings.batch_size < 0:
        raise ValueError("DOCQA_BATCH_SIZE must be 1 or more, or 0 for the runtime's own")
    roots = corpus_roots(folders or [settings.corpus])
    embedder = embedder or load_embedder(
        settings.model, settings.backend, settings.model_cache, workload="bulk"
    )
    expected = Manifest(
        model=embedder.name,
        dim=embedder.dim,
        chunk_tokens=settings.chunk_tokens,
        chunk_overlap=settings.chunk_overlap,
        roots={prefix: str(path) for prefix, path in roots.items()},
    )
    report = IngestReport(index=store.where)
    with store.errors(), store.write_lock(wait):
        live = _live_manifest(store, shard, rebuild)
        previous = None if rebuild else live
        if previous is not None:
            store.ensure_compatible(previous, expected)
            if (previous.chunk_tokens, previous.chunk_overlap) != (
                expected.chunk_tokens,
                expected.chunk_overlap,
            ):
                previous, rebuild = None, True  # chunks of another size: rebuild them all
        same_model = live is not None and (live.model, live.dim) == (expected.model, expected.dim)
        known = KnownVectors() if reuse_vectors and same_model else KnownVectors(limit=0)
        rereads = [p for p, e in live.files.items() if not e.skipped] if rebuild and live else []
        changes = _Changes(store, shard, rebuild, progress, workers, known, rereads)
        _apply_changes(settings, roots, previous, expected, embedder, report, changes)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _live_manifest(store: Backend, shard: Shard | None, rebuild: bool) -> Manifest | None:
    """The published index's manifest; for a rebuild, None if it cannot be read (a rebuild is
    how a damaged index is replaced, and only reads it to reuse its vectors)."""
    if not rebuild:
        return store.read_manifest(shard)
    try:
        return store.read_manifest(shard)
    except (OSError, ValueError, StoreError):
        return None


@dataclass
class _Changes:
    """How to apply the changes: to which store and shard, and with how many processes."""

    store: Backend
    shard: Shard | None
    rebuild: bool
    progress: bool
    workers: int
    known: KnownVectors  # vectors of chunk texts that need no model call
    rereads: list[str]  # a rebuild's files whose vectors the live index holds


def _apply_changes(
    settings: Settings,
    roots: dict[str, Path],
    previous: Manifest | None,
    manifest: Manifest,
    embedder: Embedder,
    report: IngestReport,
    changes: _Changes,
) -> None:
    rebuild = changes.rebuild
    old_files = previous.files if previous else {}
    with _timed(report, "scan"):
        files, refused = scan_roots(roots, int(settings.max_file_mb * 2**20))
        if changes.shard is not None:
            files, refused = shard_files(files, refused, changes.shard)
        todo = changed_files(files, old_files, manifest, refused)
    report.files_skipped.extend(refused)
    for path, entry in manifest.files.items():
        report.files_read_by_older_docqa += entry.extraction < EXTRACTION_VERSION
        if entry.skipped:
            report.files_skipped.append(Skipped(path, entry.skipped + " (unchanged since then)"))
        else:
            report.files_unchanged += 1
    present = {f.relpath for f in files} - {s.relpath for s in refused}
    gone = [p for p in old_files if p not in present]
    report.files_removed = [p for p in gone if not old_files[p].skipped]
    unchanged = not (todo or gone or rebuild) and manifest.files == old_files
    if unchanged and previous is not None:
        changes.store.recover(changes.shard)  # rows a killed Milvus ingest left behind
        report.chunks_total = sum(e.chunks for e in manifest.files.values())
        return

    draft = changes.store.draft(manifest.dim, rebuild or previous is None, changes.shard)
    try:
        removed = gone + [f.relpath for f, _ in todo if f.relpath in old_files]
        reused = [p for p in removed if not old_files[p].skipped] + changes.rereads
        changes.known.take_stored(draft, reused)
        for path in removed:
            report.chunks_removed += draft.remove_source(path)
        _index_files(todo, settings, embedder, manifest, report, draft, changes)
        with _timed(report, "write"):
            report.chunks_total = draft.chunk_count
            draft.publish(manifest)
        report.published = True
    except BaseException:
        draft.discard()
        raise


@contextlib.contextmanager
def _timed(report: IngestReport, stage: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        report.stage_seconds[stage] = round(report.stage_seconds.get(stage, 0.0) + elapsed, 3)


def _index_files(
    todo: list[tuple[CorpusFile, str]],
    settings: Settings,
    embedder: Embedder,
    manifest: Manifest,
    report: IngestReport,
    draft: IndexDraft,
    changes: _Changes,
) -> None:
    """Extract, chunk, embed and add `todo` to the draft, reading ahead while embedding.

    Extraction runs in its own worker process and chunking mostly in Rust, while the model
    keeps both cores busy; a thread that reads the next files during embedding therefore hides
    most of their cost; the model itself loads while the first files are read. Files are
    embedded in groups of about EMBED_GROUP chunks; with several `workers`, that many groups
    are embedded at once in worker processes, and written in order.
    """
    progress, workers = changes.progress, changes.workers
    with (
        tqdm(desc="Embedding", unit="chunk", total=0, position=1, disable=not progress) as bar,
        embedding_pool(embedder, workers) as (pool, embedder),
    ):
        group: list[_Extracted] = []
        group_chunks = 0
        pending: deque[_Embedding] = deque()
        extracted = _extract_each(todo, settings, embedder, manifest, report, progress)
        reading = read_ahead(extracted, join_timeout=settings.file_timeout + 5)
        with contextlib.closing(reading):  # on an error, stop the reader now, not at exit
            for item in reading:
                group.append(item)
                group_chunks += len(item.chunks)
                bar.total += len(item.chunks)
                if group_chunks >= EMBED_GROUP:
                    pending.append(
                        _start_embedding(group, embedder, settings, report, changes, pool)
                    )
                    group, group_chunks = [], 0
                    while len(pending) > (workers if pool else 0):
                        _add_group(pending.popleft(), manifest, report, draft, bar)
        pending.append(_start_embedding(group, embedder, settings, report, changes, pool))
        while pending:
            _add_group(pending.popleft(), manifest, report, draft, bar)


@dataclass
class _Embedding:
    """A group of files whose new chunk texts are being embedded."""

    group: list[_Extracted]
    texts: list[str]  # every chunk's text, in order
    embedded: list[str]  # the texts sent to the model: those without a known vector, once each
    vectors: Future  # of `embedded`
    known: KnownVectors


def _start_embedding(
    group: list[_Extracted],
    embedder: Embedder,
    settings: Settings,
    report: IngestReport,
    changes: _Changes,
    pool: ProcessPoolExecutor | None,
) -> _Embedding:
    """Embed the texts of `group` that have no vector yet: now without a pool, else in a worker."""
    texts = [c.text for item in group for c in item.chunks]
    embedded = changes.known.missing(texts)
    if pool is not None:
        vectors = pool.submit(embed_texts, embedded, None, settings.batch_size)
    else:
        vectors = Future()
        with _timed(report, "embed"):
            vectors.set_result(embed_texts(embedded, embedder, settings.batch_size))
    return _Embedding(group, texts, embedded, vectors, changes.known)


def _add_group(
    embedding: _Embedding,
    manifest: Manifest,
    report: IngestReport,
    draft: IndexDraft,
    bar: tqdm,
) -> None:
    with _timed(report, "embed"):  # waiting for a worker counts as embedding
        fresh = embedding.vectors.result()
    vectors = embedding.known.vectors(embedding.texts, embedding.embedded, fresh)
    with _timed(report, "write"):
        offset = 0
        for item in embedding.group:
            count = len(item.chunks)
            source = item.file.relpath
            draft.add_source(
                source,
                item.pages,
                item.chunks,
                vectors[offset : offset + count],
                manifest.files[source],
            )
            offset += count
            report.files_indexed.append(item.file.relpath)
    report.chunks_added += len(embedding.texts)
    report.chunks_reused += len(embedding.texts) - len(embedding.embedded)
    report.tokens_embedded += count_tokens(embedding.embedded)
    bar.update(len(embedding.texts))


def _extract_each(
    todo: list[tuple[CorpusFile, str]],
    settings: Settings,
    embedder: Embedder,
    manifest: Manifest,
    report: IngestReport,
    progress: bool,
) -> Iterator[_Extracted]:
    sandbox = ExtractionSandbox.for_settings(settings)
    with sandbox, tqdm(todo, desc="Reading", unit="file", position=0, disable=not progress) as bar:
        for file, digest in bar:
            bar.set_postfix_str(file.relpath[-40:], refresh=False)
            try:
                with _timed(report, "extract"):
                    pages = sandbox.extract(file.path)
            except ExtractionError as exc:
                report.files_skipped.append(Skipped(file.relpath, str(exc)))
                if not isinstance(exc, UnreadableFileError):  # a failed read is retried next run
                    manifest.files[file.relpath] = FileEntry(
                        digest,
                        file.size,
                        file.mtime_ns,
                        skipped=str(exc),
                        extraction=EXTRACTION_VERSION,
                    )
                continue
            with _timed(report, "chunk"):
                chunks = _chunk_pages(file.relpath, pages, settings, embedder)
            manifest.files[file.relpath] = FileEntry(
                digest,
                file.size,
                file.mtime_ns,
                pages=len(pages),
                chunks=len(chunks),
                page_labels={str(p.number): p.label for p in pages if p.label is not None},
                ocr_pages=[p.number or 0 for p in pages if p.ocr],
                ocr_spans={
                    str(p.number or 0): [list(span) for span in p.ocr_spans]
                    for p in pages
                    if p.ocr and p.ocr_spans is not None
                },
                extraction=EXTRACTION_VERSION,
            )
            yield _Extracted(file, pages, chunks)


def _chunk_pages(
    source: str, pages: list[Page], settings: Settings, embedder: Embedder
) -> list[Chunk]:
    return [
        with_sentences(chunk)
        for page in pages
        for chunk in chunk_page(
            page.text,
            source=source,
            page=page.number,
            max_tokens=settings.chunk_tokens,
            overlap=settings.chunk_overlap,
            fits=embedder.fits,
        )
    ]
