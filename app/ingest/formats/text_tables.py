"""Tables drawn in plain text -> a document table's rows, named by their headers.

Plain text, Markdown and e-mail keep tables as often as Word documents do, drawn two ways: with
pipes ("| Item | Qty |", Markdown's rule of dashes under the header or none), or in columns
lined up with spaces (a service bill's "Oil filter        1     £9.50", an error-code table whose
last column wraps onto lines of its own). Read as they are, a row's values run together or
stand without their column's name, and the reader, trained on prose, cannot tell which number
is the price. Written as a Word table's rows are (`headers.table_blocks`: "| Qty: 1 | Price:
£9.50 |"), a question finds the cell its words name (app.answer.tables).
"""

from __future__ import annotations

import itertools
import re

from app.ingest.formats.headers import is_key_value, table_blocks, under_header

# A Markdown table (GitHub's): a row of cells between pipes, a row of dashes under each cell
# (":---:" aligns it), then its rows; outer pipes may be left out, and "\|" is a pipe in a
# cell. Without the dashes: two or more lines in a row that start and end with a pipe.
_MARKDOWN_RULE = re.compile(r"[ \t]*(?:\|[ \t]*)?:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*")
_MARKDOWN_PIPE = re.compile(r"(?<!\\)\|")
# Columns lined up with spaces: a gutter is a run of GUTTER_SPACES or more positions that are
# blank on every line of the block. A line of dashes or equals signs (a rule under a header,
# reStructuredText's table borders) is left out; a line whose first column is blank goes on
# with the row above it.
GUTTER_SPACES = 2
_GAP = re.compile(r"\S(?: {2,}|\t)\S")
_SPACES = re.compile(r"(?<=\S) {2,}(?=\S)")  # a gap between words, on a line without tabs
_RULE_CHARS = frozenset("-=_+ \t")
_LABEL = re.compile(r"^[ \t]*[^\W\d_][^:]{0,40}:\s")  # "Job number:   KM-25-03184"
MAX_COLUMNS = 12
MAX_TABLE_LINES = 400
MAX_LINE_CHARS = 240  # a line set in columns fits a page; a longer one is prose


def text_tables(text: str) -> str:
    """`text` with each table drawn with pipes or lined up in columns written as a document
    table's rows."""
    return aligned_tables(pipe_tables(text))


def pipe_tables(text: str) -> str:
    """`text` with each table drawn with pipes written as a document table's rows, named by its
    header: "| Item: Tent | Qty: 2 |" under "| Item | Qty |". A Markdown table's header is the
    row above its rule (Markdown wants one, so a table of labels and their values has its first
    pair there: such a table keeps its rows, `is_key_value`); one without a rule is judged as a
    Word table is (`table_blocks`)."""
    lines = text.split("\n")
    out: list[str] = []
    at = 0
    while at < len(lines):
        end = _pipe_table_end(lines, at)
        if end == at:
            out.append(lines[at])
            at += 1
            continue
        rows = [_cells(line) for line in lines[at:end] if not _MARKDOWN_RULE.fullmatch(line)]
        if _MARKDOWN_RULE.fullmatch(lines[at + 1]) and not is_key_value(rows):
            out.extend(under_header(rows))  # the rule says which row is the header
        else:
            out.extend(line for _, line in table_blocks(rows))
        at = end
    return "\n".join(out)


def aligned_tables(text: str) -> str:
    """`text` with each block of lines set in columns by spaces written as a table's rows
    (`table_blocks` names them by the first row when it is a header). A block is a run of
    lines without a blank one, most of them with two or more spaces between words, and its
    columns are the text between gutters blank on every line. Runs of "Label:   value" lines
    are left as they are: app.answer.tables reads them as labels already."""
    lines = text.split("\n")
    out: list[str] = []
    at = 0
    while at < len(lines):
        end = at
        while end < len(lines) and lines[end].strip() and end - at < MAX_TABLE_LINES:
            end += 1
        block = lines[at:end] if end > at else [lines[at]]
        titles = 0  # lines before the table without a gap: its title ("CONDITION CHECK")
        while titles < len(block) and not _GAP.search(block[titles]):
            titles += 1
        rows = _aligned_rows(block[titles:])
        out.extend(block[:titles] if rows else block)
        out.extend(line for _, line in table_blocks(rows or []))
        at = max(end, at + 1)
    return "\n".join(out)


def _aligned_rows(block: list[str]) -> list[list[str]] | None:
    """The rows of `block` as a table set in columns, or None when it is none: fewer than two
    rows of two cells or more, a gap between words on fewer than half of its lines, a line
    longer than MAX_LINE_CHARS, labels with their values, or more than MAX_COLUMNS columns."""
    lines = [line.expandtabs(8).rstrip() for line in block if not _is_rule(line)]
    gapped = sum(1 for line in lines if _GAP.search(line))
    if len(lines) < 2 or 2 * gapped < len(lines) or max(map(len, lines)) > MAX_LINE_CHARS:
        return None
    columns = _columns(lines)
    if not 2 <= len(columns) <= MAX_COLUMNS or not _gaps_in_gutters(lines, columns):
        return None
    first_start, first_end = columns[0]
    if all(_LABEL.match(line) for line in lines if line[first_start:first_end].strip()):
        return None
    rows: list[list[str]] = []
    for line in lines:
        cells = [line[start:end].strip() for start, end in columns]
        if rows and not cells[0]:  # the first column blank: the row above goes on
            rows[-1] = [" ".join(filter(None, pair)) for pair in zip(rows[-1], cells, strict=True)]
        else:
            rows.append(cells)
    wide = [row for row in rows if sum(map(bool, row)) >= 2]
    return rows if len(wide) >= 2 and 2 * len(wide) >= len(rows) else None


def _is_rule(line: str) -> bool:
    """Whether `line` is a rule: dashes, equals signs or underscores, with spaces and "+" (a set
    of characters, not a pattern: a pattern with two repeats of dashes took 22 s on a line of
    2,000 spaces and 2,000 dashes)."""
    return set(line) <= _RULE_CHARS and any(char in "-=_" for char in line)


def _columns(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each column of `lines`: the text between gutters, runs of at least
    GUTTER_SPACES positions blank on every line (past a line's end is blank)."""
    width = max(len(line) for line in lines)
    indent = min(len(line) - len(line.lstrip()) for line in lines)
    filled = [False] * width
    for line in lines:
        for position, char in enumerate(line):
            if char != " ":
                filled[position] = True
    columns: list[tuple[int, int]] = []
    start, blank = indent, 0
    for position in range(indent, width):
        if filled[position]:
            if blank >= GUTTER_SPACES and position - blank > start:
                columns.append((start, position - blank))
                start = position
            blank = 0
        else:
            blank += 1
    columns.append((start, width))
    return columns


def _gaps_in_gutters(lines: list[str], columns: list[tuple[int, int]]) -> bool:
    """Whether every gap between words on every line holds a gutter between two columns. Prose
    typed with two spaces after a full stop has gaps too, but where one line has a gap the
    next has a word."""
    gutters = [(end, start) for (_, end), (start, _) in itertools.pairwise(columns)]
    return all(
        any(gap.start() <= left and right <= gap.end() for left, right in gutters)
        for line in lines
        for gap in _SPACES.finditer(line)
    )


def _pipe_table_end(lines: list[str], at: int) -> int:
    """Where the table drawn with pipes that starts at line `at` ends; `at` when none does."""
    if len(_cells(lines[at])) < 2:
        return at
    if at + 1 < len(lines) and _MARKDOWN_RULE.fullmatch(lines[at + 1]):
        end = at + 2
        while end < len(lines) and len(_cells(lines[end])) >= 2:
            end += 1
        return end
    end = at
    while end < len(lines) and _is_boxed(lines[end]) and len(_cells(lines[end])) >= 2:
        end += 1
    return end if end - at >= 2 else at


def _is_boxed(line: str) -> bool:
    line = line.strip()
    return len(line) > 1 and line[0] == line[-1] == "|"


def _cells(line: str) -> list[str]:
    """The cells of a table row drawn with pipes; [] for a line without a pipe."""
    line = line.strip()
    if "|" not in line:
        return []
    cells = _MARKDOWN_PIPE.split(line.removeprefix("|").removesuffix("|"))
    return [cell.strip().replace("\\|", "|") for cell in cells]
