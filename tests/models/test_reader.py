"""The reader's runtimes: the ONNX export, and OpenVINO running it, mark what PyTorch marks; a
wrong name is refused."""

import dataclasses

import pytest

from app.engine import Engine
from app.models.reader import length_groups, load_reader
from app.settings import Settings

PASSAGES = [
    "The Amazon rainforest covers 5.5 million square kilometres, most of it in Brazil. "
    "It is home to about 390 billion trees of some 16,000 species.",
    "The Nile is about 6,650 kilometres long and flows north into the Mediterranean Sea.",
]


def test_the_onnx_reader_marks_the_spans_pytorch_marks(tmp_path):
    question = "How many trees are in the Amazon rainforest?"
    torch_spans = load_reader(runtime="torch").read(question, PASSAGES)
    onnx_reader = load_reader(runtime="onnx", cache=tmp_path)
    onnx_spans = onnx_reader.read(question, PASSAGES)
    assert [[(s.start, s.end) for s in spans] for spans in onnx_spans] == [
        [(s.start, s.end) for s in spans] for spans in torch_spans
    ]
    for ours, theirs in zip(onnx_spans[0], torch_spans[0], strict=True):
        assert ours.score == pytest.approx(theirs.score, abs=1e-3)
    best = onnx_spans[0][0]
    assert "390 billion" in PASSAGES[0][best.start : best.end]
    assert list(tmp_path.glob("reader-*.onnx")), "the export is cached where it was asked to be"


def test_the_int8_reader_marks_pytorch_s_best_span_with_fused_int8_layers(tmp_path):
    """The int8 form is fused first (one Attention op a layer; its speed rests on it, and a
    change in how transformers traces the model would undo it silently), then quantized."""
    import onnx

    question = "How many trees are in the Amazon rainforest?"
    torch_spans = load_reader(runtime="torch").read(question, PASSAGES)
    int8_spans = load_reader(runtime="onnx-int8", cache=tmp_path).read(question, PASSAGES)
    best, theirs = int8_spans[0][0], torch_spans[0][0]
    assert (best.start, best.end) == (theirs.start, theirs.end)
    assert "390 billion" in PASSAGES[0][best.start : best.end]
    assert best.score != theirs.score, "int8 rounds: equal scores mean PyTorch ran instead"
    assert best.score == pytest.approx(theirs.score, rel=0.1)  # 13.6 against 14.1 here
    (int8_file,) = tmp_path.iterdir()  # the steps between are not kept
    kinds = [node.op_type for node in onnx.load(str(int8_file)).graph.node]
    assert kinds.count("QAttention") == 6 and "Softmax" not in kinds, sorted(set(kinds))


def test_the_openvino_reader_marks_the_spans_pytorch_marks(tmp_path):
    pytest.importorskip("openvino", reason="OpenVINO has no wheel for this platform")
    question = "How many trees are in the Amazon rainforest?"
    torch_spans = load_reader(runtime="torch").read(question, PASSAGES)
    openvino_spans = load_reader(runtime="openvino", cache=tmp_path).read(question, PASSAGES)
    best = openvino_spans[0][0]
    assert (best.start, best.end) == (torch_spans[0][0].start, torch_spans[0][0].end)
    assert "390 billion" in PASSAGES[0][best.start : best.end]
    # bf16 where the CPU runs it natively: the scores move by rounding, not by more
    assert best.score == pytest.approx(torch_spans[0][0].score, abs=0.25)


def test_an_unknown_reader_runtime_is_refused_with_the_choices(tmp_path):
    with pytest.raises(ValueError, match="choose from auto, torch, torch-bf16, onnx"):
        Engine(Settings(index=tmp_path / "index", reader_backend="tensorrt"))


def test_the_openvino_reader_serves_parallel_requests_alike(tmp_path):
    """Requests run in parallel (they take turns at OpenVINO), and every answer is the same as
    when read alone, pool after pool of threads."""
    pytest.importorskip("openvino", reason="OpenVINO has no wheel for this platform")
    from concurrent.futures import ThreadPoolExecutor

    reader = load_reader(runtime="openvino", cache=tmp_path)
    question = "How many trees are in the Amazon rainforest?"
    alone = reader.read(question, PASSAGES)[0][0]
    for _ in range(3):
        with ThreadPoolExecutor(8) as pool:
            found = list(pool.map(lambda _: reader.read(question, PASSAGES)[0][0], range(24)))
        assert {(s.start, s.end, s.score) for s in found} == {(alone.start, alone.end, alone.score)}


def test_windows_of_about_one_length_share_a_batch_and_the_rest_are_read_alone():
    assert length_groups([300, 100, 290, 110, 280], 0.9) == [[0, 2, 4], [3, 1]]
    assert length_groups([300, 100, 120], 0.9) == [[0], [2], [1]]
    assert length_groups([200, 200, 200], 0.9) == [[0, 1, 2]]
    assert length_groups([300, 100], 0.0) == [[0, 1]], "0 puts every window in one batch"
    assert length_groups([], 0.9) == []


def test_reading_in_length_groups_marks_what_one_padded_batch_marks():
    question = "How many trees are in the Amazon rainforest?"
    passages = [*PASSAGES, "Trees. " * 60]  # lengths far apart: three groups at 0.9
    reader = load_reader(runtime="torch")
    grouped = dataclasses.replace(reader, least_fill=0.9).read(question, passages)
    one_batch = dataclasses.replace(reader, least_fill=0.0).read(question, passages)
    assert [[(s.start, s.end) for s in spans] for spans in grouped] == [
        [(s.start, s.end) for s in spans] for spans in one_batch
    ]
    for ours, theirs in zip(grouped[0], one_batch[0], strict=True):
        assert ours.score == pytest.approx(theirs.score, abs=1e-3)


def test_openvino_questions_and_reads_in_parallel_match_each_alone(tmp_path):
    """With `DOCQA_BACKEND=openvino` on a CPU where the reader runs on OpenVINO too, two
    compiled models serve requests at once in one process that also ran PyTorch; each result
    must be what it is alone."""
    pytest.importorskip("openvino", reason="OpenVINO has no wheel for this platform")
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    from app.models.embedder import load_embedder

    embedder = load_embedder("bundled", "openvino", tmp_path)
    reader = load_reader(runtime="openvino", cache=tmp_path)
    question = "How many trees are in the Amazon rainforest?"
    vector, best = embedder.encode([question])[0], reader.read(question, PASSAGES)[0][0]

    def one(turn: int):
        if turn % 2:
            return embedder.encode([question])[0]
        return reader.read(question, PASSAGES)[0][0]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(32)))
    for turn, result in enumerate(results):
        if turn % 2:
            np.testing.assert_array_equal(result, vector)
        else:
            assert (result.start, result.end, result.score) == (best.start, best.end, best.score)
