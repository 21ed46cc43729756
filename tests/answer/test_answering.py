import json
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.answer import calibration
from app.answer.follow_ups import contextual_query
from app.answer.retrieval import content_words
from app.engine import Engine
from app.ingest.pipeline import ingest
from tests.conftest import (
    DEMO_QUESTIONS,
    SPLIT_WORDS,
    assert_verbatim,
    indexed_engine,
    make_pdf,
    unicode_text,
    write_files,
)

DEMO = json.loads(DEMO_QUESTIONS.read_text())


@pytest.mark.parametrize("demo", DEMO, ids=[d["question"][:40] for d in DEMO])
def test_demo_questions_are_answered_verbatim_from_the_right_source(sample_engine, demo):
    answer = sample_engine.ask(demo["question"])
    assert answer.answer is not None, f"abstained (confidence {answer.confidence})"
    first = answer.citations[0]
    assert (first.source, first.page) == (demo["source"], demo["page"])
    assert demo["answer_contains"] in answer.sentence
    assert_verbatim(answer, sample_engine.reader())


def test_typed_questions_get_the_short_span(sample_engine):
    answer = sample_engine.ask("How many steps are there in the lighthouse tower's staircase?")
    assert answer.answer == "146" or answer.answer.startswith("146")
    who = sample_engine.ask("Who was appointed as the lighthouse's first keeper in 1874?")
    assert who.answer == "Thomas Ardley"


def test_a_title_that_repeats_the_question_is_not_the_answer(settings, real_embedder):
    """Headings share the question's words but state nothing: the sentence that does answers."""
    write_files(settings.corpus, {
        "mill.md": "# Harwick Mill Waterwheel Restoration\n\n"
        "Volunteers finished restoring the waterwheel in 1998, after four winters of work.\n",
    })  # fmt: skip
    ingest(settings, embedder=real_embedder)
    engine = Engine(settings)
    answer = engine.ask("When was the Harwick Mill waterwheel restoration finished?")
    assert (
        answer.sentence
        == "Volunteers finished restoring the waterwheel in 1998, after four winters of work."
    )
    assert answer.answer == "1998"
    assert_verbatim(answer, engine.reader())


def test_a_word_a_pdf_splits_across_lines_is_found_and_answered_whole(settings, real_embedder):
    make_pdf(settings.corpus / "siege.pdf", [SPLIT_WORDS])
    engine = indexed_engine(settings, real_embedder)
    [found] = engine.search("inhabitants", 1, mode="keyword")
    assert "inhabitants are now living" in found.text
    answer = engine.ask("Where are the inhabitants living now?")
    assert answer.answer in ("in caves", "caves")
    assert_verbatim(answer, engine.reader())


def _email(subject: str, sender: str, to: str, date: str, body: str) -> bytes:
    from email.message import EmailMessage

    message = EmailMessage()
    message["Subject"], message["From"], message["To"], message["Date"] = subject, sender, to, date
    message.set_content(body)
    return bytes(message)


def test_who_sent_an_email_and_when_are_answered_from_its_header(settings, real_embedder):
    """A user asks who sent "the email about" something, and when: an e-mail's text never says
    "email", and "from" and "when" are stop words, so the reader answered from the body (a
    date in it, a name in the greeting) or not at all. Asked yes or no, the sentence answers."""
    write_files(settings.corpus, {
        "budget.eml": _email(
            "Q3 budget review", "Maria Lopez <maria.lopez@northwind.example>",
            "Finance Team <finance@northwind.example>", "Tue, 12 Sep 2023 09:14:02 +0200",
            "Hi all,\n\nThe Q3 budget review is moved to Thursday at 10:00 in room 4.12.\n\nMaria"),
        "boiler.eml": _email(
            "Boiler service visit", "Hotspring Heating <bookings@hotspring.example>",
            "Daniel Okafor <dan.okafor@mail.example>", "Mon, 02 Oct 2023 16:40:11 +0100",
            "Dear Mr Okafor,\n\nYour annual boiler service is booked for 14 October. It costs "
            "95 pounds including VAT.\n\nKind regards,\nHotspring Heating"),
    })  # fmt: skip
    ingest(settings, embedder=real_embedder)
    engine = Engine(settings)
    expected = {
        "Who sent the Q3 budget review email?": "Maria Lopez <maria.lopez@northwind.example>",
        "Who received the boiler service email?": "Daniel Okafor <dan.okafor@mail.example>",
        "When was the boiler service email sent?": "Mon, 02 Oct 2023 16:40:11 +0100",
        "How much does the boiler service cost?": "95 pounds",
        "Is the Q3 budget review moved?": (
            "The Q3 budget review is moved to Thursday at 10:00 in room 4.12."
        ),
    }
    for question, answer_text in expected.items():
        answer = engine.ask(question)
        assert answer.answer == answer_text, (question, answer.answer, answer.confidence)
        assert_verbatim(answer, engine.reader())


def test_copies_of_a_document_are_read_and_shown_once(settings, real_embedder):
    """A file saved twice (and a third time, respaced, in an archive folder) would otherwise
    take three of the passages read and shown as the closest."""
    memo = (
        "The boiler room is on the lower ground floor. Its door code is 4417, changed every "
        "March. Only the caretaker and the heating engineer may enter it."
    )
    write_files(settings.corpus, {
        "memo.txt": memo, "memo (1).txt": memo, "archive/memo.txt": memo.replace(". ", ".  "),
        "keys.txt": "Keys to the boiler room hang in the caretaker's office, on the red hook.",
    })  # fmt: skip
    ingest(settings, embedder=real_embedder)
    engine = Engine(settings)
    answer = engine.ask("Where are the keys to the boiler room?")
    texts = [" ".join(p.text.split()) for p in answer.passages]
    assert len(texts) == len(set(texts)) == 2
    assert answer.answer is not None and "caretaker's office" in answer.answer
    assert_verbatim(answer, engine.reader())


def test_unanswerable_question_abstains_but_shows_passages(sample_engine):
    answer = sample_engine.ask("What is the melting point of tungsten in kelvin?")
    assert answer.answer is None and answer.citations == []
    assert "No answer" in answer.message
    assert answer.passages


def test_a_follow_up_question_retrieves_with_the_previous_turn(settings, real_embedder):
    write_files(settings.corpus, {
        "expedition.txt": "The 1905 Arctic expedition set out from Tromsø with 42 members. "
        "Of the expedition's members, 7 were Lithuanian and 12 were Polish.",
        "choir.txt": "The 1910 choir tour of Europe had 30 singers. Of the choir's singers, "
        "5 were Lithuanian and 3 were Latvian.",
    })  # fmt: skip
    engine = indexed_engine(settings, real_embedder)
    first = engine.ask("How many members did the 1905 Arctic expedition have?")
    assert first.answer == "42" and first.citations[0].source == "expedition.txt"
    follow_up = engine.ask("And how many of them were Lithuanian?", history=[first.question])
    assert follow_up.citations[0].source == "expedition.txt"
    assert follow_up.answer.startswith("7")  # the reader marks "7" and sometimes a few words on
    assert_verbatim(follow_up, engine.reader())


def test_a_follow_up_that_names_a_new_topic_is_read_on_that_topic(settings, real_embedder):
    write_files(settings.corpus, {
        "dishwasher.txt": "The dishwasher costs 499 euros. It comes with a two-year warranty.",
        "oven.txt": "The oven costs 799 euros. It comes with a five-year warranty.",
        "boiler.txt": "The boiler pressure should read between 1.0 and 1.5 bar when cold.",
    })  # fmt: skip
    engine = indexed_engine(settings, real_embedder)
    first = "How much does the dishwasher cost?"
    assert "499" in engine.ask(first).answer
    boiler = engine.ask("And what should the boiler pressure read?", history=[first])
    assert boiler.citations[0].source == "boiler.txt" and "1.0 and 1.5 bar" in boiler.answer
    oven = engine.ask("And how much does the oven cost?", history=[first])
    assert oven.citations[0].source == "oven.txt" and "799" in oven.answer
    warranty = engine.ask("And how long is its warranty?", history=[oven.question])
    assert warranty.citations[0].source == "oven.txt" and "five-year" in warranty.answer
    for answer in (boiler, oven, warranty):
        assert_verbatim(answer, engine.reader())


def test_only_follow_ups_borrow_context():
    assert contextual_query("And how many were there?", ["Who built it?"]) == (
        "Who built it? And how many were there?"
    )
    assert contextual_query("What is the capital of Peru?", ["Who built it?"]) == (
        "What is the capital of Peru?"
    )
    assert contextual_query("How many were there?", []) == "How many were there?"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.one_of(st.text(min_size=1, max_size=1500), unicode_text(max_pieces=15)),
    question=st.one_of(st.text(min_size=1, max_size=80), unicode_text(max_pieces=4)),
)
@example(text="0\u0b45:000", question="0_1")  # found by a run of stop 38 (see below)
def test_offsets_hold_for_any_unicode_text(
    tmp_path_factory, fake_embedder, span_reader, text, question
):
    from app.answer.answering import extract_answer
    from app.answer.retrieval import search
    from app.settings import Settings
    from app.store.folder import open_index

    root = tmp_path_factory.mktemp("fuzz")
    write_files(
        root / "corpus", {"doc.txt": "Intro line.\n\n" + text + "\n\nThe end is near, 42 days."}
    )
    settings = Settings.from_env({}, corpus=root / "corpus", index=root / "index")
    ingest(settings, embedder=fake_embedder)
    reader = open_index(settings.index)
    passages = search(reader, fake_embedder, question, k=5)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            "app.answer.calibration.ABSTAIN_BELOW", -1.0
        )  # always answer, to check every answer
        answer = extract_answer(span_reader, question, passages)
    # A word of the question in a passage -> an answer exists (the file may also be refused,
    # for a NUL byte). Not for any question at all: asked ":" of "Intro line.\n\nTORCH", or "0E"
    # of "Intro line.\n\n2:Ð\n\nThe end is near, 42 days.", the reader's fifteen spans all lay in
    # a heading-like line or ran over a blank line, and none of those is an answer. A word is
    # one as the answer step reads it (`content_words`, "0_1" one word): asked "0_1" of a line
    # "0\u0b45:000" alone, every span lies in that line, a heading that holds no such word.
    words = set(content_words(question))
    if any(words & set(re.findall(r"\w+", p.text.lower())) for p in passages):
        assert answer.answer is not None
    assert_verbatim(answer, reader)
    for citation in answer.citations:
        assert 0 <= citation.answer_start <= citation.answer_end <= len(citation.snippet)


class ScriptedReader:
    """A reader that proposes given spans (by their text), for tests of the logic around it."""

    def __init__(self, answers: list[tuple[str, float]]) -> None:
        self.answers = answers

    def read(self, question, passages, top_n=5):
        from app.records import Span

        found = []
        for number, text in enumerate(passages):
            spans = [
                Span(number, text.index(a), text.index(a) + len(a), score, -5.0)
                for a, score in self.answers
                if a in text
            ]
            found.append(spans[:top_n])
        return found


def _passages(*texts: str):
    from app.records import Passage

    return [
        Passage(n, f"doc{n}.md", None, 10, 10 + len(t), t, 1.0 / (n + 1), 0.9, 1.0)
        for n, t in enumerate(texts)
    ]


def test_the_span_comes_with_its_sentence_and_distinct_citations():
    from app.answer.answering import extract_answer

    passages = _passages(
        "The mill opened in 1820. The wheel was rebuilt in 1998 by volunteers.",
        "A later survey confirmed that the wheel was rebuilt in 1998.",
        "The miller's house dates from 1790.",
    )
    reader = ScriptedReader([("1998", 9.0), ("1790", 4.0), ("1820", 3.0)])
    answer = extract_answer(reader, "When was the wheel rebuilt?", passages)
    assert answer.answer == "1998"
    assert answer.sentence == "The wheel was rebuilt in 1998 by volunteers."
    first = answer.citations[0]
    assert first.snippet[first.answer_start : first.answer_end] == "1998"
    assert (first.source_start, first.source_end) == (10 + 50, 10 + 54)
    # The same answer in another passage is no second citation; other answers are, ranked by
    # the reader's score and their passage's rank together.
    cited = [c.snippet[c.answer_start : c.answer_end] for c in answer.citations]
    assert cited == ["1998", "1820", "1790"]


def test_a_sentence_copied_into_another_document_is_cited_once():
    from app.answer.answering import extract_answer

    sentence = "The wheel was rebuilt in 1998 by volunteers."
    passages = _passages(
        f"The mill opened in 1820. {sentence}",
        f"Draft two. {sentence} Photographs follow.",
        "The miller's house dates from 1790.",
    )
    reader = ScriptedReader([("1998 by volunteers", 9.0), ("volunteers", 8.0), ("1790", 4.0)])
    answer = extract_answer(reader, "When was the wheel rebuilt?", passages)
    cited = [(c.source, c.snippet[c.answer_start : c.answer_end]) for c in answer.citations]
    assert cited == [("doc0.md", "1998 by volunteers"), ("doc2.md", "1790")]


def test_a_span_in_a_heading_is_cited_within_its_line():
    from app.answer.answering import extract_answer

    passages = _passages("# Opening hours 9 to 5\n\nThe shop is closed on Sundays.")
    answer = extract_answer(ScriptedReader([("9 to 5", 8.0)]), "When is it open?", passages)
    assert answer.answer == "9 to 5"
    assert answer.sentence == "# Opening hours 9 to 5"


def test_an_answer_never_runs_over_a_blank_line():
    """A span from one paragraph (or heading, or e-mail header) into the next is no answer
    inside its sentence: the next best span is taken."""
    from app.answer.answering import extract_answer

    passages = _passages(
        "Topic: 45 Minute Meeting\n\nMeeting ID 869 1664 1575\n\nTime Oct 28, 2022 11:00 AM"
    )
    reader = ScriptedReader([("45 Minute Meeting\n\nMeeting ID", 9.0), ("11:00 AM", 8.0)])
    answer = extract_answer(reader, "What time is the meeting?", passages)
    assert answer.answer == "11:00 AM"
    assert answer.sentence == "Time Oct 28, 2022 11:00 AM"


def test_a_weak_best_span_is_no_answer(monkeypatch):
    from app.answer import answering

    passages = _passages("The shop is closed on Sundays.")
    monkeypatch.setattr(calibration, "ABSTAIN_BELOW", 0.999999)
    answer = answering.extract_answer(ScriptedReader([("Sundays", 1.0)]), "Q?", passages)
    assert answer.answer is None and answer.citations == [] and answer.passages == passages
    assert "No answer" in answer.message


def test_an_unsure_best_span_gives_way_to_a_sure_one(monkeypatch):
    """The rank picks a passage's span, the confidence says whether it is right at all: when the
    best-ranked is too unsure to answer, a span sure enough answers instead of no answer."""
    from app.answer import answering

    passages = _passages("The final exam is cumulative and is worth 25% of the grade.")
    reader = ScriptedReader([("cumulative", 9.0), ("25%", 8.0)])
    sure = {"cumulative": 0.16, "25%": 0.48}
    monkeypatch.setattr(calibration, "confidence_of", lambda features: sure[features["text"]])
    real_features = answering.candidate_features

    def features(span, rank, passage, idf, shape):
        found = real_features(span, rank, passage, idf, shape)
        return {**found, "text": passage.text[span.start : span.end]}

    monkeypatch.setattr(answering, "candidate_features", features)
    answer = answering.extract_answer(reader, "How much is the final exam worth?", passages)
    assert (answer.answer, answer.confidence) == ("25%", 0.48)
    sure["25%"] = 0.40
    assert answering.extract_answer(reader, "How much is it worth?", passages).answer is None


def test_a_yes_or_no_question_about_a_form_is_answered_by_its_line():
    """A form's lines hold no full stop, so they read as one sentence: "is the library open on a
    tuesday?" was answered with the opening hours of the whole week (held out 7)."""
    from app.answer.answering import extract_answer

    hours = (
        "HOLLINS GREEN OPENING HOURS\nMonday: 9:30 - 17:00\nTuesday: Closed\n"
        "Wednesday: 9:30 - 19:00\nThursday: 9:30 - 17:00"
    )
    reader = ScriptedReader([("Closed", 9.0), ("closed", 9.0)])
    answer = extract_answer(reader, "Is the library open on a Tuesday?", _passages(hours))
    assert answer.answer == "Tuesday: Closed"
    prose = "The library is closed on Tuesdays. It opens at 9:30 on other weekdays."
    answer = extract_answer(reader, "Is the library open on a Tuesday?", _passages(prose))
    assert answer.answer == "The library is closed on Tuesdays."


def test_a_yes_or_no_question_answered_in_a_table_row_is_answered_by_the_row():
    """The row names the thing asked about: a sentence elsewhere that holds more of the
    question's words but not that thing ("turf") does not answer it (held out 17)."""
    from app.answer.answering import extract_answer

    letter = (
        "What can go in your brown bin?\n\n| Item | Can it go in? |\n"
        "| Grass cuttings, leaves and flowers | Yes |\n"
        "| Turf and soil | No - please take to a household recycling centre |\n\n"
        "Please stick it on the lid of your brown bin."
    )
    question, idf = "can I put turf in my brown bin", {"turf": 2.0, "brown": 1.5, "bin": 1.5}
    reader = ScriptedReader([("No - please take to a household recycling centre", 9.0)])
    answer = extract_answer(reader, question, _passages(letter), idf)
    assert answer.answer.startswith("| Turf and soil | No - please take")
    reader = ScriptedReader([("Yes", 9.0)])  # a row that names nothing the sentence lacks
    question, idf = "should the sticker go on my brown bin", {"brown": 1.5, "bin": 1.5}
    answer = extract_answer(reader, question, _passages(letter), idf)
    assert answer.answer == "Please stick it on the lid of your brown bin."


def test_the_question_s_words_around_the_span_raise_the_confidence():
    """The same span, as sure for the reader, in a passage that says what was asked and in one
    merely on the topic: only the first should convince."""
    from app.answer import answering

    idf = {"wheel": 2.0, "rebuilt": 3.0}
    question = "When was the wheel rebuilt?"
    on_point = _passages("The wheel was rebuilt in 1998 by volunteers.")
    off_point = _passages("The village fete of 1998 drew a record crowd of volunteers.")
    reader = ScriptedReader([("1998", -3.5)])  # a margin of 1.5 over "no answer"
    sure = answering.extract_answer(reader, question, on_point, idf)
    unsure = answering.extract_answer(reader, question, off_point, idf)
    assert sure.confidence > unsure.confidence + 0.1
    assert sure.answer == "1998" and unsure.answer is None
    assert answering.rank_candidates(reader, question, on_point, idf)[0].features["overlap"] == 1


class RecordingReader(ScriptedReader):
    """A ScriptedReader that keeps the passages of each call to `read`."""

    def __init__(self, answers: list[tuple[str, float]]) -> None:
        super().__init__(answers)
        self.calls: list[list[str]] = []

    def read(self, question, passages, top_n=5):
        self.calls.append(list(passages))
        return super().read(question, passages, top_n)


def _five_passages():
    return _passages(
        "The wheel was rebuilt in 1998 by volunteers.",
        "The mill opened in 1820.",
        "The miller's house dates from 1790.",
        "The pond was dug in 1750.",
        "A survey of 2004 found the wheel sound.",
    )


def test_a_sure_answer_in_the_first_passages_stops_the_reading(monkeypatch):
    from app.answer import answering

    monkeypatch.setattr(answering, "READ_FIRST", 2)
    monkeypatch.setattr(answering, "SETTLED_ABOVE", 0.5)
    reader = RecordingReader([("1998", 9.0), ("1750", 12.0)])
    answer = answering.extract_answer(reader, "When was the wheel rebuilt?", _five_passages())
    assert answer.answer == "1998" and answer.confidence >= 0.5
    assert [len(call) for call in reader.calls] == [2]


def test_an_unsure_answer_reads_the_other_passages(monkeypatch):
    """Below SETTLED_ABOVE the other passages are read, and a better span there wins, with
    its passage's own retrieval rank."""
    from app.answer import answering

    monkeypatch.setattr(answering, "READ_FIRST", 2)
    monkeypatch.setattr(answering, "SETTLED_ABOVE", 0.999999)
    monkeypatch.setattr(calibration, "ABSTAIN_BELOW", 0.0)
    reader = RecordingReader([("1998", -4.0), ("1750", 12.0)])
    passages = _five_passages()
    candidates = answering.read_candidates(reader, "When was the pond dug?", passages)
    assert [len(call) for call in reader.calls] == [2, 3]
    assert candidates[0].text == "1750" and candidates[0].rank == 3
    assert candidates[0].features["rank"] == 1 / 4
    whole = answering.rank_candidates(RecordingReader(reader.answers), "Q?", passages)
    assert [(c.text, c.rank, c.score) for c in candidates] == [
        (c.text, c.rank, c.score) for c in whole
    ]


def test_a_hopeless_answer_stops_the_reading_with_no_answer(monkeypatch):
    from app.answer import answering

    monkeypatch.setattr(answering, "READ_FIRST", 1)
    monkeypatch.setattr(answering, "SETTLED_BELOW", 0.3)
    monkeypatch.setattr(calibration, "ABSTAIN_BELOW", 0.45)
    reader = RecordingReader([("1998", -20.0), ("1750", 12.0)])
    answer = answering.extract_answer(reader, "When was the pond dug?", _five_passages())
    assert answer.answer is None and [len(call) for call in reader.calls] == [1]


def test_the_reader_reads_the_focus_of_a_long_passage_and_cites_the_whole(monkeypatch):
    """Of a passage over READ_TOKENS the reader sees the sentences around the question's words;
    the answer's offsets still point into the whole passage, and its citation quotes it."""
    from app.answer import answering

    monkeypatch.setattr(answering, "READ_TOKENS", 40)
    filler = [f"Note {n} records the rain that fell on the moor in the spring." for n in range(9)]
    text = " ".join([*filler[:5], "The Harwick wheel was rebuilt in 1998.", *filler[5:]])
    passage = _passages(text)[0]
    reader = RecordingReader([("1998", 9.0), ("Note 0", 20.0)])
    idf = {"harwick": 5.0, "wheel": 3.0, "rebuilt": 2.0}
    candidates = answering.rank_candidates(reader, "When was the wheel rebuilt?", [passage], idf)
    (read,) = reader.calls[0]
    assert "The Harwick wheel was rebuilt in 1998." in read and len(read) < len(text) / 2
    assert [c.text for c in candidates] == ["1998"]  # "Note 0" lies outside what was read
    assert text[candidates[0].span.start : candidates[0].span.end] == "1998"
    answer = answering.answer_with("When?", candidates, 0.9, [passage])
    assert answer.sentence == "The Harwick wheel was rebuilt in 1998."


def test_of_spans_the_reader_scores_alike_the_one_beside_the_questions_words_wins():
    """The reader marked "28 February 2026" for "When does the tenancy begin?", a hair above
    "1 March 2025"; the question's words stand beside the second."""
    from app.answer.answering import extract_answer

    passages = _passages("The tenancy begins on 1 March 2025 and ends on 28 February 2026.")
    idf = {"tenancy": 2.0, "begin": 1.0}
    close = ScriptedReader([("28 February 2026", 9.1), ("1 March 2025", 9.0)])
    assert extract_answer(close, "When does the tenancy begin?", passages, idf).answer == (
        "1 March 2025"
    )
    sure = ScriptedReader([("28 February 2026", 16.0), ("1 March 2025", 9.0)])
    assert extract_answer(sure, "When does it end?", passages, idf).answer == "28 February 2026"


def test_a_defined_party_and_a_label_elsewhere_lead_the_readers_spans():
    from app.answer.answering import extract_answer

    passages = _passages(
        "Made between Harbourview Properties Ltd (the Landlord) and Samuel Ortiz (the Tenant).",
        "Invoice number: INV-7\nDue date: 14 May 2025\n\nThanks.",
        "Subtotal: 496.00 GBP\nTotal due: 595.20 GBP",
    )
    reader = ScriptedReader([("Samuel Ortiz", 9.0), ("14 May 2025", 9.0)])
    landlord = extract_answer(reader, "Who is the landlord?", passages, {"landlord": 1.0})
    assert landlord.answer == "Harbourview Properties Ltd"
    total = extract_answer(reader, "What is the total due?", passages, {"total": 1, "due": 1})
    assert total.answer == "595.20 GBP"


def test_a_label_named_by_the_question_is_no_answer_without_the_shape_asked_for():
    """ "Policy number" holds "number" of "What is the phone number of the claims line?"."""
    from app.answer.answering import extract_answer

    passages = _passages(
        "Policy number: HX-4471-2290\nExcess: 250 GBP\n\nCall the claims line on 0345 600 7781."
    )
    reader = ScriptedReader([("0345 600 7781", 9.0), ("HX-4471-2290", 8.0)])
    idf = {"phone": 1.0, "number": 1.0, "claims": 2.0, "line": 1.0}
    answer = extract_answer(reader, "What is the phone number of the claims line?", passages, idf)
    assert answer.answer == "0345 600 7781"


def test_an_email_s_date_line_is_no_named_answer_to_a_question_about_another_date():
    """ "whats the last date to renew my tennis membership" named the renewal e-mail's "Date"
    header line, which says when the message was sent, as a form's field."""
    import dataclasses

    from app.answer.answering import extract_answer

    text = (
        "Membership renewal 2025/26\n\n- From: Ashdown Park Tennis Club\n"
        "- Date: Mon, 03 Feb 2025 19:15:00 +0000\n\nPlease renew by 31 March 2025."
    )
    [passage] = _passages(text)
    mail = [dataclasses.replace(passage, source="renewal.eml")]
    reader = ScriptedReader([("31 March 2025", 9.0)])
    idf = {"last": 1.0, "date": 1.0, "renew": 2.0, "tennis": 2.0, "membership": 2.0}
    question = "whats the last date to renew my tennis membership"
    assert extract_answer(reader, question, mail, idf).answer == "by 31 March 2025"
    sent = extract_answer(reader, "when was the renewal email sent", mail, {"renewal": 2.0})
    assert sent.answer == "Mon, 03 Feb 2025 19:15:00 +0000"


def test_a_how_to_question_gets_the_sentence_that_answers_it_not_an_faq_s_question():
    from app.answer.answering import extract_answer

    passages = _passages(
        "How do I submit a meter reading?\n\nLog in to your online account and choose Submit a"
        " reading, or call 0800 555 0199. Readings are used for that month's bill."
    )
    reader = ScriptedReader([("Log in to your online account", 9.0)])
    idf = {"submit": 2.0, "meter": 2.0, "reading": 1.0}
    answer = extract_answer(reader, "How do I submit a meter reading?", passages, idf)
    assert answer.answer == (
        "Log in to your online account and choose Submit a reading, or call 0800 555 0199."
    )


def test_of_a_span_read_in_two_overlapping_chunks_the_surer_copy_answers():
    """Read at the start of the next chunk, without the course it is about, "Colin Marsh" got
    0.40 and no answer; in the chunk that names the course, 0.82."""
    from app.answer.answering import extract_answer
    from app.records import Passage

    page = "Learn to row: the course costs 120 pounds. Book the course with Colin Marsh."
    at = page.index("Book")
    later = Passage(0, "news.md", None, at, len(page), page[at:], 1.0, 0.1, 1.0)
    whole = Passage(1, "news.md", None, 0, len(page), page, 0.5, 0.9, 1.0)
    reader = ScriptedReader([("Colin Marsh", 6.0)])
    idf = {"book": 1.0, "learn": 2.0, "row": 2.0, "course": 1.0}
    answer = extract_answer(
        reader, "Who do I book the learn to row course with?", [later, whole], idf
    )
    assert answer.answer == "Colin Marsh"
    assert answer.citations[0].snippet == page
    alone = extract_answer(reader, "Who do I book the learn to row course with?", [later], idf)
    assert answer.confidence > alone.confidence


HALLS_LICENCE = {
    "halls_licence.md": "# Residence licence 2025-26\n\n"
    "Resident: Tomasz Wiśniewski. Block C, Flat 4.\n\n"
    "A refundable security deposit of £250.00 is payable before you move in. It is returned "
    "within 28 days of the end of the licence, less the cost of any damage.\n\n"
    "Early arrival from 14 September costs £22.00 a night. Quiet hours are 23:00 to 07:00.\n"
}  # fmt: skip


def test_words_about_the_asker_that_the_documents_lack_do_not_hide_the_answer(
    settings, real_embedder
):
    """The reader scores "no answer" above "£250.00" for "... the deposit for my room?":
    "room" stands nowhere in the licence. Read again without it, the answer is sure; a
    question whose own words the licence lacks is still not answered."""
    write_files(settings.corpus, HALLS_LICENCE)
    engine = indexed_engine(settings, real_embedder)
    answer = engine.ask("how much is the deposit for my room?")
    assert answer.answer == "£250.00"
    assert answer.question == "how much is the deposit for my room?"
    assert_verbatim(answer, engine.reader())
    assert engine.ask("how much is the parking permit for my car?").answer is None


def test_the_readers_span_in_a_row_that_holds_more_of_the_question_beats_a_named_cell():
    """A timetable's rows name "Main Pool" under a Day column, but the row of the reader's
    span says when the main pool closes for maintenance: that row holds more of the question.
    In the row the reader marked, the cell the question names still wins."""
    from app.answer import answering

    notices = "| Notice: Pool closure | Details: Main Pool closed for maintenance Monday 24 March |"
    timetable = (
        "| Day | Start | Session | Area |\n"
        "| Day: Saturday | Start: 08:00 | Session: Lane Swim | Area: Main Pool |\n"
    )
    question = "When is the main pool shut for maintenance?"
    passages = _passages(notices, timetable)
    idf = {"main": 2.0, "pool": 2.0, "shut": 4.0, "maintenance": 3.0}
    reader = ScriptedReader([("Monday 24 March", 12.0), ("Saturday", 11.0)])
    candidates = answering.read_candidates(reader, question, passages, idf)
    assert candidates[0].text == "Monday 24 March"
    reader = ScriptedReader([("Lane Swim", 12.0)])
    asked = "What day is the lane swim in the main pool?"
    idf = {"day": 1.0, "lane": 2.0, "swim": 2.0, "main": 2.0, "pool": 2.0}
    candidates = answering.read_candidates(reader, asked, passages[1:], idf)
    assert candidates[0].text == "Saturday"


def test_the_cell_a_question_names_is_found_in_a_passage_the_reader_never_reached():
    """The reader settled on the first passages ("£9.50", a row before the one asked); the row
    the question names is in the fourth, which no reader needs to read to find it."""
    from app.answer import answering

    header = "| Treatment | Due date | Price |\n"
    passages = _passages(
        header + "| Treatment: Nail clip | Due date: optional | Price: £9.50 |\n",
        "Members pay £14.75 a month for the annual booster and kennel cough vaccine.",
        "Please bring your vaccination card.",
        header + "| Treatment: Kennel cough vaccine | Due date: 28 March 2025 | Price: £36.00 |\n",
    )
    idf = {"kennel": 3.0, "cough": 3.0, "vaccine": 2.0, "price": 1.0}
    reader = RecordingReader([("£9.50", 30.0)])
    candidates = answering.read_candidates(reader, "kennel cough vaccine price", passages, idf)
    assert [len(call) for call in reader.calls] == [3]  # settled on the first three
    assert candidates[0].text == "£36.00" and candidates[0].rank == 3


def test_no_answer_shows_first_the_passage_where_the_reader_looked(monkeypatch):
    """Too unsure to answer, docqa shows the closest passages; the one holding the reader's best
    span comes first, which held the answer more often than the best ranked (BENCHMARKS.md)."""
    from app.answer import answering

    monkeypatch.setattr(calibration, "confidence_of", lambda features: 0.2)
    passages = _passages("Bins go out on Sunday night.", "Bulky waste: £4.50 per tyre.")
    reader = ScriptedReader([("£4.50 per tyre", -6.0)])
    answer = answering.extract_answer(reader, "cost to get rid of a tyre", passages)
    assert answer.answer is None and answer.citations == []
    assert [p.source for p in answer.passages] == ["doc1.md", "doc0.md"]
    quiet = ScriptedReader([])
    answer = answering.extract_answer(quiet, "cost to get rid of a tyre", passages)
    assert [p.source for p in answer.passages] == ["doc0.md", "doc1.md"]
