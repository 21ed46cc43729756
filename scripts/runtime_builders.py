"""The embedding runtimes that scripts/bench_runtimes.py compares: each a function (model
folder, docqa's model cache, a work folder, calibration texts) -> an embedder with docqa's own
tokenizing and pooling (`SentenceTransformerEmbedder`), so only the runtime differs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
from machine_state import threads

from app.models.embedder import (
    SentenceTransformerEmbedder,
    model_name,
    onnx_session,
)
from app.models.onnx_export import cached_onnx_model

CALIBRATION = 64  # texts nncf.quantize calibrates the int8 OpenVINO model on


def docqa_backend(backend: str) -> Callable[..., SentenceTransformerEmbedder]:
    def build(path: Path, cache: Path, workdir: Path, calibration: list[str]):
        return SentenceTransformerEmbedder(path, model_name("bundled"), backend, cache)

    return build


def with_session(path: Path, cache: Path, session) -> SentenceTransformerEmbedder:
    """docqa's ONNX embedder (its tokenizing and pooling) around another runtime's `session`."""
    embedder = SentenceTransformerEmbedder(path, model_name("bundled"), "onnx", cache)
    embedder.__dict__["_onnx_session"] = session  # fills the cached_property before first use
    return embedder


def vnni_int8(const_b_only: bool) -> Callable[..., SentenceTransformerEmbedder]:
    """sentence-transformers' "avx512_vnni" recipe (optimum's ORTQuantizer passes these
    options, and no MatMulConstBOnly, to onnxruntime's ONNXQuantizer); `const_b_only`:
    onnxruntime's quantize_dynamic default instead, MatMuls by a constant weight only."""

    def build(path: Path, cache: Path, workdir: Path, calibration: list[str]):
        from onnxruntime.quantization import QuantType, quantize_dynamic

        fp32 = cached_onnx_model(path, cache, "plain")
        target = workdir / f"{fp32.stem}-vnni{'-weights' if const_b_only else ''}.onnx"
        if not target.is_file():
            workdir.mkdir(parents=True, exist_ok=True)
            logging.getLogger().setLevel(logging.ERROR)  # a pre-processing hint on every call
            quantize_dynamic(
                str(fp32),
                str(target),
                op_types_to_quantize=["MatMul", "Add"],  # optimum's; Add has no dynamic form
                per_channel=True,
                reduce_range=False,
                weight_type=QuantType.QInt8,  # activations: uint8, the only dynamic choice
                extra_options={
                    "WeightSymmetric": True,
                    "ActivationSymmetric": False,
                    "EnableSubgraph": False,
                    "ForceSymmetric": False,
                    "MatMulConstBOnly": const_b_only,
                },
            )
        return with_session(path, cache, onnx_session(target))

    return build


def fused_int8(path: Path, cache: Path, workdir: Path, calibration: list[str]):
    """The reader's int8 form (app.models.onnx_export: fused by onnxruntime's optimizer, the
    attentions in int8 too) for the embedder."""
    return with_session(path, cache, onnx_session(cached_onnx_model(path, cache, "fused-int8")))


class OpenVinoSession:
    """The one call of an onnxruntime session that docqa makes, on a compiled OpenVINO model."""

    def __init__(self, compiled) -> None:
        self.request = compiled.create_infer_request()
        self.output = compiled.output(0)

    def run(self, _output_names, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        return [np.array(self.request.infer(feeds)[self.output])]


def openvino(precision: str | None, int8: str = "") -> Callable[..., SentenceTransformerEmbedder]:
    """docqa's fp32 ONNX model compiled by OpenVINO for the CPU; `precision` None: the CPU's
    default (bf16 with AMX); `int8`: "static" (nncf.quantize) or "weights" (compress_weights)."""

    def build(path: Path, cache: Path, workdir: Path, calibration: list[str]):
        import openvino as ov

        core = ov.Core()
        model = core.read_model(str(cached_onnx_model(path, cache, "plain")))
        if int8 == "static":
            import nncf

            nncf.set_log_level(logging.ERROR)
            plain = SentenceTransformerEmbedder(path, model_name("bundled"))
            samples = [plain._feed([text]) for text in calibration]  # as docqa feeds it
            model = nncf.quantize(
                model,
                nncf.Dataset(samples),
                model_type=nncf.ModelType.TRANSFORMER,
                subset_size=len(samples),
            )
        elif int8 == "weights":
            import nncf

            nncf.set_log_level(logging.ERROR)
            model = nncf.compress_weights(model)  # INT8_ASYM, per output channel
        config = {"INFERENCE_NUM_THREADS": threads(), "PERFORMANCE_HINT": "LATENCY"}
        if precision:
            config["INFERENCE_PRECISION_HINT"] = precision
        compiled = core.compile_model(model, "CPU", config)
        embedder = with_session(path, cache, OpenVinoSession(compiled))
        embedder.note = f"runs {compiled.get_property('INFERENCE_PRECISION_HINT').to_string()}"
        return embedder

    return build


BUILDERS: dict[str, Callable[..., SentenceTransformerEmbedder]] = {
    "torch": docqa_backend("torch"),
    "torch-bf16": docqa_backend("torch-bf16"),
    "onnx-int8": docqa_backend("onnx-int8"),
    "onnx": docqa_backend("onnx"),
    "onnx-int8-fused": fused_int8,
    "onnx-int8-vnni": vnni_int8(const_b_only=False),
    "onnx-int8-vnni-weights": vnni_int8(const_b_only=True),
    "openvino-f32": openvino("f32"),
    "openvino": openvino(None),
    "openvino-int8": openvino(None, int8="static"),
    "openvino-int8-weights": openvino(None, int8="weights"),
}
ABOUT = {
    "torch": "docqa `torch`: sentence-transformers' encode, PyTorch fp32",
    "torch-bf16": 'docqa `torch-bf16`: the same under torch.autocast("cpu", dtype=torch.bfloat16)',
    "onnx-int8": "docqa `onnx-int8` (today's default): int8 MatMuls but the feed-forward outputs",
    "onnx": "docqa `onnx`: the fp32 ONNX export, onnxruntime",
    "onnx-int8-fused": "the reader's int8 form: fused by onnxruntime, the attentions int8 too",
    "onnx-int8-vnni": "sentence-transformers' avx512_vnni config (U8S8, per channel, every MatMul)",
    "onnx-int8-vnni-weights": "the same, MatMuls by a weight only (quantize_dynamic's default)",
    "openvino-f32": "OpenVINO CPU plugin, the fp32 ONNX model, INFERENCE_PRECISION_HINT f32",
    "openvino": "OpenVINO CPU plugin, the fp32 ONNX model, the CPU's default precision",
    "openvino-int8": f"OpenVINO, nncf.quantize static int8 (TRANSFORMER, {CALIBRATION} texts)",
    "openvino-int8-weights": "OpenVINO, nncf.compress_weights (int8 weights, default precision)",
}
