import sqlite3

import faiss
import numpy as np
import pytest

from app.ingest.sentences import with_sentences
from app.records import Chunk, Page
from app.store.folder import Draft, live_version, open_index, read_manifest
from app.store.folder_check import check_index
from app.store.lock import writer_lock
from app.store.manifest import (
    FileEntry,
    IndexLockedError,
    IndexMismatchError,
    IndexNotFoundError,
    Manifest,
)


def _publish(root, embedder, docs: dict[str, str], previous_removed=()) -> Manifest:
    manifest = read_manifest(root) or Manifest(
        model=embedder.name, dim=embedder.dim, chunk_tokens=200, chunk_overlap=40
    )
    draft = Draft(root, embedder.dim)
    for source in previous_removed:
        draft.remove_source(source)
        del manifest.files[source]
    for source, text in docs.items():
        chunk = Chunk(source, None, 0, len(text), text)
        draft.add_source(source, [Page(None, text)], [chunk], embedder.encode([text]))
        manifest.files[source] = FileEntry("0" * 64, len(text), 0, pages=1, chunks=1)
    draft.publish(manifest)
    return manifest


def test_published_version_is_searchable_and_exact(tmp_path, fake_embedder):
    _publish(
        tmp_path, fake_embedder, {"a.txt": "red apples grow here", "b.txt": "blue ocean waves"}
    )
    reader = open_index(tmp_path)
    [(best, score), *_] = reader.search_vectors(fake_embedder.encode(["blue ocean"])[0], k=2)
    chunk = reader.chunks([best])[best]
    assert chunk.source == "b.txt" and score > 0.5
    assert reader.page_text("b.txt", None)[chunk.start : chunk.end] == chunk.text
    assert check_index(tmp_path) == []


def test_chunks_come_back_with_their_sentences_and_old_indexes_without_them(
    tmp_path, fake_embedder
):
    """Sentences are stored with each chunk; an index built before they were keeps working,
    and its next update stores them for the files it adds."""
    text = "Marie Curie was born in Warsaw. She moved to Paris."
    _publish(tmp_path, fake_embedder, {"old.txt": text})
    db = sqlite3.connect(live_version(tmp_path) / "chunks.sqlite")
    db.executescript("ALTER TABLE chunks DROP COLUMN sentences;")
    db.close()
    reader = open_index(tmp_path)
    assert [c.sentences for c in reader.chunks([1]).values()] == [None]

    draft = Draft(tmp_path, fake_embedder.dim)
    chunk = with_sentences(Chunk("new.txt", None, 0, len(text), text))
    draft.add_source("new.txt", [Page(None, text)], [chunk], fake_embedder.encode([text]))
    manifest = read_manifest(tmp_path)
    manifest.files["new.txt"] = FileEntry("1" * 64, len(text), 0, pages=1, chunks=1)
    draft.publish(manifest)
    chunks = open_index(tmp_path).chunks([1, 2])
    assert chunks[1].sentences is None
    assert [text[s:e] for s, e in chunks[2].sentences] == [
        "Marie Curie was born in Warsaw.",
        "She moved to Paris.",
    ]
    assert check_index(tmp_path) == []
    db = sqlite3.connect(live_version(tmp_path) / "chunks.sqlite")
    db.execute("UPDATE chunks SET sentences = '0 9999' WHERE id = 2")
    db.commit()
    db.close()
    assert any("sentences outside chunk" in p for p in check_index(tmp_path))


def test_ids_stay_in_lockstep_through_deletions(tmp_path, fake_embedder):
    _publish(
        tmp_path, fake_embedder, {f"{i}.txt": f"document number {i} word{i}" for i in range(20)}
    )
    removed = [f"{i}.txt" for i in range(0, 20, 3)]
    _publish(
        tmp_path, fake_embedder, {"new.txt": "a fresh document word7"}, previous_removed=removed
    )
    reader = open_index(tmp_path)
    assert reader.chunk_count == 20 - len(removed) + 1
    hits = reader.search_vectors(fake_embedder.encode(["document number 7 word7"])[0], k=1)
    assert reader.chunks([hits[0][0]])[hits[0][0]].source == "7.txt"
    assert check_index(tmp_path) == []


def test_an_index_from_another_model_or_format_says_rebuild(tmp_path, fake_embedder):
    _publish(tmp_path, fake_embedder, {"a.txt": "text"})
    other = Manifest(
        model="another-model", dim=fake_embedder.dim, chunk_tokens=200, chunk_overlap=40
    )
    with pytest.raises(IndexMismatchError, match="docqa ingest --rebuild"):
        open_index(tmp_path, expected=other)
    newer = Manifest(
        model=fake_embedder.name,
        dim=fake_embedder.dim,
        chunk_tokens=200,
        chunk_overlap=40,
        format_version=99,
    )
    with pytest.raises(IndexMismatchError, match="format 99"):
        open_index(tmp_path, expected=newer)


def test_missing_index_tells_how_to_build_one(tmp_path):
    with pytest.raises(IndexNotFoundError, match="docqa ingest"):
        open_index(tmp_path / "nothing")


def test_second_writer_is_refused_with_a_clear_message(tmp_path):
    with (
        writer_lock(tmp_path),
        pytest.raises(IndexLockedError, match="another ingest"),
        writer_lock(tmp_path),
    ):
        pass


def test_check_finds_vectors_without_chunks(tmp_path, fake_embedder):
    _publish(tmp_path, fake_embedder, {"a.txt": "alpha", "b.txt": "beta"})
    path = live_version(tmp_path) / "vectors.faiss"
    index = faiss.read_index(str(path))
    index.add_with_ids(fake_embedder.encode(["orphan"]), np.asarray([999], dtype=np.int64))
    faiss.write_index(index, str(path))
    assert any("without a chunk" in p for p in check_index(tmp_path))


def test_discarded_draft_leaves_the_live_version_alone(tmp_path, fake_embedder):
    _publish(tmp_path, fake_embedder, {"a.txt": "alpha"})
    before = live_version(tmp_path)
    draft = Draft(tmp_path, fake_embedder.dim)
    draft.remove_source("a.txt")
    draft.discard()
    assert live_version(tmp_path) == before and open_index(tmp_path).chunk_count == 1
    assert not list(tmp_path.glob("tmp-*"))


def test_ocr_marks_only_what_ocr_read_and_older_manifests_mean_the_whole_page():
    """A citation says "read by OCR" only where its answer lies in text OCR filled; an index
    written before the ranges were recorded keeps marking the whole page, as it did."""
    entry = FileEntry("0" * 64, 10, 0, ocr_pages=[0, 2], ocr_spans={"0": [[100, 160]]})
    assert entry.read_by_ocr(None, 120, 130) and entry.read_by_ocr(None, 90, 101)
    assert not entry.read_by_ocr(None, 10, 40) and not entry.read_by_ocr(None, 160, 170)
    assert entry.read_by_ocr(2, 0, 5)  # page 2 was read whole
    assert not entry.read_by_ocr(1, 0, 5)  # no OCR there
    old = Manifest.from_json(
        '{"model": "m", "dim": 3, "chunk_tokens": 200, "chunk_overlap": 40, "files": {"a.docx":'
        ' {"sha256": "0", "size": 1, "mtime_ns": 0, "ocr_pages": [0]}}}'
    )
    assert old.files["a.docx"].read_by_ocr(None, 0, 5)
