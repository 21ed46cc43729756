"""Public evaluation sets from ../shared/eval, laid out as folders of files and indexed by docqa.

The evaluations go through the same `ingest` a user runs: each BEIR document or SQuAD paragraph
becomes one `.txt` file, so the measured pipeline is the shipped one. Built indexes are cached
under --cache and reused (ingest is incremental, so a second run costs seconds).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import platform
import random
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from app.ingest.pipeline import ingest
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED_EVAL = ROOT.parent / "shared" / "eval"
DEFAULT_CACHE = Path("/tmp/docqa-eval")


@dataclass
class BeirSet:
    name: str
    docs: dict[str, str]  # doc id -> "title\n\ntext"
    queries: dict[str, str]  # test query id -> text
    qrels: dict[str, dict[str, int]] = field(default_factory=dict)  # query -> doc -> grade


@dataclass(frozen=True)
class SquadQuestion:
    id: str
    question: str
    answers: list[str]
    paragraph: str  # file name (without folder) of the paragraph holding the answer
    article: str


def require_shared() -> Path:
    if not SHARED_EVAL.is_dir():
        raise SystemExit(f"{SHARED_EVAL} is missing: the evaluation data lives beside the checkout")
    return SHARED_EVAL


def load_beir(name: str) -> BeirSet:
    base = require_shared()
    if name == "scifact":
        folder = base / "beir-scifact"
        with gzip.open(folder / "derived" / "corpus.jsonl.gz", "rt", encoding="utf-8") as handle:
            corpus_lines = handle.read().splitlines()
        queries_text = (folder / "beir-original/scifact/queries.jsonl").read_text()
        qrels_text = (folder / "beir-original/scifact/qrels/test.tsv").read_text()
    elif name == "nfcorpus":
        with zipfile.ZipFile(base / "beir-nfcorpus" / "nfcorpus.zip") as archive:
            corpus_lines = archive.read("corpus/human.jsonl").decode().splitlines()
            queries_text = archive.read("queries.jsonl").decode()
            qrels_text = archive.read("qrels/test.tsv").decode()
    else:
        raise ValueError(f"unknown BEIR set {name}")
    docs = {}
    for line in corpus_lines:
        doc = json.loads(line)
        docs[doc["_id"]] = f"{doc.get('title', '')}\n\n{doc['text']}".strip()
    qrels: dict[str, dict[str, int]] = {}
    for row in csv.DictReader(io.StringIO(qrels_text), delimiter="\t"):
        if int(row["score"]) > 0:
            qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    all_queries = {q["_id"]: q["text"] for q in map(json.loads, queries_text.splitlines())}
    queries = {qid: all_queries[qid] for qid in qrels}
    return BeirSet(name, docs, queries, qrels)


def load_squad() -> tuple[dict[str, str], list[SquadQuestion]]:
    """(paragraph file name -> text, questions) for all SQuAD v1.1 dev paragraphs."""
    path = require_shared() / "squad-v1.1-dev" / "dev-v1.1.json.zip"
    with zipfile.ZipFile(path) as archive:
        data = json.loads(archive.read("dev-v1.1.json"))["data"]
    paragraphs: dict[str, str] = {}
    questions: list[SquadQuestion] = []
    for a, article in enumerate(data):
        for p, paragraph in enumerate(article["paragraphs"]):
            name = f"{a:02d}-{p:03d}.txt"
            paragraphs[name] = paragraph["context"]
            for qa in paragraph["qas"]:
                answers = sorted({ans["text"] for ans in qa["answers"]})
                questions.append(
                    SquadQuestion(qa["id"], qa["question"], answers, name, article["title"])
                )
    return paragraphs, questions


def sample(items: list, size: int, seed: int = 2026) -> list:
    return random.Random(seed).sample(items, min(size, len(items)))


def build_index(name: str, docs: dict[str, str], cache: Path, **settings_overrides) -> Settings:
    """Write `docs` as files under cache/name/corpus and ingest them into cache/name/index-<cfg>."""
    corpus = cache / name / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    existing = {p.name for p in corpus.iterdir()}
    for doc_id, text in docs.items():
        file_name = doc_id if doc_id.endswith(".txt") else f"{doc_id}.txt"
        if file_name not in existing:
            (corpus / file_name).write_text(text, encoding="utf-8")
    backend = settings_overrides.pop("backend", None) or Settings.from_env().backend
    tag = "".join(f"-{k}{v}" for k, v in sorted(settings_overrides.items()))
    index = cache / name / f"index-{backend}{tag}"
    settings = Settings.from_env(corpus=corpus, index=index, backend=backend, **settings_overrides)
    report = ingest(settings, progress=True)
    if report.published:
        print(f"indexed {name}: {report.chunks_total} chunks in {report.seconds:.0f} s")
    return settings


def doc_id_of(source: str) -> str:
    return source.removesuffix(".txt")


def machine() -> str:
    """The CPU (model, and the flags docqa's runtime choice reads), cores and Python."""
    import os

    from app.models.cpu import this_cpu

    cpu = this_cpu()
    shown = ("amx_bf16", "amx_tile", "avx512_bf16", "avx512_vnni", "avx512f", "avx2")
    flags = [f for f in shown if f in cpu.flags]
    return (
        f"{cpu.model} ({platform.machine()}; {' '.join(flags) or 'no AVX2'}), "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )


def write_table_pdf(
    path: Path, parts: list, ruled: bool = True, font: Path | None = None, justify: bool = False
) -> None:
    """A real PDF of paragraphs (strings) and tables (lists of rows), written with fpdf2: a
    ruled table as its `table` draws one, its cells' text left-aligned (as Word and LibreOffice
    set it) or justified (fpdf2's own default; in a TrueType font it stretches the gaps between
    words and types no spaces), or unruled columns with numbers right-aligned, as many reports
    print them.
    `font` is a TrueType file (with a "-Bold" twin beside it, for header rows) where the text
    needs more than Latin-1 ("€")."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    family = "helvetica"
    if font is not None:
        family = "body"
        pdf.add_font(family, fname=str(font))
        pdf.add_font(family, style="B", fname=str(font.with_stem(font.stem + "-Bold")))
    pdf.set_font(family, size=11)
    for part in parts:
        if isinstance(part, str):
            pdf.multi_cell(0, 6, part, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
            continue
        if ruled:
            with pdf.table(text_align="JUSTIFY" if justify else "LEFT") as table:
                for cells in part:
                    row = table.row()
                    for cell in cells:
                        row.cell(cell)
        else:
            width = (pdf.w - 2 * pdf.l_margin) / len(part[0])
            for cells in part:
                for cell in cells:
                    pdf.cell(width, 6, cell, align="R" if cell[:1].isdigit() else "L")
                pdf.ln(6)
        pdf.ln(4)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
