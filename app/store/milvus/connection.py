"""A connection to one docqa index in Milvus, the keys of its rows, and paging over them."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from app.records import Chunk, Page
from app.store.manifest import IndexNotFoundError, StoreError

if TYPE_CHECKING:
    from pymilvus import MilvusClient

DEFAULT_NAME = "docqa"
WRITE_BATCH = 256  # rows per upsert: a few MB per request, far under gRPC's limits
SCAN_BATCH = 1000  # rows per query-iterator page


class MilvusUnavailableError(StoreError):
    """The engine could not be reached or opened; the message says what to do."""


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
    return attach(client, uri, name)


def attach(client: MilvusClient, uri: str, name: str) -> MilvusStore:
    """The index `name` over an open client: several docqa collections share one connection."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,200}", name):
        raise ValueError(f"collection name {name!r}: use letters, digits and _ only")
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


def _hash63(*parts: object) -> int:
    """A stable, non-negative 63-bit integer for `parts` (Milvus keys are signed 64-bit)."""
    encoded = json.dumps(parts, ensure_ascii=False, separators=(",", ":")).encode()
    return int.from_bytes(hashlib.blake2b(encoded, digest_size=8).digest(), "big") >> 1


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


def page_part_id(source: str, content: int, page: int | None, part: int) -> int:
    return _hash63("page", source, content, page, part)


def scan(
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


def batches(rows: list, size: int = WRITE_BATCH) -> Iterator[list]:
    for begin in range(0, len(rows), size):
        yield rows[begin : begin + size]


def delete_ids(store: MilvusStore, collection: str, ids: Iterable[int]) -> None:
    for batch in batches(sorted(ids), 1000):
        store.client.delete(collection, ids=batch)
