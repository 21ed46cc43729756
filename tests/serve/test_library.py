"""The documents panel's data and removing a file from the index and its corpus folder."""

from __future__ import annotations

import pytest

from app.serve import library
from tests.conftest import indexed_engine, write_files

FILES = {
    "kites.md": "Stunt kite lines are usually 25 metres long.",
    "boats/sails.txt": "A sloop carries a mainsail and a jib.",
    "broken.pdf": b"%PDF-1.4 not really a pdf",
}


@pytest.fixture
def engine(settings, real_embedder):
    write_files(settings.corpus, FILES)
    return indexed_engine(settings, real_embedder)


def test_documents_lists_indexed_and_skipped_files(engine):
    listed = {d.source: d for d in library.documents(engine)}
    assert set(listed) == {"kites.md", "boats/sails.txt", "broken.pdf"}
    assert listed["kites.md"].type == "md" and listed["kites.md"].passages == 1
    assert listed["kites.md"].skipped is None and listed["broken.pdf"].skipped
    assert [row[0] for row in library.table_rows(engine)] == sorted(listed)


def test_removing_a_document_deletes_only_that_file_and_updates_the_index(engine):
    corpus = engine.settings.corpus
    message = library.remove_document(engine, "kites.md")
    assert message == "Removed kites.md."
    assert not (corpus / "kites.md").exists()
    assert (corpus / "boats/sails.txt").exists() and (corpus / "broken.pdf").exists()
    assert "kites.md" not in engine.reader().manifest.files
    assert all(p.source != "kites.md" for p in engine.search("stunt kite lines", k=5))
    assert "1 removed" in library.activity_note(engine)


@pytest.mark.parametrize("source", ["../outside.md", "missing.md", ".hidden.md", ""])
def test_only_indexed_files_inside_the_corpus_can_be_removed(engine, source, tmp_path):
    (tmp_path / "outside.md").write_text("not in the corpus")
    (engine.settings.corpus / ".hidden.md").write_text("ignored by ingest")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    assert library.remove_document(engine, source).startswith("Not removed")
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
