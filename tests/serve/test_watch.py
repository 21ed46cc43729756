"""`docqa serve --watch`: changes in the corpus folders reach the index, a burst in one publish."""

from __future__ import annotations

import time

import pytest

from app.serve import library
from app.serve.watch import FolderWatcher
from app.store.folder import Draft
from tests.conftest import indexed_engine, write_files


@pytest.fixture
def engine(settings, real_embedder):
    write_files(settings.corpus, {"start.md": "The watcher starts from this one file."})
    return indexed_engine(settings, real_embedder)


def wait_until(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_burst_of_100_copied_files_gives_exactly_one_publish(engine, monkeypatch):
    publishes = []
    original = Draft.publish

    def counted(self, manifest):
        publishes.append(time.monotonic())
        return original(self, manifest)

    monkeypatch.setattr(Draft, "publish", counted)
    watcher = FolderWatcher(engine, quiet=1.0).start()
    try:
        time.sleep(0.3)  # let inotify settle on the folders
        for i in range(100):  # a copy slower than watchfiles' own debounce: 100 files over ~2 s
            write_files(engine.settings.corpus, {f"burst/note-{i:03}.md": f"Burst note {i}."})
            time.sleep(0.02)
        wait_until(lambda: engine.status()["documents"] == 101, 60)
        wait_until(watcher.idle, 30)
        time.sleep(2)  # nothing more arrives later
        assert len(publishes) == 1
        assert "watch: " in library.activity_note(engine)
        assert "100 indexed" in library.activity_note(engine)
    finally:
        watcher.stop()


def test_the_watcher_ignores_hidden_files_and_the_index(engine):
    watcher = FolderWatcher(engine)
    corpus = engine.settings.corpus.resolve()
    assert watcher.wanted(None, str(corpus / "a.md"))
    assert not watcher.wanted(None, str(corpus / ".docqa-uploads" / "1.part"))
    assert not watcher.wanted(None, str(corpus / ".notes.md"))
    assert not watcher.wanted(None, str(engine.settings.index.resolve() / "CURRENT"))
