"""`assess whatif` and `assess run --policy`: every policy key moves at least
one organisation, and what whatif reports from one reading of the evidence is
exactly what two full runs (the config's policies, and the changed one) give."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from fivestar import Organisation, Policy, Problem, RunContext, choice_policy, hookimpl
from fivestar.config import load_config
from fivestar.pipeline import prepare, run
from fivestar.report.view import display_width
from fivestar.whatif import plan, policy_options, what_if
from samples import FULL

Invoke = Callable[..., Result]
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def sample(tmp_path: Path, write_org: Callable[..., Path], write_config: Callable[..., Path]) -> Path:
    """The 2020 sample cohort, without a history store."""
    copy = tmp_path / "examples"
    shutil.copytree(EXAMPLES, copy, ignore=shutil.ignore_patterns("*.sqlite3"))
    return copy / "shaoxing-2020" / "config.toml"


def same_project_recognitions(
    tmp_path: Path, write_org: Callable[..., Path], write_config: Callable[..., Path]
) -> Path:
    """Two organisations: one recognised twice for one project (2 + 1.5 under
    "sum", 2 under "highest"), one not at all. The sample has no such case."""
    day = dt.date(2020, 6, 1)
    twice = [
        {"project": "A", "level": "provincial", "form": "commendation", "date": day},
        {"project": "A", "level": "national", "form": "publication", "date": day},
    ]
    write_org("twice", **{**FULL, "bonus": {"recognitions": twice}})
    write_org("none", **FULL)
    return write_config()


def falsified_over_the_cap(tmp_path: Path, write_org: Callable[..., Path], write_config: Callable[..., Path]) -> Path:
    """A bonus of 14 whose 2-point commendation is found falsified: 6 after the cap, 8 before it."""
    commendation = {"project": "A", "level": "provincial", "date": dt.date(2020, 6, 1), "document": "浙委〔2020〕1号"}
    bonus = {"commendations": [commendation], "new_stations": 12}
    write_org("capped", review={"falsified": ["bonus.commendations"]}, **{**FULL, "bonus": bonus})
    write_org("none", **FULL)
    return write_config()


CASES: dict[str, tuple[str, Callable[..., Path]]] = {
    "falsification": ("zero", sample),
    "heavy_default": ("10", sample),
    "star_threshold": ("0.9", sample),
    "performance_threshold": ("20", sample),
    "recognition_same_project": ("sum", same_project_recognitions),
    "study_hours": ("all-or-nothing", sample),
    "conduct_improvement": ("5", sample),
    "unrated": ("zero", sample),
    "falsified_bonus": ("before-cap", falsified_over_the_cap),
    "unverified_claims": ("ignore", sample),
}
"""Every policy key: a value other than the sample's, and a cohort on which it
moves at least one organisation."""


def declared_policies() -> set[str]:
    _pm, context = prepare(load_config(EXAMPLES / "shaoxing-2020" / "config.toml"))
    return set(context.registry.policies)


def test_every_policy_key_has_a_whatif_case() -> None:
    """A policy registered by any plugin needs its case in CASES."""
    assert set(CASES) == declared_policies()


def run_json(invoke: Invoke, config: Path, *options: str) -> dict[str, Any]:
    result = invoke("run", config, "--format", "json", *options)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout, parse_float=Decimal)


def whatif_json(invoke: Invoke, config: Path, *options: str) -> dict[str, Any]:
    result = invoke("whatif", config, "--format", "json", *options)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout, parse_float=Decimal)


def standing(entry: dict[str, Any]) -> tuple[Any, ...]:
    awards = entry["awards"]
    flags = [flag for flag in ("party_building_excellence", "performance_excellence", "five_star") if awards[flag]]
    return entry["total"], entry["rank"], sorted(awards["stars"]), flags


def item_points(entry: dict[str, Any]) -> dict[str, Decimal]:
    points = {
        item_id: line["points"] for section in entry["sections"].values() for item_id, line in section["items"].items()
    }
    points.update({deduction["id"]: deduction["points"] for deduction in entry["heavy"]})
    return points


@pytest.mark.parametrize("key", sorted(CASES))
def test_each_policy_through_whatif_is_what_two_runs_give(
    key: str,
    invoke: Invoke,
    tmp_path: Path,
    write_org: Callable[..., Path],
    write_config: Callable[..., Path],
) -> None:
    value, make_cohort = CASES[key]
    config = make_cohort(tmp_path, write_org, write_config)
    before = {entry["id"]: entry for entry in run_json(invoke, config)["organisations"]}
    after_run = run_json(invoke, config, "--policy", f"{key}={value}")
    after = {entry["id"]: entry for entry in after_run["organisations"]}
    expected = {org_id for org_id in after if standing(after[org_id]) != standing(before[org_id])}
    assert expected, f"{key}={value} moves nobody: the case shows nothing"

    document = whatif_json(invoke, config, "--policy", f"{key}={value}")
    scenario = document["scenarios"][0]
    assert scenario["policies"] == after_run["policies"]
    moved = {change["id"]: change for change in scenario["organisations"]}
    assert set(moved) == expected
    for org_id, change in moved.items():
        old, new = before[org_id], after[org_id]
        assert (change["total"]["before"], change["total"]["after"]) == (old["total"], new["total"])
        assert change["total"]["change"] == new["total"] - old["total"]
        assert (change["rank"]["before"], change["rank"]["after"]) == (old["rank"], new["rank"])
        assert (sorted(change["stars"]["before"]), sorted(change["stars"]["after"])) == (
            standing(old)[2],
            standing(new)[2],
        )
        assert (change["awards"]["before"], change["awards"]["after"]) == (standing(old)[3], standing(new)[3])
        points_before, points_after = item_points(old), item_points(new)
        moved_lines = {move["id"]: (move["before"], move["after"]) for move in change["items"] + change["heavy"]}
        assert moved_lines == {
            line: (points_before.get(line), points_after.get(line))
            for line in points_before.keys() | points_after.keys()
            if points_before.get(line) != points_after.get(line)
        }
    changes = [abs(change["total"]["change"]) for change in scenario["organisations"]]
    assert changes == sorted(changes, reverse=True), "largest movers first"


def test_the_summary_counts_awards_before_and_after(invoke: Invoke, tmp_path: Path, write_org, write_config) -> None:
    config = sample(tmp_path, write_org, write_config)
    before = run_json(invoke, config)["organisations"]
    after = run_json(invoke, config, "--policy", "unrated=zero", "--policy", "star_threshold=0.9")["organisations"]
    summary = whatif_json(invoke, config, "--policy", "unrated=zero", "--policy", "star_threshold=0.9")["scenarios"][0][
        "summary"
    ]

    def count(entries: list[dict[str, Any]], flag: str) -> int:
        return sum(bool(entry["awards"][flag]) for entry in entries)

    assert summary["stars"] == {
        "before": sum(len(entry["awards"]["stars"]) for entry in before),
        "after": sum(len(entry["awards"]["stars"]) for entry in after),
    }
    for flag in ("party_building_excellence", "performance_excellence", "five_star"):
        old = {entry["id"] for entry in before if entry["awards"][flag]}
        new = {entry["id"] for entry in after if entry["awards"][flag]}
        assert summary[flag] == {
            "before": count(before, flag),
            "after": count(after, flag),
            "gained": len(new - old),
            "lost": len(old - new),
        }
    assert summary["five_star"]["lost"] > 0
    by_id = {entry["id"]: entry for entry in before}
    assert summary["stars_changed"] == sum(
        sorted(entry["awards"]["stars"]) != sorted(by_id[entry["id"]]["awards"]["stars"]) for entry in after
    )


def test_a_sweep_has_a_row_per_value_and_the_margin(invoke: Invoke, tmp_path: Path, write_org, write_config) -> None:
    config = sample(tmp_path, write_org, write_config)
    values = ["0.75", "0.8", "0.85", "0.9"]
    document = whatif_json(invoke, config, "--policy", "star_threshold=" + ",".join(values))
    sweep = document["sweep"]
    assert sweep["key"] == "star_threshold"
    assert [str(row["value"]) for row in sweep["rows"]] == values
    runs = {value: run_json(invoke, config, "--policy", f"star_threshold={value}")["organisations"] for value in values}
    for row in sweep["rows"]:
        entries = runs[str(row["value"])]
        assert row["stars"] == sum(len(entry["awards"]["stars"]) for entry in entries)
        assert row["five_star"] == sum(entry["awards"]["five_star"] for entry in entries)
    assert [(str(entry["from"]), str(entry["to"])) for entry in sweep["margin"]] == list(itertools.pairwise(values))
    for entry in sweep["margin"]:
        left = {org["id"]: standing(org)[2:] for org in runs[str(entry["from"])]}
        right = {org["id"]: standing(org)[2:] for org in runs[str(entry["to"])]}
        assert {org["id"] for org in entry["organisations"]} == {
            org_id for org_id in left if left[org_id] != right[org_id]
        }
    assert any(entry["organisations"] for entry in sweep["margin"])
    assert len(document["scenarios"]) == len(values)


def test_scenarios_that_share_one_reading_do_not_touch_each_other(
    invoke: Invoke, tmp_path: Path, write_org, write_config
) -> None:
    """Each value is scored from the same organisations read once, and each
    gives what its own run gives, whatever came before it."""
    config = sample(tmp_path, write_org, write_config)
    values = ["10", "6", "10", "5"]
    document = whatif_json(
        invoke, config, "--policy", "falsification=zero", "--policy", "heavy_default=" + ",".join(values)
    )
    assert {scenario["repeated"] for scenario in document["scenarios"][:3]} == {"scoring"}
    before = {entry["id"]: entry["total"] for entry in run_json(invoke, config)["organisations"]}
    for value, scenario in zip(values, document["scenarios"], strict=True):
        after = run_json(invoke, config, "--policy", "falsification=zero", "--policy", f"heavy_default={value}")
        totals = {entry["id"]: entry["total"] for entry in after["organisations"]}
        moved = {change["id"]: change["total"]["after"] for change in scenario["organisations"]}
        changed_totals = {org_id for org_id, total in totals.items() if total != before[org_id]}
        assert changed_totals and changed_totals <= set(moved)
        assert all(moved[org_id] == totals[org_id] for org_id in moved)


def test_the_sweep_table_in_the_terminal(invoke: Invoke, tmp_path: Path, write_org, write_config) -> None:
    config = sample(tmp_path, write_org, write_config)
    result = invoke("whatif", config, "--policy", "star_threshold=0.75,0.8,0.85,0.9")
    assert result.exit_code == 0, result.output
    assert "取值对比: star_threshold" in result.stdout
    assert "处于边界的党组织" in result.stdout
    assert "0.85 → 0.9" in result.stdout


@pytest.mark.parametrize(
    ("option", "config_value", "tail"),
    [
        ("star_threshold=1.5", 1.5, "[policy] star_threshold: expected a number 0..1, found 1.5"),
        ("unrated=maybe", "maybe", '[policy] unrated: expected one of "full", "zero", found "maybe"'),
        ("heavy_default=4", 4, "[policy] heavy_default: expected a number 5..10, found 4"),
    ],
)
def test_a_bad_value_is_the_same_error_as_in_the_config(
    option: str, config_value: Any, tail: str, invoke: Invoke, write_org, write_config, tmp_path: Path
) -> None:
    write_org("a", **FULL)
    key = option.split("=")[0]
    bad_config = write_config(policy={key: config_value})
    from_config = invoke("run", bad_config)
    assert from_config.exit_code == 2
    assert from_config.stderr.strip().endswith(tail)
    good_config = write_config(policy={key: "full"} if key == "unrated" else {})
    bad_config.write_text(good_config.read_text(encoding="utf-8").replace(f"{key} = ", "#"), encoding="utf-8")
    for command in ("whatif", "run"):
        result = invoke(command, bad_config, "--policy", option)
        assert result.exit_code == 2, command
        assert result.stderr.strip() == f"error: <command line> --policy: {tail}"


def test_an_unknown_key_names_the_known_ones(invoke: Invoke, write_org, write_config) -> None:
    write_org("a", **FULL)
    config = write_config()
    for command in ("whatif", "run"):
        result = invoke(command, config, "--policy", "star_treshold=0.9")
        assert result.exit_code == 2
        assert "[policy] star_treshold: unknown policy star_treshold; did you mean star_threshold?" in result.stderr
        assert "(expected one of conduct_improvement," in result.stderr
        assert "found unknown policy star_treshold" in result.stderr
    assert invoke("run", config).exit_code == 0


def test_sweeping_two_keys_or_a_run_with_several_values_is_refused(invoke: Invoke, write_org, write_config) -> None:
    write_org("a", **FULL)
    config = write_config()
    two = invoke("whatif", config, "--policy", "star_threshold=0.8,0.9", "--policy", "unrated=zero,full")
    assert two.exit_code == 2
    assert "several values for one key only" in two.stderr
    several = invoke("run", config, "--policy", "star_threshold=0.8,0.9")
    assert several.exit_code == 2
    assert "one value for a run" in several.stderr
    malformed = invoke("whatif", config, "--policy", "star_threshold")
    assert malformed.exit_code == 2
    assert "expected KEY=VALUE" in malformed.stderr
    assert invoke("whatif", config).exit_code == 2


def test_run_policy_is_stated_by_every_report(invoke: Invoke, write_org, write_config, tmp_path: Path) -> None:
    write_org("a", **FULL)
    config = write_config()
    document = run_json(invoke, config, "--policy", "star_threshold=0.85")
    assert document["policies"]["star_threshold"] == Decimal("0.85")
    assert document["command_line_policies"] == ["star_threshold"]
    assert run_json(invoke, config)["command_line_policies"] == []
    table = invoke("run", config, "--policy", "star_threshold=0.85").stdout
    assert "star_threshold=0.85" in table
    assert "仅本次运行、由命令行设定: star_threshold" in table
    out = tmp_path / "out"
    result = invoke(
        "run",
        config,
        "--policy",
        "star_threshold=0.85",
        "--format",
        "csv,html,xlsx",
        "--output-dir",
        out,
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    assert "star_threshold=0.85" in (out / "results-2020.csv").read_text(encoding="utf-8-sig")
    assert "0.85 · set on the command line for this run only" in (out / "results-2020.html").read_text(encoding="utf-8")
    from openpyxl import load_workbook

    workbook = load_workbook(out / "results-2020.xlsx")
    cells = [[cell.value for cell in row] for sheet in workbook for row in sheet.iter_rows()]
    assert any(
        row[:2] == ["star_threshold", 0.85] and str(row[2]).startswith("set on the command line for this run only")
        for row in cells
    )


def test_formats_and_languages(invoke: Invoke, tmp_path: Path, write_org, write_config) -> None:
    config = sample(tmp_path, write_org, write_config)
    document = whatif_json(invoke, config, "--policy", "unrated=zero")
    moved = document["scenarios"][0]["organisations"]
    table = invoke("whatif", config, "--policy", "unrated=zero").stdout
    assert "变动的党组织" in table and "汇总" in table
    assert all(change["name"] in table for change in moved)
    english = invoke("whatif", config, "--policy", "unrated=zero", "--lang", "en").stdout
    assert "Organisations that change" in english and "变动" not in english and "汇总" not in english
    rows = list(
        csv.DictReader(
            io.StringIO(invoke("whatif", config, "--policy", "unrated=zero", "--format", "csv").stdout.lstrip("\ufeff"))
        )
    )
    assert [row["id"] for row in rows] == [change["id"] for change in moved]
    assert all(row["scenario"] == "unrated=zero" for row in rows)
    page = tmp_path / "whatif.html"
    result = invoke("whatif", config, "--policy", "star_threshold=0.8,0.9", "--format", "html", "--output", page)
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "取值对比" in html and "处于边界的党组织" in html
    assert 'class="sweep"' in html and html.count('class="scenario"') == 2
    policies = html[html.index('<table class="policies">') : html.index("</header>")]
    assert "加倍倒扣" in policies and "double-reverse" not in policies and "falsified item" not in policies


def test_a_scenario_repeats_only_the_steps_its_policies_reach(
    invoke: Invoke, tmp_path: Path, write_org, write_config
) -> None:
    config = sample(tmp_path, write_org, write_config)
    document = whatif_json(invoke, config, "--policy", "star_threshold=0.9,0.8")
    assert [scenario["repeated"] for scenario in document["scenarios"]] == ["rating", "nothing"]
    assert [scenario["scored_again"] for scenario in document["scenarios"]] == [12, 0]
    assert document["scenarios"][1]["organisations"] == []
    scored = whatif_json(invoke, config, "--policy", "unrated=zero")["scenarios"][0]
    assert (scored["repeated"], scored["evidence_reread"]) == ("scoring", False)
    penalised = whatif_json(invoke, config, "--policy", "heavy_default=10,6", "--policy", "falsification=zero")
    assert [scenario["repeated"] for scenario in penalised["scenarios"]] == ["scoring", "scoring"]
    for scenario in penalised["scenarios"]:
        # only the organisations with a falsified or heavy item read these policies: the others keep their ledgers
        assert 0 < scenario["scored_again"] < scenario["summary"]["scored"]


def test_a_failed_organisation_is_left_out_of_both_sides(invoke: Invoke, write_org, write_config) -> None:
    write_org("a", **FULL)
    write_org("broken", **{**FULL, "learning": {**FULL["learning"], "halfyear_reports": "two"}})
    config = write_config()
    result = invoke("whatif", config, "--policy", "star_threshold=0.9", "--format", "json")
    assert result.exit_code == 1
    assert "broken" in result.stderr
    document = json.loads(result.stdout)
    assert [entry["id"] for entry in document["failed"]] == ["broken"]
    assert document["scenarios"][0]["summary"]["scored"] == 1


def test_the_views_fit_the_terminal_and_clean_what_evidence_says(invoke: Invoke, write_org, write_config) -> None:
    """Names from evidence may be long or hold control characters: the table
    keeps to 100 columns and no ESC reaches a terminal, a CSV or a page."""
    name = "中共绍兴市某某某某某某某某某某某某某某某某某某某某某某某某某某局\x1b[31m机关委员会"
    write_org("odd", **{**FULL, "organisation": {"id": "odd", "name": name}})
    write_org("plain", **FULL)
    config = write_config()
    for lang in ("zh", "en"):
        table = invoke("whatif", config, "--policy", "unrated=zero", "--lang", lang)
        assert table.exit_code == 0, table.output
        assert "\x1b" not in table.stdout
        assert max(display_width(line) for line in table.stdout.splitlines()) <= 100
        assert "某某" in table.stdout
    for output_format in ("csv", "html"):
        text = invoke("whatif", config, "--policy", "unrated=zero", "--format", output_format).stdout
        assert "\x1b" not in text and "某某" in text, output_format


def test_an_unchanged_cohort_says_so(invoke: Invoke, write_org, write_config) -> None:
    write_org("a", **FULL)
    config = write_config()
    result = invoke("whatif", config, "--policy", "star_threshold=0.8")
    assert result.exit_code == 0
    assert "没有党组织发生变化。" in result.stdout


class ReadsPolicyWhileReading:
    """A plugin whose validate step reads a policy: an organisation without
    a bonus table fails under strict = "yes"."""

    @hookimpl
    def assess_policies(self) -> list[Policy]:
        return [choice_policy("strict_bonus", "no", ("no", "yes"))]

    @hookimpl
    def assess_validate(self, organisation: Organisation, context: RunContext) -> list[Problem]:
        if context.policy("strict_bonus") == "yes" and not organisation.facts["bonus"]["recognitions"]:
            return [Problem("error", str(organisation.path), "bonus", "recognitions", "a recognition", "none")]
        return []


def test_a_policy_read_while_reading_the_evidence_reads_it_again(
    tmp_path: Path, write_org: Callable[..., Path], write_config: Callable[..., Path]
) -> None:
    config = load_config(same_project_recognitions(tmp_path, write_org, write_config))
    plugin = ReadsPolicyWhileReading()
    pm, context = prepare(config, plugins=[plugin])
    chosen = plan(context, policy_options(["strict_bonus=yes", "star_threshold=0.9"]))
    comparison = what_if(config.organisation_files(), pm, context, chosen.scenarios)
    scenario = comparison.scenarios[0]
    assert scenario.reread
    assert [change.id for change in scenario.moved] == ["none"]
    assert scenario.standings["none"].total is None
    config.command_line_policy = {"strict_bonus": "yes", "star_threshold": Decimal("0.9")}
    full_run = run(config, plugins=[ReadsPolicyWhileReading()])
    assert [organisation.id for organisation in full_run.failed] == ["none"]
    only_scoring = what_if(config.organisation_files(), pm, context, [{"star_threshold": Decimal("0.9")}])
    assert not only_scoring.scenarios[0].reread
