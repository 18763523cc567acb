"""One value cannot poison a cohort: every numeric fact has a declared range,
decimals are bounded in size and places (checked at validation), and an
organisation that fails never counts in a cohort figure."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fivestar import hookimpl
from fivestar.cli import main
from fivestar.config import RunConfig
from fivestar.facts import Amount, Count, FactType, Records
from fivestar.pipeline import RunResult, prepare
from samples import toml_literal

WriteOrg = Callable[..., Path]
Assess = Callable[..., RunResult]


def numeric_types(fact_type: FactType) -> list[Count | Amount]:
    if isinstance(fact_type, Records):
        return [found for field in fact_type.fields.values() for found in numeric_types(field)]
    return [fact_type] if isinstance(fact_type, (Count, Amount)) else []


def test_every_numeric_fact_of_the_2020_rules_declares_its_range() -> None:
    registry = prepare(RunConfig(path=Path("<defaults>"), year=2020, history=False))[1].registry
    declared = {
        f"{section}.{name}": numeric
        for section, types in registry.schema.items()
        for name, fact_type in types.items()
        for numeric in numeric_types(fact_type)
    }
    assert declared
    for key, numeric in declared.items():
        assert numeric.minimum is not None and numeric.maximum is not None, key
        assert numeric.maximum <= 1000, key
    assert (declared["performance.conduct_rating"].minimum, declared["performance.conduct_rating"].maximum) == (0, 100)


def errors_of(result: Any) -> list[tuple[str, str, str]]:
    return [(problem.table, problem.key, problem.expected) for problem in result.failed[0].errors]


@pytest.mark.parametrize(
    ("table", "key", "value", "expected"),
    [
        ("performance", "conduct_rating", "1e999999", "a number 0..100"),
        ("performance", "conduct_rating", "1e999990", "a number 0..100"),
        ("performance", "conduct_rating", "100.5", "a number 0..100"),
        ("performance", "conduct_rating", "90.123456", "at most 4 decimal places"),
        ("performance", "conduct_rating", "1e-999999", "at most 4 decimal places"),
        ("learning", "unimplemented", 10**12, "a whole number 0..100"),
        ("innovation", "station_activities", 1001, "a whole number 0..1000"),
    ],
)
def test_an_out_of_range_number_fails_validation(
    write_org: WriteOrg, assess: Assess, table: str, key: str, value: Any, expected: str
) -> None:
    write_org("a", **{table: {key: toml_literal(value) if isinstance(value, str) else value}})
    result = assess()
    ((found_table, found_key, found_expected),) = errors_of(result)
    assert (found_table, found_key) == (table, key)
    assert expected in found_expected


def test_showcase_points_are_bounded(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", bonus={"showcase": [{"name": "晒比", "points": toml_literal("1e300")}]})
    ((table, key, expected),) = errors_of(assess())
    assert (table, key) == ("bonus", "showcase[0].points")
    assert "0..10" in expected


def test_a_valid_rating_with_places_is_kept_exact(write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", performance={"conduct_rating": toml_literal("99.9999")})
    result = assess()
    assert not result.failed
    assert result.organisations[0].facts["performance"]["conduct_rating"] == Decimal("99.9999")


def test_a_huge_rating_stops_at_validate(tmp_path: Path, write_org: WriteOrg) -> None:
    path = write_org("a", performance={"conduct_rating": toml_literal("1e999999")})
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert "[performance] conduct_rating" in result.stdout
    assert "1 error(s)" in result.stdout


class FailsAtScore:
    @hookimpl
    def assess_score(self, ledger: Any, context: Any) -> None:
        if ledger.organisation.id == "broken":
            raise RuntimeError("a bug met only by this organisation")


def test_an_organisation_that_fails_at_scoring_counts_in_no_cohort_figure(write_org: WriteOrg, assess: Assess) -> None:
    for org_id, rating in (("a", "90"), ("b", "80"), ("c", "85"), ("d", "95"), ("broken", "0")):
        write_org(org_id, performance={"conduct_rating": toml_literal(rating)})

    result = assess(extra_plugins=(FailsAtScore(),))

    assert [organisation.id for organisation in result.failed] == ["broken"]
    assert result.context.cohort["performance.conduct_average"] == Decimal("87.5")
    assert result.context.cohort["performance.bottom_three"] == frozenset({"a", "b", "c"})
    conduct = {org_id: ledger.items["performance.conduct_rating"].points for org_id, ledger in result.ledgers.items()}
    assert conduct == {"a": 5, "b": 0, "c": 0, "d": 5}


def test_a_poisoned_value_leaves_the_json_of_the_others_unchanged(
    tmp_path: Path, write_org: WriteOrg, write_config: Callable[..., Path]
) -> None:
    for org_id, rating in (("a", "90"), ("b", "80"), ("c", "85"), ("d", "95")):
        write_org(org_id, performance={"conduct_rating": toml_literal(rating)})
    config = write_config()
    clean = CliRunner().invoke(main, ["run", str(config), "--format", "json"])
    write_org("poison", performance={"conduct_rating": toml_literal("1e999990")})

    poisoned = CliRunner().invoke(main, ["run", str(config), "--format", "json"])

    assert poisoned.exit_code == 1
    assert len(poisoned.stdout) < 2 * len(clean.stdout)
    before = {entry["id"]: entry["total"] for entry in json.loads(clean.stdout)["organisations"]}
    after = {entry["id"]: entry["total"] for entry in json.loads(poisoned.stdout)["organisations"]}
    assert after == {**before, "poison": None}
