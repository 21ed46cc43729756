"""The bare model: sentence-transformers encodes, an exact FAISS inner-product index searches.

No framework around it, so its ingest speed is the limit of this machine for this model, and its
query time is what one encode plus one exact search cost. Runs in docqa's venv.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CONFIG = "SentenceTransformer.encode (batch {batch}, unit vectors) + faiss.IndexFlatIP"


def load(model: str, batch_size: int) -> Any:
    from sentence_transformers import SentenceTransformer

    encoder = SentenceTransformer(model, device="cpu")
    encoder.encode(["warm up"])
    return encoder, batch_size


def build(state: Any, passages: list[tuple[str, str]], k: int) -> Callable[[str], list[str]]:
    import faiss

    encoder, batch_size = state
    vectors = _encode(encoder, [text for _, text in passages], batch_size)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    ids = [pid for pid, _ in passages]

    def search(query: str) -> list[str]:
        _, found = index.search(_encode(encoder, [query], 1), k)
        return [ids[i] for i in found[0] if i >= 0]

    return search


def _encode(encoder: Any, texts: list[str], batch_size: int) -> Any:
    return encoder.encode(
        texts,
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
