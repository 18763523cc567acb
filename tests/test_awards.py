"""Awards by policy (rules-2020.md, "What stands outside the sections", 4): stars and 业绩优 at the exact
thresholds, findings that withhold them, the award year, and the sample cohort of 2020 end to end."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from fivestar.pipeline import RunResult
from samples import FULL, STAR_SECTIONS, toml_literal

Assess = Callable[..., RunResult]
WriteOrg = Callable[..., Path]
Invoke = Callable[..., Result]

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "shaoxing-2020"
POLICY_KEYS = {
    "study_hours",
    "falsification",
    "heavy_default",
    "conduct_improvement",
    "unrated",
    "recognition_same_project",
    "star_threshold",
    "performance_threshold",
}
BOTTOM = "performance.heavy.bottom_three"


def evidence(**changes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """FULL with some facts of some sections changed."""
    return {section: {**facts, **changes.get(section, {})} for section, facts in FULL.items()}


def policy(**values: str) -> dict[str, Any]:
    return {key: toml_literal(value) for key, value in values.items()}


# --------------------------------------------------------------------------
# star_threshold
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("threshold", "learning", "score", "star"),
    [
        # default 0.8 × 25 = 20: training_misses 10 → 6 − 5 = 1
        (None, {"training_misses": 10}, "20", True),
        (None, {"training_misses": 10, "unimplemented": 1}, "19.8", False),
        ("0.8", {"training_misses": 10}, "20", True),
        # 0.9 × 25 = 22.5
        ("0.9", {"training_misses": 5}, "22.5", True),
        ("0.9", {"training_misses": 4, "unimplemented": 3}, "22.4", False),
        ("0.91", {"training_misses": 5}, "22.5", False),
        # 1 × 25: only the full section
        ("1", {}, "25", True),
        ("1", {"unimplemented": 1}, "24.8", False),
        # 0: even an empty section earns its star
        ("0", {"training_misses": 12, "halfyear_reports": 0, "quarterly_reports": 0}, "12", True),
    ],
)
def test_star_threshold_decides_the_star_at_its_exact_boundary(
    write_org: WriteOrg,
    assess: Assess,
    threshold: str | None,
    learning: dict[str, Any],
    score: str,
    star: bool,
) -> None:
    write_org("a", **evidence(learning=learning))
    ledger = assess(policy=policy(star_threshold=threshold) if threshold else {}).ledgers["a"]
    assert ledger.sections["learning"].score == Decimal(score)
    assert ("learning" in ledger.awards.stars) is star
    assert [section for section in ledger.awards.stars if section != "learning"] == list(STAR_SECTIONS[1:])
    assert ledger.awards.party_building_excellence is star
    assert ledger.awards.five_star is star
    assert ("learning" in ledger.awards.withheld) is not star


def test_star_threshold_zero_gives_a_star_to_a_section_of_zero_points(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", **{**evidence(), "innovation": {}})
    ledger = assess(policy=policy(star_threshold="0")).ledgers["a"]
    assert ledger.sections["innovation"].score == Decimal(0)
    assert ledger.awards.stars == list(STAR_SECTIONS)


# --------------------------------------------------------------------------
# performance_threshold
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("threshold", "performance", "score", "excellent"),
    [
        # good 8 + leadership 5 + not rated 5 = 18 against the default 18
        (None, {"target_grade": "good"}, "18", True),
        ("18", {"target_grade": "good"}, "18", True),
        ("18.5", {"target_grade": "good"}, "18", False),
        ("20", {}, "20", True),
        ("15", {"leadership": False}, "15", True),
        ("15.1", {"leadership": False}, "15", False),
        (None, {"leadership": False}, "15", False),
        ("0", {"target_grade": "other", "leadership": False}, "5", True),
    ],
)
def test_performance_threshold_decides_performance_excellence_at_its_exact_boundary(
    write_org: WriteOrg,
    assess: Assess,
    threshold: str | None,
    performance: dict[str, Any],
    score: str,
    excellent: bool,
) -> None:
    write_org("a", **evidence(performance=performance))
    ledger = assess(policy=policy(performance_threshold=threshold) if threshold else {}).ledgers["a"]
    assert ledger.sections["performance"].score == Decimal(score)
    assert ledger.awards.performance_excellence is excellent
    assert ledger.awards.party_building_excellence is True
    assert ledger.awards.five_star is excellent
    assert ("performance" in ledger.awards.withheld) is not excellent


# --------------------------------------------------------------------------
# Findings withhold 业绩优
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("falsification", "score"), [("double-reverse", "5"), ("zero", "15")])
def test_a_falsified_performance_item_withholds_performance_excellence(
    write_org: WriteOrg, assess: Assess, falsification: str, score: str
) -> None:
    """With performance_threshold = 0 the score alone would earn 业绩优: the falsification withholds it."""
    write_org("a", **evidence(), review={"falsified": ["performance.leadership"]})
    write_org("b", **evidence())
    result = assess(policy={"performance_threshold": 0, "falsification": falsification})
    falsified, clean = result.ledgers["a"], result.ledgers["b"]

    assert falsified.sections["performance"].score == Decimal(score)
    assert falsified.awards.performance_excellence is False
    assert "performance.leadership" in falsified.awards.withheld["performance"]
    assert falsified.awards.party_building_excellence is True
    assert falsified.awards.five_star is False
    assert clean.awards.performance_excellence is True
    assert clean.awards.five_star is True


def test_a_falsified_item_of_another_section_leaves_performance_excellence(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", **evidence(), review={"falsified": ["learning.talks_visits"]})
    awards = assess().ledgers["a"].awards
    assert awards.performance_excellence is True
    assert "learning" not in awards.stars
    assert "learning.talks_visits" in awards.withheld["learning"]
    assert awards.party_building_excellence is False
    assert awards.five_star is False


def rated(rating: int, prev: int | None = None) -> dict[str, dict[str, Any]]:
    performance: dict[str, Any] = {"conduct_rating": rating}
    if prev is not None:
        performance["conduct_rating_prev"] = prev
    return evidence(performance=performance)


@pytest.mark.parametrize(("heavy_default", "deduction"), [(None, "5"), ("8", "8")])
def test_the_derived_bottom_three_item_withholds_performance_excellence(
    write_org: WriteOrg, assess: Assess, heavy_default: str | None, deduction: str
) -> None:
    """Ratings 90, 91, 92, 99 (average 93): a, b and c are the bottom three. a still earns the conduct points by
    its improvement of 10 over last year, so its performance section is full, and only the heavy item withholds."""
    write_org("a", **rated(90, prev=80))
    write_org("b", **rated(91))
    write_org("c", **rated(92))
    write_org("d", **rated(99))
    result = assess(policy=policy(heavy_default=heavy_default) if heavy_default else {})
    bottom, top = result.ledgers["a"], result.ledgers["d"]
    flagged = {org_id for org_id, ledger in result.ledgers.items() if ledger.heavy}
    assert flagged == {"a", "b", "c"}

    assert bottom.sections["performance"].score == top.sections["performance"].score == Decimal(20)
    assert [(deduction.item.id, deduction.points) for deduction in bottom.heavy] == [(BOTTOM, Decimal(deduction))]
    assert bottom.total == top.total - Decimal(deduction)
    assert bottom.awards.performance_excellence is False
    assert BOTTOM in bottom.awards.withheld["performance"]
    assert bottom.awards.stars == list(STAR_SECTIONS)
    assert bottom.awards.five_star is False
    assert top.heavy == []
    assert top.awards.performance_excellence is True
    assert top.awards.five_star is True


def test_a_reported_heavy_item_withholds_only_its_own_star(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", **evidence(), review={"heavy": {"service.heavy.complaints": 7}})
    ledger = assess().ledgers["a"]
    assert ledger.sections["service"].score == Decimal(20)
    assert ledger.awards.stars == ["learning", "norms", "democracy", "innovation"]
    assert "service.heavy.complaints" in ledger.awards.withheld["service"]
    assert ledger.awards.performance_excellence is True
    assert ledger.awards.five_star is False


# --------------------------------------------------------------------------
# The award year (备注1: 两年一评)
# --------------------------------------------------------------------------


def scored(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout, parse_float=Decimal)


@pytest.mark.parametrize("award_year", [True, False])
def test_award_year_decides_five_star_and_the_json_says_so(
    invoke: Invoke, write_org: WriteOrg, write_config: Callable[..., Path], award_year: bool
) -> None:
    write_org("a", **evidence())
    config = write_config(assessment={"award_year": award_year})
    document = scored(invoke("run", str(config), "--format", "json"))

    assert document["award_year"] is award_year
    (organisation,) = document["organisations"]
    awards = organisation["awards"]
    assert awards["stars"] == list(STAR_SECTIONS)
    assert awards["party_building_excellence"] is True
    assert awards["performance_excellence"] is True
    assert awards["five_star"] is award_year
    assert ("five_star" in awards["withheld"]) is not award_year
    if not award_year:
        assert "award year" in awards["withheld"]["five_star"]


# --------------------------------------------------------------------------
# The sample cohort of 2020
# --------------------------------------------------------------------------


def as_decimal(value: int | Decimal) -> Decimal:
    return Decimal(value)


def test_the_sample_cohort_runs_and_keeps_the_json_contract(invoke: Invoke) -> None:
    store = SAMPLE.parent / "history.sqlite3"
    store_before = store.read_bytes() if store.exists() else None
    document = scored(invoke("run", str(SAMPLE / "config.toml"), "--format", "json"))
    assert (store.read_bytes() if store.exists() else None) == store_before

    files = sorted([*(SAMPLE / "orgs").glob("*.toml"), *(SAMPLE / "orgs").glob("*.xlsx")])
    organisations = document["organisations"]
    assert document["year"] == 2020
    assert document["award_year"] is True
    assert set(document["policies"]) >= POLICY_KEYS
    assert len(organisations) == len(files)
    assert {Path(organisation["file"]).name for organisation in organisations} == {path.name for path in files}

    totals = [as_decimal(organisation["total"]) for organisation in organisations]
    for organisation in organisations:
        assert organisation["status"] == "scored", organisation["errors"]
        assert organisation["errors"] == []
        sha256 = hashlib.sha256(Path(organisation["file"]).read_bytes()).hexdigest()
        assert organisation["provenance"]["evidence_sha256"] == sha256
        assert organisation["provenance"]["engine"].startswith("fivestar-assess ")
        assert organisation["provenance"]["plugins"]

        sections = organisation["sections"]
        heavy = [as_decimal(deduction["points"]) for deduction in organisation["heavy"]]
        assert all(Decimal(5) <= points <= Decimal(10) for points in heavy)
        assert as_decimal(organisation["heavy_total"]) == sum(heavy, Decimal(0))
        for section in sections.values():
            items = sum((as_decimal(line["points"]) for line in section["items"].values()), Decimal(0))
            assert as_decimal(section["claimed"]) == items
            assert as_decimal(section["score"]) == min(items, as_decimal(section["max"]))
        section_total = sum((as_decimal(section["score"]) for section in sections.values()), Decimal(0))
        total = as_decimal(organisation["total"])
        assert total == section_total - sum(heavy, Decimal(0))
        assert organisation["rank"] == 1 + sum(1 for other in totals if other > total)

        awards = organisation["awards"]
        assert set(awards) == {"stars", "party_building_excellence", "performance_excellence", "five_star", "withheld"}
        for star in awards["stars"]:
            assert star in STAR_SECTIONS
            assert as_decimal(sections[star]["score"]) >= Decimal("0.8") * as_decimal(sections[star]["max"])
        assert awards["party_building_excellence"] == (len(awards["stars"]) == len(STAR_SECTIONS))
        assert awards["five_star"] == (awards["party_building_excellence"] and awards["performance_excellence"])
