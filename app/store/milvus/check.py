"""`docqa check` for the index in Milvus: what disagrees, and whether keyword search works."""

from __future__ import annotations

from app.records import source_key
from app.store.milvus.connection import MilvusStore, chunk_id, scan
from app.store.milvus.manifest import read_files
from app.store.milvus.reader import CHUNK_FIELDS, open_index, stored_chunk
from app.store.milvus.schema import has_full_text, vector_dim


def keyword_search_status(store: MilvusStore) -> str:
    """One line for `docqa check`: whether keyword (BM25) search works on this engine."""
    try:
        version = store.client.get_server_version()
    except Exception:  # an engine without the RPC: the version is only for the message
        version = "unknown version"
    if store.client.has_collection(store.chunks) and has_full_text(store):
        return (
            f"keyword search: BM25 full-text search of Milvus ({version}) finds candidates, "
            "ranked by SQLite FTS5's BM25 as in the FAISS store"
        )
    return (
        f"keyword search: unavailable, this Milvus ({version}) has no BM25 full-text search "
        "(it needs Milvus 2.5 or later); keyword mode finds nothing and hybrid mode ranks by "
        "vectors alone. After upgrading, rebuild: docqa ingest --rebuild --store milvus"
    )


def check(store: MilvusStore) -> list[str]:
    """Everything that disagrees between the manifest, the chunks and the pages; empty when
    consistent. Reads every row, page texts included."""
    reader = open_index(store)
    problems: list[str] = []
    files = read_files(store)
    keys = {source_key(s): s for s in files.entries}
    if len(keys) != len(files.entries):
        problems.append("two sources of the manifest share a key (hash collision)")
    if vector_dim(store) != reader.manifest.dim:
        problems.append(
            f"vectors have {vector_dim(store)} dimensions, the manifest says {reader.manifest.dim}"
        )
    pages: dict[tuple[int, int], list[tuple[int, str]]] = {}
    stale_pages = 0
    for row in scan(store, store.pages, ["source", "content_key", "page", "part", "text"]):
        if files.contents.get(row["source"]) != row["content_key"]:
            stale_pages += 1
            continue
        pages.setdefault((source_key(row["source"]), row["page"]), []).append(
            (row["part"], row["text"])
        )
    page_texts = {key: "".join(t for _, t in sorted(parts)) for key, parts in pages.items()}
    for (key, page), parts in pages.items():
        if sorted(p for p, _ in parts) != list(range(len(parts))):
            problems.append(f"{keys.get(key, key)} page {page or None}: page text parts missing")

    counts: dict[str, int] = {}
    term_counts: dict[str, int] = {}
    spans: set[tuple[str, int, int, int]] = set()
    stale_chunks = 0
    fields = ["source_key", "content_key", "terms", *CHUNK_FIELDS]
    for row in scan(store, store.chunks, fields):
        chunk = stored_chunk(row)
        content = files.contents.get(chunk.source, 0)
        if row["content_key"] != content or row["source_key"] != source_key(chunk.source):
            stale_chunks += 1
            continue
        counts[chunk.source] = counts.get(chunk.source, 0) + 1
        term_counts[chunk.source] = term_counts.get(chunk.source, 0) + len(row["terms"].split())
        span = (chunk.source, row["page"], chunk.start, chunk.end)
        if span in spans:
            problems.append(f"{chunk.source} page {chunk.page}: duplicate chunk {span[2:]}")
        spans.add(span)
        if chunk.id != chunk_id(chunk.source, content, chunk.page, chunk.start, chunk.end):
            problems.append(f"{chunk.source}: chunk {chunk.id} has an id that is not its hash")
        text = page_texts.get((row["source_key"], row["page"]))
        if text is None or text[chunk.start : chunk.end] != chunk.text:
            problems.append(
                f"{chunk.source} page {chunk.page}: chunk offsets {chunk.start}:{chunk.end} "
                "do not match"
            )
    page_counts: dict[int, int] = {}
    for key, _page in page_texts:
        page_counts[key] = page_counts.get(key, 0) + 1
    for source, entry in files.entries.items():
        expected = 0 if entry.skipped else entry.chunks
        if counts.pop(source, 0) != expected:
            problems.append(f"{source}: manifest says {expected} chunk(s), the store differs")
        terms = files.terms.get(source)
        if terms is not None and term_counts.get(source, 0) != terms:
            problems.append(f"{source}: manifest says {terms} keyword term(s), the store differs")
        if not entry.skipped and page_counts.get(source_key(source), 0) != entry.pages:
            problems.append(f"{source}: manifest says {entry.pages} page(s), the store differs")
    if stale_chunks or stale_pages:
        problems.append(
            f"{stale_chunks} chunk row(s) and {stale_pages} page row(s) that the manifest does "
            "not name (left by an interrupted or running ingest; readers ignore them, and the "
            "next ingest of their shard removes them)"
        )
    return problems
