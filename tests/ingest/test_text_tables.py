"""Tables drawn in plain text: with pipes, or in columns lined up with spaces."""

from app.ingest.formats.text_tables import aligned_tables, pipe_tables, text_tables


def test_tables_drawn_with_pipes_are_named_rows_and_prose_with_a_pipe_is_not():
    note = (
        "Pick one | or the other.\n\n"
        "| Item | Qty |\n|:-----|---:|\n| Tent | 2 |\n| Stove \\| gas | 1 |\n\n"
        "Item | Who\n--- | ---\nStove | Tom\n\n"
        "| Dish | Price |\n| Soup | 4.50 |\n| Bread | 2.00 |\n"
        "| Cake | 3.25 |\nafter"
    )
    assert pipe_tables(note).split("\n") == [
        "Pick one | or the other.",
        "",
        "| Item | Qty |",
        "| Item: Tent | Qty: 2 |",
        "| Item: Stove / gas | Qty: 1 |",
        "",
        "| Item | Who |",
        "| Stove | Tom |",  # a label and its value, maybe: Word's rule (is_key_value)
        "",
        "| Dish | Price |",
        "| Dish: Soup | Price: 4.50 |",
        "| Dish: Bread | Price: 2.00 |",
        "| Dish: Cake | Price: 3.25 |",
        "after",
    ]
    assert pipe_tables("| one | row |\ntext") == "| one | row |\ntext"


def test_a_rule_of_dashes_is_judged_in_linear_time():
    """Lines of 50,000 spaces, pipes or dashes ending in a letter: a pattern that nests its
    repeats would take minutes on them."""
    hostile = "\n".join(["| a | b |", " " * 50_000 + "x", "|-" * 25_000 + "x", "-" * 50_000])
    assert pipe_tables(hostile).startswith("| a | b |\n  ")


SERVICE_BILL = """PARTS AND LABOUR
  Description                          Qty      Price
  Full service (labour, fixed price)   1      £165.00
  Oil 5W-20, litres                    4.1     £36.90
                                             --------
  TOTAL                                       £318.40

Payment:          Paid by debit card
MOT due:          2 August 2025"""

ERROR_CODES = """  Code   Meaning               What to do
  ----   -------------------   ------------------------------
  E01    Door not locked       Close the door firmly until it
                               clicks, then press Start.
  E03    Water not draining    Clean the drain pump filter."""


def test_columns_lined_up_with_spaces_are_named_rows():
    """Numbers set flush right, a rule of dashes, a title line above the table; the labels
    after it are left as they are (app.answer.tables reads them)."""
    assert aligned_tables(SERVICE_BILL).split("\n") == [
        "PARTS AND LABOUR",
        "| Description | Qty | Price |",
        "| Description: Full service (labour, fixed price) | Qty: 1 | Price: £165.00 |",
        "| Description: Oil 5W-20, litres | Qty: 4.1 | Price: £36.90 |",
        "| Description: TOTAL |  | Price: £318.40 |",
        "",
        "Payment:          Paid by debit card",
        "MOT due:          2 August 2025",
    ]


def test_a_cell_that_wraps_onto_lines_of_its_own_stays_one_cell():
    assert aligned_tables(ERROR_CODES).split("\n") == [
        "| Code | Meaning | What to do |",
        "| Code: E01 | Meaning: Door not locked | What to do: Close the door firmly until it"
        " clicks, then press Start. |",
        "| Code: E03 | Meaning: Water not draining | What to do: Clean the drain pump filter. |",
    ]


def test_prose_typed_with_two_spaces_after_a_stop_is_no_table():
    prose = [
        "The cat sat.  It was happy.\nDogs bark at.  Birds sing loudly.\nAll is well.",
        "Dear Ann,  thanks.\nSee you  soon.",
        "  indented line one\n  indented line two",
        "Hotel:         Casa do Largo\nCheck-out:     by 11:00\n  Room:        Double",
    ]
    for text in prose:
        assert text_tables(text) == text


def test_a_block_of_many_wide_lines_is_judged_in_linear_time_and_is_no_table():
    line = "word " * 2_000 + "  " + "x" * 50
    text = "\n".join([line] * 400)
    assert text_tables(text) == text
    # runs of spaces and dashes: a rule pattern with two repeats of dashes took 22 s on one
    ruled = "a  b\n" + " " * 20_000 + "-" * 20_000 + "x\n" + "-" * 50_000
    assert text_tables(ruled) == ruled
