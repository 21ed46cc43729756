"""FTS5's terms and BM25, reproduced outside SQLite: checked against SQLite itself."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.store.keywords import TOKENIZER, bm25, idf, keyword_terms, occurrences, query_phrases

ROWS = [
    "The keepers lit the lamp at sunset; the keeper's log says so.",
    "Running the light took two keepers and a boy, who was running errands.",
    "An assembly of CAFÉ owners met in the naïve hope of a new light_house.",
    "Light house keepers kept logs: light, house, and weather, every day.",
    "The light house at Saltmere was first lit in 1874 and is automated now.",
    "Nothing here but the weather, the weather, and more weather.",
    "A light_house, a light house, a lighthouse: three spellings of one thing.",
]


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE rows USING fts5 (text, tokenize='{TOKENIZER}')")
    db.executemany("INSERT INTO rows (rowid, text) VALUES (?, ?)", enumerate(ROWS))
    return db


def _sqlite_scores(db: sqlite3.Connection, words: list[str]) -> dict[int, float]:
    query = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
    rows = db.execute("SELECT rowid, -bm25(rows) FROM rows WHERE rows MATCH ?", (query,)).fetchall()
    return dict(rows)


def _our_scores(words: list[str]) -> dict[int, float]:
    """BM25 the way the Milvus store computes it, from terms and counts alone."""
    terms = keyword_terms(ROWS)
    average = sum(map(len, terms)) / len(ROWS)
    phrases = query_phrases(words)
    weights = [(p, idf(len(ROWS), sum(1 for t in terms if occurrences(p, t)))) for p in phrases]
    scores = {row: bm25(weights, t, average) for row, t in enumerate(terms)}
    return {row: s for row, s in scores.items() if any(occurrences(p, terms[row]) for p in phrases)}


def test_terms_are_fts5s_own():
    """Porter as SQLite has it: words under three letters stay, "assembly" loses its y."""
    assert keyword_terms(["Keepers' CAFÉ_lights, 1874! is as us", "", "An assembly"]) == [
        ["keeper", "cafe", "light", "1874", "is", "as", "us"],
        [],
        ["an", "assembl"],
    ]


def test_a_refused_text_leaves_nothing_behind_for_the_next_call():
    with pytest.raises(UnicodeEncodeError):
        keyword_terms(["lamps", "\ud800"])
    assert keyword_terms(["keepers"]) == [["keeper"]]


def test_a_token_fts5_cuts_inside_a_character_keeps_its_whole_characters():
    """FTS5 cuts a token at 32,768 bytes: 10,923 CJK characters without a break end in part of
    one, which SQLite cannot hand back as text. Found by the unicode fuzz test of answers."""
    [[term]] = keyword_terms(["東" * 10923])
    assert term == "東" * 10922
    assert query_phrases(["東" * 10923, "lamps"]) == [("東" * 10922,), ("lamp",)]


@pytest.mark.parametrize(
    "words",
    [
        ["keepers"],  # stemmed to the same term as "keeper's"
        ["running", "run"],  # two phrases, one term: counted twice, as FTS5 does
        ["light_house"],  # one word, a phrase of two terms in a row
        ["light", "house", "weather"],
        ["the"],  # in more than half the rows: FTS5's IDF floor
        ["1874", "saltmere", "lit"],
        ["cafe", "naive"],  # accents folded both ways
        ["absent"],
    ],
)
def test_bm25_equals_sqlites(fts, words):
    ours, sqlite_scores = _our_scores(words), _sqlite_scores(fts, words)
    assert ours.keys() == sqlite_scores.keys()
    for row, score in sqlite_scores.items():
        assert ours[row] == pytest.approx(score, rel=1e-12, abs=1e-15)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(" ".join(ROWS).split()), min_size=1, max_size=6))
def test_bm25_equals_sqlites_for_any_query_of_corpus_words(fts, words):
    words = [w.strip(".,;:'") for w in words]
    ours, sqlite_scores = _our_scores(words), _sqlite_scores(fts, [w for w in words if w])
    assert ours.keys() == sqlite_scores.keys()
    for row, score in sqlite_scores.items():
        assert ours[row] == pytest.approx(score, rel=1e-12, abs=1e-15)


def test_occurrences_count_phrases_in_a_row_with_overlaps():
    assert occurrences(("a",), ["a", "b", "a"]) == 2
    assert occurrences(("a", "a"), ["a", "a", "a"]) == 2
    assert occurrences(("a", "b"), ["b", "a", "c", "b"]) == 0
