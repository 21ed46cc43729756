import pytest

from app.ingest.sentences import sentence_spans, with_sentences
from app.records import Chunk


def _sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dr. Smith met Mr. Jones on Jan. 5. They talked.",
         ["Dr. Smith met Mr. Jones on Jan. 5.", "They talked."]),
        ("J. R. R. Tolkien wrote it. H.W. Wembly read it.",
         ["J. R. R. Tolkien wrote it.", "H.W. Wembly read it."]),
        ("Use e.g. salt. See Fig. 3 and p. 12. The U.S. Army came.",
         ["Use e.g. salt.", "See Fig. 3 and p. 12.", "The U.S. Army came."]),
        ("The answer was no. Then it rained.", ["The answer was no.", "Then it rained."]),
        ('He said "Stop." Then he left! Why? Nobody knows.',
         ['He said "Stop."', "Then he left!", "Why?", "Nobody knows."]),
        ("Growth was 6.5 percent in 2008. Prices rose.",
         ["Growth was 6.5 percent in 2008.", "Prices rose."]),
        ("He was a polyglot.:33 He spoke eight languages.[12] Tesla read.",
         ["He was a polyglot.:33", "He spoke eight languages.[12]", "Tesla read."]),
        ('It read "1... 2... 3...". Reporters laughed.',
         ['It read "1... 2... 3...".', "Reporters laughed."]),
        ("a line wrapped\nin the middle. And the next one.",
         ["a line wrapped\nin the middle.", "And the next one."]),
        ("东京是首都。大阪很大！", ["东京是首都。", "大阪很大！"]),
    ],
)  # fmt: skip
def test_sentences_end_where_a_reader_would_end_them(text, expected):
    assert _sentences(text) == expected


def test_blocks_headings_and_list_items_end_sentences_and_headings_are_left_out():
    text = (
        "# Fees\n\nThe fee is 40 euros:\n- paid in advance\n- refundable\n\n"
        "| Item | Cost |\n| Room | 20 |\n\nShort Title Line\n\nThe end."
    )
    assert _sentences(text) == [
        "The fee is 40 euros:",
        "- paid in advance",
        "- refundable",
        "| Item | Cost |",
        "| Room | 20 |",
        "The end.",
    ]


def test_a_chunk_stores_its_sentences_in_page_offsets():
    page = "Intro text here. " * 3 + "Marie Curie was born in Warsaw. She moved to Paris."
    start = page.index("Marie")
    chunk = with_sentences(Chunk("a.txt", 2, start, len(page), page[start:]))
    assert [page[s:e] for s, e in chunk.sentences] == [
        "Marie Curie was born in Warsaw.",
        "She moved to Paris.",
    ]
