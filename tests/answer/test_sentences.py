from app.answer import sentences
from app.ingest.sentences import sentence_spans
from app.records import Passage

TEXT = (
    "Marie Curie was born in Warsaw in 1867. She moved to Paris in 1891.\n\n"
    "## Awards\n\nShe won the Nobel Prize in Physics in 1903."
)
EXPECTED = [
    "Marie Curie was born in Warsaw in 1867.",
    "She moved to Paris in 1891.",
    "She won the Nobel Prize in Physics in 1903.",
]


def _passage(text: str, start: int = 0, stored: bool = True) -> Passage:
    spans = sentence_spans(text, start) if stored else None
    return Passage(1, "curie.md", None, start, start + len(text), text, 1.0, sentences=spans)


def test_answers_take_the_sentences_stored_at_ingest_without_spacy(monkeypatch):
    monkeypatch.setattr(sentences, "load_nlp", lambda: (_ for _ in ()).throw(AssertionError))
    found = sentences.passage_sentences([_passage(TEXT, start=500)])
    assert [s.text for s in found] == EXPECTED
    assert [TEXT[s.start - 500 : s.end - 500] for s in found] == EXPECTED
    assert all(s.entities == [] for s in found)


def test_an_index_without_stored_sentences_gets_the_same_ones():
    stored = sentences.passage_sentences([_passage(TEXT, start=40)])
    found = sentences.passage_sentences([_passage(TEXT, start=40, stored=False)])
    assert [(s.start, s.end, s.text) for s in found] == [(s.start, s.end, s.text) for s in stored]


def test_overlapping_chunks_give_each_sentence_once():
    first = _passage(TEXT[:70])
    second = Passage(2, "curie.md", None, 40, len(TEXT), TEXT[40:], 1.0,
                     sentences=sentence_spans(TEXT[40:], 40))  # fmt: skip
    found = sentences.passage_sentences([first, second])
    assert [s.text for s in found] == EXPECTED


def test_the_heuristic_reads_spacy_sentences_and_entities_once(monkeypatch):
    """The heuristic splits its passages into sentences twice (to rank, then to cite): the
    second time must give the same sentences and entities without running spaCy."""
    first = sentences.candidate_sentences([_passage(TEXT)])
    calls = []
    nlp = sentences.load_nlp()
    monkeypatch.setattr(sentences, "load_nlp", lambda: calls.append(1) or nlp)
    again = sentences.candidate_sentences([_passage(TEXT)])
    assert [(s.start, s.end, s.text, s.entities) for s in again] == [
        (s.start, s.end, s.text, s.entities) for s in first
    ]
    assert calls == []
    assert [s.text for s in first] == EXPECTED
    assert ("Warsaw", "GPE") in {(TEXT[a:b], label) for s in first for a, b, label in s.entities}


def test_the_same_text_elsewhere_on_a_page_gets_its_own_offsets():
    """The cache is keyed by text, so offsets must come from the passage, not the cache."""
    at_zero = sentences.candidate_sentences([_passage(TEXT)])
    later = sentences.candidate_sentences([_passage(TEXT, start=500)])
    assert [s.start + 500 for s in at_zero] == [s.start for s in later]
    assert [[(a + 500, b + 500, label) for a, b, label in s.entities] for s in at_zero] == [
        s.entities for s in later
    ]


def test_the_cache_of_analyses_stays_bounded(monkeypatch):
    monkeypatch.setattr(sentences, "ANALYSES_KEPT", 2)
    for n in range(5):
        sentences.candidate_sentences([_passage(f"Sentence number {n} is here. And one more.")])
    assert len(sentences._ANALYSED) <= 2


def test_an_answer_span_loses_the_punctuation_and_bullets_around_its_words():
    def tidy(text: str) -> str:
        start, end = sentences.tidy_span(text, 0, len(text))
        return text[start:end]

    assert (
        tidy(":\n\n- Lots of whitespace\n- Little content")
        == "Lots of whitespace\n- Little content"
    )
    assert tidy(", the Rhone,") == "the Rhone"
    assert tidy("• an item;") == "an item"
    assert tidy(". The next sentence —") == "The next sentence"
    for kept in ("-5 °C", "£4 a year", "Inc.", "U.S.", "(1868)", ".NET 8"):
        assert tidy(kept) == kept, "signs and stops that belong to the words stay"
    assert tidy(" : ") == "", "punctuation alone is no answer"


def test_an_answer_span_holds_the_whole_address_it_starts_or_ends_in():
    """The reader's tokens split an address at "@" and ".": "bookings" or "Accounts
    Receivable <ar@brightsupply" would be wrong answers."""

    def tidy(text: str, marked: str) -> str:
        start = text.index(marked)
        start, end = sentences.tidy_span(text, start, start + len(marked))
        return text[start:end]

    line = "- From: Hotspring Heating <bookings@hotspring.example>\n- To: you"
    assert tidy(line, "bookings") == "bookings@hotspring.example"
    assert tidy(line, "Hotspring Heating <bookings@hotspring") == (
        "Hotspring Heating <bookings@hotspring.example>"
    )
    assert tidy(line, "hotspring.example") == "bookings@hotspring.example"
    assert tidy("See https://example.com/docs/a.html today", "example.com") == (
        "https://example.com/docs/a.html"
    )
    assert tidy("Mail Tom at tom@example.org.", "Tom") == "Tom", "a span beside one stays"
    assert tidy("Go to www.pacer.uscourts.gov to search.", "www.pacer") == "www.pacer.uscourts.gov"
    assert tidy("See https://example.com/help.", "example") == "https://example.com/help"


def test_a_statement_is_chosen_by_the_question_words_that_do_not_name_the_document():
    """All of a climbing centre's page is about the climbing centre: its address line, which
    holds those words, does not state whether parking there is free (held out 18)."""
    text = (
        "Find us\n\nGritstone Climbing Centre, Unit 9 Canal Wharf, Stroud GL5 3JH\n"
        "Tel: 01632 960552 · hello@gritstoneclimbing.co.uk\n\n"
        "Free parking for 3 hours in the Canal Wharf car park. Bike racks are by the door."
    )
    passage = Passage(1, "climbing_centre_visitor_info.html", None, 0, len(text), text, 1.0,
                      sentences=sentence_spans(text, 0))  # fmt: skip
    found = sentences.passage_sentences([passage])
    idf = {"parking": 1.0, "free": 1.0, "climbing": 2.0, "centre": 2.0}
    span = text.index("3 hours")
    start, end = sentences.stating_sentence(passage, (span, span + 7), found, idf)
    assert text[start:end] == "Free parking for 3 hours in the Canal Wharf car park."
    at = 100  # not the page's start, so its first line is no title either
    renamed = Passage(1, "visitor_info.html", None, at, at + len(text), text, 1.0,
                      sentences=sentence_spans(text, at))  # fmt: skip
    found = sentences.passage_sentences([renamed])
    start, end = sentences.stating_sentence(renamed, (at + span, at + span + 7), found, idf)
    assert text[start - at : end - at].startswith("Gritstone Climbing Centre")
