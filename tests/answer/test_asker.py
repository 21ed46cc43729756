"""The question without the words it says about the asker that no passage holds."""

import pytest

from app.answer.asker import without_own_words

LICENCE = (
    "A refundable security deposit of £250.00 is payable before you move in. "
    "Early drop-off from 08:15 costs £4.00 a day. Please check in at Volunteer HQ, Gate C. "
    "The excess is £100. Late cancellations are charged in full. Pocket money: £10 at most."
)


@pytest.mark.parametrize(
    "question, plain",
    [
        ("how much is the deposit for my room?", "how much is the deposit?"),
        ("what time can I drop my daughter off early", "what time can I drop off early"),
        ("where do I check in when I get to the site", "where do I check in"),
        ("How much pocket money can my son take?", "How much pocket money can take?"),
        ("what time can I drop my daughter's friend off early", "what time can I drop off early"),
    ],
)
def test_the_askers_own_words_that_no_passage_holds_are_dropped(question, plain):
    assert without_own_words(question, [LICENCE]) == plain


@pytest.mark.parametrize(
    "question",
    [
        "how much is the deposit?",  # nothing about the asker
        "how much is the deposit for my room",  # with a passage that says "room"
        "What's my policy's excess?",  # the asker's phrase is what is asked for
        "what is my pension forecast",  # likewise, though no passage says "pension"
        "is there a discount for siblings",  # "siblings" is asked about, not the asker's
        # a condition is part of what is asked: "morning" stays
        "If I cancel on the morning of the booking, what will I be charged?",
        "when I get to the site?",  # nothing left that a passage holds
    ],
)
def test_questions_without_such_words_are_left_alone(question):
    texts = [LICENCE, "Each room has a desk."] if "room" in question else [LICENCE]
    assert without_own_words(question, texts) is None


def test_a_clause_loses_only_the_words_no_passage_holds():
    """ "late" is what "if ... late" asks about; the pupil's name is the asker's."""
    text = "A late collection fee of £5.00 is charged per 15 minutes after 17:30."
    question = "how much is the fee when we're late collecting Elsie?"
    assert without_own_words(question, [text]) == "how much is the fee when we're late collecting?"
