"""A question that asks how to do something is answered by the list of steps it names."""

import pytest

from app.answer.shapes import asks_how_to
from app.answer.steps import steps_for
from app.engine import Engine
from app.ingest.pipeline import ingest
from app.records import Passage
from tests.conftest import assert_verbatim

GUIDE = (
    "Resetting your password\n\nTo reset your password:\n\n"
    "- Open the sign-in page and choose Forgot password.\n- Enter your work e-mail address.\n\n"
    "Requesting a new laptop\n\nLaptops are replaced every four years. To request one early:\n\n"
    "1. Ask your manager to approve the request.\n\n2. Fill in the equipment form.\n\n"
    "The IT desk is open from 9:00 to 17:00."
)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How do I reset my password?", True),
        ("How can we request a laptop?", True),
        ("How to flush the filter?", True),
        ("What are the steps to reset a password?", True),
        ("What should I do before my first day?", True),
        ("How many laptops were replaced?", False),
        ("How is the risk mitigated?", False),
        ("What is the password policy?", False),
    ],
)
def test_a_question_that_asks_how_to_is_told_from_others(question, expected):
    assert asks_how_to(question) is expected


def _passage(text: str) -> Passage:
    return Passage(id=0, source="guide.docx", page=1, start=0, end=len(text), text=text, score=1)


def test_the_list_the_question_names_is_found_among_others():
    found = steps_for(
        "How do I reset my password?", [_passage(GUIDE)], {"reset": 2.0, "password": 2.0}
    )
    assert found is not None
    assert GUIDE[found[1] : found[2]] == (
        "- Open the sign-in page and choose Forgot password.\n- Enter your work e-mail address."
    )
    laptop = {"request": 1.0, "laptop": 2.0, "steps": 3.0}  # "steps" names the list, not its topic
    found = steps_for("What are the steps to request a laptop?", [_passage(GUIDE)], laptop)
    assert GUIDE[found[1] : found[2]] == (
        "1. Ask your manager to approve the request.\n\n2. Fill in the equipment form."
    ), "items a blank line apart are one list"
    assert (
        steps_for("How do I book a meeting room?", [_passage(GUIDE)], {"meeting": 1.0, "room": 1.0})
        is None
    )
    assert (
        steps_for("Who resets passwords?", [_passage(GUIDE)], {"resets": 1.0, "passwords": 1.0})
        is None
    )


def test_how_to_is_answered_with_the_steps_of_a_word_document(settings, real_embedder):
    """The reader marked a phrase of the sentence before the steps ("every 6 months")."""
    import docx

    document = docx.Document()
    document.add_heading("Replacing the cartridge", 1)
    document.add_paragraph("Replace the cartridge every 6 months. To replace it:")
    steps = ["Close the inlet valve.", "Twist the old cartridge to the left and pull it down.",
             "Push the new cartridge up and twist it to the right."]  # fmt: skip
    for step in steps:
        document.add_paragraph(step, style="List Number")
    document.add_heading("Warranty", 1)
    document.add_paragraph("The filter head is guaranteed for 3 years.")
    settings.corpus.mkdir(parents=True, exist_ok=True)
    document.save(settings.corpus / "guide.docx")
    ingest(settings, embedder=real_embedder)
    engine = Engine(settings)
    for question in ("How do I replace the cartridge?", "What should I do to replace it?"):
        answer = engine.ask(question)
        assert answer.answer is not None and all(step in answer.answer for step in steps)
        assert "Warranty" not in answer.answer
        assert_verbatim(answer, engine.reader())
