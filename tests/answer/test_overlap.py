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
