"""The ONNX and OpenVINO backends against PyTorch: the same model must give the same directions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.models.cpu import openvino_installed
from app.models.embedder import (
    BACKENDS,
    SentenceTransformerEmbedder,
    _pooled,
    load_embedder,
    onnx_session,
)
from app.models.onnx_export import cached_onnx_model

TEXTS = [
    "What year was the Saltmere lighthouse first lit?",
    "Mitochondrial DNA is inherited from the mother in most animals.",
    "Le phare fut allumé pour la première fois en 1868.",
    "The committee agreed to raise the allotment rent by £4 a year, effective from April.",
    "ok",
    "🙂 emoji, Ω and ناصر in one line",
    " ".join(["Long passages are truncated to the model's window of 256 tokens."] * 60),
]


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory) -> Path:
    """An empty cache, so this module builds the ONNX models the way a first run does."""
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="module")
def embedders(model_cache) -> dict[str, SentenceTransformerEmbedder]:
    """Every backend this platform can run: OpenVINO has no wheel for some."""
    runnable = [b for b in BACKENDS if b != "openvino" or openvino_installed()]
    return {backend: load_embedder("bundled", backend, model_cache) for backend in runnable}


def test_every_backend_agrees_with_pytorch(embedders):
    torch_vectors = embedders["torch"].encode(TEXTS, batch_size=3)
    for backend, embedder in embedders.items():
        vectors = embedder.encode(TEXTS, batch_size=3)
        assert vectors.shape == (len(TEXTS), 384)
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
        cosines = (vectors * torch_vectors).sum(axis=1)
        if backend == "onnx-int8":
            # Least exact on a text of one or two tokens ("ok": about 0.95); the rest agree
            # to 0.99 or better, like the SciFact passages measured in BENCHMARKS.md.
            assert cosines.min() >= 0.93 and np.median(cosines) >= 0.99, cosines
        elif backend in ("torch-bf16", "openvino"):  # bf16 products where native: 0.99997
            assert cosines.min() >= 0.999, cosines
        else:
            assert cosines.min() >= 0.9999, (backend, cosines)


def test_every_backend_ranks_like_pytorch(embedders):
    """The nearest text to each question is the same under every backend."""
    questions = ["When was the lighthouse lit?", "Who passes on mitochondria?", "How much rent?"]
    for embedder in embedders.values():
        nearest = (embedder.encode(questions) @ embedder.encode(TEXTS).T).argmax(axis=1)
        assert nearest.tolist() == [0, 1, 3], embedder.backend


def test_batching_moves_a_vector_only_slightly(embedders):
    """int8 scales activations per batch, so neighbours in a batch nudge a text's vector."""
    for embedder in embedders.values():
        batch = embedder.encode(TEXTS, batch_size=16)
        alone = np.vstack([embedder.encode([text]) for text in TEXTS])
        cosines = (batch * alone).sum(axis=1)
        assert cosines.min() >= 0.92 and np.median(cosines) >= 0.985, embedder.backend
        assert embedder.encode([]).shape == (0, 384)


def test_the_onnx_models_are_built_once_and_reused(embedders, model_cache):
    built = sorted(model_cache.iterdir())
    # fp32 as traced (OpenVINO's, and int8's source), fp32 fused and int8; no scratch files
    assert [p.suffix for p in built] == [".onnx"] * 3, built
    stamps = [p.stat().st_mtime_ns for p in built]
    path = embedders["onnx"].path
    forms = ("plain", "fused", "int8")
    again = sorted(cached_onnx_model(path, model_cache, form) for form in forms)
    assert again == built and [p.stat().st_mtime_ns for p in again] == stamps


def test_fused_layers_give_the_traced_graph_s_vectors(embedders, model_cache):
    """fp32 ONNX encodes with onnxruntime's fused layers: an index built by the graph as traced
    (before stop 53, or by OpenVINO in fp32) is searched with the same vectors."""
    import onnx

    fused = embedders["onnx"]
    graph = onnx.load(str(cached_onnx_model(fused.path, model_cache, "fused"))).graph
    assert {"Attention", "SkipLayerNormalization"} <= {node.op_type for node in graph.node}
    plain = onnx_session(cached_onnx_model(fused.path, model_cache, "plain"))
    for batch in (TEXTS[:1], TEXTS):
        feed = fused._feed(batch)
        traced = plain.run(None, feed)[0]
        np.testing.assert_allclose(fused.encode(batch, batch_size=len(batch)),
                                   _pooled(feed, traced), atol=1e-5)  # fmt: skip


def test_an_unknown_backend_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown embedding backend 'cuda'"):
        load_embedder("bundled", backend="cuda")


def test_onnx_refuses_a_model_it_would_pool_wrongly(real_embedder, tmp_path):
    """A CLS-pooled model would get silently wrong vectors from mean pooling: refuse it."""
    import json
    import shutil

    model = tmp_path / "cls-model"
    shutil.copytree(real_embedder.path, model, ignore=shutil.ignore_patterns("*.safetensors"))
    config = model / "1_Pooling" / "config.json"
    pooling = json.loads(config.read_text())
    pooling.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    config.write_text(json.dumps(pooling))
    with pytest.raises(ValueError, match="use DOCQA_BACKEND=torch"):
        load_embedder(str(model), "onnx-int8")
    assert load_embedder(str(model), "torch").backend == "torch"


@pytest.mark.skipif(not openvino_installed(), reason="OpenVINO has no wheel for this platform")
def test_openvino_streams_give_each_text_its_own_vector_in_order(embedders, model_cache):
    """An ingest's embedder infers batches on OpenVINO's streams at once (`run_each`): every
    vector must come back beside its own text, as one call at a time gives it."""
    streams = load_embedder("bundled", "openvino", model_cache, workload="bulk")
    assert streams.throughput and streams.batch_size == 4
    assert not embedders["openvino"].throughput and embedders["openvino"].batch_size == 16
    texts = TEXTS * 3  # several batches in flight at once
    together = streams.encode(texts)
    one_by_one = np.vstack([embedders["openvino"].encode([text]) for text in texts])
    assert (together * one_by_one).sum(axis=1).min() >= 0.999
    assert streams.encode([]).shape == (0, 384)


@pytest.mark.skipif(not openvino_installed(), reason="OpenVINO has no wheel for this platform")
def test_a_failure_on_an_openvino_stream_reaches_the_caller(model_cache):
    streams = load_embedder("bundled", "openvino", model_cache, workload="bulk")
    session = streams._onnx_session
    feeds = [streams._feed(["one text"]), streams._feed(["another"])]

    def broken(feed: dict[str, np.ndarray], states: np.ndarray) -> np.ndarray:
        raise RuntimeError(f"reducing an output of {len(feed['input_ids'])} rows failed")

    with pytest.raises(RuntimeError, match="reducing an output of 1 rows failed"):
        session.run_each(feeds, broken)
