"""服务星 (service, 20 points): the section's own formulas at their boundaries. What every section
shares (flags, grades, totals, heavy items, explain) is in test_sections_common.py."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from fivestar.pipeline import RunResult

WriteOrg = Callable[..., Path]
Assess = Callable[..., RunResult]


@pytest.mark.parametrize(
    ("misses", "expected"),
    [(0, "3"), (1, "2.5"), (5, "0.5"), (6, "0"), (7, "0"), (20, "0")],
)
def test_four_seasons_deducts_half_a_point_per_miss_down_to_zero(
    write_org: WriteOrg, assess: Assess, misses: int, expected: str
) -> None:
    write_org("a", service={"four_seasons_misses": misses})
    line = assess().ledgers["a"].items["service.four_seasons"]
    assert line.points == Decimal(expected)
    assert line.raw == Decimal(3) - Decimal("0.5") * misses
    assert ("扣完为止" in line.basis) == (misses > 6)
