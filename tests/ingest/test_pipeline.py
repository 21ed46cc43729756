import dataclasses
import hashlib
import os
import re
from pathlib import Path

import pytest

from app.ingest.pipeline import ingest
from app.store.folder import open_index
from app.store.folder_check import check_index
from app.store.lock import writer_lock
from app.store.manifest import IndexLockedError, IndexMismatchError
from scripts.crash_loop import run_crash_loop
from tests.conftest import CountingEmbedder, make_pdf, write_files

FACTS = {
    "guide/boilers.md": "# Boilers\n\nThe boiler pressure should read between 1.0 and 1.5 bar "
    "when the system is cold.\n\nBleed the radiators once a year, before winter.",
    "notes/garden.txt": "Tomatoes need at least six hours of direct sunlight each day. "
    "Water them deeply twice a week rather than a little every day.",
    "pages/bikes.html": "<html><body><h1>Bike care</h1><p>Inflate road bike tyres to about "
    "6 bar and check the chain for stretch every 3,000 km.</p></body></html>",
}


def _rows(index: Path) -> list[tuple]:
    reader = open_index(index)
    rows = reader.db.execute('SELECT source, page, start, "end", text FROM chunks').fetchall()
    return sorted(rows, key=repr)


def test_a_sentence_finds_its_own_chunk_first(settings, real_embedder):
    write_files(settings.corpus, FACTS)
    make_pdf(
        settings.corpus / "manual.pdf",
        ["Cover page of the manual.", "The warranty lasts 24 months from the date of purchase."],
    )
    report = ingest(settings, embedder=real_embedder)
    assert sorted(report.files_indexed) == sorted([*FACTS, "manual.pdf"])
    reader = open_index(settings.index)
    for sentence, source, page in [
        ("Tomatoes need at least six hours of direct sunlight each day.", "notes/garden.txt", None),
        ("The warranty lasts 24 months from the date of purchase.", "manual.pdf", 2),
        ("Inflate road bike tyres to about 6 bar", "pages/bikes.html", None),
    ]:
        [(best, _score)] = reader.search_vectors(real_embedder.encode([sentence])[0], k=1)
        chunk = reader.chunks([best])[best]
        assert (chunk.source, chunk.page) == (source, page)
        assert sentence in chunk.text
        assert reader.page_text(chunk.source, chunk.page)[chunk.start : chunk.end] == chunk.text


def test_incremental_add_change_delete_and_unchanged(settings, real_embedder):
    write_files(settings.corpus, FACTS)
    counting = CountingEmbedder(real_embedder)
    first = ingest(settings, embedder=counting)
    assert first.chunks_total == 3 and counting.encoded == 3

    counting.encoded = 0
    again = ingest(settings, embedder=counting)
    assert counting.encoded == 0 and not again.published and again.files_unchanged == 3

    write_files(
        settings.corpus,
        {
            "notes/garden.txt": "Basil grows best in warm, sheltered spots.",
            "new.md": "Fresh notes about kites.",
        },
    )
    (settings.corpus / "pages/bikes.html").unlink()
    os.utime(settings.corpus / "guide/boilers.md")  # touched, not changed: must not re-embed
    counting.encoded = 0
    update = ingest(settings, embedder=counting)
    assert sorted(update.files_indexed) == ["new.md", "notes/garden.txt"]
    assert update.files_removed == ["pages/bikes.html"]
    assert counting.encoded == 2 and update.chunks_removed == 2 and update.chunks_total == 3
    assert check_index(settings.index) == []

    clean = settings.index.parent / "clean"
    ingest(type(settings).from_env({}, corpus=settings.corpus, index=clean), embedder=real_embedder)
    assert _rows(settings.index) == _rows(clean)


def test_files_an_older_extraction_read_are_named_until_a_rebuild(settings, fake_embedder):
    write_files(settings.corpus, FACTS)
    ingest(settings, embedder=fake_embedder)
    assert ingest(settings, embedder=fake_embedder).files_read_by_older_docqa == 0
    [version] = [v for v in settings.index.glob("v-*") if v.is_dir()]
    manifest = version / "manifest.json"
    # as a docqa before extraction versions wrote it: no "extraction" in its file entries
    manifest.write_text(re.sub(r'\s*"extraction": \d+,?', "", manifest.read_text()))
    again = ingest(settings, embedder=fake_embedder)
    assert again.files_read_by_older_docqa == 3 and not again.published, "nothing re-read unasked"
    rebuilt = ingest(settings, rebuild=True, embedder=fake_embedder)
    assert sorted(rebuilt.files_indexed) == sorted(FACTS)
    assert ingest(settings, embedder=fake_embedder).files_read_by_older_docqa == 0


def test_a_file_an_older_docqa_refused_is_read_again(settings, fake_embedder):
    """A refused file is not retried while it is unchanged, unless the docqa that refused it
    is older than this one, which may read it (a new format, a fixed extractor)."""
    import json

    write_files(settings.corpus, FACTS)
    ingest(settings, embedder=fake_embedder)
    rows = _rows(settings.index)
    [version] = [v for v in settings.index.glob("v-*") if v.is_dir()]
    manifest = json.loads((version / "manifest.json").read_text())
    refused = {"skipped": "OCR failed (can't alloc)", "chunks": 0, "pages": 0}
    manifest["files"]["notes/garden.txt"].update(refused)
    (version / "manifest.json").write_text(json.dumps(manifest))
    unchanged = ingest(settings, embedder=fake_embedder)
    assert [s.relpath for s in unchanged.files_skipped] == ["notes/garden.txt"]
    assert not unchanged.published, "a file this docqa refused is not retried unchanged"

    manifest["files"]["notes/garden.txt"]["extraction"] -= 1  # refused by an older docqa
    (version / "manifest.json").write_text(json.dumps(manifest))
    again = ingest(settings, embedder=fake_embedder)
    assert again.files_indexed == ["notes/garden.txt"] and again.files_skipped == []
    assert _rows(settings.index) == rows


def test_bad_files_are_reported_and_skipped_and_the_corpus_is_untouched(settings, fake_embedder):
    write_files(
        settings.corpus,
        {
            "good.txt": "This file is fine and should be indexed.",
            "corrupt.pdf": b"%PDF-1.4\n%garbage that is not a pdf at all\n%%EOF",
            "empty.md": "",
            "blank.md": "\n\n   \n",
            "binary.txt": os.urandom(2048) + b"\x00\x00",
            "photo.jpg": b"\xff\xd8\xff\xe0",
            "huge.txt": "word " * 300_000,
        },
    )
    make_pdf(settings.corpus / "image-only.pdf", [""])
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in settings.corpus.rglob("*")}
    small = type(settings).from_env({}, corpus=settings.corpus, index=settings.index, max_file_mb=1)
    report = ingest(small, embedder=fake_embedder)
    assert report.files_indexed == ["good.txt"]
    reasons = {s.relpath: s.reason for s in report.files_skipped}
    assert set(reasons) == {
        "corrupt.pdf",
        "empty.md",
        "blank.md",
        "binary.txt",
        "photo.jpg",
        "huge.txt",
        "image-only.pdf",
    }
    assert "corrupt PDF" in reasons["corrupt.pdf"] and "too large" in reasons["huge.txt"]
    assert "no extractable text" in reasons["image-only.pdf"]
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in settings.corpus.rglob("*")}
    assert before == after


def test_a_second_ingest_refuses_while_one_runs(settings, fake_embedder):
    write_files(settings.corpus, FACTS)
    with writer_lock(settings.index), pytest.raises(IndexLockedError, match="--wait"):
        ingest(settings, embedder=fake_embedder)


def test_an_index_built_with_another_model_must_be_rebuilt(settings, fake_embedder, real_embedder):
    write_files(settings.corpus, FACTS)
    ingest(settings, embedder=fake_embedder)
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        ingest(settings, embedder=real_embedder)
    rebuilt = ingest(settings, embedder=real_embedder, rebuild=True)
    assert rebuilt.chunks_total == 3 and rebuilt.chunks_reused == 0, "no vector of another model"


def test_every_real_world_pdf_is_indexed_or_reported(shared_eval, settings, fake_embedder):
    pdfs = shared_eval / "pdfs"
    expected = {p.relative_to(pdfs).as_posix() for p in pdfs.rglob("*.pdf")}
    report = ingest(
        type(settings).from_env({}, index=settings.index, file_timeout=20),
        [pdfs],
        embedder=fake_embedder,
    )
    skipped = {s.relpath: s.reason for s in report.files_skipped}
    indexed = set(report.files_indexed)
    assert expected <= indexed | set(skipped)
    assert all(skipped[p] for p in expected - indexed)
    assert len(expected & indexed) >= 100
    assert check_index(settings.index) == []


@pytest.mark.slow
def test_sigkill_at_random_moments_never_breaks_the_index(tmp_path):
    """`scripts/crash_loop.py` with 6 kills; the script itself is run with 20 (BENCHMARKS.md)."""
    result = run_crash_loop(tmp_path, kills=6, seed=7)
    assert result.failures == []
    assert result.kills == 6


def test_a_negative_batch_size_is_a_clear_error(settings, fake_embedder):
    write_files(settings.corpus, FACTS)
    bad = dataclasses.replace(settings, batch_size=-4)
    with pytest.raises(ValueError, match="DOCQA_BATCH_SIZE must be 1 or more"):
        ingest(bad, embedder=fake_embedder)
    assert not settings.index.exists()
