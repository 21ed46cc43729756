"""Whether an index folder is whole: manifest, FAISS ids, SQLite rows and offsets agree."""

from __future__ import annotations

from pathlib import Path

from app.records import unpack_sentences
from app.store.folder import open_index


def check_index(root: Path) -> list[str]:
    """Everything that disagrees between manifest, FAISS and SQLite; empty when consistent."""
    from app.store import faiss_index

    reader = open_index(root)
    problems: list[str] = []
    try:
        faiss_ids = faiss_index.ids(reader.vectors).tolist()
        db_ids = [r[0] for r in reader.db.execute("SELECT id FROM chunks")]
        if len(set(faiss_ids)) != len(faiss_ids):
            problems.append("FAISS holds duplicate chunk ids")
        if set(faiss_ids) != set(db_ids):
            orphans = len(set(faiss_ids) - set(db_ids))
            missing = len(set(db_ids) - set(faiss_ids))
            problems.append(
                f"{orphans} vector(s) without a chunk, {missing} chunk(s) without a vector"
            )
        counts = dict(reader.db.execute("SELECT source, count(*) FROM chunks GROUP BY source"))
        for source, entry in reader.manifest.files.items():
            expected = 0 if entry.skipped else entry.chunks
            if counts.pop(source, 0) != expected:
                problems.append(f"{source}: manifest says {expected} chunk(s), the store differs")
        problems += [f"{source}: chunks of a file the manifest does not list" for source in counts]
        pages = {(source, page or 0): text for source, page, text in reader.db.execute(
            "SELECT source, page, text FROM pages")}  # fmt: skip
        for source, page, start, end, text, packed in reader.db.execute(
            f'SELECT source, page, start, "end", text, {reader.sentences_column} FROM chunks'
        ):
            if pages.get((source, page or 0), "")[start:end] != text:
                problems.append(f"{source} page {page}: chunk offsets {start}:{end} do not match")
            sentences = unpack_sentences(packed, start) or ()
            if any(not start <= a < b <= end for a, b in sentences):
                problems.append(f"{source} page {page}: sentences outside chunk {start}:{end}")
        keyword_ids = {r[0] for r in reader.db.execute("SELECT id FROM chunks_fts_docsize")}
        if keyword_ids != set(db_ids):
            problems.append("the keyword index and the chunks disagree")
    finally:
        reader.close()
    return problems
