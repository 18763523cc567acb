"""What every star section (学习星, 规范星, 服务星, 民主星, 创新星) must do alike, written once from
rules-2020.md and the standard's text: its items, points and sub-totals, a complete organisation, the
flag and grade items, the heavy items (备注2), and `assess explain` / `assess rules`. Each section's own
formulas and boundaries stay in its test file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fivestar.cli import main
from fivestar.pipeline import RunResult

WriteOrg = Callable[..., Path]
Assess = Callable[..., RunResult]


@dataclass(frozen=True)
class Spec:
    title: str
    title_en: str
    total: str
    order: int
    subtotals: dict[str, tuple[str, dict[str, str]]]
    """sub-total title → (its points, {item id: points})"""
    heavy: dict[str, str]
    """heavy item id → its 重扣分项 text"""
    full_marks: dict[str, Any]
    """the facts, besides the flags, of an organisation that earns every point"""


SPECS = {
    "learning": Spec(
        "学习星",
        "Learning star",
        "25",
        10,
        {
            "明确学习教育内容": (
                "10",
                {
                    "learning.political_priority": "1",
                    "learning.initial_mission_system": "1",
                    "learning.party_regulations": "2",
                    "learning.conveyed": "3",
                    "learning.thought_analyses": "2",
                    "learning.talks_visits": "1",
                },
            ),
            "执行学习教育制度": ("7", {"learning.study_system": "4", "learning.study_hours": "3"}),
            "加强学习教育培训": ("8", {"learning.regular_training": "2", "learning.committee_training": "6"}),
        },
        {
            "learning.heavy.spirit_not_conveyed": "出现中央、省委、市委重要文件、会议、讲话精神未及时传达贯彻到位现象",
            "learning.heavy.religion_or_rumours": "有党员参教信教、传播政治谣言及有损党和国家形象的言论和行为",
            "learning.heavy.unprofessional_staff": "有党务干部专职不专业现象",
        },
        {
            "halfyear_reports": 2,
            "unimplemented": 0,
            "thought_analyses": 2,
            "quarterly_reports": 4,
            "study_criticisms": 0,
            "member_hours_met": True,
            "leader_hours_met": True,
            "xuexi_promoted": True,
            "training_misses": 0,
        },
    ),
    "norms": Spec(
        "规范星",
        "Norms star",
        "25",
        20,
        {
            "责任机制规范": (
                "10",
                {
                    "norms.reports_heard": "2",
                    "norms.regulation_meeting": "1",
                    "norms.personal_lists": "2",
                    "norms.secretary_review": "2",
                    "norms.lists_fulfilled": "2",
                    "norms.annual_plan": "1",
                },
            ),
            "组织设置规范": (
                "5",
                {
                    "norms.timely_election": "1",
                    "norms.staffing": "1",
                    "norms.branch_standard": "2",
                    "norms.pioneer_branch": "1",
                },
            ),
            "组织生活规范": (
                "10",
                {
                    "norms.three_meetings": "2",
                    "norms.party_lectures": "1",
                    "norms.theme_day": "1",
                    "norms.brand_results": "2",
                    "norms.leaders_example": "1",
                    "norms.recruitment": "1",
                    "norms.dues": "1",
                    "norms.annual_statistics": "1",
                },
            ),
        },
        {
            "norms.heavy.secretary_vacancy": "有机关党组织书记空缺3个月以上现象",
            "norms.heavy.special_members": "有党员领导干部不上党课、不参加组织生活会，成为\u201c特殊党员\u201d",
        },
        {"reports_heard": 2, "theme_day_planned": True, "theme_day_held": True},
    ),
    "service": Spec(
        "服务星",
        "Service star",
        "20",
        30,
        {
            "服务中心有成效": (
                "6",
                {
                    "service.vanguard": "1",
                    "service.centre_activities": "1",
                    "service.top_ten_brand": "2",
                    "service.three_best": "2",
                },
            ),
            "服务基层有举措": (
                "6",
                {
                    "service.three_services": "2",
                    "service.rural_pairing": "1",
                    "service.community_pairing": "1",
                    "service.hometown_visits": "1",
                    "service.volunteering": "1",
                },
            ),
            "服务干部职工有机制": (
                "8",
                {
                    "service.care_visits": "1",
                    "service.mutual_insurance": "1",
                    "service.recuperation": "1",
                    "service.mass_org_elections": "1",
                    "service.mass_org_finance": "1",
                    "service.four_seasons": "3",
                },
            ),
        },
        {
            "service.heavy.complaints": "有因党员干部主观原因引发服务对象投诉的情形",
            "service.heavy.inaction": "有机关党员不作为、乱作为、\u201c中梗阻\u201d等突出问题",
        },
        {"top_ten_brand": "selected", "three_best": "selected", "four_seasons_misses": 0},
    ),
    "democracy": Spec(
        "民主星",
        "Democracy star",
        "15",
        40,
        {
            "完善党内监督": (
                "5",
                {
                    "democracy.life_meeting": "1",
                    "democracy.member_appraisal": "0.5",
                    "democracy.discipline_officer": "0.5",
                    "democracy.discipline_list": "0.5",
                    "democracy.deputy_attends": "0.5",
                    "democracy.disclosure": "1",
                    "democracy.member_rights": "1",
                },
            ),
            "健全监督教育": ("4", {"democracy.conduct": "3", "democracy.integrity_education": "1"}),
            "强化纪律作风": ("6", {"democracy.discipline": "6"}),
        },
        {
            "democracy.heavy.eight_rules": "有违反中央八项规定及实施细则精神的行为",
            "democracy.heavy.leadership_violation": "有部门（单位）班子成员严重违纪违法情形",
        },
        {
            "conduct_criticisms": 0,
            **dict.fromkeys(
                ("violations_main_leader", "violations_city_cadre", "violations_section_cadre", "violations_other"), 0
            ),
        },
    ),
    "innovation": Spec(
        "创新星",
        "Innovation star",
        "15",
        50,
        {
            "创新工作理念": ("3", {"innovation.research": "2", "innovation.info_reports": "1"}),
            "创新工作载体": (
                "8",
                {
                    "innovation.party_business": "2",
                    "innovation.physical_position": "1",
                    "innovation.online_position": "1",
                    "innovation.station_activities": "2",
                    "innovation.clean_organ": "2",
                },
            ),
            "创新管理平台": ("4", {"innovation.platform_use": "2", "innovation.platform_data": "2"}),
        },
        {
            "innovation.heavy.outdated_conduct": "有不适合新时代全面从严治党的认识和行为",
            "innovation.heavy.platform_error": "出现党建管理服务系统平台使用出现重大差错的现象",
        },
        {"station_activities": 2, "clean_organ": "named"},
    ),
}

FLAGS = {
    "learning.political_priority": "political_priority",
    "learning.initial_mission_system": "initial_mission_system",
    "learning.party_regulations": "party_regulations",
    "learning.talks_visits": "talks_visits",
    "learning.regular_training": "regular_training",
    "norms.regulation_meeting": "regulation_meeting",
    "norms.personal_lists": "personal_lists_published",
    "norms.secretary_review": "secretary_review",
    "norms.lists_fulfilled": "lists_fulfilled",
    "norms.annual_plan": "annual_plan",
    "norms.timely_election": "timely_election",
    "norms.staffing": "staffing_complete",
    "norms.branch_standard": "branch_standard",
    "norms.pioneer_branch": "pioneer_branch",
    "norms.three_meetings": "three_meetings",
    "norms.party_lectures": "party_lectures",
    "norms.brand_results": "brand_results",
    "norms.leaders_example": "leaders_example",
    "norms.recruitment": "recruitment",
    "norms.dues": "dues",
    "norms.annual_statistics": "annual_statistics",
    "service.vanguard": "vanguard",
    "service.centre_activities": "centre_activities",
    "service.three_services": "three_services",
    "service.rural_pairing": "rural_pairing",
    "service.community_pairing": "community_pairing",
    "service.hometown_visits": "hometown_visits",
    "service.volunteering": "volunteering",
    "service.care_visits": "care_visits",
    "service.mutual_insurance": "mutual_insurance",
    "service.recuperation": "recuperation",
    "service.mass_org_elections": "mass_org_elections",
    "service.mass_org_finance": "mass_org_finance",
    "democracy.life_meeting": "life_meeting",
    "democracy.member_appraisal": "member_appraisal",
    "democracy.discipline_officer": "discipline_officer",
    "democracy.discipline_list": "discipline_list",
    "democracy.deputy_attends": "deputy_attends",
    "democracy.disclosure": "disclosure",
    "democracy.member_rights": "member_rights",
    "democracy.integrity_education": "integrity_education",
    "innovation.research": "research",
    "innovation.info_reports": "info_reports",
    "innovation.party_business": "party_business",
    "innovation.physical_position": "physical_position",
    "innovation.online_position": "online_position",
    "innovation.platform_use": "platform_use",
    "innovation.platform_data": "platform_data",
}
SERVICE_GRADES = ("none", "participated", "selected")
GRADED = {
    "service.top_ten_brand": ("top_ten_brand", SERVICE_GRADES),
    "service.three_best": ("three_best", SERVICE_GRADES),
    "innovation.clean_organ": ("clean_organ", ("none", "participated", "named")),
}
"""item id → (its fact, its grades scoring 0, 1 and 2 points)"""
NOT_GRADES = ("selected", "named", "Selected", "Named", True, 2)

POINTS = {
    item_id: worth
    for spec in SPECS.values()
    for _total, members in spec.subtotals.values()
    for item_id, worth in members.items()
}
HEAVY = {heavy_id: text for spec in SPECS.values() for heavy_id, text in spec.heavy.items()}


def section_of(identifier: str) -> str:
    return identifier.split(".")[0]


def complete(section: str) -> dict[str, Any]:
    flags = {fact: True for item_id, fact in FLAGS.items() if section_of(item_id) == section}
    return {**flags, **SPECS[section].full_marks}


def section_points(section: str) -> dict[str, Decimal]:
    return {item_id: Decimal(worth) for item_id, worth in POINTS.items() if section_of(item_id) == section}


def test_the_tables_agree_with_the_section_totals() -> None:
    for spec in SPECS.values():
        assert sum(Decimal(total) for total, _members in spec.subtotals.values()) == Decimal(spec.total)
        for total, members in spec.subtotals.values():
            assert sum(Decimal(worth) for worth in members.values()) == Decimal(total)
    assert set(FLAGS) | set(GRADED) <= set(POINTS)


@pytest.mark.parametrize("section", SPECS)
def test_items_add_up_to_the_section_and_its_subtotals(write_org: WriteOrg, assess: Assess, section: str) -> None:
    spec = SPECS[section]
    write_org("a", **{section: complete(section)})
    result = assess()
    registry = result.context.registry
    items = registry.section_items(section)
    assert {item.id: item.points for item in items} == section_points(section)
    assert sum(item.points for item in items) == Decimal(spec.total)
    assert registry.section_max(section) == Decimal(spec.total)
    declared = registry.sections[section]
    assert (declared.group, declared.order) == ("party_building", spec.order)
    assert dict(declared.subtotals) == {title: Decimal(total) for title, (total, _members) in spec.subtotals.items()}
    for title, (_total, members) in spec.subtotals.items():
        assert {item.id for item in items if item.subtotal == title} == set(members)
    scored = result.ledgers["a"].sections[section]
    assert {item_id: line.max for item_id, line in scored.items.items()} == section_points(section)
    assert scored.max == Decimal(spec.total)


@pytest.mark.parametrize("section", SPECS)
def test_complete_organisation_reaches_the_maximum_and_earns_the_star(
    write_org: WriteOrg, assess: Assess, section: str
) -> None:
    write_org("a", **{section: complete(section)})
    result = assess()
    ledger = result.ledgers["a"]
    scored = ledger.sections[section]
    total = Decimal(SPECS[section].total)
    assert scored.claimed == total
    assert scored.score == total
    assert scored.max == total
    assert {item_id: line.points for item_id, line in scored.items.items()} == section_points(section)
    assert section in ledger.awards.stars
    assert section not in ledger.awards.withheld
    assert not [problem for problem in ledger.organisation.warnings if problem.table == section]
    assert not ledger.organisation.errors


@pytest.mark.parametrize("item_id", FLAGS)
def test_flag_item_scores_its_points_only_when_true(write_org: WriteOrg, assess: Assess, item_id: str) -> None:
    section, fact, worth = section_of(item_id), FLAGS[item_id], Decimal(POINTS[item_id])
    total = Decimal(SPECS[section].total)
    write_org("yes", **{section: {fact: True}})
    write_org("no", **{section: {fact: False}})
    write_org("missing", **{section: {}})
    write_org("all", **{section: complete(section)})
    write_org("all_but", **{section: {**complete(section), fact: False}})
    result = assess()
    lines = {org: result.ledgers[org].items[item_id] for org in ("yes", "no", "missing", "all", "all_but")}
    assert lines["yes"].points == worth
    assert lines["yes"].max == worth
    assert lines["no"].points == Decimal(0)
    assert lines["missing"].points == Decimal(0)
    assert any(problem.key == fact for problem in result.ledgers["missing"].organisation.warnings)
    assert lines["all"].points == worth
    assert lines["all_but"].points == Decimal(0)
    assert (lines["all"].status, lines["all_but"].status) == ("scored", "scored")
    assert f"{fact} = true" in lines["all"].basis
    assert f"{fact} = false" in lines["all_but"].basis
    assert result.ledgers["all"].sections[section].score == total
    assert result.ledgers["all_but"].sections[section].score == total - worth


@pytest.mark.parametrize("item_id", GRADED)
@pytest.mark.parametrize("grade_index", [0, 1, 2])
def test_grade_item_one_point_for_taking_part_one_more_for_the_title(
    write_org: WriteOrg, assess: Assess, item_id: str, grade_index: int
) -> None:
    fact, grades = GRADED[item_id]
    write_org("a", **{section_of(item_id): {fact: grades[grade_index]}})
    assert assess().ledgers["a"].items[item_id].points == Decimal(grade_index)


@pytest.mark.parametrize("item_id", GRADED)
def test_missing_grade_is_the_lowest_grade(write_org: WriteOrg, assess: Assess, item_id: str) -> None:
    section, (fact, grades) = section_of(item_id), GRADED[item_id]
    write_org("a", **{section: {}})
    ledger = assess().ledgers["a"]
    assert ledger.organisation.facts[section][fact] == grades[0]
    assert ledger.items[item_id].points == Decimal(0)
    assert any(problem.key == fact for problem in ledger.organisation.warnings)


@pytest.mark.parametrize(
    ("item_id", "grade"),
    [(item_id, grade) for item_id, (_fact, grades) in GRADED.items() for grade in NOT_GRADES if grade not in grades],
)
def test_unknown_grade_fails_validation(write_org: WriteOrg, assess: Assess, item_id: str, grade: object) -> None:
    section, (fact, grades) = section_of(item_id), GRADED[item_id]
    write_org("bad", **{section: {fact: grade}})
    write_org("part", **{section: {fact: grades[1]}})
    write_org("top", **{section: {fact: grades[2]}})
    result = assess()
    assert [organisation.id for organisation in result.failed] == ["bad"]
    assert result.ledgers["part"].items[item_id].points == Decimal(1)
    assert result.ledgers["top"].items[item_id].points == Decimal(2)


@pytest.mark.parametrize("heavy_id", HEAVY)
def test_heavy_item_comes_off_the_total_and_withholds_the_star(
    write_org: WriteOrg, assess: Assess, heavy_id: str
) -> None:
    section = section_of(heavy_id)
    facts = complete(section)
    figures = range(5, 11)
    write_org("clean", **{section: facts})
    write_org("flagged", **{section: facts}, review={"heavy": {heavy_id: True}})
    for figure in figures:
        write_org(f"f{figure}", **{section: facts}, review={"heavy": {heavy_id: figure}})
    result = assess()
    assert result.failed == []
    clean = result.ledgers["clean"]
    assert section in clean.awards.stars
    found = [(5, result.ledgers["flagged"]), *((figure, result.ledgers[f"f{figure}"]) for figure in figures)]
    for figure, ledger in found:
        assert [(deduction.item.id, deduction.points) for deduction in ledger.heavy] == [(heavy_id, Decimal(figure))]
        assert clean.total - ledger.total == Decimal(figure)
        assert ledger.sections[section].score == Decimal(SPECS[section].total)
        assert section not in ledger.awards.stars
        assert ledger.awards.withheld[section] == f"heavy item {heavy_id}"


@pytest.mark.parametrize("item_id", POINTS)
def test_explain_every_item(item_id: str) -> None:
    section = section_of(item_id)
    result = CliRunner().invoke(main, ["explain", item_id])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{item_id}  {SPECS[section].title}")
    assert f"points: {POINTS[item_id]} 分" in result.stdout
    if item_id in FLAGS:
        assert f"[{section}] {FLAGS[item_id]}: true or false" in result.stdout
    if item_id in GRADED:
        fact, grades = GRADED[item_id]
        quoted = ", ".join(f'"{grade}"' for grade in grades)
        assert f"[{section}] {fact}: one of {quoted}" in result.stdout


@pytest.mark.parametrize("heavy_id", HEAVY)
def test_explain_every_heavy_item(heavy_id: str) -> None:
    result = CliRunner().invoke(main, ["explain", heavy_id])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{heavy_id}  重扣分项 · {SPECS[section_of(heavy_id)].title}")
    assert f"标准：{HEAVY[heavy_id]}" in result.stdout


@pytest.mark.parametrize("section", SPECS)
def test_rules_lists_every_item_and_heavy_item(section: str) -> None:
    spec = SPECS[section]
    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 0, result.output
    assert f"{spec.title} — {spec.total}" in result.stdout
    english = CliRunner().invoke(main, ["--lang", "en", "rules"])
    assert f"{spec.title_en} — {spec.total}" in english.stdout
    for identifier in [*section_points(section), *spec.heavy]:
        assert f"  {identifier} " in result.stdout
