"""The three collections of a docqa index in Milvus: their fields, indexes and BM25 function."""

from __future__ import annotations

from typing import Any

from app.records import Chunk, Sentences, pack_sentences, unpack_sentences
from app.store.milvus.connection import MilvusStore, is_local

META_KEY = -1  # the row of <name>_files holding the manifest's settings; file rows are >= 0
VARCHAR_BYTES = 65535  # Milvus's largest VARCHAR
PAGE_PART_CHARS = 16000  # 4 bytes per character at most: a part always fits a VARCHAR
# How the chunks' `terms` were made (app.store.keywords). An index whose settings row names
# another way (or none: docqa before 2026-11-26 stemmed with Snowball) is refused with "rebuild".
TERMS_FORMAT = "fts5 porter unicode61 remove_diacritics 2"
UNKNOWN_SENTENCES = "-"  # a chunk whose sentences are not stored (answers find them)
# Milvus requires a vector field in every collection: pages and files carry this constant one.
MARKER = [0.0, 0.0]


def terms_field(terms: list[str]) -> str:
    """A chunk's keyword terms (FTS5's, see app.keywords) for Milvus's BM25 index. They are
    letters and digits only, so Milvus's standard analyzer splits them back exactly."""
    joined = " ".join(terms)
    if len(joined.encode()) > VARCHAR_BYTES:  # only for pathological chunks; a tail is dropped
        joined = joined.encode()[:VARCHAR_BYTES].decode(errors="ignore").rsplit(" ", 1)[0]
    return joined


def create_collections(store: MilvusStore, dim: int) -> bool:
    """Create the three collections; True when the engine accepted BM25 full-text search."""
    from pymilvus import DataType, MilvusClient
    from pymilvus.exceptions import MilvusException

    client = store.client
    for name, schema in ((store.pages, _pages_schema()), (store.files, _files_schema())):
        if not client.has_collection(name):
            index = client.prepare_index_params()
            index.add_index(field_name="marker", index_type="FLAT", metric_type="L2")
            _create(store, name, schema, index)
    if client.has_collection(store.chunks):
        return has_full_text(store)
    for full_text in (True, False):
        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("source_key", DataType.INT64)
        schema.add_field("content_key", DataType.INT64)
        schema.add_field("source", DataType.VARCHAR, max_length=VARCHAR_BYTES)
        schema.add_field("page", DataType.INT64)  # 0: a file without pages
        schema.add_field("char_start", DataType.INT64)
        schema.add_field("char_end", DataType.INT64)
        schema.add_field("text", DataType.VARCHAR, max_length=VARCHAR_BYTES)
        schema.add_field("sentences", DataType.VARCHAR, max_length=VARCHAR_BYTES)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        index = client.prepare_index_params()
        # FLAT is exact, like the FAISS store's default: both backends rank the same.
        index.add_index(field_name="vector", index_type="FLAT", metric_type="IP")
        if full_text:
            _add_full_text(schema, index)
        else:
            schema.add_field("terms", DataType.VARCHAR, max_length=VARCHAR_BYTES)
        try:
            _create(store, store.chunks, schema, index)
            return full_text
        except MilvusException:
            if not full_text:
                raise
            # An engine without full-text search (Milvus before 2.5, old Milvus Lite) refuses
            # the BM25 function: keep the terms so a later rebuild on a newer engine has them.
            if client.has_collection(store.chunks):
                client.drop_collection(store.chunks)
    raise AssertionError("unreachable")


def _create(store: MilvusStore, name: str, schema: Any, index: Any) -> None:
    """Create and load an empty collection. Strong consistency: a search sees every write
    acknowledged before it, so a publish is visible to the next request on any machine."""
    store.client.create_collection(name, schema=schema, consistency_level="Strong")
    # pymilvus polls a new index every 0.5 s until it is built; an empty collection's index is
    # built at once on Milvus Lite, where that wait would be most of an ingest's set-up time.
    store.client.create_index(name, index, sync=not is_local(store.uri))
    store.client.load_collection(name)


def _add_full_text(schema: Any, index: Any) -> None:
    from pymilvus import DataType, Function, FunctionType

    schema.add_field(
        "terms",
        DataType.VARCHAR,
        max_length=VARCHAR_BYTES,
        enable_analyzer=True,
        enable_match=True,  # document_frequencies counts with text_match
    )
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_function(
        Function(
            name="bm25",
            function_type=FunctionType.BM25,
            input_field_names=["terms"],
            output_field_names=["sparse"],
        )
    )
    index.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")


def _pages_schema() -> Any:
    from pymilvus import DataType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("source_key", DataType.INT64)
    schema.add_field("content_key", DataType.INT64)
    schema.add_field("source", DataType.VARCHAR, max_length=VARCHAR_BYTES)
    schema.add_field("page", DataType.INT64)
    schema.add_field("part", DataType.INT64)
    schema.add_field("text", DataType.VARCHAR, max_length=VARCHAR_BYTES)
    schema.add_field("marker", DataType.FLOAT_VECTOR, dim=len(MARKER))
    return schema


def _files_schema() -> Any:
    from pymilvus import DataType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("key", DataType.INT64, is_primary=True)  # source_key, or META_KEY, ...
    schema.add_field("source", DataType.VARCHAR, max_length=VARCHAR_BYTES)
    schema.add_field("content_key", DataType.INT64)  # the rows that count; 0 for none
    schema.add_field("data", DataType.VARCHAR, max_length=VARCHAR_BYTES)  # JSON
    schema.add_field("marker", DataType.FLOAT_VECTOR, dim=len(MARKER))
    return schema


def has_full_text(store: MilvusStore) -> bool:
    """Whether the chunks collection has Milvus's BM25 function (keyword search works)."""
    from pymilvus import FunctionType

    functions = store.client.describe_collection(store.chunks).get("functions") or []
    return any(f.get("type") == FunctionType.BM25 for f in functions)


def has_sentences(store: MilvusStore) -> bool:
    """Whether the chunks collection stores sentences (collections made before 2026-12-02 do
    not; their answers find them when read)."""
    fields = store.client.describe_collection(store.chunks)["fields"]
    return any(f["name"] == "sentences" for f in fields)


def sentences_field(chunk: Chunk) -> str:
    """A chunk's sentences as the collection keeps them; UNKNOWN_SENTENCES when they were not
    found or would not fit."""
    packed = pack_sentences(chunk)
    if packed is None or len(packed) > VARCHAR_BYTES:
        return UNKNOWN_SENTENCES
    return packed


def sentences_of(row: dict, chunk_start: int) -> Sentences:
    packed = row.get("sentences", UNKNOWN_SENTENCES)
    return None if packed == UNKNOWN_SENTENCES else unpack_sentences(packed, chunk_start)


def vector_dim(store: MilvusStore) -> int:
    fields = store.client.describe_collection(store.chunks)["fields"]
    return int(next(f for f in fields if f["name"] == "vector")["params"]["dim"])
