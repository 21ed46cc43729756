"""Compound words spelled as the documents spell them: the index decides."""

from app.answer.compounds import spelled_as_indexed
from app.engine import Engine
from app.ingest.pipeline import ingest
from tests.conftest import assert_verbatim


class Held:
    """An index's document frequencies of words and of phrases ("wi_fi": "wi" then "fi")."""

    def __init__(self, **counts: int) -> None:
        self.counts = counts

    def document_frequencies(self, words: list[str]) -> dict[str, int]:
        return {word: self.counts.get(word, 0) for word in words}


def test_a_word_the_index_holds_only_split_or_only_joined_is_so_spelled():
    split = Held(wi_fi=3, password=2)
    assert spelled_as_indexed(split, "What's the wifi password?") == "What's the wi-fi password?"
    assert spelled_as_indexed(split, "WiFi?") == "Wi-fi?"
    joined = Held(email=4, healthcare=2)
    assert spelled_as_indexed(joined, "Whose e-mail is it?") == "Whose email is it?"
    assert spelled_as_indexed(joined, "Is health care free?") == "Is healthcare free?"


def test_a_word_the_index_holds_as_asked_is_left_alone():
    both = Held(wifi=1, wi_fi=5, e_mail=2, email=9, health=3, care=3, health_care=1, healthcare=1)
    for question in ["wifi?", "e-mail?", "Is health care free?"]:
        assert spelled_as_indexed(both, question) == question
    assert spelled_as_indexed(Held(), "What is the capital of France?") == (
        "What is the capital of France?"
    )


def test_no_split_into_a_word_too_common_to_search_for():
    """ "check-out" would be searched for as "check" alone, which names "Check-in" as well; "the
    rapist" is no reading of "therapist"."""
    held = Held(check_out=2, the_rapist=1, log_in=3)
    for question in ["When is checkout?", "therapist", "How do I login?"]:
        assert spelled_as_indexed(held, question) == question


def test_a_question_asked_without_the_documents_hyphen_gets_its_answer(settings, real_embedder):
    """Held out 3: "What's the wifi password at the conference?" found no "Wi-Fi" by keyword
    and no label, and got no answer (0.07)."""
    (settings.corpus / "programme.html").write_text(
        "<html><body><h1>Open Cities Forum 2025</h1><h2>Before you arrive</h2><ul>"
        "<li>Registration opens at 08:30 in the main foyer.</li>"
        "<li>Badges must be worn at all times inside the venue.</li>"
        "<li>Wi-Fi network: <strong>OCF2025-Guest</strong>, password: "
        "<strong>civicdata25</strong></li></ul>"
        "<h2>Evening</h2><p>The conference dinner is at the Corn Exchange at 19:30.</p>"
        "</body></html>"
    )
    (settings.corpus / "hotel.txt").write_text(
        "Hotel Casa do Largo\n\nBreakfast is served from 07:00 to 10:30 in the garden room.\n"
        "Check-out is by 11:00. Late check-out can be booked at reception for 15 euros.\n"
    )
    (settings.corpus / "minutes.md").write_text(
        "# Residents association\n\nThe lift in block B is broken again. The chair will write to "
        "the managing agent, and the treasurer reported 1,842 pounds in the bank.\n"
    )
    ingest(settings, embedder=real_embedder)
    engine = Engine(settings)
    engine.embedder = real_embedder
    answer = engine.ask("What's the wifi password at the conference?")
    assert answer.answer == "civicdata25"
    assert answer.question == "What's the wifi password at the conference?"
    assert_verbatim(answer, engine.reader())
