"""加分项目 (bonus, capped at 10): rules-2020.md, section "bonus"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fivestar.pipeline import RunResult
from fivestar.plugins.bonus import per_project
from fivestar.rules import PLAIN
from samples import toml_literal

Assess = Callable[..., RunResult]
WriteOrg = Callable[..., Path]

IN_WINDOW = dt.date(2020, 6, 1)


def commendation(project: str, level: str, date: dt.date = IN_WINDOW) -> dict[str, Any]:
    return {"project": project, "level": level, "date": date, "document": f"{project}表彰文件"}


def recognition(project: str, level: str, form: str, date: dt.date = IN_WINDOW) -> dict[str, Any]:
    return {"project": project, "level": level, "form": form, "date": date}


def line_of(result: RunResult, item_id: str, org_id: str = "a") -> Any:
    return result.ledgers[org_id].items[item_id]


def points(result: RunResult, item_id: str, org_id: str = "a") -> Decimal:
    return line_of(result, item_id, org_id).points


def problems_of(result: RunResult, org_id: str = "a") -> list[Any]:
    return next(organisation for organisation in result.organisations if organisation.id == org_id).problems


# --------------------------------------------------------------------------
# the window
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (dt.date(2019, 12, 15), "0"),
        (dt.date(2019, 12, 16), "3"),  # first day
        (dt.date(2020, 12, 15), "3"),  # last day
        (dt.date(2020, 12, 16), "0"),
    ],
)
def test_commendation_window(write_org: WriteOrg, assess: Assess, date: dt.date, expected: str) -> None:
    write_org("a", bonus={"commendations": [commendation("党建品牌", "central", date)]})
    line = line_of(assess(), "bonus.commendations")
    assert line.points == Decimal(expected)
    assert ("窗口外" in line.basis) is (expected == "0")


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (dt.date(2019, 12, 15), "0"),
        (dt.date(2019, 12, 16), "2"),
        (dt.date(2020, 12, 15), "2"),
        (dt.date(2020, 12, 16), "0"),
    ],
)
def test_recognition_window(write_org: WriteOrg, assess: Assess, date: dt.date, expected: str) -> None:
    write_org("a", bonus={"recognitions": [recognition("经验", "provincial", "instruction", date)]})
    line = line_of(assess(), "bonus.innovation_recognition")
    assert line.points == Decimal(expected)
    assert ("窗口外" in line.basis) is (expected == "0")


def test_window_follows_the_run_year(write_org: WriteOrg, assess: Assess) -> None:
    write_org(
        "a",
        bonus={
            "commendations": [
                commendation("A", "municipal", dt.date(2020, 12, 16)),
                commendation("B", "provincial", dt.date(2021, 12, 15)),
                commendation("C", "central", dt.date(2020, 12, 15)),
            ]
        },
    )
    assert points(assess(assessment={"year": 2021}), "bonus.commendations") == Decimal(3)


def test_outside_window_is_a_warning_not_an_error(write_org: WriteOrg, assess: Assess) -> None:
    write_org(
        "a",
        bonus={
            "commendations": [commendation("A", "municipal"), commendation("B", "central", dt.date(2020, 12, 16))],
            "recognitions": [recognition("C", "national", "meeting", dt.date(2019, 12, 1))],
        },
    )
    result = assess()
    assert result.failed == []
    outside = [problem for problem in problems_of(result) if "窗口外" in problem.message]
    assert [(problem.severity, problem.table, problem.key, problem.found) for problem in outside] == [
        ("warning", "bonus", "commendations[1].date", "2020-12-16"),
        ("warning", "bonus", "recognitions[0].date", "2019-12-01"),
    ]
    assert points(result, "bonus.commendations") == Decimal(1)


def test_no_warning_inside_the_window(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", bonus={"commendations": [commendation("A", "municipal", dt.date(2019, 12, 16))]})
    assert not [problem for problem in problems_of(assess()) if "窗口外" in problem.message]


# --------------------------------------------------------------------------
# bonus.commendations
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("level", "expected"), [("central", "3"), ("provincial", "2"), ("municipal", "1")])
def test_commendation_levels(write_org: WriteOrg, assess: Assess, level: str, expected: str) -> None:
    write_org("a", bonus={"commendations": [commendation("A", level)]})
    assert points(assess(), "bonus.commendations") == Decimal(expected)


def test_same_project_at_two_levels_counts_the_highest(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", bonus={"commendations": [commendation("A", "municipal"), commendation("A", "provincial")]})
    result = assess()
    assert points(result, "bonus.commendations") == Decimal(2)
    assert "highest per project: A 2 = 2" in line_of(result, "bonus.commendations").basis


def test_same_project_ignores_recognition_same_project(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", bonus={"commendations": [commendation("A", "municipal"), commendation("A", "provincial")]})
    assert points(assess(policy={"recognition_same_project": "sum"}), "bonus.commendations") == Decimal(2)


def test_distinct_projects_add_up(write_org: WriteOrg, assess: Assess) -> None:
    write_org(
        "a",
        bonus={
            "commendations": [
                commendation("A", "municipal"),
                commendation("B", "provincial"),
                commendation("A", "central"),
            ]
        },
    )
    assert points(assess(), "bonus.commendations") == Decimal(5)


def test_outside_entry_does_not_raise_a_project(write_org: WriteOrg, assess: Assess) -> None:
    write_org(
        "a",
        bonus={
            "commendations": [
                commendation("A", "central", dt.date(2019, 12, 15)),
                commendation("A", "municipal"),
            ]
        },
    )
    assert points(assess(), "bonus.commendations") == Decimal(1)


def test_no_commendations(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", bonus={"new_stations": 1})
    assert points(assess(), "bonus.commendations") == Decimal(0)


def test_commendation_needs_its_document(write_org: WriteOrg, assess: Assess) -> None:
    entry = commendation("A", "central")
    del entry["document"]
    write_org("a", bonus={"commendations": [entry]})
    result = assess()
    assert [organisation.id for organisation in result.failed] == ["a"]
    assert any(problem.key == "commendations[0].document" for problem in result.failed[0].errors)


def test_commendation_level_must_be_known(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", bonus={"commendations": [commendation("A", "national")]})
    assert [organisation.id for organisation in assess().failed] == ["a"]


# --------------------------------------------------------------------------
# bonus.innovation_recognition
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "form", "expected"),
    [
        ("national", "commendation", "3"),
        ("national", "instruction", "3"),
        ("provincial", "commendation", "2"),
        ("municipal", "instruction", "1"),
        ("provincial", "meeting", "1"),
        ("national", "publication", "1.5"),
        ("national", "meeting", "1.5"),
        ("municipal", "publication", "0.5"),
    ],
)
def test_recognition_points(write_org: WriteOrg, assess: Assess, level: str, form: str, expected: str) -> None:
    write_org("a", bonus={"recognitions": [recognition("A", level, form)]})
    assert points(assess(), "bonus.innovation_recognition") == Decimal(expected)


def test_halving_is_shown(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", bonus={"recognitions": [recognition("A", "national", "publication")]})
    assert "3 ÷ 2 = 1.5" in line_of(assess(), "bonus.innovation_recognition").basis


def test_recognition_same_project_highest_by_default(write_org: WriteOrg, assess: Assess) -> None:
    write_org(
        "a",
        bonus={
            "recognitions": [
                recognition("A", "provincial", "commendation"),
                recognition("A", "national", "publication"),
                recognition("B", "municipal", "meeting"),
            ]
        },
    )
    assert points(assess(), "bonus.innovation_recognition") == Decimal("2.5")  # A: max(2, 1.5) + B: 0.5


def test_recognition_same_project_sum(write_org: WriteOrg, assess: Assess) -> None:
    write_org(
        "a",
        bonus={
            "recognitions": [
                recognition("A", "provincial", "commendation"),
                recognition("A", "national", "publication"),
                recognition("A", "municipal", "instruction", dt.date(2020, 12, 16)),
                recognition("B", "municipal", "meeting"),
            ]
        },
    )
    result = assess(policy={"recognition_same_project": "sum"})
    assert points(result, "bonus.innovation_recognition") == Decimal(4)  # A: 2 + 1.5 (third outside) + B: 0.5
    assert "sum per project" in line_of(result, "bonus.innovation_recognition").basis


def test_recognition_form_must_be_known(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", bonus={"recognitions": [recognition("A", "national", "speech")]})
    assert [organisation.id for organisation in assess().failed] == ["a"]


# --------------------------------------------------------------------------
# new_sites, showcase, inspection, previous_award
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stations", "demo_sites", "pioneers", "expected"),
    [(0, 0, 0, "0"), (1, 0, 0, "1"), (0, 1, 0, "1"), (0, 0, 1, "1"), (1, 2, 3, "6")],
)
def test_new_sites(
    write_org: WriteOrg, assess: Assess, stations: int, demo_sites: int, pioneers: int, expected: str
) -> None:
    write_org(
        "a",
        bonus={"new_stations": stations, "new_demo_sites": demo_sites, "pioneer_branches_named": pioneers},
    )
    assert points(assess(), "bonus.new_sites") == Decimal(expected)


def test_new_sites_refuses_negative_counts(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", bonus={"new_stations": -1})
    assert [organisation.id for organisation in assess().failed] == ["a"]


def test_showcase_sum(write_org: WriteOrg, assess: Assess) -> None:
    write_org(
        "a",
        bonus={
            "showcase": [
                {"name": "晒比一", "points": toml_literal("1.5")},
                {"name": "晒比二", "points": toml_literal("0.3")},
            ]
        },
    )
    result = assess()
    assert points(result, "bonus.showcase") == Decimal("1.8")
    assert line_of(result, "bonus.showcase").basis == "晒比一 1.5 + 晒比二 0.3 = 1.8；未经核实：bonus.showcase"


def test_showcase_empty_and_zero(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", bonus={"showcase": [{"name": "晒比一", "points": 0}]})
    write_org("b", bonus={"new_stations": 1})
    result = assess()
    assert points(result, "bonus.showcase") == Decimal(0)
    assert points(result, "bonus.showcase", "b") == Decimal(0)


def test_showcase_refuses_negative_points(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", bonus={"showcase": [{"name": "晒比一", "points": toml_literal("-0.5")}]})
    assert [organisation.id for organisation in assess().failed] == ["a"]


@pytest.mark.parametrize(("grade", "expected"), [("excellent", "2"), ("good", "1"), ("other", "0")])
def test_inspection(write_org: WriteOrg, assess: Assess, grade: str, expected: str) -> None:
    write_org("a", bonus={"inspection_grade": grade})
    assert points(assess(), "bonus.inspection") == Decimal(expected)


def test_inspection_missing_is_other(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", bonus={"new_stations": 1})
    assert points(assess(), "bonus.inspection") == Decimal(0)


@pytest.mark.parametrize(("value", "expected"), [(True, "1"), (False, "0")])
def test_previous_award(write_org: WriteOrg, assess: Assess, value: bool, expected: str) -> None:
    write_org("a", bonus={"previous_award": value})
    assert points(assess(), "bonus.previous_award") == Decimal(expected)


def test_bonus_items_have_no_fixed_points(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", bonus={"new_stations": 1})
    section = assess().ledgers["a"].sections["bonus"]
    assert all(line.item.points is None for line in section.items.values())
    assert len(section.items) == 6


# --------------------------------------------------------------------------
# the cap
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("stations", "claimed", "score"), [(7, "10", "10"), (8, "11", "10"), (10, "13", "10")])
def test_cap(write_org: WriteOrg, assess: Assess, stations: int, claimed: str, score: str) -> None:
    # stations + inspection 2 + previous award 1
    write_org("a", bonus={"new_stations": stations, "inspection_grade": "excellent", "previous_award": True})
    section = assess().ledgers["a"].sections["bonus"]
    assert section.claimed == Decimal(claimed)
    assert section.score == Decimal(score)
    assert section.max == Decimal(10)
    assert section.cut == Decimal(claimed) - Decimal(score)


def test_cap_across_items(write_org: WriteOrg, assess: Assess) -> None:
    write_org(
        "a",
        bonus={
            "commendations": [commendation("A", "central")],
            "recognitions": [recognition("B", "national", "publication")],
            "new_stations": 2,
            "new_demo_sites": 1,
            "pioneer_branches_named": 1,
            "showcase": [{"name": "晒比", "points": toml_literal("1.5")}],
            "inspection_grade": "excellent",
            "previous_award": True,
        },
    )
    section = assess().ledgers["a"].sections["bonus"]
    assert section.claimed == Decimal(13)  # 3 + 1.5 + 4 + 1.5 + 2 + 1
    assert section.score == Decimal(10)


def test_below_the_cap(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", bonus={"new_stations": 2, "showcase": [{"name": "晒比", "points": toml_literal("0.5")}]})
    section = assess().ledgers["a"].sections["bonus"]
    assert section.claimed == section.score == Decimal("2.5")


# --------------------------------------------------------------------------
# falsification: −2 × what the item claimed
# --------------------------------------------------------------------------


def test_falsified_bonus_item_scores_minus_twice_its_claim(write_org: WriteOrg, assess: Assess) -> None:
    write_org(
        "a",
        bonus={"commendations": [commendation("A", "provincial")], "new_stations": 3},
        review={"falsified": ["bonus.commendations"]},
    )
    result = assess()
    line = line_of(result, "bonus.commendations")
    assert line.status == "falsified"
    assert line.points == Decimal(-4)
    section = result.ledgers["a"].sections["bonus"]
    assert section.claimed == section.score == Decimal(-1)


def test_falsified_halved_recognition(write_org: WriteOrg, assess: Assess) -> None:
    write_org(
        "a",
        bonus={"recognitions": [recognition("A", "national", "meeting")]},
        review={"falsified": ["bonus.innovation_recognition"]},
    )
    assert points(assess(), "bonus.innovation_recognition") == Decimal(-3)


@pytest.mark.parametrize(
    ("policy", "score"),
    [
        ({}, Decimal(6)),  # after-cap (default): min(12, 10) − 2×2
        ({"falsified_bonus": "after-cap"}, Decimal(6)),
        ({"falsified_bonus": "before-cap"}, Decimal(8)),  # min(12 − 2×2, 10)
    ],
)
def test_falsification_is_not_swallowed_by_the_bonus_cap(
    write_org: WriteOrg, assess: Assess, policy: dict[str, str], score: Decimal
) -> None:
    """A bonus claiming 14 (a provincial commendation 2 + 12 new stations) whose commendation is found falsified."""
    write_org(
        "a",
        bonus={"commendations": [commendation("A", "provincial")], "new_stations": 12},
        review={"falsified": ["bonus.commendations"]},
    )
    section = assess(policy=policy).ledgers["a"].sections["bonus"]
    assert section.claimed == Decimal(8)  # 12 − 4
    assert section.score == score


@pytest.mark.parametrize("policy", ["after-cap", "before-cap"])
def test_under_the_cap_both_falsified_bonus_policies_agree(write_org: WriteOrg, assess: Assess, policy: str) -> None:
    write_org(
        "a",
        bonus={"commendations": [commendation("A", "provincial")], "new_stations": 9},
        review={"falsified": ["bonus.commendations"]},
    )
    assert assess(policy={"falsified_bonus": policy}).ledgers["a"].sections["bonus"].score == Decimal(5)  # 9 − 4


def test_falsified_bonus_with_policy_zero(write_org: WriteOrg, assess: Assess) -> None:
    write_org(
        "a", bonus={"commendations": [commendation("A", "central")]}, review={"falsified": ["bonus.commendations"]}
    )
    assert points(assess(policy={"falsification": "zero"}), "bonus.commendations") == Decimal(0)


@pytest.mark.parametrize(("written", "expected"), [("2019-12-16", Decimal(2)), ("2019-12-15", Decimal(0))])
def test_a_quoted_iso_date_counts_like_a_toml_date(
    write_org: WriteOrg, assess: Assess, written: str, expected: Decimal
) -> None:
    entry = {"project": "红色引擎", "level": "provincial", "date": written, "document": "浙委发〔2020〕1号"}
    write_org("a", bonus={"commendations": [entry]})
    assert points(assess(), "bonus.commendations") == expected


def test_per_project_keeps_the_first_highest_entry_and_every_exponent() -> None:
    """Per project the very decimal of the first highest entry met, or the
    sum from zero in the entries' order (its exponent too: 1.50 is not
    written 1.5), a project's name stripped, the window's ends included."""
    context: Any = SimpleNamespace(run=SimpleNamespace(year=2020))
    first, last, before = dt.date(2019, 12, 16), dt.date(2020, 12, 15), dt.date(2019, 12, 15)
    entries = [
        {"project": "A", "date": first, "points": Decimal("1.50")},
        {"project": " A ", "date": IN_WINDOW, "points": Decimal("1.5")},
        {"project": "A", "date": last, "points": Decimal("1.0")},
        {"project": "红色 引擎", "date": before, "points": Decimal("9")},
        {"project": "红色 引擎 ", "date": last, "points": Decimal("0.50")},
    ]

    def scored(entries: list[dict[str, Any]], highest: bool) -> tuple[str, str]:
        raw, basis = per_project(
            entries, context, lambda entry: (entry["points"], ""), lambda entry, words: "", highest
        )
        return str(raw), basis(PLAIN)

    raw, basis = scored(entries, highest=True)
    assert raw == "2.00"
    assert basis.endswith("highest per project: A 1.5 + 红色 引擎 0.5 = 2")
    assert scored([entries[1], entries[0]], highest=True)[0] == "1.5"
    assert scored([entries[0], entries[1]], highest=True)[0] == "1.50"
    raw, basis = scored(entries, highest=False)
    assert raw == "4.50"  # A: 0 + 1.50 + 1.5 + 1.0 = 4.00, 红色 引擎: 0.50 (9 is outside)
    assert basis.endswith("sum per project: A 4 + 红色 引擎 0.5 = 4.5")
    raw, basis = scored(entries[3:4], highest=False)
    assert raw == "0"
    assert basis.endswith(f"{before} → 0（outside window 窗口外 {first}..{last}）；sum per project: 0 = 0")
