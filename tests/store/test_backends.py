"""The same docqa over both stores: FAISS folders, and Milvus through Milvus Lite (an engine)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

import app.ingest.pipeline
from app.engine import Engine
from app.ingest.pipeline import ingest
from app.records import Shard
from app.settings import Settings
from app.store.backends import backend
from app.store.milvus.connection import scan
from app.store.milvus.reader import open_index
from tests.conftest import CORPUS, DEMO_QUESTIONS, CountingEmbedder, run_docqa, write_files

STORES = ["faiss", "milvus"]


def _settings(root: Path, store: str, collection: str = "docqa", corpus: Path = CORPUS) -> Settings:
    return Settings.from_env(
        environ={},
        corpus=corpus,
        index=root / "index",
        store=store,
        milvus_uri=str(root / "milvus.db"),
        milvus_collection=collection,
    )


def _engine(settings: Settings, embedder) -> Engine:
    engine = Engine(settings)
    engine.embedder = embedder
    engine._expected = dataclasses.replace(engine._expected, model=embedder.name, dim=embedder.dim)
    return engine


@pytest.fixture(scope="module")
def engines(tmp_path_factory, real_embedder) -> dict[str, Engine]:
    """The sample corpus indexed once in each store, with the real model."""
    root = tmp_path_factory.mktemp("both")
    built = {}
    for store in STORES:
        settings = _settings(root, store)
        report = ingest(settings, embedder=real_embedder)
        assert report.published and not report.files_skipped
        built[store] = _engine(settings, real_embedder)
    return built


def _keys(passages) -> list[tuple]:
    return [(p.source, p.page, p.start, p.end) for p in passages]


def _questions() -> list[str]:
    return [q["question"] for q in json.loads(DEMO_QUESTIONS.read_text())]


@pytest.mark.parametrize("mode", ["dense", "keyword", "hybrid"])
def test_search_returns_the_same_passages(engines, mode):
    """Dense search is exact inner product in both; BM25 is SQLite FTS5's in the FAISS store
    and the same formula, terms and statistics in the Milvus store (app.keywords); ties come
    in corpus order in both."""
    for question in _questions():
        faiss_top = engines["faiss"].search(question, 10, mode)
        milvus_top = engines["milvus"].search(question, 10, mode)
        assert faiss_top, question
        assert _keys(milvus_top) == _keys(faiss_top), question
        for f, m in zip(faiss_top, milvus_top, strict=True):
            assert m.score == pytest.approx(f.score, abs=1e-4)
            if mode == "keyword":
                assert m.keyword_score == pytest.approx(f.keyword_score, abs=1e-5)


def test_both_stores_give_the_same_answers(engines):
    """Same answer, sentence, citations and confidence."""
    for question in _questions():
        faiss_answer = engines["faiss"].ask(question)
        milvus_answer = engines["milvus"].ask(question)
        assert milvus_answer.answer == faiss_answer.answer, question
        assert milvus_answer.sentence == faiss_answer.sentence
        cited = [(c.source, c.page, c.source_start) for c in milvus_answer.citations]
        assert cited == [(c.source, c.page, c.source_start) for c in faiss_answer.citations]
        assert milvus_answer.confidence == pytest.approx(faiss_answer.confidence, abs=1e-3)


def test_status_names_the_store(engines):
    assert engines["faiss"].status()["store"] == "faiss"
    status = engines["milvus"].status()
    assert status["store"] == "milvus" and status["milvus_collection"] == "docqa"
    assert status["chunks"] == engines["faiss"].status()["chunks"]


@pytest.mark.parametrize("store", STORES)
def test_incremental_add_change_and_delete(tmp_path, fake_embedder, store):
    corpus = tmp_path / "corpus"
    write_files(corpus, {"a.md": "Kites fly on strong lines.", "b.md": "Boats need sails."})
    settings = _settings(tmp_path, store, corpus=corpus)
    first = ingest(settings, embedder=fake_embedder)
    assert sorted(first.files_indexed) == ["a.md", "b.md"] and first.chunks_total == 2
    engine = _engine(settings, fake_embedder)
    assert engine.search("sails", 1, "dense")[0].source == "b.md"

    same = ingest(settings, embedder=fake_embedder)
    assert not same.published and same.files_unchanged == 2 and same.chunks_total == 2

    write_files(corpus, {"a.md": "Kites now fly on nylon lines.", "c.md": "Cars need fuel."})
    (corpus / "b.md").unlink()
    changed = ingest(settings, embedder=fake_embedder)
    assert sorted(changed.files_indexed) == ["a.md", "c.md"]
    assert changed.files_removed == ["b.md"] and changed.chunks_removed == 2
    assert changed.chunks_total == 2

    reader = engine.reader()  # follows the new version without a restart
    assert set(reader.manifest.files) == {"a.md", "c.md"} and reader.chunk_count == 2
    texts = {p.text for p in engine.search("kites sails cars fuel", 5, "dense")}
    assert texts == {"Kites now fly on nylon lines.", "Cars need fuel."}
    assert backend(settings).check() == []


def test_cli_ingest_search_and_check_in_milvus_mode(tmp_path):
    """In subprocesses: a Lite file is open in one process at a time, so this test never
    opens it itself."""
    corpus = tmp_path / "corpus"
    write_files(corpus, {"kites.md": "Kites fly on strong lines.", "boats.md": "Boats sail."})
    flags = ["--store", "milvus", "--milvus-uri", str(tmp_path / "cli.db")]
    flags += ["--milvus-collection", "notes"]
    built = run_docqa("ingest", str(corpus), *flags, "--json", check=False)
    assert built.returncode == 0, built.stderr
    assert json.loads(built.stdout)["chunks_total"] == 2
    found = run_docqa("search", "kites", *flags, "--json", "-k", "1", check=False)
    assert json.loads(found.stdout)["passages"][0]["source"] == "kites.md"
    check = run_docqa("check", *flags, check=False)
    assert check.returncode == 0, check.stderr
    assert "consistent" in check.stdout and "keyword search:" in check.stdout
    missing = run_docqa(
        "check", "--store", "milvus", "--milvus-uri", str(tmp_path / "none.db"), check=False
    )
    assert missing.returncode == 2 and "docqa ingest --store milvus" in missing.stderr
    assert "Traceback" not in missing.stderr


def _stored(settings: Settings) -> tuple[list, dict]:
    """Every live chunk (source, page, offsets, text) and its vector, by content."""
    store = backend(settings).store()
    reader = open_index(store)
    rows = [
        r
        for r in scan(
            store,
            store.chunks,
            [
                "source_key",
                "content_key",
                "source",
                "page",
                "char_start",
                "char_end",
                "text",
                "vector",
            ],
        )
        if reader._is_live(r)
    ]
    keys = [(r["source"], r["page"], r["char_start"], r["char_end"], r["text"]) for r in rows]
    vectors = {k: np.asarray(r["vector"]) for k, r in zip(keys, rows, strict=True)}
    return sorted(keys), vectors


def test_shards_together_equal_one_ingest(tmp_path, fake_embedder):
    corpus = tmp_path / "corpus"
    write_files(corpus, {f"doc{i}.md": f"Document {i} is about topic {i * 7}." for i in range(12)})
    whole = _settings(tmp_path, "milvus", "whole", corpus)
    ingest(whole, embedder=fake_embedder)
    parts = _settings(tmp_path, "milvus", "parts", corpus)
    first = ingest(parts, embedder=fake_embedder, shard=Shard(1, 2))
    second = ingest(parts, embedder=fake_embedder, shard=Shard(2, 2))
    indexed = first.files_indexed + second.files_indexed
    assert sorted(indexed) == sorted(f"doc{i}.md" for i in range(12))
    assert first.files_indexed and second.files_indexed  # both did some of the work
    whole_chunks, _ = _stored(whole)
    part_chunks, _ = _stored(parts)
    assert part_chunks == whole_chunks and len(set(part_chunks)) == 12
    assert backend(parts).check() == []
    reader = backend(parts).open_reader()
    assert set(reader.manifest.files) == {f"doc{i}.md" for i in range(12)}
    again = ingest(parts, embedder=fake_embedder, shard=Shard(1, 2))
    assert not again.published and again.files_unchanged == len(first.files_indexed)


def test_shard_needs_milvus(tmp_path, fake_embedder):
    with pytest.raises(ValueError, match="--shard needs --store milvus"):
        ingest(_settings(tmp_path, "faiss"), embedder=fake_embedder, shard=Shard(1, 2))


def test_two_workers_build_the_same_index_as_one(tmp_path, real_embedder, monkeypatch):
    monkeypatch.setattr(
        app.ingest.pipeline, "EMBED_GROUP", 16
    )  # several groups, so both workers embed
    one = _settings(tmp_path, "milvus", "one", CORPUS / "user-guide")
    two = _settings(tmp_path, "milvus", "two", CORPUS / "user-guide")
    ingest(one, embedder=real_embedder, workers=1)
    report = ingest(two, embedder=real_embedder, workers=2)
    assert report.published and report.chunks_total > 16
    keys_one, vectors_one = _stored(one)
    keys_two, vectors_two = _stored(two)
    assert keys_one == keys_two
    for key in keys_one:
        np.testing.assert_allclose(vectors_one[key], vectors_two[key], atol=1e-4)


def test_an_engine_error_during_ingest_is_one_clear_message(tmp_path, fake_embedder, monkeypatch):
    from pymilvus.exceptions import MilvusException

    from app.store.backends import MilvusWriteError

    def refuse(*args, **kwargs):
        raise MilvusException(message="disk quota exceeded")

    write_files(tmp_path / "corpus", {"a.md": "Kites fly on strong lines."})
    settings = _settings(tmp_path, "milvus", corpus=tmp_path / "corpus")
    monkeypatch.setattr("app.store.milvus.writer.MilvusDraft.add_source", refuse)
    with pytest.raises(MilvusWriteError, match="refused a request: disk quota exceeded"):
        ingest(settings, embedder=fake_embedder)


@pytest.mark.parametrize("store", STORES)
def test_text_the_index_holds_is_not_embedded_again(tmp_path, fake_embedder, store):
    """An edited file re-embeds only its changed chunks, a moved folder nothing at all, and
    the index is the one a rebuild from scratch makes."""
    corpus = tmp_path / "corpus"
    sections = [
        f"Section {i}. The pump in hall {i} was serviced in week {i + 3}. " * 12 for i in range(12)
    ]
    write_files(
        corpus,
        {
            "book.txt": "\n\n".join(sections),
            "notes/kites.md": "Kites fly best on steady winds of 15 to 25 km/h.",
            "notes/tea.md": "Green tea is brewed at 80 degrees for two minutes.",
        },
    )
    settings = _settings(tmp_path, store, corpus=corpus)
    counting = CountingEmbedder(fake_embedder)
    first = ingest(settings, embedder=counting)
    assert first.chunks_reused == 0 and counting.encoded == first.chunks_total > 6

    sections[-1] = "Section 11. The pump in hall 11 was replaced by a heat exchanger. " * 12
    (corpus / "book.txt").write_text("\n\n".join(sections), encoding="utf-8")
    (corpus / "notes").rename(corpus / "kept")
    counting.encoded = 0
    update = ingest(settings, embedder=counting)
    assert sorted(update.files_indexed) == ["book.txt", "kept/kites.md", "kept/tea.md"]
    assert update.chunks_removed == first.chunks_total
    assert 1 <= counting.encoded <= 2, "only the chunks holding the rewritten section"
    assert update.chunks_reused == update.chunks_added - counting.encoded

    clean = _settings(tmp_path / "clean", store, corpus=corpus)
    ingest(clean, embedder=fake_embedder)
    updated, rebuilt = _engine(settings, fake_embedder), _engine(clean, fake_embedder)
    for question in ["pump in hall 4", "heat exchanger", "kites wind", "tea"]:
        found, expected = (
            updated.search(question, 10, "dense"),
            rebuilt.search(question, 10, "dense"),
        )
        assert _keys(found) == _keys(expected), question
        assert [p.score for p in found] == pytest.approx([p.score for p in expected], abs=1e-6)


@pytest.mark.parametrize("store", STORES)
def test_a_rebuild_reads_every_file_but_embeds_only_new_text(tmp_path, fake_embedder, store):
    corpus = tmp_path / "corpus"
    write_files(
        corpus, {f"{i}.md": f"Note {i}: the pump in hall {i} was serviced." for i in range(5)}
    )
    settings = _settings(tmp_path, store, corpus=corpus)
    first = ingest(settings, embedder=fake_embedder)
    counting = CountingEmbedder(fake_embedder)
    rebuilt = ingest(settings, rebuild=True, embedder=counting)
    assert sorted(rebuilt.files_indexed) == sorted(f"{i}.md" for i in range(5))
    assert counting.encoded == 0 and rebuilt.chunks_reused == first.chunks_total
    fresh = ingest(settings, rebuild=True, embedder=counting, reuse_vectors=False)
    assert counting.encoded == first.chunks_total and fresh.chunks_reused == 0
    engine = _engine(settings, fake_embedder)
    assert engine.search("pump in hall 3", 1, "dense")[0].source == "3.md"


def test_a_rebuild_replaces_a_damaged_index_embedding_everything(tmp_path, fake_embedder):
    corpus = tmp_path / "corpus"
    write_files(corpus, {"a.md": "Kites fly on strong lines.", "b.md": "Tea is brewed at 80 C."})
    settings = _settings(tmp_path, "faiss", corpus=corpus)
    ingest(settings, embedder=fake_embedder)
    version = backend(settings).version()
    (version / "vectors.faiss").write_bytes(b"not an index")
    counting = CountingEmbedder(fake_embedder)
    report = ingest(settings, rebuild=True, embedder=counting)
    assert report.published and counting.encoded == 2 and report.chunks_reused == 0
    assert _engine(settings, fake_embedder).search("kites", 1, "dense")[0].source == "a.md"
