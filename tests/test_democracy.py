"""民主星 (democracy, 15 points): every item of rules-2020.md at its boundaries."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from core.cli import main
from core.numbers import json_number
from core.pipeline import RunResult

ZERO = Decimal(0)

FLAGS = {
    "democracy.life_meeting": ("life_meeting", "1"),
    "democracy.member_appraisal": ("member_appraisal", "0.5"),
    "democracy.discipline_officer": ("discipline_officer", "0.5"),
    "democracy.discipline_list": ("discipline_list", "0.5"),
    "democracy.deputy_attends": ("deputy_attends", "0.5"),
    "democracy.disclosure": ("disclosure", "1"),
    "democracy.member_rights": ("member_rights", "1"),
    "democracy.integrity_education": ("integrity_education", "1"),
}
POINTS = {
    **{item_id: points for item_id, (_fact, points) in FLAGS.items()},
    "democracy.conduct": "3",
    "democracy.discipline": "6",
}
SUBTOTALS = {
    "完善党内监督": (
        "5",
        (
            "democracy.life_meeting",
            "democracy.member_appraisal",
            "democracy.discipline_officer",
            "democracy.discipline_list",
            "democracy.deputy_attends",
            "democracy.disclosure",
            "democracy.member_rights",
        ),
    ),
    "健全监督教育": ("4", ("democracy.conduct", "democracy.integrity_education")),
    "强化纪律作风": ("6", ("democracy.discipline",)),
}
HEAVY = {
    "democracy.heavy.eight_rules": "有违反中央八项规定及实施细则精神的行为",
    "democracy.heavy.leadership_violation": "有部门（单位）班子成员严重违纪违法情形",
}
VIOLATIONS = ("violations_main_leader", "violations_city_cadre", "violations_section_cadre", "violations_other")
COMPLETE: dict[str, Any] = {
    **{fact: True for fact, _points in FLAGS.values()},
    "conduct_criticisms": 0,
    **{fact: 0 for fact in VIOLATIONS},
}

WriteOrg = Callable[..., Path]
Assess = Callable[..., RunResult]


def points(result: RunResult, org: str, item_id: str) -> Decimal:
    return result.ledgers[org].items[item_id].points


@pytest.mark.parametrize(("item_id", "fact", "worth"), [(key, *value) for key, value in FLAGS.items()])
def test_flag_items_score_their_points_only_when_true(
    write_org: WriteOrg, assess: Assess, item_id: str, fact: str, worth: str
) -> None:
    write_org("yes", democracy={fact: True})
    write_org("no", democracy={fact: False})
    result = assess()
    assert points(result, "yes", item_id) == Decimal(worth)
    assert points(result, "no", item_id) == ZERO
    assert result.ledgers["yes"].items[item_id].max == Decimal(worth)


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


def test_complete_organisation_reaches_15_and_earns_the_star(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", democracy=COMPLETE)
    ledger = assess().ledgers["a"]
    section = ledger.sections["democracy"]
    assert section.score == Decimal(15)
    assert section.max == Decimal(15)
    assert {item_id: line.points for item_id, line in section.items.items()} == {
        item_id: Decimal(worth) for item_id, worth in POINTS.items()
    }
    assert "democracy" in ledger.awards.stars


def test_items_add_up_to_the_section_and_its_subtotals(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", democracy={})
    registry = assess().context.registry
    items = registry.section_items("democracy")
    assert {item.id: item.points for item in items} == {item_id: Decimal(worth) for item_id, worth in POINTS.items()}
    assert sum(item.points for item in items) == Decimal(15)
    assert registry.section_max("democracy") == Decimal(15)
    section = registry.sections["democracy"]
    assert (section.group, section.order) == ("party_building", 40)
    assert dict(section.subtotals) == {title: Decimal(total) for title, (total, _ids) in SUBTOTALS.items()}
    for title, (total, ids) in SUBTOTALS.items():
        assert {item.id for item in items if item.subtotal == title} == set(ids)
        assert sum(Decimal(POINTS[item_id]) for item_id in ids) == Decimal(total)


@pytest.mark.parametrize("heavy_id", sorted(HEAVY))
def test_heavy_item_is_accepted_and_withholds_the_star(write_org: WriteOrg, assess: Assess, heavy_id: str) -> None:
    write_org("clean", democracy=COMPLETE)
    write_org("flagged", democracy=COMPLETE, review={"heavy": {heavy_id: True}})
    write_org("seven", democracy=COMPLETE, review={"heavy": {heavy_id: 7}})
    result = assess()
    assert result.failed == []
    clean, flagged, seven = (result.ledgers[org] for org in ("clean", "flagged", "seven"))
    assert [(deduction.item.id, deduction.points) for deduction in flagged.heavy] == [(heavy_id, Decimal(5))]
    assert clean.total - flagged.total == Decimal(5)
    assert clean.total - seven.total == Decimal(7)
    assert "democracy" in clean.awards.stars
    assert "democracy" not in flagged.awards.stars
    assert flagged.awards.withheld["democracy"] == f"heavy item {heavy_id}"


@pytest.mark.parametrize("item_id", sorted(POINTS))
def test_explain_every_item(item_id: str) -> None:
    result = CliRunner().invoke(main, ["explain", item_id])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{item_id}  民主星")
    assert f"points: {POINTS[item_id]} 分" in result.stdout


def test_explain_discipline_names_every_rank() -> None:
    result = CliRunner().invoke(main, ["explain", "democracy.discipline"])
    assert result.exit_code == 0, result.output
    for fact in VIOLATIONS:
        assert f"[democracy] {fact}: a whole number ≥ 0" in result.stdout
    assert "clamp(6 − 1·violations_main_leader − 0.8·violations_city_cadre" in result.stdout


@pytest.mark.parametrize("heavy_id", sorted(HEAVY))
def test_explain_every_heavy_item(heavy_id: str) -> None:
    result = CliRunner().invoke(main, ["explain", heavy_id])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{heavy_id}  重扣分项 · 民主星")
    assert f"标准：{HEAVY[heavy_id]}" in result.stdout


def test_rules_lists_every_item_and_heavy_item() -> None:
    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 0, result.output
    assert "民主星 Democracy star — 15" in result.stdout
    for identifier in [*POINTS, *HEAVY]:
        assert f"  {identifier} " in result.stdout
