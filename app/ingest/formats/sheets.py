"""Spreadsheets (.xlsx, .xls, .ods) and delimited text (.csv, .tsv): pages of rows a reader can
use.

Each sheet is cut into pages of ROWS_PER_PAGE rows, numbered across the workbook and labelled
with the sheet and the rows they hold ("sheet Budget, rows 2-41"), so a citation names both.
Every row is one line, "| Team: Boston Bruins | Cups: 6 |": under a table's header (text cells
above its first row of numbers, `headers.named_lines`), each value is prefixed with its
column's header, so a row read alone still says what its numbers are. A workbook's numbers and
dates read as it shows them ("£62.50", "28/04/2025"; `number_formats`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator

from app.ingest.errors import ExtractionError
from app.ingest.formats import archive
from app.ingest.formats.headers import is_value, named_lines
from app.ingest.formats.layout import HEADING, ROW, join_blocks
from app.ingest.formats.number_formats import Shown, shown
from app.ingest.formats.text import decode_bytes
from app.records import Page

SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".tsv"}
EMPTY_REASON = "no cells with text in the workbook"
ROWS_PER_PAGE = 40
# An OpenDocument sheet writes a run of like rows or cells once, with a count: a run with text is
# read at most this many times; empty ones (a sheet ends with a million) are not written out.
MAX_REPEAT = 1000
MAX_MERGES = 10_000  # merged ranges read of a sheet
_MAX_FIELD = 16 * 2**20


def read(data: bytes, suffix: str, max_pages: int) -> list[Page]:
    if suffix in (".csv", ".tsv"):
        sheets: Iterable[tuple[str | None, Iterator[tuple[int, list]]]] = [
            (None, _delimited_rows(data, suffix))
        ]
    elif suffix == ".xls" and data.startswith(archive.OLE_MAGIC):
        sheets = _xls_sheets(data)
    elif suffix == ".ods":
        sheets = _ods_sheets(data)
    else:
        sheets = _xlsx_sheets(data)
    pages: list[Page] = []
    for name, rows in sheets:
        for first, last, text in _sheet_pages(name, rows):
            pages.append(Page(len(pages) + 1, text, label=_label(name, first, last)))
            if len(pages) > max_pages:
                raise ExtractionError(
                    f"too many rows ({len(pages)} pages of {ROWS_PER_PAGE} rows > "
                    f"{max_pages} page limit)"
                )
    return pages


def _label(sheet: str | None, first: int, last: int) -> str:
    rows = f"row {first}" if first == last else f"rows {first}-{last}"
    return f"sheet {sheet}, {rows}" if sheet is not None else rows


def _sheet_pages(name: str | None, rows: Iterator[tuple[int, list]]) -> Iterator:
    """(first row, last row, page text) for each block of ROWS_PER_PAGE non-empty rows."""
    block: list[tuple[int, str]] = []
    for number, line in named_lines(rows):
        block.append((number, line))
        if len(block) == ROWS_PER_PAGE:
            yield _page(name, block)
            block = []
    if block:
        yield _page(name, block)


def _page(name: str | None, block: list[tuple[int, str]]) -> tuple[int, int, str]:
    heading = [(HEADING, name)] if name else []
    text = join_blocks([*heading, *((ROW, line) for _, line in block)])
    return block[0][0], block[-1][0], text


def _xlsx_sheets(data: bytes) -> Iterator[tuple[str, Iterator[tuple[int, list]]]]:
    zipped = archive.open_zip(data, "workbook")
    archive.refuse_entities(zipped, "workbook", (".xml", ".rels"))
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises KeyError, ValueError, TypeError... on damage
        raise ExtractionError(f"corrupt workbook ({type(exc).__name__}: {exc})") from exc
    for sheet in book.worksheets:
        if getattr(sheet, "sheet_state", "visible") == "visible":
            cells = sheet.iter_rows()  # each with its number format: "£62.50", not 62.5
            rows = ([shown(c.value, getattr(c, "number_format", None)) for c in r] for r in cells)
            merged = _merged_across(zipped, getattr(sheet, "_worksheet_path", ""))
            yield sheet.title, _with_merged_headers(enumerate(rows, start=1), merged)


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)"')


def _merged_across(zipped, path: str) -> dict[int, list[tuple[int, int]]]:
    """Each row's cells merged across columns, as (first, last) column positions from 0; read
    from the sheet's XML, as openpyxl's read-only sheets do not say."""
    from openpyxl.utils.cell import column_index_from_string

    try:
        data = zipped.read(path)
    except (KeyError, OSError, ValueError):
        return {}
    merged: dict[int, list[tuple[int, int]]] = {}
    for first, top, last, _ in _MERGE.findall(data)[:MAX_MERGES]:
        start = column_index_from_string(first.decode()) - 1
        end = column_index_from_string(last.decode()) - 1
        if end > start:
            merged.setdefault(int(top), []).append((start, min(end, start + MAX_REPEAT)))
    return merged


def _with_merged_headers(
    rows: Iterator[tuple[int, list]], merged: dict[int, list[tuple[int, int]]]
) -> Iterator[tuple[int, list]]:
    """`rows`, where a header cell is merged across columns ("Spring" over "Planned" and
    "Actual") with its text in each of them, so that it names every column under it; only in
    a row of several cells (a title merged across the sheet stays a title), above the sheet's
    first row of numbers or dates (a note merged across a data row stays one cell)."""
    above_values = True
    for number, values in rows:
        if above_values and number in merged and sum(v not in (None, "") for v in values) > 1:
            values = list(values)  # a row of one cell is a title, merged across the sheet
            for start, end in merged[number]:
                if start < len(values) and values[start] is not None:
                    values[start + 1 : end + 1] = [values[start]] * (end - start)
        above_values = above_values and not any(map(is_value, values))
        yield number, values


def _ods_sheets(data: bytes) -> Iterator[tuple[str, Iterator[tuple[int, list]]]]:
    """Each sheet of an OpenDocument spreadsheet, its cells as the sheet shows them (the text
    it stores beside each value: "£62.50", "28/04/2025")."""
    zipped = archive.open_zip(data, "OpenDocument spreadsheet")
    archive.refuse_entities(zipped, "OpenDocument spreadsheet", (".xml", ".rdf"))
    from odf.opendocument import load
    from odf.table import Table

    try:
        document = load(io.BytesIO(data))
    except Exception as exc:  # odfpy raises anything from KeyError to SAX errors
        raise ExtractionError(f"corrupt OpenDocument spreadsheet ({type(exc).__name__})") from exc
    for table in document.spreadsheet.getElementsByType(Table):
        yield str(table.getAttribute("name") or ""), _ods_rows(table)


def _ods_rows(table) -> Iterator[tuple[int, list]]:
    """(row number, cells) of each row with text, runs of like rows and cells written out."""
    from odf.table import TableRow
    from odf.teletype import extractText

    number = 0
    for row in table.getElementsByType(TableRow):
        repeat = int(row.getAttribute("numberrowsrepeated") or 1)
        cells: list = []
        for cell in row.childNodes:
            kind = cell.qname[1] if cell.nodeType == cell.ELEMENT_NODE else ""
            if kind not in ("table-cell", "covered-table-cell"):
                continue
            lines = [p for p in cell.childNodes if getattr(p, "qname", ("", ""))[1] == "p"]
            text = "\n".join(extractText(p) for p in lines)
            typed = (cell.getAttribute("valuetype") or "string") != "string"
            value = Shown(text) if typed and text else text or None  # a number, date: a value
            cells += [value] * min(int(cell.getAttribute("numbercolumnsrepeated") or 1), MAX_REPEAT)
        while cells and cells[-1] is None:
            cells.pop()
        if cells:
            for n in range(min(repeat, MAX_REPEAT)):
                yield number + n + 1, cells
        number += repeat


def _xls_sheets(data: bytes) -> Iterator[tuple[str, Iterator[tuple[int, list]]]]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except xlrd.XLRDError as exc:
        if "encrypted" in str(exc).lower():
            raise ExtractionError("encrypted workbook (needs a password)") from exc
        raise ExtractionError(f"corrupt Excel 97-2003 workbook ({exc})") from exc
    except Exception as exc:
        raise ExtractionError(f"corrupt Excel 97-2003 workbook ({type(exc).__name__})") from exc
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
        yield sheet.name, _xls_rows(sheet, book.datemode)


def _xls_rows(sheet, datemode: int) -> Iterator[tuple[int, list]]:
    import xlrd

    for r in range(sheet.nrows):
        values: list = []
        for cell in sheet.row(r):
            if cell.ctype == xlrd.XL_CELL_DATE:
                try:
                    values.append(xlrd.xldate_as_datetime(cell.value, datemode))
                except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                    values.append(cell.value)
            elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                values.append(None)
            elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                values.append(bool(cell.value))
            elif cell.ctype == xlrd.XL_CELL_ERROR:
                values.append("#ERROR")
            else:
                values.append(cell.value)
        yield r + 1, values


def _delimited_rows(data: bytes, suffix: str) -> Iterator[tuple[int, list]]:
    text = decode_bytes(data)
    delimiter = "\t" if suffix == ".tsv" else _sniff_delimiter(text)
    csv.field_size_limit(_MAX_FIELD)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, values in enumerate(reader, start=1):
            yield number, [v if v.strip() else None for v in values]
    except csv.Error as exc:
        raise ExtractionError(f"malformed {suffix[1:].upper()} ({exc})") from exc


def _sniff_delimiter(text: str) -> str:
    sample = text[: 64 * 1024]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","
