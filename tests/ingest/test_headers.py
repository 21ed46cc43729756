"""A document table's rows: named by the header over them, or kept as they are."""

from app.ingest.formats.headers import is_key_value, table_blocks
from app.ingest.formats.text import html_text


def _lines(rows: list[list[str]]) -> list[str]:
    return [text for _, text in table_blocks(rows)]


def test_a_table_under_a_header_names_each_value_by_its_column():
    rows = [["Region", "Budget", "Spent"], ["Asia", "800", "820"], ["Europe", "1,200", "950"]]
    assert _lines(rows) == [
        "| Region | Budget | Spent |",
        "| Region: Asia | Budget: 800 | Spent: 820 |",
        "| Region: Europe | Budget: 1,200 | Spent: 950 |",
    ]


def test_a_header_of_years_names_the_columns_below_it():
    rows = [["In thousands of euros", "2023", "2022"], ["Services", "3,210", "2,980"]]
    assert _lines(rows)[1] == "| In thousands of euros: Services | 2023: 3,210 | 2022: 2,980 |"
    dates = [["Founded", "1998"], ["Listed", "2004"], ["Moved", "2011"]]  # one year a row
    assert _lines(dates) == ["| Founded | 1998 |", "| Listed | 2004 |", "| Moved | 2011 |"]


def test_labels_and_their_values_are_kept_as_they_are():
    labels = [["Sponsor", "Helen Brooks"], ["Vendor", "Northwind"], ["Phone", "+44 20 7946"]]
    assert is_key_value(labels)
    assert _lines(labels) == ["| Sponsor | Helen Brooks |", "| Vendor | Northwind |",
                              "| Phone | +44 20 7946 |"]  # fmt: skip
    assert is_key_value([["Country", "Capital"], ["France", "Paris"]])  # two text columns
    assert not is_key_value([["Region", "Budget"], ["Asia", "800"], ["Europe", "1,200"]])
    assert not is_key_value([["Item", "Cost", "Owner"], ["Desk", "120", "Ana"]])


def test_a_table_that_lays_out_paragraphs_keeps_its_rows():
    intro = "We are a small team of engineers who build tools that run on your own machine."
    assert _lines([[intro, "Contact"], ["x", "2"], ["y", "3"]]) == [
        f"| {intro} | Contact |",
        "| x | 2 |",
        "| y | 3 |",
    ]


def test_empty_rows_and_tables_give_no_lines():
    assert _lines([]) == []
    assert _lines([["", ""], ["", ""]]) == []


def test_html_data_tables_are_named_rows_and_layout_tables_stay_text():
    page = (
        "<table><caption>Rooms</caption><tr><th>Session</th><th>Room</th></tr>"
        "<tr><td>Keynote</td><td>Hall <b>A</b></td></tr><tr><td>Panel</td><td>B12</td></tr>"
        "</table><table><tr><td><p>Welcome to our newsletter. " + "Words " * 40 + "</p></td>"
        "<td>Side</td></tr><tr><td>x</td><td>y</td></tr></table>"
        "<table><tr><td><table><tr><td>in</td><td>ner</td></tr><tr><td>1</td><td>2</td></tr>"
        "</table></td><td>outer</td></tr></table>"
    )
    text = html_text(page)
    assert "Rooms\n\n| Session | Room |\n| Session: Keynote | Room: Hall A |\n" in text
    assert "| Session: Panel | Room: B12 |" in text
    assert "Welcome to our newsletter." in text and "| Welcome" not in text, "a layout table"
    assert "| in | ner |\n| in: 1 | ner: 2 |" in text and "| outer" not in text
    loose = html_text("<table><td>Kind</td><td>Value</td><tr><td>x</td><td>1</td></tr></table>")
    assert loose == "| Kind | Value |\n| Kind: x | Value: 1 |", "cells outside a <tr>, once"


def test_an_html_table_of_row_headers_is_labels_and_their_values():
    """Each row named by its own `<th>`: no row is a header over the others."""
    page = (
        "<table><tr><th>Guests</th><td>2 adults, 1 child</td></tr>"
        "<tr><th>Total paid</th><td>&pound;486.00</td></tr></table>"
    )
    assert html_text(page) == "| Guests | 2 adults, 1 child |\n| Total paid | £486.00 |"


def test_a_definition_lists_terms_are_labels_of_their_values():
    """A term that is a label reads as a form's label line; a question stays a line."""
    page = (
        "<dl><dt>Booking reference</dt><dd>LC-4471</dd><dt>Check-in:</dt><dd>from 3pm</dd>"
        "<dt>Phone</dt><dd>0117 496 0021</dd><dd>0117 496 0022</dd>"
        "<dt>Do I need my receipt?</dt><dd>No. Proof of purchase is not needed.</dd></dl>"
    )
    assert html_text(page) == (
        "Booking reference: LC-4471\nCheck-in: from 3pm\nPhone: 0117 496 0021\n0117 496 0022\n"
        "Do I need my receipt?\nNo. Proof of purchase is not needed."
    )
