"""Folders -> index: find what changed, extract it, chunk it, embed it, publish a new version.

Only new and changed files (by SHA-256 of their bytes) are read and embedded; a re-run over an
unchanged corpus compares sizes and modification times, finds nothing to do, and never loads the
model. Every failure of a single file becomes a line in the report, not an aborted run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tqdm import tqdm

from app.chunking import Chunk, chunk_page, count_tokens
from app.embedding import Embedder, load_embedder
from app.loaders import CorpusFile, ExtractionError, Page, Skipped, scan_corpus
from app.sandbox import ExtractionSandbox
from app.settings import Settings
from app.store import Draft, FileEntry, Manifest, read_manifest, writer_lock

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
    tokens_embedded: int = 0
    seconds: float = 0.0
    # seconds spent in each stage: scan, extract, chunk, embed, write
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


def corpus_roots(folders: list[Path]) -> dict[str, Path]:
    """Source-name prefix for each folder: none for a single folder, its name for several."""
    resolved = [f.resolve() for f in folders]
    for folder in resolved:
        if not folder.is_dir():
            raise FileNotFoundError(f"not a folder: {folder}")
    if len(resolved) == 1:
        return {"": resolved[0]}
    roots = {folder.name: folder for folder in resolved}
    if len(roots) != len(resolved):
        raise ValueError("folders given to ingest must have different names")
    return roots


def ingest(
    settings: Settings,
    folders: list[Path] | None = None,
    *,
    rebuild: bool = False,
    wait: bool = False,
    progress: bool = False,
    embedder: Embedder | None = None,
) -> IngestReport:
    started = time.perf_counter()
    roots = corpus_roots(folders or [settings.corpus])
    embedder = embedder or load_embedder(settings.model)
    expected = Manifest(
        model=embedder.name,
        dim=embedder.dim,
        chunk_tokens=settings.chunk_tokens,
        chunk_overlap=settings.chunk_overlap,
        roots={prefix: str(path) for prefix, path in roots.items()},
    )
    report = IngestReport(index=str(settings.index))
    with writer_lock(settings.index, wait=wait):
        previous = None if rebuild else read_manifest(settings.index)
        if previous is not None:
            previous.ensure_compatible(expected, settings.index)
            if (previous.chunk_tokens, previous.chunk_overlap) != (
                expected.chunk_tokens,
                expected.chunk_overlap,
            ):
                previous, rebuild = None, True  # chunks of another size: rebuild them all
        _apply_changes(settings, roots, previous, expected, embedder, report, rebuild, progress)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _apply_changes(
    settings: Settings,
    roots: dict[str, Path],
    previous: Manifest | None,
    manifest: Manifest,
    embedder: Embedder,
    report: IngestReport,
    rebuild: bool,
    progress: bool,
) -> None:
    old_files = previous.files if previous else {}
    with _timed(report, "scan"):
        files, refused = _scan(roots, int(settings.max_file_mb * 2**20))
        todo = _changed_files(files, old_files, manifest)
    report.files_skipped.extend(refused)
    for path, entry in manifest.files.items():
        if entry.skipped:
            report.files_skipped.append(Skipped(path, entry.skipped + " (unchanged since then)"))
        else:
            report.files_unchanged += 1
    present = {f.relpath for f in files}
    gone = [p for p in old_files if p not in present]
    report.files_removed = [p for p in gone if not old_files[p].skipped]
    unchanged = not (todo or gone or rebuild) and manifest.files == old_files
    if unchanged and previous is not None:
        report.chunks_total = sum(e.chunks for e in manifest.files.values())
        return

    draft = Draft(settings.index, manifest.dim, rebuild=rebuild or previous is None)
    try:
        for path in gone + [f.relpath for f, _ in todo if f.relpath in old_files]:
            report.chunks_removed += draft.remove_source(path)
        extracted = _extract_all(todo, settings, embedder, manifest, report, progress)
        chunks = [c for e in extracted for c in e.chunks]
        with _timed(report, "embed"):
            vectors = _embed_all(chunks, embedder, settings, progress)
        with _timed(report, "write"):
            offset = 0
            for item in extracted:
                count = len(item.chunks)
                draft.add_source(
                    item.file.relpath, item.pages, item.chunks, vectors[offset : offset + count]
                )
                offset += count
                report.files_indexed.append(item.file.relpath)
            report.chunks_total = int(draft.vectors.ntotal)
            draft.publish(manifest)
        report.chunks_added = len(chunks)
        report.tokens_embedded = count_tokens([c.text for c in chunks])
        report.published = True
    except BaseException:
        draft.discard()
        raise


def _changed_files(
    files: list[CorpusFile], old_files: dict[str, FileEntry], manifest: Manifest
) -> list[tuple[CorpusFile, str]]:
    """New and changed files with their SHA-256; unchanged ones go straight into `manifest`.

    Size and modification time decide without reading the file; only when they differ is the
    file hashed, and a file whose bytes are unchanged (touched, copied back) is not re-embedded.
    """
    todo: list[tuple[CorpusFile, str]] = []
    for file in files:
        entry = old_files.get(file.relpath)
        if entry and (entry.size, entry.mtime_ns) == (file.size, file.mtime_ns):
            manifest.files[file.relpath] = entry
            continue
        digest = _sha256(file.path)
        if entry and entry.sha256 == digest:
            manifest.files[file.relpath] = dataclasses.replace(entry, mtime_ns=file.mtime_ns)
        else:
            todo.append((file, digest))
    return todo


@contextlib.contextmanager
def _timed(report: IngestReport, stage: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        report.stage_seconds[stage] = round(report.stage_seconds.get(stage, 0.0) + elapsed, 3)


def _scan(roots: dict[str, Path], max_bytes: int) -> tuple[list[CorpusFile], list[Skipped]]:
    files: list[CorpusFile] = []
    refused: list[Skipped] = []
    for prefix, folder in roots.items():
        found, skipped = scan_corpus(folder, max_bytes)
        name = (lambda rel, prefix=prefix: f"{prefix}/{rel}") if prefix else str
        files.extend(CorpusFile(f.path, name(f.relpath), f.size, f.mtime_ns) for f in found)
        refused.extend(Skipped(name(s.relpath), s.reason) for s in skipped)
    return files, refused


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(2**20):
            digest.update(block)
    return digest.hexdigest()


def _extract_all(
    todo: list[tuple[CorpusFile, str]],
    settings: Settings,
    embedder: Embedder,
    manifest: Manifest,
    report: IngestReport,
    progress: bool,
) -> list[_Extracted]:
    extracted: list[_Extracted] = []
    sandbox = ExtractionSandbox(
        settings.file_timeout, settings.extract_memory_mb, settings.max_pages
    )
    with sandbox, tqdm(todo, desc="Reading", unit="file", disable=not progress) as bar:
        for file, digest in bar:
            bar.set_postfix_str(file.relpath[-40:], refresh=False)
            try:
                with _timed(report, "extract"):
                    pages = sandbox.extract(file.path)
            except ExtractionError as exc:
                report.files_skipped.append(Skipped(file.relpath, str(exc)))
                manifest.files[file.relpath] = FileEntry(
                    digest, file.size, file.mtime_ns, skipped=str(exc)
                )
                continue
            with _timed(report, "chunk"):
                chunks = _chunk_pages(file.relpath, pages, settings, embedder)
            manifest.files[file.relpath] = FileEntry(
                digest, file.size, file.mtime_ns, pages=len(pages), chunks=len(chunks)
            )
            extracted.append(_Extracted(file, pages, chunks))
    return extracted


def _chunk_pages(
    source: str, pages: list[Page], settings: Settings, embedder: Embedder
) -> list[Chunk]:
    return [
        chunk
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


def _embed_all(chunks: list[Chunk], embedder: Embedder, settings: Settings, progress: bool):
    """Vectors in the order of `chunks`; embedded longest-first so batches pad little."""
    import numpy as np

    vectors = np.zeros((len(chunks), embedder.dim), dtype=np.float32)
    order = sorted(range(len(chunks)), key=lambda i: -len(chunks[i].text))
    with tqdm(total=len(chunks), desc="Embedding", unit="chunk", disable=not progress) as bar:
        for begin in range(0, len(order), EMBED_GROUP):
            group = order[begin : begin + EMBED_GROUP]
            vectors[group] = embedder.encode([chunks[i].text for i in group], settings.batch_size)
            bar.update(len(group))
    return vectors
