"""Helpers for the per-format tests: ingest a corpus for real and read back what was stored."""

from __future__ import annotations

from app.ingest.pipeline import IngestReport, ingest
from app.settings import Settings
from app.store.folder import open_index, read_manifest
from app.store.manifest import FileEntry


def ingest_files(settings: Settings, embedder, files: dict[str, bytes]) -> IngestReport:
    """Write `files` into the corpus and run the real ingest (sandbox, pipeline, index)."""
    for relpath, data in files.items():
        path = settings.corpus / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return ingest(settings, embedder=embedder)


def stored_pages(settings: Settings, source: str) -> dict[int | None, str]:
    """Page number -> stored page text of `source`, as citations will read it."""
    reader = open_index(settings.index)
    rows = reader.db.execute("SELECT page, text FROM pages WHERE source = ?", (source,))
    return dict(rows.fetchall())


def entry(settings: Settings, source: str) -> FileEntry:
    manifest = read_manifest(settings.index)
    assert manifest is not None
    return manifest.files[source]


def skipped(report: IngestReport) -> dict[str, str]:
    return {s.relpath: s.reason for s in report.files_skipped}
