"""Run one retrieval system over passages and queries and report JSON: bench_peers.py's worker.

    PEER_VENV/bin/python scripts/peers/worker.py --peer txtai INPUT.json OUTPUT.json

It runs in the peers' own virtual environment (or, for `--peer bare`, in docqa's), so it imports
nothing from docqa: only the standard library and the module `peer_<name>.py` beside it. Each such
module has three parts, kept apart so that each is timed alone:

- `load(model, batch_size)`: load the model and encode one text, so that lazy loading is over;
- `build(state, passages, k)`: index the (id, text) passages, return `search(query) -> ids`;
- `CONFIG`: one line saying how the peer is set up (store, batch size, truncation).

INPUT holds {"model", "batch_size", "k", "packages", "warmup", "passages": [[id, text]],
"queries": [[id, text]]}. OUTPUT gets {"peer", "versions", "config", "torch_threads",
"load_seconds", "build_seconds", "latencies_ms", "ranked": {query id: [doc ids]}}, or
{"peer", "versions", "error"} when anything fails; the traceback goes to stderr.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import json
import sys
import time
import traceback
from pathlib import Path
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer", required=True, help="module peer_<PEER>.py beside this file")
    parser.add_argument("input", type=Path)
    parser.add_argument("output", type=Path)
    args = parser.parse_args()
    job = json.loads(args.input.read_text())
    result: dict[str, Any] = {"peer": args.peer, "versions": versions(job["packages"])}
    try:
        result.update(run(args.peer, job))
    except BaseException as exc:  # the benchmark reports a failed peer and goes on
        traceback.print_exc()
        result["error"] = f"{type(exc).__name__}: {exc}".splitlines()[0]
    args.output.write_text(json.dumps(result))


def run(peer: str, job: dict) -> dict[str, Any]:
    """Load, build, then time each query's search alone, after one warm-up query."""
    module = importlib.import_module(f"peer_{peer}")
    started = time.perf_counter()
    state = module.load(job["model"], job["batch_size"])
    load_seconds = time.perf_counter() - started
    log(peer, f"model loaded in {load_seconds:.1f} s")

    passages = [(pid, text) for pid, text in job["passages"]]
    started = time.perf_counter()
    search = module.build(state, passages, job["k"])
    build_seconds = time.perf_counter() - started
    log(peer, f"indexed {len(passages)} passages in {build_seconds:.1f} s")

    search(job["warmup"])
    latencies, ranked = [], {}
    for query_id, text in job["queries"]:
        started = time.perf_counter()
        ids = search(text)
        latencies.append(1000 * (time.perf_counter() - started))
        ranked[query_id] = [str(i) for i in ids]
    log(peer, f"{len(latencies)} queries, median {sorted(latencies)[len(latencies) // 2]:.1f} ms")
    return {
        "config": module.CONFIG.format(batch=job["batch_size"]),
        "torch_threads": torch_threads(),
        "load_seconds": load_seconds,
        "build_seconds": build_seconds,
        "latencies_ms": latencies,
        "ranked": ranked,
    }


def versions(packages: list[str]) -> dict[str, str]:
    found = {}
    for name in packages:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def torch_threads() -> int | None:
    """Threads torch computes with here; every system runs with its default, none is limited."""
    try:
        import torch
    except ImportError:
        return None
    return torch.get_num_threads()


def log(peer: str, message: str) -> None:
    print(f"[{peer}] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()  # peer_<name>.py is importable: Python puts this script's folder first on sys.path
