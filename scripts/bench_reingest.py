"""What an update costs: re-ingest after common edits, with and without reusing stored vectors.

    .venv/bin/python scripts/bench_reingest.py [--docs 1000] [--repeats 3]

The corpus is the first N SciFact abstracts, one .txt file each, plus `book.txt`: 300 further
abstracts in one file, a long document of many chunks. Each scenario starts from a copy of the
same index of that corpus, changes the corpus the way a user does (or runs `--rebuild`), and
times `ingest` twice in one process with one loaded model (the runtime `docqa ingest` picks
here): as docqa runs it, embedding only chunk texts the index does not hold (`reuse`), and
embedding every chunk of every file read (`re-embed`, as docqa did before, and `--re-embed`).
The two alternate in each repeat, so their ratio is fair on a busy machine; the table gives
medians. It also checks that both give the same index: the same chunks, and vectors that agree
(cosine to the re-embedded ones).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata
from machine_state import busy_processes, machine_lines

from app.ingest.pipeline import ingest
from app.models.embedder import Embedder, load_embedder
from app.settings import Settings
from app.store import faiss_index
from app.store.folder import open_index

BOOK_DOCS = 300


def write_corpus(docs: int, corpus: Path) -> None:
    data = evaldata.load_beir("scifact")
    ids = sorted(data.docs)
    shutil.rmtree(corpus, ignore_errors=True)
    (corpus / "abstracts").mkdir(parents=True)
    for doc_id in ids[:docs]:
        (corpus / "abstracts" / f"{doc_id}.txt").write_text(data.docs[doc_id], encoding="utf-8")
    book = "\n\n".join(data.docs[doc_id] for doc_id in ids[docs : docs + BOOK_DOCS])
    (corpus / "book.txt").write_text(book, encoding="utf-8")


def edit_book(corpus: Path) -> None:
    """One paragraph in the middle of the long document rewritten."""
    book = corpus / "book.txt"
    paragraphs = book.read_text(encoding="utf-8").split("\n\n")
    middle = len(paragraphs) // 2
    paragraphs[middle] = "A revised paragraph: " + paragraphs[middle][::-1]
    book.write_text("\n\n".join(paragraphs), encoding="utf-8")


def rename_folder(corpus: Path) -> None:
    """The folder of abstracts renamed: every file moves."""
    (corpus / "abstracts").rename(corpus / "papers")


def append_to_tenth(corpus: Path) -> None:
    """A line added at the end of every tenth abstract: their last chunk changes."""
    for path in sorted((corpus / "abstracts").glob("*.txt"))[::10]:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write("\nReviewed again in 2026; no change to the conclusions.")


def nothing(corpus: Path) -> None:
    """No change: `docqa ingest --rebuild`, as after an upgrade that reads files anew."""


# name -> (the change to the corpus, whether the ingest is a --rebuild)
SCENARIOS: dict[str, tuple[Callable[[Path], None], bool]] = {
    "one paragraph of a 300-abstract file edited": (edit_book, False),
    "folder of abstracts renamed": (rename_folder, False),
    "a line appended to every 10th abstract": (append_to_tenth, False),
    "`--rebuild` of the whole corpus": (nothing, True),
}


def _vectors(index: Path) -> dict[tuple, np.ndarray]:
    reader = open_index(index)
    rows = reader.db.execute('SELECT id, source, page, start, "end" FROM chunks').fetchall()
    found = faiss_index.vectors_of(reader.vectors, np.array([r[0] for r in rows]))
    return {tuple(r[1:]): found[r[0]] for r in rows}


def run(docs: int, repeats: int, workdir: Path) -> list[dict]:
    base_corpus, base_index = workdir / "corpus", workdir / "index"
    write_corpus(docs, base_corpus)
    settings = Settings.from_env(corpus=base_corpus, index=base_index)
    embedder = load_embedder(settings.model, settings.backend, settings.model_cache, "bulk")
    embedder.encode(["warm up"])
    started = time.perf_counter()
    first = ingest(settings, rebuild=True, embedder=embedder, reuse_vectors=False)
    print(
        f"base index: {first.chunks_total} chunks of {len(first.files_indexed)} files in "
        f"{time.perf_counter() - started:.1f} s ({embedder.name}, {embedder.backend})",
        flush=True,
    )
    rows = []
    for name, (change, rebuild) in SCENARIOS.items():
        seconds: dict[bool, list[float]] = {True: [], False: []}
        reports = {}
        for repeat in range(repeats):
            for reuse in (True, False) if repeat % 2 == 0 else (False, True):
                report, index = _update(
                    base_corpus, base_index, workdir, change, embedder, reuse, rebuild
                )
                seconds[reuse].append(report.seconds)
                reports[reuse] = (report, index)
        (with_reuse, reused_index), (without, embedded_index) = reports[True], reports[False]
        ours, theirs = _vectors(reused_index), _vectors(embedded_index)
        cosine = (
            min(float(ours[k] @ theirs[k]) for k in theirs) if ours.keys() == theirs.keys() else 0
        )
        rows.append(
            {
                "scenario": name,
                "chunks": with_reuse.chunks_added,
                "embedded": with_reuse.chunks_added - with_reuse.chunks_reused,
                "reuse_s": statistics.median(seconds[True]),
                "reembed_s": statistics.median(seconds[False]),
                "reembed_chunks": without.chunks_added,
                "cosine": cosine,
            }
        )
        print(f"  {name}: {rows[-1]}", flush=True)
    return rows


def _update(
    base_corpus, base_index, workdir, change, embedder: Embedder, reuse: bool, rebuild: bool
):
    corpus, index = workdir / "run-corpus", workdir / f"run-index-{reuse}"
    for path in (corpus, index):
        shutil.rmtree(path, ignore_errors=True)
    shutil.copytree(base_corpus, corpus)
    shutil.copytree(base_index, index)
    change(corpus)
    settings = Settings.from_env(corpus=corpus, index=index)
    report = ingest(settings, rebuild=rebuild, embedder=embedder, reuse_vectors=reuse)
    return report, index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000, help="SciFact abstracts, one file each")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/docqa-bench-reingest"))
    args = parser.parse_args()
    load_before, busy_before = os.getloadavg(), busy_processes()
    rows = run(args.docs, args.repeats, args.workdir)
    loads, busy = (load_before, os.getloadavg()), (busy_before, busy_processes())
    print(f"\n### Re-ingest after an edit ({args.docs} abstracts + a {BOOK_DOCS}-abstract file)\n")
    print(*machine_lines(*loads, busy), sep="\n")
    print(f"- medians of {args.repeats} runs each, the two ways alternating\n")
    print(
        "| change | chunks of changed files | embedded (reuse) | reuse s | re-embed s | "
        "re-embed / reuse | min cosine, reused vs re-embedded |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print(
            f"| {row['scenario']} | {row['chunks']} | {row['embedded']} | {row['reuse_s']:.2f} | "
            f"{row['reembed_s']:.2f} | {row['reembed_s'] / row['reuse_s']:.1f}x | "
            f"{row['cosine']:.5f} |"
        )


if __name__ == "__main__":
    main()
