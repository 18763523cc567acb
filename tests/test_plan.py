"""The scoring plan (fivestar.plan): items decided by the values of their facts
are scored from results remembered by those values and their classes, and
those results are exactly what the rule itself gives."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fivestar import AllFlags, Levels, Linear, Text, choice, count, hookimpl, item, records, yes_no
from fivestar import plan as plan_module
from fivestar.model import Item
from fivestar.numbers import ZERO
from fivestar.pipeline import RunResult
from fivestar.plan import Remembered, clamp, plan_entry
from fivestar.rules import Flag, Values


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


def test_several_facts_are_remembered_by_their_values_and_classes() -> None:
    declared = counted(Linear.of(("1.5", "n"), ("-0.2", "m")))
    _, _, getter, how, _ = plan_entry(declared, None)
    assert getter({"n": 2, "m": 1, "other": 9}) == (2, 1)
    assert how[(int, int), (2, 1)] == (Decimal("2.8"), Decimal("2.8"), (2, 1))
    assert how[(bool, int), (True, 1)][2][0] is True
    assert str(how[(Decimal, int), (Decimal("2.0"), 1)][0]) == "2.80"
    assert set(how) == {((int, int), (2, 1)), ((bool, int), (True, 1))}


def test_values_without_a_hash_are_evaluated() -> None:
    declared = item(
        "norms.both",
        points=1,
        title="两项",
        facts=(yes_no("a", "a"), yes_no("b", "b")),
        rule=AllFlags(("a", "b")),
    )
    how = plan_entry(declared, None)[3]
    assert how.evaluated(((list, bool), (["x"], True))) == (Decimal(1), Decimal(1), (["x"], True))
    with pytest.raises(TypeError):
        how[(list, bool), (["x"], True)]


class Doubled(Linear):
    """A rule that evaluates otherwise than the shape it extends."""

    def evaluate(self, item: Item, values: Values, context: Any) -> tuple[Decimal, Any]:
        raw, trace = super().evaluate(item, values, context)
        return 2 * raw, trace


def test_only_rules_decided_by_their_facts_are_remembered() -> None:
    overridden = counted(Doubled.of((1, "n")))
    assert overridden.rule.deciding_facts() == ()
    _, _, fact, how, _ = plan_entry(overridden, None)
    assert (fact, how({"n": 2}, None)) == (None, (Decimal(4), [2]))
    assert plan_entry(counted(Linear.of((1, "n"))), "disabled")[2:4] == (None, "disabled")


class Inverted(Flag):
    """A flag whose own evaluate gives its points when the fact is false."""

    def evaluate(self, item: Item, values: Values, context: Any) -> tuple[Decimal, Any]:
        value = values[self.fact]
        return (ZERO if value else item.points or ZERO), value


def test_a_flag_whose_evaluate_is_its_own_is_evaluated_by_it() -> None:
    done = yes_no("done", "done")
    inverted = item("learning.inverted", points=2, title="反向", facts=done, rule=Inverted("done"))
    plain = item("learning.plain", points=2, title="正向", facts=done, rule=Flag("done"))
    _, _, fact, how, _ = plan_entry(inverted, None)
    assert fact is None
    assert how({"done": False}, None) == (Decimal(2), False)
    assert plan_entry(plain, None)[2:4] == ("done", None)


class ListedItem:
    """An item decided by a list fact (a list has no hash) and a flag."""

    name = "listed"

    @hookimpl
    def assess_items(self, edition: str) -> list[Item]:
        return [
            item(
                "learning.listed",
                points=1,
                title="有记录且已报",
                facts=(records("entries", {"name": Text()}), yes_no("reported", "reported")),
                rule=AllFlags(("entries", "reported")),
            )
        ]


def test_an_item_decided_by_a_list_is_scored(write_org: Callable[..., Path], assess: Callable[..., RunResult]) -> None:
    write_org("a", learning={"entries": [{"name": "x"}], "reported": True})
    write_org("b", learning={"entries": [], "reported": True})
    result = assess((ListedItem(),))
    lines = {org_id: ledger.items["learning.listed"] for org_id, ledger in result.ledgers.items()}
    assert (lines["a"].points, lines["b"].points) == (Decimal(1), Decimal(0))
    assert lines["a"].trace == ([{"name": "x"}], True)
