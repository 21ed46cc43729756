"""Ingest throughput on a fixed real corpus, by stage, next to the bare model on the same texts.

    .venv/bin/python scripts/bench_ingest.py [--docs 1000] [--backends onnx torch]
    .venv/bin/python scripts/bench_ingest.py --docs 300 --whole-process [--backends openvino]

The corpus is the first N SciFact abstracts (`--docs 0`: all 5,183), one .txt file each. For
each embedding backend, in turn and in a fresh process (so peak memory is that run's own):
a docqa ingest into an empty index, then the bare model alone encoding exactly the chunk texts
docqa produced, with the same backend, batch size and threads: the limit of this machine for
this pipeline. The table gives docqa's share of that limit, the time per stage, peak memory,
the index's size on disk and the time to open it. All backends run in one invocation, so their
ratios compare like with like even on a busy machine.

`--whole-process` instead times what a user waits for: `docqa ingest` as a new process (start,
model loading, a new index) next to a process that only encodes the same documents with the bare
model, sentence-transformers in PyTorch fp32 at batch 32. `--backends` there adds `docqa ingest`
with `DOCQA_BACKEND` set to each, beside the default runtime; the processes take turns, round
by round, so a busy minute slows them alike.
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


def write_corpus(docs: int, workdir: Path) -> Path:
    """The first `docs` SciFact abstracts as .txt files under workdir/corpus (kept if there)."""
    corpus = workdir / "corpus"
    if not corpus.is_dir():
        data = evaldata.load_beir("scifact")
        corpus.mkdir(parents=True)
        for doc_id in sorted(data.docs)[: docs or None]:
            (corpus / f"{doc_id}.txt").write_text(data.docs[doc_id], encoding="utf-8")
    return corpus


def run_one(docs: int, backend: str, workdir: Path) -> dict:
    """One backend's ingest and bare-model run; called in a child process."""
    corpus = write_corpus(docs, workdir)
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


BARE_NAME = "bare model (torch fp32, batch 32)"
BARE_MODEL = """
import sys, time
from pathlib import Path
from sentence_transformers import SentenceTransformer
from app.models.embedder import model_dir
texts = [p.read_text() for p in sorted(Path(sys.argv[1]).glob("*.txt"))]
SentenceTransformer(str(model_dir("bundled")), device="cpu").encode(texts, batch_size=32)
"""


def whole_processes(docs: int, workdir: Path, backends: list[str], repeats: int = 3) -> None:
    """`docqa ingest` of the corpus as a user runs it (a new process, model loading, a new
    index), with the default runtime and with each of `backends`, next to a process that only
    encodes the same documents with the bare model (sentence-transformers, PyTorch fp32, batch
    32): wall time of each, best of `repeats` rounds in which every process runs once."""
    shutil.rmtree(workdir, ignore_errors=True)
    corpus = write_corpus(docs, workdir)
    root = Path(__file__).resolve().parents[1]
    ingest_command = [
        str(root / ".venv/bin/docqa"), "ingest", str(corpus), "--index",
        str(workdir / "index-whole"), "--json",
    ]  # fmt: skip
    runs = {"docqa ingest (default runtime)": (ingest_command, {})}
    for backend in backends:
        name = f"docqa ingest (DOCQA_BACKEND={backend})"
        runs[name] = (ingest_command, {"DOCQA_BACKEND": backend})
    runs[BARE_NAME] = ([sys.executable, "-c", BARE_MODEL, str(corpus)], {})
    times: dict[str, list[float]] = {name: [] for name in runs}
    load_before = os.getloadavg()
    for _ in range(repeats):
        for name, (command, extra_env) in runs.items():
            # a new index each time: a rebuild would take the old index's vectors for its texts
            shutil.rmtree(workdir / "index-whole", ignore_errors=True)
            env = {**os.environ, "HF_HUB_OFFLINE": "1", **extra_env}
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, env=env, cwd=root)
            times[name].append(time.perf_counter() - started)
    print(f"machine: {evaldata.machine()}; {docs} SciFact abstracts; load average before "
          f"{load_before}, after {os.getloadavg()}\n")  # fmt: skip
    print(f"| process | wall s (best of {repeats}) | vs bare model |\n| --- | --- | --- |")
    bare = min(times[BARE_NAME])
    for name, seconds in times.items():
        print(f"| {name} | {min(seconds):.1f} | {min(seconds) / bare:.2f}x |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000, help="first N SciFact docs; 0 = all")
    parser.add_argument(
        "--backends", nargs="+", choices=BACKENDS,
        help="runtimes to compare (default: all; with --whole-process, none beside the default)",
    )  # fmt: skip
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/docqa-bench"))
    parser.add_argument("--one", choices=BACKENDS, help=argparse.SUPPRESS)
    parser.add_argument(
        "--whole-process", action="store_true", help="time `docqa ingest` against the bare model"
    )
    args = parser.parse_args()
    if args.whole_process:
        whole_processes(args.docs, args.workdir, args.backends or [])
        return
    if args.one:
        print(json.dumps(run_one(args.docs, args.one, args.workdir)))
        return
    shutil.rmtree(args.workdir, ignore_errors=True)
    results = []
    for backend in args.backends or BACKENDS:
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
