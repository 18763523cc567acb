"""The run config: every mistake is an error naming the file, the table and
the key, found before anything is scored; `assess run` exits 2 with nothing
on stdout."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from fivestar.cli import main
from fivestar.config import load_config
from fivestar.model import InputError, Problem
from fivestar.pipeline import RunResult, prepare

HEADER = '[assessment]\nyear = 2020\norganisations = ["orgs/*.toml"]\n'


@pytest.fixture
def config_file(tmp_path: Path, write_org: Callable[..., Path]) -> Callable[[str], Path]:
    """config_file(text) → config.toml with that text, next to one valid organisation."""
    write_org("a", learning={"halfyear_reports": 2})

    def write(text: str) -> Path:
        path = tmp_path / "config.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def config_problems(path: Path) -> list[Problem]:
    """Every check a run makes before scoring: the file, the plugins, the files it names."""
    try:
        config = load_config(path)
        prepare(config)
        config.organisation_files()
    except InputError as error:
        return error.problems
    return []


BAD_CONFIGS = [
    pytest.param(HEADER + '[polcy]\nstudy_hours = "hours-split"\n', "", "polcy", "[polcy]", id="unknown-table"),
    pytest.param(
        '[assessment]\nyear = 2020\nyaer = 2021\norganisations = ["orgs/*.toml"]\n',
        "assessment",
        "yaer",
        "unknown key yaer",
        id="unknown-key",
    ),
    pytest.param(
        HEADER + '[rules]\ndisable = ["learning.conveyed", "learning.nope"]\n',
        "rules",
        "disable",
        '"learning.nope"',
        id="unknown-item-id",
    ),
    pytest.param(
        HEADER + '[policy]\nstduy_hours = "hours-split"\n',
        "policy",
        "stduy_hours",
        "unknown policy",
        id="unknown-policy",
    ),
    pytest.param(HEADER + '[policy]\nstudy_hours = "half"\n', "policy", "study_hours", '"half"', id="bad-choice"),
    pytest.param(HEADER + "[policy]\nstar_threshold = 2\n", "policy", "star_threshold", "2", id="number-over-max"),
    pytest.param(HEADER + '[plugins]\ndisable = ["learnin"]\n', "plugins", "disable", '"learnin"', id="unknown-plugin"),
    pytest.param('[assessment]\norganisations = ["orgs/*.toml"]\n', "assessment", "year", "nothing", id="no-year"),
    pytest.param(
        '[assessment]\nyear = 2020\norganisations = ["orgs/*.toml", "archive/*.toml"]\n',
        "assessment",
        "organisations",
        '"archive/*.toml" (matches nothing)',
        id="empty-glob",
    ),
    pytest.param(
        '[assessment]\nyear = 2020\norganisations = ["orgs/ghost.toml"]\n',
        "assessment",
        "organisations",
        '"orgs/ghost.toml"',
        id="missing-file",
    ),
    pytest.param(HEADER + "[policy]\nstar_threshold = nan\n", "policy", "star_threshold", "nan", id="policy-nan"),
    pytest.param(HEADER + "[policy]\nstar_threshold = inf\n", "policy", "star_threshold", "inf", id="policy-inf"),
    pytest.param(
        HEADER + "[policy]\nconduct_improvement = inf\n", "policy", "conduct_improvement", "inf", id="policy-inf-no-max"
    ),
    pytest.param(
        HEADER + "[policy]\nheavy_default = 1e5000\n", "policy", "heavy_default", "1e+5000", id="policy-huge-exponent"
    ),
]


@pytest.mark.parametrize(("text", "table", "key", "found"), BAD_CONFIGS)
def test_bad_config_is_one_precise_problem(
    config_file: Callable[[str], Path], text: str, table: str, key: str, found: str
) -> None:
    path = config_file(text)
    (problem,) = config_problems(path)
    assert problem.severity == "error"
    assert (problem.file, problem.table, problem.key) == (str(path), table, key)
    assert found in problem.found
    assert problem.expected


@pytest.mark.parametrize(("text", "table", "key", "found"), BAD_CONFIGS)
def test_bad_config_stops_assess_run_with_exit_2(
    config_file: Callable[[str], Path], text: str, table: str, key: str, found: str
) -> None:
    path = config_file(text)
    result = CliRunner().invoke(main, ["run", str(path), "--format", "json"])

    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert str(path) in line
    assert (f"[{table}] {key}" if table else key) in line
    assert found in line


def test_every_problem_of_a_config_is_listed_at_once(config_file: Callable[[str], Path]) -> None:
    path = config_file('[assessment]\naward_year = "yes"\norganisations = ["orgs/*.toml"]\n[output]\nformat = "json"\n')
    problems = config_problems(path)
    assert sorted((problem.table, problem.key) for problem in problems) == [
        ("", "output"),
        ("assessment", "award_year"),
        ("assessment", "year"),
    ]

    result = CliRunner().invoke(main, ["run", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len([line for line in result.stderr.splitlines() if line.startswith("error:")]) == 3


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('[assessment\nyear = 2020\norganisations = ["orgs/*.toml"]\n', "line 1"),
        (HEADER + "[policy]\nstar_threshold = \n", "line 5"),
    ],
)
def test_config_that_is_not_toml(config_file: Callable[[str], Path], text: str, found: str) -> None:
    path = config_file(text)
    (problem,) = config_problems(path)
    assert (problem.file, problem.expected) == (str(path), "valid TOML")
    assert found in problem.found

    result = CliRunner().invoke(main, ["run", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_missing_config_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    result = CliRunner().invoke(main, ["run", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert str(path) in result.stderr
    assert "no such file" in result.stderr


@pytest.mark.parametrize(
    ("value", "parsed"),
    [("0", Decimal(0)), ("0.8", Decimal("0.8")), ("1", Decimal(1)), ("1.0", Decimal(1))],
)
def test_star_threshold_bounds_accepted(config_file: Callable[[str], Path], value: str, parsed: Decimal) -> None:
    _pm, context = prepare(load_config(config_file(HEADER + f"[policy]\nstar_threshold = {value}\n")))
    assert context.policy("star_threshold") == parsed
    assert isinstance(context.policy("star_threshold"), Decimal)


@pytest.mark.parametrize("value", ["1.01", "-0.1", "true", '"0.8"', "[0.8]"])
def test_star_threshold_outside_or_of_wrong_type_refused(config_file: Callable[[str], Path], value: str) -> None:
    path = config_file(HEADER + f"[policy]\nstar_threshold = {value}\n")
    (problem,) = config_problems(path)
    assert (problem.table, problem.key, problem.expected) == ("policy", "star_threshold", "a number 0..1")


@pytest.mark.parametrize("value", ["hours-split", "all-or-nothing"])
def test_study_hours_choices_accepted(config_file: Callable[[str], Path], value: str) -> None:
    _pm, context = prepare(load_config(config_file(HEADER + f'[policy]\nstudy_hours = "{value}"\n')))
    assert context.policy("study_hours") == value


def test_policy_defaults_without_a_policy_table(config_file: Callable[[str], Path]) -> None:
    _pm, context = prepare(load_config(config_file(HEADER)))
    assert context.policy("study_hours") == "hours-split"
    assert context.policy("star_threshold") == Decimal("0.8")
    assert context.policy("falsification") == "double-reverse"


def test_disabled_item_leaves_the_section_maximum(
    write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    write_org("a", learning={"halfyear_reports": 2})
    result = assess(rules={"disable": ["learning.conveyed"]})

    line = result.ledgers["a"].items["learning.conveyed"]
    assert (line.status, line.points) == ("disabled", Decimal(0))
    assert result.ledgers["a"].sections["learning"].max == Decimal(22)
    assert result.context.registry.disabled == frozenset({"learning.conveyed"})


def test_paths_are_relative_to_the_config_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config_file: Callable[[str], Path]
) -> None:
    path = config_file(HEADER)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert load_config(path).organisation_files() == [tmp_path / "orgs" / "a.toml"]


def test_overlapping_patterns_name_each_file_once(config_file: Callable[[str], Path]) -> None:
    path = config_file('[assessment]\nyear = 2020\norganisations = ["orgs/*.toml", "orgs/a.toml", "**/a.toml"]\n')
    assert [file.name for file in load_config(path).organisation_files()] == ["a.toml"]


@pytest.mark.parametrize(
    ("text", "table", "key", "found"),
    [
        pytest.param(
            '[assessment]\nyear = 2020.0\norganisations = ["orgs/*.toml"]\n',
            "assessment",
            "year",
            "2020.0",
            id="decimal",
        ),
        pytest.param(
            '[assessment]\nyear = "2020"\norganisations = ["orgs/*.toml"]\n', "assessment", "year", '"2020"', id="text"
        ),
        pytest.param('[assessment]\norganisations = ["orgs/*.toml"]\n', "assessment", "year", "nothing", id="missing"),
        pytest.param(HEADER + "yaer = 2021\n", "assessment", "yaer", "unknown key yaer", id="unknown-key"),
        pytest.param(HEADER + "[polcy]\n", "", "polcy", "[polcy]", id="unknown-table"),
    ],
)
def test_found_is_shown_as_the_file_wrote_it(
    config_file: Callable[[str], Path], text: str, table: str, key: str, found: str
) -> None:
    """A decimal keeps its point (2020.0 is why a year is refused); words such
    as "nothing" are not quoted as if the file held that text."""
    (problem,) = config_problems(config_file(text))
    assert (problem.table, problem.key, problem.found) == (table, key, found)


def test_a_huge_number_policy_within_its_range_is_reported_not_crashed(config_file: Callable[[str], Path]) -> None:
    path = config_file(HEADER + "[policy]\nconduct_improvement = 1e5000\n")
    result = CliRunner().invoke(main, ["run", str(path)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.stderr
    assert "conduct_improvement=1" + "0" * 5000 in result.stdout.replace("\n", "")


@pytest.mark.parametrize(
    "text",
    [
        '[assessment]\nyear = 2020\norganisations = ["orgs/*.toml"]\nrest = ' + "9" * 5000 + "\n",
        '[assessment]\nyear = 2020\norganisations = ["orgs/*.toml"]\nrest = ' + "[" * 5000 + "]" * 5000 + "\n",
    ],
    ids=["integer-too-long", "nested-too-deep"],
)
def test_toml_that_python_cannot_read_is_a_config_error(config_file: Callable[[str], Path], text: str) -> None:
    path = config_file(text)
    (problem,) = config_problems(path)
    assert (problem.file, problem.expected) == (str(path), "valid TOML")

    result = CliRunner().invoke(main, ["run", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_a_config_with_a_byte_order_mark_is_read(config_file: Callable[[str], Path]) -> None:
    """Windows editors save UTF-8 with a BOM; `assess validate` still takes the file as a run config."""
    path = config_file("")
    path.write_bytes(b"\xef\xbb\xbf" + HEADER.encode("utf-8") + b"[policy]\nstar_threshold = 0.75\n")
    _pm, context = prepare(load_config(path))
    assert context.policy("star_threshold") == Decimal("0.75")

    result = CliRunner().invoke(main, ["validate", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 file(s), 0 error(s)" in result.stdout


def test_a_pattern_names_files_not_folders(tmp_path: Path, config_file: Callable[[str], Path]) -> None:
    (tmp_path / "orgs" / "archive").mkdir()
    path = config_file('[assessment]\nyear = 2020\norganisations = ["orgs/*", "orgs/**"]\n')
    assert load_config(path).organisation_files() == [tmp_path / "orgs" / "a.toml"]
