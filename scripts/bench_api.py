"""Query latency of retrieve and ask, in-process and over HTTP, at 1 and 16 concurrent clients.

    .venv/bin/python scripts/bench_api.py [--index index | --beir scifact] [--requests 200]
                                          [--questions FILE]

In-process: docqa's Engine (what the CLI and the server call) in this process. HTTP: `docqa
serve` started on a free loopback port, /api/retrieve and /api/ask. Each setting sends a bounded
number of requests after a warm-up and prints p50 / p95 / p99 latency and throughput, then the
server's peak memory. Questions: the bundled demo questions on the bundled index, the BEIR test
queries with --beir (on the index scripts/eval_retrieval.py builds), or a file, one per line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata
from load_test import free_port, start_server, status_mib

from app.answer import retrieval
from app.engine import Engine
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def measure(request: Callable[[int], object], clients: int, count: int) -> dict[str, float]:
    """Latency quantiles (ms) and throughput of `count` calls of `request(i)` from `clients`."""

    def call(i: int) -> float:
        started = time.perf_counter()
        request(i)
        return time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = sorted(pool.map(call, range(count)))
    elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100)
    return {"p50": quantiles[49] * 1000, "p95": quantiles[94] * 1000, "p99": quantiles[98] * 1000,
            "rps": count / elapsed}  # fmt: skip


def print_row(where: str, what: str, clients: int, row: dict[str, float]) -> None:
    print(f"| {where} | {what} | {clients} | {row['p50']:.1f} | {row['p95']:.1f} | "
          f"{row['p99']:.1f} | {row['rps']:.1f} |", flush=True)  # fmt: skip


def stage_times(engine: Engine, questions: list[str]) -> None:
    """p50 of each step of one `ask`, at one client: where an answer's time goes."""
    from app.answer import answering, sentences
    from app.answer.overlap import query_idf

    timings: dict[str, list[float]] = {}
    read: list[int] = []  # passages the cascade reads, per question

    def timed(name: str, step: Callable[[], object]) -> object:
        started = time.perf_counter()
        result = step()
        timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        return result

    for question in questions[:100]:
        timed("question encoding", lambda q=question: engine.embedder.encode([q]))
        retrieval.clear_query_cache()
        passages = timed("hybrid retrieve (encoding included)",
                         lambda q=question: engine.search(q, answering.PASSAGES_READ))  # fmt: skip
        idf = query_idf(engine.reader(), question)
        budget, answering.READ_TOKENS = answering.READ_TOKENS, None
        timed(f"reader over {answering.PASSAGES_READ} passages, each read whole",
              lambda q=question, p=passages, i=idf:
              answering.rank_candidates(engine.qa_reader, q, p, i))  # fmt: skip
        answering.READ_TOKENS = budget
        candidates = timed(f"reader over {answering.PASSAGES_READ} passages, "
                           f"{budget or 'all'} tokens of each",
                           lambda q=question, p=passages, i=idf:
                           answering.rank_candidates(engine.qa_reader, q, p, i))  # fmt: skip
        early = [c for c in candidates if c.rank < answering.READ_FIRST]
        read.append(answering.READ_FIRST if answering.settled(early) else len(passages))
        timed(f"reader, the cascade (first {answering.READ_FIRST}, the rest unless settled)",
              lambda q=question, p=passages:
              answering.read_candidates(engine.qa_reader, q, p,
                                        query_idf(engine.reader(), q)))  # fmt: skip
        chosen = list({c.passage.id: c.passage for c in candidates[:3]}.values())
        timed("sentences of the cited passages (stored at ingest)",
              lambda c=chosen: sentences.passage_sentences(c))  # fmt: skip
    print("\n| step of one ask | p50 ms |\n| --- | --- |")
    for name, values in timings.items():
        print(f"| {name} | {statistics.median(values):.2f} |")
    print(f"\nThe cascade read {statistics.mean(read):.2f} passages a question on average.\n")


def bench_in_process(
    index: Path, questions: list[str], count: int, client_counts: list[int]
) -> str:
    """Prints the in-process rows; returns a note on the index (its size and load time)."""
    engine = Engine(Settings.from_env(index=index))
    started = time.perf_counter()
    engine.reader()
    load_ms = (time.perf_counter() - started) * 1000
    engine.warm_up()
    for question in questions[:3]:
        engine.ask(question)
    stage_times(engine, questions)
    print("| where | endpoint | clients | p50 ms | p95 ms | p99 ms | requests/s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, call in (("retrieve", engine.search), ("ask", engine.ask)):
        for clients in client_counts:
            retrieval.clear_query_cache()  # a repeated question would skip its encoding
            row = measure(lambda i, call=call: call(questions[i % len(questions)]), clients, count)
            print_row("in-process", name, clients, row)
    return f"index: {engine.reader().chunk_count} chunks, opened in {load_ms:.0f} ms"


def bench_http(index: Path, questions: list[str], count: int, client_counts: list[int]) -> None:
    port = free_port()
    server = start_server(index, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            for question in questions[:3]:
                client.post("/api/ask", json={"question": question}).raise_for_status()
            settings = [(path, key, clients)
                        for path, key in (("/api/retrieve", "query"), ("/api/ask", "question"))
                        for clients in client_counts]  # fmt: skip
            for number, (path, key, clients) in enumerate(settings):
                # Each setting starts further along the questions, so the server's cache of
                # question vectors is not what is measured (unless there are too few questions).
                def post(i: int, path=path, key=key, shift=number * count) -> None:
                    body = {key: questions[(i + shift) % len(questions)]}
                    client.post(path, json=body).raise_for_status()

                print_row("HTTP", path, clients, measure(post, clients, count))
        print(f"\nserver peak RSS: {status_mib(server.pid, 'VmHWM'):.0f} MiB")
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=ROOT / "index")
    parser.add_argument("--beir", choices=["scifact", "nfcorpus"], help="a BEIR set's index")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--questions", type=Path)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16])
    args = parser.parse_args()
    index = args.index
    if args.beir:
        data = evaldata.load_beir(args.beir)
        index = evaldata.build_index(args.beir, data.docs, evaldata.DEFAULT_CACHE).index
        questions = list(data.queries.values())
    elif args.questions:
        questions = [q for q in args.questions.read_text().splitlines() if q.strip()]
    else:
        questions = [
            q["question"] for q in json.loads((ROOT / "app/serve/demo_questions.json").read_text())
        ]
    print(f"machine: {evaldata.machine()}; index: {index}; {args.requests} requests each")
    print(f"load average before: {os.getloadavg()}")
    note = bench_in_process(index, questions, args.requests, args.clients)
    bench_http(index, questions, args.requests, args.clients)
    print(note)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
