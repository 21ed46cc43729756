"""Table rows -> lines whose values are named by their column headers: "| Cups: 13 |".

A table row read alone ("| Maple Leafs | TOR | 13 |") does not say what its numbers are, and
the passage a question retrieves often holds the row without the header above it. So every
row under a table's header names each value by its column ("| Team: Maple Leafs | Cups: 13 |"),
whether the table comes from a spreadsheet or from a document (app.answer.tables reads these
names to answer with the cell a question asks for).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator

from app.ingest.formats.layout import ROW, row_text
from app.ingest.formats.number_formats import Shown

HEADER_ROWS = 3  # rows a table's header may take
HEADER_WORDS = 12  # words a document table's header cell may hold
# A cell of text that is a number all the same: "12,553", "(81)", "-0.5%", "$40", "2023-06-30"
_NUMBER = re.compile(r"[-+(]?[$€£¥]?\d[\d,.' /:-]*%?\)?")
_YEAR = re.compile(r"(?:19|20)\d\d")  # a header may name its columns by years


def named_lines(rows: Iterable[tuple[int, list]]) -> Iterator[tuple[int, str]]:
    """(row number, line) for each non-empty row, its values named by their column headers.

    A table's header is the run of up to HEADER_ROWS rows of several text cells (or of a
    label and two or more years: "| In millions | 2023 | 2022 |") that starts the table or
    follows an empty or one-cell row (a title), and ends at the first row that
    holds a number or a date (empty rows may come between): each column is named by its
    header cells joined ("January-June 2023 Sales"). A sheet of several tables names each by
    its own header. A table whose first row of several cells is all text and never followed by
    such a header (a list of names) takes that first row as its header; one whose first such
    row holds numbers has none. Values are strings, or what a spreadsheet stores (numbers,
    dates), shown as text by `cell_text`.
    """
    header: list[str] | None = None  # None: no row of several cells yet
    waiting: list[tuple[int, list[str]]] = []  # rows of text cells that may be a header
    after_break = True  # at the table's start, or after an empty or one-cell row

    def flush(upto: int) -> Iterator[tuple[int, str]]:
        nonlocal header
        while len(waiting) > upto:
            number, cells = waiting.pop(0)
            if header is None:
                header = cells
                yield number, row_text(cells)
            else:
                yield number, row_text(_named(header, cells))

    for number, values in rows:
        cells = [cell_text(v) for v in values]
        filled = sum(map(bool, cells))
        if filled == 0:  # a gap: between tables, or between a header and its rows
            after_break = after_break or not waiting
        elif filled == 1:
            yield from flush(0)
            after_break = True
            yield number, row_text(cells)
        elif is_header_row(values):
            waiting.append((number, cells))
            if len(waiting) > HEADER_ROWS:
                after_break = False
                yield from flush(HEADER_ROWS)
        else:
            if waiting and after_break:
                header = _joined([cells for _, cells in waiting])
                yield from ((n, row_text(c)) for n, c in waiting)
                waiting.clear()
            yield from flush(0)
            header = [] if header is None else header
            after_break = False
            yield number, row_text(_named(header, cells))
    yield from flush(0)


def table_blocks(rows: list[list[str]]) -> list[tuple[str, str]]:
    """One document table (a Word, OpenDocument or slide table) as ROW blocks, named by its
    header unless it is a list of labelled values (`is_key_value`), whose rows name
    themselves, or its first row holds a cell of more than HEADER_WORDS words: a table that
    lays out paragraphs, not one of data."""
    first = next((row for row in rows if any(map(cell_text, row))), [])
    if is_key_value(rows) or any(len(cell_text(c).split()) > HEADER_WORDS for c in first):
        lines: Iterable[str] = (row_text(row) for row in rows)
    else:
        lines = (line for _, line in named_lines(enumerate(rows)))
    return [(ROW, line) for line in lines]


def under_header(rows: list[list[str]]) -> list[str]:
    """The lines of a table whose first row its document marks as the header (HTML's `<th>`,
    Markdown's rule under it): each row below named by it."""
    return [row_text(rows[0]), *(row_text(_named(rows[0], row)) for row in rows[1:])]


def is_key_value(rows: list[list[str]]) -> bool:
    """Whether a table of two columns is labels and their values ("| Sponsor | H. Brooks |",
    "| Phone | +44 20 7946 0958 |"), not a header over its rows: its second column holds text
    and numbers mixed, or only text. A header table's second column is numbers under a title
    ("| Region | Budget |", "| Asia | 800 |"). A table of two text columns may be either; its
    rows are kept as they are, as before tables were named. A label table of one text row
    above one number row is taken for a header table: the two look alike."""
    filled = [[c for c in map(cell_text, row) if c] for row in rows]
    pairs = [cells for cells in filled if cells]
    if not pairs or any(len(cells) != 2 for cells in pairs):
        return False
    below = [cells[1] for cells in pairs[1:]]
    return not below or not all(is_value(value) for value in below)


def is_value(value: object) -> bool:
    """A number, date or time: what a table's rows hold and its header does not."""
    if value is None:
        return False
    if isinstance(value, Shown):  # "Monday, 28 April 2025": a date as its sheet shows it
        return True
    if not isinstance(value, str):
        return not isinstance(value, bool)
    return bool(_NUMBER.fullmatch(value.strip()))


def cell_text(value: object) -> str:
    """A cell's value as text: numbers without a needless ".0", dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:g}"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def is_header_row(values: list) -> bool:
    """Whether a row could name the columns below it: text cells alone, or a label and years."""
    return not any(is_value(v) for v in values) or _names_years([cell_text(v) for v in values])


def _names_years(cells: list[str]) -> bool:
    """Whether a row is a header of years: two or more different years after its first cell
    ("| In thousands of euros | 2023 | 2022 |"), numbers that name columns, not values."""
    years = [c for c in cells[1:] if c]
    return (
        len(set(years)) >= 2 and len(years) == len(cells) - 1 and all(map(_YEAR.fullmatch, years))
    )


def _named(header: list[str], cells: list[str]) -> list[str]:
    named = [f"{h}: {c}" if h and c and c != h else c for h, c in zip(header, cells, strict=False)]
    return named + cells[len(header) :]


def _joined(rows: list[list[str]]) -> list[str]:
    """Each column's header cells, top to bottom, each once."""
    columns = max(len(row) for row in rows)
    names = []
    for column in range(columns):
        parts = [row[column] for row in rows if column < len(row) and row[column]]
        names.append(" ".join(dict.fromkeys(parts)))
    return names
