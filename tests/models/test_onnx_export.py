"""The ONNX forms' steps on small graphs (the real models' forms: test_embedder, test_reader)."""

import logging

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper

from app.models.onnx_export import fuse


def _scaling_graph(path) -> None:
    """y = x * 2: nothing in it for a transformer optimizer to fuse."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 3])
    two = helper.make_tensor("two", TensorProto.FLOAT, [], [2.0])
    graph = helper.make_graph([helper.make_node("Mul", ["x", "two"], ["y"])], "g", [x], [y], [two])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))


def _run(path, x: np.ndarray) -> np.ndarray:
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})[0]


def test_a_graph_without_a_transformer_is_kept_as_it_computes(tmp_path):
    _scaling_graph(tmp_path / "plain.onnx")
    fuse(tmp_path / "plain.onnx", tmp_path / "fused.onnx")
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(_run(tmp_path / "fused.onnx", x), x * 2)


def test_a_file_the_optimizer_cannot_read_is_copied_with_a_warning(tmp_path, caplog):
    """The fused form is an optimisation: where it fails, the model is used unfused."""
    source = tmp_path / "odd.onnx"
    source.write_bytes(b"not a model")
    with caplog.at_level(logging.WARNING, logger="docqa.onnx"):
        fuse(source, tmp_path / "fused.onnx")
    assert (tmp_path / "fused.onnx").read_bytes() == b"not a model"
    assert "could not fuse" in caplog.text
