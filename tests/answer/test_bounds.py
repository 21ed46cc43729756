"""The words beside a span that belong to its answer (app.answer.bounds)."""

import pytest

from app.answer.bounds import widened


@pytest.mark.parametrize(
    ("question", "text", "marked", "expected"),
    [
        # the whole of a word joined by hyphens
        ("How long is its warranty?", "It comes with a five-year warranty.", "five", "five-year"),
        ("Who ruled?", "The Anglo-Saxon kings ruled.", "Saxon", "Anglo-Saxon"),
        ("How many layers?", "It grew to seven-layer stacks.", "seven", "seven"),
        # a range of days, then of times, for a question asked when or what hours
        ("What hours do the restrictions apply?", "Controlled hours: Monday to Saturday 8:00am "
         "to 6:30pm, except bank holidays.", "Monday", "Monday to Saturday 8:00am to 6:30pm"),
        ("When is the office open?", "Open Mon - Fri, 9:00-17:30.", "Mon", "Mon - Fri, 9:00-17:30"),
        ("When is it open?", "Open 9am to 5pm daily.", "9am", "9am to 5pm"),
        ("What was built?", "Work ran Monday to Friday on a bridge.", "Monday", "Monday"),
        ("When was it built?", "Built from 1995 to 1998.", "1995", "1995"),
        # a mark with the noun the question asks which or what of
        ("which zone is the permit for", "A permit for Zone H bays.", "H", "Zone H"),
        ("what day do I add the hops", "On day 5 add the hops.", "5", "day 5"),
        ("How many crews did the club enter?", "The club entered 14 crews.", "14", "14"),
        ("which permit is it", "A permit for Zone H bays.", "H", "H"),
        # a length of time with the noun the question asks by
        ("how much notice do I need to give", "Give 28 days' written notice.", "28 days",
         "28 days' written notice"),
        ("How long is the notice?", "Two months\u2019 notice applies.", "Two months",
         "Two months\u2019 notice"),
        ("How long does it take?", "It takes 3 years' work.", "3 years", "3 years"),
        # brackets closed: the one just outside taken in, else the span cut at the open one
        ("How much deposit?", "Deposit: 25% (£2,235.00) now.", "25% (£2,235.00", "25% (£2,235.00)"),
        ("How much deposit?", "Deposit: 25% (£2,235.00) now.", "£2,235.00)", "(£2,235.00)"),
        ("Who wrote it?", "By Ann Lee (born 1901 in Leeds), a poet.", "Ann Lee (born 1901",
         "Ann Lee"),
    ],
)  # fmt: skip
def test_a_span_keeps_the_words_that_make_it_the_answer(question, text, marked, expected):
    start = text.index(marked)
    start, end = widened(question, text, start, start + len(marked))
    assert text[start:end] == expected
