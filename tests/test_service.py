"""服务星 (service, 20 points): every item of rules-2020.md at its boundaries."""

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
    "service.vanguard": ("vanguard", "1"),
    "service.centre_activities": ("centre_activities", "1"),
    "service.three_services": ("three_services", "2"),
    "service.rural_pairing": ("rural_pairing", "1"),
    "service.community_pairing": ("community_pairing", "1"),
    "service.hometown_visits": ("hometown_visits", "1"),
    "service.volunteering": ("volunteering", "1"),
    "service.care_visits": ("care_visits", "1"),
    "service.mutual_insurance": ("mutual_insurance", "1"),
    "service.recuperation": ("recuperation", "1"),
    "service.mass_org_elections": ("mass_org_elections", "1"),
    "service.mass_org_finance": ("mass_org_finance", "1"),
}
GRADED = {"service.top_ten_brand": "top_ten_brand", "service.three_best": "three_best"}
POINTS = {
    **{item_id: points for item_id, (_fact, points) in FLAGS.items()},
    "service.top_ten_brand": "2",
    "service.three_best": "2",
    "service.four_seasons": "3",
}
SUBTOTALS = {
    "服务中心有成效": (
        "6",
        ("service.vanguard", "service.centre_activities", "service.top_ten_brand", "service.three_best"),
    ),
    "服务基层有举措": (
        "6",
        (
            "service.three_services",
            "service.rural_pairing",
            "service.community_pairing",
            "service.hometown_visits",
            "service.volunteering",
        ),
    ),
    "服务干部职工有机制": (
        "8",
        (
            "service.care_visits",
            "service.mutual_insurance",
            "service.recuperation",
            "service.mass_org_elections",
            "service.mass_org_finance",
            "service.four_seasons",
        ),
    ),
}
HEAVY = {
    "service.heavy.complaints": "有因党员干部主观原因引发服务对象投诉的情形",
    "service.heavy.inaction": "有机关党员不作为、乱作为、\u201c中梗阻\u201d等突出问题",
}
COMPLETE: dict[str, Any] = {
    **{fact: True for fact, _points in FLAGS.values()},
    "top_ten_brand": "selected",
    "three_best": "selected",
    "four_seasons_misses": 0,
}

WriteOrg = Callable[..., Path]
Assess = Callable[..., RunResult]


def points(result: RunResult, org: str, item_id: str) -> Decimal:
    return result.ledgers[org].items[item_id].points


@pytest.mark.parametrize(("item_id", "fact", "worth"), [(key, *value) for key, value in FLAGS.items()])
def test_flag_items_score_their_points_only_when_true(
    write_org: WriteOrg, assess: Assess, item_id: str, fact: str, worth: str
) -> None:
    write_org("yes", service={fact: True})
    write_org("no", service={fact: False})
    result = assess()
    assert points(result, "yes", item_id) == Decimal(worth)
    assert points(result, "no", item_id) == ZERO
    assert result.ledgers["yes"].items[item_id].max == Decimal(worth)


@pytest.mark.parametrize(("item_id", "fact"), sorted(GRADED.items()))
@pytest.mark.parametrize(("grade", "expected"), [("none", "0"), ("participated", "1"), ("selected", "2")])
def test_grades_participation_one_selection_one_more(
    write_org: WriteOrg, assess: Assess, item_id: str, fact: str, grade: str, expected: str
) -> None:
    write_org("a", service={fact: grade})
    assert points(assess(), "a", item_id) == Decimal(expected)


@pytest.mark.parametrize(("item_id", "fact"), sorted(GRADED.items()))
def test_missing_grade_is_the_lowest_grade(write_org: WriteOrg, assess: Assess, item_id: str, fact: str) -> None:
    write_org("a", service={})
    result = assess()
    assert result.ledgers["a"].organisation.facts["service"][fact] == "none"
    assert points(result, "a", item_id) == ZERO


@pytest.mark.parametrize("grade", ["named", "Selected", True, 2])
def test_unknown_grade_fails_validation(write_org: WriteOrg, assess: Assess, grade: object) -> None:
    write_org("bad", service={"top_ten_brand": grade})
    write_org("good", service={"top_ten_brand": "participated"})
    result = assess()
    assert [organisation.id for organisation in result.failed] == ["bad"]
    assert points(result, "good", "service.top_ten_brand") == Decimal(1)


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


def test_complete_organisation_reaches_20_and_earns_the_star(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", service=COMPLETE)
    ledger = assess().ledgers["a"]
    section = ledger.sections["service"]
    assert section.score == Decimal(20)
    assert section.max == Decimal(20)
    assert {item_id: line.points for item_id, line in section.items.items()} == {
        item_id: Decimal(worth) for item_id, worth in POINTS.items()
    }
    assert "service" in ledger.awards.stars


def test_items_add_up_to_the_section_and_its_subtotals(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", service={})
    registry = assess().context.registry
    items = registry.section_items("service")
    assert {item.id: item.points for item in items} == {item_id: Decimal(worth) for item_id, worth in POINTS.items()}
    assert sum(item.points for item in items) == Decimal(20)
    assert registry.section_max("service") == Decimal(20)
    section = registry.sections["service"]
    assert (section.group, section.order) == ("party_building", 30)
    assert dict(section.subtotals) == {title: Decimal(total) for title, (total, _ids) in SUBTOTALS.items()}
    for title, (total, ids) in SUBTOTALS.items():
        assert {item.id for item in items if item.subtotal == title} == set(ids)
        assert sum(Decimal(POINTS[item_id]) for item_id in ids) == Decimal(total)


@pytest.mark.parametrize("heavy_id", sorted(HEAVY))
def test_heavy_item_is_accepted_and_withholds_the_star(write_org: WriteOrg, assess: Assess, heavy_id: str) -> None:
    write_org("clean", service=COMPLETE)
    write_org("flagged", service=COMPLETE, review={"heavy": {heavy_id: True}})
    write_org("ten", service=COMPLETE, review={"heavy": {heavy_id: 10}})
    result = assess()
    assert result.failed == []
    clean, flagged, ten = (result.ledgers[org] for org in ("clean", "flagged", "ten"))
    assert [(deduction.item.id, deduction.points) for deduction in flagged.heavy] == [(heavy_id, Decimal(5))]
    assert clean.total - flagged.total == Decimal(5)
    assert clean.total - ten.total == Decimal(10)
    assert "service" in clean.awards.stars
    assert "service" not in flagged.awards.stars
    assert flagged.awards.withheld["service"] == f"heavy item {heavy_id}"


@pytest.mark.parametrize("item_id", sorted(POINTS))
def test_explain_every_item(item_id: str) -> None:
    result = CliRunner().invoke(main, ["explain", item_id])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{item_id}  服务星")
    assert f"points: {POINTS[item_id]} 分" in result.stdout
    if item_id in GRADED:
        assert f'[service] {GRADED[item_id]}: one of "none", "participated", "selected"' in result.stdout


@pytest.mark.parametrize("heavy_id", sorted(HEAVY))
def test_explain_every_heavy_item(heavy_id: str) -> None:
    result = CliRunner().invoke(main, ["explain", heavy_id])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{heavy_id}  重扣分项 · 服务星")
    assert f"标准：{HEAVY[heavy_id]}" in result.stdout


def test_rules_lists_every_item_and_heavy_item() -> None:
    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 0, result.output
    assert "服务星 Service star — 20" in result.stdout
    for identifier in [*POINTS, *HEAVY]:
        assert f"  {identifier} " in result.stdout
