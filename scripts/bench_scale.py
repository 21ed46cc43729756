"""Scale: exact against approximate (IVF) dense search at 100k and 1M chunks, through the store.

    nice -n 5 .venv/bin/python scripts/bench_scale.py [--sizes 100000 1000000] [--sweep]
        [--vectors scifact|synthetic] [--workdir /tmp/docqa-scale]

Vectors (`--vectors scifact`, the default): the 12,230 real SciFact chunk embeddings of the
evaluation index (cached by `scripts/evaldata.py`; the first build embeds SciFact, which takes
several minutes) are the seeds; each synthetic chunk is a seed plus Gaussian noise shaped like
the real embeddings' covariance, scaled so its cosine to the seed is 0.8 (a real chunk's nearest
neighbour is at 0.78), then normalised. Queries are the 300 real SciFact test questions,
embedded by docqa's model.
`--vectors synthetic` needs neither the evaluation data nor the model: clustered unit vectors and
queries near them, for a fresh clone.

Each index is built through docqa's own store (Draft -> add_source with a 90-character text
stub per chunk, 50 chunks per document -> publish) in one child process, and opened and searched
in another, so the peak memory of building and of serving are each their own. Latency is
`IndexReader.search_vectors(query, k=100)`, one question at a time, as hybrid search calls it.
Recall@10 is against exact search over the same vectors. "update" is one incremental ingest on
the full index: remove a document, add it back, publish. `check_index` then verifies every id.
`--sweep` adds the table that sets DOCQA_EXACT_SEARCH_LIMIT: latency of both kinds at 10k-75k.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import faiss
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata

from app.records import Chunk, Page
from app.store import faiss_index
from app.store.folder import Draft, live_version, open_index, read_manifest
from app.store.folder_check import check_index
from app.store.manifest import FileEntry, Manifest

DIM = 384
CHUNKS_PER_DOC = 50
SEED_COSINE = 0.8
SWEEP_SIZES = (10_000, 20_000, 30_000, 40_000, 50_000, 75_000)
KINDS = ("exact", "ivf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--sweep", action="store_true", help="also time both kinds at 10k-75k")
    parser.add_argument("--vectors", choices=("scifact", "synthetic"), default="scifact")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/docqa-scale"))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        job = json.loads(args.child)
        print(json.dumps(CHILDREN[job["step"]](job)))
        return
    shutil.rmtree(args.workdir, ignore_errors=True)
    args.workdir.mkdir(parents=True)
    started_load = os.getloadavg()[0]
    seeds, queries = load_seeds(args.vectors)
    sweep = [run_size(n, seeds, queries, args.workdir) for n in SWEEP_SIZES] if args.sweep else []
    results = [run_size(n, seeds, queries, args.workdir) for n in args.sizes]
    print_tables(args, sweep, results, started_load, len(queries))


def load_seeds(source: str) -> tuple[np.ndarray, np.ndarray]:
    """(seed vectors that synthetic chunks are drawn around, query vectors)."""
    if source == "synthetic":
        rng = np.random.default_rng(7)
        spectrum = np.float32(1) / np.sqrt(np.arange(1, DIM + 1, dtype=np.float32))
        seeds = _unit(rng.standard_normal((12_000, DIM), dtype=np.float32) * spectrum)
        noise = rng.standard_normal((300, DIM), dtype=np.float32) * spectrum
        picked = seeds[rng.choice(len(seeds), 300, replace=False)]
        return seeds, _unit(picked + noise / np.linalg.norm(noise, axis=1, keepdims=True))
    from app.models.embedder import load_embedder

    data = evaldata.load_beir("scifact")
    settings = evaldata.build_index("scifact", data.docs, evaldata.DEFAULT_CACHE)
    reader = open_index(settings.index)
    _, seeds = faiss_index.contents(reader.vectors)
    reader.close()
    embedder = load_embedder(settings.model)
    return seeds, embedder.encode(list(data.queries.values()), 32)


def make_vectors(n: int, seeds: np.ndarray, path: Path) -> None:
    """n unit vectors around random seeds, noise shaped like the seeds' own covariance."""
    rng = np.random.default_rng(n)
    variances, axes = np.linalg.eigh(np.cov(seeds.T))
    shape = (axes * np.sqrt(np.clip(variances, 0, None))).astype(np.float32)
    scale = np.float32(np.tan(np.arccos(SEED_COSINE)) / np.sqrt(np.clip(variances, 0, None).sum()))
    with open(path, "wb") as out:
        for start in range(0, n, 100_000):
            count = min(100_000, n - start)
            noise = rng.standard_normal((count, DIM), dtype=np.float32) @ shape.T
            picked = seeds[rng.integers(0, len(seeds), count)]
            _unit(picked + scale * noise).tofile(out)


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def run_size(n: int, seeds: np.ndarray, queries: np.ndarray, workdir: Path) -> dict:
    print(f"{n:,} chunks: vectors ...", file=sys.stderr, flush=True)
    vectors_path = workdir / f"vectors-{n}.f32"
    make_vectors(n, seeds, vectors_path)
    queries_path = workdir / "queries.npy"
    np.save(queries_path, queries)
    vectors = np.fromfile(vectors_path, dtype=np.float32).reshape(n, DIM)
    truth = faiss_index.exact_top(queries, vectors, 10)
    del vectors
    truth_path = workdir / f"truth-{n}.npy"
    np.save(truth_path, truth)
    result: dict = {"n": n}
    for kind in KINDS:
        root = workdir / f"index-{kind}-{n}"
        job = {"n": n, "kind": kind, "root": str(root), "vectors": str(vectors_path),
               "queries": str(queries_path), "truth": str(truth_path)}  # fmt: skip
        print(f"{n:,} chunks: {kind} build ...", file=sys.stderr, flush=True)
        built = _child({**job, "step": "build"})
        print(f"{n:,} chunks: {kind} search ...", file=sys.stderr, flush=True)
        result[kind] = {**built, **_child({**job, "step": "search"})}
        shutil.rmtree(root)
    vectors_path.unlink()
    return result


def _child(job: dict) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(job)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(output.splitlines()[-1])


def build(job: dict) -> dict:
    """A new index of n chunks, through Draft and publish, timed by part."""
    n, root = job["n"], Path(job["root"])
    limit = n if job["kind"] == "exact" else 0
    manifest = Manifest(model="synthetic", dim=DIM, chunk_tokens=200, chunk_overlap=40)
    started = time.perf_counter()
    root.mkdir(parents=True)
    draft = Draft(root, DIM, rebuild=True, exact_search_limit=limit)
    with open(job["vectors"], "rb") as handle:
        for doc, start in enumerate(range(0, n, CHUNKS_PER_DOC)):
            count = min(CHUNKS_PER_DOC, n - start)
            vectors = np.fromfile(handle, dtype=np.float32, count=count * DIM).reshape(count, DIM)
            source = f"doc{doc:06d}.txt"
            pages, chunks = _stub_document(source, start, count)
            draft.add_source(source, pages, chunks, vectors)
            manifest.files[source] = FileEntry("0" * 64, 0, 0, pages=1, chunks=count)
    added = time.perf_counter()
    draft.vectors = faiss_index.fit(draft.vectors, limit)  # what publish does, timed alone
    fitted = time.perf_counter()
    description = faiss_index.describe(draft.vectors)
    draft.publish(manifest)
    published = time.perf_counter()
    version = live_version(root)
    return {
        "add_seconds": added - started,
        "index_seconds": fitted - added,
        "publish_seconds": published - fitted,
        "build_seconds": published - started,
        "build_rss_mib": _peak_rss_mib(),
        "vectors_mib": (version / "vectors.faiss").stat().st_size / 2**20,
        "version_mib": sum(f.stat().st_size for f in version.iterdir()) / 2**20,
        "index": description,
    }


def _stub_document(source: str, first_row: int, count: int) -> tuple[list[Page], list[Chunk]]:
    texts = [
        f"Chunk {row} of {source}: a stub of about a hundred characters for a real passage."
        for row in range(first_row, first_row + count)
    ]
    chunks, offset = [], 0
    for text in texts:
        chunks.append(Chunk(source, None, offset, offset + len(text), text))
        offset += len(text) + 1
    return [Page(None, "\n".join(texts))], chunks


def search(job: dict) -> dict:
    """Open the index as the server does, time single questions, then update it once."""
    root = Path(job["root"])
    queries = np.load(job["queries"])
    truth = np.load(job["truth"])
    started = time.perf_counter()
    reader = open_index(root)
    load_seconds = time.perf_counter() - started
    for query in queries[:20]:
        reader.search_vectors(query, 100)
    times, hits = [], 0
    for query, expected in zip(queries, truth, strict=True):
        started = time.perf_counter()
        found = reader.search_vectors(query, 100)
        times.append(time.perf_counter() - started)
        rows = {chunk_id - 1 for chunk_id, _ in found[:10]}  # chunk ids count from 1 in order
        hits += len(rows & set(expected.tolist()))
    serve_rss = _peak_rss_mib()
    reader.close()
    update_seconds = _update_one_document(job)
    milliseconds = np.asarray(times) * 1000
    return {
        "load_seconds": load_seconds,
        "p50_ms": float(np.percentile(milliseconds, 50)),
        "p95_ms": float(np.percentile(milliseconds, 95)),
        "recall_at_10": hits / truth.size,
        "serve_rss_mib": serve_rss,
        "update_seconds": update_seconds,
        "check": check_index(root) or "clean",
    }


def _update_one_document(job: dict) -> float:
    """Remove the first document and add it back, as an ingest of one changed file does."""
    root = Path(job["root"])
    manifest = read_manifest(root)
    started = time.perf_counter()
    draft = Draft(root, DIM, exact_search_limit=job["n"] if job["kind"] == "exact" else 0)
    source = "doc000000.txt"
    draft.remove_source(source)
    count = CHUNKS_PER_DOC * DIM
    vectors = np.fromfile(job["vectors"], dtype=np.float32, count=count).reshape(-1, DIM)
    pages, chunks = _stub_document(source, 0, CHUNKS_PER_DOC)
    draft.add_source(source, pages, chunks, vectors)
    draft.publish(manifest)
    return time.perf_counter() - started


def _peak_rss_mib() -> float:
    """This process's peak resident memory. Not ru_maxrss: a child inherits its parent's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


CHILDREN = {"build": build, "search": search}


def print_tables(
    args: argparse.Namespace, sweep: list[dict], results: list[dict], load: float, queries: int
) -> None:
    print(f"machine: {evaldata.machine()}, faiss {faiss.__version__}; load average "
          f"{load:.1f} at start, {os.getloadavg()[0]:.1f} at end; vectors: {args.vectors}; "
          f"{queries} queries, k=100, one at a time\n")  # fmt: skip
    if sweep:
        print("| chunks | exact p50 / p95 ms | IVF p50 / p95 ms | IVF recall@10 | IVF |")
        print("| --- | --- | --- | --- | --- |")
        for r in sweep:
            exact, ivf = r["exact"], r["ivf"]
            print(f"| {r['n']:,} | {exact['p50_ms']:.2f} / {exact['p95_ms']:.2f} "
                  f"| {ivf['p50_ms']:.2f} / {ivf['p95_ms']:.2f} | {ivf['recall_at_10']:.3f} "
                  f"| {ivf['index']} |")  # fmt: skip
        print()
    print("| chunks | index | vector index build s | store build s | peak RSS build MiB "
          "| vectors.faiss MiB | version MiB | load s | p50 ms | p95 ms | peak RSS serve MiB "
          "| recall@10 | update s | check |")  # fmt: skip
    print("| --- " * 14 + "|")
    for r in results:
        for kind in KINDS:
            m = r[kind]
            check = m["check"] if isinstance(m["check"], str) else "; ".join(m["check"])
            print(f"| {r['n']:,} | {m['index']} | {m['index_seconds']:.1f} "
                  f"| {m['build_seconds']:.1f} | {m['build_rss_mib']:,.0f} "
                  f"| {m['vectors_mib']:,.0f} | {m['version_mib']:,.0f} | {m['load_seconds']:.2f} "
                  f"| {m['p50_ms']:.2f} | {m['p95_ms']:.2f} | {m['serve_rss_mib']:,.0f} "
                  f"| {m['recall_at_10']:.3f} | {m['update_seconds']:.1f} "
                  f"| {check} |")  # fmt: skip
    if len(results) >= 2:
        small, large = results[0], results[-1]
        factor = large["n"] / small["n"]
        print(f"\nGrowth from {small['n']:,} to {large['n']:,} chunks (x{factor:g}):\n")
        print("| index | vector index build | store build | peak RSS build | vectors.faiss "
              "| load | p50 | p95 | peak RSS serve |")  # fmt: skip
        print("| --- " * 9 + "|")
        keys = ("index_seconds", "build_seconds", "build_rss_mib", "vectors_mib", "load_seconds",
                "p50_ms", "p95_ms", "serve_rss_mib")  # fmt: skip
        for kind in KINDS:
            ratios = [large[kind][key] / max(small[kind][key], 1e-9) for key in keys]
            print(f"| {kind} | " + " | ".join(f"x{ratio:.1f}" for ratio in ratios) + " |")


if __name__ == "__main__":
    main()
