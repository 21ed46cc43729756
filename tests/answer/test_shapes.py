"""Answers in the shape their question asks for: a number, an address, a sentence, not a heading."""

import dataclasses

import pytest

from app.answer.shapes import (
    answer_span,
    lacks_thing_asked,
    sentence_answers,
    shaped,
)
from app.records import Passage
from tests.answer.test_answering import ScriptedReader, _passages


@pytest.mark.parametrize(
    ("question", "answer", "expected"),
    [
        ("What is the fax number of Hotspring Heating?", "bookings@hotspring.example", False),
        ("What is the fax number of Hotspring Heating?", "+44 20 7946 0958", True),
        ("What is the phone number of the office?", "95", False),
        ("What is the fax number of Mallori Harrell?", "Fri, 23 Dec 2022 12:08:48 -0600", False),
        ("What is their phone?", "555-0134", True),
        ("What is the phone number of the claims line?", "HX-4471-2290", False),  # a code
        ("What is the phone no. of the office?", "(020) 7946-0958", True),
        ("What is Tom's e-mail address?", "Tom Becker", False),
        ("What is Tom's email address?", "tom@example.org", True),
        ("Who answered the phone?", "Tom Becker", True),
        ("What does the boiler service cost?", "95 pounds", True),
        ("number to ring about the kettle recall", "Register", False),
        ("What number do I ring to pay by card?", "0345 602 8815", True),
        ("Who should I call about the number plate?", "DVLA", True),
        ("emergency vet number at night", "C-044182", False),  # the client's reference
        ("emergency vet number at night", "01632 884 999", True),
        ("What is the emergency number in Europe?", "112", True),
        ("number to rearrange the smart meter appointment", "CB-00927315", False),
        ("How many emergency numbers are there?", "two", True),
        ("What is the reference number?", "CB-00927315", True),
    ],
)
def test_an_answer_has_the_shape_its_question_asks_for(question, answer, expected):
    start, end = shaped(question, answer, 0, len(answer))
    assert (end > start) is expected


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        (
            "What is the agent's phone number?",
            "Keyline Lettings, on 0117 496 0123 within",
            "0117 496 0123",
        ),
        ("What is the fax number?", "Call +44 20 7946 0958 (fax)", "+44 20 7946 0958"),
        ("What number do I call?", "line on 0800 046 1829 (8am-8pm, Mon-Sat)", "0800 046 1829"),
        ("What is Tom's email address?", "Tom Becker <tom@example.org>", "tom@example.org"),
    ],
)
def test_a_number_or_address_asked_for_is_cut_from_the_span_around_it(question, text, expected):
    start, end = shaped(question, text, 0, len(text) - 3)
    assert text[start:end] == expected


@pytest.mark.parametrize(
    ("text", "marked", "expected"),
    [
        ("Storage is charged at £2 per day after 7 days.", "£2", "£2 per day"),
        ("Dogs are welcome at £15 per dog per night.", "£15", "£15 per dog per night"),
        ("Matted coats are £15 per 15 minutes.", "£15", "£15 per 15 minutes"),
        ("Gift Aid adds 25p for every £1 you give.", "25p", "25p for every £1"),
        ("We pay £9.76 for each calendar day it is down.", "£9.76", "£9.76 for each calendar day"),
        ("It is £5 for every person you invite.", "£5", "£5 for every person"),
        (
            "The rent is 1,350 pounds per calendar month.",
            "1,350 pounds",
            "1,350 pounds per calendar month",
        ),
        ("Interest is fixed at 7.9 percent a year.", "7.9 percent", "7.9 percent a year"),
        ("Replacement keys are £5 each.", "£5", "£5 each"),
        ("In 2019 a new law was passed.", "2019", "2019"),
        ("The final exam is worth 25% of the grade.", "25%", "25%"),
    ],
)
def test_an_amount_keeps_the_rate_after_it(text, marked, expected):
    """Held out 7: "£2" answered what storage costs, "£5" what marking a bike costs."""
    start = text.index(marked)
    span = text[slice(*shaped("How much is it?", text, start, start + len(marked)))]
    assert span == expected


@pytest.mark.parametrize(
    ("text", "marked", "expected"),
    [
        ("Deposits are returned within 10 days of the end.", "10 days", "within 10 days"),
        ("Give at least four weeks' notice.", "four weeks", "at least four weeks"),
        ("You may renew a book up to 3 times.", "3", "up to 3"),
        ("It connects more than 100 universities.", "100", "more than 100"),
        ("Children under 12 must wear life jackets.", "12", "under 12"),
        ("It drew over 100 visitors.", "100", "100"),  # SQuAD's annotators left "over" out
        ("Stay at home until 48 hours after the last episode.", "48 hours", "until 48 hours"),
        ("We leave on Friday 13 June.", "13 June", "Friday 13 June"),
        ("The packers come Thu 18 Apr.", "18 Apr", "Thu 18 Apr"),
        ("Check out by 11:00 on the last day.", "11:00", "by 11:00"),
        ("Fees are paid by the 5th of the month.", "5th of the month", "by the 5th of the month"),
        ("Rooms are ready from 4pm.", "4pm", "from 4pm"),
        # "by" and "from" before a year or an amount, and words that round, are left out
        ("By 1985 the network had grown.", "1985", "1985"),
        ("Prices rose by 70% in a year.", "70%", "70%"),
        ("Rates rose by 12.50% in a year.", "12.50%", "12.50%"),
        ("It had about 6,000 visitors.", "6,000", "6,000"),
        ("The hall was built by Thomas Ardley.", "Thomas Ardley", "Thomas Ardley"),
    ],
)
def test_a_quantity_or_a_date_keeps_the_words_that_bound_it(text, marked, expected):
    """The reader marked "10 days" of "within 10 days", "13 June" of "Friday 13 June"."""
    start = text.index(marked)
    assert text[slice(*shaped("When is it?", text, start, start + len(marked)))] == expected


@pytest.mark.parametrize(
    ("question", "marked", "expected"),
    [
        ("Where is the check-up?", "12 Quay Street", "Harbour Dental, 12 Quay Street, Bristol"),
        ("Where is the check-up?", "Harbour Dental", "Harbour Dental, 12 Quay Street, Bristol"),
        ("Who is the dentist?", "Dr Hamid", "Dr Hamid"),  # asked who: the reader's span
        ("Where do I park?", "Dr Hamid", "Dr Hamid"),  # a label that names no place
        ("When is half term?", "Monday 27 October", "Monday 27 October to Friday 31 October"),
    ],
)
def test_a_place_or_a_date_asked_for_is_all_of_its_labels_value(question, marked, expected):
    """The reader marked the street of a calendar's "Location: ..." without its town, and a
    holiday's first day alone."""
    text = "Date: Tuesday 14 October 2025\nLocation: Harbour Dental, 12 Quay Street, Bristol\n"
    text += "Dentist: Dr Hamid\nHalf term dates: Monday 27 October to Friday 31 October\n"
    start = text.index(marked)
    assert text[slice(*shaped(question, text, start, start + len(marked)))] == expected


def test_a_passage_without_the_number_asked_for_gives_no_answer():
    from app.answer.answering import extract_answer

    passages = _passages("- From: Hotspring Heating <bookings@hotspring.example>\n- To: Dan")
    reader = ScriptedReader([("bookings", 9.0), ("Hotspring Heating", 8.0)])
    answer = extract_answer(reader, "What is the fax number of Hotspring Heating?", passages)
    assert answer.answer is None
    other = extract_answer(reader, "Where do bookings go?", passages)
    assert other.answer == "bookings@hotspring.example", "the whole address, not 'bookings'"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Is the travel budget frozen?", True),
        ("Does the boiler service include VAT?", True),
        ("Didn't they pay the invoice?", True),
        ("Were the flights booked?", True),
        ("Is corporal punishment increasing or declining?", False),  # a choice: a span answers
        ("Can you tell me who sent it?", False),
        ("What is the late fee?", False),
        ("Island hotels: which is cheapest?", False),
        ("What should I do if the flow is slow?", True),
        ("What do we do when the alarm sounds?", True),
        ("What did the committee do in March?", False),
        ("How do I submit a meter reading?", True),
        ("How does photosynthesis work?", False),
        ("I forgot my tablet yesterday, should I take two today?", True),  # its last clause
        ("If the alarm sounds, what should I do?", True),
        ("In 1990, who won the cup?", False),
        ("Is it true that in 1990, the team won?", True),
    ],
)
def test_a_question_asked_yes_or_no_or_what_to_do_is_told_from_others(question, expected):
    assert sentence_answers(question) is expected


def test_a_yes_or_no_question_is_answered_by_the_sentence_that_states_it():
    """The reader, which SQuAD taught no yes-or-no questions, marks any phrase near the answer:
    "Hi" or the date for "Is release 2.4 a go?"."""
    from app.answer.answering import extract_answer

    text = "Hi,\n\nRelease 2.4 is a go. Deployment starts Saturday at 02:00 UTC.\n\nKenji"
    passages = _passages(text)
    reader = ScriptedReader([("Hi", 9.0), ("Saturday", 8.0)])
    idf = {"release": 2.0, "2.4": 3.0, "go": 1.0}
    answer = extract_answer(reader, "Is release 2.4 a go?", passages, idf)
    assert answer.answer == answer.sentence == "Release 2.4 is a go."
    assert [c.snippet[c.answer_start : c.answer_end] for c in answer.citations] == [
        "Release 2.4 is a go."
    ], "one citation of the sentence, not one per span the reader marked in it"
    # asked when, the reader's next span says when ("Hi" does not), with its time of day
    answer = extract_answer(reader, "When does deployment start?", passages, idf)
    assert answer.answer == "Saturday at 02:00 UTC"


@pytest.mark.parametrize(
    ("question", "text", "marked", "expected"),
    [
        ("When is the review?", "moved to Thursday at 10:00 in room 4.12.", "Thursday",
         "Thursday at 10:00"),
        ("When does it start?", "It starts Saturday at 02:00 UTC.", "Saturday",
         "Saturday at 02:00 UTC"),
        ("What time is the call?", "The call is on Friday at 8 a.m. sharp.", "Friday",
         "Friday at 8 a.m."),
        ("When is it?", "We meet on Friday at 10 places.", "Friday", "Friday"),
        ("Where is the review?", "Room 4.12 on Thursday at 10:00.", "Thursday", "Thursday"),
        ("What is the fax number?", "Call 020 7946 0958 or mail a@b.org", "a@b.org", ""),
        ("When was 4.2 released?", "Version 4.2 – 3 April 2025", "April 2025", "3 April 2025"),
        ("When is it?", "On Tuesday 13 May 2025 at 7pm", "May 2025", "Tuesday 13 May 2025 at 7pm"),
        ("when is the appointment", "for Thursday 6 November 2025 at 3.40pm with Dr Raman.",
         "Thursday 6 November 2025", "Thursday 6 November 2025 at 3.40pm"),
        ("When does it start?", "It starts on 3 May at 2.50 metres.", "3 May", "3 May"),
        ("When is it?", "item 3 may be late", "may be late", "may be late"),
    ],
)  # fmt: skip
def test_a_span_takes_the_shape_its_question_asks_for(question, text, marked, expected):
    start = text.index(marked)
    start, end = shaped(question, text, start, start + len(marked))
    assert text[start:end] == expected


def test_a_passage_whose_best_spans_are_no_answers_still_offers_its_next_ones():
    """The reader's five best spans of a passage all lay in its heading: it gave no candidate."""
    from app.answer.answering import extract_answer

    passages = _passages("Guide\n\nTroubleshooting\n\nIf the flow is slow, check the inlet valve.")
    in_heading = ["Troubleshooting", "Troubles", "Trouble", "shooting", "Troubleshoot"]
    reader = ScriptedReader(
        [*((w, 9.0 - n / 10) for n, w in enumerate(in_heading)), ("the inlet valve", 5.0)]
    )
    answer = extract_answer(reader, "Where is the flow checked?", passages, {"flow": 1.0})
    assert answer.answer == "the inlet valve"


@pytest.mark.parametrize(
    ("question", "text", "marked", "expected"),
    [
        ("What should I do if the flow is slow?",
         "# Guide\n\n## Troubleshooting\n\nIf the flow is slow", "Troubleshooting", ""),
        ("What will be discussed in September?", "It will be discussed in September.\n\n"
         "Action items\n\n| Action | Owner |", "Action items", ""),
        ("When did the committee meet?",
         "Notes\n\nMinutes of the Committee, 14 March 2024\n\nPresent: Anna", "14 March 2024",
         "14 March 2024"),  # a heading holding the question's words
        ("What is the subject?", "Hi\n\nTeam offsite in Lisbon\n\n- From: Priya",
         "Team offsite in Lisbon", "Team offsite in Lisbon"),  # a title is asked for
        ("Who wrote about the budget?", "The budget is frozen.\n\nMaria", "Maria", "Maria"),
        ("Who is the guide for?", "AquaPure 300 water filter\n\nFor home use.", "AquaPure 300",
         "AquaPure 300"),  # a page's first line is its title, not a section's heading
        ("What is a fundamental goal of the Bankruptcy Code?", "Duties.\n\n1. AVOIDANCE "
         "POWERS\n\nA fundamental goal of the Bankruptcy Code is", "AVOIDANCE POWERS", ""),
        ("What is the first step?", "Steps.\n\n1. Close the inlet valve\n\n2. Open it",
         "Close the inlet valve", "Close the inlet valve"),  # a list item, not a heading
    ],
)  # fmt: skip
def test_a_span_in_a_heading_on_another_topic_is_no_answer(question, text, marked, expected):
    passage = _passages(text)[0]
    passage = dataclasses.replace(passage, start=0)
    start = text.index(marked)
    start, end = answer_span(question, passage, start, start + len(marked))
    assert text[start:end] == expected
    later = dataclasses.replace(passage, start=500)  # the passage's first line is no page's
    if text.startswith(marked):
        start = text.index(marked)
        assert answer_span(question, later, start, start + len(marked)) == (start, start)


@pytest.mark.parametrize(
    ("question", "source", "expected"),
    [
        ("what time does my train leave kings cross", "booking.eml", False),
        ("When was the booking sent?", "booking.eml", True),  # asks for the header
        ("what time is on the email", "booking.eml", True),  # names the message
        ("what time does my train leave", "form.md", True),  # a list, not an e-mail
    ],
)
def test_the_date_an_email_was_sent_answers_only_questions_about_sending(
    question, source, expected
):
    text = "Your booking\n\n- From: Northway Rail\n- Date: Mon, 02 Jun 2025 21:14\n\nHi Ben,"
    passage = dataclasses.replace(_passages(text)[0], source=source)
    start = text.index("21:14")
    start, end = answer_span(question, passage, start, start + len("21:14"))
    assert ("21:14" in text[start:end]) == expected


def test_a_span_over_a_sentences_end_ends_with_its_sentence():
    """The reader marked "45 euros. Alcohol is not" for "Is alcohol reimbursed?", and the
    answer became two sentences."""
    from app.ingest.sentences import sentence_spans

    text = "The daily meal allowance is 45 euros. Alcohol is not reimbursed."
    passage = dataclasses.replace(_passages(text)[0], start=0, sentences=sentence_spans(text))
    start = text.index("45 euros")
    across = answer_span("Is alcohol reimbursed?", passage, start, text.index("reimbursed") - 1)
    assert text[slice(*across)] == "45 euros"
    into = answer_span("What is it?", passage, 0, text.index("Alcohol") + 7)
    assert text[slice(*into)] == "The daily meal allowance is 45 euros"
    inside = answer_span("What is the allowance?", passage, start, start + len("45 euros"))
    assert text[slice(*inside)] == "45 euros"
    wow = "Wow!!! Then more."  # a span from inside the marks that end a sentence: none left
    wowed = dataclasses.replace(passage, text=wow, end=len(wow), sentences=sentence_spans(wow))
    nothing = answer_span("What?", wowed, 4, 12)
    assert nothing[0] == nothing[1]


def test_a_time_asked_for_comes_from_a_forms_label_when_the_reader_marks_only_dates():
    """The reader marked the date and the line under it; cut to the date's line, that span
    holds no time, and the form's "Time" line answers."""
    from app.answer.answering import extract_answer

    passages = _passages("Your appointment:\nDate: Tuesday 18 March 2025\nTime: 10:40\nRoom: 4")
    reader = ScriptedReader([("Tuesday 18 March 2025\nTime: 10:40", 9.0), ("18 March", 8.0)])
    idf = {"time": 2.0, "appointment": 3.0}
    assert extract_answer(reader, "What time is the appointment?", passages, idf).answer == "10:40"


def test_a_question_asked_when_or_who_passes_over_numbers_and_references():
    """The reader's best spans were the engineer's phone number for when he comes, and the
    course's reference for who teaches it; the next ones answer."""
    from app.answer.answering import extract_answer

    passages = _passages(
        "Your smart meter engineer will call 0808 157 0642 if delayed. He comes on Thursday 5 "
        "March 2026 between 8am and 12pm.\n\nCourse WT-B-2601 is taught by Gideon Marlowe."
    )
    idf = {"engineer": 3.0, "coming": 1.0, "teaching": 2.0, "course": 2.0}
    reader = ScriptedReader([("0808 157 0642", 9.0), ("Thursday 5 March 2026", 8.0)])
    when = extract_answer(reader, "when is the smart meter engineer coming", passages, idf)
    assert when.answer == "Thursday 5 March 2026"
    reader = ScriptedReader([("WT-B-2601", 9.0), ("Gideon Marlowe", 8.0)])
    who = extract_answer(reader, "who's teaching the woodturning course", passages, idf)
    assert who.answer == "Gideon Marlowe"


@pytest.mark.parametrize(
    ("question", "text", "marked", "lacks"),
    [
        ("is there parking for students at tillingham court?",
         "Room: Room 4.12, Kestle House, Tillingham Court\nCars: none.", "Room 4.12", True),
        ("is there parking for students at tillingham court?",
         "Room: Room 4.12\nStudents may apply for a car park permit.", "a car park permit", False),
        ("Is there a charge for parking?", "Parking is free.", "free", False),
        ("Is there a charge for parking?", "Entry costs £5.", "£5", False),
        ("Is there a lift?", "The office is on the second floor.", "second floor", True),
        ("is there a penalty for leaving early", "Fixed tariffs carry an exit fee of £75 per\n"
         "fuel if you leave before the end date.", "£75 per", False),
        ("Which lift is there?", "The office is on the second floor.", "second floor", False),
    ],
)  # fmt: skip
def test_a_question_whether_there_is_a_thing_wants_a_sentence_that_names_it(
    question, text, marked, lacks
):
    start = text.index(marked)
    passage = Passage(id=0, source="a.txt", page=1, start=0, end=len(text), text=text, score=1)
    assert lacks_thing_asked(question, passage, start, start + len(marked)) is lacks
