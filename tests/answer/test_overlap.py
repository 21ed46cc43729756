from hypothesis import given, settings
from hypothesis import strategies as st

from app.answer.overlap import overlap, stem

# Words whose Snowball stems change their ends (y to i, an added e, the exceptional forms such as
# "dying"), numbers, accents and capitals: what the shortcut in `overlap` must not miss.
WORDS = ["flies", "fly", "dying", "die", "skies", "sky", "relational", "relate", "hoping",
         "hope", "happily", "happy", "Generously", "generous", "5s", "5", "1998", "naïve",
         "Éclairs", "éclair", "news", "lying", "lie", "tying", "tie", "ugly", "only", "gently",
         "x", "xs", "the", "of", "wheel", "wheels", "rebuilt", "rebuilding", "Harwick"]  # fmt: skip


def reference_overlap(idf: dict[str, float], text: str) -> float:
    """The definition: stem every word of the text."""
    import re

    present = {stem(w) for w in re.findall(r"\w+", text.lower())}
    return sum(v for w, v in idf.items() if stem(w) in present) / sum(idf.values())


def test_inflected_words_count_as_the_question_s():
    idf = {"flies": 2.0, "rebuilt": 1.0, "harwick": 1.0}
    assert overlap(idf, "A fly was seen near the Harwick mill.") == 0.75
    assert overlap(idf, "Nothing to see here.") == 0.0
    assert overlap({}, "anything") == 0.0


@settings(max_examples=300, deadline=None)
@given(
    question=st.lists(st.sampled_from(WORDS), min_size=1, max_size=6, unique=True),
    text=st.lists(st.sampled_from(WORDS), max_size=30),
)
def test_the_shortcut_finds_what_stemming_every_word_finds(question, text):
    idf = {word.lower(): 1.0 + len(word) for word in question}
    sentence = " ".join(text)
    assert overlap(idf, sentence) == reference_overlap(idf, sentence)


def test_keyword_share_means_the_same_in_an_index_of_one_chunk_and_of_many(settings, fake_embedder):
    """FTS5's IDF is nothing for every word of an index of one chunk, and the passage's BM25
    score is too. The share weighs each word by an IDF that stays above zero, so it says the
    passage holds the question's words as it does in a larger index, and two of its three
    (less surely: in one chunk, a word that the chunk holds weighs little against one it does
    not); before, one missing word made it "none of them"."""
    from app.answer.answering import candidate_features
    from app.answer.overlap import query_idf
    from app.answer.retrieval import search
    from app.ingest.pipeline import ingest
    from app.records import Span
    from app.store.backends import backend

    questions = (
        "Who maintains the lighthouse at Harwick?",
        "Who repaints the lighthouse at Harwick?",
    )
    (settings.corpus / "one.txt").write_text("The lighthouse at Harwick is maintained by Ada Cole.")
    shares: dict[tuple[int, str], float] = {}
    for fillers in (0, 30):
        for n in range(fillers):
            (settings.corpus / f"filler{n}.txt").write_text(f"Filler note {n} about the weather.")
        ingest(settings, embedder=fake_embedder)
        reader = backend(settings).open_reader()
        for question in questions:
            idf = query_idf(reader, question)
            [passage] = [
                p for p in search(reader, fake_embedder, question, k=5) if p.source == "one.txt"
            ]
            span = Span(0, 0, 3, 1.0, 0.0)
            shares[fillers, question] = candidate_features(span, 0, passage, idf)["keyword"]
    assert reader.chunk_count == 31
    every, all_but_one = questions
    for fillers in (0, 30):
        assert 0.5 < shares[fillers, every] < 1.5
        assert 0.25 < shares[fillers, all_but_one] < shares[fillers, every]
    assert abs(shares[0, every] - shares[30, every]) < 0.25


def test_the_words_beside_a_span_stay_in_its_sentence_and_line():
    from app.answer.overlap import words_around

    text = "Duties.\n\n1. AVOIDANCE POWERS\n\nA goal of the Code is to ensure equality. Then more."
    heading = text.index("AVOIDANCE")
    assert words_around(text, heading, heading + 16, 3) == "", "not the next sentence's words"
    span = text.index("to ensure")
    assert words_around(text, span, span + len("to ensure equality"), 3) == "the Code is"
