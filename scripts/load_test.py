"""Load test of `docqa serve`: mixed API requests from many clients while the index is updated.

    .venv/bin/python scripts/load_test.py [--requests 5000] [--clients 32] [--ask-share 0.1]
                                          [--updates 2] [--max-seconds 1800] [--seed 7]

Copies the bundled corpus/ into a scratch folder, indexes it with `docqa ingest`, starts `docqa
serve` on a free loopback port and sends `--requests` requests from `--clients` threads, each
with its own keep-alive connection: /api/retrieve (random queries over the corpus vocabulary and
the demo questions, k from 1 to 10) and, for `--ask-share` of them, /api/ask (demo questions,
follow-ups with history, unanswerable questions). An answer takes 0.3 to 0.8 s of the one
compute slot the server has, so the default 10% of asks take most of the server's time.

`--updates` times, at evenly spaced points of the run, a file is added to (then changed in) the
corpus and `docqa ingest` runs as a separate process, as a user would. Requests keep flowing
while it runs; requests beyond the midpoint to the next update wait until the update is
published, so each update has traffic before, during and after it. At the end the newest fact
must be the top passage for its query: the server follows the updates.

Reports throughput, p50 / p95 / p99 latency per endpoint, every failed request (any status but
200, or no response), the server's peak memory (VmHWM) and whether its memory grows: the median
resident size (VmRSS, sampled every 0.2 s) over the last quarter of the run may exceed the one
over the second quarter (the first is warm-up) by at most max(5%, 20 MiB). Exit status 1 on any
failed request, growing memory, a stale index, or reaching --max-seconds first.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
GROWTH_TOLERANCE = (0.05, 20.0)  # (share, MiB): the larger one is allowed
UNANSWERABLE = [
    "What is the melting point of tungsten in kelvin?",
    "Who won the 1966 football world cup?",
    "How many moons does Neptune have?",
]
UPDATE_FACTS = [
    "The harbour crane at Saltmere lifts at most {n} tonnes, according to load test update {i}.",
    "Load test update {i}: the harbour crane at Saltmere now lifts {n} tonnes after its repair.",
]
UPDATE_QUERY = "How many tonnes does the harbour crane at Saltmere lift?"


@dataclass
class Call:
    endpoint: str
    started: float  # seconds since the run began
    seconds: float
    error: str | None  # None when the answer was a 200


@dataclass
class Update:
    started: float
    seconds: float
    documents_after: int


@dataclass
class LoadResult:
    requests: int
    clients: int
    ask_share: float
    calls: list[Call]
    updates: list[Update]
    seconds: float
    rss_samples: list[tuple[float, float]]  # (seconds since start, MiB)
    peak_rss_mib: float
    time_limited: bool
    problems: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[Call]:
        return [c for c in self.calls if c.error is not None]

    def rss_quarters(self) -> list[float]:
        """Median resident size (MiB) in each quarter of the run."""
        quarters: list[list[float]] = [[], [], [], []]
        for at, mib in self.rss_samples:
            quarters[min(3, int(4 * at / max(self.seconds, 1e-9)))].append(mib)
        return [statistics.median(q) if q else 0.0 for q in quarters]

    @property
    def memory_grows(self) -> bool:
        second, last = self.rss_quarters()[1], self.rss_quarters()[3]
        share, mib = GROWTH_TOLERANCE
        return last - second > max(share * second, mib)

    @property
    def ok(self) -> bool:
        return not (self.failures or self.memory_grows or self.time_limited or self.problems)


def run_load_test(
    workdir: Path,
    requests: int = 5000,
    clients: int = 32,
    ask_share: float = 0.1,
    updates: int = 2,
    max_seconds: float = 1800,
    seed: int = 7,
) -> LoadResult:
    """Index a copy of the sample corpus, serve it, and send `requests` requests at it."""
    corpus, index = workdir / "corpus", workdir / "index"
    shutil.copytree(CORPUS, corpus)
    _ingest(corpus, index)
    port = free_port()
    server = start_server(index, port)
    try:
        url = f"http://127.0.0.1:{port}"
        plan = _plan(random.Random(seed), corpus, requests, ask_share)
        run = _Run(url, server.pid, plan, updates, corpus, index, time.monotonic() + max_seconds)
        result = run.drive(clients)
        result.ask_share = ask_share
        result.problems += _follows_updates(url, updates)
        return result
    finally:
        server.terminate()
        server.wait(timeout=60)


class _Run:
    """One load test in flight: client threads, the index updates and the memory sampler."""

    def __init__(
        self,
        url: str,
        pid: int,
        plan: list[tuple[str, dict]],
        updates: int,
        corpus: Path,
        index: Path,
        deadline: float,
    ) -> None:
        self.url, self.pid, self.plan = url, pid, plan
        self.corpus, self.index, self.deadline = corpus, index, deadline
        spacing = len(plan) // (updates + 1)
        self.triggers = [spacing * (n + 1) for n in range(updates)]
        self.gates = [trigger + spacing // 2 for trigger in self.triggers]
        self.published = [threading.Event() for _ in range(updates)]
        self.next_index = itertools.count()
        self.calls: list[Call] = []
        self.updates: list[Update] = []
        self.problems: list[str] = []
        self.rss: list[tuple[float, float]] = []
        self.time_limited = False
        self.started = time.monotonic()

    def drive(self, clients: int) -> LoadResult:
        stop = threading.Event()
        sampler = threading.Thread(target=self._sample, args=(stop,), daemon=True)
        sampler.start()
        threads = [threading.Thread(target=self._client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for event in self.published:
            event.wait(timeout=max(0.0, self.deadline - time.monotonic()))
        seconds = time.monotonic() - self.started
        stop.set()
        sampler.join()
        if len(self.updates) < len(self.published):
            self.problems.append("an index update did not finish")
        return LoadResult(
            len(self.plan), clients, 0.0, self.calls, sorted(self.updates, key=lambda u: u.started),
            seconds, self.rss, status_mib(self.pid, "VmHWM"), self.time_limited, self.problems,
        )  # fmt: skip

    def _client(self) -> None:
        """Take the next request of the plan until none is left; one connection per client."""
        with httpx.Client(base_url=self.url, timeout=120) as http:
            for i in self.next_index:
                if i >= len(self.plan):
                    return
                if time.monotonic() > self.deadline:
                    self.time_limited = True
                    return
                if i in self.triggers:
                    n = self.triggers.index(i)
                    threading.Thread(target=self._update, args=(n,), daemon=True).start()
                for n, gate in enumerate(self.gates):
                    if i >= gate:
                        self.published[n].wait(max(0.0, self.deadline - time.monotonic()))
                self.calls.append(_call(http, *self.plan[i], self.started))

    def _update(self, n: int) -> None:
        """Add (then change) a file and run `docqa ingest` beside the server, as a user would."""
        at = time.monotonic()
        fact = UPDATE_FACTS[n % 2].format(i=n + 1, n=40 + n)
        try:
            (self.corpus / "load-test-update.md").write_text(f"# Crane\n\n{fact}\n")
            _ingest(self.corpus, self.index)
            health = httpx.get(self.url + "/api/health", timeout=60).json()
            finished = time.monotonic()
            self.updates.append(Update(at - self.started, finished - at, health["documents"]))
        except (OSError, subprocess.SubprocessError, httpx.HTTPError) as exc:
            self.problems.append(f"index update {n + 1} failed: {exc}")
        finally:
            self.published[n].set()

    def _sample(self, stop: threading.Event) -> None:
        while not stop.wait(0.2):
            self.rss.append((time.monotonic() - self.started, status_mib(self.pid, "VmRSS")))


def _call(http: httpx.Client, endpoint: str, body: dict, started: float) -> Call:
    begin = time.monotonic()
    try:
        response = http.post(endpoint, json=body)
        error = None if response.status_code == 200 else f"{response.status_code}: {response.text}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    return Call(endpoint, begin - started, time.monotonic() - begin, error)


def _plan(rng: random.Random, corpus: Path, count: int, ask_share: float) -> list[tuple[str, dict]]:
    """The requests, in order: mostly retrieves with varied queries, some asks."""
    words = sorted(set(re.findall(r"[a-z]{4,}", _corpus_text(corpus).lower())))
    demo = [q["question"] for q in json.loads((ROOT / "app/serve/demo_questions.json").read_text())]
    plan: list[tuple[str, dict]] = []
    for _ in range(count):
        if rng.random() < ask_share:
            question = rng.choice(demo + UNANSWERABLE)
            history = [rng.choice(demo)] if rng.random() < 0.2 else []
            plan.append(("/api/ask", {"question": question, "history": history}))
        else:
            query = (
                rng.choice(demo)
                if rng.random() < 0.1
                else " ".join(rng.sample(words, rng.randint(2, 8)))
            )
            plan.append(("/api/retrieve", {"query": query, "k": rng.randint(1, 10)}))
    return plan


def _corpus_text(corpus: Path) -> str:
    return " ".join(
        p.read_text(errors="ignore") for p in corpus.rglob("*") if p.suffix in {".md", ".txt"}
    )


def _follows_updates(url: str, updates: int) -> list[str]:
    """The newest fact must be found: the server switched to the last published version."""
    if not updates:
        return []
    body = httpx.post(url + "/api/retrieve", json={"query": UPDATE_QUERY, "k": 1}, timeout=60)
    top = body.json()["passages"][0]
    expected = f"update {updates}"
    if top["source"] != "load-test-update.md" or expected not in top["text"]:
        return [f"the server did not follow the index updates (top passage: {top['text']!r})"]
    return []


def _ingest(corpus: Path, index: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "app", "ingest", str(corpus), "--index", str(index), "--json"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(index: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--index", str(index), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "DOCQA_API_KEY": ""},
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("docqa serve did not start")


def status_mib(pid: int, key: str) -> float:
    """A memory figure of process `pid` from /proc (VmRSS: now, VmHWM: peak), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(key)


def endpoint_stats(result: LoadResult) -> dict[str, dict[str, float]]:
    """Per endpoint: count, throughput and latency percentiles in milliseconds."""
    stats = {}
    for endpoint in sorted({c.endpoint for c in result.calls}):
        latencies = np.array([c.seconds for c in result.calls if c.endpoint == endpoint]) * 1000
        p50, p95, p99 = np.percentile(latencies, [50, 95, 99])
        stats[endpoint] = {
            "count": len(latencies),
            "rps": len(latencies) / result.seconds,
            "p50": p50,
            "p95": p95,
            "p99": p99,
        }
    return stats


def print_report(result: LoadResult) -> None:
    total = len(result.calls)
    print(
        f"{total} of {result.requests} requests in {result.seconds:.1f} s "
        f"({total / result.seconds:.1f} requests/s), {result.clients} clients, "
        f"{result.ask_share:.0%} asks; failed requests: {len(result.failures)}"
    )
    print("| endpoint | requests | requests/s | p50 ms | p95 ms | p99 ms |")
    print("| --- | --- | --- | --- | --- | --- |")
    for endpoint, s in endpoint_stats(result).items():
        print(
            f"| {endpoint} | {s['count']} | {s['rps']:.1f} | {s['p50']:.0f} | {s['p95']:.0f} "
            f"| {s['p99']:.0f} |"
        )
    for n, u in enumerate(result.updates, start=1):
        print(
            f"index update {n}: started at {u.started:.1f} s, published after {u.seconds:.1f} s, "
            f"{u.documents_after} documents"
        )
    quarters = ", ".join(f"{q:.0f}" for q in result.rss_quarters())
    verdict = "GROWS" if result.memory_grows else "stable"
    print(
        f"server memory: peak {result.peak_rss_mib:.0f} MiB (VmHWM); median RSS by quarter "
        f"{quarters} MiB; {verdict} (tolerance max({GROWTH_TOLERANCE[0]:.0%}, "
        f"{GROWTH_TOLERANCE[1]:.0f} MiB) from the 2nd to the 4th quarter)"
    )
    if result.time_limited:
        print("stopped at --max-seconds before all requests were sent")
    for call in result.failures[:10]:
        print(f"  failed {call.endpoint} at {call.started:.1f} s: {call.error[:300]}")
    for problem in result.problems:
        print(f"  {problem}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--ask-share", type=float, default=0.1, help="share of /api/ask")
    parser.add_argument("--updates", type=int, default=2, help="index updates during the run")
    parser.add_argument("--max-seconds", type=float, default=1800)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="docqa-load-"))
    try:
        result = run_load_test(
            workdir, args.requests, args.clients, args.ask_share, args.updates,
            args.max_seconds, args.seed,
        )  # fmt: skip
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print_report(result)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
