"""A workbook's numbers and dates read as the sheet shows them: "£62.50", not 62.5."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ingest.formats.headers import is_value
from app.ingest.formats.number_formats import Shown, shown

ACCOUNTING = '_(* #,##0_);_(* \\(#,##0\\);_(* "—"_);_(@_)'


@pytest.mark.parametrize(
    ("value", "number_format", "expected"),
    [
        (62.5, '"£"#,##0.00', "£62.50"),
        (1234.5, "[$£-809]#,##0.00", "£1,234.50"),
        (1234.5, "#,##0.00 [$€-1]", "1,234.50 €"),
        (2.675, "0.00", "2.68"),  # half away from zero, as Excel rounds
        (0.125, "0.0%", "12.5%"),
        (-81, "#,##0\\ ;\\(#,##0\\)", "(81)"),
        (9060, ACCOUNTING, "9,060"),
        (-5.5, "$#,##0.00_);[Red]($#,##0.00)", "($5.50)"),
        (2.5, '0.00 "kg"', "2.50 kg"),
        (dt.datetime(2025, 4, 28), "dd/mm/yyyy", "28/04/2025"),
        (dt.datetime(2025, 4, 28), "[$-F800]dddd, mmmm dd, yyyy", "Monday, April 28, 2025"),
        (dt.datetime(2025, 4, 28, 14, 0), "m/d/yy h:mm", "4/28/25 14:00"),
        (dt.time(17, 0), "h:mm AM/PM", "5:00 PM"),
        (dt.time(9, 5, 7), "hh:mm:ss", "09:05:07"),
    ],
)
def test_a_cell_reads_as_its_format_shows_it(value, number_format, expected):
    assert shown(value, number_format) == expected


@pytest.mark.parametrize(
    ("value", "number_format"),
    [
        (1e6, "0.00E+00"),  # scientific notation
        (0.5, "# ?/?"),  # a fraction
        (5, "[<100]0;0.0"),  # a condition
        (12_500_000, '#,##0.0,,"M"'),  # a scale, in millions
        (dt.date(2025, 4, 28), "[" * 20_000),  # longer than Excel allows
        (dt.time(1, 30), "[h]:mm"),  # an elapsed time
        (3.0, "General"),
        (True, "0"),
        ("text", "0.00"),
    ],
)
def test_formats_not_read_here_keep_the_stored_value(value, number_format):
    assert shown(value, number_format) is value


def test_a_shown_number_or_date_is_still_a_value_under_its_header():
    """A row of them is no header row, though they are text now."""
    assert isinstance(shown(dt.datetime(2025, 4, 28), "dddd d mmmm"), Shown)
    assert is_value(shown(dt.datetime(2025, 4, 28), "dddd d mmmm"))
    assert not is_value("Monday 28 April")


_FORMAT_CHARACTERS = '#0,.%"$£[]-;_*\\/?Eeymdhs AM/PMa/p@'
_VALUES = st.sampled_from(
    [1.5, -3, 0, 1e20, 12345.678, float("nan"), dt.date(2025, 1, 2), dt.time(13, 5),
     dt.datetime(2025, 1, 2, 3, 4, 5)]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.text(_FORMAT_CHARACTERS, min_size=1, max_size=24), _VALUES)
def test_any_format_a_damaged_file_holds_gives_text_or_the_stored_value(number_format, value):
    """A lone backslash at a format's end raised IndexError and lost the whole workbook."""
    read = shown(value, number_format)
    assert read is value or isinstance(read, Shown)
