"""What docqa's reader reads when asked scripts/kinds' questions, labelled with their answers, for
training the reader.

SQuAD is Wikipedia prose read whole; the made-up forms of forms_data.py are short and regular.
The questions of scripts/kinds are what people ask of the documents they keep, written by
helpers who had not seen docqa's code, and the reader reads them as docqa hands them over:
retrieved chunks cut to their `focus`, after every rule that trims or rewrites a question
(`app/answer/asker.py`). These examples are exactly those inputs. A passage holds the answer
where the expected text lies in it, matched the way SQuAD's normalisation matches (`locate`);
every place it lies is a gold span. A passage read for a question the documents do not answer,
or one that lacks the answer when another passage read for the question holds it, is a "no
answer" example. A question whose expected text lies in no passage read (retrieval missed it,
or the documents word it differently) gives no example: its passages might answer it in other
words.

Only TRAINING_SETS are used. The other sets of scripts/kinds/questions.json (held out 17 and
after) stay unseen, so scripts/eval_kinds.py still measures the reader on documents it was not
trained on.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from reader_data import Example
from squad_metric import normalize_with_offsets

KINDS = Path(__file__).resolve().parent / "kinds"
TRAINING_SETS = (
    "design", "held out", "held out 2", "held out 3", "held out 4", "held out 5", "held out 6",
    "held out 7", "held out 8", "held out 9", "held out 10", "held out 11", "held out 12",
    "held out 13", "held out 14", "held out 15", "held out 16", "handbook",
    "train 1", "train 2", "train 3", "train 4", "train 5", "train 6",
)  # fmt: skip
NEGATIVES_PER_QUESTION = 1


@dataclass(frozen=True)
class Asked:
    """One kinds question, its expected answer (None: not answered by the documents) and every
    (question, passage) its reader read."""

    set_name: str
    question: str
    expected: str | None
    reads: tuple[tuple[str, str], ...]


def locate(text: str, expected: str) -> list[tuple[int, int]]:
    """Every (start, end) of `text` that normalises to `expected`'s normalisation, not inside a
    longer word or number ("25" is not found in "250")."""
    wanted, _ = normalize_with_offsets(expected)
    if not wanted:
        return []
    have, where = normalize_with_offsets(text)
    found = []
    for match in re.finditer(re.escape(wanted), have):
        a, b = match.start(), match.end()
        if a > 0 and have[a - 1].isalnum() and wanted[0].isalnum():
            continue
        if b < len(have) and have[b].isalnum() and wanted[-1].isalnum():
            continue
        found.append((where[a], where[b - 1] + 1))
    return found


def examples_of(
    asked: list[Asked], rng: random.Random, negatives: int = NEGATIVES_PER_QUESTION
) -> list[Example]:
    """Training examples from what the reader read: every passage holding the answer, and at
    most `negatives` passages per question that do not, drawn at random."""
    examples: list[Example] = []
    for n, item in enumerate(asked):
        spans = {read: locate(read[1], item.expected or "") for read in item.reads}
        if item.expected and not any(spans.values()):
            continue
        empty = [read for read, found in spans.items() if not found]
        for k, read in enumerate(rng.sample(empty, min(negatives, len(empty)))):
            examples.append(Example(f"kinds-{n}-n{k}", read[0], read[1], (), (), 0))
        for k, (read, found) in enumerate((r, f) for r, f in spans.items() if f):
            answers = tuple(read[1][a:b] for a, b in found)
            starts = tuple(a for a, _ in found)
            examples.append(Example(f"kinds-{n}-p{k}", read[0], read[1], answers, starts, 0))
    return examples


def reads_of(
    workdir: Path, sets: tuple[str, ...] = TRAINING_SETS, reader_dir: Path | None = None
) -> list[Asked]:
    """Ask each question of `sets` of docqa, with each set's documents indexed in `workdir` (an
    index already there is used as it is), recording what the reader reads: the reader in
    `reader_dir`, else the shipped one."""
    from eval_kinds import write_documents

    from app.engine import Engine
    from app.ingest.pipeline import ingest
    from app.models import reader as reader_module
    from app.settings import Settings

    qa_reader = reader_module.load_reader(reader_dir) if reader_dir else None

    recorded: list[tuple[str, str]] = []
    original = reader_module.SpanReader.read

    def recording(self, question: str, passages: list[str], top_n: int = 5):
        recorded.extend((question, passage) for passage in passages)
        return original(self, question, passages, top_n)

    wanted = json.loads((KINDS / "questions.json").read_text())
    asked: list[Asked] = []
    reader_module.SpanReader.read = recording
    try:
        for name in sets:
            slug = name.replace(" ", "-")
            folder, index = workdir / f"documents-{slug}", workdir / f"index-{slug}"
            if not index.exists():
                if not folder.exists() and not write_documents(folder, wanted[name]["documents"]):
                    continue  # a set of ../shared/eval's documents, without ../shared
                ingest(Settings.from_env(corpus=folder, index=index))
            engine = Engine(Settings.from_env(corpus=folder, index=index))
            if qa_reader is not None:
                engine.qa_reader = qa_reader
            for question, expected in wanted[name]["questions"]:
                recorded.clear()
                engine.ask(question)
                reads = tuple(dict.fromkeys(recorded))
                asked.append(Asked(name, question, expected, reads))
    finally:
        reader_module.SpanReader.read = original
    return asked
