"""三级书记责任清单 (the duties plugin), written from duty-lists-2020.md: the
catalogue, validation of ``[[duty_lists]]``, each check and obligation at its
boundary, the facts fed to the norms star, run's JSON and ``assess duties``."""

from __future__ import annotations

import ast
import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fivestar.cli import main
from fivestar.pipeline import RunResult
from fivestar.plugins.duties.catalogue import BRANCH, ORGAN, UNIT, catalogue_for
from fivestar.report import result_document
from samples import toml_literal

D = Decimal
WriteOrg = Callable[..., Path]
Assess = Callable[..., RunResult]

SOURCE = "derived from duty lists (责任清单)"
ROOT = Path(__file__).resolve().parent.parent

# The countable obligations table of duty-lists-2020.md: level → key → (minimum, maximum, common item).
SPEC_OBLIGATIONS: dict[str, dict[str, tuple[int, int | None, int]]] = {
    UNIT: {
        "reports_heard": (2, None, 1),
        "annual_briefing": (1, None, 1),
        "regulation_meetings": (1, None, 2),
        "inspections": (2, None, 2),
        "ideology_reports_heard": (1, None, 2),
        "reports_to_city": (1, None, 2),
        "party_lectures": (1, None, 4),
    },
    ORGAN: {
        "subordinate_reports_heard": (1, None, 2),
        "quarterly_inspections": (4, None, 2),
        "reports_to_committee": (2, None, 2),
        "integrity_sessions": (1, None, 5),
        "thought_analyses": (2, None, 6),
        "contact_points": (1, 2, 9),
        "party_lectures": (1, None, 10),
        "research_reports": (1, None, 10),
    },
    BRANCH: {
        "reports_to_committee": (1, None, 1),
        "heart_to_heart": (1, None, 5),
    },
}
SPEC_CATEGORIES = {
    UNIT: {"统筹领导": (1, 2), "率先示范": (3, 4), "带好队伍": (5, 6, 7, 8), "支持保障": (9, 10)},
    ORGAN: {"统筹谋划": (1, 2), "教育管理": (3, 4, 5, 6), "推进落实": (7, 8), "抓点带面": (9, 10)},
    BRANCH: {"制定计划": (1,), "推进落实": (2, 3, 4, 5), "打实基础": (6, 7, 8, 9, 10)},
}
HOLDERS = {UNIT: "张书记", ORGAN: "李书记", BRANCH: "王书记"}


def duty_list(level: str, obligations: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    """A complete list of the level: every obligation at its minimum, 2 % party staff."""
    counts: dict[str, Any] = {key: minimum for key, (minimum, _max, _item) in SPEC_OBLIGATIONS[level].items()}
    if level == UNIT:
        counts.update(party_staff=2, organ_staff=100)
    counts.update(obligations or {})
    entry: dict[str, Any] = {
        "level": level,
        "holder": HOLDERS[level],
        "signed": True,
        "submitted": dt.date(2020, 3, 27),
        "published": True,
        "personal_items": ["推进党建与业务深度融合", "打造党建服务品牌"],
        "obligations": counts,
    }
    entry.update(changes)
    return {key: value for key, value in entry.items() if value is not None}


def without(entry: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in entry.items() if key not in keys}


def organisation(result: RunResult, org_id: str = "a") -> Any:
    return next(found for found in result.organisations if found.id == org_id)


def reviewed(result: RunResult, org_id: str = "a") -> list[dict[str, Any]]:
    return organisation(result, org_id).extras["duty_lists"]


def findings(result: RunResult, org_id: str = "a", index: int = 0) -> dict[str, dict[str, Any]]:
    """check (or check:key) → finding of one list."""
    found = {}
    for finding in reviewed(result, org_id)[index]["findings"]:
        name = f"{finding['check']}:{finding['key']}" if finding["key"] else finding["check"]
        found[name] = finding
    return found


def one_list(write_org: WriteOrg, assess: Assess, entry: dict[str, Any], **tables: Any) -> RunResult:
    write_org("a", duty_lists=[entry])
    return assess(**tables)


# --------------------------------------------------------------------------
# the catalogue
# --------------------------------------------------------------------------


def test_catalogue_has_ten_common_items_per_level_in_the_standards_categories() -> None:
    catalogue = catalogue_for("shaoxing-2020")
    assert catalogue is not None
    assert set(catalogue.levels) == {UNIT, ORGAN, BRANCH}
    for level_id, categories in SPEC_CATEGORIES.items():
        level = catalogue.levels[level_id]
        assert [common.number for common in level.items] == list(range(1, 11))
        assert level.categories == categories
        assert all(common.level == level_id and common.text for common in level.items)


def test_catalogue_keeps_the_standards_text() -> None:
    levels = catalogue_for("shaoxing-2020").levels  # type: ignore[union-attr]
    assert levels[UNIT].items[8].text == (
        "按要求及时配齐配强机关党组织书记、专（兼）职副书记、下属单位党组织书记，"
        "机关专职党务工作人员的配备占机关工作人员总数的2%。"
    )
    assert levels[ORGAN].items[9].text == (
        "每年至少1次为党组织或党建工作联系点上党课。每年确定1个党建研究课题，形成调研报告并促进成果转化。"
    )
    assert levels[BRANCH].items[9].text == "结合工作实际，配合机关党组织开展党建调研工作。"
    assert levels[UNIT].items[0].text.startswith("按照新时代党的建设总要求，坚决贯彻落实中央、省委、市委决策部署。")
    assert (
        levels[UNIT]
        .items[0]
        .text.endswith("每年1次在本单位一定范围内通报党委（党组、工委）抓机关党建工作情况、接受评议。")
    )
    assert "选取1—2个基层党组织作为联系点" in levels[ORGAN].items[8].text
    assert levels[BRANCH].items[4].text.endswith("按要求每年至少开展1次谈心谈话活动。")
    assert not any("<p>" in common.text or "</p>" in common.text for level in levels.values() for common in level.items)
    assert "党员一把手" in levels[UNIT].holder
    assert "市直机关工委" in levels[UNIT].submission
    assert "党委（总支）" in levels[BRANCH].submission


def test_catalogue_obligations_are_the_specs_table() -> None:
    levels = catalogue_for("shaoxing-2020").levels  # type: ignore[union-attr]
    for level_id, expected in SPEC_OBLIGATIONS.items():
        declared = {
            obligation.key: (obligation.minimum, obligation.maximum, obligation.item)
            for obligation in levels[level_id].obligations
        }
        assert declared == expected
    (ratio,) = levels[UNIT].ratios
    assert (ratio.numerator, ratio.denominator, ratio.minimum, ratio.item) == (
        "party_staff",
        "organ_staff",
        D("0.02"),
        9,
    )
    assert catalogue_for("another-edition") is None


# --------------------------------------------------------------------------
# a complete list and each check
# --------------------------------------------------------------------------


@pytest.mark.parametrize("level", [UNIT, ORGAN, BRANCH])
def test_a_complete_list_has_no_findings(write_org: WriteOrg, assess: Assess, level: str) -> None:
    result = one_list(write_org, assess, duty_list(level))
    (entry,) = reviewed(result)
    assert entry["status"] == "complete"
    assert entry["findings"] == []
    assert entry["level"] == level and entry["holder"] == HOLDERS[level]
    assert all(line["met"] for line in entry["obligations"])
    assert not result.failed


@pytest.mark.parametrize(("items", "finding"), [(0, True), (1, True), (2, False), (3, False)])
def test_at_least_two_personalised_items(write_org: WriteOrg, assess: Assess, items: int, finding: bool) -> None:
    personal = [f"个性项目{number}" for number in range(items)]
    result = one_list(write_org, assess, duty_list(ORGAN, personal_items=personal))
    found = findings(result)
    assert ("personal_items" in found) is finding
    if finding:
        assert found["personal_items"]["message"] == "个性项目不少于2个"
        assert (found["personal_items"]["required"], found["personal_items"]["recorded"]) == ("≥ 2", items)
        assert reviewed(result)[0]["status"] == "findings"


def test_missing_personal_items_is_a_finding_not_an_error(write_org: WriteOrg, assess: Assess) -> None:
    result = one_list(write_org, assess, without(duty_list(BRANCH), "personal_items"))
    assert not result.failed
    assert findings(result)["personal_items"]["recorded"] == 0


@pytest.mark.parametrize("entry", [duty_list(UNIT, signed=False), without(duty_list(UNIT), "signed")])
def test_unsigned_list(write_org: WriteOrg, assess: Assess, entry: dict[str, Any]) -> None:
    result = one_list(write_org, assess, entry)
    assert not result.failed
    assert set(findings(result)) == {"signed"}


@pytest.mark.parametrize("entry", [duty_list(BRANCH, published=False), without(duty_list(BRANCH), "published")])
def test_unpublished_list(write_org: WriteOrg, assess: Assess, entry: dict[str, Any]) -> None:
    result = one_list(write_org, assess, entry)
    assert set(findings(result)) == {"published"}


@pytest.mark.parametrize(
    ("submitted", "late"),
    [
        (dt.date(2020, 1, 6), False),
        (dt.date(2020, 3, 31), False),
        (dt.date(2020, 4, 1), True),
        (dt.date(2020, 12, 1), True),
    ],
)
def test_submitted_by_the_end_of_march(write_org: WriteOrg, assess: Assess, submitted: dt.date, late: bool) -> None:
    result = one_list(write_org, assess, duty_list(ORGAN, submitted=submitted))
    found = findings(result)
    assert ("submitted" in found) is late
    if late:
        assert found["submitted"]["recorded"] == submitted.isoformat()
        assert "2020-03-31" in found["submitted"]["required"]
        assert "逾期" in found["submitted"]["message"]


def test_missing_submission_date_is_a_finding_not_an_error(write_org: WriteOrg, assess: Assess) -> None:
    result = one_list(write_org, assess, without(duty_list(ORGAN), "submitted"))
    assert not result.failed
    finding = findings(result)["submitted"]
    assert finding["recorded"] is None
    assert "未填报" in finding["message"]


def test_the_deadline_is_in_the_runs_year(write_org: WriteOrg, assess: Assess) -> None:
    write_org(
        "a",
        duty_lists=[
            duty_list(BRANCH, submitted=dt.date(2021, 3, 31)),
            duty_list(BRANCH, submitted=dt.date(2021, 4, 1)),
        ],
    )
    result = assess(assessment={"year": 2021})
    assert "submitted" not in findings(result, index=0)
    assert findings(result, index=1)["submitted"]["required"] == "≤ 2021-03-31"


def test_every_finding_names_organisation_level_holder_and_check(write_org: WriteOrg, assess: Assess) -> None:
    entry = duty_list(UNIT, {"reports_heard": 1}, signed=False, published=False, personal_items=["一项"])
    result = one_list(write_org, assess, without(entry, "submitted"))
    found = reviewed(result)[0]["findings"]
    assert {finding["check"] for finding in found} == {
        "personal_items",
        "signed",
        "submitted",
        "published",
        "obligation",
    }
    for finding in found:
        assert (finding["organisation"], finding["level"], finding["holder"]) == ("a", UNIT, HOLDERS[UNIT])
        assert finding["message"]


# --------------------------------------------------------------------------
# obligations
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("recorded", "short"), [(0, True), (1, True), (2, False), (3, False)])
def test_unit_secretary_hears_two_reports(write_org: WriteOrg, assess: Assess, recorded: int, short: bool) -> None:
    result = one_list(write_org, assess, duty_list(UNIT, {"reports_heard": recorded}))
    found = findings(result)
    assert ("obligation:reports_heard" in found) is short
    (line,) = [line for line in reviewed(result)[0]["obligations"] if line["key"] == "reports_heard"]
    assert (line["required"], line["recorded"], line["met"], line["item"]) == ("≥ 2", recorded, not short, 1)
    if short:
        assert found["obligation:reports_heard"]["required"] == "≥ 2"
        assert found["obligation:reports_heard"]["recorded"] == recorded


OBLIGATION_CASES = [
    (level, key, minimum)
    for level, table in SPEC_OBLIGATIONS.items()
    for key, (minimum, _max, _item) in table.items()
    if key != "contact_points"
]


@pytest.mark.parametrize(("level", "key", "minimum"), OBLIGATION_CASES)
def test_each_obligation_at_its_boundary(
    write_org: WriteOrg, assess: Assess, level: str, key: str, minimum: int
) -> None:
    write_org("a", duty_lists=[duty_list(level, {key: minimum - 1}), duty_list(level, {key: minimum})])
    result = assess()
    short = findings(result, index=0)
    assert set(short) == {f"obligation:{key}"}
    assert (short[f"obligation:{key}"]["required"], short[f"obligation:{key}"]["recorded"]) == (
        f"≥ {minimum}",
        minimum - 1,
    )
    assert findings(result, index=1) == {}


@pytest.mark.parametrize(("recorded", "finding"), [(0, True), (1, False), (2, False), (3, True)])
def test_organ_secretary_contact_points_one_or_two(
    write_org: WriteOrg, assess: Assess, recorded: int, finding: bool
) -> None:
    result = one_list(write_org, assess, duty_list(ORGAN, {"contact_points": recorded}))
    found = findings(result)
    assert ("obligation:contact_points" in found) is finding
    if finding:
        assert found["obligation:contact_points"]["required"] == "1..2"
        assert found["obligation:contact_points"]["recorded"] == recorded
        assert ("超出" in found["obligation:contact_points"]["message"]) is (recorded == 3)


def test_a_missing_count_is_a_shortfall_recorded_as_nothing(write_org: WriteOrg, assess: Assess) -> None:
    entry = duty_list(BRANCH)
    entry["obligations"] = {"reports_to_committee": 1}
    result = one_list(write_org, assess, entry)
    assert not result.failed
    assert set(findings(result)) == {"obligation:heart_to_heart"}
    assert findings(result)["obligation:heart_to_heart"]["recorded"] is None


@pytest.mark.parametrize(
    ("party_staff", "organ_staff", "met", "shown"),
    [
        (2, 100, True, "2/100 = 2%"),
        (3, 150, True, "3/150 = 2%"),
        (1, 50, True, "1/50 = 2%"),
        (3, 149, True, "3/149 = 2.01%"),
        (1, 51, False, "1/51 = 1.96%"),
        (199, 10000, False, "199/10000 = 1.99%"),
        (1999, 100000, False, "1999/100000 = 1.99%"),
        (0, 40, False, "0/40 = 0%"),
    ],
)
def test_party_staff_ratio_two_percent(
    write_org: WriteOrg, assess: Assess, party_staff: int, organ_staff: int, met: bool, shown: str
) -> None:
    counts = {"party_staff": party_staff, "organ_staff": organ_staff}
    result = one_list(write_org, assess, duty_list(UNIT, counts))
    (line,) = [line for line in reviewed(result)[0]["obligations"] if line["key"] == "party_staff_ratio"]
    assert (line["met"], line["recorded"], line["required"], line["item"]) == (met, shown, "≥ 2%", 9)
    found = findings(result)
    assert ("staff_ratio:party_staff_ratio" in found) is not met
    if not met:
        assert found["staff_ratio:party_staff_ratio"]["recorded"] == shown


@pytest.mark.parametrize("organ_staff", [0, None])
def test_no_organ_staff_is_a_finding_not_a_division_error(
    write_org: WriteOrg, assess: Assess, organ_staff: int | None
) -> None:
    entry = duty_list(UNIT)
    entry["obligations"]["organ_staff"] = organ_staff
    entry["obligations"] = {key: value for key, value in entry["obligations"].items() if value is not None}
    result = one_list(write_org, assess, entry)
    assert not result.failed
    finding = findings(result)["staff_ratio:party_staff_ratio"]
    assert finding["recorded"] is None
    assert "organ_staff" in finding["message"]


# --------------------------------------------------------------------------
# feeding the norms star
# --------------------------------------------------------------------------


def norms_line(result: RunResult, item_id: str) -> tuple[Decimal, str]:
    line = result.ledgers["a"].items[item_id]
    fact = line.item.facts[0].name
    return line.points, organisation(result).sources[f"norms.{fact}"]


def three_lists(**changes: dict[str, Any]) -> list[dict[str, Any]]:
    """One complete list per level; ``changes[level]`` edits that level's list."""
    lists = []
    for level in (UNIT, ORGAN, BRANCH):
        entry = duty_list(level)
        edit = changes.get(level, {})
        entry["obligations"].update(edit.pop("obligations", {}))
        entry.update(edit)
        lists.append(entry)
    return lists


def test_complete_lists_earn_both_norms_items(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", duty_lists=three_lists())
    result = assess()
    assert norms_line(result, "norms.personal_lists") == (D(2), SOURCE)
    assert norms_line(result, "norms.lists_fulfilled") == (D(2), SOURCE)


@pytest.mark.parametrize(
    "change",
    [
        {"signed": False},
        {"published": False},
        {"submitted": dt.date(2020, 4, 1)},
        {"personal_items": ["只有一项"]},
    ],
)
@pytest.mark.parametrize("level", [UNIT, ORGAN, BRANCH])
def test_one_list_not_drawn_up_properly_loses_personal_lists(
    write_org: WriteOrg, assess: Assess, level: str, change: dict[str, Any]
) -> None:
    write_org("a", duty_lists=three_lists(**{level: dict(change)}))
    result = assess()
    assert norms_line(result, "norms.personal_lists") == (D(0), SOURCE)
    assert norms_line(result, "norms.lists_fulfilled") == (D(2), SOURCE)


@pytest.mark.parametrize(
    ("level", "counts"),
    [
        (UNIT, {"inspections": 1}),
        (UNIT, {"party_staff": 1, "organ_staff": 51}),
        (ORGAN, {"contact_points": 3}),
        (BRANCH, {"heart_to_heart": 0}),
    ],
)
def test_one_shortfall_loses_lists_fulfilled(
    write_org: WriteOrg, assess: Assess, level: str, counts: dict[str, int]
) -> None:
    write_org("a", duty_lists=three_lists(**{level: {"obligations": counts}}))
    result = assess()
    assert norms_line(result, "norms.lists_fulfilled") == (D(0), SOURCE)
    assert norms_line(result, "norms.personal_lists") == (D(2), SOURCE)


def test_derived_norms_facts_win_over_claims_with_a_conflict(write_org: WriteOrg, assess: Assess) -> None:
    lists = three_lists(**{UNIT: {"signed": False, "obligations": {"reports_heard": 0}}})
    write_org("a", duty_lists=lists, norms={"personal_lists_published": True})
    result = assess()
    assert norms_line(result, "norms.personal_lists") == (D(0), SOURCE)
    assert norms_line(result, "norms.lists_fulfilled") == (D(0), SOURCE)
    (conflict,) = result.ledgers["a"].organisation.conflicts
    assert (conflict.fact, conflict.claimed, conflict.used, conflict.source) == (
        "norms.personal_lists_published",
        True,
        False,
        SOURCE,
    )

    write_org("a", duty_lists=three_lists(), norms={"lists_fulfilled": True})
    result = assess()
    assert norms_line(result, "norms.lists_fulfilled") == (D(2), SOURCE)
    assert result.ledgers["a"].organisation.conflicts == []


@pytest.mark.parametrize("level", [UNIT, ORGAN, BRANCH])
def test_a_level_without_a_list_makes_the_derived_facts_false(write_org: WriteOrg, assess: Assess, level: str) -> None:
    """Only two of the three secretaries drew up a list: neither 2-point item is earned, and the missing level is
    named."""
    lists = [entry for entry in three_lists() if entry["level"] != level]
    write_org("a", duty_lists=lists)
    result = assess()
    assert norms_line(result, "norms.personal_lists")[0] == D(0)
    assert norms_line(result, "norms.lists_fulfilled")[0] == D(0)
    (warning,) = [problem for problem in result.ledgers["a"].organisation.warnings if problem.table == "duty_lists"]
    assert warning.key == "level"
    assert level in str(warning)


def test_without_duty_lists_nothing_is_derived(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", learning={"thought_analyses": 2})
    result = assess()
    assert norms_line(result, "norms.personal_lists") == (D(0), "default")
    assert norms_line(result, "norms.lists_fulfilled") == (D(0), "default")
    assert "duty_lists" not in organisation(result).extras
    assert "duty_lists" not in result_document(result)["organisations"][0]


def test_run_json_shows_findings_and_sources(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", duty_lists=three_lists(**{ORGAN: {"obligations": {"reports_to_committee": 1}}}))
    document = json.loads(json.dumps(result_document(assess())))
    (org,) = document["organisations"]
    assert [entry["status"] for entry in org["duty_lists"]] == ["complete", "findings", "complete"]
    (finding,) = org["duty_lists"][1]["findings"]
    assert finding == {
        "organisation": "a",
        "level": ORGAN,
        "holder": HOLDERS[ORGAN],
        "check": "obligation",
        "key": "reports_to_committee",
        "message": finding["message"],
        "required": "≥ 2",
        "recorded": 1,
    }
    items = org["sections"]["norms"]["items"]
    assert items["norms.lists_fulfilled"]["sources"] == {"lists_fulfilled": SOURCE}
    assert items["norms.lists_fulfilled"]["points"] == 0
    assert items["norms.personal_lists"]["sources"] == {"personal_lists_published": SOURCE}
    assert items["norms.personal_lists"]["points"] == 2


# --------------------------------------------------------------------------
# validation: malformed lists fail the organisation
# --------------------------------------------------------------------------

MALFORMED = [
    ({"level": "town_secretary"}, "level", '"town_secretary"'),
    ({"holder": "  "}, "holder", '"  "'),
    ({"holder": 7}, "holder", "7"),
    ({"signed": "yes"}, "signed", '"yes"'),
    ({"published": 1}, "published", "1"),
    ({"submitted": "2020-13-45"}, "submitted", '"2020-13-45"'),
    ({"submitted": toml_literal("2020-03-27T10:00:00")}, "submitted", "2020-03-27 10:00:00"),
    ({"personal_items": "两项"}, "personal_items", '"两项"'),
    ({"personal_items": ["一项", ""]}, "personal_items[1]", '""'),
    ({"personal_items": ["一项", 2]}, "personal_items[1]", "2"),
    ({"obligations": 3}, "obligations", "3"),
    ({"obligations": {"reports_to_committee": -1}}, "obligations.reports_to_committee", "-1"),
    ({"obligations": {"reports_to_committee": toml_literal("1.5")}}, "obligations.reports_to_committee", "1.5"),
    ({"obligations": {"reports_to_committee": True}}, "obligations.reports_to_committee", "true"),
    ({"obligations": {"reports_to_committee": "2"}}, "obligations.reports_to_committee", '"2"'),
    ({"obligations": {"reports_heard": 2}}, "obligations.reports_heard", "unknown key reports_heard"),
    ({"signature": True}, "signature", "unknown key signature"),
]


@pytest.mark.parametrize(("change", "key", "found"), MALFORMED)
def test_malformed_list_fails_validation_with_a_clear_error(
    write_org: WriteOrg, assess: Assess, change: dict[str, Any], key: str, found: str
) -> None:
    entry = duty_list(BRANCH)
    if "obligations" in change and isinstance(change["obligations"], dict):
        entry["obligations"].update(change["obligations"])
    else:
        entry.update(change)
    path = write_org("a", duty_lists=[duty_list(UNIT), entry])
    result = assess()
    failed = organisation(result)
    assert result.failed == [failed]
    assert "a" not in result.ledgers
    (problem,) = failed.errors
    assert (problem.file, problem.table, problem.key, problem.found) == (str(path), "duty_lists[1]", key, found)
    assert problem.expected
    assert failed.derived == {}
    assert "duty_lists" not in failed.extras


@pytest.mark.parametrize("missing", ["level", "holder"])
def test_level_and_holder_are_required(write_org: WriteOrg, assess: Assess, missing: str) -> None:
    result = one_list(write_org, assess, without(duty_list(ORGAN), missing))
    (problem,) = organisation(result).errors
    assert (problem.table, problem.key, problem.found) == ("duty_lists[0]", missing, "nothing")


def test_unknown_obligation_names_the_levels_keys(write_org: WriteOrg, assess: Assess) -> None:
    result = one_list(write_org, assess, duty_list(BRANCH, {"contact_points": 1}))
    (problem,) = organisation(result).errors
    assert problem.key == "obligations.contact_points"
    assert "reports_to_committee" in problem.expected and "heart_to_heart" in problem.expected


@pytest.mark.parametrize("value", [{"level": UNIT}, "lists", [3]])
def test_duty_lists_must_be_an_array_of_tables(write_org: WriteOrg, assess: Assess, value: Any) -> None:
    write_org("a", duty_lists=value)
    result = assess()
    (problem,) = organisation(result).errors
    assert problem.table in ("duty_lists", "duty_lists[0]")
    assert "table" in problem.expected


def test_duty_lists_table_is_not_reported_unknown(write_org: WriteOrg, assess: Assess) -> None:
    result = one_list(write_org, assess, duty_list(UNIT))
    assert not any(problem.table == "duty_lists" and not problem.key for problem in organisation(result).problems)


# --------------------------------------------------------------------------
# assess duties
# --------------------------------------------------------------------------


def test_assess_duties_table_and_json(write_org: WriteOrg, write_config: Callable[..., Path]) -> None:
    write_org("a", duty_lists=three_lists())
    write_org("b", duty_lists=three_lists(**{UNIT: {"signed": False, "obligations": {"party_staff": 1}}}))
    config = write_config()

    table = CliRunner().invoke(main, ["duties", str(config)])
    assert table.exit_code == 1, table.output
    assert "测试单位a（a）：完整" in table.output
    assert "测试单位b（b）：有问题" in table.output
    assert "未经本人签名" in table.output
    assert "1/100 = 1%" in table.output
    assert "要求" in table.output and "实际" in table.output and "达标" in table.output

    as_json = CliRunner().invoke(main, ["duties", str(config), "--format", "json"])
    assert as_json.exit_code == 1
    document = json.loads(as_json.output)
    statuses = {org["id"]: org["status"] for org in document["organisations"]}
    assert statuses == {"a": "complete", "b": "findings"}
    b_unit = next(org for org in document["organisations"] if org["id"] == "b")["duty_lists"][0]
    assert {finding["check"] for finding in b_unit["findings"]} == {"signed", "staff_ratio"}
    ratio = next(line for line in b_unit["obligations"] if line["key"] == "party_staff_ratio")
    assert (ratio["required"], ratio["recorded"], ratio["met"]) == ("≥ 2%", "1/100 = 1%", False)
    assert document["summary"] == {"organisations": 2, "failed": 0, "lists": 6, "complete": 5, "with_findings": 1}


def test_assess_duties_exits_0_when_every_list_is_complete(
    write_org: WriteOrg, write_config: Callable[..., Path]
) -> None:
    write_org("a", duty_lists=three_lists())
    write_org("c", learning={"thought_analyses": 2})
    result = CliRunner().invoke(main, ["duties", str(write_config()), "--format", "json"])
    assert result.exit_code == 0, result.output
    statuses = {org["id"]: org["status"] for org in json.loads(result.output)["organisations"]}
    assert statuses == {"a": "complete", "c": "no_lists"}


def test_assess_duties_exits_1_for_a_failed_organisation(
    write_org: WriteOrg, write_config: Callable[..., Path]
) -> None:
    write_org("a", duty_lists=three_lists())
    write_org("b", duty_lists=[duty_list(UNIT, signed="yes")])
    config = write_config()
    result = CliRunner().invoke(main, ["duties", str(config)])
    assert result.exit_code == 1
    assert "测试单位b（b）：未通过校验" in result.output
    assert "duty_lists[0]" in result.output and "signed" in result.output
    document = json.loads(CliRunner().invoke(main, ["duties", str(config), "--format", "json"]).output)
    failed = next(org for org in document["organisations"] if org["id"] == "b")
    assert failed["status"] == "failed"
    assert failed["errors"][0]["key"] == "signed"


def test_assess_duties_exits_2_for_a_bad_config(tmp_path: Path, write_config: Callable[..., Path]) -> None:
    missing = CliRunner().invoke(main, ["duties", str(tmp_path / "nowhere.toml")])
    assert missing.exit_code == 2
    blocked = CliRunner().invoke(main, ["duties", str(write_config(plugins={"disable": ["duties"]}))])
    assert blocked.exit_code == 2
    assert "duties" in blocked.output


# --------------------------------------------------------------------------
# independence of the plugins
# --------------------------------------------------------------------------


def imported_modules(package: Path) -> set[str]:
    names: set[str] = set()
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
    return names


def test_duties_and_norms_do_not_import_each_other() -> None:
    assert not any(name.startswith("fivestar.plugins.norms") for name in imported_modules(ROOT / "plugins" / "duties"))
    assert not any(name.startswith("fivestar.plugins.duties") for name in imported_modules(ROOT / "plugins" / "norms"))
