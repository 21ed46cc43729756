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
        # whole words and numbers, never a piece of one
        ("when's the wine case being delivered", "Delivery:  Thursday 13 March 2025, 7am to "
         "7pm", "3 March 2025", "Thursday 13 March 2025"),
        ("Who signed?", "Signed by Harriet Okonjo-Bell.", "riet Okonjo", "Harriet Okonjo-Bell"),
        # a reference whole, even where the question names its first part
        ("BSS certificate number?", "Certificate BSS-4127-250909-KD, valid", "4127-250909-KD",
         "BSS-4127-250909-KD"),
        ("hr reference for my absence", "Quote HR/ABS/20931.", "ABS/20931", "HR/ABS/20931"),
        ("How many years?", "A 5-year lease.", "5", "5"),
        # a year with its date, unless a year is asked for
        ("whats the last date to renew", "Renew by 31 March 2025 online.", "2025",
         "by 31 March 2025"),
        ("When is the apple pressing day?", "Pressing: Saturday 11 October 2025.", "2025",
         "Saturday 11 October 2025"),
        ("When did it open?", "It opened on May 5, 2025 at noon.", "2025", "May 5, 2025"),
        ("What year did it open?", "It opened on 5 May 1921.", "1921", "1921"),
        ("When did it open?", "It opened in 1921, in May.", "1921", "1921"),
        # a name with the capitalised words before it in its sentence
        ("who has our spare keys?", "- [ ] Spare keys - Sue Tennant has ours", "Tennant",
         "Sue Tennant"),
        ("Who's bringing the grill?", "Grill: Uncle Bertil", "Bertil", "Uncle Bertil"),
        ("Who called?", "It rained. Yesterday Tennant called.", "Tennant", "Tennant"),
        ("Who called?", "Rang on Monday Tennant said yes.", "Tennant", "Tennant"),
        ("Who called?", "Yesterday Tennant called.", "Tennant", "Tennant"),
        ("Who rang?", "Told Maya Junior Sunil Marchant.", "Marchant", "Maya Junior Sunil Marchant"),
        ("Who called?", "Notes\n- Called Tennant back", "Tennant", "Tennant"),
        ("Who called?", "Notes\n2. Called Tennant back", "Tennant", "Tennant"),
        ("Who scored?", "It was the Super Bowl. Manning threw it.", "Manning", "Manning"),
        ("Who?", "It is Jacksonville's Filipino community.", "Filipino", "Filipino"),
        ("Who treated her?", "She saw Dr. Okafor twice.", "Okafor", "Dr. Okafor"),
        ("What's the PCSO's name?", "Contact PCSO Daniel Osei on", "Daniel Osei", "Daniel Osei"),
        ("when's the payout due?", "Payout: Expected Wed 17 June 2026", "Wed 17 June 2026",
         "Wed 17 June 2026"),
        ("which hotel are we at", "Stay: Hotel Mirador del Puerto, Calle", "Mirador del Puerto",
         "Hotel Mirador del Puerto"),
    ],
)  # fmt: skip
def test_a_span_keeps_the_words_that_make_it_the_answer(question, text, marked, expected):
    start = text.index(marked)
    start, end = widened(question, text, start, start + len(marked))
    assert text[start:end] == expected
