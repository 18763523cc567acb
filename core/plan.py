"""The scoring plan: what the score step does for each item of a section.

Scoring a large cohort runs this for every item of every organisation, so
the plan settles once what can be settled: which items are plain flags
(scored inline), and which rules decide an item from the value of one fact
alone, whose results are then remembered by that value (:class:`Remembered`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fivestar.numbers import ZERO
from fivestar.rules import Flag

if TYPE_CHECKING:
    from fivestar.model import Item

PlanEntry = tuple[str, "Item", str | None, Any, Decimal | None]
"""(id, item, fact, how, ceiling): see :func:`plan_entry`."""

REMEMBERED_KINDS = frozenset({int, str, bool, type(None)})
"""The classes of fact values that results are remembered by: two equal
values of one of them read the same (``Decimal("1.0") == Decimal(1)`` do not,
so decimals are evaluated every time)."""

REMEMBERED_LIMIT = 10_000
"""Remembered values per item; past this, further values are evaluated each time."""


def clamp(raw: Decimal, ceiling: Decimal | None) -> Decimal:
    """An item's points: its raw value between its floor (0, "扣完为止") and its ceiling."""
    if raw < ZERO:
        return ZERO
    if ceiling is not None and raw > ceiling:
        return ceiling
    return raw


class Remembered(dict[tuple[type, Any], tuple[Decimal, Decimal, Any]]):
    """An item's raw value, points and trace by the class and value of the
    one fact its rule reads (:meth:`fivestar.rules.Rule.deciding_fact`),
    evaluated the first time a value is met. A list trace is kept as a
    tuple: organisations with equal values share it."""

    def __init__(self, item: Item, fact: str) -> None:
        super().__init__()
        self.item = item
        self.fact = fact

    def __missing__(self, key: tuple[type, Any]) -> tuple[Decimal, Decimal, Any]:
        kind, value = key
        item = self.item
        raw, trace = item.rule.evaluate(item, {self.fact: value}, None)  # type: ignore[arg-type]
        if trace.__class__ is list:
            trace = tuple(trace)
        result = raw, clamp(raw, item.points), trace
        if kind in REMEMBERED_KINDS and len(self) < REMEMBERED_LIMIT:
            self[key] = result
        return result


def plan_entry(item: Item, status: str | None) -> PlanEntry:
    """What the score step does for ``item`` (``status``: "disabled" or
    "not_applicable" for an item that is not scored):

    - a plain flag: ``fact`` is its fact and ``how`` None, scored inline;
    - a rule decided by one fact: ``fact`` is it and ``how`` its
      :class:`Remembered` results;
    - any other rule: no ``fact``, ``how`` is the rule's ``evaluate``;
    - an item not scored: no ``fact``, ``how`` is its status.
    """
    rule = item.rule
    if status is not None:
        return item.id, item, None, status, item.points
    if isinstance(rule, Flag) and item.points is not None:
        return item.id, item, rule.fact, None, item.points
    fact = rule.deciding_fact()
    if fact is not None:
        return item.id, item, fact, Remembered(item, fact), item.points
    return item.id, item, None, rule.evaluate, item.points
