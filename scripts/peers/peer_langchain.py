"""LangChain's FAISS vector store over HuggingFaceEmbeddings (sentence-transformers underneath).

Defaults throughout: an exact FAISS L2 index, which ranks unit vectors as cosine does (the model
normalises its output), and sentence-transformers' encode batch of 32.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CONFIG = "FAISS.from_texts over HuggingFaceEmbeddings(model_name=model): defaults otherwise"


def load(model: str, batch_size: int) -> Any:
    from langchain_huggingface import HuggingFaceEmbeddings

    embeddings = HuggingFaceEmbeddings(model_name=model, model_kwargs={"device": "cpu"})
    embeddings.embed_query("warm up")
    return embeddings


def build(embeddings: Any, passages: list[tuple[str, str]], k: int) -> Callable[[str], list[str]]:
    from langchain_community.vectorstores import FAISS

    store = FAISS.from_texts(
        [text for _, text in passages],
        embeddings,
        metadatas=[{"id": pid} for pid, _ in passages],
        ids=[pid for pid, _ in passages],
    )

    def search(query: str) -> list[str]:
        return [doc.metadata["id"] for doc in store.similarity_search(query, k=k)]

    return search
