"""One writer per index folder: an ingest holds `.lock` while it builds the next version."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from app.store.manifest import IndexLockedError


@contextlib.contextmanager
def writer_lock(root: Path, wait: bool = False) -> Iterator[None]:
    """Only one ingest writes an index at a time; the OS drops the lock if the process dies."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise IndexLockedError(
                f"another ingest ({holder}) is updating {root}; wait for it to finish, "
                "or pass --wait to queue behind it"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)
