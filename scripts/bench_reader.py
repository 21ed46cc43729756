"""The reader's runtimes side by side on this CPU: time to read five passages, and validation EM/F1.

    .venv/bin/python scripts/bench_reader.py [--runtimes torch onnx ...] [--reads 40]
        [--fills 0 0.9 1.01]

Each runtime (app.models.reader: `torch`, `torch-bf16`, `onnx`, `openvino`; default: `torch`,
`onnx` and, where it is installed, `openvino`, plus `torch-bf16` where bf16 is native) reads, in
this one process:

- speed: --reads validation questions, each with its gold paragraph and the next four
  paragraphs of the file (five passages, as `ask` reads), one call each after one untimed call;
  p50 and p90;
- quality: every question of the reader's validation articles (held out of training, inside
  SQuAD's articles 1-38) with its gold paragraph, the best span scored by the official SQuAD
  EM/F1. The evaluation split (articles 39-48) is not read: this chooses a runtime.

--fills compares ways of batching a read's windows (app.models.reader.length_groups): 0 reads
all five in one padded batch, 1.01 one window per call, 0.9 (the default) groups windows that
are within 10% of their group's longest.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import eval_answers
import evaldata
from squad_metric import best_em_f1

from app.answer import answering
from app.models.cpu import openvino_installed, this_cpu
from app.models.reader import load_reader


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = ["torch", "onnx"]
    default += ["openvino"] if openvino_installed() else []
    default += ["torch-bf16"] if this_cpu().has_native_bf16 else []
    parser.add_argument("--runtimes", nargs="+", default=default)
    parser.add_argument("--reads", type=int, default=40, help="five-passage reads, timed")
    parser.add_argument("--fills", nargs="+", type=float, default=[0.9], help="least batch fill")
    args = parser.parse_args()
    paragraphs, questions = evaldata.load_squad()
    validation = [
        q for q in questions if eval_answers.article_of(q) in eval_answers.VALIDATION_ARTICLES
    ]
    names = list(paragraphs)
    print(f"machine: {evaldata.machine()}; load average before: {os.getloadavg()}")
    print(f"{len(validation)} validation questions; {args.reads} reads of 5 passages\n")
    print("| runtime | least fill | 5 passages p50 ms | p90 ms | validation EM | F1 |")
    print("| --- | --- | --- | --- | --- | --- |")
    for runtime, fill in [(r, f) for r in args.runtimes for f in args.fills]:
        reader = dataclasses.replace(load_reader(runtime=runtime), least_fill=fill).warm_up()
        times = []
        for q in validation[: args.reads]:
            at = names.index(q.paragraph)
            texts = [paragraphs[name] for name in names[at : at + 5]]
            started = time.perf_counter()
            reader.read(q.question, texts)
            times.append((time.perf_counter() - started) * 1000)
        em = f1 = 0.0
        for q in validation:
            passage = eval_answers.as_passage(q.paragraph, paragraphs[q.paragraph])
            candidates = answering.rank_candidates(reader, q.question, [passage])
            scores = best_em_f1(candidates[0].text if candidates else "", q.answers)
            em, f1 = em + scores[0], f1 + scores[1]
        p90 = statistics.quantiles(times, n=10)[8]
        print(f"| {runtime} | {fill} | {statistics.median(times):.0f} | {p90:.0f} | "
              f"{em / len(validation):.3f} | {f1 / len(validation):.3f} |", flush=True)  # fmt: skip
    print(f"\nload average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
