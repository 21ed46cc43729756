"""Haystack: sentence-transformers embedders, the in-memory document store, and a query pipeline.

Since Haystack 3 the sentence-transformers embedders live in the package
`sentence-transformers-haystack` (module `haystack_integrations...`). Queries go through a
`Pipeline` (text embedder -> in-memory embedding retriever), as Haystack's documentation builds
them; the store's default dot product equals cosine on the model's unit vectors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CONFIG = (
    "SentenceTransformersDocumentEmbedder (batch 32) + InMemoryDocumentStore; "
    "query Pipeline(SentenceTransformersTextEmbedder -> InMemoryEmbeddingRetriever)"
)


def load(model: str, batch_size: int) -> Any:
    from haystack_integrations.components.embedders.sentence_transformers import (
        SentenceTransformersDocumentEmbedder,
        SentenceTransformersTextEmbedder,
    )

    documents = SentenceTransformersDocumentEmbedder(model=model, progress_bar=False)
    documents.warm_up()
    text = SentenceTransformersTextEmbedder(model=model, progress_bar=False)
    text.warm_up()
    text.run(text="warm up")
    return documents, text


def build(state: Any, passages: list[tuple[str, str]], k: int) -> Callable[[str], list[str]]:
    from haystack import Document, Pipeline
    from haystack.components.retrievers.in_memory import InMemoryEmbeddingRetriever
    from haystack.document_stores.in_memory import InMemoryDocumentStore

    document_embedder, text_embedder = state
    store = InMemoryDocumentStore()
    embedded = document_embedder.run([Document(id=pid, content=text) for pid, text in passages])
    store.write_documents(embedded["documents"])
    pipeline = Pipeline()
    pipeline.add_component("embedder", text_embedder)
    pipeline.add_component("retriever", InMemoryEmbeddingRetriever(store, top_k=k))
    pipeline.connect("embedder.embedding", "retriever.query_embedding")

    def search(query: str) -> list[str]:
        found = pipeline.run({"embedder": {"text": query}})["retriever"]["documents"]
        return [doc.id for doc in found]

    return search
