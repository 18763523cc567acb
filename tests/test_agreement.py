"""The engine against benchmarks/baseline.py, an independent hand-written implementation of the 2020 totals with
the default policies, on seeded synthetic cohorts from benchmarks/generate.py (heavy items and bottom three
included). Both read the same validated facts; they must agree on every section, the total and every award."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fivestar.config import load_config
from fivestar.pipeline import RunResult, run

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SEEDS = (11, 2019, 2020, 4242, 90210)
COHORT_SIZE = 40
YEAR = 2020


@pytest.fixture(scope="module")
def benchmarks() -> Iterator[tuple[ModuleType, ModuleType]]:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import baseline
        import generate

        yield baseline, generate
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.fixture(scope="module")
def cohorts(
    benchmarks: tuple[ModuleType, ModuleType], tmp_path_factory: pytest.TempPathFactory
) -> dict[int, tuple[RunResult, dict[str, dict[str, Any]]]]:
    """Each seed's engine result and the baseline's answer per organisation."""
    baseline, generate = benchmarks
    found = {}
    for seed in SEEDS:
        config = generate.write_cohort(COHORT_SIZE, tmp_path_factory.mktemp(f"seed-{seed}"), seed=seed)
        result = run(load_config(config))
        valid = [organisation for organisation in result.organisations if organisation.valid]
        average, ratings = baseline.cohort_figures([organisation.facts for organisation in valid])
        expected = {
            organisation.id: baseline.score(organisation.facts, organisation.heavy, YEAR, average, ratings)
            for organisation in valid
        }
        found[seed] = (result, expected)
    return found


@pytest.mark.parametrize("seed", SEEDS)
def test_engine_agrees_with_the_baseline(
    cohorts: dict[int, tuple[RunResult, dict[str, dict[str, Any]]]], seed: int
) -> None:
    result, expected = cohorts[seed]
    assert not result.failed, [str(problem) for organisation in result.failed for problem in organisation.errors]
    assert len(result.ledgers) == COHORT_SIZE
    for org_id, ledger in result.ledgers.items():
        plain = expected[org_id]
        awards = ledger.awards
        engine = {
            "sections": {section_id: section.score for section_id, section in ledger.sections.items()},
            "total": ledger.total,
            "stars": awards.stars,
            "party_building_excellence": awards.party_building_excellence,
            "performance_excellence": awards.performance_excellence,
            "five_star": awards.five_star,
        }
        assert engine == plain, org_id


def test_the_cohorts_reach_every_kind_of_outcome(
    cohorts: dict[int, tuple[RunResult, dict[str, dict[str, Any]]]],
) -> None:
    """The agreement means something only if the cohorts hold each case the awards distinguish."""
    ledgers = [ledger for result, _expected in cohorts.values() for ledger in result.ledgers.values()]
    sources = {deduction.source for ledger in ledgers for deduction in ledger.heavy}
    assert sources == {"review", "derived"}
    assert any(ledger.awards.five_star for ledger in ledgers)
    assert any(ledger.awards.party_building_excellence and not ledger.awards.five_star for ledger in ledgers)
    assert any(
        section.section.group == "party_building"
        and section.score >= section.max * 4 / 5
        and section.section.id not in ledger.awards.stars
        for ledger in ledgers
        for section in ledger.sections.values()
    )
    assert any(ledger.sections["bonus"].claimed > ledger.sections["bonus"].score for ledger in ledgers)
    assert any(line.raw < 0 for ledger in ledgers for line in ledger.items.values())
