"""Faults that users meet: a full or unusable disk, files that vanish mid-run, interrupted
uploads, and a server under load while its index is updated."""

import errno
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

import app.ingest.pipeline
import app.ingest.scan
from app.answer.retrieval import search
from app.cli import main as docqa
from app.ingest.pipeline import ingest
from app.serve.ui import place_file
from app.store.folder import live_version, open_index
from app.store.folder_check import check_index
from scripts.load_test import endpoint_stats, run_load_test
from tests.conftest import ROOT, write_files

FILES = {
    "boilers.md": "The boiler pressure should read between 1.0 and 1.5 bar when cold.",
    "garden.txt": "Tomatoes need at least six hours of direct sunlight each day.",
    "bikes.html": "<p>Inflate road bike tyres to about 6 bar.</p>",
}


def _snapshot(index) -> tuple:
    reader = open_index(index)
    rows = reader.db.execute('SELECT source, page, start, "end", text FROM chunks').fetchall()
    return live_version(index), sorted(rows)


def _assert_untouched_and_answering(index, before, embedder) -> None:
    assert _snapshot(index) == before
    assert check_index(index) == []
    assert not list(index.glob("tmp-*")), "the failed draft was left behind"
    [top] = search(open_index(index), embedder, "boiler pressure bar", k=1)
    assert top.source == "boilers.md"


@pytest.fixture
def indexed(settings, fake_embedder, monkeypatch):
    """An index of FILES, and `docqa` (the CLI, in this process) using the fake embedder."""
    write_files(settings.corpus, FILES)
    ingest(settings, embedder=fake_embedder)
    monkeypatch.setattr(app.ingest.pipeline, "load_embedder", lambda *args, **kwargs: fake_embedder)
    write_files(settings.corpus, {"new.md": "A new note about kites and their lines."})
    return settings


def _full_disk_in_sqlite(monkeypatch):
    def add_source(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr("app.store.folder.Draft.add_source", add_source)


def _full_disk_in_faiss(monkeypatch):
    def write_index(*args, **kwargs):
        raise RuntimeError(
            "Error in void faiss::write_index(const Index*, IOWriter*, int) at index_write.cpp:"
            "499: Error: 'ret == (size * 4)' failed: write error in vectors.faiss: 4014 != 32000 "
            "(No space left on device)"
        )

    monkeypatch.setattr("faiss.write_index", write_index)


def _full_disk_at_publish(monkeypatch):
    def rename(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("app.store.folder.os.rename", rename)


@pytest.mark.parametrize(
    "fault",
    [_full_disk_in_sqlite, _full_disk_in_faiss, _full_disk_at_publish],
    ids=lambda f: f.__name__,
)
def test_a_full_disk_gives_a_clear_message_and_leaves_the_index_as_it_was(
    indexed, fake_embedder, monkeypatch, capsys, fault
):
    before = _snapshot(indexed.index)
    fault(monkeypatch)
    code = docqa(["ingest", str(indexed.corpus), "--index", str(indexed.index)])
    error = capsys.readouterr().err
    assert code == 2
    assert f"could not write the index in {indexed.index}" in error
    assert ("disk is full" in error) or ("No space left on device" in error)
    assert "The index was not changed" in error and "Traceback" not in error
    monkeypatch.undo()
    _assert_untouched_and_answering(indexed.index, before, fake_embedder)


@pytest.mark.parametrize("where", ["under a file", "is a file"])
def test_an_unusable_index_path_gives_a_clear_message(
    settings, fake_embedder, monkeypatch, capsys, where
):
    """chmod does not stop root, but a path through a regular file stops everyone."""
    write_files(settings.corpus, FILES)
    monkeypatch.setattr(app.ingest.pipeline, "load_embedder", lambda *args, **kwargs: fake_embedder)
    blocker = settings.index.parent / "blocker"
    blocker.write_text("a file, not a folder")
    index = blocker / "index" if where == "under a file" else blocker
    assert docqa(["ingest", str(settings.corpus), "--index", str(index)]) == 2
    error = capsys.readouterr().err
    reason = "Not a directory" if where == "under a file" else "it is a file, not a folder"
    assert error.startswith(f"docqa: error: could not write the index in {index}: {reason}")
    assert "Traceback" not in error
    assert blocker.read_text() == "a file, not a folder"


def test_a_file_that_vanishes_after_the_scan_is_reported_and_the_rest_indexed(
    indexed, fake_embedder, monkeypatch
):
    scan = app.ingest.scan.scan_corpus

    def scan_then_delete(root, max_bytes):
        found = scan(root, max_bytes)
        (root / "garden.txt").unlink()  # indexed before: must leave the index too
        (root / "new.md").unlink()  # never indexed
        return found

    monkeypatch.setattr(app.ingest.scan, "scan_corpus", scan_then_delete)
    os.utime(indexed.corpus / "garden.txt", ns=(0, 0))  # changed, so ingest must read it
    write_files(indexed.corpus, {"extra.txt": "Extra notes on canal locks."})
    report = ingest(indexed, embedder=fake_embedder)
    skipped = {s.relpath: s.reason for s in report.files_skipped}
    assert skipped == {
        "garden.txt": "vanished during the update",
        "new.md": "vanished during the update",
    }
    assert report.files_indexed == ["extra.txt"] and report.files_removed == ["garden.txt"]
    assert check_index(indexed.index) == []
    sources = {row[0] for row in _snapshot(indexed.index)[1]}
    assert sources == {"boilers.md", "bikes.html", "extra.txt"}


def test_a_file_that_vanishes_before_extraction_is_retried_when_it_returns(
    indexed, fake_embedder, monkeypatch
):
    changed_files = app.ingest.pipeline.changed_files
    saved = (indexed.corpus / "new.md").read_bytes()
    stat = (indexed.corpus / "new.md").stat()

    def hash_then_delete(*args):
        todo = changed_files(*args)
        (indexed.corpus / "new.md").unlink()
        return todo

    monkeypatch.setattr(app.ingest.pipeline, "changed_files", hash_then_delete)
    report = ingest(indexed, embedder=fake_embedder)
    assert [(s.relpath, s.reason) for s in report.files_skipped] == [
        ("new.md", "cannot read: No such file or directory")
    ]
    assert report.published and check_index(indexed.index) == []
    monkeypatch.undo()
    (indexed.corpus / "new.md").write_bytes(saved)  # back, byte for byte and with the same time
    os.utime(indexed.corpus / "new.md", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert ingest(indexed, embedder=fake_embedder).files_indexed == ["new.md"]


TINY_DISK_CHILD = """
import json, sys
from pathlib import Path
import app.ingest.pipeline
import app.ingest.scan
from app.cli import main
from app.store.folder import live_version
from app.store.folder_check import check_index
from tests.conftest import FakeEmbedder

app.ingest.pipeline.load_embedder = lambda *args, **kwargs: FakeEmbedder()
corpus, disk = Path(sys.argv[1]), Path(sys.argv[2])
index = disk / "index"
assert main(["ingest", str(corpus), "--index", str(index), "--json"]) == 0
before = live_version(index)
with open(disk / "filler", "wb", buffering=0) as filler:  # fill the disk to the last byte
    try:
        while True:
            filler.write(b"x" * 4096)
    except OSError:
        pass
(corpus / "new.md").write_text("A new note about kites. " * 200)
failed = main(["ingest", str(corpus), "--index", str(index)])
after = live_version(index)
problems = check_index(index)
(disk / "filler").unlink()
again = main(["ingest", str(corpus), "--index", str(index), "--json"])
print(json.dumps({"failed": failed, "same": before == after, "problems": problems,
                  "again": again}))
"""


def test_a_really_full_disk(settings, tmp_path):
    """The same on a real 1 MiB tmpfs, mounted in a private namespace (needs root and unshare)."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare to mount a tiny tmpfs")
    write_files(settings.corpus, FILES)
    disk = tmp_path / "disk"
    disk.mkdir()
    child = tmp_path / "child.py"
    child.write_text(TINY_DISK_CHILD)
    script = (
        f"mount -t tmpfs -o size=1m tmpfs {disk} || exit 77; "
        f"exec {sys.executable} {child} {settings.corpus} {disk}"
    )
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120,
    )  # fmt: skip
    if result.returncode == 77 or "unshare failed" in result.stderr:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"failed": 2, "same": True, "problems": [], "again": 0}
    assert "could not write the index" in result.stderr and "No space left on device" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr


def test_a_failed_copy_leaves_no_partial_file_under_its_final_name(tmp_path, monkeypatch):
    source = tmp_path / "report.md"
    source.write_bytes(b"A long upload. " * 100_000)
    folder = tmp_path / "corpus"
    folder.mkdir()

    def copy_half_then_fail(src, dst, *args, **kwargs):
        with open(src, "rb") as reader, open(dst, "wb") as writer:
            writer.write(reader.read(len(source.read_bytes()) // 2))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("app.serve.ui.shutil.copyfile", copy_half_then_fail)
    with pytest.raises(OSError, match="No space left"):
        place_file(source, folder, "report.md")
    assert [p.name for p in folder.rglob("*") if p.is_file()] == []


KILLED_COPY_CHILD = """
import shutil, sys, time
from pathlib import Path
import app.serve.ui

def slow_copy(src, dst, *args, **kwargs):
    with open(src, "rb") as reader, open(dst, "wb") as writer:
        while block := reader.read(4096):
            writer.write(block)
            writer.flush()
            time.sleep(0.01)

app.serve.ui.shutil.copyfile = slow_copy
app.serve.ui.place_file(Path(sys.argv[1]), Path(sys.argv[2]), "report.md")
"""


def test_an_upload_killed_mid_copy_leaves_no_partial_file_under_its_final_name(tmp_path):
    from app.ingest.scan import scan_corpus

    source = tmp_path / "report.md"
    source.write_bytes(b"A long upload. " * 50_000)
    folder = tmp_path / "corpus"
    folder.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_COPY_CHILD, str(source), str(folder)], cwd=ROOT
    )
    deadline = time.monotonic() + 30
    while not any(p.stat().st_size for p in folder.glob(".docqa-uploads/*.part")):
        assert time.monotonic() < deadline and process.poll() is None, "the copy never started"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not (folder / "report.md").exists()
    assert scan_corpus(folder, max_bytes=2**30) == ([], [])  # the leftover is hidden from ingest


@pytest.mark.slow
def test_the_server_under_load_while_the_index_is_updated(tmp_path):
    """`scripts/load_test.py` in small: 300 requests, 16 clients, one update; the script sends
    5,000 with 32 clients and two updates (BENCHMARKS.md)."""
    result = run_load_test(
        tmp_path, requests=300, clients=16, ask_share=0.05, updates=1, max_seconds=300
    )
    assert [c.error for c in result.failures] == []
    assert result.problems == [] and not result.time_limited
    assert len(result.calls) == 300 and len(result.updates) == 1
    assert result.updates[0].documents_after == 8  # the 7 sample documents and the new one
    stats = endpoint_stats(result)
    assert set(stats) == {"/api/retrieve", "/api/ask"}
    assert result.peak_rss_mib < 3 * 1024
