"""What docqa's reader reads for scripts/kinds' questions, labelled for training the reader
(scripts/kinds_reads.py)."""

import json
import random
from pathlib import Path

from kinds_reads import TRAINING_SETS, Asked, examples_of, locate
from squad_metric import normalize, normalize_with_offsets

KINDS = Path(__file__).resolve().parents[2] / "scripts" / "kinds"
LETTER = 'Rent: £1,350 per calendar month. The deposit is 2,025 pounds (the "Deposit"). Fee: 250.'


def found(text: str, expected: str) -> list[str]:
    return [text[a:b] for a, b in locate(text, expected)]


def test_an_answer_is_found_as_squads_normalisation_matches_it():
    """Case, punctuation and articles aside, as eval_kinds scores an answer."""
    assert found(LETTER, "1,350 per calendar month") == ["1,350 per calendar month"]
    assert found(LETTER, "£1,350") == ["£1,350"]
    assert found(LETTER, "the deposit") == ["deposit", "Deposit"]
    assert found(LETTER, "2025 pounds") == ["2,025 pounds"]


def test_the_offsets_normalise_as_the_official_scoring_does():
    """`locate` finds what eval_kinds' scoring (squad_metric.normalize) would count, and its
    offsets point at the passage's own characters, a capital İ (two when lower-cased) or not."""
    for text in (LETTER, "  The  Annex, (an) ANNEX of the theatre!  ", "İstanbul: £40.61 a month"):
        normal, where = normalize_with_offsets(text)
        assert normal == normalize(text)
        assert all(ch in text[i].lower() or ch == " " for ch, i in zip(normal, where, strict=True))
    assert found("Fare to İstanbul: £40.61", "£40.61") == ["£40.61"]


def test_an_answer_is_not_found_inside_a_longer_number_or_word():
    assert found(LETTER, "25") == []
    assert found(LETTER, "posit") == []
    assert found(LETTER, "250") == ["250"]


def test_passages_with_the_answer_are_spans_and_one_without_it_is_no_answer():
    rent = ("How much is the rent?", LETTER)
    other = ("How much is the rent?", "Bins go out on Tuesday.")
    elsewhere = ("How much is the rent?", "Parking costs £20.")
    asked = [Asked("design", "How much is the rent?", "£1,350", (rent, other, elsewhere))]
    examples = examples_of(asked, random.Random(1))
    answered = [e for e in examples if e.answers]
    assert [(e.context, e.answers, e.answer_starts) for e in answered] == [
        (LETTER, ("£1,350",), (LETTER.index("£1,350"),))
    ]
    assert len(examples) == 2  # one passage without the answer, of the two
    assert all(e.answers == () for e in examples if e.context != LETTER)


def test_without_negatives_only_the_spans_are_taught():
    """`reader_forms.py --kinds-negatives 0`: the reader trained so kept its "no answer" least."""
    reads = (("How much is the rent?", LETTER), ("How much is the rent?", "Bins go out."))
    asked = [
        Asked("design", "How much is the rent?", "£1,350", reads),
        Asked("design", "Is there a gym?", None, (("Is there a gym?", LETTER),)),
    ]
    examples = examples_of(asked, random.Random(1), negatives=0)
    assert [e.answers for e in examples] == [("£1,350",)]


def test_an_answer_found_in_no_passage_read_gives_no_example():
    """Retrieval missed it, or the documents word it otherwise: a passage read might answer
    it in other words, so it cannot be taught as "no answer"."""
    asked = [Asked("design", "Who is the landlord?", "Harbourview", (("q", "Bins go out."),))]
    assert examples_of(asked, random.Random(1)) == []


def test_a_question_the_documents_do_not_answer_teaches_no_answer():
    asked = [Asked("design", "Is there a gym?", None, (("Is there a gym?", LETTER),))]
    [example] = examples_of(asked, random.Random(1))
    assert example.answers == ()


def test_the_sets_trained_on_leave_the_later_held_out_sets_unseen():
    """eval_kinds.py measures the reader on the sets it was not trained on."""
    sets = json.loads((KINDS / "questions.json").read_text())
    assert set(TRAINING_SETS) <= set(sets)
    unseen = [name for name in sets if name not in TRAINING_SETS]
    assert {f"held out {n}" for n in range(17, 71)} <= set(unseen)
