"""The index in Milvus: the same reader and draft as the FAISS folder's, over three collections.

A URI ending in `.db` is a Milvus Lite file (an engine inside this process, one process per
file); `http://host:19530` is a Milvus server or cluster, which any number of docqa processes on
any number of machines can share. Everything lives in the engine, nothing on local disk:

    <name>_chunks   one row per chunk: text, offsets, its vector, and the words BM25 indexes
    <name>_pages    the full text of every page, cut in parts that fit a VARCHAR, for citations
    <name>_files    one row per corpus file (its manifest entry), plus the settings row and one
                    "unfinished ingest" row per shard

Milvus has no transactions and no folders to swap, so consistency comes from three rules:

1. Row ids are hashes of what the row holds (source, a key of the file's extracted text and
   chunk layout, page, offsets). Writing the same file twice writes the same rows: upserts are
   idempotent, and a re-run after a kill overwrites instead of duplicating.
2. A file's row in <name>_files is its commit: it names the content key of the rows that count.
   Readers drop every chunk whose (source, content key) the manifest does not name, so rows
   written by an ingest that has not committed them, or left by one that was killed, are never
   seen. Old rows are deleted only after the new manifest rows are written.
3. An ingest marks its shard unfinished before its first write and finished after its last;
   the next ingest of that shard that finds the mark sweeps every row its manifest does not name.

Files are split between machines by a stable hash of their source name (`in_shard`), and each
file has its own manifest row, so N shards write disjoint rows of the same collections.
"""

from __future__ import annotations
