"""Time the cited-page view on the sample PDF: uncached (cache cleared before every view) and
cached, at the default scale, with a highlight on every page. Prints a table and the machine.

    .venv/bin/python scripts/bench_pages.py [--rounds 20]

The page text comes from docqa's own extractor (what ingest stores), so no index or model is
needed. Targets (issue 17): p95 <= 300 ms cached, <= 1.5 s uncached.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

from app.ingest.extract import extract
from app.serve import pages

SAMPLE = Path(__file__).resolve().parents[1] / "corpus" / "saltmere-lighthouse-history.pdf"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="views per page and mode")
    args = parser.parse_args()
    texts = [page.text for page in extract(SAMPLE)]
    spans = []
    for text in texts:  # a word from the middle of each page
        middle = text.index(" ", len(text) // 2) + 1
        spans.append((middle, text.index(" ", middle)))
    pages.view_page(SAMPLE, 1, texts[0], spans[0], pages.DEFAULT_SCALE)  # import pdfium, PIL
    timings: dict[str, list[float]] = {"uncached": [], "cached": []}
    boxed = 0
    for _ in range(args.rounds):
        for number, (text, span) in enumerate(zip(texts, spans, strict=True), start=1):
            pages.clear_cache()
            started = time.perf_counter()
            view = pages.view_page(SAMPLE, number, text, span, pages.DEFAULT_SCALE)
            timings["uncached"].append(time.perf_counter() - started)
            boxed += bool(view.boxes)
            started = time.perf_counter()
            pages.view_page(SAMPLE, number, text, span, pages.DEFAULT_SCALE)
            timings["cached"].append(time.perf_counter() - started)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}"
    )
    print(
        f"sample PDF, {len(texts)} pages x {args.rounds} rounds, scale {pages.DEFAULT_SCALE}; "
        f"answer boxed on {boxed} of {len(timings['uncached'])} uncached views"
    )
    print("| view | n | p50 ms | p95 ms | max ms |\n| --- | --- | --- | --- | --- |")
    for mode, values in timings.items():
        ms = [v * 1000 for v in values]
        print(
            f"| {mode} | {len(ms)} | {statistics.median(ms):.2f} | "
            f"{percentile(ms, 0.95):.2f} | {max(ms):.2f} |"
        )


if __name__ == "__main__":
    main()
