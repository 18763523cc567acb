"""业绩优 (performance, 20 points): rules-2020.md, section "performance"."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fivestar.model import InputError
from fivestar.pipeline import RunResult
from samples import toml_literal

Assess = Callable[..., RunResult]
WriteOrg = Callable[..., Path]

BOTTOM = "performance.heavy.bottom_three"


def rated(write_org: WriteOrg, org_id: str, rating: str | None, prev: str | None = None, **facts: Any) -> None:
    table = dict(facts)
    if rating is not None:
        table["conduct_rating"] = toml_literal(rating)
    if prev is not None:
        table["conduct_rating_prev"] = toml_literal(prev)
    write_org(org_id, performance=table)


def conduct(result: RunResult, org_id: str) -> Decimal:
    return result.ledgers[org_id].items["performance.conduct_rating"].points


def flagged(result: RunResult) -> set[str]:
    return {
        org_id
        for org_id, ledger in result.ledgers.items()
        if any(deduction.item.id == BOTTOM for deduction in ledger.heavy)
    }


def warnings_of(result: RunResult, org_id: str) -> list[str]:
    organisation = next(organisation for organisation in result.organisations if organisation.id == org_id)
    return [str(problem) for problem in organisation.warnings]


# --------------------------------------------------------------------------
# target_grade, leadership
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("grade", "points"), [("excellent", "10"), ("good", "8"), ("other", "0")])
def test_target_grade(write_org: WriteOrg, assess: Assess, grade: str, points: str) -> None:
    write_org("a", performance={"target_grade": grade})
    line = assess().ledgers["a"].items["performance.target_grade"]
    assert line.points == Decimal(points)
    assert f'"{grade}"' in line.basis


def test_target_grade_missing_is_the_lowest_grade_with_a_warning(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", performance={"leadership": True})
    result = assess()
    assert result.ledgers["a"].items["performance.target_grade"].points == Decimal(0)
    assert any("target_grade" in warning and "missing fact" in warning for warning in warnings_of(result, "a"))


def test_target_grade_unknown_word_is_an_error(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", performance={"target_grade": "outstanding"})
    write_org("b", performance={"target_grade": "good"})
    result = assess()
    assert [organisation.id for organisation in result.failed] == ["a"]
    assert result.ledgers["b"].items["performance.target_grade"].points == Decimal(8)


@pytest.mark.parametrize(("value", "points"), [(True, "5"), (False, "0")])
def test_leadership(write_org: WriteOrg, assess: Assess, value: bool, points: str) -> None:
    write_org("a", performance={"leadership": value})
    assert assess().ledgers["a"].items["performance.leadership"].points == Decimal(points)


def test_section_is_the_sum_of_its_items_out_of_20(write_org: WriteOrg, assess: Assess) -> None:
    rated(write_org, "a", None, target_grade="good", leadership=True)
    section = assess().ledgers["a"].sections["performance"]
    assert section.max == Decimal(20)
    assert section.score == Decimal(18)  # 8 + 5 + 5 (unrated = full)


# --------------------------------------------------------------------------
# conduct_rating: the cohort average
# --------------------------------------------------------------------------


def test_cohort_figures(write_org: WriteOrg, assess: Assess) -> None:
    rated(write_org, "a", "70")
    rated(write_org, "b", "81.5")
    rated(write_org, "c", None)
    figures = assess().context.cohort
    assert figures["performance.conduct_average"] == Decimal("75.75")
    assert figures["performance.conduct_total"] == Decimal("151.5")
    assert figures["performance.conduct_rated"] == 2
    assert figures["performance.bottom_three"] == frozenset()


def test_at_the_average_counts_below_does_not(write_org: WriteOrg, assess: Assess) -> None:
    rated(write_org, "low", "70")
    rated(write_org, "mid", "80")
    rated(write_org, "high", "90")
    result = assess()
    assert conduct(result, "mid") == Decimal(5)  # 80 = average: "以上" includes the figure itself
    assert conduct(result, "high") == Decimal(5)
    assert conduct(result, "low") == Decimal(0)


def test_average_with_ties(write_org: WriteOrg, assess: Assess) -> None:
    for org_id, rating in (("a", "70"), ("b", "70"), ("c", "80"), ("d", "80"), ("e", "81")):
        rated(write_org, org_id, rating)
    result = assess()
    assert result.context.cohort["performance.conduct_average"] == Decimal("76.2")
    assert {org_id: conduct(result, org_id) for org_id in "abcde"} == {
        "a": Decimal(0),
        "b": Decimal(0),
        "c": Decimal(5),
        "d": Decimal(5),
        "e": Decimal(5),
    }


def test_everyone_tied_is_at_the_average(write_org: WriteOrg, assess: Assess) -> None:
    for org_id in "abc":
        rated(write_org, org_id, "85.5")
    result = assess()
    assert all(conduct(result, org_id) == Decimal(5) for org_id in "abc")


def test_repeating_average_is_compared_exactly(write_org: WriteOrg, assess: Assess) -> None:
    # (80 + 80 + 81) / 3 = 80.333…: 80.33 is below it, 81 above.
    rated(write_org, "a", "80")
    rated(write_org, "b", "80.33")
    rated(write_org, "c", "80.67")
    result = assess()
    assert conduct(result, "a") == Decimal(0)
    assert conduct(result, "b") == Decimal(0)
    assert conduct(result, "c") == Decimal(5)
    assert "≈80.33" in result.ledgers["a"].items["performance.conduct_rating"].basis


def test_unrated_organisations_are_not_in_the_average(write_org: WriteOrg, assess: Assess) -> None:
    # Counting the unrated one as 0 would make the average 50 and put "a" above it.
    rated(write_org, "a", "70")
    rated(write_org, "b", "80")
    rated(write_org, "c", None)
    result = assess()
    assert result.context.cohort["performance.conduct_average"] == Decimal(75)
    assert conduct(result, "a") == Decimal(0)


def test_organisations_failing_validation_are_not_in_the_cohort(write_org: WriteOrg, assess: Assess) -> None:
    # With "bad" (rating 0) in the cohort the average would be 50 and "a" would pass.
    rated(write_org, "a", "70")
    rated(write_org, "b", "80")
    rated(write_org, "bad", "0", leadership="yes")
    result = assess()
    assert [organisation.id for organisation in result.failed] == ["bad"]
    assert result.context.cohort["performance.conduct_average"] == Decimal(75)
    assert result.context.cohort["performance.conduct_rated"] == 2
    assert conduct(result, "a") == Decimal(0)


def test_negative_rating_is_an_error(write_org: WriteOrg, assess: Assess) -> None:
    rated(write_org, "a", "-1")
    rated(write_org, "b", "80")
    result = assess()
    assert [organisation.id for organisation in result.failed] == ["a"]


# --------------------------------------------------------------------------
# conduct_rating: improvement over last year
# --------------------------------------------------------------------------


def below_average_cohort(write_org: WriteOrg, rating: str, prev: str | None) -> None:
    rated(write_org, "a", rating, prev)
    rated(write_org, "b", "95")
    rated(write_org, "c", "96")


@pytest.mark.parametrize(
    ("rating", "prev", "points"),
    [
        ("80", "79", "5"),  # improvement exactly 1.0 counts
        ("80", "79.1", "0"),  # 0.9 does not
        ("80.5", "79.5", "5"),
        ("80", "85", "0"),  # a fall
        ("80", None, "0"),  # no previous figure: no improvement
    ],
)
def test_improvement_at_the_default_threshold(
    write_org: WriteOrg, assess: Assess, rating: str, prev: str | None, points: str
) -> None:
    below_average_cohort(write_org, rating, prev)
    assert conduct(assess(), "a") == Decimal(points)


@pytest.mark.parametrize(("prev", "points"), [("78", "5"), ("78.1", "0")])
def test_improvement_policy(write_org: WriteOrg, assess: Assess, prev: str, points: str) -> None:
    below_average_cohort(write_org, "80", prev)
    assert conduct(assess(policy={"conduct_improvement": 2}), "a") == Decimal(points)


def test_improvement_policy_zero_counts_no_fall(write_org: WriteOrg, assess: Assess) -> None:
    below_average_cohort(write_org, "80", "80")
    assert conduct(assess(policy={"conduct_improvement": 0}), "a") == Decimal(5)


def test_improvement_policy_must_not_be_negative(write_org: WriteOrg, assess: Assess) -> None:
    below_average_cohort(write_org, "80", "79")
    with pytest.raises(InputError, match="conduct_improvement"):
        assess(policy={"conduct_improvement": -1})


def test_basis_shows_rating_average_previous_and_improvement(write_org: WriteOrg, assess: Assess) -> None:
    below_average_cohort(write_org, "80", "78.5")
    basis = assess().ledgers["a"].items["performance.conduct_rating"].basis
    assert "conduct_rating = 80 < average ≈90.33 (of 3 rated)" in basis  # (80 + 95 + 96) / 3
    assert "conduct_rating_prev = 78.5" in basis
    assert "improvement = +1.5 ≥ conduct_improvement 1" in basis
    assert basis.split("；")[0].endswith("→ 5")


# --------------------------------------------------------------------------
# conduct_rating: organisations without a rating
# --------------------------------------------------------------------------


def test_unrated_scores_full_by_default(write_org: WriteOrg, assess: Assess) -> None:
    rated(write_org, "a", None)
    rated(write_org, "b", "80")
    result = assess()
    line = result.ledgers["a"].items["performance.conduct_rating"]
    assert line.points == Decimal(5)
    assert "not rated" in line.basis


def test_unrated_zero(write_org: WriteOrg, assess: Assess) -> None:
    rated(write_org, "a", None)
    rated(write_org, "b", "80")
    result = assess(policy={"unrated": "zero"})
    assert conduct(result, "a") == Decimal(0)
    assert conduct(result, "b") == Decimal(5)


def test_unrated_policy_refuses_other_words(write_org: WriteOrg, assess: Assess) -> None:
    rated(write_org, "a", None)
    with pytest.raises(InputError, match="unrated"):
        assess(policy={"unrated": "half"})


def test_nobody_rated(write_org: WriteOrg, assess: Assess) -> None:
    rated(write_org, "a", None)
    result = assess()
    assert result.context.cohort["performance.conduct_average"] is None
    assert result.context.cohort["performance.conduct_rated"] == 0
    assert conduct(result, "a") == Decimal(5)


# --------------------------------------------------------------------------
# heavy: bottom three (derived)
# --------------------------------------------------------------------------


def test_bottom_three_with_ties_at_the_boundary(write_org: WriteOrg, assess: Assess) -> None:
    for org_id, rating in (("a", "70"), ("b", "71"), ("c", "72"), ("d", "72"), ("e", "90")):
        rated(write_org, org_id, rating)
    result = assess()
    assert flagged(result) == {"a", "b", "c", "d"}
    assert result.context.cohort["performance.bottom_three"] == frozenset("abcd")
    deduction = result.ledgers["a"].heavy[0]
    assert (deduction.item.id, deduction.points, deduction.source) == (BOTTOM, Decimal(5), "derived")


def test_bottom_three_of_four_distinct(write_org: WriteOrg, assess: Assess) -> None:
    for org_id, rating in (("a", "70"), ("b", "71"), ("c", "72"), ("d", "72.5")):
        rated(write_org, org_id, rating)
    rated(write_org, "unrated", None)
    assert flagged(assess()) == {"a", "b", "c"}


def test_nobody_flagged_with_three_rated(write_org: WriteOrg, assess: Assess) -> None:
    for org_id, rating in (("a", "10"), ("b", "20"), ("c", "30")):
        rated(write_org, org_id, rating)
    rated(write_org, "d", None)
    rated(write_org, "e", None)
    result = assess()
    assert flagged(result) == set()
    assert result.context.cohort["performance.bottom_three"] == frozenset()


def test_bottom_three_uses_heavy_default_and_comes_off_the_total(write_org: WriteOrg, assess: Assess) -> None:
    for org_id, rating in (("a", "70"), ("b", "71"), ("c", "72"), ("d", "90")):
        rated(write_org, org_id, rating)
    ledger = assess(policy={"heavy_default": 8}).ledgers["a"]
    assert ledger.heavy_points() == Decimal(8)
    assert ledger.total == sum((section.score for section in ledger.sections.values()), Decimal(0)) - 8


# --------------------------------------------------------------------------
# 业绩优
# --------------------------------------------------------------------------


def test_performance_excellence_at_exactly_18(write_org: WriteOrg, assess: Assess) -> None:
    rated(write_org, "a", None, target_grade="good", leadership=True)
    ledger = assess().ledgers["a"]
    assert ledger.sections["performance"].score == Decimal(18)
    assert ledger.heavy == []
    assert ledger.awards.performance_excellence is True


def test_no_performance_excellence_below_18(write_org: WriteOrg, assess: Assess) -> None:
    rated(write_org, "a", None, target_grade="excellent", leadership=False)
    ledger = assess().ledgers["a"]
    assert ledger.sections["performance"].score == Decimal(15)
    assert ledger.awards.performance_excellence is False
    assert ledger.awards.withheld["performance"] == "15 < 18"


def test_derived_heavy_withholds_performance_excellence(write_org: WriteOrg, assess: Assess) -> None:
    # "a" has the lowest rating but improved by 10: full 20 points, still among the bottom three.
    rated(write_org, "a", "70", "60", target_grade="excellent", leadership=True)
    for org_id, rating in (("b", "71"), ("c", "72"), ("d", "90")):
        rated(write_org, org_id, rating, target_grade="excellent", leadership=True)
    result = assess()
    ledger = result.ledgers["a"]
    assert ledger.sections["performance"].score == Decimal(20)
    assert ledger.awards.performance_excellence is False
    assert ledger.awards.withheld["performance"] == f"heavy item {BOTTOM}"
    assert result.ledgers["d"].awards.performance_excellence is True


def test_a_huge_rating_fails_validation_and_counts_in_no_average(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", performance={"conduct_rating": toml_literal("1E+30")})
    write_org("b", performance={"conduct_rating": toml_literal("80.5")})
    write_org("c", performance={"conduct_rating": toml_literal("80.4")})
    result = assess()
    ((failed, error),) = [(organisation.id, organisation.errors[0]) for organisation in result.failed]
    assert (failed, error.key, error.expected) == ("a", "conduct_rating", "a number 0..100")
    assert result.context.cohort["performance.conduct_average"] == Decimal("80.45")
    assert result.ledgers["b"].items["performance.conduct_rating"].points == Decimal(5)
    assert result.ledgers["c"].items["performance.conduct_rating"].points == Decimal(0)
