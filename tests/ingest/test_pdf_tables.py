"""Tables in PDFs read as rows of named cells, from pdfium's character boxes; the rest of the
page as pypdf reads it."""

import shutil
import subprocess
from pathlib import Path

import pytest

from app.ingest.formats import pdf
from app.ingest.formats.pdf_lines import Line, Word
from app.ingest.formats.pdf_tables import replace_run, table_runs
from tests.conftest import SHARED_EVAL, make_pdf, make_table_pdf

BUDGET = [
    ("Region", "Budget", "Spent", "Remaining"),
    ("Europe", "1,200", "950", "250"),
    ("Asia", "800", "820", "-20"),
    ("Americas", "1,500", "1,100", "400"),
]
CONTACTS = [("Sponsor", "Helen Brooks"), ("Vendor", "Northwind Systems"), ("Phone", "+44 20 7946")]
RISKS = [
    ("Risk", "Owner", "Mitigation", "Rating"),
    ("Vendor delivers the API late again", "Priya Raman",
     "Weekly calls with the vendor and a penalty clause in the contract", "High"),
    ("Data loss during migration", "Tom Becker", "Two full backups before each step", "Medium"),
    ("Key staff leave", "Lena Ortiz",
     "Document every system and train a second person for each role", "Low"),
]  # fmt: skip
OFFICES = [
    ("Office", "Staff", "Opened", "Manager"),
    ("Leeds", "41", "2021", "Sara Patel"),
    ("Bristol", "27", "2022", "Tom Hughes"),
    ("Glasgow", "18", "2019", "Iain Murray"),
]


def _text(path) -> str:
    return "\n".join(page.text for page in pdf.read(path.read_bytes(), ".pdf", 100))


def test_a_ruled_table_is_read_as_rows_named_by_its_header(tmp_path):
    path = tmp_path / "report.pdf"
    make_table_pdf(path, ["Spending by region, in thousands of euros.", BUDGET, "Contacts"])
    text = _text(path)
    assert "| Region: Asia | Budget: 800 | Spent: 820 | Remaining: -20 |" in text
    assert "| Region | Budget | Spent | Remaining |" in text
    assert text.startswith("Spending by region, in thousands of euros.\n\n| Region |")
    assert text.endswith(
        "| Region: Americas | Budget: 1,500 | Spent: 1,100 | Remaining: 400 |\n\nContacts"
    )


def test_unruled_columns_with_numbers_right_aligned_under_left_aligned_headers(tmp_path):
    path = tmp_path / "offices.pdf"
    make_table_pdf(path, ["Headcount by office", OFFICES], ruled=False)
    text = _text(path)
    assert "| Office: Bristol | Staff: 27 | Opened: 2022 | Manager: Tom Hughes |" in text


@pytest.mark.parametrize("justify", [False, True])
def test_cells_whose_text_wraps_stay_in_their_row(tmp_path, justify):
    """PDF writers set a table cell by cell: a wrapped cell's lines, then the next cell's
    (centred in the row, so higher up), then the next row. Justified, a line's typed spaces
    are stretched wider than the gap between two cells may be: one typed space is a word's."""
    path = tmp_path / "risks.pdf"
    make_table_pdf(path, ["Risk register.", RISKS, "Reviewed monthly."], justify=justify)
    text = _text(path)
    assert (
        "| Risk: Vendor delivers the API late again | Owner: Priya Raman | Mitigation: Weekly "
        "calls with the vendor and a penalty clause in the contract | Rating: High |"
    ) in text
    assert (
        "| Risk: Key staff leave | Owner: Lena Ortiz | Mitigation: Document every system and "
        in text
    )
    assert text.endswith("Rating: Low |\n\nReviewed monthly.")


def test_a_table_of_labels_keeps_its_rows_and_two_tables_stay_two(tmp_path):
    path = tmp_path / "two.pdf"
    make_table_pdf(path, [BUDGET, CONTACTS])
    text = _text(path)
    assert "| Vendor | Northwind Systems |" in text
    assert "| Phone | +44 20 7946 |" in text
    assert "Region: Vendor" not in text and "Budget: Northwind" not in text


def test_prose_is_left_as_pypdf_reads_it(tmp_path):
    path = tmp_path / "prose.pdf"
    paragraph = (
        "The committee met on Tuesday to discuss the budget for the coming year. After a long "
        "debate it agreed to raise the allotment fees by five percent and to repair the fence "
        "along the northern boundary before the winter. "
    ) * 4
    make_pdf(path, [paragraph, "Short line one.\nShort line two.\nShort line three."])
    assert "|" not in _text(path)


def test_a_run_needs_three_lines_of_several_cells_and_evenly_spaced_rows():
    def line(middle: float, cells: int = 2) -> Line:
        words = [Word(100 * i, 100 * i + 30, i, i, f"w{i}") for i in range(cells)]
        edges = [(w.left, w.right) for w in words]
        return Line("ab", 0, middle + 4, middle - 4, 8.0, words, [1] * cells, edges)

    assert table_runs([line(100), line(80)]) == []
    assert len(table_runs([line(100), line(80), line(60)])) == 1
    assert table_runs([line(100), line(80), line(60, cells=1)]) == []
    far = table_runs([line(100), line(80), line(60), line(0), line(-20), line(-40)])
    assert [len(run) for run in far] == [3, 3]


def test_a_table_whose_text_is_not_found_in_the_page_text_is_left_as_it_was():
    words = [Word(0, 20, 0, 3, "Asia"), Word(50, 70, 4, 6, "800")]
    run = [Line("Asia800", 0, 104.0, 96.0, 8.0, words, [1, 1], [(0.0, 20.0), (50.0, 70.0)])]
    rows = [[[run[0].words[0]], [run[0].words[1]]]]
    page = "Totals by region\nEurope 1,200\nAsia is 800"
    assert replace_run(page, run, rows) == (page, None)


@pytest.mark.skipif(not (SHARED_EVAL / "pdfs").is_dir(), reason="../shared/eval is absent")
def test_a_google_docs_table_with_its_header_in_the_first_row_and_column():
    path = SHARED_EVAL / "pdfs/py-pdf-sample-files/011-google-doc-document/google-doc-document.pdf"
    text = _text(path)
    assert "| Capital | Indonesia: Jakarta | Germany: Berlin | Austria: Vienna |" in text
    assert "Austria: 8,935,112 |" in text  # the footnote mark after the number is left out
    assert text.startswith("Example document\n\nBeautiful is better than ugly.")  # its heading


@pytest.mark.skipif(not (SHARED_EVAL / "pdfs").is_dir(), reason="../shared/eval is absent")
def test_a_table_of_contents_loses_its_leader_dots_and_keeps_pypdfs_spacing():
    """pdfium spaces LaTeX's "1.1" as "1 . 1" (the digit's box is narrow); cells take pypdf's
    text between their first and last characters."""
    path = SHARED_EVAL / "pdfs/py-pdf-sample-files/009-pdflatex-geotopo/GeoTopo-komprimiert.pdf"
    page = pdf.read(path.read_bytes(), ".pdf", 200)[3]
    assert " 1.1 Topologische Räume | 2 |" in page.text
    assert " 1.4 Zusammenhang | 11 |" in page.text and ". ." not in page.text


NEWS_PAGE = """<html><body style="font: 11pt serif"><h1>Harbour news</h1>
<div style="column-count: 2; text-align: justify">
<p>The harbour board met on Tuesday and agreed to dredge the eastern channel before the winter
storms. The work will take six weeks and cost about 1.2 million euros, paid from the port
reserve.</p>
<p>Fishermen asked the board to keep the northern berths open during the dredging. The harbour
master said two berths would stay open at all times, and that the ferry timetable would not
change.</p></div>
<table style="width: 60%"><tr><th align="left">Berth</th><th align="right">Length (m)</th>
<th align="right">Depth (m)</th></tr>
<tr><td>North 1</td><td align="right">120</td><td align="right">8.5</td></tr>
<tr><td>North 2</td><td align="right">95</td><td align="right">7</td></tr>
<tr><td>East</td><td align="right">210</td><td align="right">11.25</td></tr></table>
<table style="width: 45%; border-collapse: collapse" border="1">
<tr><th>Machine</th><th>Findings</th><th>Hours</th></tr>
<tr><td>Press 4</td><td>Hydraulic seal worn; replaced and pressure tested at 180 bar</td>
<td>6.5</td></tr>
<tr><td>Lathe 2</td><td>Spindle bearing noisy</td><td>3</td></tr>
<tr><td>Conveyor belt C</td><td>Two rollers replaced because of wear on the bearings</td>
<td>4.25</td></tr></table></body></html>"""


def _printed_by_chromium(tmp_path: Path, html: str) -> str:
    """The text docqa reads from `html` printed to PDF by Chromium, as a browser saves a page."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Chromium is not installed: sudo apt-get install chromium")
    (tmp_path / "page.html").write_text(html)
    pdf_path = tmp_path / "page.pdf"
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf_path}", str(tmp_path / "page.html")],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return " ".join(_text(pdf_path).split())


def test_a_web_page_printed_by_chromium(tmp_path):
    """Prose in two justified columns stays prose in its order (read as "cells" it would
    interleave its lines), an unruled table is named, and a ruled one right below it whose
    cells wrap over several lines is a table of its own that keeps them in their row."""
    text = _printed_by_chromium(tmp_path, NEWS_PAGE)
    assert "The harbour board met on Tuesday and agreed to dredge the eastern channel" in text
    assert "the ferry timetable would not change." in text
    assert "| Berth: North 2 | Length (m): 95 | Depth (m): 7 |" in text
    assert (
        "| Machine: Conveyor belt C | Findings: Two rollers replaced because of wear on the "
        "bearings | Hours: 4.25 |"
    ) in text


def test_a_statement_with_a_header_of_years_and_sections(tmp_path):
    """A financial statement: its header names years, and one-cell rows ("Expenses") part its
    sections; both belong to the table."""
    rows = "".join(
        f"<tr><td>{a}</td><td align=right>{b}</td><td align=right>{c}</td></tr>" if b else
        f"<tr><td colspan=3><b>{a}</b></td></tr>"
        for a, b, c in [("Revenue", "", ""), ("Product sales", "12,450", "11,020"),
                        ("Services", "3,210", "2,980"), ("Expenses", "", ""),
                        ("Salaries", "(4,120)", "(3,870)")]
    )  # fmt: skip
    text = _printed_by_chromium(tmp_path, (
        '<html><body style="font: 11pt sans-serif"><table style="width: 80%">'
        "<tr><th align=left>In thousands of euros</th><th align=right>2023</th>"
        f"<th align=right>2022</th></tr>{rows}</table><p>Figures are unaudited.</p></body></html>"
    ))  # fmt: skip
    assert "| In thousands of euros: Services | 2023: 3,210 | 2022: 2,980 |" in text
    assert "| Expenses | | In thousands of euros: Salaries | 2023: (4,120) |" in text
    assert text.endswith("| 2022: (3,870) | Figures are unaudited.")


def test_a_failing_layout_pass_keeps_the_text_pypdf_read(tmp_path, monkeypatch):
    path = tmp_path / "report.pdf"
    make_table_pdf(path, ["Spending by region.", BUDGET])

    def broken(text, lines):
        raise ZeroDivisionError("an odd page")

    monkeypatch.setattr(pdf, "with_tables", broken)
    text = _text(path)
    assert text.startswith("Spending by region.\nRegion Budget Spent Remaining\nEurope 1,200")


def _long_table_pdf(path: Path, repeat_header: bool) -> None:
    """A table of 70 rows over three pages, its header printed on the first page only (as Word
    prints one unless told to repeat it) or atop every page."""
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    document.set_font("Helvetica", size=11)
    rows = [(f"S-{n:03d}", f"Well {n % 7}", f"{n * 1.5:.1f}", f"2024-03-{n % 28 + 1:02d}")
            for n in range(70)]  # fmt: skip
    with document.table(text_align="LEFT", repeat_headings=int(repeat_header)) as table:
        for cells in [("Sensor", "Site", "Reading", "Checked"), *rows]:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    document.output(str(path))


@pytest.mark.parametrize("repeat_header", [False, True])
def test_a_table_going_on_over_page_breaks_keeps_every_row_and_its_header(tmp_path, repeat_header):
    """Before, the rows that open and close each page ("S-001 Well 1 1.5 2024-03-02", the same
    with numbers ignored) were left out as running heads and feet, and a page without the
    header had its rows unnamed."""
    path = tmp_path / "readings.pdf"
    _long_table_pdf(path, repeat_header)
    pages = pdf.read(path.read_bytes(), ".pdf", 10)
    assert len(pages) == 3
    text = "\n".join(page.text for page in pages)
    for n in range(70):
        assert f"| Sensor: S-{n:03d} | Site: Well {n % 7} | Reading: {n * 1.5:.1f} |" in text
