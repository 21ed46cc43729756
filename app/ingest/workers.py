"""Keeping the model busy: files read ahead in a thread, and embedding in worker processes."""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import os
import queue
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from app.models.embedder import Embedder, SentenceTransformerEmbedder

READ_AHEAD = 32  # extracted files waiting for the model at most, which bounds memory
Item = TypeVar("Item")


_DONE = object()


def read_ahead(items: Iterator[Item], join_timeout: float) -> Iterator[Item]:
    """`items` in order, produced by a background thread up to READ_AHEAD items ahead."""
    results: queue.Queue = queue.Queue(maxsize=READ_AHEAD)
    stop = threading.Event()

    def read() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    with contextlib.suppress(queue.Full):
                        results.put(item, timeout=0.1)
                        break
                if stop.is_set():
                    return
            results.put(_DONE)
        except BaseException as exc:  # handed to the caller, which raises it
            results.put(exc)

    reader = threading.Thread(target=read, name="docqa-read-ahead", daemon=True)
    reader.start()
    try:
        while (item := results.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join(timeout=join_timeout)


def embed_texts(texts: list[str], embedder: Embedder | None, batch_size: int):
    """Vectors in the order of `texts` (the embedder orders each call by length itself, so
    batches pad little).

    `embedder` None: the one this worker process loaded in `_start_worker`.
    """
    import numpy as np

    embedder = embedder or _worker_embedder
    assert embedder is not None, "embed_texts(None) runs in an embedding worker only"
    if not texts:  # the last group of a run can be empty; no model call for it
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return embedder.encode(texts, batch_size)


_worker_embedder: Embedder | None = None  # in an embedding worker process: its own model


@contextlib.contextmanager
def embedding_pool(
    embedder: Embedder, workers: int
) -> Iterator[tuple[ProcessPoolExecutor | None, Embedder]]:
    """`workers` processes that each load the model once, or None for 1 (embed in this
    process), with the embedder for this process to use.

    With 1, the model loads on a thread while the first files are read (`LoadedMeanwhile`).
    Each worker process gets an equal share of this process's cores for its threads: N
    processes with all cores each would only fight over them. Spawned, not forked: the parent
    runs threads (read-ahead, onnxruntime) that a fork would copy mid-flight.
    """
    if workers <= 1:
        loading = LoadedMeanwhile(embedder)
        try:
            yield None, loading
        finally:  # nothing left loading when ingest returns or fails
            loading.wait()
        return
    threads = max(1, len(os.sched_getaffinity(0)) // workers)
    if isinstance(embedder, SentenceTransformerEmbedder):
        portable = dataclasses.replace(embedder, threads=threads)  # a copy without a session
    else:
        portable = embedder
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(portable, threads),
    )
    try:
        yield pool, embedder
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class LoadedMeanwhile:
    """`embedder`, its model loading on a thread from the start: an ingest reads and chunks
    its first files meanwhile (OpenVINO compiles the model in about 0.3 s, PyTorch loads in
    seconds), and `encode` waits for the loading first."""

    def __init__(self, embedder: Embedder) -> None:
        self.inner = embedder
        self.name, self.dim, self.max_tokens = embedder.name, embedder.dim, embedder.max_tokens
        self._loading = threading.Thread(target=self._load, name="docqa-model-load", daemon=True)
        self._loading.start()

    def _load(self) -> None:
        with contextlib.suppress(Exception):  # the first encode meets it again, and reports it
            self.inner.load()

    def wait(self) -> None:
        self._loading.join()

    def load(self) -> None:
        self.wait()

    def encode(self, texts: list[str], batch_size: int = 0):  # -> np.ndarray
        self.wait()
        return self.inner.encode(texts, batch_size)

    def fits(self, texts: list[str]) -> list[bool]:
        return self.inner.fits(texts)


def _start_worker(embedder: Embedder, threads: int) -> None:
    """Runs once in each embedding worker: limit its threads, keep its embedder."""
    global _worker_embedder
    os.environ["OMP_NUM_THREADS"] = str(threads)
    if str(getattr(embedder, "backend", "")).startswith("torch"):
        import torch

        torch.set_num_threads(threads)
    _worker_embedder = embedder
