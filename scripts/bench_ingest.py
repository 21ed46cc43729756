"""Ingest throughput on a fixed real corpus, by stage, next to the bare model on the same texts.

    .venv/bin/python scripts/bench_ingest.py [--docs 1000] [--workdir /tmp/docqa-bench]

The corpus is the first N SciFact abstracts, one .txt file each. The bare model figure embeds
exactly the chunk texts docqa produced, with sentence-transformers alone: the limit of this
machine for this pipeline. Run it on a quiet machine; both figures come from the same run.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata

from app.chunking import count_tokens
from app.embedding import load_embedder
from app.ingest import ingest
from app.settings import Settings
from app.store import open_index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/docqa-bench"))
    args = parser.parse_args()
    data = evaldata.load_beir("scifact")
    shutil.rmtree(args.workdir, ignore_errors=True)
    corpus = args.workdir / "corpus"
    corpus.mkdir(parents=True)
    for doc_id in sorted(data.docs)[: args.docs]:
        (corpus / f"{doc_id}.txt").write_text(data.docs[doc_id], encoding="utf-8")
    settings = Settings.from_env(corpus=corpus, index=args.workdir / "index")
    embedder = load_embedder(settings.model)
    embedder.encode(["warm up"])  # model load is not ingest work

    report = ingest(settings, embedder=embedder)
    texts = [c.text for c in open_index(settings.index).chunks(_all_ids(settings)).values()]
    started = time.perf_counter()
    embedder.encode(texts, settings.batch_size)
    bare = time.perf_counter() - started
    rerun = ingest(settings, embedder=embedder)
    tokens = count_tokens(texts)

    print(f"machine: {evaldata.machine()}; corpus: first {args.docs} SciFact abstracts")
    print("| stage | seconds | share |\n| --- | --- | --- |")
    for stage, seconds in report.stage_seconds.items():
        print(f"| {stage} | {seconds:.2f} | {seconds / report.seconds:.0%} |")
    print(f"| total | {report.seconds:.2f} | 100% |\n")
    print("| measure | docqa ingest | bare model, same texts | ratio |\n| --- | --- | --- | --- |")
    print(f"| chunks/s | {len(texts) / report.seconds:.1f} | {len(texts) / bare:.1f} "
          f"| {bare / report.seconds:.2f} |")  # fmt: skip
    print(f"| tokens/s | {tokens / report.seconds:.0f} | {tokens / bare:.0f} "
          f"| {bare / report.seconds:.2f} |")  # fmt: skip
    print(
        f"\n{len(texts)} chunks, {tokens} tokens; unchanged re-run {rerun.seconds:.2f} s; "
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )


def _all_ids(settings: Settings) -> list[int]:
    reader = open_index(settings.index)
    return [row[0] for row in reader.db.execute("SELECT id FROM chunks")]


if __name__ == "__main__":
    main()
