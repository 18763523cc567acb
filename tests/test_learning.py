"""学习星 (learning, 25 points) through the real pipeline, written from
rules-2020.md ("learning" and "What stands outside the sections"). What every
section shares (flags, totals, heavy items, explain) is in test_sections_common.py."""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fivestar.model import InputError, Ledger
from fivestar.pipeline import RunResult
from fivestar.registry import RegistryError
from fivestar.report import RenderOptions, joined, render_json
from samples import LEARNING, toml_literal

D = Decimal
WriteOrg = Callable[..., Path]
Assess = Callable[..., RunResult]

SPIRIT = "learning.heavy.spirit_not_conveyed"


def model(**changes: Any) -> dict[str, Any]:
    return {**LEARNING, **changes}


def learning_items(ledger: Ledger) -> dict[str, Any]:
    return {item_id: line for item_id, line in ledger.items.items() if line.item.section == "learning"}


def learning_score(ledger: Ledger) -> Decimal:
    return ledger.sections["learning"].score


def problems_of(result: RunResult, org_id: str, severity: str) -> list[Any]:
    organisation = next(organisation for organisation in result.organisations if organisation.id == org_id)
    return [problem for problem in organisation.problems if problem.severity == severity]


def score_facts(write_org: WriteOrg, assess: Assess, facts: dict[str, Any], **tables: Any) -> Ledger:
    write_org("a", learning=facts)
    result = assess(**tables)
    assert "a" in result.ledgers, [str(problem) for problem in result.organisations[0].errors]
    return result.ledgers["a"]


def clamp(value: Decimal, ceiling: Decimal) -> Decimal:
    return max(D(0), min(value, ceiling))


def spec_points(facts: dict[str, Any], study_hours_policy: str) -> dict[str, Decimal]:
    """The formulas of the rules-2020 table, written independently of the plugin."""
    if study_hours_policy == "hours-split":
        hours = D(sum(1 for name in ("member_hours_met", "leader_hours_met", "xuexi_promoted") if facts[name]))
    else:
        both = facts["member_hours_met"] and facts["leader_hours_met"]
        hours = (D(3) if both else D(0)) - (D(0) if facts["xuexi_promoted"] else D(1))
    return {
        "learning.political_priority": D(1) if facts["political_priority"] else D(0),
        "learning.initial_mission_system": D(1) if facts["initial_mission_system"] else D(0),
        "learning.party_regulations": D(2) if facts["party_regulations"] else D(0),
        "learning.conveyed": clamp(D("1.5") * facts["halfyear_reports"] - D("0.2") * facts["unimplemented"], D(3)),
        "learning.thought_analyses": min(D(facts["thought_analyses"]), D(2)),
        "learning.talks_visits": D(1) if facts["talks_visits"] else D(0),
        "learning.study_system": clamp(D(facts["quarterly_reports"]) - D("0.5") * facts["study_criticisms"], D(4)),
        "learning.study_hours": clamp(hours, D(3)),
        "learning.regular_training": D(2) if facts["regular_training"] else D(0),
        "learning.committee_training": clamp(D(6) - D("0.5") * facts["training_misses"], D(6)),
    }


# --------------------------------------------------------------------------
# The section and its items
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reports", "unimplemented", "expected"),
    [
        (0, 0, D(0)),
        (1, 0, D("1.5")),
        (2, 0, D(3)),
        (2, 1, D("2.8")),
        (1, 1, D("1.3")),
        (1, 7, D("0.1")),
        (1, 8, D(0)),
        (2, 15, D(0)),
        (2, 16, D(0)),
        (0, 3, D(0)),
    ],
)
def test_conveyed(write_org: WriteOrg, assess: Assess, reports: int, unimplemented: int, expected: Decimal) -> None:
    ledger = score_facts(write_org, assess, model(halfyear_reports=reports, unimplemented=unimplemented))
    assert ledger.items["learning.conveyed"].points == expected
    assert learning_score(ledger) == D(22) + expected


def test_conveyed_basis_shows_the_organisations_figures(write_org: WriteOrg, assess: Assess) -> None:
    ledger = score_facts(write_org, assess, model(halfyear_reports=2, unimplemented=1))
    assert "1.5×2 − 0.2×1 = 2.8" in ledger.items["learning.conveyed"].basis


def test_conveyed_floor_is_explained(write_org: WriteOrg, assess: Assess) -> None:
    ledger = score_facts(write_org, assess, model(halfyear_reports=0, unimplemented=3))
    line = ledger.items["learning.conveyed"]
    assert line.points == D(0)
    assert line.raw == D("-0.6")
    assert "0.2×3" in line.basis
    assert "−0.6" in line.basis
    assert "扣完为止" in line.basis


@pytest.mark.parametrize(("analyses", "expected"), [(0, D(0)), (1, D(1)), (2, D(2)), (3, D(2))])
def test_thought_analyses_capped_at_two(write_org: WriteOrg, assess: Assess, analyses: int, expected: Decimal) -> None:
    ledger = score_facts(write_org, assess, model(thought_analyses=analyses))
    assert ledger.items["learning.thought_analyses"].points == expected
    assert learning_score(ledger) == D(23) + expected


@pytest.mark.parametrize(
    ("reports", "criticisms", "expected"),
    [
        (0, 0, D(0)),
        (1, 0, D(1)),
        (2, 0, D(2)),
        (3, 0, D(3)),
        (4, 0, D(4)),
        (4, 1, D("3.5")),
        (3, 2, D(2)),
        (1, 2, D(0)),
        (1, 3, D(0)),
        (4, 8, D(0)),
        (4, 9, D(0)),
        (0, 1, D(0)),
    ],
)
def test_study_system(write_org: WriteOrg, assess: Assess, reports: int, criticisms: int, expected: Decimal) -> None:
    ledger = score_facts(write_org, assess, model(quarterly_reports=reports, study_criticisms=criticisms))
    assert ledger.items["learning.study_system"].points == expected
    assert learning_score(ledger) == D(21) + expected


def test_study_system_floor_is_explained(write_org: WriteOrg, assess: Assess) -> None:
    line = score_facts(write_org, assess, model(quarterly_reports=1, study_criticisms=3)).items["learning.study_system"]
    assert line.raw == D("-0.5")
    assert "0.5×3" in line.basis
    assert "扣完为止" in line.basis


@pytest.mark.parametrize(("member", "leader", "xuexi"), list(itertools.product([True, False], repeat=3)))
@pytest.mark.parametrize("policy", [{}, {"study_hours": "hours-split"}])
def test_study_hours_split(
    write_org: WriteOrg, assess: Assess, member: bool, leader: bool, xuexi: bool, policy: dict[str, str]
) -> None:
    facts = model(member_hours_met=member, leader_hours_met=leader, xuexi_promoted=xuexi)
    ledger = score_facts(write_org, assess, facts, policy=policy)
    assert ledger.items["learning.study_hours"].points == D(int(member) + int(leader) + int(xuexi))


@pytest.mark.parametrize(
    ("member", "leader", "xuexi", "expected"),
    [
        (True, True, True, D(3)),
        (True, True, False, D(2)),
        (True, False, True, D(0)),
        (False, True, True, D(0)),
        (False, False, True, D(0)),
        (True, False, False, D(0)),
        (False, True, False, D(0)),
        (False, False, False, D(0)),
    ],
)
def test_study_hours_all_or_nothing(
    write_org: WriteOrg, assess: Assess, member: bool, leader: bool, xuexi: bool, expected: Decimal
) -> None:
    facts = model(member_hours_met=member, leader_hours_met=leader, xuexi_promoted=xuexi)
    ledger = score_facts(write_org, assess, facts, policy={"study_hours": "all-or-nothing"})
    line = ledger.items["learning.study_hours"]
    assert line.points == expected
    assert learning_score(ledger) == D(22) + expected


def test_study_hours_all_or_nothing_floor_is_explained(write_org: WriteOrg, assess: Assess) -> None:
    facts = model(member_hours_met=True, leader_hours_met=False, xuexi_promoted=False)
    line = score_facts(write_org, assess, facts, policy={"study_hours": "all-or-nothing"}).items["learning.study_hours"]
    assert line.raw == D(-1)
    assert line.points == D(0)
    assert "扣完为止" in line.basis


def test_study_hours_policy_default_and_unknown_value(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", learning=LEARNING)
    assert assess().context.policies["study_hours"] == "hours-split"
    with pytest.raises(InputError) as raised:
        assess(policy={"study_hours": "half"})
    assert any(problem.key == "study_hours" for problem in raised.value.problems)


@pytest.mark.parametrize(
    ("misses", "expected"),
    [(0, D(6)), (1, D("5.5")), (2, D(5)), (11, D("0.5")), (12, D(0)), (13, D(0)), (40, D(0))],
)
def test_committee_training(write_org: WriteOrg, assess: Assess, misses: int, expected: Decimal) -> None:
    ledger = score_facts(write_org, assess, model(training_misses=misses))
    assert ledger.items["learning.committee_training"].points == expected
    assert learning_score(ledger) == D(19) + expected


def test_committee_training_floor_is_explained(write_org: WriteOrg, assess: Assess) -> None:
    line = score_facts(write_org, assess, model(training_misses=13)).items["learning.committee_training"]
    assert line.raw == D("-0.5")
    assert "0.5×13" in line.basis
    assert "扣完为止" in line.basis


@pytest.mark.parametrize("policy", ["hours-split", "all-or-nothing"])
def test_section_is_the_sum_of_its_items(write_org: WriteOrg, assess: Assess, policy: str) -> None:
    generator = random.Random(2020)
    cohort: dict[str, dict[str, Any]] = {}
    for index in range(40):
        facts = {
            name: generator.choice([True, False]) if isinstance(value, bool) else generator.randint(0, 5)
            for name, value in LEARNING.items()
        }
        facts["halfyear_reports"] = generator.randint(0, 2)
        facts["quarterly_reports"] = generator.randint(0, 4)
        facts["training_misses"] = generator.randint(0, 14)
        facts["unimplemented"] = generator.randint(0, 16)
        cohort[f"org{index:02d}"] = facts
        write_org(f"org{index:02d}", learning=facts)
    result = assess(policy={"study_hours": policy})
    assert not result.failed
    for org_id, facts in cohort.items():
        ledger = result.ledgers[org_id]
        expected = spec_points(facts, policy)
        assert {item_id: line.points for item_id, line in learning_items(ledger).items()} == expected, org_id
        section = ledger.sections["learning"]
        assert section.score == sum(expected.values(), D(0))
        assert D(0) <= section.score <= D(25)


# --------------------------------------------------------------------------
# Validation and missing facts
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fact", "value"),
    [
        ("halfyear_reports", 3),
        ("halfyear_reports", -1),
        ("quarterly_reports", 5),
        ("unimplemented", -1),
        ("study_criticisms", "2"),
        ("training_misses", True),
        ("thought_analyses", toml_literal("1.5")),
        ("political_priority", "yes"),
        ("xuexi_promoted", 1),
    ],
)
def test_a_bad_fact_is_a_validation_error(write_org: WriteOrg, assess: Assess, fact: str, value: Any) -> None:
    write_org("a", learning=model(**{fact: value}))
    write_org("b", learning=LEARNING)
    result = assess()
    assert [organisation.id for organisation in result.failed] == ["a"]
    errors = problems_of(result, "a", "error")
    assert any(problem.table == "learning" and problem.key == fact for problem in errors)
    assert learning_score(result.ledgers["b"]) == D(25)


def test_missing_facts_are_warnings_and_score_nothing(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a")
    result = assess()
    assert not problems_of(result, "a", "error")
    warned = {problem.key for problem in problems_of(result, "a", "warning") if problem.table == "learning"}
    assert warned == set(LEARNING)
    ledger = result.ledgers["a"]
    for item_id, line in learning_items(ledger).items():
        if item_id != "learning.committee_training":
            assert line.points == D(0), item_id
    # a missing count is read as 0 ("counts default to 0"): no miss recorded, so the deduction item stays whole
    assert ledger.items["learning.committee_training"].points == D(6)
    assert learning_score(ledger) == D(6)


def test_a_partly_missing_item_warns_only_for_what_is_missing(write_org: WriteOrg, assess: Assess) -> None:
    facts = dict(LEARNING)
    del facts["unimplemented"]
    del facts["regular_training"]
    write_org("a", learning=facts)
    result = assess()
    warned = {problem.key for problem in problems_of(result, "a", "warning") if problem.table == "learning"}
    assert warned == {"unimplemented", "regular_training"}
    ledger = result.ledgers["a"]
    assert ledger.items["learning.conveyed"].points == D(3)
    assert ledger.items["learning.regular_training"].points == D(0)
    assert learning_score(ledger) == D(23)


# --------------------------------------------------------------------------
# Heavy items (备注2)
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "expected"),
    [({}, D(5)), ({"heavy_default": 7}, D(7)), ({"heavy_default": 10}, D(10))],
)
def test_heavy_true_takes_the_policy_default(
    write_org: WriteOrg, assess: Assess, policy: dict[str, int], expected: Decimal
) -> None:
    write_org("a", learning=LEARNING, review={"heavy": {SPIRIT: True}})
    write_org("b", learning=LEARNING, review={"heavy": {SPIRIT: 8}})
    write_org("c", learning=LEARNING)
    result = assess(policy=policy)
    clean = result.ledgers["c"].total
    assert result.ledgers["a"].total == clean - expected
    assert result.ledgers["b"].total == clean - D(8)


@pytest.mark.parametrize("figure", [4, 11])
def test_heavy_default_outside_5_to_10_is_refused(write_org: WriteOrg, assess: Assess, figure: int) -> None:
    write_org("a", learning=LEARNING)
    with pytest.raises(InputError) as raised:
        assess(policy={"heavy_default": figure})
    assert any(problem.key == "heavy_default" for problem in raised.value.problems)


def test_two_heavy_items_add_up(write_org: WriteOrg, assess: Assess) -> None:
    heavy = {SPIRIT: 8, "learning.heavy.religion_or_rumours": True}
    write_org("a", learning=LEARNING, review={"heavy": heavy})
    write_org("b", learning=LEARNING)
    result = assess()
    assert result.ledgers["a"].heavy_points() == D(13)
    assert result.ledgers["a"].total == result.ledgers["b"].total - D(13)


@pytest.mark.parametrize("figure", [4, 11, "x", toml_literal("4.9"), toml_literal("10.1")])
def test_a_heavy_figure_outside_5_to_10_fails_only_that_organisation(
    write_org: WriteOrg, assess: Assess, figure: Any
) -> None:
    write_org("a", learning=LEARNING, review={"heavy": {SPIRIT: figure}})
    write_org("b", learning=LEARNING)
    result = assess()
    assert [organisation.id for organisation in result.failed] == ["a"]
    errors = problems_of(result, "a", "error")
    assert any(problem.file.endswith("a.toml") and problem.key == "points" for problem in errors)
    assert any(problem.table == 'organisations."a".findings[0]' for problem in errors)
    assert "b" in result.ledgers
    assert learning_score(result.ledgers["b"]) == D(25)


def test_an_unknown_heavy_id_is_an_error(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", learning=LEARNING, review={"heavy": {"learning.heavy.no_such_finding": 6}})
    write_org("b", learning=LEARNING)
    result = assess()
    assert [organisation.id for organisation in result.failed] == ["a"]
    assert any("learning.heavy.no_such_finding" in str(problem) for problem in problems_of(result, "a", "error"))


# --------------------------------------------------------------------------
# Falsification (备注3)
# --------------------------------------------------------------------------


def test_a_falsified_item_is_double_reversed(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", learning=LEARNING, review={"falsified": ["learning.conveyed"]})
    write_org("b", learning=LEARNING)
    result = assess()
    ledger = result.ledgers["a"]
    line = ledger.items["learning.conveyed"]
    assert line.status == "falsified"
    assert line.points == D(-6)
    assert "−6" in line.basis
    assert learning_score(ledger) == D(25) - D(3) - D(6)
    assert ledger.total == result.ledgers["b"].total - D(9)


def test_double_reverse_ignores_what_the_formula_gave(write_org: WriteOrg, assess: Assess) -> None:
    facts = model(quarterly_reports=1, study_criticisms=1)
    write_org("a", learning=facts, review={"falsified": ["learning.study_system"]})
    ledger = assess().ledgers["a"]
    assert ledger.items["learning.study_system"].points == D(-8)
    assert learning_score(ledger) == D(21) - D(8)


def test_falsification_zero_policy(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", learning=LEARNING, review={"falsified": ["learning.conveyed"]})
    ledger = assess(policy={"falsification": "zero"}).ledgers["a"]
    line = ledger.items["learning.conveyed"]
    assert line.status == "falsified"
    assert line.points == D(0)
    assert learning_score(ledger) == D(22)


@pytest.mark.parametrize("item_id", ["learning.no_such_item", "learning.heavy.no_such_finding", "lerning.conveyed"])
def test_an_unknown_falsified_id_is_a_validation_error(write_org: WriteOrg, assess: Assess, item_id: str) -> None:
    write_org("a", learning=LEARNING, review={"falsified": [item_id]})
    write_org("b", learning=LEARNING)
    result = assess()
    assert [organisation.id for organisation in result.failed] == ["a"]
    assert any(
        problem.key == "item" and item_id in str(problem) and "reviews" in problem.file
        for problem in problems_of(result, "a", "error")
    )
    assert learning_score(result.ledgers["b"]) == D(25)


@pytest.mark.parametrize(
    ("policy", "falsified", "score"),
    [
        ({}, "learning.political_priority", D(22)),
        ({"falsification": "zero"}, "learning.regular_training", D(23)),
    ],
)
def test_a_falsified_item_withholds_the_star(
    write_org: WriteOrg, assess: Assess, policy: dict[str, str], falsified: str, score: Decimal
) -> None:
    write_org("a", learning=LEARNING, review={"falsified": [falsified]})
    ledger = assess(policy=policy).ledgers["a"]
    assert learning_score(ledger) == score
    assert score >= D(20)
    assert "learning" not in ledger.awards.stars
    assert falsified in ledger.awards.withheld["learning"]


# --------------------------------------------------------------------------
# The star
# --------------------------------------------------------------------------

AT_TWENTY = model(party_regulations=False, thought_analyses=0, talks_visits=False)


def test_the_star_at_exactly_four_fifths(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", learning=AT_TWENTY)
    write_org("b", learning={**AT_TWENTY, "unimplemented": 1})
    result = assess()
    at, below = result.ledgers["a"], result.ledgers["b"]
    assert result.context.policies["star_threshold"] == D("0.8")
    assert learning_score(at) == D(20)
    assert "learning" in at.awards.stars
    assert learning_score(below) == D("19.8")
    assert "learning" not in below.awards.stars
    assert "learning" in below.awards.withheld


@pytest.mark.parametrize(
    ("threshold", "earned", "missed", "scores"),
    [
        ("1", model(), model(unimplemented=1), (D(25), D("24.8"))),
        (
            "0.85",
            model(talks_visits=False, thought_analyses=1, training_misses=3),
            model(talks_visits=False, thought_analyses=1, unimplemented=4, training_misses=2),
            (D("21.5"), D("21.2")),
        ),
        (
            "0.5",
            {
                "quarterly_reports": 4,
                "study_criticisms": 1,
                "member_hours_met": True,
                "leader_hours_met": True,
                "xuexi_promoted": True,
            },
            {
                "quarterly_reports": 4,
                "study_criticisms": 2,
                "member_hours_met": True,
                "leader_hours_met": True,
                "xuexi_promoted": True,
            },
            (D("12.5"), D(12)),
        ),
    ],
)
def test_star_threshold_policy(
    write_org: WriteOrg,
    assess: Assess,
    threshold: str,
    earned: dict[str, Any],
    missed: dict[str, Any],
    scores: tuple[Decimal, Decimal],
) -> None:
    write_org("a", learning=earned)
    write_org("b", learning=missed)
    result = assess(policy={"star_threshold": toml_literal(threshold)})
    a, b = result.ledgers["a"], result.ledgers["b"]
    needed = D(threshold) * D(25)
    assert learning_score(a) >= needed > learning_score(b)
    assert (learning_score(a), learning_score(b)) == scores
    assert "learning" in a.awards.stars
    assert "learning" not in b.awards.stars


@pytest.mark.parametrize("threshold", ["1.1", "-0.1"])
def test_star_threshold_outside_0_to_1_is_refused(write_org: WriteOrg, assess: Assess, threshold: str) -> None:
    write_org("a", learning=LEARNING)
    with pytest.raises(InputError):
        assess(policy={"star_threshold": toml_literal(threshold)})


# --------------------------------------------------------------------------
# Disabled items
# --------------------------------------------------------------------------


def test_a_disabled_item_counts_neither_points_nor_max(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", learning=LEARNING)
    result = assess(rules={"disable": ["learning.talks_visits"]})
    ledger = result.ledgers["a"]
    line = ledger.items["learning.talks_visits"]
    assert line.status == "disabled"
    assert line.points == D(0)
    assert "disabled" in line.basis
    section = ledger.sections["learning"]
    assert section.max == D(24)
    assert section.score == D(24)
    assert "learning.talks_visits" in result.context.registry.disabled


def test_a_disabled_items_fact_is_not_asked_for(write_org: WriteOrg, assess: Assess) -> None:
    facts = dict(LEARNING)
    del facts["talks_visits"]
    write_org("a", learning=facts)
    result = assess(rules={"disable": ["learning.talks_visits"]})
    assert not [problem for problem in problems_of(result, "a", "warning") if problem.table == "learning"]
    assert learning_score(result.ledgers["a"]) == D(24)


def test_the_star_follows_the_reduced_maximum(write_org: WriteOrg, assess: Assess) -> None:
    base = model(party_regulations=False, thought_analyses=0)
    write_org("a", learning={**base, "unimplemented": 4})
    write_org("b", learning={**base, "unimplemented": 5})
    result = assess(rules={"disable": ["learning.talks_visits"]})
    at, below = result.ledgers["a"], result.ledgers["b"]
    assert learning_score(at) == D("19.2")
    assert "learning" in at.awards.stars
    assert learning_score(below) == D(19)
    assert "learning" not in below.awards.stars


def test_an_unknown_disabled_item_is_refused(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", learning=LEARNING)
    with pytest.raises((InputError, RegistryError), match=re.escape("learning.no_such_item")):
        assess(rules={"disable": ["learning.no_such_item"]})


# --------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------


def test_the_json_report_prints_exact_points(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", learning=model(halfyear_reports=2, unimplemented=1, training_misses=1))
    text = joined(render_json(assess(), RenderOptions()))
    document = json.loads(text, parse_float=Decimal)
    items = document["organisations"][0]["sections"]["learning"]["items"]
    assert items["learning.conveyed"]["points"] == D("2.8")
    assert items["learning.committee_training"]["points"] == D("5.5")
    assert document["organisations"][0]["sections"]["learning"]["score"] == D("24.3")
    assert "0000000" not in text
    assert "9999999" not in text
