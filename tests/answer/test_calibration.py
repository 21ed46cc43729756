"""How sure docqa is of a candidate, and which candidate leads."""

from app.answer import calibration
from app.answer.candidates import Candidate
from app.records import Passage, Span

NOTICE = "Storage costs £2 per day. The final exam is worth 25% of the grade."


def _candidate(text: str, margin: float, source: str = "notice.md", start: int = 0) -> Candidate:
    passage = Passage(0, source, None, start, start + len(NOTICE), NOTICE, 1.0, 0.5, 1.0)
    at = NOTICE.index(text)
    features = {"margin": margin, "rank": 1.0, "dense": 0.5, "overlap": 0.5, "keyword": 0.5}
    return Candidate(passage, 0, Span(0, at, at + len(text), margin, 0.0), features, margin)


def test_the_confidence_grows_with_the_readers_margin_and_stays_a_probability():
    low, high = _candidate("£2", -20.0), _candidate("£2", 20.0)
    assert 0.0 < calibration.confidence_of(low.features) < calibration.ABSTAIN_BELOW
    assert calibration.ABSTAIN_BELOW < calibration.confidence_of(high.features) <= 1.0
    assert calibration.confidence_of({"margin": 1e12}) == 1.0  # no overflow


def test_the_surest_leads_only_when_the_best_ranked_is_too_unsure_to_answer():
    unsure, sure = _candidate("£2", -20.0), _candidate("25%", 20.0)
    assert calibration.sure_when_unsure([unsure, sure])[0] is sure
    fair = _candidate("£2", 10.0)
    assert calibration.sure_when_unsure([fair, sure])[0] is fair


def test_of_two_copies_of_one_span_the_surer_leads():
    """Overlapping chunks: the same words of the same page, read twice."""
    first, copy = _candidate("£2", 1.0), _candidate("£2", 9.0)
    other = _candidate("25%", 20.0)
    assert calibration.surest_copy_first([first, other, copy])[0] is copy


def test_a_sure_span_in_the_file_the_question_names_leads():
    elsewhere = _candidate("£2", 20.0, source="energy.md")
    named = _candidate("25%", 10.0, source="exam.md")
    assert calibration.named_first([elsewhere, named], ["exam.md"])[0] is named
    unsure = _candidate("25%", -20.0, source="exam.md")
    assert calibration.named_first([elsewhere, unsure], ["exam.md"])[0] is elsewhere
