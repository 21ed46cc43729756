"""Shared fixtures: small corpora in tmp_path, the real model (loaded once), a fake embedder."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

from app.embedding import SentenceTransformerEmbedder, load_embedder
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED_EVAL = ROOT.parent / "shared" / "eval"


class FakeEmbedder:
    """Deterministic bag-of-words vectors: fast, for tests of logic that is not about the model."""

    name = "fake-bag-of-words"
    dim = 64
    max_tokens = 254

    def encode(self, texts: list[str], batch_size: int = 16) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
                vectors[row, int.from_bytes(digest, "little") % self.dim] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)

    def fits(self, texts: list[str]) -> list[bool]:
        return [len(text.split()) <= self.max_tokens for text in texts]


@pytest.fixture(scope="session")
def real_embedder() -> SentenceTransformerEmbedder:
    return load_embedder("bundled")


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    (tmp_path / "corpus").mkdir()
    return Settings.from_env(environ={}, corpus=tmp_path / "corpus", index=tmp_path / "index")


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    """Create `files` (relative path -> content) under `root`."""
    for relpath, content in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def make_pdf(path: Path, pages: list[str]) -> None:
    """A real PDF with one text page per entry, written with fpdf2."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))


@pytest.fixture
def shared_eval() -> Path:
    if not SHARED_EVAL.is_dir():
        pytest.skip("../shared/eval is not present (it only exists beside the team's checkout)")
    return SHARED_EVAL
