"""The model loads while the first files are read, and nothing encodes before it is loaded."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from app.ingest.workers import LoadedMeanwhile, embedding_pool
from tests.conftest import FakeEmbedder


class SlowToLoad(FakeEmbedder):
    """Loads only when the test lets it, and records what happened in which order."""

    def __init__(self, failure: Exception | None = None) -> None:
        self.release, self.events, self.failure = threading.Event(), [], failure

    def load(self) -> None:
        self.events.append("loading")
        self.release.wait(timeout=10)
        if self.failure is not None:
            raise self.failure
        self.events.append("loaded")

    def encode(self, texts: list[str], batch_size: int = 0) -> np.ndarray:
        if self.failure is not None:
            raise self.failure  # as a real model that failed to load fails again
        self.events.append("encode")
        return super().encode(texts, batch_size)


def test_the_model_loads_meanwhile_and_encoding_waits_for_it():
    embedder = SlowToLoad()
    loading = LoadedMeanwhile(embedder)
    assert loading.fits(["a short text"]) == [True]  # chunking goes on while it loads
    encoding = threading.Thread(target=loading.encode, args=(["a text"],))
    encoding.start()
    encoding.join(timeout=0.2)
    assert encoding.is_alive() and embedder.events == ["loading"]
    embedder.release.set()
    encoding.join(timeout=10)
    assert embedder.events == ["loading", "loaded", "encode"]
    assert (loading.name, loading.dim) == (embedder.name, embedder.dim)


def test_a_model_that_fails_to_load_fails_the_first_encode_with_its_own_error():
    embedder = SlowToLoad(failure=ValueError("OpenVINO is not installed"))
    embedder.release.set()
    loading = LoadedMeanwhile(embedder)
    with pytest.raises(ValueError, match="OpenVINO is not installed"):
        loading.encode(["a text"])


def test_one_worker_leaves_nothing_loading_behind():
    embedder = SlowToLoad()
    with embedding_pool(embedder, workers=1) as (pool, in_process):
        assert pool is None and isinstance(in_process, LoadedMeanwhile)
        embedder.release.set()
    assert embedder.events == ["loading", "loaded"]
