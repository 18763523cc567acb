"""创新星 (innovation, 15 points): every item of rules-2020.md at its boundaries."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from core.cli import main
from core.pipeline import RunResult

ZERO = Decimal(0)

FLAGS = {
    "innovation.research": ("research", "2"),
    "innovation.info_reports": ("info_reports", "1"),
    "innovation.party_business": ("party_business", "2"),
    "innovation.physical_position": ("physical_position", "1"),
    "innovation.online_position": ("online_position", "1"),
    "innovation.platform_use": ("platform_use", "2"),
    "innovation.platform_data": ("platform_data", "2"),
}
POINTS = {
    **{item_id: points for item_id, (_fact, points) in FLAGS.items()},
    "innovation.station_activities": "2",
    "innovation.clean_organ": "2",
}
SUBTOTALS = {
    "创新工作理念": ("3", ("innovation.research", "innovation.info_reports")),
    "创新工作载体": (
        "8",
        (
            "innovation.party_business",
            "innovation.physical_position",
            "innovation.online_position",
            "innovation.station_activities",
            "innovation.clean_organ",
        ),
    ),
    "创新管理平台": ("4", ("innovation.platform_use", "innovation.platform_data")),
}
HEAVY = {
    "innovation.heavy.outdated_conduct": "有不适合新时代全面从严治党的认识和行为",
    "innovation.heavy.platform_error": "出现党建管理服务系统平台使用出现重大差错的现象",
}
COMPLETE: dict[str, Any] = {
    **{fact: True for fact, _points in FLAGS.values()},
    "station_activities": 2,
    "clean_organ": "named",
}

WriteOrg = Callable[..., Path]
Assess = Callable[..., RunResult]


def points(result: RunResult, org: str, item_id: str) -> Decimal:
    return result.ledgers[org].items[item_id].points


@pytest.mark.parametrize(("item_id", "fact", "worth"), [(key, *value) for key, value in FLAGS.items()])
def test_flag_items_score_their_points_only_when_true(
    write_org: WriteOrg, assess: Assess, item_id: str, fact: str, worth: str
) -> None:
    write_org("yes", innovation={fact: True})
    write_org("no", innovation={fact: False})
    result = assess()
    assert points(result, "yes", item_id) == Decimal(worth)
    assert points(result, "no", item_id) == ZERO
    assert result.ledgers["yes"].items[item_id].max == Decimal(worth)


@pytest.mark.parametrize(("activities", "expected"), [(0, "0"), (1, "1"), (2, "2"), (3, "2"), (10, "2")])
def test_station_activities_one_point_each_capped_at_two(
    write_org: WriteOrg, assess: Assess, activities: int, expected: str
) -> None:
    write_org("a", innovation={"station_activities": activities})
    line = assess().ledgers["a"].items["innovation.station_activities"]
    assert line.points == Decimal(expected)
    assert line.raw == Decimal(activities)
    assert ("上限" in line.basis) == (activities > 2)


@pytest.mark.parametrize(("grade", "expected"), [("none", "0"), ("participated", "1"), ("named", "2")])
def test_clean_organ_participation_one_naming_one_more(
    write_org: WriteOrg, assess: Assess, grade: str, expected: str
) -> None:
    write_org("a", innovation={"clean_organ": grade})
    assert points(assess(), "a", "innovation.clean_organ") == Decimal(expected)


def test_missing_clean_organ_is_the_lowest_grade(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", innovation={})
    result = assess()
    assert result.ledgers["a"].organisation.facts["innovation"]["clean_organ"] == "none"
    assert points(result, "a", "innovation.clean_organ") == ZERO
    assert any(problem.key == "clean_organ" for problem in result.ledgers["a"].organisation.warnings)


@pytest.mark.parametrize("grade", ["selected", "Named", True, 2])
def test_unknown_clean_organ_grade_fails_validation(write_org: WriteOrg, assess: Assess, grade: object) -> None:
    write_org("bad", innovation={"clean_organ": grade})
    write_org("good", innovation={"clean_organ": "named"})
    result = assess()
    assert [organisation.id for organisation in result.failed] == ["bad"]
    assert points(result, "good", "innovation.clean_organ") == Decimal(2)


def test_complete_organisation_reaches_15_and_earns_the_star(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", innovation=COMPLETE)
    ledger = assess().ledgers["a"]
    section = ledger.sections["innovation"]
    assert section.score == Decimal(15)
    assert section.max == Decimal(15)
    assert {item_id: line.points for item_id, line in section.items.items()} == {
        item_id: Decimal(worth) for item_id, worth in POINTS.items()
    }
    assert "innovation" in ledger.awards.stars


def test_items_add_up_to_the_section_and_its_subtotals(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", innovation={})
    registry = assess().context.registry
    items = registry.section_items("innovation")
    assert {item.id: item.points for item in items} == {item_id: Decimal(worth) for item_id, worth in POINTS.items()}
    assert sum(item.points for item in items) == Decimal(15)
    assert registry.section_max("innovation") == Decimal(15)
    section = registry.sections["innovation"]
    assert (section.group, section.order) == ("party_building", 50)
    assert dict(section.subtotals) == {title: Decimal(total) for title, (total, _ids) in SUBTOTALS.items()}
    for title, (total, ids) in SUBTOTALS.items():
        assert {item.id for item in items if item.subtotal == title} == set(ids)
        assert sum(Decimal(POINTS[item_id]) for item_id in ids) == Decimal(total)


@pytest.mark.parametrize("heavy_id", sorted(HEAVY))
def test_heavy_item_is_accepted_and_withholds_the_star(write_org: WriteOrg, assess: Assess, heavy_id: str) -> None:
    write_org("clean", innovation=COMPLETE)
    write_org("flagged", innovation=COMPLETE, review={"heavy": {heavy_id: True}})
    write_org("six", innovation=COMPLETE, review={"heavy": {heavy_id: 6}})
    result = assess()
    assert result.failed == []
    clean, flagged, six = (result.ledgers[org] for org in ("clean", "flagged", "six"))
    assert [(deduction.item.id, deduction.points) for deduction in flagged.heavy] == [(heavy_id, Decimal(5))]
    assert clean.total - flagged.total == Decimal(5)
    assert clean.total - six.total == Decimal(6)
    assert "innovation" in clean.awards.stars
    assert "innovation" not in flagged.awards.stars
    assert flagged.awards.withheld["innovation"] == f"heavy item {heavy_id}"


@pytest.mark.parametrize("item_id", sorted(POINTS))
def test_explain_every_item(item_id: str) -> None:
    result = CliRunner().invoke(main, ["explain", item_id])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{item_id}  创新星")
    assert f"points: {POINTS[item_id]} 分" in result.stdout
    if item_id == "innovation.clean_organ":
        assert '[innovation] clean_organ: one of "none", "participated", "named"' in result.stdout


@pytest.mark.parametrize("heavy_id", sorted(HEAVY))
def test_explain_every_heavy_item(heavy_id: str) -> None:
    result = CliRunner().invoke(main, ["explain", heavy_id])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{heavy_id}  重扣分项 · 创新星")
    assert f"标准：{HEAVY[heavy_id]}" in result.stdout


def test_rules_lists_every_item_and_heavy_item() -> None:
    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 0, result.output
    assert "创新星 Innovation star — 15" in result.stdout
    for identifier in [*POINTS, *HEAVY]:
        assert f"  {identifier} " in result.stdout
