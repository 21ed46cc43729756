"""Where a table row's or a label's cell starts and ends (app.answer.cells)."""

import pytest

from app.answer.cells import in_header_row, in_table_row, rows, within_cell, without_aside
from app.answer.label_lines import label_lines
from tests.answer.test_tables import MILESTONES, TWO_PERIODS


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


def test_a_header_row_is_never_an_answer_and_named_rows_are():
    assert in_header_row(MILESTONES, MILESTONES.index("Owner |"))
    assert not in_header_row(MILESTONES, MILESTONES.index("Priya"))
    assert not in_header_row(MILESTONES, MILESTONES.index("Falcon"))
    assert not in_header_row("| Sponsor | Helen Brooks |\n| Vendor | Contoso |\n", 3)


@pytest.mark.parametrize(
    ("question", "line", "expected"),
    [
        ("Garden waste subscription 2026 price?",
         "Garden waste subscription 2026: £52.00 per year (renew before 31/01/2026)",
         "£52.00 per year"),
        ("Who is the optometrist?", "Optometrist: Hamid Rosewarne (GOC 01-38842)",
         "Hamid Rosewarne"),
        ("When is the claims line open?", "Claims line: 01632 960 119 (Monday to Friday)",
         "01632 960 119 (Monday to Friday)"),
        ("What is the GOC number of the optometrist?",
         "Optometrist: Hamid Rosewarne (GOC 01-38842)", "Hamid Rosewarne (GOC 01-38842)"),
    ],
)  # fmt: skip
def test_a_values_closing_aside_is_left_out_unless_the_question_asks_by_it(
    question, line, expected
):
    start = line.index(": ") + 2
    start, end = without_aside(question, line, start, len(line))
    assert line[start:end] == expected


def test_a_span_that_runs_from_a_labels_value_into_the_next_label_ends_with_its_line():
    form = "Flight:    TP 1357, TAP Air Portugal\n  Depart:    London Heathrow, 07:25\nafter"
    start = form.index("TP")
    assert (
        form[slice(*within_cell(form, start, form.index("07:25")))] == "TP 1357, TAP Air Portugal"
    )
    prose = "Note: the boiler must be serviced\nevery year."
    start = prose.index("the")
    assert within_cell(prose, start, len(prose)) == (start, len(prose)), "wrapped prose"


def test_label_lines_are_read_in_linear_time():
    """A label and 200,000 spaces: the pattern before let the spaces after the colon start the
    value, and took seconds at 30,000 and minutes at this length."""
    fields = "Note: a" + ", b: c" * 40_000
    hostile = "Fee:" + " " * 200_000 + "\n" + fields + "\n\nTel: 1\nFax: 2"
    assert [cells[0].value for cells in label_lines(hostile)] == ["Tel", "Fax"]
    assert within_cell(fields, 6, len(fields)) == (6, 7)


def test_a_span_in_a_table_row_is_the_value_of_one_cell():
    text = (
        "Contacts\n\n| Contract number | NW-2291-B |\n| Phone | +44 20 7946 0958 |\n"
        "| Owner: Priya Raman | Due date: 2024-06-01 | Status: Not started yet |"
    )

    def cut(span: str) -> str:
        start = text.index(span)
        found = within_cell(text, start, start + len(span))
        return text[found[0] : found[1]]

    assert cut("NW-2291-B |\n| Phone") == "NW-2291-B"  # never across rows
    assert cut("| Phone") == "Phone"
    assert cut("Owner: Priya Raman") == "Priya Raman"  # the value, not its header
    assert cut("44 20 7946 0958") == "+44 20 7946 0958"  # what is left holds no letter
    assert cut("2024") == "2024-06-01"
    assert cut("NW-2291") == "NW-2291"  # "-B" holds a letter: the reader's span stands
    assert cut("Not started") == "Not started"
    assert cut("Contacts\n\n| Contract") == "Contacts", "begins outside: ends before the table"
