"""创新星 (innovation, 15 points): the section's own formulas at their boundaries. What every section
shares (flags, grades, totals, heavy items, explain) is in test_sections_common.py."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from fivestar.pipeline import RunResult

WriteOrg = Callable[..., Path]
Assess = Callable[..., RunResult]


@pytest.mark.parametrize(("activities", "expected"), [(0, "0"), (1, "1"), (2, "2"), (3, "2"), (10, "2")])
def test_station_activities_one_point_each_capped_at_two(
    write_org: WriteOrg, assess: Assess, activities: int, expected: str
) -> None:
    write_org("a", innovation={"station_activities": activities})
    line = assess().ledgers["a"].items["innovation.station_activities"]
    assert line.points == Decimal(expected)
    assert line.raw == Decimal(activities)
    assert ("上限" in line.basis) == (activities > 2)
