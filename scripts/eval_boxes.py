"""How often the cited-page view can box a citation on real PDFs, and how much running text the
extractor keeps out of the page text.

    .venv/bin/python scripts/eval_boxes.py [--folder ../shared/eval/pdfs] [--pages 300]

Every PDF under the folder that docqa reads (its own extractor, as ingest stores the text) gives
its pages with a text layer (not OCR: those have no characters to box), up to --pages pages in
all, in path order. On each page every sentence docqa stores (app.ingest.sentences) is located
with app.serve.boxes.locate, as the page view does for a cited sentence. Prints the share of
sentences boxed, the share of sentences that cross a line with a hyphen at its end, the lines
left out as running heads, feet and page numbers (app.ingest.formats.running_lines, counted by
wrapping the function the PDF reader calls; with a docqa that has none, 0) and the time.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pypdfium2 as pdfium

from app.ingest.errors import ExtractionError
from app.ingest.extract import extract
from app.ingest.formats import pdf
from app.ingest.sentences import sentence_spans
from app.serve.boxes import locate

ROOT = Path(__file__).resolve().parents[1]
_HYPHEN_AT_LINE_END = re.compile(r"-[ \t]*\n")


class _DroppedLines:
    """`pdf.without_running_lines`, counting the lines it leaves out and the documents in
    which it leaves out any."""

    def __init__(self) -> None:
        self.lines = self.documents = 0
        self.wrapped = getattr(pdf, "without_running_lines", None)
        if self.wrapped is not None:
            pdf.without_running_lines = self

    def __call__(self, pages: list) -> list:
        kept = self.wrapped(pages)
        dropped = sum(_lines(a.text) - _lines(b.text) for a, b in zip(pages, kept, strict=True))
        self.lines += dropped
        self.documents += dropped > 0
        return kept


def _lines(text: str) -> int:
    return sum(1 for line in text.split("\n") if line.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=ROOT.parent / "shared" / "eval" / "pdfs")
    parser.add_argument("--pages", type=int, default=300, help="text-layer pages, at most")
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}"
    )
    dropped = _DroppedLines()
    sentences = boxed = hyphenated = pages_read = 0
    characters = 0
    started = time.perf_counter()
    for path in sorted(args.folder.rglob("*.pdf")):
        if pages_read >= args.pages:
            break
        try:
            pages = [p for p in extract(path) if not p.ocr]
            document = pdfium.PdfDocument(path)
        except (ExtractionError, pdfium.PdfiumError, OSError):
            continue
        try:
            for page in pages[: args.pages - pages_read]:
                try:  # a page pdfium cannot load is not boxed by the page view either
                    textpage = document[page.number - 1].get_textpage()
                except pdfium.PdfiumError:
                    continue
                pages_read += 1
                characters += len(page.text)
                for start, end in sentence_spans(page.text):
                    sentences += 1
                    hyphenated += bool(_HYPHEN_AT_LINE_END.search(page.text, start, end))
                    boxed += locate(textpage, page.text, start, end) is not None
        finally:
            document.close()
    seconds = time.perf_counter() - started
    print(f"{args.folder}: {pages_read} text-layer pages, {characters} characters stored\n")
    print(
        "| sentences | boxed | crossing a hyphen at a line's end | running lines left out "
        "(documents) | seconds |"
    )
    print("| --- | --- | --- | --- | --- |")
    print(
        f"| {sentences} | {boxed / max(1, sentences):.4f} | "
        f"{hyphenated / max(1, sentences):.4f} | {dropped.lines} ({dropped.documents}) | "
        f"{seconds:.1f} |"
    )


if __name__ == "__main__":
    main()
