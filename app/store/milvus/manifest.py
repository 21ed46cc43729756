"""The manifest in Milvus: one row per file (its commit), the settings row, and the journal."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from app.records import Shard, in_shard, source_key
from app.store.manifest import FileEntry, IndexMismatchError, Manifest
from app.store.milvus.connection import MilvusStore, scan
from app.store.milvus.schema import MARKER, META_KEY, TERMS_FORMAT


@dataclass
class Files:
    """The manifest rows as stored: entries, and the content key each file's rows must have."""

    meta: dict[str, Any] | None
    entries: dict[str, FileEntry] = field(default_factory=dict)
    contents: dict[str, int] = field(default_factory=dict)  # source -> content key (0: none)
    terms: dict[str, int] = field(default_factory=dict)  # source -> keyword terms in its chunks


def read_files(store: MilvusStore) -> Files:
    rows = store.client.get(store.files, ids=[META_KEY], output_fields=["data"])
    files = Files(json.loads(rows[0]["data"]) if rows else None)
    for row in scan(store, store.files, ["source", "content_key", "data"], "key >= 0"):
        data = json.loads(row["data"])
        files.terms[row["source"]] = data.pop("terms", 0)
        files.entries[row["source"]] = FileEntry(**data)
        files.contents[row["source"]] = row["content_key"]
    return files


def file_row(source: str, entry: FileEntry, content: int, terms: int) -> dict:
    return {
        "key": source_key(source),
        "source": source,
        "content_key": content,
        "data": json.dumps({**asdict(entry), "terms": terms}, sort_keys=True),
        "marker": MARKER,
    }


def special_row(key: int, data: dict) -> dict:
    """A row of <name>_files that is not a file: the settings, or an unfinished-ingest mark."""
    return {"key": key, "source": "", "content_key": 0, "data": json.dumps(data), "marker": MARKER}


def manifest_of(meta: dict[str, Any], entries: dict[str, FileEntry]) -> Manifest:
    settings = {k: v for k, v in meta.items() if k in Manifest.__dataclass_fields__}
    return Manifest(**{**settings, "files": dict(entries)})


def read_manifest(store: MilvusStore, shard: Shard | None = None) -> Manifest | None:
    """The published manifest with the files of `shard` only; None when nothing was published."""
    if not store.exists():
        return None
    files = read_files(store)
    if files.meta is None:
        return None
    entries = {s: e for s, e in files.entries.items() if in_shard(s, shard)}
    return manifest_of(files.meta, entries)


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


def journal_key(shard: Shard | None) -> int:
    """The row that marks an unfinished ingest of `shard`: -2 for the whole corpus."""
    return -2 if shard is None else -(1_000_000 * shard.count + shard.index + 2)


def set_journal(store: MilvusStore, shard: Shard | None, unfinished: bool) -> None:
    key = journal_key(shard)
    if unfinished:
        label = "all" if shard is None else str(shard)
        store.client.upsert(store.files, [special_row(key, {"shard": label, "since": time.time()})])
    else:
        store.client.delete(store.files, ids=[key])
