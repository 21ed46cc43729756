"""OCR accuracy and speed on rendered pages of PDFs that have a real text layer.

Each page is rendered with pypdfium2 (200 dpi by default), read by RapidOCR with one or more
settings, and compared with pypdf's text of the same page: character error rate = Levenshtein
distance / reference length, both texts with whitespace collapsed to single spaces. Prints a
table per setting plus the machine (CPU, cores, load average), since the speed depends on both.

    .venv/bin/python scripts/bench_ocr.py                 # the default page set, docqa's setting
    .venv/bin/python scripts/bench_ocr.py --configs all --pages 12 --max-seconds 600
    .venv/bin/python scripts/bench_ocr.py --scan-pages 40   # a long scan in docqa's sandbox

With --scan-pages N: a scanned PDF of N A4 pages at 200 dpi (40 lines of words each, of random
lengths; no text layer) is written to a temporary folder and read the way `docqa ingest` reads
it, in the extraction sandbox with docqa's default time and memory limits: pages read, seconds,
the worker's peak address space.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.ingest import ocr  # noqa: E402

PDFS = ROOT.parent / "shared" / "eval" / "pdfs"
SAMPLES = "py-pdf-sample-files"
# Ordinary single-column text PDFs of the shared set (file, first page, last page), 30 pages.
PAGE_SET = [
    (f"{SAMPLES}/001-trivial/minimal-document.pdf", 1, 1),
    (f"{SAMPLES}/002-trivial-libre-office-writer/002-trivial-libre-office-writer.pdf", 1, 1),
    (f"{SAMPLES}/004-pdflatex-4-pages/pdflatex-4-pages.pdf", 1, 4),
    (f"{SAMPLES}/006-pdflatex-outline/pdflatex-outline.pdf", 1, 4),
    (f"{SAMPLES}/011-google-doc-document/google-doc-document.pdf", 1, 1),
    ("pypdf-resources/crazyones.pdf", 1, 1),
    (f"{SAMPLES}/009-pdflatex-geotopo/GeoTopo-komprimiert.pdf", 10, 27),
]  # fmt: skip
CONFIGS = {
    "docqa": {},  # ocr.OPTIONS as shipped, on the runtime docqa chooses
    "onnxruntime": {"runtime": "onnxruntime"},
    "openvino": {"runtime": "openvino"},
    # the shapes RapidOCR makes, not padded to a bounded set (ocr.bound_shapes)
    "openvino-any-shape": {"runtime": "openvino", "bounded_shapes": False},
    "onnxruntime-any-shape": {"runtime": "onnxruntime", "bounded_shapes": False},
    "openvino-det-960": {"runtime": "openvino", "det_limit_side_len": 960},
    "openvino-rec-batch-16": {"runtime": "openvino", "rec_batch_num": 16},
    "library-defaults": {
        "det_limit_side_len": 736, "det_limit_type": "min", "use_cls": True, "max_side_len": 2000,
    },
    "det-1600": {"det_limit_side_len": 1600},
    "det-960": {"det_limit_side_len": 960},
    "det-960-1-thread": {
        "det_limit_side_len": 960, "intra_op_num_threads": 1, "runtime": "onnxruntime",
    },
}  # fmt: skip


def levenshtein(a: str, b: str) -> int:
    """Edit distance, bit-parallel (Myers 1999, Hyyrö 2001) on Python integers: fast enough
    for whole pages without a compiled library."""
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if m == 0:
        return len(a)
    peq: dict[str, int] = {}
    for i, char in enumerate(b):
        peq[char] = peq.get(char, 0) | (1 << i)
    mask, high = (1 << m) - 1, 1 << (m - 1)
    pv, mv, score = mask, 0, m
    for char in a:
        eq = peq.get(char, 0)
        xv = eq | mv
        xh = ((((eq & pv) + pv) & mask) ^ pv) | eq
        ph = (mv | ~(xh | pv)) & mask
        mh = pv & xh
        score += bool(ph & high) - bool(mh & high)
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        pv = (mh | ~(xv | ph)) & mask
        mv = ph & xv
    return score


def normalise(text: str) -> str:
    return " ".join(text.split())


def load_pages(dpi: int, limit: int) -> list[tuple[str, int, object, str]]:
    """(file, page, rendered image, pypdf text) for the first `limit` pages of PAGE_SET."""
    import pypdfium2 as pdfium
    from pypdf import PdfReader

    pages = []
    for relpath, first, last in PAGE_SET:
        path = PDFS / relpath
        reader, document = PdfReader(path), pdfium.PdfDocument(path)
        for number in range(first, last + 1):
            if len(pages) == limit:
                return pages
            text = normalise(reader.pages[number - 1].extract_text() or "")
            image = document[number - 1].render(scale=dpi / 72).to_pil()
            pages.append((relpath.rsplit("/", 1)[-1], number, image, text))
    return pages


def run(name: str, options: dict, pages: list, deadline: float) -> dict:
    engine = ocr.engine(**{**ocr.OPTIONS, **options}) if options else ocr.engine()
    ocr.image_text(pages[0][2], engine)  # warm-up, not timed
    errors = reference = done = 0
    seconds = cpu = 0.0
    worst: list[tuple[float, str]] = []
    for file, number, image, text in pages:
        if time.monotonic() > deadline:
            break
        started, started_cpu = time.perf_counter(), time.process_time()
        read = normalise(ocr.image_text(image, engine))
        seconds += time.perf_counter() - started
        cpu += time.process_time() - started_cpu  # all threads: independent of other load
        distance = levenshtein(read, text)
        errors, reference, done = errors + distance, reference + len(text), done + 1
        worst.append((distance / max(len(text), 1), f"{file} p{number}"))
    worst.sort(reverse=True)
    return {
        "config": name, "pages": done, "cer": errors / max(reference, 1),
        "pages_per_s": done / seconds if seconds else 0.0, "worst": worst[:3],
        "cpu_per_page": cpu / done if done else 0.0,
    }  # fmt: skip


def write_scan(path: Path, pages: int) -> None:
    """A scanned PDF of `pages` A4 pages at 200 dpi, no text layer: 40 lines of words each, of
    random lengths (so RapidOCR's line batches take many widths), the same for the same N."""
    import random

    from PIL import Image, ImageDraw, ImageFont

    words = "the boiler pressure should read between one and two bar when cold".split()
    font, pick = ImageFont.load_default(size=28), random.Random(3)
    images = []
    for _ in range(pages):
        image = Image.new("RGB", (1654, 2339), "white")
        draw = ImageDraw.Draw(image)
        for line in range(40):
            text = " ".join(pick.choice(words) for _ in range(pick.randint(3, 14)))
            draw.text((120, 120 + 52 * line), text, "black", font=font)
        images.append(image)
    images[0].save(path, "PDF", resolution=200, save_all=True, append_images=images[1:])


def read_long_scan(pages: int) -> None:
    """A synthetic scan of `pages` pages through the sandbox, with docqa's default limits."""
    import tempfile

    from load_test import status_mib

    from app.ingest.sandbox import ExtractionSandbox
    from app.settings import Settings

    settings = Settings.from_env()
    with tempfile.TemporaryDirectory() as folder, ExtractionSandbox.for_settings(settings) as box:
        scan = Path(folder) / "scan.pdf"
        write_scan(scan, pages)
        started = time.perf_counter()
        try:
            read = box.extract(scan)
            outcome = f"{sum(p.ocr for p in read)} of {pages} pages read by OCR"
        except Exception as exc:  # the outcome is what is measured
            outcome = f"refused: {exc}"
        seconds = time.perf_counter() - started
        peak = status_mib(box.worker_pid, "VmPeak") if box.worker_pid else 0.0
    print(f"{outcome} in {seconds:.0f} s; the worker's peak address space {peak:.0f} MiB "
          f"(OCR may use {settings.ocr_memory_mb} MiB)")  # fmt: skip


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{cpu}; {len(os.sched_getaffinity(0))} cores; load average {load}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=30, help="pages of the set to read")
    parser.add_argument("--dpi", type=int, default=ocr.RENDER_DPI)
    parser.add_argument("--configs", default="docqa", help="comma-separated names, or all")
    parser.add_argument("--max-seconds", type=float, default=900, help="stop after this long")
    parser.add_argument("--scan-pages", type=int, help="read a synthetic scan of N pages instead")
    args = parser.parse_args()
    if args.scan_pages:
        print(f"machine before: {machine()}")
        read_long_scan(args.scan_pages)
        print(f"machine after: {machine()}")
        return
    if not PDFS.is_dir():
        sys.exit(f"{PDFS} is not there: this benchmark reads the team's shared PDFs")
    names = list(CONFIGS) if args.configs == "all" else args.configs.split(",")
    print(f"machine before: {machine()}")
    pages = load_pages(args.dpi, args.pages)
    deadline = time.monotonic() + args.max_seconds
    print(f"{len(pages)} pages at {args.dpi} dpi\n")
    print("| setting | pages | CER | pages/s | CPU s/page | worst pages (CER) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in names:
        result = run(name, CONFIGS[name], pages, deadline)
        worst = "; ".join(f"{where} {cer:.1%}" for cer, where in result["worst"])
        print(
            f"| {name} | {result['pages']} | {result['cer']:.2%} | "
            f"{result['pages_per_s']:.2f} | {result['cpu_per_page']:.1f} | {worst} |",
            flush=True,
        )
    print(f"\nmachine after: {machine()}")


if __name__ == "__main__":
    main()
