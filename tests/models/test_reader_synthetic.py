"""The reader's span-selection pre-training questions (scripts/reader_synthetic.py)."""

import random

from reader_synthetic import recurring_spans, sentence_spans, span_questions

PASSAGE = (
    "The Tyne Bridge opened in 1928. It was built by Dorman Long of Middlesbrough. "
    "When the Tyne Bridge opened, King George V drove across it in his carriage. "
    "Dorman Long later built the Sydney Harbour Bridge, which opened in 1932. "
    "Both bridges carry road traffic today."
)


def test_the_longest_phrases_found_twice_or_more_are_spans_and_stop_words_are_not():
    """ "Tyne Bridge" is inside "Tyne Bridge opened" as often as that is found, so only the
    longer is a span; "Bridge", found once more, is one too; "opened" and "the" are not."""
    spans = recurring_spans(PASSAGE)
    assert set(spans) == {"tyne bridge opened", "dorman long", "bridge"}
    assert [PASSAGE[a:b] for a, b in spans["dorman long"]] == ["Dorman Long"] * 2


def test_each_question_is_a_sentence_with_its_phrase_blanked_and_taken_out_of_the_passage():
    """The reader must find the phrase's other occurrences, not copy the words around it."""
    sentences = [PASSAGE[a:b] for a, b in sentence_spans(PASSAGE)]
    questions = span_questions(PASSAGE, random.Random(3), "p")
    assert questions
    for example in questions:
        (asked,) = [s for s in sentences if s not in example.context]
        phrase = example.answers[0]
        assert example.question.endswith("?") and phrase.lower() in asked.lower()
        assert phrase.lower() not in example.question.lower()
        for answer, start in zip(example.answers, example.answer_starts, strict=True):
            assert example.context[start : start + len(answer)] == answer


def test_a_passage_without_repeated_phrases_gives_no_question():
    assert (
        span_questions("One sentence about nothing in particular here.", random.Random(1), "p")
        == []
    )
