"""Embedding runtimes side by side on this CPU: speed, and agreement with PyTorch fp32's vectors.

    .venv/bin/python scripts/bench_runtimes.py [--texts 384] [--batch 16] [--questions 50]
        [--sentences 60] [--runtimes torch onnx-int8 openvino ...] [--markdown FILE]

The bundled all-MiniLM-L6-v2, loaded as docqa loads it (offline; nothing is downloaded), run by
each runtime in turn in this one process, on the same texts:

- bulk: the first --texts SciFact abstracts (title and text, by document id as
  scripts/bench_ingest.py takes them) in batches of --batch, after one untimed warm-up batch;
- one question: each of --questions SciFact test queries alone (batch 1, as a search embeds
  it), after one untimed query; p50 and p90 of the calls;
- answer sentences: --sentences short sentences of those abstracts in one call with batch 32,
  as `app.answer.heuristic` embeds an answer's candidates; the median of 5 calls after one
  untimed call.

Every vector is compared with PyTorch fp32's for the same text (min and mean cosine; PyTorch
fp32 is always measured first, as the reference). Only the runtime differs between rows: all
tokenize, truncate, pad and pool with docqa's own code (`SentenceTransformerEmbedder`); the
extra ONNX and OpenVINO rows plug their session into it. A runtime that cannot be set up here
(a package missing, say) gets a row saying why, and the others still run.

Runtimes: docqa's four (`torch`, `torch-bf16`, `onnx-int8`, `onnx`); `onnx-int8-fused`, the
reader's int8 form (fused by onnxruntime's optimizer, the attentions in int8 too) for the
embedder; `onnx-int8-vnni`, docqa's
fp32 ONNX quantized as sentence-transformers' export_dynamic_quantized_onnx_model does with
its "avx512_vnni" config (optimum's AutoQuantizationConfig.avx512_vnni: dynamic, int8 symmetric
per-channel weights, uint8 asymmetric activations, no reduced range, every MatMul, including
the attention's activation-by-activation ones); `onnx-int8-vnni-weights`, the same with only
the MatMuls by a weight (onnxruntime's quantize_dynamic default); and, with `openvino`
installed, the fp32 ONNX model compiled by OpenVINO at f32 (`openvino-f32`) and at the CPU's
default precision (`openvino`: bf16 where the CPU has AMX or AVX512-BF16), and with `nncf`
also installed, `openvino-int8` (nncf.quantize, static int8, calibrated on abstracts and
sentences outside the measured ones) and `openvino-int8-weights` (nncf.compress_weights: int8
weights only). Models built here go to --workdir; docqa's own ONNX files to its model cache.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shlex
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

os.environ["HF_HUB_OFFLINE"] = "1"  # `app` sets it too, but only where it is not set at all
sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata
from machine_state import busy_processes, machine_lines
from runtime_builders import ABOUT, BUILDERS, CALIBRATION

from app.models.embedder import (
    model_dir,
    model_name,
    plain_tokenizer,
)
from app.settings import Settings

REFERENCE = "torch"
RUNTIMES = (
    "torch",
    "torch-bf16",
    "onnx-int8",
    "onnx",
    "onnx-int8-fused",
    "onnx-int8-vnni",
    "onnx-int8-vnni-weights",
    "openvino-f32",
    "openvino",
    "openvino-int8",
    "openvino-int8-weights",
)
SENTENCE_BATCH = 32  # app.answer.heuristic.rank_sentences embeds candidates in batches of 32
SENTENCE_CALLS = 5


@dataclass
class Workload:
    texts: list[str]  # bulk: abstracts
    questions: list[str]  # one at a time; the first is the untimed warm-up
    sentences: list[str]  # one call
    calibration: list[str]  # for nncf.quantize only: none of the texts above


@dataclass
class Row:
    runtime: str
    texts_per_s: float = 0.0
    cosines: np.ndarray = field(default_factory=lambda: np.ones(1))
    question_ms: list[float] = field(default_factory=list)
    question_cosines: np.ndarray = field(default_factory=lambda: np.ones(1))
    sentences_ms: float = 0.0
    setup_s: float = 0.0
    note: str = ""
    error: str = ""


@dataclass
class Vectors:
    texts: np.ndarray
    questions: np.ndarray


def load_workload(texts: int, questions: int, sentences: int) -> Workload:
    data = evaldata.load_beir("scifact")
    ids = sorted(data.docs)
    abstracts = [data.docs[doc_id] for doc_id in ids[:texts]]
    queries = list(data.queries.values())[: questions + 1]
    rest = [data.docs[doc_id] for doc_id in ids[texts : texts + CALIBRATION]]
    short = [s for s in split_sentences(abstracts) if 20 <= len(s) <= 200]
    calibration = rest[: CALIBRATION // 2] + split_sentences(rest)[: CALIBRATION // 2]
    return Workload(abstracts, queries, short[:sentences], calibration)


def split_sentences(texts: list[str]) -> list[str]:
    """Sentences of the abstracts' bodies, roughly: enough for short realistic inputs."""
    body = (text.split("\n\n", 1)[-1] for text in texts)
    return [s.strip() for text in body for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text)]


# --- measuring -------------------------------------------------------------------------------


def measure(runtime: str, work: Workload, batch: int, args) -> tuple[Row, Vectors | None]:
    row = Row(runtime)
    print(f"{runtime} ...", file=sys.stderr, flush=True)
    try:
        started = time.perf_counter()
        embedder = BUILDERS[runtime](
            model_dir("bundled"), args.cache, args.workdir, work.calibration
        )
        embedder.encode(work.texts[:batch], batch)  # warm-up batch, and any lazy loading
        row.setup_s = time.perf_counter() - started
        row.note = getattr(embedder, "note", "")

        started = time.perf_counter()
        texts = embedder.encode(work.texts, batch)
        row.texts_per_s = len(work.texts) / (time.perf_counter() - started)

        embedder.encode(work.questions[:1], batch_size=1)
        questions = []
        for question in work.questions[1:]:
            started = time.perf_counter()
            questions.append(embedder.encode([question], batch_size=1)[0])
            row.question_ms.append((time.perf_counter() - started) * 1000)

        embedder.encode(work.sentences, SENTENCE_BATCH)
        calls = []
        for _ in range(SENTENCE_CALLS):
            started = time.perf_counter()
            embedder.encode(work.sentences, SENTENCE_BATCH)
            calls.append((time.perf_counter() - started) * 1000)
        row.sentences_ms = statistics.median(calls)
    except Exception as error:  # one runtime that cannot run here must not end the benchmark
        row.error = f"{type(error).__name__}: {str(error).strip().splitlines()[0][:160]}"
        print(f"  {runtime}: {row.error}", file=sys.stderr, flush=True)
        return row, None
    finally:
        gc.collect()
    return row, Vectors(texts, np.array(questions))


def compare(row: Row, vectors: Vectors, reference: Vectors) -> None:
    row.cosines = np.sum(vectors.texts * reference.texts, axis=1)
    row.question_cosines = np.sum(vectors.questions * reference.questions, axis=1)


# --- report ----------------------------------------------------------------------------------


def workload_lines(work: Workload, batch: int) -> list[str]:
    tokenizer = plain_tokenizer(model_dir("bundled"))
    tokens = [len(e.ids) for e in tokenizer.encode_batch(work.texts, add_special_tokens=False)]
    window = 256 - 2  # all-MiniLM-L6-v2 reads 256 tokens, [CLS] and [SEP] included
    return [
        f"- bulk: the first {len(work.texts)} SciFact abstracts (title + text), batch {batch}, "
        f"one untimed warm-up batch; {statistics.mean(tokens):.0f} tokens on average, "
        f"{sum(t > window for t in tokens)} cut at the model's {window}",
        f"- one question: {len(work.questions) - 1} SciFact test queries, each alone (batch 1), "
        "after one untimed query",
        f"- sentences: {len(work.sentences)} short sentences (20-200 characters) of those "
        f"abstracts in one call, batch {SENTENCE_BATCH}; median of {SENTENCE_CALLS} calls",
    ]


def table(rows: list[Row], reference: Row, sentences: int) -> list[str]:
    header = (
        "| runtime | texts/s | vs torch fp32 | min cos | mean cos | question p50 ms "
        f"| question p90 ms | question min cos | {sentences} sentences ms | setup s | notes |"
    )
    lines = [header, "|" + " --- |" * header.count(" | ") + " --- |"]
    for row in rows:
        if row.error:
            lines.append(f"| {row.runtime} |" + " n/a |" * 9 + f" not available: {row.error} |")
            continue
        ratio = row.texts_per_s / reference.texts_per_s
        cells = [
            f"{row.texts_per_s:.1f}",
            f"{ratio:.2f}x",
            f"{row.cosines.min():.5f}",
            f"{row.cosines.mean():.5f}",
            f"{statistics.median(row.question_ms):.1f}",
            f"{statistics.quantiles(row.question_ms, n=10)[-1]:.1f}",
            f"{row.question_cosines.min():.5f}",
            f"{row.sentences_ms:.0f}",
            f"{row.setup_s:.1f}",
            row.note,
        ]
        lines.append(f"| {row.runtime} | " + " | ".join(cells) + " |")
    return lines


def report(rows: list[Row], reference: Row, work: Workload, args, loads: tuple, busy: tuple) -> str:
    command = shlex.join([".venv/bin/python", "scripts/bench_runtimes.py", *sys.argv[1:]])
    lines = [
        f"## Embedding runtimes: {model_name('bundled')} on this CPU",
        "",
        f"Command: `{command}` (one process, the runtimes in turn, torch fp32 first)",
        "",
        *machine_lines(*loads, busy),
        *workload_lines(work, args.batch),
        "- cosines: each vector against torch fp32's for the same text (all unit length); "
        "setup: building or compiling the model (unless cached) and the warm-up batch",
        "",
        *table(rows, reference, len(work.sentences)),
        "",
        *(f"- `{row.runtime}`: {ABOUT[row.runtime]}" for row in rows),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=384, help="first N SciFact abstracts")
    parser.add_argument("--batch", type=int, default=16, help="texts per batch for the bulk run")
    parser.add_argument("--questions", type=int, default=50, help="single questions, timed")
    parser.add_argument("--sentences", type=int, default=60, help="short sentences, one call")
    parser.add_argument(
        "--runtimes", nargs="+", choices=RUNTIMES, default=list(RUNTIMES),
        help="torch fp32 is measured first in any case: it is the reference",
    )  # fmt: skip
    parser.add_argument("--markdown", type=Path, help="also write the report to this file")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/docqa-bench-runtimes"))
    parser.add_argument("--cache", type=Path, default=None, help="docqa's ONNX model cache")
    args = parser.parse_args()
    args.cache = (args.cache or Settings.from_env().model_cache).expanduser()
    if args.questions < 2:
        parser.error("--questions must be 2 or more (p50 and p90 of the calls)")

    work = load_workload(args.texts, args.questions, args.sentences)
    load_before, busy_before = os.getloadavg(), busy_processes()
    runtimes = [REFERENCE, *(r for r in dict.fromkeys(args.runtimes) if r != REFERENCE)]
    rows, reference, reference_row = [], None, Row(REFERENCE)
    for runtime in runtimes:
        row, vectors = measure(runtime, work, args.batch, args)
        if runtime == REFERENCE:
            if vectors is None:
                raise SystemExit(f"torch fp32, the reference, failed: {row.error}")
            reference, reference_row = vectors, row
        if vectors is not None:
            compare(row, vectors, reference)
        if runtime in args.runtimes:
            rows.append(row)
    loads, busy = (load_before, os.getloadavg()), (busy_before, busy_processes())

    text = report(rows, reference_row, work, args, loads, busy)
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
