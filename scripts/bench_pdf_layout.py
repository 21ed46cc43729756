"""What reading a PDF page's layout costs at ingest: pypdf's text of every page of the PDFs in
`../shared/eval/pdfs/`, timed with and without the layout pass (pdfium's characters, then
app.ingest.formats.pdf_tables and pdf_headings), and how many pages it changed.

    .venv/bin/python scripts/bench_pdf_layout.py [--rounds 3]

Rounds alternate the two, so a noisy machine slows both alike; the table gives the best round
of each. OCR is left out of both (pages without a text layer are not what this measures)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata

from app.ingest.errors import ExtractionError
from app.ingest.formats import pdf


def read_all(files: list[Path], layout: bool) -> tuple[float, list[list[str]]]:
    """Seconds to read every file, and each file's page texts."""
    texts: list[list[str]] = []
    patches = [mock.patch.object(pdf, "_with_ocr", lambda data, pages, candidates: pages)]
    if not layout:
        patches.append(mock.patch.object(pdf, "_with_layout", lambda data, pages: pages))
    for patch in patches:
        patch.start()
    try:
        started = time.perf_counter()
        for path in files:
            try:
                texts.append([p.text for p in pdf.read(path.read_bytes(), ".pdf", 5000)])
            except ExtractionError:
                texts.append([])
        return time.perf_counter() - started, texts
    finally:
        for patch in patches:
            patch.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    files = sorted((evaldata.require_shared() / "pdfs").rglob("*.pdf"))
    best = {False: float("inf"), True: float("inf")}
    texts: dict[bool, list[list[str]]] = {}
    for _ in range(args.rounds):
        for layout in (False, True):
            seconds, texts[layout] = read_all(files, layout)
            best[layout] = min(best[layout], seconds)
    plain, found = texts[False], texts[True]
    pages = sum(map(len, plain))
    changed = sum(
        a != b
        for old, new in zip(plain, found, strict=True)
        for a, b in zip(old, new, strict=False)
    )
    print(f"machine: {evaldata.machine()}\n")
    print("| PDFs | pages | pages changed | pypdf alone s | with the layout pass s | ratio |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(f"| {len(files)} | {pages} | {changed} | {best[False]:.2f} | {best[True]:.2f} | "
          f"{best[True] / best[False]:.2f}x |")  # fmt: skip


if __name__ == "__main__":
    main()
