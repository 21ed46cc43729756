from hypothesis import given, settings
from hypothesis import strategies as st

from app.answer.focus import focus
from app.ingest.chunking import count_tokens
from app.ingest.sentences import sentence_spans
from app.records import Passage

FILLER = [
    f"Sentence {n} of the survey describes the weather on the moor, which was grey and wet."
    for n in range(12)
]


def passage_of(text: str, start: int = 500) -> Passage:
    """A passage at page offset `start`, with the sentences ingest would store for it."""
    return Passage(0, "survey.md", None, start, start + len(text), text, 1.0,
                   sentences=sentence_spans(text, start))  # fmt: skip


def test_a_passage_within_the_budget_is_read_whole():
    text = "The bridge was rebuilt in 1998. It carries the old mill road."
    idf = {"bridg": 3.0, "rebuilt": 2.0}
    assert focus(passage_of(text), idf, 160) == (0, len(text))


def test_the_reader_reads_the_sentence_with_the_question_words_and_its_neighbours():
    answer = "The Harwick bridge was rebuilt in 1998 by the county's engineers."
    text = " ".join([*FILLER[:6], answer, *FILLER[6:]])
    start, end = focus(passage_of(text), {"harwick": 5.0, "bridge": 3.0, "rebuilt": 2.0}, 60)
    part = text[start:end]
    assert answer in part
    assert count_tokens([part]) <= 60
    assert part[0].isupper() and part.endswith(".")  # whole sentences only
    assert end - start < len(text) / 2


def test_without_a_budget_or_question_words_the_passage_is_read_whole():
    text = " ".join(FILLER)
    assert focus(passage_of(text), {"weather": 1.0}, None) == (0, len(text))
    assert focus(passage_of(text), {}, 40) == (0, len(text))
    assert focus(passage_of(text), {"weather": 1.0}, 40) != (0, len(text))


def test_a_passage_without_the_question_s_words_is_read_whole():
    """Found by its meaning alone, it gives no clue where the answer stands."""
    text = " ".join(FILLER)
    assert focus(passage_of(text), {"bridge": 3.0, "harwick": 2.0}, 40) == (0, len(text))


def test_a_table_line_is_read_though_it_is_no_sentence():
    """Sentence splitting leaves table rows and headings out; they can still hold the answer."""
    row = "| Team: Blues | Cups won: 14 | Ground: Harwick Park |"
    text = "\n".join([" ".join(FILLER[:5]), "", row, "", " ".join(FILLER[5:])])
    start, end = focus(passage_of(text), {"blue": 4.0, "cup": 3.0, "harwick": 2.0}, 50)
    assert row in text[start:end]


def test_an_older_index_without_stored_sentences_is_cut_by_the_same_rules():
    answer = "The Harwick bridge was rebuilt in 1998 by the county's engineers."
    text = " ".join([*FILLER[:6], answer, *FILLER[6:]])
    stored = passage_of(text)
    older = Passage(0, "survey.md", None, 500, 500 + len(text), text, 1.0)
    idf = {"harwick": 5.0, "bridge": 3.0}
    assert focus(older, idf, 60) == focus(stored, idf, 60)


@settings(max_examples=60, deadline=None)
@given(
    sentences=st.lists(
        st.sampled_from([*FILLER, "Harwick bridge.", "# Heading", "| a | b |"]),
        min_size=1,
        max_size=30,
    ),
    budget=st.integers(min_value=1, max_value=200),
)
def test_the_part_read_is_inside_the_passage_and_never_empty(sentences, budget):
    text = " ".join(sentences)
    start, end = focus(passage_of(text), {"harwick": 2.0, "weather": 1.0}, budget)
    assert 0 <= start < end <= len(text)
    assert text[start:end].strip()
