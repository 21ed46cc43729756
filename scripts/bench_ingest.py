"""Ingest throughput on a fixed real corpus, by stage, next to the bare model on the same texts.

    .venv/bin/python scripts/bench_ingest.py [--docs 1000] [--backends onnx torch]

The corpus is the first N SciFact abstracts (`--docs 0`: all 5,183), one .txt file each. For
each embedding backend, in turn and in a fresh process (so peak memory is that run's own):
a docqa ingest into an empty index, then the bare model alone encoding exactly the chunk texts
docqa produced, with the same backend, batch size and threads: the limit of this machine for
this pipeline. The table gives docqa's share of that limit, the time per stage, peak memory,
the index's size on disk and the time to open it. All backends run in one invocation, so their
ratios compare like with like even on a busy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata
from load_test import status_mib

from app.ingest.chunking import count_tokens
from app.ingest.pipeline import ingest
from app.models.embedder import BACKENDS, load_embedder
from app.settings import Settings
from app.store.folder import live_version, open_index


def run_one(docs: int, backend: str, workdir: Path) -> dict:
    """One backend's ingest and bare-model run; called in a child process."""
    data = evaldata.load_beir("scifact")
    corpus = workdir / "corpus"
    if not corpus.is_dir():
        corpus.mkdir(parents=True)
        for doc_id in sorted(data.docs)[: docs or None]:
            (corpus / f"{doc_id}.txt").write_text(data.docs[doc_id], encoding="utf-8")
    index = workdir / f"index-{backend}"
    shutil.rmtree(index, ignore_errors=True)
    settings = Settings.from_env(corpus=corpus, index=index, backend=backend)
    embedder = load_embedder(settings.model, settings.backend, settings.model_cache)
    embedder.encode(["warm up"])  # loading the model is not ingest work

    report = ingest(settings, embedder=embedder)
    started = time.perf_counter()
    reader = open_index(index)
    load_seconds = time.perf_counter() - started
    ids = [row[0] for row in reader.db.execute("SELECT id FROM chunks")]
    texts = [chunk.text for chunk in reader.chunks(ids).values()]
    order = sorted(texts, key=len, reverse=True)  # as ingest orders them
    started = time.perf_counter()
    embedder.encode(order, settings.batch_size)
    bare_seconds = time.perf_counter() - started
    rerun = ingest(settings, embedder=embedder)
    version = live_version(index)
    return {
        "backend": backend,
        "chunks": len(texts),
        "tokens": count_tokens(texts),
        "seconds": report.seconds,
        "stages": report.stage_seconds,
        "bare_seconds": bare_seconds,
        "rerun_seconds": rerun.seconds,
        "peak_rss_mib": status_mib(os.getpid(), "VmHWM"),  # getrusage would count the parent
        "index_bytes": sum(f.stat().st_size for f in version.iterdir()),
        "load_seconds": load_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000, help="first N SciFact docs; 0 = all")
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/docqa-bench"))
    parser.add_argument("--one", choices=BACKENDS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.docs, args.one, args.workdir)))
        return
    shutil.rmtree(args.workdir, ignore_errors=True)
    results = []
    for backend in args.backends:
        print(f"ingesting with {backend} ...", file=sys.stderr, flush=True)
        output = subprocess.run(
            [sys.executable, __file__, "--docs", str(args.docs), "--workdir", str(args.workdir),
             "--one", backend],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        results.append(json.loads(output.splitlines()[-1]))
    print_tables(results, args.docs)


def print_tables(results: list[dict], docs: int) -> None:
    first = results[0]
    corpus = f"first {docs} SciFact abstracts" if docs else "all 5,183 SciFact abstracts"
    print(f"machine: {evaldata.machine()}; corpus: {corpus}, {first['chunks']} chunks, "
          f"{first['tokens']:,} tokens\n")  # fmt: skip
    names = [r["backend"] for r in results]
    print("| measure | " + " | ".join(names) + " |")
    print("| --- |" + " --- |" * len(results))
    rows = {
        "docqa ingest, chunks/s": [r["chunks"] / r["seconds"] for r in results],
        "docqa ingest, tokens/s": [r["tokens"] / r["seconds"] for r in results],
        "bare model, chunks/s": [r["chunks"] / r["bare_seconds"] for r in results],
        "docqa / bare model": [r["bare_seconds"] / r["seconds"] for r in results],
        **{
            f"{stage} s": [r["stages"].get(stage, 0.0) for r in results]
            for stage in ("scan", "extract", "chunk", "embed", "write")
        },
        "total s": [r["seconds"] for r in results],
        "unchanged re-run s": [r["rerun_seconds"] for r in results],
        "peak RSS MiB": [r["peak_rss_mib"] for r in results],
        "index on disk, KiB per chunk": [r["index_bytes"] / 1024 / r["chunks"] for r in results],
        "index load ms": [r["load_seconds"] * 1000 for r in results],
    }
    for name, values in rows.items():
        print(f"| {name} | " + " | ".join(f"{v:,.2f}" for v in values) + " |")
    if len(results) > 1:
        speedups = [results[-1]["seconds"] / r["seconds"] for r in results]
        print(
            f"| ingest speed vs {names[-1]} | " + " | ".join(f"{s:.2f}x" for s in speedups) + " |"
        )


if __name__ == "__main__":
    main()
