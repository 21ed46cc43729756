"""scripts/average_readers.py: two readers' stored tensors averaged name by name."""

import json

import pytest
import torch
from average_readers import averaged


def test_each_tensor_is_the_mean_of_the_two_in_the_first_readers_dtype():
    a = {"w": torch.tensor([1.0, 2.0], dtype=torch.float16), "b": torch.tensor([0.5])}
    b = {"w": torch.tensor([3.0, -2.0], dtype=torch.float16), "b": torch.tensor([1.5])}
    mean = averaged(a, b)
    assert torch.equal(mean["w"], torch.tensor([2.0, 0.0], dtype=torch.float16))
    assert mean["w"].dtype == torch.float16 and torch.equal(mean["b"], torch.tensor([1.0]))


def test_readers_that_store_different_tensors_are_refused():
    with pytest.raises(ValueError, match="different tensors"):
        averaged({"w": torch.zeros(1)}, {"v": torch.zeros(1)})


def test_the_new_config_drops_the_figures_of_the_reader_it_came_from(tmp_path):
    from reader_forms import write_config

    start = {"max_len": 256, "no_answer_bias": -2.4, "evaluation": {"f1": 0.7}, "shipped_check": {}}
    write_config(tmp_path, start, (0.6, 0.7, -3.2, 0.8), {"average_of": []})
    config = json.loads((tmp_path / "reader_config.json").read_text())
    assert config == {
        "max_len": 256,
        "no_answer_bias": -3.2,
        "validation": {"em": 0.6, "f1": 0.7, "no_answer_acc": 0.8},
        "continued": {"average_of": []},
    }
    assert "evaluation" in start  # the reader it came from keeps its own
