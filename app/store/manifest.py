"""What an index holds, whichever store keeps it: the manifest, and the errors every store raises.

The manifest records the model and chunk settings an index was built with (an index built
otherwise is refused, never misread) and, per corpus file, its hash, size, time and counts, or
the reason it was refused: that is what lets an ingest re-read only what changed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

FORMAT_VERSION = 1


class StoreError(Exception):
    """Base of the index errors; their messages tell the user what to do."""


class IndexNotFoundError(StoreError):
    pass


class IndexMismatchError(StoreError):
    pass


class IndexLockedError(StoreError):
    pass


@dataclass
class FileEntry:
    sha256: str
    size: int
    mtime_ns: int
    pages: int = 0
    chunks: int = 0
    skipped: str | None = None  # the reason, for files that were refused (not retried unchanged)
    # page number (as a string, for JSON) -> how a citation names it ("slide 3"), where it differs
    page_labels: dict[str, str] = field(default_factory=dict)
    # pages whose text was read by OCR; 0 for the one page of a file without page numbers
    ocr_pages: list[int] = field(default_factory=list)
    # of those, the pages OCR read only in part (pictures in a Word file or on a slide): page
    # (as in ocr_pages, a string for JSON) -> the [start, end) ranges of its text that OCR filled.
    # An OCR page not listed here was read whole (and so was every OCR page before 2026-12-05).
    ocr_spans: dict[str, list[list[int]]] = field(default_factory=dict)
    extraction: int = 1  # app.ingest.extract.EXTRACTION_VERSION that read the file

    def read_by_ocr(self, page: int | None, start: int, end: int) -> bool:
        """Whether any of the text at [start, end) of `page` was read by OCR."""
        key = page or 0
        if key not in self.ocr_pages:
            return False
        spans = self.ocr_spans.get(str(key))
        return spans is None or any(s < end and start < e for s, e in spans)


@dataclass
class Manifest:
    model: str
    dim: int
    chunk_tokens: int
    chunk_overlap: int
    format_version: int = FORMAT_VERSION
    built_at: str = ""
    roots: dict[str, str] = field(default_factory=dict)  # source prefix -> corpus folder
    files: dict[str, FileEntry] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        files = {path: FileEntry(**entry) for path, entry in data.pop("files", {}).items()}
        return cls(files=files, **data)

    def locate(self, source: str) -> Path | None:
        """The file on disk that `source` was read from, if it still lies inside its corpus."""
        for prefix, folder in sorted(self.roots.items(), key=lambda item: -len(item[0])):
            if prefix and not source.startswith(prefix + "/"):
                continue
            base = Path(folder).resolve()
            path = (base / source[len(prefix) + 1 if prefix else 0 :]).resolve()
            return path if path.is_relative_to(base) and path.is_file() else None
        return None

    def ensure_compatible(
        self, expected: Manifest, where: Path | str, index_flags: str | None = None
    ) -> None:
        """Refuse an index whose vectors or chunks mean something else than this docqa's.

        `where` names the index in the message (a folder, or any phrase for another store),
        `index_flags` are the flags that point `docqa ingest` at it (default: `--index where`).
        """
        mine = (self.format_version, self.model, self.dim)
        theirs = (expected.format_version, expected.model, expected.dim)
        if mine != theirs:
            raise IndexMismatchError(
                f"the index in {where} was built with model {self.model} ({self.dim} dimensions, "
                f"format {self.format_version}), but this docqa uses {expected.model} "
                f"({expected.dim} dimensions, format {expected.format_version}). "
                f"Rebuild it: docqa ingest --rebuild {index_flags or f'--index {where}'}"
            )
