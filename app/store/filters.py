"""Filters on what the index knows about every chunk, and their translation into each store.

A filter names chunks by their file's source path, file type and modification time, and by their
page. It is applied inside the search, never to its results: FAISS searches only the ids an
`IDSelectorBatch` admits, SQLite FTS5 only the rowids of a set bound into the query, Milvus only
the rows a boolean expression admits. So a search still returns `k` passages when 99% of the
chunks are filtered out, as long as `k` chunks match.

The record is plain data (`Condition`, `Compound`), built and checked by `condition()`, so the
API's own filters, Dify's `metadata_condition` and OpenAI's `filters` all become the same thing,
and a condition docqa cannot apply is refused with a `FilterError` that names it.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import reduce
from typing import Any

import numpy as np

from app.records import source_key
from app.store.manifest import Manifest

TEXT_OPS = ("eq", "ne", "in", "nin", "prefix", "suffix", "contains", "not_contains", "glob")
NUMBER_OPS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "nin")
OPS = {
    "source": TEXT_OPS,  # the source name, as in citations: "notes/2026/minutes.txt"
    "type": ("eq", "ne", "in", "nin"),  # the file's suffix without the dot: "pdf", "md"
    "page": NUMBER_OPS,  # 1-based PDF page; files without pages match only ne and nin
    "modified": ("gt", "gte", "lt", "lte"),  # file mtime: Unix seconds, or an ISO 8601 date
}
MAX_VALUES = 1000  # values in one `in` list
MAX_CONDITIONS = 64  # leaves in one filter

Value = str | float | tuple[str | float, ...]


class FilterError(ValueError):
    """A filter docqa cannot apply; the message names the condition and says why."""


@dataclass(frozen=True)
class Condition:
    key: str  # one of OPS
    op: str  # one of OPS[key]
    value: Value  # normalised: types lower-case without the dot, dates as Unix seconds

    def __str__(self) -> str:
        return f"{self.key} {self.op} {self.value!r}"


@dataclass(frozen=True)
class Compound:
    op: str  # "and" or "or"
    items: tuple[Filter, ...]


Filter = Condition | Compound


def condition(key: str, op: str, value: Any) -> Condition:
    """A checked condition: `FilterError` says which part of `key op value` cannot be applied."""
    shown = f"{key} {op} {value!r}"
    if key not in OPS:
        raise FilterError(f"filter {shown}: unknown key {key!r}; filter on {', '.join(OPS)}")
    if op not in OPS[key]:
        raise FilterError(f"filter {shown}: {key} supports {', '.join(OPS[key])}, not {op!r}")
    listed = op in ("in", "nin")
    if not listed and isinstance(value, list | tuple):
        raise FilterError(f"filter {shown}: {op} takes one value, not a list")
    values = value if listed else [value]
    if not isinstance(values, list | tuple) or not values or len(values) > MAX_VALUES:
        raise FilterError(f"filter {shown}: {op} takes a list of 1 to {MAX_VALUES} values")
    parsed = tuple(_value(key, item, shown) for item in values)
    return Condition(key, op, parsed if listed else parsed[0])


def compound(op: str, items: list[Filter]) -> Filter:
    if op not in ("and", "or"):
        raise FilterError(f"compound filter type {op!r}: use and or or")
    if not items:
        raise FilterError(f"compound filter {op!r} has no filters")
    if len(items) == 1:
        return items[0]
    made = Compound(op, tuple(items))
    if _leaves(made) > MAX_CONDITIONS:
        raise FilterError(f"a filter may hold at most {MAX_CONDITIONS} conditions")
    return made


def _leaves(where: Filter) -> int:
    return 1 if isinstance(where, Condition) else sum(_leaves(i) for i in where.items)


def _value(key: str, value: Any, shown: str) -> str | float:
    if key in ("source", "type"):
        if not isinstance(value, str):
            raise FilterError(f"filter {shown}: {key} compares with text, not {value!r}")
        return value.lower().lstrip(".") if key == "type" else value
    if key == "modified" and isinstance(value, str):
        return _timestamp(value, shown)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FilterError(f"filter {shown}: {key} compares with a number, not {value!r}")
    return float(value)


def _timestamp(text: str, shown: str) -> float:
    """An ISO 8601 date or date-time as Unix seconds; without a zone it is UTC."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise FilterError(
            f"filter {shown}: give a date as 2026-03-01 or 2026-03-01T12:00:00Z, or Unix seconds"
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def file_type(source: str) -> str:
    """The type a filter compares: the suffix of the name, lower-case, without the dot."""
    name = source.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name.lstrip(".") else ""


class SourceTable:
    """One column per thing a filter asks about a file, over the live files of a manifest, so a
    condition is evaluated for every file at once."""

    def __init__(self, manifest: Manifest) -> None:
        live = sorted(s for s, entry in manifest.files.items() if entry.skipped is None)
        self.sources = live
        self.position = {source: i for i, source in enumerate(live)}
        self.names = np.array(live, dtype=str)
        self.types = np.array([file_type(s) for s in live], dtype=str)
        self.mtimes = np.array([manifest.files[s].mtime_ns / 1e9 for s in live], dtype=float)
        self.keys = np.array([source_key(s) for s in live], dtype=np.int64)

    def mask(self, where: Condition) -> np.ndarray:
        """Which files satisfy a condition on source, type or modified."""
        op, value = where.op, where.value
        if where.key == "modified":
            return _compare(self.mtimes, op, float(value))
        if where.key == "type":
            return _members(self.types, op, value)
        if op in ("eq", "ne", "in", "nin"):
            chosen = np.zeros(len(self.sources), dtype=bool)
            for name in value if isinstance(value, tuple) else (value,):
                if (at := self.position.get(str(name))) is not None:
                    chosen[at] = True
            return chosen if op in ("eq", "in") else ~chosen
        text = str(value)
        if op == "glob":
            pattern = re.compile(fnmatch.translate(text))
            return np.fromiter((bool(pattern.match(s)) for s in self.sources), bool, len(self))
        if len(self) == 0:
            return np.zeros(0, dtype=bool)
        if op == "prefix":
            return np.char.startswith(self.names, text)
        if op == "suffix":
            return np.char.endswith(self.names, text)
        found = np.char.find(self.names, text) >= 0
        return found if op == "contains" else ~found

    def __len__(self) -> int:
        return len(self.sources)


def _members(column: np.ndarray, op: str, value: Value) -> np.ndarray:
    values = list(value) if isinstance(value, tuple) else [value]
    chosen = np.isin(column, values)
    return chosen if op in ("eq", "in") else ~chosen


def _compare(column: np.ndarray, op: str, value: float) -> np.ndarray:
    return {
        "gt": column > value,
        "gte": column >= value,
        "lt": column < value,
        "lte": column <= value,
        "eq": column == value,
        "ne": column != value,
    }[op]


def page_mask(pages: np.ndarray, where: Condition) -> np.ndarray:
    """Which chunks satisfy a page condition; `pages` holds 0 for chunks of files without pages,
    which have no page to compare and so match only `ne` and `nin`."""
    if where.op in ("in", "nin", "eq", "ne"):
        return _members(pages, where.op, where.value)
    return (pages >= 1) & _compare(pages, where.op, float(where.value))


@dataclass(frozen=True)
class Selection:
    """The chunks a filter admits in one FAISS-store version."""

    ids: np.ndarray  # sorted chunk ids
    everything: bool  # every chunk is admitted: no need to filter by `ids`

    @property
    def restriction(self) -> np.ndarray | None:
        """The ids a search must keep to, None when it may return any chunk."""
        return None if self.everything else self.ids


def select(where: Filter, ids: np.ndarray, sources: np.ndarray, pages: np.ndarray,
           table: SourceTable) -> Selection:  # fmt: skip
    """The selection of `where` over chunks given as columns (`sources`: positions in `table`,
    -1 for a chunk of a file the manifest does not list)."""
    admitted = _chunk_mask(where, sources, pages, table)
    return Selection(ids[admitted], bool(admitted.all()))


def _chunk_mask(
    where: Filter, sources: np.ndarray, pages: np.ndarray, table: SourceTable
) -> np.ndarray:
    if isinstance(where, Compound):
        parts = [_chunk_mask(item, sources, pages, table) for item in where.items]
        return reduce(np.logical_and if where.op == "and" else np.logical_or, parts)
    if where.key == "page":
        return page_mask(pages, where)
    by_file = np.append(table.mask(where), False)  # position -1: a file nobody listed
    return by_file[sources]


def milvus_expression(where: Filter, table: SourceTable) -> str:
    """`where` as a Milvus boolean expression over the chunk rows' `source_key` and `page`.

    Conditions on files become the set of their source keys, so the expression names only
    integers and nothing in a filter's text can reach Milvus's expression parser.
    """
    if isinstance(where, Compound):
        return "(" + f" {where.op} ".join(milvus_expression(i, table) for i in where.items) + ")"
    if where.key == "page":
        return _page_expression(where)
    chosen = table.mask(where)
    if not chosen.any():
        return "id < 0"  # row ids are non-negative: nothing matches
    if chosen.all():
        return "id >= 0"
    if chosen.sum() <= len(chosen) // 2:
        return f"source_key in {table.keys[chosen].tolist()}"
    return f"source_key not in {table.keys[~chosen].tolist()}"


def _page_expression(where: Condition) -> str:
    if where.op in ("in", "nin"):
        listed = [int(v) if float(v).is_integer() else float(v) for v in where.value]
        return f"page {'in' if where.op == 'in' else 'not in'} {listed}"
    value = float(where.value)
    symbol = {"eq": "==", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[where.op]
    if where.op in ("eq", "ne"):
        return f"page {symbol} {value}"
    return f"(page >= 1 and page {symbol} {value})"


class FilteredReader:
    """A reader whose two searches see only the chunks `where` admits; everything else (chunk
    texts, page texts, counts, the manifest) is the reader's own. Retrieval and answering take
    it as they take a reader, so neither needs to know filters exist."""

    def __init__(self, reader: Any, where: Filter) -> None:
        self._reader = reader
        self.where = where

    def search_vectors(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        return self._reader.search_vectors(query, k, where=self.where)

    def search_keywords(self, words: list[str], k: int) -> list[tuple[int, float]]:
        return self._reader.search_keywords(words, k, where=self.where)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)


def restrict(reader: Any, where: Filter | None) -> Any:
    """`reader` itself without a filter, else a view of it that searches only what `where`
    admits (and what `reader`'s own filter admits, when it is such a view already)."""
    if where is None:
        return reader
    if isinstance(reader, FilteredReader):
        return FilteredReader(reader._reader, Compound("and", (reader.where, where)))
    return FilteredReader(reader, where)
