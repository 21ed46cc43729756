"""Workbooks and delimited text through the real ingest: pages of rows, named sheet and rows."""

import io

from tests.ingest.indexed import entry, ingest_files, skipped, stored_pages


def _workbook() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    budget = book.active
    budget.title = "Budget"
    budget.append(["Item", "Cost", "Owner"])
    for i in range(1, 46):
        budget.append([f"Item {i}", i * 10, "Ana" if i % 2 else "Ben"])
    notes = book.create_sheet("Notes")
    notes.append(["The budget was approved by the board on 3 March."])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_pages_name_the_sheet_and_rows_and_repeat_headers(settings, fake_embedder):
    report = ingest_files(settings, fake_embedder, {"budget.xlsx": _workbook()})
    assert report.files_indexed == ["budget.xlsx"], skipped(report)
    pages = stored_pages(settings, "budget.xlsx")
    assert sorted(pages) == [1, 2, 3]
    assert pages[1].startswith("Budget\n\n| Item | Cost | Owner |\n| Item: Item 1 | Cost: 10 |")
    assert "| Item: Item 45 | Cost: 450 | Owner: Ana |" in pages[2]
    assert pages[3] == "Notes\n\n| The budget was approved by the board on 3 March. |"
    assert entry(settings, "budget.xlsx").page_labels == {
        "1": "sheet Budget, rows 1-40",
        "2": "sheet Budget, rows 41-46",
        "3": "sheet Notes, row 1",
    }


def test_csv_and_tsv_rows(settings, fake_embedder):
    csv_text = "Team;Location;Cups\nBlues;STL;1\nMaple Leafs;TOR;13\n"
    tsv_text = "Team\tCups\nFlyers\t2\n"
    files = {"cups.csv": csv_text.encode(), "cups.tsv": tsv_text.encode("utf-16")}
    report = ingest_files(settings, fake_embedder, files)
    assert sorted(report.files_indexed) == ["cups.csv", "cups.tsv"], skipped(report)
    assert stored_pages(settings, "cups.csv")[1] == (
        "| Team | Location | Cups |\n| Team: Blues | Location: STL | Cups: 1 |\n"
        "| Team: Maple Leafs | Location: TOR | Cups: 13 |"
    )
    assert stored_pages(settings, "cups.tsv")[1] == "| Team | Cups |\n| Team: Flyers | Cups: 2 |"
    assert entry(settings, "cups.csv").page_labels == {"1": "rows 1-3"}


def test_xls_is_read(settings, fake_embedder, shared_eval):
    data = (shared_eval / "office-docs" / "tests-example.xls").read_bytes()
    report = ingest_files(settings, fake_embedder, {"example.xls": data})
    assert report.files_indexed == ["example.xls"], skipped(report)
    pages = stored_pages(settings, "example.xls")
    assert "| MC | What is 2+2? | 4 | correct |" in pages[1]
    assert entry(settings, "example.xls").page_labels["1"] == "sheet Example Test, rows 1-7"


def _report_workbook() -> bytes:
    """A finance sheet as people make them: a title, a header of two rows over a blank row, and
    a second table of another period under the first; then a sheet that is a list of text."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Segments"
    sheet.append(["Revenue and results"])
    sheet.append(["In millions of CHF", None, "January-June 2023"])
    sheet.append([None, "Sales", "Depreciation"])
    sheet.append([])
    sheet.append(["Zone EUR", 9467, -414])
    sheet.append(["Zone AOA", "9,060", "(259)"])  # numbers stored as text count as numbers
    sheet.append([])
    sheet.append(["In millions of CHF", None, "January-June 2022"])
    sheet.append([None, "Sales", "Depreciation"])
    sheet.append(["Zone EUR", 9283, -401])
    people = book.create_sheet("People")
    for row in (["Name", "Role"], ["Ana Lima", "Treasurer"], ["Ben Ode", "Secretary"]):
        people.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_each_table_names_its_values_by_its_own_header_rows(settings, fake_embedder):
    report = ingest_files(settings, fake_embedder, {"report.xlsx": _report_workbook()})
    assert report.files_indexed == ["report.xlsx"], skipped(report)
    segments, people = stored_pages(settings, "report.xlsx").values()
    assert segments.splitlines()[2:] == [
        "| Revenue and results |",
        "| In millions of CHF | | January-June 2023 |",
        "| | Sales | Depreciation |",
        "| In millions of CHF: Zone EUR | Sales: 9467 | January-June 2023 Depreciation: -414 |",
        "| In millions of CHF: Zone AOA | Sales: 9,060 | January-June 2023 Depreciation: (259) |",
        "| In millions of CHF | | January-June 2022 |",
        "| | Sales | Depreciation |",
        "| In millions of CHF: Zone EUR | Sales: 9283 | January-June 2022 Depreciation: -401 |",
    ]
    assert people.splitlines()[2:] == [
        "| Name | Role |",
        "| Name: Ana Lima | Role: Treasurer |",
        "| Name: Ben Ode | Role: Secretary |",
    ]


def _ods() -> bytes:
    """An OpenDocument sheet as LibreOffice writes one: typed values with the text it shows,
    a run of like cells written once, and a million empty rows to end the sheet."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Lessons")

    def cell(text: str, repeated: int = 1, **typed: str) -> TableCell:
        made = TableCell(numbercolumnsrepeated=repeated, **(typed or {"valuetype": "string"}))
        made.addElement(P(text=text))
        return made

    rows = [
        [cell("Class"), cell("First lesson"), cell("Fee"), cell("Discount")],
        [cell("Stage 3"), cell("28/04/2025", valuetype="date", datevalue="2025-04-28"),
         cell("£62.50", valuetype="currency", value="62.5", currency="GBP"),
         cell("10%", valuetype="percentage", value="0.1")],
        [cell("Stage 5"), cell("Tue", 2)],
    ]  # fmt: skip
    for cells in rows:
        row = TableRow()
        for made in cells:
            row.addElement(made)
        table.addElement(row)
    empty = TableRow(numberrowsrepeated=1048000)
    empty.addElement(TableCell(numbercolumnsrepeated=1024))
    table.addElement(empty)
    document.spreadsheet.addElement(table)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_an_opendocument_sheet_reads_as_it_shows(settings, fake_embedder):
    report = ingest_files(settings, fake_embedder, {"lessons.ods": _ods()})
    assert report.files_indexed == ["lessons.ods"], skipped(report)
    assert stored_pages(settings, "lessons.ods") == {
        1: "Lessons\n\n| Class | First lesson | Fee | Discount |\n"
        "| Class: Stage 3 | First lesson: 28/04/2025 | Fee: £62.50 | Discount: 10% |\n"
        "| Class: Stage 5 | First lesson: Tue | Fee: Tue |"
    }
    assert entry(settings, "lessons.ods").page_labels == {"1": "sheet Lessons, rows 1-3"}


def test_a_header_merged_across_columns_names_each_of_them(settings, fake_embedder):
    """ "Spring" merged over "Planned" and "Actual" names both; a title merged across the sheet
    stays a title, and a note merged across a data row stays one cell."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Budget"
    for row in (["Household budget 2025"], [None, "Spring", None, "Summer"],
                ["Item", "Planned", "Actual", "Planned"], ["Groceries", 400, 420, 410],
                ["Notes", "Energy includes gas"]):  # fmt: skip
        sheet.append(row)
    for merged in ("A1:D1", "B2:C2", "B5:D5"):
        sheet.merge_cells(merged)
    out = io.BytesIO()
    book.save(out)
    ingest_files(settings, fake_embedder, {"budget.xlsx": out.getvalue()})
    assert stored_pages(settings, "budget.xlsx")[1] == (
        "Budget\n\n| Household budget 2025 |\n| | Spring | Spring | Summer |\n"
        "| Item | Planned | Actual | Planned |\n"
        "| Item: Groceries | Spring Planned: 400 | Spring Actual: 420 | Summer Planned: 410 |\n"
        "| Item: Notes | Spring Planned: Energy includes gas |"
    )
