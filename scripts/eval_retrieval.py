"""Retrieval quality on BEIR SciFact and NFCorpus: nDCG@10 and Recall@100, per ranking mode.

    .venv/bin/python scripts/eval_retrieval.py [--sets scifact nfcorpus] [--cache /tmp/docqa-eval]
        [--backends auto torch] [--question-backends onnx openvino]

Each corpus is indexed through docqa's own ingest (one file per document; cached). A document's
score is its best chunk's. nDCG uses linear gains, as BEIR's pytrec_eval does.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata

from app.answer import retrieval
from app.engine import Engine
from app.models.embedder import CHOICES, load_embedder
from app.settings import Settings

CHUNK_DEPTH = 300  # chunks fetched per query, enough for 100 distinct documents


def ndcg_at_10(ranked: list[str], relevant: dict[str, int]) -> float:
    dcg = sum(relevant.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(ranked[:10]))
    ideal = sorted(relevant.values(), reverse=True)[:10]
    idcg = sum(gain / math.log2(i + 2) for i, gain in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at_100(ranked: list[str], relevant: dict[str, int]) -> float:
    return len(set(ranked[:100]) & set(relevant)) / len(relevant)


def evaluate(engine: Engine, data: evaldata.BeirSet, mode: str) -> dict[str, float]:
    ndcgs, recalls, latencies = [], [], []
    for query_id, text in data.queries.items():
        started = time.perf_counter()
        passages = engine.search(text, CHUNK_DEPTH, mode)
        latencies.append(time.perf_counter() - started)
        ranked = list(dict.fromkeys(evaldata.doc_id_of(p.source) for p in passages))
        ndcgs.append(ndcg_at_10(ranked, data.qrels[query_id]))
        recalls.append(recall_at_100(ranked, data.qrels[query_id]))
    return {
        "ndcg@10": statistics.mean(ndcgs),
        "recall@100": statistics.mean(recalls),
        "p50_ms": 1000 * statistics.median(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=["scifact", "nfcorpus"])
    parser.add_argument("--cache", type=Path, default=evaldata.DEFAULT_CACHE)
    parser.add_argument("--chunk-tokens", type=int, help="index with another chunk size")
    parser.add_argument("--chunk-overlap", type=int, help="index with another chunk overlap")
    parser.add_argument(
        "--backends",
        nargs="+",
        choices=CHOICES,
        help="embedding backends to compare (auto: as docqa chooses)",
    )
    parser.add_argument(
        "--question-backends",
        nargs="+",
        choices=CHOICES,
        help="also search each index with its questions embedded by these runtimes (dense and "
        "hybrid): whether a question runtime keeps the passages' quality",
    )
    parser.add_argument(
        "--sweep", action="store_true", help="also try fusion weights and RRF constants"
    )
    args = parser.parse_args()
    overrides = {
        key: value
        for key, value in (
            ("chunk_tokens", args.chunk_tokens),
            ("chunk_overlap", args.chunk_overlap),
        )
        if value is not None
    }
    backends = args.backends or [Settings.from_env().backend]
    print(f"machine: {evaldata.machine()}")
    print("| set | backend | mode | nDCG@10 | Recall@100 | p50 ms (300 chunks) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in args.sets:
        data = evaldata.load_beir(name)
        results: dict[str, dict[str, float]] = {}
        for backend in backends:
            settings = evaldata.build_index(
                name, data.docs, args.cache, backend=backend, **overrides
            )
            engine = Engine(settings)
            engine.search("warm up", 1)
            for mode in retrieval.MODES:
                row = evaluate(engine, data, mode)
                results[f"{backend} {mode}"] = row
                print(f"| {name} | {backend} | {mode} | {row['ndcg@10']:.4f} "
                      f"| {row['recall@100']:.4f} | {row['p50_ms']:.1f} |", flush=True)  # fmt: skip
            chosen = engine.embedder
            for questions in args.question_backends or []:
                engine.embedder = load_embedder(settings.model, questions, settings.model_cache)
                engine.search("warm up", 1)
                for mode in ("hybrid", "dense"):
                    row = evaluate(engine, data, mode)
                    print(f"| {name} | {backend}, {questions} questions | {mode} "
                          f"| {row['ndcg@10']:.4f} | {row['recall@100']:.4f} "
                          f"| {row['p50_ms']:.1f} |", flush=True)  # fmt: skip
            engine.embedder = chosen
            if args.sweep:
                sweep(engine, data, f"{name} | {backend}")
        for mode in retrieval.MODES if len(backends) == 2 else []:
            first, second = (results[f"{b} {mode}"]["ndcg@10"] for b in backends)
            print(
                f"| {name} | {backends[0]} - {backends[1]} | {mode} | {first - second:+.4f} | | |"
            )


def sweep(engine: Engine, data: evaldata.BeirSet, name: str) -> None:
    defaults = (retrieval.DENSE_WEIGHT, retrieval.KEYWORD_WEIGHT, retrieval.RRF_K)
    for dense_weight, rrf_k in [(w, k) for w in (0.5, 0.75, 1.0, 1.5, 2.0) for k in (20, 60)]:
        retrieval.DENSE_WEIGHT, retrieval.RRF_K = dense_weight, rrf_k
        row = evaluate(engine, data, "hybrid")
        print(f"| {name} | hybrid dense x{dense_weight} k={rrf_k} | {row['ndcg@10']:.4f} "
              f"| {row['recall@100']:.4f} | {row['p50_ms']:.1f} |", flush=True)  # fmt: skip
    retrieval.DENSE_WEIGHT, retrieval.KEYWORD_WEIGHT, retrieval.RRF_K = defaults


if __name__ == "__main__":
    main()
