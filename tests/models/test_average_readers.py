"""scripts/average_readers.py: two readers' stored tensors averaged name by name."""

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
