"""Corpus folders -> the files docqa may read, and the ones it refuses with the reason.

A file's identity in the index is its path relative to its corpus folder (`relpath`); with several
folders, each file's name starts with its folder's name (`corpus_roots`).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.ingest.extract import SUPPORTED_SUFFIXES
from app.ingest.formats.text import CONTROL_CHARS


@dataclass(frozen=True)
class CorpusFile:
    path: Path  # absolute
    relpath: str  # POSIX path relative to the corpus root: the file's identity in the index
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Skipped:
    relpath: str
    reason: str


def scan_corpus(root: Path, max_bytes: int) -> tuple[list[CorpusFile], list[Skipped]]:
    """Every supported file under `root`, plus the ones we refuse and why.

    Hidden files and folders are ignored; symlinks are followed only while they stay inside
    `root`, so a link cannot pull files from elsewhere on the disk into the index.
    """
    root = root.resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {root}")
    found: list[CorpusFile] = []
    skipped: list[Skipped] = []
    for path in _walk(root):
        relpath = path.relative_to(root).as_posix()
        try:
            outcome = _inspect(path, relpath, root, max_bytes)
        except FileNotFoundError:
            continue  # deleted while we were scanning: it is simply not part of the corpus
        if isinstance(outcome, str):
            skipped.append(Skipped(printable_name(relpath), outcome))
        else:
            found.append(CorpusFile(path, relpath, outcome.st_size, outcome.st_mtime_ns))
    return found, skipped


def _walk(root: Path) -> Iterator[Path]:
    """Every visible file, and every visible folder symlink (never entered) so it is reported."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        links = [d for d in dirnames if (Path(dirpath) / d).is_symlink()]
        for name in sorted([*filenames, *links]):
            if not name.startswith("."):
                yield Path(dirpath) / name


def _inspect(path: Path, relpath: str, root: Path, max_bytes: int) -> os.stat_result | str:
    """The file's status if docqa may read it, else the reason it is refused.

    The status is taken once, so a file that changes meanwhile cannot pass one check and fail
    another. Only regular files are read: a FIFO or a device named `x.txt` would block or never
    end.
    """
    if CONTROL_CHARS.search(relpath) or "\n" in relpath or "\r" in relpath:
        return "file name contains control characters"
    if not _is_utf8(relpath):
        return "file name is not valid UTF-8"
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return "broken symlink"
        if not target.is_relative_to(root):
            return "symlink points outside the corpus"
        if target.is_dir():
            return "symlink to a folder (not followed; its files are read where they are)"
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return f"unsupported file type {path.suffix or '(no extension)'}"
    try:
        status = path.stat()
    except FileNotFoundError:
        raise
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    if not stat.S_ISREG(status.st_mode):
        return "not a regular file (a pipe, socket or device)"
    if status.st_size == 0:
        return "empty file"
    if status.st_size > max_bytes:
        return f"too large ({status.st_size / 2**20:.0f} MiB > {max_bytes / 2**20:.0f} MiB limit)"
    return status


def _is_utf8(name: str) -> bool:
    """False for names whose bytes are not UTF-8 (Python keeps them as lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable_name(relpath: str) -> str:
    """`relpath` with undecodable bytes shown as U+FFFD, so it can be printed and stored."""
    return relpath.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def corpus_roots(folders: list[Path]) -> dict[str, Path]:
    """Source-name prefix for each folder: none for a single folder, its name for several."""
    resolved = [f.resolve() for f in folders]
    for folder in resolved:
        if not folder.is_dir():
            raise FileNotFoundError(f"not a folder: {folder}")
    if len(resolved) == 1:
        return {"": resolved[0]}
    roots = {folder.name: folder for folder in resolved}
    if len(roots) != len(resolved):
        raise ValueError("folders given to ingest must have different names")
    return roots


def scan_roots(roots: dict[str, Path], max_bytes: int) -> tuple[list[CorpusFile], list[Skipped]]:
    files: list[CorpusFile] = []
    refused: list[Skipped] = []
    for prefix, folder in roots.items():
        found, skipped = scan_corpus(folder, max_bytes)
        name = (lambda rel, prefix=prefix: f"{prefix}/{rel}") if prefix else str
        files.extend(CorpusFile(f.path, name(f.relpath), f.size, f.mtime_ns) for f in found)
        refused.extend(Skipped(name(s.relpath), s.reason) for s in skipped)
    return files, refused
