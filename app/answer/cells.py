"""Where a table row's or a label's cell starts and ends: table rows as docqa's extractors write
them ("| Team: Maple Leafs | Cups: 13 |", app.ingest.formats.layout), the value of one cell or
label a span stays within, and the line that states it. app.answer.tables finds the cell a
question names; this module reads the text around it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.answer.asking import asks_for_time
from app.answer.label_lines import LABEL_LINE, Cell, fields, line_around
from app.answer.overlap import found_in
from app.answer.words import content_words

_ROW = re.compile(r"^\| .*\|$", re.MULTILINE)  # a table row as app.ingest.formats.layout writes it
_ROW_START = re.compile(r"^\| ", re.MULTILINE)
_NAMED = ": "  # between a cell's column header and its value
_LETTER = re.compile(r"[^\W\d_]")


def in_table_row(text: str, at: int) -> bool:
    """Whether offset `at` of `text` lies on a line that is a table row."""
    start, end = line_around(text, at)
    return bool(_ROW.fullmatch(text[start:end]))


def in_header_row(text: str, at: int) -> bool:
    """Whether offset `at` of `text` lies in a table's header row: one whose values name the
    cells of the row below it ("| Office | Staff |" above "| Office: Leeds | Staff: 41 |").
    A header is never an answer, though the reader, trained on prose, often marks one."""
    _, end, here = row_at(text, at)
    if not here or any(c.header for c in here) or end >= len(text):
        return False
    headers = [c.header for c in row_at(text, end + 1)[2] if c.header]
    return bool(headers) and set(headers) <= {c.value for c in here}


def within_cell(text: str, start: int, end: int) -> tuple[int, int]:
    """The span `start`-`end` of `text`, when it starts in a table row, cut to the value of the
    cell it starts in or before: "NW-2291-B", not "NW-2291-B |\n| Support phone", "Owner: Priya
    Raman" or "| Helen Brooks"; and all of that value when what the span leaves of it holds no
    letter (the reader's tokens split "+44" and "2024-06-01"). A span that starts outside a
    table ends before the table's first row ("Headcount by office", not "Headcount by
    office\n\n| Office | Staff"). One that starts in a label's value ends with its line when
    the next line is a label's too: "TP 1357, TAP Air Portugal", not that and "Depart: London
    Heathrow (LHR), ..." below it; and with its field when another follows on the line:
    "OCF2025-Guest", not "OCF2025-Guest, password"."""
    line_start, line_end, cells = row_at(text, start)
    line = text[line_start:line_end]
    at, until = start - line_start, end - line_start
    cell = next((c for c in cells if c.end > at), None)
    if cell is None:
        label = LABEL_LINE.fullmatch(line)
        if label is not None and at >= label.start(2):
            for _, _, value_start, value_end in fields(label)[:-1]:
                if value_start <= at < value_end < until:  # "OCF2025-Guest", not ", password"
                    return start, line_start + value_end
            next_line = text[slice(*line_around(text, line_end + 1))]
            if end > line_end and LABEL_LINE.fullmatch(next_line):  # not prose after "Note:"
                return start, line_end
        row = _ROW_START.search(text, start + 1, end)
        return start, start + len(text[start : row.start()].rstrip()) if row else end
    at, until = max(cell.start, at), max(cell.start, min(cell.end, until))
    if until > at and not _LETTER.search(line[cell.start : at] + line[until : cell.end]):
        at, until = cell.start, cell.end  # all of "+44 20 7946 0958", "2024-06-01"
    return line_start + at, line_start + until


_ASIDE = re.compile(r"[ \t]+\([^()\n]*\)$")


def without_aside(question: str, text: str, start: int, end: int) -> tuple[int, int]:
    """The value `start`-`end` without the parenthesis that ends it, when it holds none of the
    question's words that its line does not hold before it, and the question asks no time:
    "£52.00 per year per brown bin" of "Garden waste subscription 2026: ... (renew before
    31/01/2026)" for the subscription's price in 2026, "Hamid Rosewarne" of "Hamid Rosewarne
    (GOC 01-38842)"; not "8am-8pm" of "01632 960 119 (Monday to Friday, 8am-8pm)" for when the
    claims line is open."""
    found = _ASIDE.search(text, start, end)
    if found is None or found.start() <= start or asks_for_time(question):
        return start, end
    before = text[text.rfind("\n", 0, start) + 1 : found.start()]
    words = [word for word in content_words(question) if not found_in([word], before)]
    return (start, end) if found_in(words, found.group()) else (start, found.start())


def field_line(text: str, at: int) -> tuple[int, int] | None:
    """The start and end offsets of the line of `text` that holds offset `at`, when that line
    is a table row or a label's line: what states the cell it holds ("Tuesday: Closed"), where
    a form's lines without a full stop read as one sentence."""
    start, end = line_around(text, at)
    line = text[start:end]
    if _ROW.fullmatch(line):
        return start, end
    label = LABEL_LINE.fullmatch(line)
    return (start + label.start(1), start + label.end(2)) if label else None  # not its "- "


def row_at(text: str, at: int) -> tuple[int, int, list[Cell]]:
    """The start and end offsets of the line of `text` that holds offset `at`, and its cells
    (offsets in the line); none unless the line is a table row."""
    start, end = line_around(text, at)
    return start, end, next(rows(text[start:end]), [])


def rows(text: str) -> Iterator[list[Cell]]:
    """The cells of each table row in `text`, with their headers where the row names them.
    Cells are split at "|", which a cell's own text never holds (layout.row_text)."""
    for line in _ROW.finditer(text):
        cells, at = [], line.start() + 1
        for part in line.group()[1:-1].split("|"):
            cell = part.strip()
            header, named, value = cell.partition(_NAMED)
            if not named:
                header, value = "", cell
            start = at + len(part) - len(part.lstrip()) + len(cell) - len(value)
            cells.append(Cell(header, value, start, start + len(value)))
            at += len(part) + 1
        yield cells
