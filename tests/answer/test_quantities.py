"""A question asking how many or how much of a thing is answered by the list item that counts it."""

import pytest

from app.answer.quantities import asked_thing, quantity_for
from app.records import Passage

RECIPE = (
    "Lemon drizzle cake\n\nIngredients\n\n225 g unsalted butter, softened\n225 g caster sugar\n"
    "4 eggs\n275 g self-raising flour\nFinely grated zest of 2 lemons\n\nMethod\n\n"
    "1. Heat the oven to 180 C.\n2. Bake for 45 minutes."
)
PACKING = "Packing list\n\n- 2 sleeping bags\n\n- 1.5 l water per person\n\n- 3-4 tent pegs"


def _answer(question: str, *texts: str) -> str | None:
    passages = [Passage(n, "r.html", None, 0, len(t), t, 1.0) for n, t in enumerate(texts)]
    found = quantity_for(question, passages)
    return None if found is None else texts[found[0]][found[1] : found[2]]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How many eggs do I need?", "4 eggs"),
        ("How much flour is needed?", "275 g self-raising flour"),
        ("How much flour goes into the cake?", "275 g self-raising flour"),
        ("How much caster sugar?", "225 g caster sugar"),
        ("How many sleeping bags should we take?", "2 sleeping bags"),
        ("How much water do we pack?", "1.5 l water per person"),
        ("How many tent pegs?", "3-4 tent pegs"),
        ("How many lemons?", None),  # no item starts with their count
        ("How long does it bake?", None),
        ("How much does the cake cost?", None),
    ],
)
def test_a_list_item_gives_the_quantity_of_the_thing_asked_for(question, expected):
    assert _answer(question, RECIPE, PACKING) == expected


def test_a_line_alone_is_no_list_and_what_is_asked_for_is_named_by_its_words():
    assert _answer("How many eggs?", "Notes\n\n4 eggs were broken.\n\nThe end.") is None
    history = (
        "1916 saw heavy losses on the river, and 20,000 soldiers died in the first weeks of it.\n\n"
        "1917 brought the soldiers home, after a winter that the whole valley remembered for years."
    )
    assert _answer("How many soldiers died?", history) is None, "paragraphs, not items"
    assert asked_thing("How much self-raising flour do I need?") == ["self", "rais", "flour"]
    assert asked_thing("How much does it weigh?") == []
