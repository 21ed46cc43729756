"""Answers from spreadsheet rows: the cell where the row and the column the question names meet."""

import io

from app.answer.tables import best_cell, in_table_row, rows
from app.engine import Engine
from app.ingest.pipeline import ingest
from app.records import Passage
from tests.conftest import assert_verbatim

TWO_PERIODS = (
    "Results\n\n"
    "| In millions of CHF | | | January-June 2023 |\n"
    "| | Sales | Trading operating profit | Depreciation |\n"
    "| In millions of CHF: Zone EUR | Sales: 9467 | Trading operating profit: 1373 | "
    "January-June 2023 Depreciation: -414 |\n"
    "| In millions of CHF: Zone AOA | Sales: 9060 | Trading operating profit: 1985 | "
    "January-June 2023 Depreciation: -259 |\n"
    "| In millions of CHF: Zone EUR | Sales: 9283 | Trading operating profit: 1494 | "
    "January-June 2022 Depreciation: -401 |\n"
)


def _passage(text: str, n: int = 0) -> Passage:
    return Passage(id=n, source="results.xlsx", page=1, start=0, end=len(text), text=text, score=1)


def _idf(question: str) -> dict[str, float]:
    from app.answer.retrieval import content_words

    return dict.fromkeys(content_words(question), 1.0)


def _answer(question: str, *texts: str) -> str:
    found = best_cell([_passage(t, n) for n, t in enumerate(texts)], _idf(question))
    assert found is not None, question
    position, cell = found
    return texts[position][cell.start : cell.end]


def test_cells_are_parsed_with_their_headers_and_offsets():
    parsed = list(rows(TWO_PERIODS))
    assert [(c.header, c.value) for c in parsed[1]] == [
        ("", ""),
        ("", "Sales"),
        ("", "Trading operating profit"),
        ("", "Depreciation"),
    ]
    assert [(c.header, c.value) for c in parsed[2]][:2] == [
        ("In millions of CHF", "Zone EUR"),
        ("Sales", "9467"),
    ]
    assert all(TWO_PERIODS[c.start : c.end] == c.value for row in parsed for c in row)
    assert in_table_row(TWO_PERIODS, TWO_PERIODS.index("9467"))
    assert not in_table_row(TWO_PERIODS, 2)  # the title "Results"


def test_the_row_and_the_column_the_question_names():
    assert _answer("What were the sales of Zone EUR in January-June 2023?", TWO_PERIODS) == "9467"
    assert _answer("Sales of Zone EUR in January-June 2022?", TWO_PERIODS) == "9283"
    assert _answer("Trading operating profit of Zone AOA?", TWO_PERIODS) == "1985"
    assert _answer("What was the depreciation of Zone AOA?", TWO_PERIODS) == "-259"


def test_the_cell_that_names_the_row_is_not_the_answer():
    table = (
        "| Abbreviation | Question Type |\n"
        "| Abbreviation: ORD | Question Type: Ordering |\n"
        "| Abbreviation: ESS | Question Type: Essay |\n"
    )
    assert _answer("What question type does the abbreviation ORD stand for?", table) == "Ordering"
    assert _answer("What is the abbreviation for the Essay question type?", table) == "ESS"


def test_no_cell_without_a_row_and_a_header_the_question_names():
    assert best_cell([_passage(TWO_PERIODS)], _idf("Who founded the company?")) is None
    prose = "Zone EUR sales were 9467 million francs in the first half."
    assert best_cell([_passage(prose)], _idf("What were the sales of Zone EUR?")) is None


def _workbook() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Segments"
    sheet.append(["Revenue and results"])
    sheet.append([])
    sheet.append(["In millions of CHF", None, None, "January-June 2023"])
    sheet.append([None, "Sales", "Trading operating profit", "Depreciation"])
    sheet.append([])
    for zone, sales, profit, depreciation in [
        ("Zone NA", 12553, 2632, -337),
        ("Zone EUR", 9467, 1373, -414),
        ("Zone AOA", 9060, 1985, -259),
    ]:
        sheet.append([zone, sales, profit, depreciation])
    sheet.append([])
    sheet.append(["In millions of CHF", None, None, "January-June 2022"])
    sheet.append([None, "Sales", "Trading operating profit", "Depreciation"])
    for zone, sales, profit, depreciation in [
        ("Zone NA", 12138, 1829, -330),
        ("Zone EUR", 9283, 1494, -401),
    ]:
        sheet.append([zone, sales, profit, depreciation])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_spreadsheet_question_gets_its_cell_verbatim(settings, real_embedder):
    (settings.corpus / "results.xlsx").write_bytes(_workbook())
    (settings.corpus / "notes.txt").write_text("The board meets every second Tuesday in Zurich.")
    ingest(settings, embedder=real_embedder)
    engine = Engine(settings)
    engine.embedder = real_embedder
    for question, expected in [
        ("What were the sales of Zone EUR in January-June 2023?", "9467"),
        ("What was the trading operating profit of Zone AOA in January-June 2023?", "1985"),
        ("What were the sales of Zone EUR in January-June 2022?", "9283"),
        ("What was the depreciation of Zone NA in January-June 2022?", "-330"),
    ]:
        answer = engine.ask(question)
        assert answer.answer == expected, question
        assert answer.citations[0].source == "results.xlsx"
        assert answer.citations[0].location.startswith("sheet Segments, rows")
        assert_verbatim(answer, engine.reader())
