"""Filters are applied inside the search: k passages come back whenever k chunks match, in both
stores, exact and IVF, even when 99% of the index is filtered out."""

from __future__ import annotations

import dataclasses

import pytest

from app.answer.retrieval import search
from app.records import Chunk, Page
from app.settings import Settings
from app.store.backends import backend
from app.store.filters import (
    Compound,
    FilterError,
    SourceTable,
    compound,
    condition,
    milvus_expression,
    restrict,
)
from app.store.manifest import FileEntry, Manifest

FILES = 1000  # 10 of them (1%) under keep/
MTIME_2020 = 1_600_000_000 * 10**9
MTIME_2025 = 1_750_000_000 * 10**9
WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda".split()


def _files() -> dict[str, tuple[list[Page], int]]:
    """source -> (pages, mtime_ns): 990 Markdown files, and 10 PDFs of 3 pages under keep/."""
    files = {}
    for i in range(FILES):
        text = f"Document {i} is about {WORDS[i % len(WORDS)]} and rockets number {i}."
        if i % 100 == 0:
            pages = [Page(n, f"{text} Page {n} of keep {i}.") for n in (1, 2, 3)]
            files[f"keep/k{i:04d}.pdf"] = (pages, MTIME_2025 if i < 500 else MTIME_2020)
        else:
            files[f"docs/d{i:04d}.md"] = ([Page(None, text)], MTIME_2020)
    return files


def build(settings: Settings, embedder) -> None:
    """A synthetic index written through the store's own draft, as an ingest writes it."""
    store = backend(settings)
    manifest = Manifest(model=embedder.name, dim=embedder.dim, chunk_tokens=200, chunk_overlap=40)
    draft = store.draft(embedder.dim, rebuild=True)
    for source, (pages, mtime) in _files().items():
        chunks = [Chunk(source, p.number, 0, len(p.text), p.text) for p in pages]
        entry = FileEntry("0" * 64, 100, mtime, pages=len(pages), chunks=len(chunks))
        draft.add_source(source, pages, chunks, embedder.encode([c.text for c in chunks]), entry)
        manifest.files[source] = entry
    draft.publish(manifest)


STORES = ["faiss", "faiss-ivf", "milvus"]


@pytest.fixture(scope="module", params=STORES)
def reader(request, tmp_path_factory):
    if request.param == "milvus":
        pytest.importorskip("milvus_lite")
    from tests.conftest import FakeEmbedder

    root = tmp_path_factory.mktemp(request.param)
    settings = Settings.from_env(
        environ={},
        index=root / "index",
        store="milvus" if request.param == "milvus" else "faiss",
        milvus_uri=str(root / "milvus.db"),
        exact_search_limit=100 if request.param == "faiss-ivf" else 20000,
    )
    settings.index.mkdir(parents=True)
    build(settings, FakeEmbedder())
    opened = backend(settings).open_reader()
    if request.param == "faiss-ivf":
        assert "IVF" in type(opened.vectors).__name__
    return opened


def test_a_filter_on_a_filtered_view_admits_what_both_admit(reader, fake_embedder):
    """What retrieval does to look in the files a question names, inside a user's filter."""
    query = fake_embedder.encode(["rockets number alpha"])[0]
    view = restrict(restrict(reader, condition("type", "eq", "pdf")), condition("page", "eq", 2))
    for hits in (view.search_vectors(query, 100), view.search_keywords(["rockets"], 100)):
        assert len(hits) == 10  # the 10 PDFs' second pages, not the Markdown files' page-less text
        assert all(s.startswith("keep/") for s in _sources(hits, reader))
    assert view.manifest is reader.manifest  # everything but the searches is the reader's own


def _sources(hits, reader) -> list[str]:
    return [c.source for c in reader.chunks([i for i, _ in hits]).values()]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (condition("source", "prefix", "keep/"), 30),
        (condition("source", "glob", "keep/*.pdf"), 30),
        (condition("type", "eq", "PDF"), 30),
        (condition("source", "in", ["keep/k0100.pdf", "keep/k0200.pdf"]), 6),
        (compound("and", [condition("type", "eq", "pdf"), condition("page", "gte", 2)]), 20),
        (condition("modified", "gte", "2025-01-01"), 15),
    ],
)
def test_k_results_come_back_when_99_percent_are_filtered_out(reader, fake_embedder, where,
                                                              expected):  # fmt: skip
    query = fake_embedder.encode(["rockets number alpha"])[0]
    k = 10
    dense = reader.search_vectors(query, k, where=where)
    keyword = reader.search_keywords(["rockets", "number"], k, where=where)
    assert len(dense) == min(k, expected) and len(keyword) == min(k, expected)
    for hits in (dense, keyword):
        assert all(s.startswith("keep/") for s in _sources(hits, reader))
    everything = reader.search_vectors(query, 5000, where=where)
    assert len(everything) == expected
    assert len(reader.search_keywords(["rockets"], 5000, where=where)) == expected


def test_a_filtered_search_ranks_like_the_unfiltered_one(reader, fake_embedder):
    """Filtering removes passages but never reorders the ones it keeps."""
    where = condition("source", "prefix", "docs/d00")
    query = fake_embedder.encode(["alpha rockets"])[0]
    full = reader.search_vectors(query, 5000)
    kept = {i for i, _ in reader.search_vectors(query, 5000, where=where)}
    expected = [score for i, score in full if i in kept][:5]
    found = reader.search_vectors(query, 5, where=where)
    assert [score for _, score in found] == pytest.approx(expected) and kept >= {
        i for i, _ in found
    }


def test_a_filter_that_matches_nothing_finds_nothing(reader, fake_embedder):
    where = condition("source", "eq", "nowhere.txt")
    assert reader.search_vectors(fake_embedder.encode(["alpha"])[0], 5, where=where) == []
    assert reader.search_keywords(["alpha"], 5, where=where) == []


def test_hybrid_retrieval_through_a_filtered_view(reader, fake_embedder):
    view = restrict(reader, condition("page", "eq", 3))
    passages = search(view, fake_embedder, "rockets keep", k=10)
    assert len(passages) == 10 and {p.page for p in passages} == {3}


def test_or_and_page_conditions():
    manifest = Manifest(model="m", dim=4, chunk_tokens=1, chunk_overlap=0)
    manifest.files = {
        "a.pdf": FileEntry("", 1, MTIME_2020, 2, 2),
        "b.md": FileEntry("", 1, MTIME_2025, 1, 1),
        "gone.md": FileEntry("", 1, MTIME_2025, skipped="empty"),
    }
    table = SourceTable(manifest)
    where = compound("or", [condition("type", "eq", "md"), condition("page", "lt", 2)])
    assert isinstance(where, Compound)
    expression = milvus_expression(where, table)
    assert expression.startswith("(source_key in [") and "(page >= 1 and page < 2.0)" in expression
    assert milvus_expression(condition("page", "nin", [1, 2]), table) == "page not in [1, 2]"
    assert milvus_expression(condition("source", "eq", "x"), table) == "id < 0"


@pytest.mark.parametrize(
    ("key", "op", "value", "message"),
    [
        ("author", "eq", "me", "unknown key 'author'"),
        ("source", "gt", "a", "source supports"),
        ("page", "eq", "two", "compares with a number"),
        ("page", "eq", True, "compares with a number"),
        ("source", "in", "notalist", "takes a list"),
        ("source", "in", [], "takes a list"),
        ("source", "eq", ["a"], "takes one value"),
        ("modified", "gt", "last tuesday", "give a date"),
        ("type", "eq", 3, "compares with text"),
    ],
)
def test_a_condition_that_cannot_be_applied_is_named(key, op, value, message):
    with pytest.raises(FilterError, match=message) as raised:
        condition(key, op, value)
    assert key in str(raised.value)


def test_compound_needs_filters_and_a_known_operator():
    with pytest.raises(FilterError, match="no filters"):
        compound("and", [])
    with pytest.raises(FilterError, match="use and or or"):
        compound("xor", [condition("page", "eq", 1)])


def test_dates_are_utc_unless_they_say_otherwise():
    assert condition("modified", "gt", "2026-01-01").value == 1767225600.0
    assert condition("modified", "gt", "2026-01-01T01:00:00+01:00").value == 1767225600.0
    assert dataclasses.astuple(condition("type", "in", [".PDF", "md"])) == (
        "type",
        "in",
        ("pdf", "md"),
    )
