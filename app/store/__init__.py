"""The index: a narrow interface (`backends.backend(settings)`) over two stores side by side, the
FAISS + SQLite folder (`folder`) and Milvus (`milvus/`), plus what both share: the manifest,
the keyword terms and BM25 of SQLite FTS5 (`keywords`) and the choice of FAISS index."""
