"""Ingest time and query latency with the FAISS store and with Milvus (Lite), on SciFact.

    .venv/bin/python scripts/bench_stores.py [--docs 1000] [--queries 100] [--workers 1 2]

The corpus is the first N SciFact abstracts, one .txt file each. For each store and each
worker count: a docqa ingest into an empty index, timed from the call to the publish (the model
is loaded once beforehand; `--workers 2` starts its processes inside the timing, since a real
ingest pays for them too). Then, once per store, hybrid search (docqa's default) for the first
`--queries` SciFact queries through the Engine, one at a time, after one warm-up query. Prints a
markdown table and the machine line. No Milvus server here: "milvus" is Milvus Lite in this
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

from app.embedding import load_embedder
from app.engine import Engine
from app.ingest import ingest
from app.settings import Settings


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


def _query_latency(settings: Settings, embedder, queries: list[str]) -> tuple[float, float]:
    """p50 and p95 of one hybrid search, in milliseconds."""
    engine = Engine(settings)
    engine.embedder = embedder
    engine.search("warm up", 5)
    times = []
    for query in queries:
        started = time.perf_counter()
        engine.search(query, 5)
        times.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000, help="first N SciFact documents")
    parser.add_argument("--queries", type=int, default=100, help="queries timed per store")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()

    scifact = evaldata.load_beir("scifact")
    docs = dict(list(scifact.docs.items())[: args.docs])
    queries = list(scifact.queries.values())[: args.queries]
    embedder = load_embedder("bundled")
    embedder.encode(["load the model before timing"])
    rows = []
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
                latency = ("", "")
                if workers == args.workers[0]:
                    p50, p95 = _query_latency(settings, embedder, queries)
                    latency = (f"{p50:.1f}", f"{p95:.1f}")
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

    print(
        f"SciFact, first {len(docs)} documents; hybrid search, {len(queries)} queries, k=5; "
        "milvus = Milvus Lite (embedded)\n"
    )
    print(
        "| store | workers | chunks | ingest s | chunks/s | write s | query p50 ms | query p95 ms |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\n{evaldata.machine()}")


if __name__ == "__main__":
    main()
