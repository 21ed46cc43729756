"""Run text extraction in a child process with a time and memory limit.

A pathological PDF can make pypdf loop for minutes or allocate gigabytes; a thread cannot be
stopped, but a process can. One worker is reused for all files and replaced when it is killed.
"""

from __future__ import annotations

import logging
import resource
import socket
import subprocess
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path

from app.ingest import ocr
from app.ingest.errors import ExtractionError, UnreadableFileError
from app.ingest.extract import extract
from app.records import Page
from app.settings import Settings

_PACKAGE_PARENT = Path(__file__).resolve().parents[2]
OUT_OF_MEMORY = "needs more memory than the extraction limit allows"


def _serve(conn: Connection, memory_bytes: int, max_pages: int, ocr_memory_bytes: int) -> None:
    # pypdf narrates every repair it makes, some as errors ("Advanced encoding ... not
    # implemented", with a 256-entry table) that it recovers from: the worker's reasons come
    # back over `conn`, so it prints nothing into the user's terminal.
    logging.disable(logging.CRITICAL)
    # The hard limit leaves room for OCR, which raises the soft limit only while it runs.
    hard = max(memory_bytes, ocr_memory_bytes)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, hard))
    ocr.memory_limits = (memory_bytes, ocr_memory_bytes)
    ocr.on_page = lambda: conn.send(("ocr-page", None))  # each OCR'd page extends the deadline
    while True:
        try:
            path = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", extract(Path(path), max_pages)))
        except UnreadableFileError as exc:
            conn.send(("unreadable", str(exc)))
        except ExtractionError as exc:
            conn.send(("error", str(exc)))
        except MemoryError:
            conn.send(("memory", OUT_OF_MEMORY))
        except RecursionError:
            conn.send(("error", "nested too deeply to read"))
        except OSError as exc:
            conn.send(("error", f"cannot read: {exc.strerror or exc}"))
        except Exception as exc:
            conn.send(("error", f"cannot extract ({type(exc).__name__}: {exc})"))


class ExtractionSandbox:
    """`extract(path)` as it would run in-process, but bounded in time and memory.

    The worker is started as `python -m app.ingest.sandbox` rather than with multiprocessing, whose
    spawn method re-imports the caller's main script in the child.
    """

    def __init__(
        self,
        timeout: float,
        memory_mb: int,
        max_pages: int,
        ocr_page_timeout: float = 60.0,
        ocr_memory_mb: int = 4096,
    ) -> None:
        self.timeout = timeout
        self.memory_bytes = memory_mb * 2**20
        self.max_pages = max_pages
        self.ocr_page_timeout = ocr_page_timeout
        self.ocr_memory_bytes = ocr_memory_mb * 2**20
        self._process: subprocess.Popen | None = None
        self._conn: Connection | None = None
        self._files_read = 0  # by the running worker, this one included

    @classmethod
    def for_settings(cls, settings: Settings) -> ExtractionSandbox:
        """The sandbox with the limits the user set (DOCQA_FILE_TIMEOUT and the others)."""
        return cls(
            settings.file_timeout,
            settings.extract_memory_mb,
            settings.max_pages,
            ocr_page_timeout=settings.ocr_page_timeout,
            ocr_memory_mb=settings.ocr_memory_mb,
        )

    def extract(self, path: Path) -> list[Page]:
        """The file's pages. A file that runs out of memory in a worker that has read other
        files is read again in a new one: what those files left behind counts against the
        limit too (OpenVINO keeps address space for every image size that OCR has seen, about
        0.1 GB each), and a file's fate must not depend on the files read before it."""
        status, payload = self._extract(path.resolve())
        if status == "memory" and self._files_read > 1:
            self.close()
            status, payload = self._extract(path.resolve())
        if status == "unreadable":
            raise UnreadableFileError(payload)
        if status in ("error", "memory"):
            raise ExtractionError(payload)
        return payload

    def _extract(self, path: Path) -> tuple[str, object]:
        try:
            conn = self._ensure_worker()
            conn.send(str(path))
        except OSError:  # the idle worker was killed (by the OOM killer, say): start another
            self.close()
            conn = self._ensure_worker()
            conn.send(str(path))
        self._files_read += 1
        return self._result(conn)

    def _result(self, conn: Connection) -> tuple[str, object]:
        """The worker's answer, waiting DOCQA_FILE_TIMEOUT plus the OCR time of each page."""
        deadline = time.monotonic() + self.timeout
        ocr_pages = 0
        while True:
            if not conn.poll(max(deadline - time.monotonic(), 0)):
                self.close()
                extra = f" + {ocr_pages} x {self.ocr_page_timeout:g} s for OCR" if ocr_pages else ""
                raise ExtractionError(f"extraction took longer than {self.timeout:g} s{extra}")
            try:
                status, payload = conn.recv()
            except (EOFError, OSError):
                self.close()
                raise ExtractionError("the extractor crashed on this file") from None
            if status != "ocr-page":
                return status, payload
            ocr_pages += 1
            deadline += self.ocr_page_timeout

    def _ensure_worker(self) -> Connection:
        if self._process is None or self._process.poll() is not None:
            self.close()
            mine, theirs = socket.socketpair()
            self._process = subprocess.Popen(
                [sys.executable, "-m", "app.ingest.sandbox", str(theirs.fileno()),
                 str(self.memory_bytes), str(self.max_pages), str(self.ocr_memory_bytes)],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                cwd=_PACKAGE_PARENT,  # so `-m app.ingest.sandbox` finds this docqa, from any cwd
            )  # fmt: skip
            theirs.close()
            self._conn = Connection(mine.detach())
        assert self._conn is not None
        return self._conn

    @property
    def worker_pid(self) -> int | None:
        """The running worker's process id, for benchmarks of its memory."""
        return self._process.pid if self._process is not None else None

    def close(self) -> None:
        self._files_read = 0
        if self._process is not None:
            self._process.kill()
            self._process.wait()
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None

    def __enter__(self) -> ExtractionSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    _serve(Connection(int(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
