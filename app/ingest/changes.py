"""What an ingest has to do: the corpus files that are new or changed since the last manifest.

Size and modification time decide without reading a file; only when they differ is it hashed,
so a re-run over an unchanged corpus reads no file and never loads the model.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from app.ingest.extract import EXTRACTION_VERSION
from app.ingest.scan import CorpusFile, Skipped
from app.records import Shard
from app.store.manifest import FileEntry, Manifest


def shard_files(
    files: list[CorpusFile], refused: list[Skipped], shard: Shard
) -> tuple[list[CorpusFile], list[Skipped]]:
    """The files of `shard` only: another machine ingests the others."""
    return (
        [f for f in files if shard.holds(f.relpath)],
        [s for s in refused if shard.holds(s.relpath)],
    )


def changed_files(
    files: list[CorpusFile],
    old_files: dict[str, FileEntry],
    manifest: Manifest,
    unreadable: list[Skipped],
) -> list[tuple[CorpusFile, str]]:
    """New and changed files with their SHA-256; unchanged ones go straight into `manifest`.

    Size and modification time decide without reading the file; only when they differ is the
    file hashed, and a file whose bytes are unchanged (touched, copied back) is not re-embedded.
    A file that vanished since the scan, or cannot be read, goes to `unreadable`. A file that
    an older docqa refused (its EXTRACTION_VERSION) is read again.
    """
    todo: list[tuple[CorpusFile, str]] = []
    for file in files:
        entry = old_files.get(file.relpath)
        if entry and entry.skipped and entry.extraction < EXTRACTION_VERSION:
            entry = None  # a newer docqa may read what an older one refused
        if entry and (entry.size, entry.mtime_ns) == (file.size, file.mtime_ns):
            manifest.files[file.relpath] = entry
            continue
        try:
            digest = _sha256(file.path)
        except OSError as exc:
            reason = "vanished during the update" if isinstance(exc, FileNotFoundError) else None
            unreadable.append(Skipped(file.relpath, reason or f"cannot read: {exc.strerror}"))
            continue
        if entry and entry.sha256 == digest:
            manifest.files[file.relpath] = dataclasses.replace(entry, mtime_ns=file.mtime_ns)
        else:
            todo.append((file, digest))
    return todo


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(2**20):
            digest.update(block)
    return digest.hexdigest()
