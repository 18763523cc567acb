"""Cross-cutting properties of the complete 2020 rule set (rules-2020.md, "What stands outside the sections"),
checked on random cohorts through the real pipeline: item bounds, falsification, section maxima and caps, the
total, heavy deductions, stars and awards."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fivestar.config import RunConfig, load_config
from fivestar.model import Ledger
from fivestar.pipeline import RunResult, prepare, run
from fivestar.registry import Registry
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from samples import CHOICES, FLAGS, STAR_SECTIONS

YEAR = 2020
SPEC_MAXIMA = {
    "learning": Decimal(25),
    "norms": Decimal(25),
    "service": Decimal(20),
    "democracy": Decimal(15),
    "innovation": Decimal(15),
    "performance": Decimal(20),
    "bonus": Decimal(10),
}
STAR_SHARE = Decimal("0.8")
PERFORMANCE_THRESHOLD = Decimal(18)
HEAVY_DEFAULT = Decimal(5)
BOTTOM_THREE = "performance.heavy.bottom_three"

# Each count's best value and an upper bound well past its cap (min(n, 2)) or floor (扣完为止); the two declared
# ranges (0..2, 0..4) are kept.
COUNTS = {
    "learning": {
        "halfyear_reports": (2, 2),
        "unimplemented": (0, 20),
        "thought_analyses": (2, 6),
        "quarterly_reports": (4, 4),
        "study_criticisms": (0, 12),
        "training_misses": (0, 16),
    },
    "norms": {"reports_heard": (2, 6)},
    "service": {"four_seasons_misses": (0, 10)},
    "democracy": {
        "conduct_criticisms": (0, 10),
        "violations_main_leader": (0, 8),
        "violations_city_cadre": (0, 9),
        "violations_section_cadre": (0, 11),
        "violations_other": (0, 14),
    },
    "innovation": {"station_activities": (2, 6)},
    "bonus": {"new_stations": (3, 6), "new_demo_sites": (3, 6), "pioneer_branches_named": (3, 6)},
}
RATINGS = ("conduct_rating", "conduct_rating_prev")
RECORDS = ("commendations", "recognitions", "showcase")

WINDOW_EDGES = (dt.date(YEAR - 1, 12, 15), dt.date(YEAR - 1, 12, 16), dt.date(YEAR, 12, 15), dt.date(YEAR, 12, 16))
PROJECTS = ("红色引擎", "清廉机关", "党建+业务")


# --------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------

dates = st.one_of(st.sampled_from(WINDOW_EDGES), st.dates(dt.date(YEAR - 1, 11, 1), dt.date(YEAR + 1, 1, 31)))
ratings = st.integers(840, 860).map(lambda tenths: Decimal(tenths) / 10)
heavy_figures = st.one_of(st.just(True), st.integers(5, 10), st.decimals(5, 10, places=1))


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A fact that may be left out of the evidence (scored as its default, with a warning)."""
    return st.one_of(strategy, strategy, strategy, st.none())


def section_facts(section: str, strong: bool) -> st.SearchStrategy[dict[str, Any]]:
    """The facts of one section; a ``strong`` organisation mostly has the best values, so that stars and awards
    are earned often enough to be tested, and still strays past the boundaries."""
    if strong:
        flag = st.sampled_from((True,) * 19 + (False,))

        def number(best: int, top: int) -> st.SearchStrategy[int]:
            return st.one_of(st.just(best), st.just(best), st.just(best), st.integers(0, top))

        def choice(options: tuple[str, ...]) -> st.SearchStrategy[str]:
            return st.one_of(st.just(options[-1]), st.just(options[-1]), st.sampled_from(options))

    else:
        flag = optional(st.booleans())

        def number(best: int, top: int) -> st.SearchStrategy[int]:
            return optional(st.integers(0, top))

        def choice(options: tuple[str, ...]) -> st.SearchStrategy[str]:
            return optional(st.sampled_from(options))

    facts: dict[str, st.SearchStrategy[Any]] = {name: flag for name in FLAGS[section]}
    facts.update({name: number(best, top) for name, (best, top) in COUNTS.get(section, {}).items()})
    facts.update({name: choice(options) for name, options in CHOICES.get(section, {}).items()})
    if section == "performance":
        facts["conduct_rating"] = optional(ratings)
        facts["conduct_rating_prev"] = st.none() | st.integers(820, 860).map(lambda tenths: Decimal(tenths) / 10)
    return st.fixed_dictionaries(facts)


bonus_records = st.fixed_dictionaries(
    {
        "commendations": st.lists(
            st.fixed_dictionaries(
                {
                    "project": st.sampled_from(PROJECTS),
                    "level": st.sampled_from(("central", "provincial", "municipal")),
                    "date": dates,
                    "document": st.just("绍市委〔2020〕1号"),
                }
            ),
            max_size=3,
        ),
        "recognitions": st.lists(
            st.fixed_dictionaries(
                {
                    "project": st.sampled_from(PROJECTS),
                    "level": st.sampled_from(("national", "provincial", "municipal")),
                    "form": st.sampled_from(("commendation", "instruction", "meeting", "publication")),
                    "date": dates,
                }
            ),
            max_size=3,
        ),
        "showcase": st.lists(
            st.fixed_dictionaries({"name": st.just("晒比优胜"), "points": st.decimals(0, 4, places=1)}), max_size=3
        ),
    }
)


def organisation(registry: Registry) -> st.SearchStrategy[dict[str, Any]]:
    reported_heavy = sorted(heavy_id for heavy_id, heavy in registry.heavy.items() if not heavy.derived)
    return st.fixed_dictionaries(
        {
            "sections": st.booleans().flatmap(
                lambda strong: st.fixed_dictionaries({section: section_facts(section, strong) for section in FLAGS})
            ),
            "records": bonus_records,
            "falsified": st.just([]) | st.lists(st.sampled_from(sorted(registry.items)), unique=True, max_size=3),
            "heavy": st.just({}) | st.dictionaries(st.sampled_from(reported_heavy), heavy_figures, max_size=2),
        }
    )


# --------------------------------------------------------------------------
# Writing evidence (by hand: tomlkit cannot write a Decimal)
# --------------------------------------------------------------------------


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, Decimal, dt.date)):
        return str(value)
    raise TypeError(value)


def evidence_text(org_id: str, org: dict[str, Any]) -> str:
    lines = ["[organisation]", f'id = "{org_id}"', f'name = "测试单位{org_id}"']
    for section, facts in org["sections"].items():
        lines.append(f"[{section}]")
        lines += [f"{name} = {toml_value(value)}" for name, value in facts.items() if value is not None]
    for table, entries in org["records"].items():
        for entry in entries:
            lines.append(f"[[bonus.{table}]]")
            lines += [f"{key} = {toml_value(value)}" for key, value in entry.items()]
    return "\n".join(lines) + "\n"


def review_text(org_id: str, org: dict[str, Any]) -> str:
    """The office's findings for one organisation: its falsified items and heavy items (true: no points given)."""
    lines = []
    for item_id in org["falsified"]:
        lines += [f'[[organisations."{org_id}".findings]]', f"item = {toml_value(item_id)}"]
    for heavy_id, figure in org["heavy"].items():
        lines += [f'[[organisations."{org_id}".findings]]', f"item = {toml_value(heavy_id)}"]
        if figure is not True:
            lines.append(f"points = {toml_value(figure)}")
    return "".join(line + "\n" for line in lines)


def assess_cohort(folder: Path, cohort: list[dict[str, Any]], review: bool) -> RunResult:
    for index, org in enumerate(cohort):
        path = folder / "orgs" / f"o{index}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(evidence_text(f"o{index}", org), encoding="utf-8")
    office = ""
    if review:
        (folder / "reviews.toml").write_text(
            "".join(review_text(f"o{index}", org) for index, org in enumerate(cohort)), encoding="utf-8"
        )
        office = '[office]\nreviews = ["reviews.toml"]\n'
    config = folder / "config.toml"
    config.write_text(f'[assessment]\nyear = {YEAR}\norganisations = ["orgs/*.toml"]\n{office}', encoding="utf-8")
    result = run(load_config(config))
    assert not result.failed, [str(problem) for failed in result.failed for problem in failed.errors]
    return result


# --------------------------------------------------------------------------
# The expected heavy items, found independently of the engine
# --------------------------------------------------------------------------


def bottom_three(cohort: list[dict[str, Any]]) -> set[str]:
    rated = {
        f"o{index}": org["sections"]["performance"]["conduct_rating"]
        for index, org in enumerate(cohort)
        if org["sections"]["performance"]["conduct_rating"] is not None
    }
    if len(rated) < 4:
        return set()
    boundary = sorted(rated.values())[2]
    return {org_id for org_id, rating in rated.items() if rating <= boundary}


def expected_heavy(org_id: str, org: dict[str, Any], flagged: set[str]) -> dict[str, Decimal]:
    found = {
        heavy_id: HEAVY_DEFAULT if figure is True else Decimal(figure) for heavy_id, figure in org["heavy"].items()
    }
    if org_id in flagged:
        found[BOTTOM_THREE] = HEAVY_DEFAULT
    return found


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def registry() -> Registry:
    return prepare(RunConfig(path=Path("<defaults>"), year=YEAR, history=False))[1].registry


def test_the_strategies_cover_every_fact_of_every_section(registry: Registry) -> None:
    covered = {
        section: set(FLAGS[section]) | set(COUNTS.get(section, {})) | set(CHOICES.get(section, {})) for section in FLAGS
    }
    covered["performance"] |= set(RATINGS)
    covered["bonus"] |= set(RECORDS)
    declared = {section: set(types) for section, types in registry.schema.items()}
    assert covered == declared
    assert dict(registry.section_maxima) == SPEC_MAXIMA


@pytest.fixture(scope="module")
def cohorts(registry: Registry) -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.lists(organisation(registry), min_size=1, max_size=6)


def check_items(ledger: Ledger, clean: Ledger, falsified: set[str]) -> None:
    for item_id, line in ledger.items.items():
        where = f"{ledger.organisation.id} {item_id}"
        points = line.item.points
        if item_id in falsified:
            base = points if points is not None else clean.items[item_id].points
            assert line.points == -2 * base, where
            assert line.status == "falsified", where
            continue
        assert line.points >= 0, where
        if points is not None:
            assert line.points <= points, where
        assert line.points == clean.items[item_id].points, where


def check_sections(ledger: Ledger) -> None:
    assert set(ledger.sections) == set(SPEC_MAXIMA)
    for section_id, section in ledger.sections.items():
        where = f"{ledger.organisation.id} {section_id}"
        kept = sum((line.points for line in section.items.values() if line.status != "falsified"), Decimal(0))
        falsified = sum((line.points for line in section.items.values() if line.status == "falsified"), Decimal(0))
        maximum = SPEC_MAXIMA[section_id]
        assert section.max == maximum, where
        assert section.score == min(kept, maximum) + falsified, where  # falsified_bonus = after-cap
        assert section.score <= maximum, where


def check_awards(ledger: Ledger, org: dict[str, Any], heavy: dict[str, Decimal]) -> None:
    found_in = {heavy_id.split(".")[0] for heavy_id in heavy} | {item.split(".")[0] for item in org["falsified"]}
    scores = {section_id: section.score for section_id, section in ledger.sections.items()}
    awards = ledger.awards
    where = ledger.organisation.id
    earned = [
        section
        for section in STAR_SECTIONS
        if scores[section] >= STAR_SHARE * SPEC_MAXIMA[section] and section not in found_in
    ]
    assert awards.stars == earned, where
    assert awards.party_building_excellence == (len(earned) == len(STAR_SECTIONS)), where
    assert awards.performance_excellence == (
        scores["performance"] >= PERFORMANCE_THRESHOLD and "performance" not in found_in
    ), where
    assert awards.five_star == (len(earned) == len(STAR_SECTIONS) and awards.performance_excellence), where


# No shrink phase: each example runs the pipeline twice, and shrinking a six-organisation cohort takes Hypothesis's
# full five minutes; the assertion messages name the organisation and item instead.
@settings(
    max_examples=60,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_every_cohort_keeps_the_rules_outside_the_sections(
    data: st.DataObject, cohorts: st.SearchStrategy[list[dict[str, Any]]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    cohort = data.draw(cohorts, label="cohort")
    folder = tmp_path_factory.mktemp("cohort")
    result = assess_cohort(folder / "review", cohort, review=True)
    clean = assess_cohort(folder / "clean", cohort, review=False)
    flagged = bottom_three(cohort)

    assert len(result.ledgers) == len(cohort)
    for index, org in enumerate(cohort):
        org_id = f"o{index}"
        ledger = result.ledgers[org_id]
        heavy = expected_heavy(org_id, org, flagged)

        check_items(ledger, clean.ledgers[org_id], set(org["falsified"]))
        check_sections(ledger)

        assert {deduction.item.id: deduction.points for deduction in ledger.heavy} == heavy, org_id
        assert all(Decimal(5) <= deduction.points <= Decimal(10) for deduction in ledger.heavy), org_id
        sections = sum((section.score for section in ledger.sections.values()), Decimal(0))
        assert ledger.total == sections - sum(heavy.values(), Decimal(0)), org_id

        check_awards(ledger, org, heavy)
