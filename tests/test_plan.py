"""The scoring plan (fivestar.plan): items decided by one fact are scored from
results remembered by that fact's class and value, and those results are
exactly what the rule itself gives."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fivestar import Levels, Linear, choice, count, item
from fivestar import plan as plan_module
from fivestar.model import Item
from fivestar.plan import Remembered, clamp, plan_entry
from fivestar.rules import Values


def counted(rule: Linear, points: int | None = 3) -> Item:
    return item("learning.counted", points=points, title="计数", facts=count("n"), rule=rule)


def test_a_remembered_result_is_the_rules_own_clamped_to_the_items_points() -> None:
    declared = counted(Linear.of(("-0.5", "n"), start=6), points=6)
    _, _, fact, how, _ = plan_entry(declared, None)
    assert fact == "n"
    for value in (0, 3, 12, 20):
        raw, trace = declared.rule.evaluate(declared, {"n": value}, None)  # type: ignore[arg-type]
        assert how[int, value] == (raw, clamp(raw, Decimal(6)), tuple(trace))
        assert str(how[int, value][0]) == str(raw)
    assert how[int, 20][:2] == (Decimal(-4), Decimal(0))


def test_equal_values_of_other_classes_are_scored_apart() -> None:
    """True == 1 == Decimal("1.0"), but each reads differently in the basis
    (true, 1, 1.0), and a decimal's exponent is kept: none shares another's result."""
    declared = counted(Linear.of((1, "n")))
    how = plan_entry(declared, None)[3]
    assert how[int, 1][2] == (1,) and how[int, 1][2][0].__class__ is int
    assert how[bool, True][2][0] is True
    assert str(how[Decimal, Decimal("1.0")][0]) == "1.0"
    assert str(how[Decimal, Decimal("1")][0]) == "1"
    assert set(how) == {(int, 1), (bool, True)}


def test_remembered_values_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_module, "REMEMBERED_LIMIT", 2)
    how = plan_entry(counted(Linear.of((1, "n"))), None)[3]
    assert [how[int, value][0] for value in range(5)] == [Decimal(value) for value in range(5)]
    assert len(how) == 2


def test_levels_are_remembered_and_an_unknown_level_still_fails() -> None:
    declared = item(
        "bonus.graded",
        points=2,
        title="等次",
        facts=choice("grade", ("good", "excellent"), "grade"),
        rule=Levels.of("grade", good=1, excellent=3),
    )
    how = plan_entry(declared, None)[3]
    assert isinstance(how, Remembered)
    assert how[str, "excellent"] == (Decimal(3), Decimal(2), "excellent")
    with pytest.raises(KeyError):
        how[str, "poor"]


class Doubled(Linear):
    """A rule that evaluates otherwise than the shape it extends."""

    def evaluate(self, item: Item, values: Values, context: Any) -> tuple[Decimal, Any]:
        raw, trace = super().evaluate(item, values, context)
        return 2 * raw, trace


def test_only_rules_decided_by_one_fact_are_remembered() -> None:
    several = counted(Linear.of((1, "n"), (1, "m")))
    overridden = counted(Doubled.of((1, "n")))
    assert plan_entry(several, None)[2:4] == (None, several.rule.evaluate)
    assert plan_entry(overridden, None)[2:4] == (None, overridden.rule.evaluate)
    assert plan_entry(counted(Linear.of((1, "n"))), "disabled")[2:4] == (None, "disabled")
