"""Answers from table rows: the cell in the column the question names, in the row it names.

Tables, from spreadsheets and documents alike, reach the reader as rows of named cells,
"| Team: Maple Leafs | Cups: 13 |" (app.ingest.formats.headers). The reader, trained on prose,
reads such rows poorly: on real spreadsheets it marked a header word ("millions", "Sales") for
most questions, and was sure of it (BENCHMARKS.md, "Questions about spreadsheets"). The
question usually names a row by its values ("Zone EUR", "Maple Leafs") and a column by its
header ("sales", "Stanley Cups"), so the cell where the two meet is found by the question's
words alone.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from app.answer.asking import (
    ASKING,
    COMPOUND,
    asked_labels,
    asks_for_time,
    asks_why,
    holds_time,
    implied_by,
    label_forms,
    label_holds,
)
from app.answer.bounds import which_nouns
from app.answer.cells import in_table_row, row_at, rows
from app.answer.dates import date_words
from app.answer.file_names import kind_words, record_words
from app.answer.label_lines import (
    LABEL_LINE,
    Cell,
    label_lines,
    line_around,
    record_around,
)
from app.answer.overlap import found_in
from app.answer.retrieval import content_words
from app.answer.stems import stem
from app.records import Passage

# A cell scores by how much of the question's information its row's values, its column's
# header and the row's other headers (what the table is about: "January-June 2023") hold
# together, then by how much of its header the question holds ("Sales" before "January-June
# 2023 Depreciation and amortization" for "sales of Zone EUR in January-June 2023"), then by
# how much of the row's naming cells it holds ("Operating profit" before "Trading operating
# profit as per Note 3.1" for "the operating profit"). A cell whose value the question holds
# names the row ("ORD" in "what does the abbreviation ORD stand for?"): never the answer.
HEADER_PRECISION = 0.5
HEADER_RECALL = 0.1  # of two headers the question holds whole, the one naming more of it
ROW_PRECISION = 0.25
# A row named by a value under a header the question also holds ("10 hour" of "| Hours: 10 |")
# is named surer than one that holds the value elsewhere (the "£10" of "| Saving: £10 |").
HEADED_VALUE = 0.1
# The words after a question's first "of" or "for" describe the row, not the column asked for
# ("price of the 10 hour package": `_names_kind`).
_OF_WHAT = re.compile(r"\b(?:of|for)\b(.*)", re.I | re.S)
# A label named by its question word alone, in a record that holds the question's words, scores
# below every label its words name (`_named_by_record`).
RECORD_LABEL_SCORE = 0.1
# A cell that only says it has no value ("n/a", "-", "TBC") answers only where the question names
# its row better than a row with a value: "What upload speed should I be getting?" of an average
# speed of "74Mbps" and a minimum guaranteed speed of "n/a" is "74Mbps".
PLACEHOLDER_PENALTY = ROW_PRECISION
_PLACEHOLDER = re.compile(
    r"(?i)n/?a|[-–—?]+|none|nil|tb[acd]|not applicable|not known|unknown|to be confirmed"
)
# A word that names the document (its file name, its title) names its labels less: "invoice" of
# "When is the invoice due?" names "Due date" before "Invoice date" (file_names.record_words).
RECORD_WEIGHT = 0.5
# Question words as typed, not as written, that ask nothing more: "whats", "who's" ("s")
SPOKEN_ASKING = frozenset({"whats", "whos", "wheres", "whens", "hows", "s"})
# A label line's record is the lines around it (an e-mail's subject, its other header lines):
# the question's words are looked for this far either side, as around a span of prose.
LABEL_CONTEXT_CHARS = 200


def cell_overlap(text: str, cell: Cell, idf: dict[str, float], also: str = "") -> float:
    """Share of the question's information (IDF mass) that `cell`'s row values and its header
    hold, or `also` (what the document's kind is called, `file_names.kind_words`): what stands
    around a cell is its row and its column, where the text beside it is other rows; around a
    label's line, the lines of its record. For the confidence, as
    `app.answer.overlap.overlap` is for a span in prose."""
    if not idf:
        return 0.0
    start, end, row = row_at(text, cell.start)
    values = " ".join(c.value for c in row)
    if not row:
        values = text[max(0, start - LABEL_CONTEXT_CHARS) : end + LABEL_CONTEXT_CHARS]
    asked = set(found_in(idf, f"{also}\n{values}")) | set(label_holds(idf, cell.header))
    asked |= set(date_words(idf, values))
    return sum(idf[word] for word in asked) / sum(idf.values())


def overlap_at(text: str, at: int, idf: dict[str, float], also: str = "") -> float:
    """`cell_overlap` of the cell of a table row that holds offset `at` of `text`; 0 off a row."""
    start, _, row = row_at(text, at)
    held = [cell for cell in row if start + cell.start <= at]
    if not held:
        return 0.0
    return cell_overlap(text, replace(held[-1], start=start + held[-1].start), idf, also)


def in_named_row(text: str, at: int, idf: dict[str, float]) -> Cell | None:
    """The cell of the reader's column (the cell holding offset `at` of `text`) in the row of
    its table that holds more of the question in its other cells than the reader's row does,
    or None: the reader marked the Saturday row's "9am – 8pm" for "what time does gritstone
    shut on a sunday", whose words name no column ("Open") for `best_cell` to find, but name
    the row "| Day: Sunday | Open: 9am – 6pm |". Offsets are the text's."""
    start, _, row = row_at(text, at)
    column = next((n for n, c in enumerate(row) if start + c.end >= at), None)
    if column is None or not row[column].header:
        return None
    headers = [c.header for c in row]
    best, most = None, _row_naming(row, column, idf)
    at = _table_start(text, start)
    while at < len(text) and in_table_row(text, at):
        line_start, line_end, line = row_at(text, at)
        held = _row_naming(line, column, idf)
        cell = line[column] if [c.header for c in line] == headers else None
        if line_start != start and cell is not None and cell.value and held > most:
            best = replace(cell, start=line_start + cell.start, end=line_start + cell.end)
            most = held
        at = line_end + 1
    return best


def _table_start(text: str, at: int) -> int:
    """The offset of the first row of the table whose row starts at `at` of `text`."""
    while at > 0 and in_table_row(text, at - 1):
        at = line_around(text, at - 1)[0]
    return at


def _row_naming(row: list[Cell], column: int, idf: dict[str, float]) -> float:
    """The question's information (IDF mass) the values of `row`'s cells but `column` hold."""
    values = " ".join(c.value for n, c in enumerate(row) if n != column)
    return sum(idf[word] for word in found_in(idf, values))


def best_cell(
    passages: list[Passage], idf: dict[str, float], question: str = ""
) -> tuple[int, Cell] | None:
    """(passage position, cell) of the cell the question names best (see HEADER_PRECISION),
    in a table row or a label's line; of cells named alike, the one whose row or record holds
    more of the question (`cell_overlap`: "the offsite email"'s Cc, not another e-mail's),
    then the best-ranked passage's. None when no row's values and header name any."""
    best: tuple[float, float, int, Cell] | None = None
    asked = asked_labels(question)
    implied = implied_by(question)
    asks_when = asks_for_time(question)
    asks_reason = asks_why(question)
    which = which_nouns(question)
    described = _OF_WHAT.search(question)
    of = frozenset(stem(w) for w in content_words(described.group(1))) if described else frozenset()
    for position, passage in enumerate(passages):
        kind = kind_words(passage)
        labels = _Labels(asked, implied, record_words(passage), which, of)
        for cells in itertools.chain(rows(passage.text), label_lines(passage.text)):
            for score, cell in _scored(cells, idf, labels):
                if score <= 0 and _named_by_record(passage.text, cell, idf, implied):
                    score = RECORD_LABEL_SCORE
                if score > 0 and _PLACEHOLDER.fullmatch(cell.value.strip(" .")):
                    score -= PLACEHOLDER_PENALTY
                if score <= 0 or (best is not None and score < best[0]):
                    continue
                if asks_when and not holds_time(cell.value):
                    continue  # "Installer: Gareth Pryce" for "When was the installation done?"
                if asks_reason and not _held_by(_header_words(cell.header), implied):
                    continue  # "Reading: 01301" for "Why was my meter reading estimated?"
                held = cell_overlap(passage.text, cell, idf, kind)
                if best is None or (score, held) > best[:2]:
                    best = (score, held, position, cell)
    if best is None or (best[3].too_long and not _held_by(_header_words(best[3].header), implied)):
        return None  # a long value is left to the reader, unless its label is what is asked
    return best[2], best[3]


def _named_by_record(text: str, cell: Cell, idf: dict[str, float], implied: frozenset[str]) -> bool:
    """Whether a label's line answers by its label alone: the label holds a word the question
    word asks for ("Location" for "where"), and its record (`label_lines.record_around`) holds
    every other word of the question: "Where is swimming?" of "Swimming lesson" above
    "Location: Hollybank Leisure Centre"."""
    if not implied or not _held_by(_header_words(cell.header), implied):
        return False
    if not LABEL_LINE.fullmatch(text, *line_around(text, cell.start)):
        return False
    words = {word: weight for word, weight in idf.items() if stem(word) not in implied}
    return bool(words) and len(
        found_in(words, text[slice(*record_around(text, cell.start))])
    ) == len(words)


@dataclass(frozen=True)
class _Labels:
    """What names a label for one question in one passage: the e-mail header labels it asks
    for (`asked_labels`), the label words its question word asks for (`asking.implied_by`), and
    the stems of the words that name the passage's document (`file_names.record_words`),
    those of the nouns it asks which or what of ("which package") and those after its first
    "of" or "for" ("the 10 hour package" of "price of the 10 hour package")."""

    asked: dict[str, str]
    implied: frozenset[str] = frozenset()
    record: frozenset[str] = frozenset()
    which: frozenset[str] = frozenset()
    of: frozenset[str] = frozenset()


def _scored(
    cells: list[Cell], idf: dict[str, float], labels: _Labels | None = None
) -> Iterator[tuple[float, Cell]]:
    """Each cell of a row with its score. A row of a label and its value ("| Sponsor | Helen
    Brooks |", from a table whose rows are not named, app.ingest.formats.headers) is named by
    its label alone (or by the question's words that ask for it, `asked_labels`), so it
    scores below a cell whose row the question also names. A word that names the document
    names no label of it: "invoice" of "When is the invoice due?" names "Due date", not
    "Invoice date", though it counts RECORD_WEIGHT of a word: "service" of "When is the next
    service due?" names "Next service due" before "MOT due" in `car-service-report.txt`."""
    if len(cells) == 2 and not any(c.header for c in cells):
        labels = labels or _Labels({})
        label, value = cells
        asking = labels.asked.get(label.value.lower())
        header = label.value if asking is None else f"{label.value} {asking}"
        cell = replace(value, header=header)
        if _names_row(cell, idf):
            yield 0.0, cell
        elif asking is not None:
            yield HEADER_PRECISION, cell
        else:  # words that asked for another label do not name this one ("Sent" for "who sent")
            unasked = {w: v for w, v in idf.items() if not (labels.asked and ASKING.fullmatch(w))}
            field = _without(header, labels.record) or header
            words = {w: v for w, v in unasked.items() if stem(w) not in labels.record} or unasked
            whole = bool(words) and len(label_holds(words, field)) == len(words)
            weighed = {
                w: v * (RECORD_WEIGHT if w not in words else 1.0) for w, v in unasked.items()
            }
            yield _header_score(cell, weighed, labels.implied), replace(cell, named_whole=whole)
        return
    values = " ".join(c.value for c in cells)
    found = [*found_in(idf, values), *date_words(idf, values), *_ordinals(idf, values)]
    named = list(dict.fromkeys(found))
    if not named or not any(c.header for c in cells):
        return
    rest = {word: idf[word] for word in idf if word not in named}
    table = label_holds(rest, " ".join(c.header for c in cells))
    row = sum(idf[w] for w in [*named, *table]) / sum(idf.values())
    row += ROW_PRECISION * _row_precision(cells, idf, named)
    row += HEADED_VALUE * any(
        found_in(named, c.value) and label_holds(rest, c.header) for c in cells
    )
    labels = labels or _Labels({})
    scored = []
    for n, cell in enumerate(cells):
        named_kind = n == 0 and len(cells) > 2 and _names_kind(cell, rest, labels)
        if named_kind or _names_row(cell, idf):
            header = 0.0
        else:  # "adult swim" of "| Swim (Adult Only) | Adult: £5.20 |": "adult" names both
            headed = {w: idf[w] for w in label_holds({w: idf[w] for w in named}, cell.header)}
            header = _header_score(cell, {**rest, **headed}, labels.implied, True)
        scored.append((row + header if header > 0 else 0.0, cell))
    if len(cells) == 2 and not any(score for score, _ in scored):
        scored += _key_and_value(cells, idf)
    yield from scored


def _key_and_value(cells: list[Cell], idf: dict[str, float]) -> list[tuple[float, Cell]]:
    """A two-column table of keys and values under headers that name no key ("| Item: WiFi
    password | Details: HeatherMoss2024! |"): a question that names a key and asks nothing
    more ("whats the wifi password") gets its value, as a label's line answers, below a cell
    whose column the question also names."""
    for key, value in (cells, cells[::-1]):
        held = found_in(idf, key.value)
        unnamed = [w for w in idf if w not in held]
        if not set(unnamed) - SPOKEN_ASKING and _names_row(key, idf) and not _names_row(value, idf):
            return [(HEADER_PRECISION, replace(value, header=key.value))]
    return []


_ORDINALS = {
    word: n
    for n, word in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth".split(), start=1
    )
}


def _ordinals(words: Iterable[str], values: str) -> list[str]:
    """Those of the question's `words` that are ordinals naming a number of a row's `values`:
    "second" of "| Instalment: 2 (Spring term) |"."""
    return [
        word
        for word in words
        if word in _ORDINALS
        and re.search(rf"(?<![\w.,£$€]){_ORDINALS[word]}(?:st|nd|rd|th)?(?![\w.,%])", values)
    ]


def _names_kind(cell: Cell, rest: dict[str, float], labels: _Labels) -> bool:
    """Whether the question names the header of a row's first column (what each row is: a
    "Package", a "Lesson", in a row of three cells or more) as the kind of row it asks about,
    not as the column it asks for: after its "of" or "for" ("price of the 10 hour package"), or
    beside a question word that asks for another label ("how much was the mock exam lesson"
    asks for a price); not "which package has 20 hours", nor "christmas week collection
    date"."""
    held = {stem(word) for word in label_holds(rest, cell.header)}
    if not held or held & (labels.which | labels.implied):
        return False
    return held <= labels.of or bool(labels.implied)


def _row_precision(cells: list[Cell], idf: dict[str, float], named: list[str]) -> float:
    """The share of the words of the row's naming cells (those holding `named`) the question
    holds."""
    naming = [w for c in cells if found_in(named, c.value) for w in _words(c.value)]
    return len(found_in(naming, " ".join(idf))) / max(1, len(naming))


def _names_row(cell: Cell, idf: dict[str, float]) -> bool:
    """Whether the question holds at least half of `cell`'s value words: then the value is
    what the question asks about ("ORD", "Maple Leafs"), not what it asks for."""
    words = _words(cell.value)
    held = bool(words) and 2 * len(found_in(words, " ".join(idf))) >= len(words)
    # "4 march" names "04/03/2025", "second" names "2 (Spring term)"
    return held or bool(date_words(idf, cell.value)) or bool(_ordinals(idf, cell.value))


def _header_score(
    cell: Cell,
    rest: dict[str, float],
    implied: frozenset[str] = frozenset(),
    implied_alone: bool = False,
) -> float:
    """HEADER_PRECISION times the share of `cell`'s header words the question holds (or its
    question word asks for, `implied`), plus HEADER_RECALL times the share of the question's
    information (`rest`: what the row's values do not hold) the header holds; 0 when it holds
    none of `rest`, unless `implied_alone` and it holds a word the question word asks for: a
    table row the question names whole answers "Where is the transport workshop?" with its
    "Room" cell."""
    header_words = _header_words(cell.header)
    asked = label_holds(rest, cell.header) if header_words and cell.value.strip() else []
    alone = implied_alone and bool(cell.value.strip()) and bool(_held_by(header_words, implied))
    if not asked and not alone:
        return 0.0
    precision = len(_held_by(header_words, {stem(word) for word in rest} | implied))
    recall = sum(rest[w] for w in asked) / sum(rest.values()) if asked else 0.0
    return HEADER_PRECISION * precision / len(header_words) + HEADER_RECALL * recall


def _held_by(header_words: list[str], stems: Iterable[str]) -> list[str]:
    """Those of `header_words` one of whose `label_forms` is among `stems`."""
    return [word for word in header_words if label_forms(word) & set(stems)]


def _without(text: str, stems: frozenset[str]) -> str:
    """`text`'s words whose stems are not in `stems`."""
    return " ".join(w for w in COMPOUND.findall(text) if stem(w.lower()) not in stems)


def _words(text: str) -> list[str]:
    """The content words of `text`, without one-letter marks such as "(a)"."""
    return [w for w in content_words(text) if len(w) > 1]


def _header_words(header: str) -> list[str]:
    """`_words` of a header, a compound ("Check-out") one word, held by a question that holds
    one of its `label_forms`."""
    return [w for w in dict.fromkeys(COMPOUND.findall(header.lower())) if _words(w)]
