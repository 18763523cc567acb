"""民主星 (democracy, 15 points): the section's own formulas at their boundaries. What every section
shares (flags, totals, heavy items, explain) is in test_sections_common.py."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from fivestar.cli import main
from fivestar.numbers import json_number
from fivestar.pipeline import RunResult

ZERO = Decimal(0)

VIOLATIONS = ("violations_main_leader", "violations_city_cadre", "violations_section_cadre", "violations_other")

WriteOrg = Callable[..., Path]
Assess = Callable[..., RunResult]


def test_half_points_are_exact_decimals(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", democracy={"member_appraisal": True})
    line = assess().ledgers["a"].items["democracy.member_appraisal"]
    assert isinstance(line.points, Decimal)
    assert line.points.as_tuple() == Decimal("0.5").as_tuple()


@pytest.mark.parametrize(
    ("criticisms", "expected"),
    [(0, "3"), (1, "2.5"), (5, "0.5"), (6, "0"), (7, "0")],
)
def test_conduct_deducts_half_a_point_per_criticism_down_to_zero(
    write_org: WriteOrg, assess: Assess, criticisms: int, expected: str
) -> None:
    write_org("a", democracy={"conduct_criticisms": criticisms})
    line = assess().ledgers["a"].items["democracy.conduct"]
    assert line.points == Decimal(expected)
    assert line.raw == Decimal(3) - Decimal("0.5") * criticisms
    assert ("扣完为止" in line.basis) == (criticisms > 6)


@pytest.mark.parametrize(
    ("main_leader", "city", "section", "other", "expected"),
    [
        (0, 0, 0, 0, "6"),
        (1, 0, 0, 0, "5"),
        (0, 1, 0, 0, "5.2"),
        (0, 0, 1, 0, "5.4"),
        (0, 0, 0, 1, "5.5"),
        (1, 1, 1, 1, "3.1"),
        (0, 2, 3, 1, "2.1"),
        (6, 0, 0, 0, "0"),
        (0, 0, 10, 0, "0"),
        (1, 5, 0, 2, "0"),
    ],
)
def test_discipline_deducts_by_rank(
    write_org: WriteOrg, assess: Assess, main_leader: int, city: int, section: int, other: int, expected: str
) -> None:
    write_org("a", democracy=dict(zip(VIOLATIONS, (main_leader, city, section, other), strict=True)))
    line = assess().ledgers["a"].items["democracy.discipline"]
    assert line.points == Decimal(expected)
    assert line.raw == Decimal(expected)
    assert json_number(line.points) == (float(expected) if "." in expected else int(expected))


@pytest.mark.parametrize(
    ("main_leader", "city", "section", "other", "raw"),
    [
        (7, 0, 0, 0, "-1"),
        (0, 8, 0, 0, "-0.4"),
        (0, 0, 0, 13, "-0.5"),
        (3, 3, 3, 3, "-2.7"),
    ],
)
def test_discipline_floors_at_zero(
    write_org: WriteOrg, assess: Assess, main_leader: int, city: int, section: int, other: int, raw: str
) -> None:
    write_org("a", democracy=dict(zip(VIOLATIONS, (main_leader, city, section, other), strict=True)))
    line = assess().ledgers["a"].items["democracy.discipline"]
    assert line.raw == Decimal(raw)
    assert line.points == ZERO
    assert "扣完为止" in line.basis


def test_explain_discipline_names_every_rank() -> None:
    result = CliRunner().invoke(main, ["explain", "democracy.discipline"])
    assert result.exit_code == 0, result.output
    for fact in VIOLATIONS:
        assert f"[democracy] {fact}: a whole number 0..1000" in result.stdout
    assert "clamp(6 − 1·violations_main_leader − 0.8·violations_city_cadre" in result.stdout
