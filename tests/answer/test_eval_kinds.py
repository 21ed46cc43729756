"""scripts/eval_kinds.py asks the sets named, a run of held-out sets by its first and last."""

import eval_kinds
import pytest

SETS = {name: {"documents": [], "questions": []} for name in
        ("design", "held out", "held out 16", "held out 17", "held out 18", "train 1")}  # fmt: skip


def test_every_set_is_asked_when_none_is_named():
    assert eval_kinds.chosen_sets(SETS, []) == SETS


def test_sets_are_chosen_by_name_or_by_a_run_of_held_out_sets_in_their_order():
    chosen = eval_kinds.chosen_sets(SETS, ["train 1", "held out 17-18", "design"])
    assert list(chosen) == ["design", "held out 17", "held out 18", "train 1"]


def test_a_set_that_is_not_there_is_an_error_naming_those_that_are():
    with pytest.raises(ValueError, match="no set held out 19; the sets are: design, held out,"):
        eval_kinds.chosen_sets(SETS, ["held out 18-19"])
