"""`docqa serve --watch`: the index follows its corpus folders while the server runs.

watchfiles reports changes (inotify on Linux, polling elsewhere) from one thread; another waits
until the folders have been quiet for `quiet` seconds and then runs one ingest for everything
that changed meanwhile. So a burst of a hundred copied files, however long the copy takes, is one
update and one publish; ingest itself finds what changed by hashing, so the watcher only has to
say when, never what. Changes that arrive during an update cause one more update after it.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from app.serve.library import update_index
from app.store.manifest import StoreError

if TYPE_CHECKING:
    from app.engine import Engine

log = logging.getLogger("docqa")
QUIET_SECONDS = 1.0


class FolderWatcher:
    def __init__(self, engine: Engine, quiet: float = QUIET_SECONDS) -> None:
        self.engine = engine
        self.quiet = quiet
        self.folders = [Path(f).resolve() for f in engine.ingest_folders()]
        self._index = Path(engine.settings.index).resolve()
        self._pending = 0  # changes seen since the last update started
        self._last_change = 0.0
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.updating = False

    def start(self) -> FolderWatcher:
        for target in (self._watch, self._update_when_quiet):
            thread = threading.Thread(target=target, daemon=True, name=f"docqa-{target.__name__}")
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        with self._changed:
            self._changed.notify_all()
        for thread in self._threads:
            thread.join(timeout=5)

    def idle(self) -> bool:
        """No change waits for an update and none runs (for tests and the status line)."""
        with self._changed:
            return self._pending == 0 and not self.updating

    def wanted(self, _change: object, path: str) -> bool:
        """Files ingest would read: not hidden (upload scratch files are), not the index."""
        where = Path(path)
        if where.is_relative_to(self._index):
            return False
        for folder in self.folders:
            if where.is_relative_to(folder):
                return not any(p.startswith(".") for p in where.relative_to(folder).parts)
        return False

    def _watch(self) -> None:
        import watchfiles

        for changes in watchfiles.watch(
            *self.folders,
            watch_filter=self.wanted,
            stop_event=self._stop,
            debounce=400,
            yield_on_timeout=False,
            raise_interrupt=False,
        ):
            with self._changed:
                self._pending += len(changes)
                self._last_change = time.monotonic()
                self._changed.notify_all()

    def _update_when_quiet(self) -> None:
        while not self._stop.is_set():
            with self._changed:
                while not self._pending and not self._stop.is_set():
                    self._changed.wait()
                while not self._stop.is_set():
                    left = self._last_change + self.quiet - time.monotonic()
                    if left <= 0:
                        break
                    self._changed.wait(left)
                if self._stop.is_set():
                    return
                count, self._pending, self.updating = self._pending, 0, True
            try:
                update_index(self.engine, f"watch: {count} change{'s' * (count != 1)}")
            except (StoreError, OSError) as exc:  # recorded for the status line; try next time
                log.warning("docqa: the watched update failed: %s", exc)
            finally:
                with self._changed:
                    self.updating = False
