"""Which index docqa reads and writes: the FAISS folder (store.folder) or Milvus (store.milvus).

The `store` setting picks one; ingest, the engine and the CLI ask `backend(settings)` for the
few things that differ (manifest, lock, draft, reader, version stamp, check), so neither store's
details leak into them. Both drafts take the same calls: `add_source(..., entry)` commits the
file at once in Milvus (a killed ingest resumes there) and is ignored by the FAISS draft, which
publishes everything at once anyway.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.records import Shard
from app.settings import Settings
from app.store.collections import FOLDER, collection_settings, milvus_names, valid_name
from app.store.manifest import Manifest, StoreError

if TYPE_CHECKING:
    from app.store.folder import Draft
    from app.store.milvus.connection import MilvusStore
    from app.store.milvus.writer import MilvusDraft

    IndexDraft = Draft | MilvusDraft  # the same calls: remove_source, add_source, publish, ...

STORES = ("faiss", "milvus")


class FaissBackend:
    """The index folder of store.folder: one writer at a time, versions swapped atomically."""

    kind = "faiss"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def where(self) -> str:
        return str(self.settings.index)

    def describe(self) -> dict[str, str]:
        return {"store": self.kind, "index": self.where}

    def write_lock(self, wait: bool) -> AbstractContextManager:
        from app.store.lock import writer_lock

        return writer_lock(self.settings.index, wait=wait)

    def errors(self) -> AbstractContextManager:
        return folder_errors(self.settings.index)

    def read_manifest(self, shard: Shard | None = None) -> Manifest | None:
        from app.store.folder import read_manifest

        return read_manifest(self.settings.index)

    def ensure_compatible(self, found: Manifest, expected: Manifest) -> None:
        found.ensure_compatible(expected, self.settings.index)

    def draft(self, dim: int, rebuild: bool, shard: Shard | None = None) -> IndexDraft:
        from app.store.folder import Draft

        return Draft(
            self.settings.index, dim, rebuild=rebuild,
            exact_search_limit=self.settings.exact_search_limit,
        )  # fmt: skip

    def recover(self, shard: Shard | None = None) -> None:
        """Nothing to do: a killed FAISS ingest leaves only a scratch folder, never seen."""

    def open_reader(self, expected: Manifest | None = None) -> Any:
        from app.store.folder import open_index

        return open_index(self.settings.index, expected)

    def version(self) -> Any:
        """Equal to the `version` of a reader of the newest published index."""
        from app.store.folder import live_version

        return live_version(self.settings.index)

    def check(self) -> list[str]:
        from app.store.folder_check import check_index

        return check_index(self.settings.index)

    def notes(self) -> list[str]:
        return []

    def exists(self) -> bool:
        return self.version() is not None

    def for_collection(self, name: str) -> FaissBackend:
        """The store of collection `name`: a folder of its own under this index."""
        return FaissBackend(collection_settings(self.settings, name))

    def collection_names(self) -> list[str]:
        """The named collections beside this index that have a published version."""
        folder = self.settings.index / FOLDER
        if not folder.is_dir():
            return []
        return sorted(
            entry.name
            for entry in folder.iterdir()
            if _is_name(entry.name) and (entry / "CURRENT").is_file()
        )


class MilvusBackend:
    """One collection set in Milvus (a Lite file or a server), connected on first use."""

    kind = "milvus"

    def __init__(self, settings: Settings, shared: MilvusBackend | None = None) -> None:
        """`shared`: the backend whose connection this one uses (a Lite file admits one)."""
        self.settings = settings
        self._store: MilvusStore | None = None
        self._shared = shared

    @property
    def where(self) -> str:
        return f"{self.settings.milvus_uri} (collection {self.settings.milvus_collection})"

    def describe(self) -> dict[str, str]:
        return {
            "store": self.kind,
            "index": self.where,
            "milvus_uri": self.settings.milvus_uri,
            "milvus_collection": self.settings.milvus_collection,
        }

    def store(self, create: bool = False) -> MilvusStore:
        """The connection, made once: a Lite file admits one process, and reconnecting costs."""
        if self._store is None:
            from app.store.milvus.connection import attach, connect

            uri, name = self.settings.milvus_uri, self.settings.milvus_collection
            if self._shared is not None:
                self._store = attach(self._shared.store(create).client, uri, name)
            else:
                self._store = connect(uri, name, create=create)
        return self._store

    def write_lock(self, wait: bool) -> AbstractContextManager:
        """No lock: shards write disjoint rows, and the engine serialises each write."""
        return contextlib.nullcontext()

    def errors(self) -> AbstractContextManager:
        return milvus_errors(self.where)

    def read_manifest(self, shard: Shard | None = None) -> Manifest | None:
        from app.store.milvus.manifest import read_manifest

        return read_manifest(self.store(create=True), shard)

    def ensure_compatible(self, found: Manifest, expected: Manifest) -> None:
        from app.store.milvus.manifest import ensure_compatible

        ensure_compatible(found, expected, self.store())

    def draft(self, dim: int, rebuild: bool, shard: Shard | None = None) -> IndexDraft:
        from app.store.milvus.writer import MilvusDraft

        return MilvusDraft(self.store(create=True), dim, rebuild=rebuild, shard=shard)

    def recover(self, shard: Shard | None = None) -> None:
        """Sweep what a killed ingest of `shard` left; one lookup when there is nothing."""
        from app.store.milvus.writer import recover

        recover(self.store(create=True), shard)

    def open_reader(self, expected: Manifest | None = None) -> Any:
        from app.store.milvus.reader import open_index

        return open_index(self.store(), expected)

    def version(self) -> Any:
        from app.store.milvus.manifest import current_version

        return current_version(self.store())

    def check(self) -> list[str]:
        from app.store.milvus.check import check

        return check(self.store())

    def notes(self) -> list[str]:
        """Lines `docqa check` always prints: whether keyword search works on this engine."""
        from app.store.milvus.check import keyword_search_status

        return [keyword_search_status(self.store())]

    def exists(self) -> bool:
        return self.store().exists()

    def for_collection(self, name: str) -> MilvusBackend:
        """The store of collection `name`: its own collection prefix, over this connection."""
        return MilvusBackend(collection_settings(self.settings, name), shared=self)

    def collection_names(self) -> list[str]:
        """The named collections in this engine under this backend's prefix."""
        names = self.store().client.list_collections()
        return milvus_names(self.settings.milvus_collection, names)


Backend = FaissBackend | MilvusBackend


def backend(settings: Settings) -> Backend:
    """The store `settings.store` names."""
    if settings.store == "faiss":
        return FaissBackend(settings)
    if settings.store == "milvus":
        return MilvusBackend(settings)
    raise ValueError(f"unknown store {settings.store!r}; choose from {', '.join(STORES)}")


class MilvusWriteError(StoreError):
    """Milvus refused a request during an ingest; committed files stay, the rest is swept."""


@contextlib.contextmanager
def milvus_errors(where: str) -> Iterator[None]:
    """An error of the engine becomes one clear message, not a pymilvus traceback."""
    try:
        yield
    except Exception as exc:
        reason = milvus_failure(exc)
        if reason is None:
            raise
        raise MilvusWriteError(
            f"Milvus at {where} refused a request: {reason}. Files committed so far stay "
            "indexed and the next ingest resumes after them; check that the engine is running "
            "and has space, then run the ingest again"
        ) from exc


def _is_name(name: str) -> bool:
    try:
        return valid_name(name) == name
    except ValueError:
        return False


def milvus_failure(exc: BaseException) -> str | None:
    """The engine's reason when `exc` is a pymilvus error, else None (checked by module, so
    the FAISS mode never imports pymilvus)."""
    if not type(exc).__module__.startswith("pymilvus"):
        return None
    return getattr(exc, "message", None) or str(exc)


class IndexWriteError(StoreError):
    """The disk refused the new version (full, read-only, not a folder); the live one is intact."""


@contextlib.contextmanager
def folder_errors(index: Path) -> Iterator[None]:
    """A disk that refuses the new version becomes one clear message, not a traceback.

    The draft has been discarded by then and CURRENT still names the old version, so the
    message can promise that the index is unchanged.
    """
    try:
        yield
    except (OSError, sqlite3.Error, RuntimeError) as exc:
        reason = _folder_failure(exc, index)
        if reason is None:
            raise
        raise IndexWriteError(
            f"could not write the index in {index}: {reason}. The index was not changed; "
            "fix this (free disk space, or choose another --index) and run the ingest again"
        ) from exc


def _folder_failure(exc: Exception, index: Path) -> str | None:
    """Why writing `index` failed, or None when `exc` is not about writing the index."""
    if isinstance(exc, sqlite3.Error):
        return str(exc)
    if isinstance(exc, RuntimeError):  # faiss reports its I/O errors as RuntimeError
        message = str(exc)
        if "faiss" not in message or not ("write error" in message or "for writing" in message):
            return None
        found = re.search(r"\(([^()]+)\)\s*$", message)
        return found[1] if found else message.rsplit(": ", 1)[-1]
    assert isinstance(exc, OSError)
    if exc.errno is None:
        return None  # raised by docqa itself, with a message of its own
    if exc.filename and not Path(exc.filename).resolve().is_relative_to(index.resolve()):
        return None  # about a corpus file or a program, not about the index
    if index.exists() and not index.is_dir():
        return "it is a file, not a folder"
    return exc.strerror or str(exc)
