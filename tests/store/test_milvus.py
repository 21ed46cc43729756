"""The Milvus store against a real engine: Milvus Lite, one database file per test module."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

from app.ingest.sentences import with_sentences
from app.records import Chunk, Page, Shard, in_shard
from app.store.manifest import FileEntry, IndexMismatchError, IndexNotFoundError, Manifest
from app.store.milvus import reader as milvus_reader
from app.store.milvus import schema as milvus_schema
from app.store.milvus.check import check, keyword_search_status
from app.store.milvus.connection import (
    MilvusStore,
    MilvusUnavailableError,
    connect,
    content_key,
    scan,
)
from app.store.milvus.manifest import current_version, journal_key, read_files, read_manifest
from app.store.milvus.reader import open_index
from app.store.milvus.schema import META_KEY
from app.store.milvus.writer import MilvusDraft, recover

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def lite_uri(tmp_path_factory) -> str:
    """One Milvus Lite engine for the module (starting one costs ~0.3 s); tests use their own
    collections in it."""
    return str(tmp_path_factory.mktemp("milvus") / "docqa.db")


@pytest.fixture
def store(lite_uri, request):
    name = re.sub(r"\W", "_", request.node.name)[:60]
    connection = connect(lite_uri, name, create=True)
    yield connection
    connection.close()


def _connect_other(store: MilvusStore, suffix: str) -> MilvusStore:
    return connect(store.uri, f"{store.name}_{suffix}", create=True)


Doc = str | list[str]  # one text, or the texts of a PDF's pages


def _pages(doc: Doc) -> list[Page]:
    if isinstance(doc, str):
        return [Page(None, doc)]
    return [Page(number, text) for number, text in enumerate(doc, start=1)]


def _chunks(source: str, pages: list[Page], size: int = 60) -> list[Chunk]:
    """Cut each page into `size`-character pieces (the real chunker is not under test here)."""
    return [
        with_sentences(Chunk(source, page.number, start, min(start + size, len(page.text)), text))
        for page in pages
        for start in range(0, len(page.text), size)
        if (text := page.text[start : start + size])
    ]


def _build(
    store: MilvusStore,
    embedder,
    docs: dict[str, Doc],
    removed: tuple[str, ...] = (),
    shard: Shard | None = None,
    commit_each: bool = True,
) -> Manifest:
    """What `docqa ingest` does with a draft: remove changed and gone files, add, publish."""
    manifest = read_manifest(store, shard) or Manifest(
        model=embedder.name, dim=embedder.dim, chunk_tokens=200, chunk_overlap=40
    )
    draft = MilvusDraft(store, embedder.dim, shard=shard)
    try:
        for source in [*removed, *(s for s in docs if s in manifest.files)]:
            draft.remove_source(source)
            manifest.files.pop(source, None)
        for source, doc in docs.items():
            pages = _pages(doc)
            chunks = _chunks(source, pages)
            entry = FileEntry("0" * 64, 1, 0, pages=len(pages), chunks=len(chunks))
            manifest.files[source] = entry
            vectors = embedder.encode([c.text for c in chunks])
            draft.add_source(source, pages, chunks, vectors, entry if commit_each else None)
        draft.publish(manifest)
    except BaseException:
        draft.discard()
        raise
    return manifest


def _state(store: MilvusStore) -> tuple:
    """Everything stored, for comparing two builds (ids are content hashes, so they match)."""
    client = store.client
    chunks = sorted(
        (r["id"], r["source"], r["page"], r["char_start"], r["char_end"], r["text"])
        for r in scan(store, store.chunks, ["source", "page", "char_start", "char_end", "text"])
    )
    pages = sorted(
        (r["id"], r["source"], r["page"], r["part"], r["text"])
        for r in scan(store, store.pages, ["source", "page", "part", "text"])
    )
    files = sorted(
        (r["key"], r["source"], r["content_key"], r["data"])
        for r in scan(store, store.files, ["source", "content_key", "data"], "key >= 0")
    )
    vectors = {
        r["id"]: np.round(np.asarray(r["vector"]), 5).tolist()
        for r in client.query(store.chunks, filter="id != 0", output_fields=["vector"])
    }
    return chunks, pages, files, vectors


def _fail_on_call(monkeypatch, store: MilvusStore, method: str, call: int) -> None:
    """Make the client's `call`-th `method` call (1-based) raise, like a kill at that write."""
    original = getattr(store.client, method)
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == call:
            raise KeyboardInterrupt(f"simulated kill at {method} #{call}")
        return original(*args, **kwargs)

    monkeypatch.setattr(store.client, method, failing)


# --------------------------------------------------------------------------- reading


def test_published_index_is_searchable_and_slices_back(store, fake_embedder):
    _build(store, fake_embedder, {"a.txt": "red apples grow here", "b.txt": "blue ocean waves"})
    reader = open_index(store)
    assert (reader.chunk_count, reader.document_count) == (2, 2)
    [(best, score), *_] = reader.search_vectors(fake_embedder.encode(["blue ocean"])[0], k=2)
    chunk = reader.chunks([best])[best]
    assert chunk.source == "b.txt" and chunk.page is None and score > 0.5
    assert reader.page_text("b.txt", None)[chunk.start : chunk.end] == chunk.text
    assert reader.page_text("missing.txt", None) is None
    assert check(store) == []


def test_chunks_come_back_with_the_sentences_found_at_ingest(store, fake_embedder):
    text = "The tide rose. Boats left the harbour."
    _build(store, fake_embedder, {"tide.txt": text})
    reader = open_index(store)
    [chunk] = reader.chunks([hit for hit, _ in reader.search_vectors(
        fake_embedder.encode(["tide"])[0], k=1)]).values()  # fmt: skip
    assert [text[s:e] for s, e in chunk.sentences] == ["The tide rose.", "Boats left the harbour."]


def test_pages_long_and_non_ascii_round_trip_with_offsets(store, fake_embedder):
    long_page = "Ærøskøbing harbour, 1874. " * 1500  # 39,000 characters: three stored parts
    _build(store, fake_embedder, {"guide.pdf": ["first page text", long_page, "last page"]})
    reader = open_index(store)
    assert reader.page_text("guide.pdf", 2) == long_page
    assert reader.page_text("guide.pdf", 3) == "last page"
    assert reader.page_text("guide.pdf", 4) is None
    stored = reader.chunks([r[0] for r in reader.search_vectors(np.ones(64), k=1000)])
    expected = _chunks("guide.pdf", _pages(["first page text", long_page, "last page"]))
    assert len(stored) == reader.chunk_count == len(expected)
    for chunk in stored.values():
        assert reader.page_text(chunk.source, chunk.page)[chunk.start : chunk.end] == chunk.text
    assert check(store) == []


def test_keyword_search_ranks_the_rare_word_first_and_stems(store, fake_embedder):
    docs = {f"{i}.txt": f"the keeper lit the lamp on night {i}" for i in range(12)}
    docs["rare.txt"] = "the keeper met Ardley, who kept the lamps"
    _build(store, fake_embedder, docs)
    reader = open_index(store)
    [(best, score), *rest] = reader.search_keywords(["ardley", "keeper"], k=5)
    assert reader.chunks([best])[best].source == "rare.txt"
    assert score > rest[0][1] > 0
    # Porter stemming like SQLite FTS5's: "keepers" finds "keeper", "lamps" is "lamp".
    assert len(reader.search_keywords(["keepers"], k=50)) == 13
    assert reader.document_frequencies(["keepers", "lamp", "ardley", "absent", "_"]) == {
        "keepers": 13,
        "lamp": 13,
        "ardley": 1,
        "absent": 0,
        "_": 0,
    }
    assert reader.search_keywords([], k=5) == [] and reader.search_keywords(["zzz"], k=5) == []


def test_document_frequencies_beyond_one_search_are_counted_exactly(
    store, fake_embedder, monkeypatch
):
    _build(store, fake_embedder, {f"{i}.txt": f"common words, number{i % 2}" for i in range(9)})
    monkeypatch.setattr(milvus_reader, "MAX_TOP_K", 4)  # a search returns at most 4 chunks
    counts = open_index(store).document_frequencies(["common", "number1", "number0"])
    assert counts == {"common": 9, "number1": 4, "number0": 5}


def test_keyword_statistics_follow_added_and_removed_files(store, fake_embedder):
    """BM25's average chunk length counts the terms of the live files only."""
    _build(store, fake_embedder, {"a.txt": "lamp lamp keeper", "b.txt": "lamp and a long tail"})
    _build(store, fake_embedder, {"c.txt": "keeper of the lamp"}, removed=("b.txt",))
    reader = open_index(store)
    assert reader._average_terms == (3 + 4) / 2
    [(first, score), (_, second)] = reader.search_keywords(["lamp", "keeper"], k=5)
    assert reader.chunks([first])[first].source == "a.txt" and score > second > 0
    assert check(store) == []


def test_an_index_with_older_keyword_terms_is_refused_until_rebuilt(store, fake_embedder):
    manifest = _build(store, fake_embedder, {"a.txt": "An assembly of keepers"})
    [meta] = store.client.get(store.files, ids=[META_KEY], output_fields=["*"])
    data = json.loads(meta["data"])
    del data["terms_format"]  # as docqa wrote it before its terms were FTS5's
    store.client.upsert(store.files, [{**meta, "data": json.dumps(data)}])
    with pytest.raises(IndexMismatchError, match="Rebuild it: docqa ingest --rebuild --store"):
        open_index(store, expected=manifest)
    draft = MilvusDraft(store, fake_embedder.dim, rebuild=True)
    pages = _pages("An assembly of keepers")
    chunks = _chunks("a.txt", pages)
    draft.add_source("a.txt", pages, chunks, fake_embedder.encode([c.text for c in chunks]))
    draft.publish(manifest)
    assert len(open_index(store, expected=manifest).search_keywords(["assembly"], 5)) == 1


def test_remove_and_re_add_sources(store, fake_embedder):
    _build(store, fake_embedder, {f"{i}.txt": f"document number {i} word{i}" for i in range(20)})
    removed = tuple(f"{i}.txt" for i in range(0, 20, 3))
    _build(store, fake_embedder, {"new.txt": "a fresh document word7"}, removed=removed)
    _build(store, fake_embedder, {"3.txt": "document three is back, changed"})
    reader = open_index(store)
    assert reader.chunk_count == 20 - len(removed) + 2
    assert set(reader.manifest.files) == {f"{i}.txt" for i in range(20) if i % 3} | {
        "new.txt",
        "3.txt",
    }
    hits = reader.search_vectors(fake_embedder.encode(["document number 7 word7"])[0], k=1)
    assert reader.chunks([hits[0][0]])[hits[0][0]].source == "7.txt"
    assert reader.page_text("3.txt", None) == "document three is back, changed"
    assert reader.page_text("6.txt", None) is None
    # Nothing is left behind: every stored row is one the manifest names.
    count = store.client.query(store.chunks, filter="id != 0", output_fields=["count(*)"])
    assert count[0]["count(*)"] == reader.chunk_count
    assert check(store) == []


def test_publish_changes_the_version_and_readers_see_their_own_manifest(store, fake_embedder):
    _build(store, fake_embedder, {"a.txt": "alpha particles"})
    old = open_index(store)
    assert current_version(store) == old.version
    _build(store, fake_embedder, {"a.txt": "alpha rewritten entirely", "b.txt": "beta"})
    assert current_version(store) != old.version
    new = open_index(store)
    assert new.version == current_version(store)
    assert new.page_text("a.txt", None) == "alpha rewritten entirely"
    # The old reader's rows are gone: it finds nothing rather than a mix of versions.
    assert old.page_text("a.txt", None) is None
    assert old.search_vectors(fake_embedder.encode(["alpha"])[0], k=5) == []


def test_unpublished_rows_are_invisible_even_when_they_rank_first(store, fake_embedder):
    _build(store, fake_embedder, {f"{i}.txt": f"filler text {i}" for i in range(30)})
    draft = MilvusDraft(store, fake_embedder.dim)
    text = "secret sauce recipe"
    pages = [Page(None, text)]
    chunks = _chunks("new.txt", pages)
    draft.add_source("new.txt", pages, chunks, fake_embedder.encode([text]))
    reader = open_index(store)  # opened mid-ingest: it reads the published manifest
    assert reader.search_keywords(["secret", "sauce"], k=5) == []
    hits = reader.search_vectors(fake_embedder.encode([text])[0], k=5)
    assert len(hits) == 5 and "new.txt" not in {
        c.source for c in reader.chunks([i for i, _ in hits]).values()
    }
    assert reader.chunk_count == 30
    draft.discard()


def test_missing_index_and_other_model_are_refused_with_what_to_do(store, lite_uri, tmp_path):
    with pytest.raises(IndexNotFoundError, match="docqa ingest --store milvus"):
        open_index(store)
    with pytest.raises(IndexNotFoundError, match="docqa ingest --store milvus"):
        connect(str(tmp_path / "absent.db"))
    with pytest.raises(ValueError, match=r"\.db"):
        connect(str(tmp_path / "no-suffix"))


def test_another_model_or_dimension_says_rebuild(store, fake_embedder):
    _build(store, fake_embedder, {"a.txt": "text"})
    other = Manifest(model="another", dim=fake_embedder.dim, chunk_tokens=200, chunk_overlap=40)
    with pytest.raises(IndexMismatchError, match="docqa ingest --rebuild --store milvus"):
        open_index(store, expected=other)
    with pytest.raises(IndexMismatchError, match="rebuild it without --shard"):
        MilvusDraft(store, fake_embedder.dim + 1)
    draft = MilvusDraft(store, fake_embedder.dim + 1, rebuild=True)  # starts afresh
    assert draft.chunk_count == 0 and read_manifest(store) is None


# --------------------------------------------------------------------------- checking


def test_check_reports_injected_inconsistencies(store, fake_embedder):
    _build(store, fake_embedder, {"a.txt": "alpha beta gamma", "b.txt": "delta epsilon"})
    assert check(store) == []
    reader = open_index(store)
    rows = {}
    for source, query in (("a.txt", "alpha beta gamma"), ("b.txt", "delta epsilon")):
        [(chunk_id, _)] = reader.search_vectors(fake_embedder.encode([query])[0], k=1)
        [row] = store.client.get(store.chunks, ids=[chunk_id], output_fields=["*"])
        rows[source] = {k: v for k, v in row.items() if k != "sparse"}  # BM25 fills that
    # A chunk whose offsets no longer slice its page, as a buggy writer would leave it,
    # a second copy of a chunk under another id, and a row of no published file.
    store.client.upsert(store.chunks, [{**rows["a.txt"], "char_end": 5}])
    store.client.upsert(store.chunks, [{**rows["b.txt"], "id": 12345}])
    store.client.upsert(store.chunks, [{**rows["b.txt"], "id": 777, "content_key": 99}])
    problems = check(store)
    assert "a.txt page None: chunk offsets 0:5 do not match" in problems
    assert "b.txt page None: duplicate chunk (0, 13)" in problems
    assert "b.txt: chunk 12345 has an id that is not its hash" in problems
    assert f"a.txt: chunk {rows['a.txt']['id']} has an id that is not its hash" in problems
    assert "b.txt: manifest says 1 chunk(s), the store differs" in problems
    assert "b.txt: manifest says 2 keyword term(s), the store differs" in problems
    assert any(
        p.startswith("1 chunk row(s) and 0 page row(s) that the manifest does not name")
        for p in problems
    )
    assert len(problems) == 7


def test_check_reports_a_missing_page(store, fake_embedder):
    _build(store, fake_embedder, {"a.pdf": ["page one", "page two"]})
    store.client.delete(store.pages, filter="page == 2")
    problems = check(store)
    assert any("page 2: chunk offsets" in p for p in problems)
    assert any("manifest says 2 page(s)" in p for p in problems)


def test_keyword_search_status_says_whether_bm25_is_there(store, fake_embedder, monkeypatch):
    _build(store, fake_embedder, {"a.txt": "alpha"})
    assert keyword_search_status(store).startswith("keyword search: BM25 full-text search")

    from pymilvus.exceptions import MilvusException

    create = milvus_schema._create

    def engine_without_bm25(store, name, schema, index):
        if schema.functions:  # as Milvus before 2.5 answers a BM25 function
            raise MilvusException(message="metric type BM25 not found or not supported")
        create(store, name, schema, index)

    monkeypatch.setattr(milvus_schema, "_create", engine_without_bm25)
    old_engine = _connect_other(store, "old")
    _build(old_engine, fake_embedder, {"a.txt": "alpha keeper", "b.txt": "beta"})
    reader = open_index(old_engine)
    assert not reader.keyword_search
    assert reader.search_keywords(["keeper"], k=5) == []  # said by check, not silently wrong
    assert reader.document_frequencies(["keeper"]) == {"keeper": 0}
    assert reader.search_vectors(fake_embedder.encode(["alpha keeper"])[0], k=1)
    assert "keyword search: unavailable" in keyword_search_status(old_engine)
    assert check(old_engine) == []


# --------------------------------------------------------------------------- crash safety


DOCS_V1 = {"a.txt": "alpha version one", "b.pdf": ["beta page one", "beta page two"]}
DOCS_V2 = {"a.txt": "alpha version two is longer " * 5, "c.txt": "gamma is new here"}


def _clean_build(store: MilvusStore, embedder) -> tuple:
    """The state after v1 then v2 without interruption, in collections of its own."""
    clean = _connect_other(store, "clean")
    _build(clean, embedder, DOCS_V1)
    _build(clean, embedder, DOCS_V2, removed=("b.pdf",))
    return _state(clean)


@pytest.mark.parametrize(
    ("method", "call", "commit_each"),
    [
        ("upsert", 3, True),  # inside a.txt's chunks: nothing of v2 committed
        ("upsert", 5, True),  # after a.txt's commit, inside c.txt
        ("upsert", 7, False),  # publish, between the file rows and the settings row
        ("delete", 2, True),  # publish, deleting the old rows
    ],
)
def test_a_kill_at_any_write_leaves_a_readable_index_and_a_re_run_converges(
    store, fake_embedder, monkeypatch, method, call, commit_each
):
    _build(store, fake_embedder, DOCS_V1)
    with monkeypatch.context() as patch:
        _fail_on_call(patch, store, method, call)
        with pytest.raises(KeyboardInterrupt, match="simulated kill"):
            _build(store, fake_embedder, DOCS_V2, removed=("b.pdf",), commit_each=commit_each)
    reader = open_index(store)
    for source in reader.manifest.files:  # every file reads as one whole version
        entry = reader.manifest.files[source]
        pages = [reader.page_text(source, n) for n in ([None] if entry.pages == 1 else [1, 2])]
        assert all(pages), source
    hits = reader.search_vectors(np.ones(fake_embedder.dim), k=100)
    for chunk in reader.chunks([i for i, _ in hits]).values():
        assert reader.page_text(chunk.source, chunk.page)[chunk.start : chunk.end] == chunk.text

    _build(store, fake_embedder, DOCS_V2, removed=("b.pdf",))
    assert check(store) == []
    assert _state(store) == _clean_build(store, fake_embedder)


def test_committed_files_survive_a_kill_so_the_re_run_skips_them(store, fake_embedder, monkeypatch):
    with monkeypatch.context() as patch:
        _fail_on_call(patch, store, "upsert", 6)  # a.txt committed (3 writes), b.pdf not
        with pytest.raises(KeyboardInterrupt):
            _build(store, fake_embedder, DOCS_V1)
    manifest = read_manifest(store)
    assert manifest is None  # never published: no settings row yet
    files = read_files(store)
    assert set(files.entries) == {"a.txt"}  # but ingest can resume from this
    assert recover(store) > 0  # b.pdf's rows written before the kill
    assert recover(store, force=True) == 0  # nothing left, and the mark is gone:
    assert not store.client.get(store.files, ids=[journal_key(None)])


def test_a_real_kill_of_an_ingest_process_converges(tmp_path, fake_embedder):
    """SIGKILL a process in the middle of writing files, then finish from another one."""
    uri = str(tmp_path / "killed.db")
    docs = {f"doc{i:03}.txt": f"document {i} says word{i} " * 20 for i in range(60)}
    script = textwrap.dedent(
        f"""
        import sys
        sys.path[:0] = [{str(ROOT)!r}]
        from tests.conftest import FakeEmbedder
        from tests.store.test_milvus import _build, _chunks, _pages
        from app.store.milvus.connection import connect
        from app.store.milvus.writer import MilvusDraft
        from app.store.manifest import FileEntry
        store = connect({uri!r}, create=True)
        embedder = FakeEmbedder()
        _build(store, embedder, {{"first.txt": "published before the kill"}})
        draft = MilvusDraft(store, embedder.dim)
        for number, (source, text) in enumerate({docs!r}.items()):
            pages = _pages(text)
            chunks = _chunks(source, pages)
            entry = FileEntry("0" * 64, 1, 0, pages=1, chunks=len(chunks))
            vectors = embedder.encode([c.text for c in chunks])
            draft.add_source(source, pages, chunks, vectors, entry if number % 2 else None)
            print(number, flush=True)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        while int(child.stdout.readline()) < 20:
            pass
        with pytest.raises(MilvusUnavailableError, match="one process at a time"):
            connect(uri)
        time.sleep(0.01)  # somewhere inside the writes of a later file
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    store = connect(uri)  # the engine's lock went with the killed process
    reader = open_index(store)
    assert 10 < len(reader.manifest.files) < len(docs)  # first.txt and the committed files
    for source in reader.manifest.files:
        assert reader.page_text(source, None), source
    # Only rows of the unfinished ingest, which readers ignore, can be out of place.
    assert all("the manifest does not name" in p for p in check(store))
    _build(store, fake_embedder, docs)
    assert check(store) == []
    clean = _connect_other(store, "clean")
    _build(clean, fake_embedder, {"first.txt": "published before the kill"})
    _build(clean, fake_embedder, docs)
    assert _state(store) == _state(clean)


# --------------------------------------------------------------------------- shards


def test_shards_partition_sources_disjointly_and_completely():
    sources = [f"folder/{i}/file {i}.txt" for i in range(500)]
    for count in (1, 2, 3, 7):
        parts = [{s for s in sources if in_shard(s, Shard(i, count))} for i in range(1, count + 1)]
        assert sum(len(p) for p in parts) == len(sources)
        assert set().union(*parts) == set(sources)
        assert all(len(p) > len(sources) / count / 2 for p in parts)  # roughly even
    assert all(in_shard(s, None) for s in sources)
    assert Shard.parse("2/3") == Shard(2, 3)
    for bad in ("0/3", "4/3", "1", "a/b"):
        with pytest.raises(ValueError, match="i/N"):
            Shard.parse(bad)


def test_shards_ingest_into_one_collection_without_touching_each_other(store, fake_embedder):
    docs = {f"{i}.txt": f"shared corpus file {i} token{i}" for i in range(12)}
    for index in (1, 2):
        shard = Shard(index, 2)
        _build(
            store,
            fake_embedder,
            {s: t for s, t in docs.items() if in_shard(s, shard)},
            shard=shard,
        )
    reader = open_index(store)
    assert set(reader.manifest.files) == set(docs)
    first = read_manifest(store, Shard(1, 2))
    assert set(first.files) == {s for s in docs if in_shard(s, Shard(1, 2))}
    # Shard 1 drops one of its files; shard 2's files stay.
    gone = sorted(first.files)[0]
    _build(store, fake_embedder, {}, removed=(gone,), shard=Shard(1, 2))
    assert set(open_index(store).manifest.files) == set(docs) - {gone}
    # Shard 2 is writing (uncommitted) while shard 1 sweeps after a crash: shard 2 keeps its rows.
    second = MilvusDraft(store, fake_embedder.dim, shard=Shard(2, 2))
    source = next(s for s in docs if in_shard(s, Shard(2, 2)))
    pages = _pages("shard two, being rewritten")
    second.add_source(source, pages, _chunks(source, pages), fake_embedder.encode(["x"]))
    recover(store, Shard(1, 2), force=True)
    in_flight = content_key(source, pages, _chunks(source, pages))
    assert store.client.query(store.chunks, filter=f"content_key == {in_flight}")
    recover(store, Shard(2, 2))  # what shard 2's next run does after a crash
    assert not store.client.query(store.chunks, filter=f"content_key == {in_flight}")
    with pytest.raises(ValueError, match="not in shard"):
        MilvusDraft(store, fake_embedder.dim, shard=Shard(1, 2)).remove_source(
            next(s for s in docs if in_shard(s, Shard(2, 2)))
        )
    assert check(store) == []


# --------------------------------------------------------------------------- the real model


@pytest.mark.slow
def test_same_rankings_as_the_faiss_store_with_the_real_model(store, real_embedder, tmp_path):
    from app.store import folder as faiss_store

    docs = {
        "lighthouse.txt": "The first principal keeper was Thomas Ardley, appointed in 1874.",
        "allotments.txt": "The annual fee for a full allotment plot rises to 80 pounds in 2027.",
        "fusion.txt": "Reciprocal rank fusion merges the keyword and embedding rankings.",
        "stairs.txt": "There are 112 steps in the lighthouse tower's spiral staircase.",
    }
    _build(store, real_embedder, docs)
    manifest = Manifest(real_embedder.name, real_embedder.dim, 200, 40)
    (tmp_path / "index").mkdir()
    draft = faiss_store.Draft(tmp_path / "index", real_embedder.dim)
    for source, text in docs.items():
        pages = _pages(text)
        chunks = _chunks(source, pages)
        draft.add_source(source, pages, chunks, real_embedder.encode([c.text for c in chunks]))
        manifest.files[source] = FileEntry("0" * 64, 1, 0, pages=1, chunks=len(chunks))
    draft.publish(manifest)
    milvus, faiss = open_index(store), faiss_store.open_index(tmp_path / "index")

    def ranked(reader, hits):
        found = reader.chunks([i for i, _ in hits])
        return [(found[i].source, found[i].start, round(score, 4)) for i, score in hits]

    query = real_embedder.encode(["Who was the first lighthouse keeper?"])[0]
    dense = ranked(milvus, milvus.search_vectors(query, k=10))
    assert dense == ranked(faiss, faiss.search_vectors(query, k=10))
    assert dense[0][0] == "lighthouse.txt"
    words = ["lighthouse", "keeper", "steps"]
    keyword = ranked(milvus, milvus.search_keywords(words, k=10))
    assert [r[:2] for r in keyword] == [
        r[:2] for r in ranked(faiss, faiss.search_keywords(words, k=10))
    ]
    assert milvus.document_frequencies(words) == faiss.document_frequencies(words)
