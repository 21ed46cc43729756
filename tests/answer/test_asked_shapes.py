"""What a question asks for by its words, and whether an answer holds it."""

import pytest

from app.answer.asked_shapes import asking_clause, lacks_kind_asked, lacks_shape_asked


def test_the_asking_clause_is_the_last():
    assert asking_clause("I forgot my tablet yesterday, should I take two today?") == (
        "should I take two today?"
    )


@pytest.mark.parametrize(
    ("question", "answer", "lacks"),
    [
        ("What time does the drop-in finish?", "Wed 18 June", True),
        ("What time does the drop-in finish?", "Wed 18 June will finish early, at 6:30pm", False),
        ("At what time does it open?", "10:00 – 16:00", False),
        ("What time is the call?", "Friday at 8 a.m.", False),
        ("What time of year is best?", "spring", False),
        ("During what time did the empire grow?", "the 1540s", False),
        ("When does it open?", "Wednesday", False),
        ("How many tablets should an adult take each day?", "more", True),
        ("How many tablets should an adult take each day?", "one tablet (10 mg)", False),
        ("I have a cold, how many tablets can I take?", "two", False),
        ("How many people were on the flight?", "unmanned", True),
        ("How much does it cost?", "free", False),
        ("police reference for the allotment shed break-in", "turned away", True),
        ("police reference for the allotment shed break-in", "43/25/1344", False),
        ("whats my library card number", "2901 4476 0183 52", False),
        ("What's the booking reference?", "see below", True),
        ("old granary booking ref", "Marcus's 40th birthday celebration", True),
        ("old granary booking ref", "OG-48213", False),
        ("council tax account number?", "2025/26", True),
        ("council tax account number?", "40082317", False),
        ("What number should I quote?", "BWC-2025-07713", False),
        ("What reference is there to Huguenot lacemakers?", "twenty-five widows", False),
        ("What is the highest reference hospital in Poland?", "Children's Memorial", False),
        ("Who was the number two draft pick?", "Miller", False),
        ("what interest rate do I get charged on purchases", "£0.00", True),
        ("what interest rate do I get charged on purchases", "1.87%", False),
        ("What percentage of private school students go to Catholic schools?", "61", False),
        ("What percentage does the Amazon represent?", "over half", False),
        ("what temperature should the beer ferment at", "5", True),
        ("what temperature should the beer ferment at", "18-22°C", False),
        ("At what temperature will oxygen condense?", "90.20 K", False),
        ("How cold does it get in winter?", "15 °C (59 °F)", False),
        ("How cold does it get in winter?", "below freezing", False),
        ("How much is the yearly rent for a half plot?", "approx. 125 square metres", True),
        ("How much is the yearly rent for a half plot?", "£36", False),
        ("How much is a family ticket for the maritime museum?", "Family", True),
        ("How much is a family ticket for the maritime museum?", "£38.00", False),
        ("How much notice do I give to cancel my gym membership?", "30 days' notice", False),
        ("how much did my employer pay in this year", "2,730.00 pounds", False),
        ("How much does the visit cost once the guarantee has run out?", "free", False),
        ("How much rain falls each year?", "125 mm", False),
        ("How much does the blender cost?", "349.00", False),
        ("monthly direct debit amount for the car insurance", "10", True),
        ("monthly direct debit amount for the car insurance", "£72.26", False),
        ("From 1947 to 1967, how much did the price of oil increase?", "two percent", False),
        ("what do they charge if I lose my room key", "any cleaning", True),
        ("what do they charge if I lose my room key", "£35.00", False),
        ("What was the cost of the other Super Bowl events?", "$2 million", False),
        ("kennel cough vaccine price", "the annual booster", True),
        ("kennel cough vaccine price", "£36.00", False),
        ("child passport cost online", "£69.50", False),
        ("price for a one-off class?", "Hatha yoga", True),
        ("How much is the Pine Hollow Court repaving costing?", "full mill & overlay", True),
        ("How much is the Pine Hollow Court repaving costing?", "$78,000", False),
        ("How much does Marguerite still owe?", "Owes $20", False),
        ("What will quarterly dues be next year?", "2026", True),
        ("What will quarterly dues be next year?", "$285 per quarter", False),
        ("What was the average budget for the films?", "$400,000–$450,000", False),
        ("net vat to pay for Q3", "HMRC", True),
        ("net vat to pay for Q3", "726.07", False),
        ("What are private schools that charge no tuition called?", "charter schools", False),
        ("What did the council decide about parking charges?", "to keep them", False),
        ("my reader's ticket number for the record office", "no", True),
        ("my reader's ticket number for the record office", "TRO-48213", False),
        ("my candidate number for the amateur radio exam", "07700 900461", True),
        ("my candidate number for the amateur radio exam", "TD-5521", False),
        ("patient transport booking ref", "01632 960 900", True),
        ("What's Shaun Kereama's number?", "021 555 7730", False),
        ("emergency vet number at night", "01632 960 900", False),
        ("How long do I keep copies of certified translations?", "£12 each", True),
        ("How long do I keep copies of certified translations?", "6 years", False),
        ("How long will the event last?", "a week", False),
        ("how much a week can Lewis get from the insurance", "up to 52 weeks", True),
        ("how much a week can Lewis get from the insurance", "£150 per week", False),
        ("What's budgeted for travel bursaries?", "young players", True),
        ("What's budgeted for travel bursaries?", "£480", False),
        ("brightmoor net payment for november", "-570", True),
        ("brightmoor net payment for november", "£598.64", False),
        ("What controls wages in a purely capitalist mode of production?", "the market", False),
        ("deposit protection scheme", "the TDS", False),  # the scheme is asked for
        ("Who set the price?", "the council", False),
        ("What is the comparison in price between the schools?", "more expensive", False),
        ("how long do repeat prescriptions take", "through the NHS App", True),
        ("how long do repeat prescriptions take", "three working days", False),
        ("How long would this coalition last?", "until the end of the current Parliament", False),
        ("How long did Tesla receive it?", "the rest of Tesla's life", False),
        ("How long is the cable?", "2 m", False),
        ("How long ago was it built?", "in the Bronze Age", False),
    ],
)
def test_a_question_for_a_time_a_count_or_a_reference_wants_one_in_its_answer(
    question, answer, lacks
):
    assert lacks_shape_asked(question, answer) is lacks


@pytest.mark.parametrize(("question", "answer", "lacks"), [
        ("when is the smart meter engineer coming", "0808 157 0642", True),
        ("When is dad's stairlift being fitted?", "14 Linden Grove, Pelham Abbey, PA3 8RW", True),
        ("when's the alarm being installed", "Tuesday 24 February 2026", False),
        ("piano invoice payment deadline?", "HPS-2025-0318", True),
        ("piano invoice payment deadline?", "26 June 2025", False),
        ("last date to apply for a club stand", "clubs@wyvernburyshow.example", True),
        ("When did Tesla become friends with Viereck?", "the late 1920s", False),
        ("When did the British defeat New France?", "1759-60", False),
        ("When does the offer end?", "£52.00", True),
        ("When can I collect the keys?", "once the balance has cleared", False),
        ("When rock folds deep in the Earth, what does it create?", "antiforms", False),
        ("When large groups boycott a system it can be considered?", "civil disobedience", False),
        ("what day will the veg box come from January", "Wednesday", False),
        ("who's teaching the beginners woodturning course", "WT-B-2601", True),
        ("Who carried out the damp survey?", "surveys@pennantdamp.co.uk", True),
        ("Who planned the courses?", "14:00", True),
        ("who did my foot check", "Bev Kinsella", False),
        ("Who won the game?", "the 49ers", False),
        ("Who set the fee?", "the council", False),
        ("Who sent the email?", "Maria Lopez <maria.lopez@northwind.example>", False),
        ("When is the security audit due?", "2024-05-20", False),
        ("When is it open?", "9 to 5", False),
        ("What day is the lane swim?", "Lane Swim", True),
])  # fmt: skip
def test_a_question_asked_when_or_who_wants_an_answer_that_says_it(question, answer, lacks):
    assert lacks_kind_asked(question, answer) is lacks
