"""A question about a term that the text defines is answered by the name the definition gives."""

import pytest

from app.answer.definitions import defined_term, definition_for
from app.records import Passage

LEASE = (
    "This agreement is made on 3 February 2025 between Harbourview Properties Ltd (the "
    "Landlord) and Samuel Ortiz (the Tenant). The Landlord lets the flat to the Tenant."
)
LOAN = (
    'Acme, Inc. (the "Company") borrows from Bank of Scotland plc (hereinafter referred to as '
    'the "Lender"). The study was funded by the Dutch Research Council (NWO). A ruling of the '
    "Court of Justice of the European Union (EU) cited the Intergovernmental Panel on Climate "
    "Change (IPCC)."
)


def _answer(question: str, *texts: str) -> str | None:
    passages = [Passage(n, "a.docx", 1, 0, len(t), t, 1.0) for n, t in enumerate(texts)]
    found = definition_for(question, passages)
    return None if found is None else texts[found[0]][found[1] : found[2]]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who is the landlord?", "Harbourview Properties Ltd"),
        ("Who is the tenant?", "Samuel Ortiz"),
        ("Who is the company?", "Acme, Inc."),
        ("Who is the lender?", "Bank of Scotland plc"),
        ("What is NWO?", "Dutch Research Council"),
        ("What does NWO stand for?", "Dutch Research Council"),
        ("What is the EU?", "European Union"),  # the end of the name its letters spell
        ("What is the IPCC?", "Intergovernmental Panel on Climate Change"),
        ("Who is the landlord responsible to?", None),  # asks more than the term
        ("Who is the buyer?", None),  # no passage defines it
        ("When does the tenancy begin?", None),
    ],
)
def test_a_defined_term_is_answered_by_the_name_its_definition_gives(question, expected):
    assert _answer(question, LEASE, LOAN) == expected


def test_only_a_question_about_the_term_alone_asks_for_its_definition():
    assert defined_term("Who was the Landlord?") == "landlord"
    assert defined_term("What is the tenant's deposit?") is None
    assert defined_term("How much is the rent?") is None


def test_a_parenthesis_that_defines_nothing_gives_no_name():
    text = "He worked there (2021 - present) and then (see below) moved on (the Move)."
    assert _answer("What is the move?", text) is None, "no capitalised name before it"


LEASE_MD = """# Residential tenancy agreement

This agreement is made on 3 February 2025 between Harbourview Properties Ltd (the Landlord) and \
Samuel Ortiz (the Tenant).

## Term

The tenancy begins on 1 March 2025 and ends on 28 February 2026.

## Repairs

The Landlord repairs the heating. The Tenant must report any repair needed to the managing \
agent, Keyline Lettings, on 0117 496 0123 within 48 hours of noticing it.
"""


def test_a_contract_and_an_invoice_are_asked_as_a_user_asks_them(settings, real_embedder):
    """The real reader, over a lease and an invoice: it marked the tenant for "Who is the
    landlord?", the agent's name with the number, and the invoice number for every question
    about the invoice."""
    from tests.answer.test_tables import INVOICE
    from tests.conftest import assert_verbatim, indexed_engine

    (settings.corpus / "tenancy-agreement.md").write_text(LEASE_MD)
    (settings.corpus / "invoice-0417.txt").write_text(INVOICE)
    engine = indexed_engine(settings, real_embedder)
    for question, expected in [
        ("Who is the landlord?", "Harbourview Properties Ltd"),
        ("What is the phone number of the managing agent?", "0117 496 0123"),
        ("When is the invoice due?", "14 May 2025"),
        ("What is the total due on the invoice?", "595.20 GBP"),
    ]:
        answer = engine.ask(question)
        assert answer.answer == expected, (question, answer.answer, answer.confidence)
        assert_verbatim(answer, engine.reader())
