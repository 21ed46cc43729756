"""Ingest time and query latency with the FAISS store and with Milvus (Lite), on SciFact.

    .venv/bin/python scripts/bench_stores.py [--docs 1000] [--queries 100] [--workers 1 2]

The corpus is the first N SciFact abstracts, one .txt file each. For each store and each
worker count: a docqa ingest into an empty index, timed from the call to the publish (the model
is loaded once beforehand; `--workers 2` starts its processes inside the timing, since a real
ingest pays for them too). Then, once per store, hybrid (docqa's default) and keyword search
for the first `--queries` SciFact queries through the Engine, one at a time, after one warm-up
query; and how often the two stores return the same passages (up to ties) and the same answers.
Prints markdown tables and the machine line. No Milvus server here: "milvus" is Milvus Lite in this
process, the same engine a server runs, without the network hop.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata
import numpy as np

from app.engine import Engine
from app.ingest.pipeline import ingest
from app.models.embedder import load_embedder
from app.settings import Settings

MODES = ("hybrid", "keyword")
POOL_SIZES = ((1, 100), (2, 200), (3, 300), (4, 200))  # (factor of k, minimum) candidates


def _write_corpus(docs: dict[str, str], folder: Path) -> None:
    folder.mkdir(parents=True)
    for doc_id, text in docs.items():
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")


def _settings(root: Path, corpus: Path, store: str, name: str) -> Settings:
    return Settings.from_env(
        environ={},
        corpus=corpus,
        index=root / f"index-{name}",
        store=store,
        milvus_uri=str(root / f"{name}.db"),
    )


def _engine(settings: Settings, embedder) -> Engine:
    engine = Engine(settings)
    engine.embedder = embedder
    engine.search("warm up", 5)
    return engine


def _latency(engine: Engine, queries: list[str], mode: str) -> tuple[float, float]:
    """p50 and p95 of one search, in milliseconds."""
    times = []
    for query in queries:
        started = time.perf_counter()
        engine.search(query, 5, mode)
        times.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 95))


def _ties(passages) -> list[frozenset]:
    """Passages grouped by equal score, best group first; the last group may be cut by k."""
    groups: dict[float, set] = {}
    for p in passages:
        groups.setdefault(round(p.score, 6), set()).add((p.source, p.page, p.start, p.end))
    return [frozenset(groups[score]) for score in sorted(groups, reverse=True)]


def _same_up_to_ties(a, b) -> bool:
    ta, tb = _ties(a), _ties(b)
    return len(a) == len(b) and len(ta) == len(tb) and ta[:-1] == tb[:-1]


def _agreement(engines: dict[str, Engine], queries: list[str], asked: int) -> list[tuple]:
    """Share of queries where the Milvus store returns what the FAISS store returns."""
    rows = []
    for mode, k in (("keyword", 100), ("keyword", 10), ("hybrid", 10), ("dense", 10)):
        same = sum(
            _same_up_to_ties(
                engines["faiss"].search(q, k, mode), engines["milvus"].search(q, k, mode)
            )
            for q in queries
        )
        rows.append((f"{mode} top {k}", same, len(queries)))
    answers = [(engines["faiss"].ask(q), engines["milvus"].ask(q)) for q in queries[:asked]]
    same = sum(
        (f.answer, f.sentence, [c.source_start for c in f.citations])
        == (m.answer, m.sentence, [c.source_start for c in m.citations])
        for f, m in answers
    )
    rows.append(("answer, sentence and citations", same, len(answers)))
    return rows


def _pool_sweep(engines: dict[str, Engine], queries: list[str]) -> list[tuple]:
    """Agreement and keyword latency of the Milvus store by the size of its BM25 candidate
    pool (factor of k, minimum); keyword top 100 compared exactly, ties included."""
    from app.store.milvus import reader as milvus_reader

    wanted = {q: _keys(engines["faiss"].search(q, 100, "keyword")) for q in queries}
    wanted_hybrid = {q: _keys(engines["faiss"].search(q, 10, "hybrid")) for q in queries}
    for query in queries:  # count every query's terms once, as a warm reader has
        engines["milvus"].search(query, 100, "keyword")
    rows = []
    default = milvus_reader.KEYWORD_POOL_FACTOR, milvus_reader.KEYWORD_POOL_MIN
    for factor, minimum in POOL_SIZES:
        milvus_reader.KEYWORD_POOL_FACTOR, milvus_reader.KEYWORD_POOL_MIN = factor, minimum
        same = same_hybrid = 0
        times = []
        for query in queries:
            started = time.perf_counter()
            found = engines["milvus"].search(query, 100, "keyword")
            times.append((time.perf_counter() - started) * 1000)
            same += _keys(found) == wanted[query]
            same_hybrid += (
                _keys(engines["milvus"].search(query, 10, "hybrid")) == wanted_hybrid[query]
            )
        rows.append((factor, minimum, same, same_hybrid, float(np.percentile(times, 50))))
    milvus_reader.KEYWORD_POOL_FACTOR, milvus_reader.KEYWORD_POOL_MIN = default
    return rows


def _keys(passages) -> list[tuple]:
    return [(p.source, p.page, p.start, p.end) for p in passages]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000, help="first N SciFact documents")
    parser.add_argument("--queries", type=int, default=100, help="queries timed per store")
    parser.add_argument("--asked", type=int, default=50, help="questions answered per store")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--pool-sweep", action="store_true", help="also measure Milvus's keyword candidate pool"
    )
    args = parser.parse_args()

    scifact = evaldata.load_beir("scifact")
    docs = dict(list(scifact.docs.items())[: args.docs])
    queries = list(scifact.queries.values())[: args.queries]
    embedder = load_embedder("bundled")
    embedder.encode(["load the model before timing"])
    rows, engines = [], {}
    with tempfile.TemporaryDirectory(prefix="bench-stores-") as tmp:
        root = Path(tmp)
        corpus = root / "corpus"
        _write_corpus(docs, corpus)
        for store in ("faiss", "milvus"):
            for workers in args.workers:
                settings = _settings(root, corpus, store, f"{store}-{workers}")
                started = time.perf_counter()
                report = ingest(settings, embedder=embedder, workers=workers)
                seconds = time.perf_counter() - started
                latency = ("", "", "", "")
                if workers == args.workers[0]:
                    engines[store] = _engine(settings, embedder)
                    hybrid, keyword = (_latency(engines[store], queries, m) for m in MODES)
                    latency = tuple(f"{ms:.1f}" for ms in (*hybrid, *keyword))
                rows.append(
                    (
                        store,
                        str(workers),
                        str(report.chunks_total),
                        f"{seconds:.1f}",
                        f"{report.chunks_total / seconds:.1f}",
                        f"{report.stage_seconds.get('write', 0.0):.1f}",
                        *latency,
                    )
                )
                print(f"{store} workers={workers}: {seconds:.1f} s", file=sys.stderr)
        agreement = _agreement(engines, queries, args.asked)
        sweep = _pool_sweep(engines, queries) if args.pool_sweep else []

    print(
        f"SciFact, first {len(docs)} documents; {len(queries)} queries, k=5, one at a time; "
        "milvus = Milvus Lite (embedded)\n"
    )
    print(
        "| store | workers | chunks | ingest s | chunks/s | write s "
        "| hybrid p50 ms | hybrid p95 ms | keyword p50 ms | keyword p95 ms |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print("\nMilvus store against FAISS store, same results up to ties:\n")
    print("| compared | same | queries |")
    print("| --- | ---: | ---: |")
    for name, same, total in agreement:
        print(f"| {name} | {same} ({same / total:.0%}) | {total} |")
    if sweep:
        print("\nMilvus keyword candidates against agreement (exact, ties included):\n")
        print(
            "| candidates (factor, minimum) | keyword top 100 same | hybrid top 10 same |", end=""
        )
        print(" keyword p50 ms |\n| --- | ---: | ---: | ---: |")
        for factor, minimum, same, same_hybrid, p50 in sweep:
            print(f"| {factor}x, {minimum} | {same} | {same_hybrid} | {p50:.1f} |")
    print(f"\n{evaldata.machine()}")


if __name__ == "__main__":
    main()
