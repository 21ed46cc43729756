"""Run text extraction in a child process with a time and memory limit.

A pathological PDF can make pypdf loop for minutes or allocate gigabytes; a thread cannot be
stopped, but a process can. One worker is reused for all files and replaced when it is killed.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import resource
from multiprocessing.connection import Connection
from pathlib import Path

from app.loaders import ExtractionError, Page, extract


def _serve(conn: Connection, memory_bytes: int, max_pages: int) -> None:
    logging.disable(logging.WARNING)  # pypdf narrates every repair it makes; reasons come back
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    while True:
        try:
            path = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", extract(Path(path), max_pages)))
        except ExtractionError as exc:
            conn.send(("error", str(exc)))
        except MemoryError:
            conn.send(("error", "needs more memory than the extraction limit allows"))
        except OSError as exc:
            conn.send(("error", f"cannot read: {exc.strerror or exc}"))
        except Exception as exc:
            conn.send(("error", f"cannot extract ({type(exc).__name__}: {exc})"))


class ExtractionSandbox:
    """`extract(path)` as it would run in-process, but bounded in time and memory."""

    def __init__(self, timeout: float, memory_mb: int, max_pages: int) -> None:
        self.timeout = timeout
        self.memory_bytes = memory_mb * 2**20
        self.max_pages = max_pages
        self._process: mp.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def extract(self, path: Path) -> list[Page]:
        conn = self._ensure_worker()
        conn.send(str(path))
        if not conn.poll(self.timeout):
            self.close()
            raise ExtractionError(f"extraction took longer than {self.timeout:g} s")
        try:
            status, payload = conn.recv()
        except (EOFError, OSError):
            self.close()
            raise ExtractionError("the extractor crashed on this file") from None
        if status == "error":
            raise ExtractionError(payload)
        return payload

    def _ensure_worker(self) -> Connection:
        if self._process is None or not self._process.is_alive():
            self.close()
            ctx = mp.get_context("spawn")
            parent, child = ctx.Pipe()
            self._process = ctx.Process(
                target=_serve, args=(child, self.memory_bytes, self.max_pages), daemon=True
            )
            self._process.start()
            child.close()
            self._conn = parent
        assert self._conn is not None
        return self._conn

    def close(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join()
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None

    def __enter__(self) -> ExtractionSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
