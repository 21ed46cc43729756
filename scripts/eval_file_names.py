"""Questions that name a document by its file name: is that file's passage found first?

    .venv/bin/python scripts/eval_file_names.py [--workdir /tmp/docqa-eval-names]

The corpus is `../shared/eval/office-docs/` (public test documents of Unstructured-IO, many
formats; see its SOURCE.md), indexed by docqa's own ingest. NAMING questions ask about a file
the way a user does, by what its name says ("the Teams chat" for `teams_chat.docx`), and count
as right when that file's passage is first, or among the five the reader reads; OTHER questions
name no file, and count as right when their answer's file is there, so they show what the
named-file ranking costs where file names hold a question's words by chance. Each question
runs with the named-file ranking (`app/answer/file_names.py`) and without it (NAMED_WEIGHT 0),
in one run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata

from app.answer import retrieval
from app.engine import Engine
from app.ingest.pipeline import ingest
from app.settings import Settings

READ = 5  # passages the reader reads (app.answer.answering.PASSAGES_READ)
# (question, the files whose passage is the right first one); written before any was run
NAMING = [
    ("Who saved the Teams chat?", {"teams_chat.docx"}),
    ("What is in the family day email?", {"eml/family-day.eml"}),
    ("What does the winter sports book cover?", {"winter-sports.epub"}),
    ("What is the sample presentation about?", {"sample-presentation.pptx"}),
    ("What does the science exploration slide say?", {"science-exploration-1p.pptx"}),
    ("What is in the page breaks document?", {"page-breaks.docx"}),
    ("What does the Vodafone workbook list?", {"vodafone.xlsx"}),
    ("What is in the emoji spreadsheet?", {"emoji.xlsx"}),
    ("Which items are in the example list document?", {"example-list-items-multiple.docx"}),
    ("What does the document that contains pictures say?", {"contains-pictures.docx"}),
    ("What is in the nested group shapes deck?", {"group-shapes-nested.pptx"}),
    ("What does the hyperlink metadata document say?", {"hlink-meta.docx"}),
    ("What is the single column CSV about?", {"single-column.csv"}),
    ("What does the fake email with an attachment say?",
     {"eml/fake-email-attachment.eml", "fake-email-attachment.msg"}),
]  # fmt: skip
OTHER = [
    ("How many Stanley Cups have the Maple Leafs won?",
     {"stanley-cups.csv", "stanley-cups.tsv", "stanley-cups.xlsx", "stanley-cups-utf-16.csv",
      "stanley-cups-with-emoji.csv", "stanley-cups-with-emoji.tsv"}),
    ("What activities are planned for family day?", {"eml/family-day.eml"}),
    ("Who appoints the standing trustees?",
     {"handbook-1p.docx", "handbook-872p.docx", "handbook-1p-no-rendered-page-breaks.docx"}),
    ("What were the sales of Zone EUR in January-June 2023?",
     {"2023-half-year-analyses-by-segment.xlsx"}),
    ("What is the purpose of the chapter 13 handbook?",
     {"handbook-1p.docx", "handbook-872p.docx", "handbook-1p-no-rendered-page-breaks.docx"}),
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/docqa-eval-names"))
    args = parser.parse_args()
    corpus = evaldata.require_shared() / "office-docs"
    settings = Settings.from_env(corpus=corpus, index=args.workdir / "index")
    report = ingest(settings)  # reads the corpus only; the index lives in --workdir
    engine = Engine(settings)
    print(f"machine: {evaldata.machine()}; {report.chunks_total} chunks\n")
    print("| set | question | first passage, without | first passage, with | among the first 5, "
          "without / with |\n| --- | --- | --- | --- | --- |")  # fmt: skip
    weight, right = retrieval.NAMED_WEIGHT, {}
    for name, questions in (("naming", NAMING), ("other", OTHER)):
        for question, wanted in questions:
            firsts, within = [], []
            for ranking in ("without", "with"):
                retrieval.NAMED_WEIGHT = 0.0 if ranking == "without" else weight
                found = [p.source for p in engine.search(question, READ)]
                for measure, hit in (
                    ("first", found[0] in wanted),
                    (f"among the first {READ}", bool(wanted & set(found))),
                ):
                    key = (name, measure, ranking)
                    right[key] = right.get(key, 0) + hit
                firsts.append(f"{found[0]} ({'right' if found[0] in wanted else 'wrong'})")
                within.append("yes" if wanted & set(found) else "no")
            print(f"| {name} | {question} | {firsts[0]} | {firsts[1]} | {' / '.join(within)} |")
    print()
    for (name, measure, ranking), hits in right.items():
        total = len(NAMING if name == "naming" else OTHER)
        print(f"{name}, {measure}, {ranking} the named-file ranking: {hits} of {total} right")


if __name__ == "__main__":
    main()
