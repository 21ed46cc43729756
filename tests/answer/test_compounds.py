"""Compound words spelled as the documents spell them: the index decides."""

from app.answer.compounds import spelled_as_indexed
from tests.conftest import assert_verbatim, indexed_engine


class Held:
    """An index's document frequencies of words and of phrases ("wi_fi": "wi" then "fi")."""

    def __init__(self, **counts: int) -> None:
        self.counts = counts

    def document_frequencies(self, words: list[str]) -> dict[str, int]:
        return {word: self.counts.get(word, 0) for word in words}


def test_a_word_the_index_holds_only_split_or_only_joined_is_so_spelled():
    split = Held(wi_fi=3, wi=3, fi=4, password=2)
    assert spelled_as_indexed(split, "What's the wifi password?") == "What's the wi-fi password?"
    assert spelled_as_indexed(split, "WiFi?") == "Wi-fi?"
    assert spelled_as_indexed(Held(email=4, e=40), "Whose e-mail is it?") == "Whose email is it?"


def test_a_word_the_index_holds_as_asked_is_left_alone():
    both = Held(wifi=1, wi_fi=5, e_mail=2, email=9)
    for question in ["wifi?", "e-mail?", "What is the capital of France?"]:
        assert spelled_as_indexed(both, question) == question


def test_no_split_into_parts_that_seldom_stand_together_or_are_too_common_to_search_for():
    """Of SQuAD's 10,570 questions asked of its 2,067 paragraphs, a first draft rewrote 50:
    "slower" (which no paragraph holds) as "s-lower", "Earth's upper" as "Earth'supper".
    "check-out" would be searched for as "check" alone, which names "Check-in" as well."""
    held = Held(s_lower=3, s=900, lower=300, check_out=2, check=2, the_rapist=1, the=99)
    for question in ["Was it slower?", "When is checkout?", "therapist", "Earth's upper mantle"]:
        assert spelled_as_indexed(held, question) == question
    stemmed = Held(britishable=50, british=80)  # the stemmer's "british" of "britishable"
    assert spelled_as_indexed(stemmed, "British-able") == "British-able"


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
    engine = indexed_engine(settings, real_embedder)
    answer = engine.ask("What's the wifi password at the conference?")
    assert answer.answer == "civicdata25"
    assert answer.question == "What's the wifi password at the conference?"
    assert_verbatim(answer, engine.reader())
