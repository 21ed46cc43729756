"""Filtered against unfiltered retrieval latency on the SciFact index (FAISS store).

    .venv/bin/python scripts/bench_filters.py [--queries 300] [--cache /tmp/docqa-eval]

Builds (or reuses) the SciFact index the evaluations use, then runs docqa's default search
(hybrid, k = 10, through the Engine) for each SciFact test query, one at a time, without a
filter and with filters that admit about 50%, 10% and 1% of the chunks. Each filtered search is
timed twice: with the selection cached per filter (a repeated filter, the usual case for a
client that always searches one folder) and computed afresh for every query. Prints a markdown
table of p50/p95 and the ratio of p50s, the machine, and its load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata

from app.engine import Engine
from app.store.filters import Filter, compound, condition


def _filters(sources: list[str], mtimes: list[float]) -> dict[str, Filter]:
    ordered = sorted(sources)
    median = sorted(mtimes)[len(mtimes) // 2]
    return {
        "none": None,
        "modified >= median (~50%)": condition("modified", "gte", median),
        "glob *[02468].txt (~50%)": condition("source", "glob", "*[02468].txt"),
        "prefix 1 and type txt (~10-20%)": compound(
            "and", [condition("source", "prefix", "1"), condition("type", "eq", "txt")]
        ),
        "source in 1% of files": condition("source", "in", ordered[::100]),
    }


def _timings(engine: Engine, queries: list[str], where: Filter | None, fresh: bool) -> list[float]:
    reader = engine.reader()
    found = []
    for query in queries:
        if fresh:
            reader._selection.cache_clear()
        started = time.perf_counter()
        engine.search(query, 10, filters=where)
        found.append((time.perf_counter() - started) * 1000)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--cache", type=Path, default=evaldata.DEFAULT_CACHE)
    args = parser.parse_args()
    data = evaldata.load_beir("scifact")
    settings = evaldata.build_index("scifact", data.docs, args.cache)
    engine = Engine(settings)
    queries = list(data.queries.values())[: args.queries]
    for query in queries:  # embeddings cached, so the timings are the search itself
        engine.search(query, 10)
    reader = engine.reader()
    files = reader.manifest.files
    filters = _filters(list(files), [e.mtime_ns / 1e9 for e in files.values()])
    print(f"{reader.chunk_count} chunks, {len(queries)} queries, hybrid k=10\n")
    print("| filter | chunks admitted | p50 ms | p95 ms | p50 / unfiltered | p50 uncached ms |")
    print("| --- | --- | --- | --- | --- | --- |")
    base = None
    for label, where in filters.items():
        admitted = reader.chunk_count if where is None else len(reader.selection(where).ids)
        cached = _timings(engine, queries, where, fresh=False)
        p50 = statistics.median(cached)
        p95 = sorted(cached)[int(len(cached) * 0.95)]
        base = base or p50
        fresh = (
            ""
            if where is None
            else f"{statistics.median(_timings(engine, queries, where, True)):.2f}"
        )
        print(f"| {label} | {admitted} | {p50:.2f} | {p95:.2f} | {p50 / base:.2f}x | {fresh} |")
    print(f"\n{evaldata.machine()}; load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
