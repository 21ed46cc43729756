"""HTTP latency of /api/retrieve and /api/ask at 1 and 16 concurrent clients.

    .venv/bin/python scripts/bench_api.py [--index index] [--requests 200] [--questions FILE]

Starts `docqa serve` on a free loopback port against the given index, warms it up, then sends a
bounded number of requests per setting and prints p50 / p95 / p99 latency and throughput.
Questions come from the bundled demo questions unless a file with one question per line is given.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


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
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("the server did not start")


def measure(url: str, path: str, bodies: list[dict], clients: int, count: int) -> dict[str, float]:
    def call(i: int) -> float:
        started = time.perf_counter()
        response = client.post(path, json=bodies[i % len(bodies)])
        response.raise_for_status()
        return time.perf_counter() - started

    with httpx.Client(
        base_url=url, timeout=120, limits=httpx.Limits(max_connections=clients)
    ) as client:
        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            latencies = sorted(pool.map(call, range(count)))
        elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100)
    return {"p50": quantiles[49] * 1000, "p95": quantiles[94] * 1000, "p99": quantiles[98] * 1000,
            "rps": count / elapsed}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=ROOT / "index")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--questions", type=Path)
    args = parser.parse_args()
    if args.questions:
        questions = [q for q in args.questions.read_text().splitlines() if q.strip()]
    else:
        questions = [
            q["question"] for q in json.loads((ROOT / "app/demo_questions.json").read_text())
        ]
    port = free_port()
    server = start_server(args.index, port)
    url = f"http://127.0.0.1:{port}"
    try:
        for question in questions[:3]:
            httpx.post(url + "/api/ask", json={"question": question}, timeout=120)
        print(
            f"machine: {os.cpu_count()} cores; index: {args.index}; {args.requests} requests each"
        )
        print("| endpoint | clients | p50 ms | p95 ms | p99 ms | requests/s |")
        print("| --- | --- | --- | --- | --- | --- |")
        for path, key in (("/api/retrieve", "query"), ("/api/ask", "question")):
            bodies = [{key: q} for q in questions]
            for clients in (1, 16):
                row = measure(url, path, bodies, clients, args.requests)
                print(f"| {path} | {clients} | {row['p50']:.1f} | {row['p95']:.1f} | "
                      f"{row['p99']:.1f} | {row['rps']:.1f} |", flush=True)  # fmt: skip
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
