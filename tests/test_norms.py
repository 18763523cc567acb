"""规范星 (norms, 25 points): every item of rules-2020.md at its boundaries."""

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
    "norms.regulation_meeting": ("regulation_meeting", "1"),
    "norms.personal_lists": ("personal_lists_published", "2"),
    "norms.secretary_review": ("secretary_review", "2"),
    "norms.lists_fulfilled": ("lists_fulfilled", "2"),
    "norms.annual_plan": ("annual_plan", "1"),
    "norms.timely_election": ("timely_election", "1"),
    "norms.staffing": ("staffing_complete", "1"),
    "norms.branch_standard": ("branch_standard", "2"),
    "norms.pioneer_branch": ("pioneer_branch", "1"),
    "norms.three_meetings": ("three_meetings", "2"),
    "norms.party_lectures": ("party_lectures", "1"),
    "norms.brand_results": ("brand_results", "2"),
    "norms.leaders_example": ("leaders_example", "1"),
    "norms.recruitment": ("recruitment", "1"),
    "norms.dues": ("dues", "1"),
    "norms.annual_statistics": ("annual_statistics", "1"),
}
POINTS = {
    **{item_id: points for item_id, (_fact, points) in FLAGS.items()},
    "norms.reports_heard": "2",
    "norms.theme_day": "1",
}
SUBTOTALS = {
    "责任机制规范": (
        "10",
        (
            "norms.reports_heard",
            "norms.regulation_meeting",
            "norms.personal_lists",
            "norms.secretary_review",
            "norms.lists_fulfilled",
            "norms.annual_plan",
        ),
    ),
    "组织设置规范": ("5", ("norms.timely_election", "norms.staffing", "norms.branch_standard", "norms.pioneer_branch")),
    "组织生活规范": (
        "10",
        (
            "norms.three_meetings",
            "norms.party_lectures",
            "norms.theme_day",
            "norms.brand_results",
            "norms.leaders_example",
            "norms.recruitment",
            "norms.dues",
            "norms.annual_statistics",
        ),
    ),
}
HEAVY = {
    "norms.heavy.secretary_vacancy": "有机关党组织书记空缺3个月以上现象",
    "norms.heavy.special_members": "有党员领导干部不上党课、不参加组织生活会，成为\u201c特殊党员\u201d",
}
COMPLETE: dict[str, Any] = {
    **{fact: True for fact, _points in FLAGS.values()},
    "reports_heard": 2,
    "theme_day_planned": True,
    "theme_day_held": True,
}

WriteOrg = Callable[..., Path]
Assess = Callable[..., RunResult]


def points(result: RunResult, org: str, item_id: str) -> Decimal:
    return result.ledgers[org].items[item_id].points


@pytest.mark.parametrize(("item_id", "fact", "worth"), [(key, *value) for key, value in FLAGS.items()])
def test_flag_items_score_their_points_only_when_true(
    write_org: WriteOrg, assess: Assess, item_id: str, fact: str, worth: str
) -> None:
    write_org("yes", norms={fact: True})
    write_org("no", norms={fact: False})
    result = assess()
    assert points(result, "yes", item_id) == Decimal(worth)
    assert points(result, "no", item_id) == ZERO
    assert result.ledgers["yes"].items[item_id].max == Decimal(worth)


def test_missing_flag_scores_zero_with_a_warning(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", norms={})
    result = assess()
    assert points(result, "a", "norms.dues") == ZERO
    assert any(problem.key == "dues" for problem in result.ledgers["a"].organisation.warnings)


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


def test_complete_organisation_reaches_25_and_earns_the_star(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", norms=COMPLETE)
    ledger = assess().ledgers["a"]
    section = ledger.sections["norms"]
    assert section.score == Decimal(25)
    assert section.max == Decimal(25)
    assert {item_id: line.points for item_id, line in section.items.items()} == {
        item_id: Decimal(worth) for item_id, worth in POINTS.items()
    }
    assert "norms" in ledger.awards.stars


def test_items_add_up_to_the_section_and_its_subtotals(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", norms={})
    registry = assess().context.registry
    items = registry.section_items("norms")
    assert {item.id: item.points for item in items} == {item_id: Decimal(worth) for item_id, worth in POINTS.items()}
    assert sum(item.points for item in items) == Decimal(25)
    assert registry.section_max("norms") == Decimal(25)
    section = registry.sections["norms"]
    assert (section.group, section.order) == ("party_building", 20)
    assert dict(section.subtotals) == {title: Decimal(total) for title, (total, _ids) in SUBTOTALS.items()}
    for title, (total, ids) in SUBTOTALS.items():
        assert {item.id for item in items if item.subtotal == title} == set(ids)
        assert sum(Decimal(POINTS[item_id]) for item_id in ids) == Decimal(total)


@pytest.mark.parametrize("heavy_id", sorted(HEAVY))
def test_heavy_item_is_accepted_and_withholds_the_star(write_org: WriteOrg, assess: Assess, heavy_id: str) -> None:
    write_org("clean", norms=COMPLETE)
    write_org("flagged", norms=COMPLETE, review={"heavy": {heavy_id: True}})
    write_org("eight", norms=COMPLETE, review={"heavy": {heavy_id: 8}})
    result = assess()
    assert result.failed == []
    clean, flagged, eight = (result.ledgers[org] for org in ("clean", "flagged", "eight"))
    assert [(deduction.item.id, deduction.points) for deduction in flagged.heavy] == [(heavy_id, Decimal(5))]
    assert clean.total - flagged.total == Decimal(5)
    assert clean.total - eight.total == Decimal(8)
    assert flagged.sections["norms"].score == Decimal(25)
    assert "norms" in clean.awards.stars
    assert "norms" not in flagged.awards.stars
    assert flagged.awards.withheld["norms"] == f"heavy item {heavy_id}"


@pytest.mark.parametrize("item_id", sorted(POINTS))
def test_explain_every_item(item_id: str) -> None:
    result = CliRunner().invoke(main, ["explain", item_id])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{item_id}  规范星")
    assert f"points: {POINTS[item_id]} 分" in result.stdout
    if item_id in FLAGS:
        assert f"[norms] {FLAGS[item_id][0]}: true or false" in result.stdout


@pytest.mark.parametrize("heavy_id", sorted(HEAVY))
def test_explain_every_heavy_item(heavy_id: str) -> None:
    result = CliRunner().invoke(main, ["explain", heavy_id])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{heavy_id}  重扣分项 · 规范星")
    assert f"标准：{HEAVY[heavy_id]}" in result.stdout


def test_rules_lists_every_item_and_heavy_item() -> None:
    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 0, result.output
    assert "规范星 Norms star — 25" in result.stdout
    for identifier in [*POINTS, *HEAVY]:
        assert f"  {identifier} " in result.stdout
