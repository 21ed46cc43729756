"""Dates written in digits are named by a question that spells them: "4 march" is "04/03/2025"."""

from app.answer.dates import date_words


def test_a_date_in_digits_is_named_by_its_day_and_month_together():
    assert date_words(["piano", "4", "march"], "Date: 04/03/2025") == ["4", "march"]
    assert date_words(["4th", "mar"], "2025-03-04") == ["4th", "mar"]
    assert date_words(["19th", "july"], "Arrival 19.07.25") == ["19th", "july"]
    assert date_words(["4"], "04/03/2025") == []  # a day alone names no date
    assert date_words(["march"], "04/03/2025") == []
    assert date_words(["5", "march"], "04/03/2025") == []


def test_a_date_that_reads_both_ways_is_named_either_way():
    """03/04 is 3 April in Britain and March 4 in the United States."""
    assert date_words(["3", "april"], "03/04/2025") == ["3", "april"]
    assert date_words(["march", "4"], "03/04/2025") == ["4", "march"]
    assert date_words(["25", "december"], "12/25/2024") == ["25", "december"]  # one way only


def test_numbers_that_are_no_dates_name_none():
    for text in ("version 3.10.2", "1.2.3", "31/31/2020", "0.45/1/2", "2025-13-01", "£4.03.25"):
        assert date_words(["3", "4", "march", "october", "january", "1st"], text) == [], text
