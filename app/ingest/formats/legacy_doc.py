"""Word 97-2003 (.doc): the main text, read from the piece table with olefile.

A .doc file is an OLE container whose `WordDocument` stream starts with the File Information
Block (FIB); the piece table (CLX, in the `0Table` or `1Table` stream) says where each run of
characters lies and whether it is stored as cp1252 bytes or UTF-16. That is all a reader needs
for the text ([MS-DOC] 2.4.1); formatting is ignored. Paragraphs end with CR, table cells and
rows with BEL; fields keep their shown result and drop their code.
"""

from __future__ import annotations

import io
import re
import struct

from app.ingest.errors import ExtractionError
from app.ingest.formats.layout import PARAGRAPH, ROW, join_blocks, row_text

_MAX_CHARS = 64 * 2**20
_FIELD = re.compile(r"\x13[^\x13\x14\x15]*\x14([^\x13\x14\x15]*)\x15|\x13[^\x13\x14\x15]*\x15")


def doc_text(data: bytes) -> str:
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
        word = ole.openstream("WordDocument").read()
        flags = struct.unpack_from("<H", word, 0x0A)[0]
        if struct.unpack_from("<H", word, 0)[0] != 0xA5EC:
            raise ExtractionError("corrupt Word 97-2003 document (no Word header)")
        if flags & 0x0100:
            raise ExtractionError("encrypted Word document (needs a password)")
        table_name = "1Table" if flags & 0x0200 else "0Table"
        if not ole.exists(table_name):
            raise ExtractionError("corrupt Word 97-2003 document (no piece table)")
        table = ole.openstream(table_name).read()
        text_chars = struct.unpack_from("<i", word, 0x4C)[0]
        clx_at, clx_size = struct.unpack_from("<II", word, 0x01A2)
    except ExtractionError:
        raise
    except (OSError, struct.error, ValueError) as exc:
        raise ExtractionError(f"corrupt Word 97-2003 document ({exc})") from exc
    text = _pieces(word, table[clx_at : clx_at + clx_size])[: max(text_chars, 0)]
    return _layout(_FIELD.sub(r"\1", text))


def _pieces(word: bytes, clx: bytes) -> str:
    at = 0
    while at < len(clx) and clx[at] == 0x01:  # Prc: formatting, skipped
        at += 3 + struct.unpack_from("<H", clx, at + 1)[0]
    if at + 5 > len(clx) or clx[at] != 0x02:
        raise ExtractionError("corrupt Word 97-2003 document (bad piece table)")
    size = struct.unpack_from("<I", clx, at + 1)[0]
    plc = clx[at + 5 : at + 5 + size]
    count = (len(plc) - 4) // 12
    positions = struct.unpack_from(f"<{count + 1}I", plc, 0)
    parts: list[str] = []
    total = 0
    for i in range(count):
        fc = struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * i + 2)[0]
        chars = positions[i + 1] - positions[i]
        total += max(chars, 0)
        if total > _MAX_CHARS:
            raise ExtractionError("Word 97-2003 document claims more text than can be read")
        if fc & 0x40000000:
            start = (fc & ~0x40000000) // 2
            parts.append(word[start : start + chars].decode("cp1252", errors="replace"))
        else:
            parts.append(word[fc : fc + 2 * chars].decode("utf-16-le", errors="replace"))
    return "".join(parts)


def _layout(text: str) -> str:
    """CR ends a paragraph; BEL ends a table cell, and a second BEL the row."""
    blocks: list[tuple[str, str]] = []
    cells: list[str] = []
    text = text.replace("\x0b", "\n").replace("\x0c", "\r")
    for piece in re.split(r"(\r|\x07\x07|\x07)", text):
        if piece == "\x07":
            cells.append(blocks.pop()[1] if blocks and blocks[-1][0] == "cell" else "")
        elif piece == "\x07\x07":
            cells.append(blocks.pop()[1] if blocks and blocks[-1][0] == "cell" else "")
            blocks.append((ROW, row_text(cells)))
            cells = []
        elif piece != "\r":
            blocks.append(("cell", piece))
    return join_blocks((PARAGRAPH if kind == "cell" else kind, t) for kind, t in blocks)
