"""txtai's Embeddings with its default FAISS backend.

`maxlength=True` makes txtai read the model's own limit (256 tokens) from the model folder; left
unset, txtai pads and reads up to the tokenizer's 512, which halves its speed and embeds text the
model never saw in training. Everything else is txtai's default: encode batch 32, no content
store, and a FAISS index that is exact (IDMap,Flat) up to 5,000 passages and IVF above that.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CONFIG = (
    "Embeddings(path=model, backend='faiss', maxlength=True): defaults otherwise "
    "(exact IDMap,Flat up to 5,000 passages, IVF above)"
)


def load(model: str, batch_size: int) -> Any:
    from txtai import Embeddings

    embeddings = Embeddings(path=model, backend="faiss", maxlength=True)
    embeddings.transform("warm up")
    return embeddings


def build(embeddings: Any, passages: list[tuple[str, str]], k: int) -> Callable[[str], list[str]]:
    embeddings.index([(pid, text, None) for pid, text in passages])

    def search(query: str) -> list[str]:
        return [uid for uid, _score in embeddings.search(query, k)]

    return search
