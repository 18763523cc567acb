"""规范星 (norms, 25 points): the section's own formulas at their boundaries. What every section
shares (flags, totals, heavy items, explain) is in test_sections_common.py."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from fivestar.pipeline import RunResult

WriteOrg = Callable[..., Path]
Assess = Callable[..., RunResult]


def points(result: RunResult, org: str, item_id: str) -> Decimal:
    return result.ledgers[org].items[item_id].points


def test_personal_lists_reads_personal_lists_published(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", norms={"personal_lists": True})
    result = assess()
    assert [organisation.id for organisation in result.failed] == ["a"]


@pytest.mark.parametrize(("heard", "expected"), [(0, "0"), (1, "1"), (2, "2"), (3, "2")])
def test_reports_heard_one_point_each_capped_at_two(
    write_org: WriteOrg, assess: Assess, heard: int, expected: str
) -> None:
    write_org("a", norms={"reports_heard": heard})
    assert points(assess(), "a", "norms.reports_heard") == Decimal(expected)


def test_reports_heard_past_the_cap_shows_the_ceiling(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", norms={"reports_heard": 3})
    line = assess().ledgers["a"].items["norms.reports_heard"]
    assert line.raw == Decimal(3)
    assert "上限" in line.basis


@pytest.mark.parametrize(
    ("planned", "held", "expected"),
    [(True, True, "1"), (True, False, "0"), (False, True, "0"), (False, False, "0")],
)
def test_theme_day_needs_both_plan_and_practice(
    write_org: WriteOrg, assess: Assess, planned: bool, held: bool, expected: str
) -> None:
    write_org("a", norms={"theme_day_planned": planned, "theme_day_held": held})
    assert points(assess(), "a", "norms.theme_day") == Decimal(expected)
