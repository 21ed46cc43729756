"""Kill `docqa ingest` with SIGKILL at random moments and check that the index survives each time.

    .venv/bin/python scripts/crash_loop.py [--kills 20] [--seed 7] [--embedder fast|bundled]

Each round adds, changes and deletes corpus files, starts `docqa ingest` as a subprocess, freezes
it (SIGSTOP) at a random moment, notes from the index folder which stage it had reached
(starting, scanning, extracting, writing, publishing, published), and kills it (SIGKILL). Half
the moments are a random delay into the run; the other half a random 0-5 ms after a randomly
chosen stage begins, so that short stages (publishing takes about 10 ms) are hit too. Then
the index must open, pass `check_index` (FAISS ids, SQLite rows and the manifest agree; no
duplicate or orphaned chunks), still hold exactly the rows it had before when the new version
was not yet published, and answer a search. At the end a normal ingest must give the same chunks,
page texts and manifest entries as a clean build of the same corpus. Exit status 1 if any check
fails.

`--embedder fast` (the default) runs the same `docqa ingest` command with a deterministic hashing
embedder in place of the model. With the model, loading and embedding take 95% of a run, so
nearly every kill would land there; without it the kills spread over every stage. `bundled` runs
`python -m app ingest` unchanged.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.models.embedder import Embedder

ROOT = Path(__file__).resolve().parents[1]
ANCHOR = (
    "anchor.md",
    "The zeppelin hangar at Cardington is 812 feet long and was finished in 1927.",
)
ANCHOR_QUERY = "How long is the zeppelin hangar at Cardington?"
STAGES = ["starting", "scanning", "extracting", "writing", "publishing", "published", "finished"]
WORDS = (
    "river stone lamp harbour engine seven quietly north garden paper copper signal valley "
    "winter ledger orchard beacon thread market cobalt meadow timber canal quarry furnace"
).split()


class HashEmbedder:
    """Deterministic bag-of-words vectors: instant, and the same text always gets the same one."""

    name = "crash-loop-hashing"
    dim = 64
    max_tokens = 254

    def load(self) -> None:
        """Nothing to load."""

    def encode(self, texts: list[str], batch_size: int = 0) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
                vectors[row, int.from_bytes(digest, "little") % self.dim] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)

    def fits(self, texts: list[str]) -> list[bool]:
        return [len(text.split()) <= self.max_tokens for text in texts]


@dataclass
class Round:
    number: int
    delay: float  # seconds from start to SIGSTOP
    stage: str  # what the index folder showed at that moment
    problems: list[str] = field(default_factory=list)

    @property
    def killed(self) -> bool:
        return self.stage != "finished"


@dataclass
class CrashLoopResult:
    rounds: list[Round]
    final_problems: list[str]
    seconds: float

    @property
    def kills(self) -> int:
        return sum(r.killed for r in self.rounds)

    @property
    def failures(self) -> list[str]:
        found = [f"round {r.number}: {p}" for r in self.rounds for p in r.problems]
        return found + [f"final: {p}" for p in self.final_problems]


def run_crash_loop(
    workdir: Path, kills: int = 20, seed: int = 7, embedder: str = "fast"
) -> CrashLoopResult:
    """Kill ingests until `kills` of them died mid-run, checking the index after each one."""
    started = time.monotonic()
    rng = random.Random(seed)
    corpus, index = workdir / "corpus", workdir / "index"
    _seed_corpus(corpus, rng)
    _run_to_end(corpus, index, embedder)
    search_with = HashEmbedder() if embedder == "fast" else _model_embedder()
    _mutate(corpus, rng, 0)
    duration = _run_to_end(corpus, index, embedder)  # a typical update, to spread the kills over
    rounds: list[Round] = []
    while sum(r.killed for r in rounds) < kills and len(rounds) < 3 * kills:
        _mutate(corpus, rng, len(rounds) + 1)
        rounds.append(_kill_round(len(rounds) + 1, corpus, index, embedder, rng, duration))
        rounds[-1].problems += _check(index, search_with)
    final = _converges(corpus, index, workdir / "clean", embedder)
    return CrashLoopResult(rounds, final, round(time.monotonic() - started, 1))


def _kill_round(
    number: int, corpus: Path, index: Path, embedder: str, rng: random.Random, duration: float
) -> Round:
    before_version = _current(index)
    before_rows = _rows(index)
    process = _start_ingest(corpus, index, embedder)
    started = time.monotonic()
    if rng.random() < 0.5:
        time.sleep(rng.uniform(0.0, duration))
    else:
        _wait_for_stage(process, index, before_version, rng.choice(STAGES[:-1]))
        time.sleep(rng.uniform(0.0, 0.005))
    delay = time.monotonic() - started
    if process.poll() is not None:
        result = Round(number, delay, "finished")
        if process.returncode != 0:
            result.problems.append(f"the ingest failed with exit status {process.returncode}")
        return result
    process.send_signal(signal.SIGSTOP)  # freeze it, so the stage we note is the one it died in
    stage = _stage(index, process.pid, before_version)
    process.send_signal(signal.SIGKILL)
    process.wait()
    result = Round(number, delay, stage)
    if _current(index) == before_version and _rows(index) != before_rows:
        result.problems.append("the live version changed although nothing was published")
    return result


def _wait_for_stage(
    process: subprocess.Popen, index: Path, before_version: str, target: str
) -> None:
    """Return once the running ingest has reached `target` or a later stage, or has ended."""
    while process.poll() is None:
        if STAGES.index(_stage(index, process.pid, before_version)) >= STAGES.index(target):
            return
        time.sleep(0.001)


def _stage(index: Path, pid: int, before_version: str) -> str:
    """How far the frozen ingest got, read from the index folder and its child processes."""
    if _current(index) != before_version:
        return "published"  # CURRENT already names the new version: cleaning up, exiting
    try:
        holder = (index / ".lock").read_text().strip()
    except FileNotFoundError:
        holder = ""
    if holder != f"pid {pid}":
        return "starting"  # importing, or waiting for the writer lock
    drafts = [d for d in index.glob("tmp-*") if d.is_dir()]
    if not drafts:
        return "publishing" if (index / "tmp-CURRENT").exists() else "scanning"
    if (drafts[0] / "vectors.faiss").exists() or (drafts[0] / "manifest.json").exists():
        return "publishing"
    # A draft without the sandbox worker: copying the live version, removing old chunks,
    # embedding or inserting rows.
    return "extracting" if _has_children(pid) else "writing"


def _has_children(pid: int) -> bool:
    try:
        return bool(Path(f"/proc/{pid}/task/{pid}/children").read_text().split())
    except OSError:
        return False


def _check(index: Path, embedder: Embedder) -> list[str]:
    """What is wrong with the index after a kill: it must open, agree with itself and answer."""
    from app.answer.retrieval import search
    from app.store.folder import open_index
    from app.store.folder_check import check_index
    from app.store.manifest import StoreError

    try:
        problems = check_index(index)
        reader = open_index(index)
    except (StoreError, OSError, RuntimeError) as exc:
        return [f"the index does not open: {exc}"]
    try:
        passages = search(reader, embedder, ANCHOR_QUERY, k=3)
        if not passages or passages[0].source != ANCHOR[0]:
            problems.append(f"search no longer answers: got {[p.source for p in passages]}")
    finally:
        reader.close()
    return problems


def _converges(corpus: Path, index: Path, clean: Path, embedder: str) -> list[str]:
    """A normal ingest after all the kills must equal a clean build of the same corpus."""
    from app.store.folder import read_manifest
    from app.store.folder_check import check_index

    problems = []
    for target in (index, clean):
        process = _start_ingest(corpus, target, embedder)
        if process.wait(timeout=600) != 0:
            return [f"a normal ingest into {target.name} failed ({process.returncode})"]
    problems += [f"after the final ingest: {p}" for p in check_index(index)]
    if _rows(index) != _rows(clean):
        problems.append("the chunks differ from a clean build")
    if _pages(index) != _pages(clean):
        problems.append("the stored page texts differ from a clean build")
    if read_manifest(index).files != read_manifest(clean).files:
        problems.append("the manifest's files differ from a clean build")
    if list(index.glob("tmp-*")):
        problems.append("scratch folders were left behind")
    return problems


def _start_ingest(corpus: Path, index: Path, embedder: str) -> subprocess.Popen:
    command = ["-m", "app"] if embedder == "bundled" else ["-m", "scripts.crash_loop", "--child"]
    return subprocess.Popen(
        [sys.executable, *command, "ingest", str(corpus), "--index", str(index), "--json"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _run_to_end(corpus: Path, index: Path, embedder: str) -> float:
    started = time.monotonic()
    process = _start_ingest(corpus, index, embedder)
    if process.wait(timeout=600) != 0:
        raise RuntimeError(f"ingest failed with exit status {process.returncode}")
    return time.monotonic() - started


def _current(index: Path) -> str:
    try:
        return (index / "CURRENT").read_text().strip()
    except FileNotFoundError:
        return ""


def _rows(index: Path) -> list[tuple]:
    return _query(index, 'SELECT source, page, start, "end", text FROM chunks')


def _pages(index: Path) -> list[tuple]:
    return _query(index, "SELECT source, page, text FROM pages")


def _query(index: Path, sql: str) -> list[tuple]:
    from app.store.folder import open_index

    reader = open_index(index)
    try:
        return sorted(reader.db.execute(sql).fetchall(), key=repr)
    finally:
        reader.close()


def _text(rng: random.Random, sentences: int) -> str:
    out = []
    for i in range(sentences):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 16)))
        out.append(words.capitalize() + "." + ("\n\n" if i % 6 == 5 else " "))
    return "".join(out)


def _write(path: Path, rng: random.Random, sentences: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = _text(rng, sentences)
    if path.suffix == ".html":
        text = "<html><body>" + "".join(f"<p>{p}</p>" for p in text.split("\n\n")) + "</body>"
    path.write_text(text)


def _seed_corpus(corpus: Path, rng: random.Random) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    (corpus / ANCHOR[0]).write_text(ANCHOR[1] + "\n")
    for i in range(40):
        _write(corpus / f"part{i % 4}" / f"doc{i}{rng.choice(['.txt', '.md', '.html'])}", rng, 60)


def _mutate(corpus: Path, rng: random.Random, round_: int) -> None:
    """Delete a few files, change a few, add a few: the churn of a corpus in daily use."""
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.name != ANCHOR[0])
    for path in rng.sample(files, k=min(len(files), rng.randint(1, 3))):
        path.unlink()
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.name != ANCHOR[0])
    for path in rng.sample(files, k=min(len(files), rng.randint(1, 3))):
        _write(path, rng, rng.randint(10, 120))
    for i in range(rng.randint(2, 4)):
        suffix = rng.choice([".txt", ".md", ".html"])
        _write(corpus / f"part{rng.randrange(4)}" / f"r{round_}-{i}{suffix}", rng, 60)


def _model_embedder() -> Embedder:
    from app.engine import Engine
    from app.settings import Settings

    return Engine(Settings.from_env()).embedder


def print_summary(result: CrashLoopResult) -> None:
    print("| round | frozen after (s) | stage reached | index after the kill |")
    print("| --- | --- | --- | --- |")
    for r in result.rounds:
        verdict = "; ".join(r.problems) or ("ok" if r.killed else "ok (finished before the kill)")
        print(f"| {r.number} | {r.delay:.2f} | {r.stage} | {verdict} |")
    by_stage = Counter(r.stage for r in result.rounds if r.killed)
    print()
    print(f"kills: {result.kills} in {len(result.rounds)} rounds, {result.seconds:.0f} s")
    print("kills by stage: " + ", ".join(f"{s} {by_stage[s]}" for s in STAGES if by_stage[s]))
    print("converged to a clean build: " + ("yes" if not result.final_problems else "NO"))
    print(f"failures: {len(result.failures)}")
    for failure in result.failures:
        print(f"  {failure}")


def _child(argv: list[str]) -> int:
    """`docqa ingest` itself, with the hashing embedder in place of the model."""
    import app.ingest.pipeline
    from app.cli import main

    app.ingest.pipeline.load_embedder = lambda *args, **kwargs: HashEmbedder()
    return main(argv)


def main() -> int:
    if sys.argv[1:2] == ["--child"]:
        return _child(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20, help="ingests to kill mid-run")
    parser.add_argument("--seed", type=int, default=7, help="seed of the corpus churn and delays")
    parser.add_argument("--embedder", choices=["fast", "bundled"], default="fast")
    parser.add_argument("--workdir", type=Path, help="keep the corpus and index here")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="docqa-crash-"))
    try:
        result = run_crash_loop(workdir, args.kills, args.seed, args.embedder)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    print_summary(result)
    return 1 if result.failures else 0


if __name__ == "__main__":
    sys.exit(main())
