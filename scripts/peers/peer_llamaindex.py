"""LlamaIndex: a VectorStoreIndex over HuggingFaceEmbedding, with its default in-memory store.

Passages go in as ready-made TextNodes (one per document, like every other system here), so
LlamaIndex's own splitter does not run: it would also need tiktoken's vocabulary from the network.
Retrieval is `index.as_retriever(similarity_top_k=k).retrieve(query)`; embed batch is the default.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CONFIG = (
    "VectorStoreIndex(TextNodes, HuggingFaceEmbedding(model_name=model)), default "
    "SimpleVectorStore; as_retriever(similarity_top_k=k)"
)


def load(model: str, batch_size: int) -> Any:
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    embedding = HuggingFaceEmbedding(model_name=model, device="cpu")
    embedding.get_query_embedding("warm up")
    return embedding


def build(embedding: Any, passages: list[tuple[str, str]], k: int) -> Callable[[str], list[str]]:
    from llama_index.core import VectorStoreIndex
    from llama_index.core.schema import TextNode

    nodes = [TextNode(id_=pid, text=text) for pid, text in passages]
    index = VectorStoreIndex(nodes, embed_model=embedding)
    retriever = index.as_retriever(similarity_top_k=k)

    def search(query: str) -> list[str]:
        return [hit.node.node_id for hit in retriever.retrieve(query)]

    return search
