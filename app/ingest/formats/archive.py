"""Zip containers (docx, pptx, xlsx, odt, epub) opened safely, in memory, before any parser sees
them.

A zip bomb is refused from the central directory alone: the sizes it declares bound what
`zipfile` will ever inflate (it stops at the declared size and checks the CRC), so checking them
first bounds memory. XML that declares entities is refused before a parser can expand them
(OOXML and OpenDocument never need a DTD). Members are never written to disk, so a name such as
`../../etc/passwd` is only ever a dictionary key.
"""

from __future__ import annotations

import io
import re
import zipfile

from app.ingest.errors import ExtractionError

MAX_MEMBERS = 10_000
MAX_TOTAL_BYTES = 512 * 2**20  # declared uncompressed size of all members together
MAX_MEMBER_BYTES = 256 * 2**20
MAX_RATIO = 200  # uncompressed / compressed, for members large enough to matter
RATIO_FLOOR = 8 * 2**20
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_PROLOG_BYTES = 64 * 1024


def open_zip(data: bytes, kind: str) -> zipfile.ZipFile:
    """The zip archive in `data`, checked; `kind` names the format in reasons ("Word document")."""
    if data.startswith(OLE_MAGIC):
        raise ExtractionError(f"encrypted {kind} (needs a password)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ExtractionError(f"corrupt {kind} (not a valid zip container: {exc})") from exc
    check_sizes(archive, kind)
    return archive


def check_sizes(archive: zipfile.ZipFile, kind: str) -> None:
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise ExtractionError(f"{kind} has too many parts ({len(members)} > {MAX_MEMBERS})")
    total = sum(m.file_size for m in members)
    if total > MAX_TOTAL_BYTES:
        raise ExtractionError(
            f"{kind} would inflate to {total / 2**20:.0f} MiB (limit "
            f"{MAX_TOTAL_BYTES / 2**20:.0f} MiB): a zip bomb?"
        )
    for m in members:
        name = m.filename.replace("\\", "/")
        if name.startswith("/") or ".." in name.split("/") or ":" in name.split("/")[0]:
            raise ExtractionError(
                f"{kind} has a part whose name escapes the archive ({m.filename[:80]!r})"
            )
        ratio = m.file_size / max(m.compress_size, 1)
        if m.file_size > MAX_MEMBER_BYTES or (m.file_size > RATIO_FLOOR and ratio > MAX_RATIO):
            raise ExtractionError(
                f"{kind} part {m.filename[:80]!r} would inflate to "
                f"{m.file_size / 2**20:.0f} MiB ({ratio:.0f}:1): a zip bomb?"
            )


def refuse_entities(archive: zipfile.ZipFile, kind: str, suffixes: tuple[str, ...]) -> None:
    """Refuse XML members that declare entities (billion laughs, external entities)."""
    for info in archive.infolist():
        if not info.filename.lower().endswith(suffixes):
            continue
        with archive.open(info) as member:
            prolog = member.read(_PROLOG_BYTES)
        if _ENTITY.search(prolog):
            raise ExtractionError(
                f"{kind} part {info.filename[:80]!r} declares XML entities "
                "(an entity-expansion attack?)"
            )


def read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        return archive.read(name)
    except KeyError as exc:
        raise ExtractionError(f"missing part {name!r}") from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise ExtractionError(f"corrupt part {name!r} ({exc})") from exc
