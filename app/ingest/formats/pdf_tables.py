"""Tables on a PDF page -> rows whose values are named by their column headers.

pypdf reads a table row as its cells joined by single spaces ("Asia 800 820 -20"), so which
column a value sits in, and so what it is, is lost. pdfium gives each character's box, so a
table is found the way a reader sees one: a run of evenly spaced rows that each break at wide
gaps (`table_runs`), the lines of a cell whose text wraps joined to their row (`_rows`). Its
columns are the gaps that its full rows leave open (`table_rows`); its rows are named by
`headers.table_blocks`, as a Word table's are, and the run's text in the page text is replaced
by them ("| Region: Asia | Budget: 800 |"). Nothing is lost when this fails: a table whose
characters are not found in the page text as one run of whole lines (pypdf read them in
another order) is left as pypdf read it, and a page pdfium cannot read keeps its text.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import statistics

from app.ingest.formats.headers import is_header_row, table_blocks
from app.ingest.formats.pdf_lines import GAP, Line, Word, whole_lines

MIN_ROWS = 3  # lines of several cells that make a table: a header and two rows
CELL_WORDS = 3  # cells holding more words than this, in the median, are prose set in columns
PITCH = 1.0  # a row further below the one before than the run's usual gap and this many
# character heights starts another table
COLUMN_GAP = 0.6  # the least width, in character heights, of a gap between two columns
ALIGNED = 0.3  # words whose edges are this many character heights apart are aligned


def with_tables(
    text: str, lines: list[Line], header_above: list[str] | None = None
) -> tuple[str, list[str] | None]:
    """`text` (pypdf's text of a page) with each table found in the page's `lines`
    (`pdf_lines.page_lines`) as named rows, a block of its own; and the header of the page's
    last table, or None. `header_above` is that of the page before: a table that goes on over
    a page break is often printed without its header again, and the page's first table takes
    it when its own first row holds values and it has as many columns (three or more)."""
    header: list[str] | None = None
    runs = table_runs(_rows(lines))
    while runs:
        run = runs.pop(0)
        rows = table_rows(run)
        tangled = [n for n, row in enumerate(rows) if _interleaved(row)]
        if tangled:  # read the lines between such rows again, as runs of their own
            lines_read = [line for line in run if not line.is_marks]
            cuts = [-1, *tangled, len(lines_read)]
            runs[:0] = [lines_read[a + 1 : b] for a, b in itertools.pairwise(cuts) if b - a > 1]
        elif rows:
            text, header = replace_run(text, run, rows, header_above)
            header_above = None  # only a page's first table goes on from the page before
    return text, header


def _interleaved(row: list[list[Word]]) -> bool:
    """Whether two cells of `row` take turns in the page's reading order: text laid out in
    columns (a newspaper page), not a table row, whose cells' texts never mix. Naming such a
    row's "cells" would shuffle its sentences."""
    spans = sorted((min(w.first for w in c), max(w.last for w in c)) for c in row if c)
    return any(b[0] < a[1] for a, b in itertools.pairwise(spans))


def table_runs(lines: list[Line]) -> list[list[Line]]:
    """Runs of at least MIN_ROWS consecutive lines of two or more cells, evenly spaced (lines
    of marks alone, and sections' labels, may come between them), each aligned with one above
    it, whose cells are short, as a table's are."""
    runs: list[list[Line]] = []
    run: list[Line] = []
    for line in [*lines, Line("", 0, 0.0, 0.0, 0.0)]:  # an empty line closes the last run
        rows = [row for row in run if not row.is_marks]
        gaps = [a.bottom - b.top for a, b in itertools.pairwise(rows)]
        far = bool(gaps) and rows[-1].bottom - line.top > statistics.median(gaps) + (
            PITCH * rows[-1].height
        )
        if line.is_marks and run and line.text:
            run.append(line)
            continue
        aligned = not rows or any(_aligned_with(row, line) for row in rows)
        if line.cells >= 2 and not far and aligned:
            run.append(line)
            continue
        if line.cells == 1 and rows and not far and _is_section(rows, line):
            run.append(line)
            continue
        while run and (run[-1].is_marks or run[-1].cells == 1):
            run.pop()
        rows = [row for row in run if not row.is_marks]
        words = [count for row in rows for count in row.cell_words]
        if len(rows) >= MIN_ROWS and statistics.median(words) <= CELL_WORDS:
            runs.append(run)
        run = [line] if line.cells >= 2 else []
    return runs


def _is_section(rows: list[Line], line: Line) -> bool:
    """Whether a one-cell `line` can be a row of the table that `rows` begin: a section's
    label ("Revenue", "Expenses") in the first column, with at most one more such line right
    above it. A run that ends on such lines (a caption, a paragraph) leaves them out."""
    start = rows[0].cell_edges[0][0]
    in_a_row = len(rows) >= 2 and rows[-1].cells == 1 and rows[-2].cells == 1
    return not in_a_row and abs(line.cell_edges[0][0] - start) <= ALIGNED * line.height


def _aligned_with(above: Line, line: Line) -> bool:
    """Whether a cell of `line` starts, ends or is centred where one of a row above is, other
    than both rows' first cells starting together: a table's rows share their columns' edges,
    the next table's (another layout, set right below) need not."""
    tolerance = ALIGNED * min(above.height, line.height)
    return any(
        abs(x - y) <= tolerance and (side > 0 or i > 0 or j > 0)
        for i, a in enumerate(above.cell_edges)
        for j, b in enumerate(line.cell_edges)
        for side, (x, y) in enumerate(zip(_edges(a), _edges(b), strict=True))
    )


def _edges(cell: tuple[float, float]) -> tuple[float, float, float]:
    """A cell's left, right and centre: where a left-, right- or centre-aligned column's
    cells line up."""
    return cell[0], cell[1], (cell[0] + cell[1]) / 2


def table_rows(run: list[Line]) -> list[list[list[Word]]]:
    """The cells (their words) of each line of `run`, or none unless MIN_ROWS lines, and half
    of them, fill two cells or more, and at most half of the cells start in lower case.

    Columns are parted by the gaps that no line with the usual number of cells crosses: a
    cell may be left- or right-aligned, and a row of fewer cells than most rows (its cells
    span several columns: a title, "Europe" over four countries) may cross them. Each word
    goes to the column its centre is in. Two neighbouring columns that no line fills both of
    are one (a left-aligned header over right-aligned numbers)."""
    lines = [line for line in run if not line.is_marks]
    height = statistics.median(line.height for line in lines)
    usual = max((line.cells for line in lines), key=[line.cells for line in lines].count)
    gaps = _gaps([line for line in lines if line.cells >= usual], COLUMN_GAP * height)
    bounds = [
        (lo + hi) / 2
        for lo, hi in gaps
        if hi - lo > GAP * height or _edge(lines, lo, hi, ALIGNED * height)
    ]
    columns: list[list[list[Word]]] = [[[] for _ in lines] for _ in range(len(bounds) + 1)]
    for row, line in enumerate(lines):
        for word in line.words:
            columns[bisect.bisect(bounds, (word.left + word.right) / 2)][row].append(word)
    merged = columns[:1]
    for column in columns[1:]:
        if not any(a and b for a, b in zip(merged[-1], column, strict=True)):
            merged[-1] = [a + b for a, b in zip(merged[-1], column, strict=True)]
        else:
            merged.append(column)
    rows = [[column[row] for column in merged] for row in range(len(lines))]
    full = sum(sum(map(bool, row)) >= 2 for row in rows)
    if full < max(MIN_ROWS, len(rows) / 2):
        return []  # its lines' gaps do not line up: prose or an address block laid out wide
    starts = [cell[0].text[:1] for row in rows for cell in row if cell]
    if 2 * sum(start.islower() for start in starts) > len(starts):
        return []  # most cells go on a sentence: prose justified wide (an OCR text layer)
    return rows


def _edge(lines: list[Line], lo: float, hi: float, tolerance: float) -> bool:
    """Whether the narrow gap from `lo` to `hi` is a column's edge: at least three lines, and
    half of them, end a word at `lo` (a right-aligned column) or start one at `hi` (a
    left-aligned one). A gap between two words of one cell has one word at each side, or two
    right-aligned cells' words spaced alike ("12 hours", "2 years")."""
    ends = sum(any(abs(w.right - lo) <= tolerance for w in line.words) for line in lines)
    starts = sum(any(abs(w.left - hi) <= tolerance for w in line.words) for line in lines)
    return max(ends, starts) >= max(3, (len(lines) + 1) // 2)


def _gaps(lines: list[Line], width: float) -> list[tuple[float, float]]:
    """The x ranges at least `width` wide, between the first word and the last, that no line
    has a word across."""
    events = sorted(
        (x, step) for line in lines for w in line.words for x, step in ((w.left, 1), (w.right, -1))
    )
    gaps: list[tuple[float, float]] = []
    covering, opened = 0, None
    for x, step in events:
        before = covering
        covering += step
        if before > 0 == covering:
            opened = x
        elif before == 0 < covering and opened is not None:
            if x - opened >= width:
                gaps.append((opened, x))
            opened = None
    return gaps


def _rows(lines: list[Line]) -> list[Line]:
    """Lines with the bands of a cell whose text wraps joined to the row they belong to.

    PDF writers set a table cell by cell, so a row whose cells wrap comes as the first cell's
    lines, then the next cell's (further right, and often higher up: cells are centred),
    then the next row's first cell (back at the left, below). A band joins the row before it
    when it starts right of the cell read last and not below the row (the next cell), or
    starts where that cell does, below it (the cell's next line), holding one cell or, in a
    row set cell by cell, one cell's words spread by justification; any other band starts a
    row."""
    rows: list[Line] = []
    cell_left = 0.0  # where the cell read last starts
    by_cell = False  # whether the row so far came cell by cell (then a band is one cell)
    for line in lines:
        if rows and not line.is_marks and not rows[-1].is_marks:
            row, left = rows[-1], line.words[0].left
            next_cell = left > cell_left + GAP * line.height and line.top > row.bottom
            below = line.top < row.top and abs(left - cell_left) <= ALIGNED * line.height
            next_line = below and (line.cells == 1 or by_cell)
            if next_cell:
                row.cell_words += line.cell_words
                row.cell_edges += line.cell_edges
                cell_left, by_cell = left, True
            elif next_line:
                row.cell_words[-1] += sum(line.cell_words)
                right = max(row.cell_edges[-1][1], line.cell_edges[-1][1])
                row.cell_edges[-1] = (row.cell_edges[-1][0], right)
            if next_cell or next_line:
                row.text += line.text
                row.words += line.words
                row.top, row.bottom = max(row.top, line.top), min(row.bottom, line.bottom)
                continue
        rows.append(  # a copy: the page's lines stay as they are for the headings
            dataclasses.replace(
                line,
                words=list(line.words),
                cell_words=list(line.cell_words),
                cell_edges=list(line.cell_edges),
            )
        )
        cell_left, by_cell = (line.cell_edges or [(0.0, 0.0)])[-1][0], False
    return rows


def replace_run(
    text: str, run: list[Line], rows: list[list[list[Word]]], header_above: list[str] | None = None
) -> tuple[str, list[str] | None]:
    """`text` with the whole lines that hold exactly the characters of `run` replaced by its
    named rows, or `text` as it is where they are not found so; and the table's header (see
    `with_tables` for `header_above`). Each cell is the stretch of `text` from its first
    character to its last: pypdf's spacing and characters, not pdfium's (which spaces a
    tracked "1.1" as "1 . 1")."""
    place = whole_lines(text, "".join(line.text for line in run))
    if place is None:
        return text, None
    start, end, key, page, at = place.start, place.end, place.key, place.page, place.at
    folded_at: dict[int, int] = {}  # a character of the run's text -> its first folded one
    for folded, source in enumerate(key.where):
        folded_at.setdefault(source, folded)

    def cell(words: list[Word]) -> str:
        """The cell's stretch of `text` (its cells never interleave: `_interleaved`)."""
        if not words:
            return ""
        lo, hi = min(w.first for w in words), max(w.last for w in words)
        first, last = folded_at.get(lo - run[0].first), folded_at.get(hi - run[0].first)
        if first is None or last is None:
            return " ".join(word.text for word in words)
        return " ".join(text[page.where[at + first] : page.where[at + last] + 1].split())

    cells = [[cell(words) for words in row] for row in rows]
    goes_on = (
        header_above is not None
        and len(header_above) == len(cells[0]) >= 3
        and not is_header_row(cells[0])
    )
    if goes_on:
        named = table_blocks([header_above, *cells])[1:]
        header = header_above
    else:
        named = table_blocks(cells)
        header = cells[0] if is_header_row(cells[0]) else None
    table = "\n".join(line for _, line in named)
    before, after = text[:start].rstrip("\n"), text[end:].lstrip("\n")
    return "\n\n".join(part for part in (before, table, after) if part), header
