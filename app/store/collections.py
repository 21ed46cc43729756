"""Collections: named document sets, each with its own corpus folders and its own index.

The default collection is the index docqa always had (`DOCQA_INDEX`, or the Milvus collection
prefix `DOCQA_MILVUS_COLLECTION`), so existing users change nothing. A named collection lives
beside it in the same store:

    FAISS    <index>/collections/<name>/       an index folder of its own (CURRENT, v-*, .lock)
    Milvus   <prefix>_c_<escaped name>_chunks  ... its own three collections

A collection is made by ingesting into it (`docqa ingest --collection NAME PATH ...`); the
folders of its last ingest are recorded in its manifest, as for the default index. Names are
checked before they touch a path or a Milvus name: letters, digits, `-` and `_`, so no name can
climb out of the collections folder.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from typing import TYPE_CHECKING

from app.settings import Settings
from app.store.manifest import IndexNotFoundError

if TYPE_CHECKING:
    from app.store.backends import Backend

DEFAULT = "default"
FOLDER = "collections"
MILVUS_INFIX = "_c_"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


class UnknownCollectionError(IndexNotFoundError):
    """No collection of that name has been ingested."""


def valid_name(name: str) -> str:
    """`name` if it can name a collection; else ValueError saying what a name may hold."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(
            f"collection name {name!r}: use 1 to 64 letters, digits, - and _, "
            "starting with a letter or digit"
        )
    return name


def collection_settings(settings: Settings, name: str) -> Settings:
    """The settings whose store is collection `name` (the default's are `settings` itself)."""
    if valid_name(name) == DEFAULT:
        return settings
    return dataclasses.replace(
        settings,
        index=settings.index / FOLDER / name,
        milvus_collection=milvus_prefix(settings.milvus_collection, name),
    )


def milvus_prefix(base: str, name: str) -> str:
    """The Milvus collection prefix of collection `name`. Milvus names allow no `-`, so `_` and
    `-` are escaped as `_u` and `_d`: the mapping is one to one and `milvus_names` inverts it."""
    return base + MILVUS_INFIX + name.replace("_", "_u").replace("-", "_d")


def milvus_names(base: str, milvus_collections: list[str]) -> list[str]:
    """The docqa collections among a Milvus engine's collections (those with a files table)."""
    found = []
    head, tail = base + MILVUS_INFIX, "_files"
    for name in milvus_collections:
        if name.startswith(head) and name.endswith(tail):
            escaped = name[len(head) : -len(tail)]
            unescaped = re.sub(r"_(.)", lambda m: {"u": "_", "d": "-"}.get(m[1], "\0"), escaped)
            if _NAME.fullmatch(unescaped) and milvus_prefix(base, unescaped) + tail == name:
                found.append(unescaped)
    return sorted(found)


class Collections:
    """The collections one process answers from: a store per collection, made on first use of
    a collection that exists and then kept, so its reader (and in Milvus its client) is reused.
    Unknown names are refused before anything is kept, so requests cannot grow this table."""

    def __init__(self, default: Backend) -> None:
        self._stores: dict[str, Backend] = {DEFAULT: default}
        self._lock = threading.Lock()

    def store(self, name: str) -> Backend:
        """The store of collection `name`; UnknownCollectionError if it was never ingested."""
        try:
            found = self._stores.get(valid_name(name))
        except ValueError as exc:
            raise UnknownCollectionError(f"no collection named {name!r}: {exc}") from None
        if found is not None:
            return found
        store = self._stores[DEFAULT].for_collection(name)
        if not store.exists():
            raise UnknownCollectionError(
                f"no collection named {name!r}; make it with: docqa ingest --collection {name} "
                "FOLDER ..."
            )
        with self._lock:
            return self._stores.setdefault(name, store)

    def names(self) -> list[str]:
        """Every collection that has an index, the default first (when it has one)."""
        default = self._stores[DEFAULT]
        named = default.collection_names()
        return ([DEFAULT] if default.exists() else []) + [n for n in named if n != DEFAULT]
