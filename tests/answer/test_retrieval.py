import pytest

from app.answer.retrieval import content_words, fuse, search
from app.ingest.pipeline import ingest
from app.store.folder import open_index
from tests.conftest import write_files

DOCS = {
    "errors.md": "# Error codes\n\nError E4021 means the cartridge is not seated. Push it in "
    "until it clicks.\n\nError E1177 means the paper tray is empty.",
    "cooking.txt": "To make a good risotto, toast the rice in butter before adding warm stock "
    "one ladle at a time, stirring all the while.",
    "travel.txt": "The night train from Vienna reaches Venice a little after nine in the "
    "morning, and the sleeper cabins hold four people.",
}


@pytest.fixture(scope="module")
def small_index(tmp_path_factory, real_embedder):
    from app.settings import Settings

    root = tmp_path_factory.mktemp("retrieval")
    write_files(root / "corpus", DOCS)
    settings = Settings.from_env({}, corpus=root / "corpus", index=root / "index")
    ingest(settings, embedder=real_embedder)
    return open_index(settings.index)


@pytest.mark.parametrize(
    ("query", "source"),
    [
        ("What does E4021 mean?", "errors.md"),  # a code only keyword search pins down
        ("how do I cook creamy rice with broth", "cooking.txt"),  # a paraphrase only vectors get
        ("overnight rail journey to Italy", "travel.txt"),
    ],
)
def test_the_right_passage_ranks_first(small_index, real_embedder, query, source):
    passages = search(small_index, real_embedder, query, k=3)
    assert passages[0].source == source
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)


@pytest.mark.parametrize("mode", ["dense", "keyword", "hybrid"])
def test_every_mode_returns_passages_that_slice_back(small_index, real_embedder, mode):
    passages = search(small_index, real_embedder, "paper tray empty", k=10, mode=mode)
    assert 1 <= len(passages) <= 3
    for p in passages:
        assert small_index.page_text(p.source, p.page)[p.start : p.end] == p.text


def test_question_words_are_never_read_as_fts_syntax(small_index):
    for hostile in [
        '"unbalanced',
        "a AND (b OR",
        "NEAR(x y)",
        "col:value",
        "*",
        "-",
        "   ",
        "é ü 東京",
    ]:
        small_index.search_keywords(content_words(hostile), 5)
        small_index.search_keywords(hostile.split(), 5)
    assert content_words("The cat and THE dog") == ["cat", "dog"]


def test_reciprocal_rank_fusion_rewards_agreement():
    fused = fuse([([(1, 0.9), (2, 0.8), (3, 0.1)], 1.0), ([(2, 9.0), (3, 5.0)], 1.0)])
    assert [chunk_id for chunk_id, _ in fused] == [2, 3, 1]


def test_tied_scores_share_a_rank_whatever_order_a_store_gives_them():
    tied_one_way = fuse([([(1, 0.5), (2, 0.5), (3, 0.1)], 1.0), ([(3, 2.0)], 1.0)])
    tied_other_way = fuse([([(2, 0.5), (1, 0.5), (3, 0.1)], 1.0), ([(3, 2.0)], 1.0)])
    assert tied_one_way == tied_other_way
    assert dict(tied_one_way)[1] == dict(tied_one_way)[2]


@pytest.mark.parametrize("mode", ["dense", "keyword", "hybrid"])
def test_equal_passages_come_in_corpus_order_whatever_order_they_were_added(
    tmp_path, real_embedder, mode
):
    """Two files with the same text tie in every ranking. The one first in the corpus wins
    even when it was indexed last (a higher id), so a rebuild or another store agrees."""
    from app.settings import Settings

    text = "The harbour ferry leaves at seven every morning from the north pier."
    settings = Settings.from_env({}, corpus=tmp_path / "corpus", index=tmp_path / "index")
    write_files(settings.corpus, {"b.txt": text})
    ingest(settings, embedder=real_embedder)
    write_files(settings.corpus, {"a.txt": text})
    ingest(settings, embedder=real_embedder)
    reader = open_index(settings.index)
    [first] = search(reader, real_embedder, "when does the harbour ferry leave", k=1, mode=mode)
    assert first.source == "a.txt"
    both = search(reader, real_embedder, "when does the harbour ferry leave", k=2, mode=mode)
    assert [p.source for p in both] == ["a.txt", "b.txt"] and both[0].score == both[1].score
