"""The `assess` command line: the JSON result contract, output files, exit
codes, validate, the catalogue commands, the template and the logs."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from fivestar import __version__
from fivestar.logs import configure_logging, get_logger
from samples import LEARNING, NEAR_FULL_LEARNING, NEAR_FULL_LEARNING_SCORE

HEAVY_ID = "learning.heavy.unprofessional_staff"
Invoke = Callable[..., Result]


@pytest.fixture
def cohort(write_org: Callable[..., Path], write_config: Callable[..., Path]) -> Path:
    """Two organisations with the same learning facts; "heavy" also has a heavy item of 7."""
    write_org("full", learning=NEAR_FULL_LEARNING)
    write_org("heavy", learning=NEAR_FULL_LEARNING, review={"heavy": {HEAVY_ID: 7}})
    return write_config()


def scored(text: str) -> dict[str, dict[str, Any]]:
    document = json.loads(text, parse_float=Decimal)
    return {entry["id"]: entry for entry in document["organisations"]}


# --------------------------------------------------------------------------
# run
# --------------------------------------------------------------------------


def test_run_json_follows_the_contract(invoke: Invoke, tmp_path: Path, cohort: Path) -> None:
    result = invoke("run", str(cohort), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout, parse_float=Decimal)

    assert document["year"] == 2020
    assert document["edition"] == "shaoxing-2020"
    assert document["policies"]["study_hours"] == "hours-split"
    assert document["policies"]["star_threshold"] == Decimal("0.8")
    organisations = {entry["id"]: entry for entry in document["organisations"]}
    assert sorted(organisations) == ["full", "heavy"]

    full, heavy = organisations["full"], organisations["heavy"]
    assert full["name"] == "测试单位full"
    assert (full["status"], full["errors"]) == ("scored", [])
    learning = full["sections"]["learning"]
    assert (learning["score"], learning["max"]) == (NEAR_FULL_LEARNING_SCORE, 25)
    conveyed = learning["items"]["learning.conveyed"]
    assert (conveyed["points"], conveyed["max"]) == (Decimal("2.8"), 3)
    assert "1.5×2" in conveyed["basis"] and "0.2×1" in conveyed["basis"] and "2.8" in conveyed["basis"]
    committee = learning["items"]["learning.committee_training"]
    assert (committee["points"], committee["max"]) == (6, 6)

    for entry in (full, heavy):
        sections = sum((section["score"] for section in entry["sections"].values()), Decimal(0))
        assert entry["total"] == sections - sum((line["points"] for line in entry["heavy"]), Decimal(0))
    assert full["heavy"] == []
    assert [(line["id"], line["points"]) for line in heavy["heavy"]] == [(HEAVY_ID, 7)]
    assert heavy["sections"]["learning"]["score"] == NEAR_FULL_LEARNING_SCORE
    assert heavy["total"] == full["total"] - 7

    assert "learning" in full["awards"]["stars"]
    assert "learning" not in heavy["awards"]["stars"]
    assert heavy["awards"]["party_building_excellence"] is False
    assert heavy["awards"]["five_star"] is False
    assert isinstance(full["awards"]["performance_excellence"], bool)
    assert isinstance(full["awards"]["party_building_excellence"], bool)

    provenance = full["provenance"]
    assert provenance["engine"] == f"fivestar-assess {__version__}"
    assert provenance["plugins"]["learning"] == __version__
    assert "fivestar.steps" in provenance["plugins"]
    evidence = tmp_path / "orgs" / "full.toml"
    assert provenance["evidence_sha256"] == hashlib.sha256(evidence.read_bytes()).hexdigest()


def test_run_json_prints_numbers_exactly(invoke: Invoke, cohort: Path) -> None:
    result = invoke("run", str(cohort), "--format", "json")
    assert result.exit_code == 0, result.output
    text = result.stdout

    assert '"points": 2.8,' in text
    assert '"score": 24.8,' in text
    assert "2.80000" not in text
    assert "24.80000" not in text
    assert "2.7999" not in text
    assert "Decimal" not in text


def test_run_refuses_decimals_with_more_places_than_evidence_may_have(
    invoke: Invoke, tmp_path: Path, write_org: Callable[..., Path], write_config: Callable[..., Path]
) -> None:
    """Showcase points and a heavy figure with more places than a float keeps (as a generator drawing floats
    writes them) are refused at validation, naming each; the rest of the cohort is still reported."""
    write_org("plain", learning=LEARNING)
    (tmp_path / "orgs" / "long.toml").write_text(
        '[organisation]\nid = "long"\n[[bonus.showcase]]\nname = "x"\npoints = 1.2345678901234567\n',
        encoding="utf-8",
    )
    (tmp_path / "reviews").mkdir()
    (tmp_path / "reviews" / "long.toml").write_text(
        f'[[organisations.long.findings]]\nitem = "{HEAVY_ID}"\npoints = 7.123456789012345\n', encoding="utf-8"
    )
    result = invoke("run", str(write_config()), "--format", "json")
    assert result.exit_code == 1, result.output
    organisations = scored(result.stdout)
    assert organisations["plain"]["status"] == "scored"
    long = organisations["long"]
    assert long["status"] == "failed"
    assert {error["key"] for error in long["errors"]} == {"showcase[0].points", "points"}
    (heavy,) = [error for error in long["errors"] if error["key"] == "points"]
    assert heavy["file"].endswith("long.toml") and heavy["table"] == 'organisations."long".findings[0]'
    assert "1.2345678901234567" not in str(organisations["plain"])


def test_run_output_file_and_nothing_on_stdout(invoke: Invoke, tmp_path: Path, cohort: Path) -> None:
    target = tmp_path / "out" / "results.json"
    written = invoke("run", str(cohort), "--format", "json", "--output", str(target))
    assert written.exit_code == 0, written.output
    assert written.stdout == ""
    assert target.is_file()
    assert not [path.name for path in target.parent.iterdir() if path.name.endswith(".tmp")]

    printed = invoke("run", str(cohort), "--format", "json")
    assert json.loads(target.read_text(encoding="utf-8")) == json.loads(printed.stdout)


def test_run_table_names_the_organisations(invoke: Invoke, cohort: Path) -> None:
    result = invoke("run", str(cohort))
    assert result.exit_code == 0, result.output
    assert "测试单位full" in result.stdout
    assert "测试单位heavy" in result.stdout
    assert "24.8" in result.stdout


def test_run_unknown_format_is_a_usage_error(invoke: Invoke, cohort: Path) -> None:
    result = invoke("run", str(cohort), "--format", "yaml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "yaml" in result.stderr


def assess_command() -> str:
    script = Path(sys.executable).with_name("assess")
    command = str(script) if script.exists() else shutil.which("assess")
    assert command, "the `assess` console script is not installed"
    return command


def test_installed_console_script(tmp_path: Path, cohort: Path) -> None:
    completed = subprocess.run(
        [assess_command(), "run", str(cohort), "--format", "json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    organisations = scored(completed.stdout)
    assert organisations["full"]["sections"]["learning"]["score"] == NEAR_FULL_LEARNING_SCORE
    assert "Traceback" not in completed.stderr


# --------------------------------------------------------------------------
# logs
# --------------------------------------------------------------------------


def test_json_logs_go_to_stderr_only(invoke: Invoke, cohort: Path) -> None:
    result = invoke("--log-format", "json", "-v", "run", str(cohort), "--format", "json")
    assert result.exit_code == 0, result.output

    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines
    events = [json.loads(line) for line in lines]
    assert all({"event", "level", "timestamp"} <= set(event) for event in events)
    assert "cohort_scored" in {event["event"] for event in events}

    document = json.loads(result.stdout)
    assert "event" not in document
    assert {entry["id"] for entry in document["organisations"]} == {"full", "heavy"}


# --------------------------------------------------------------------------
# validate
# --------------------------------------------------------------------------


def error_lines(result: Result) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith("error:")]


def test_validate_lists_every_error_at_once(invoke: Invoke, tmp_path: Path, write_org: Callable[..., Path]) -> None:
    write_org("good", learning=NEAR_FULL_LEARNING)
    bad = write_org("bad", learning={"halfyear_reports": "two", "thought_analyses": -1})
    syntax = tmp_path / "orgs" / "broken.toml"
    syntax.write_text('[organisation]\nid = "broken"\nname = "x"\n[learning\n', encoding="utf-8")

    result = invoke("validate", str(tmp_path / "orgs" / "good.toml"), str(bad), str(syntax))
    assert result.exit_code == 1
    errors = error_lines(result)
    assert len(errors) == 3
    lines = bad.read_text(encoding="utf-8").splitlines()
    halfyear = lines.index('halfyear_reports = "two"') + 1
    thought = lines.index("thought_analyses = -1") + 1
    assert any(f"{bad}:{halfyear}: [learning] halfyear_reports" in line and '"two"' in line for line in errors)
    assert any(f"{bad}:{thought}: [learning] thought_analyses" in line and "-1" in line for line in errors)
    assert any(f"{syntax}:4: " in line and "valid TOML" in line for line in errors)
    assert "3 file(s), 3 error(s)" in result.stdout


def test_validate_a_config_and_its_evidence(
    invoke: Invoke, write_org: Callable[..., Path], write_config: Callable[..., Path]
) -> None:
    write_org("a", learning=NEAR_FULL_LEARNING)
    config = write_config()
    clean = invoke("validate", "--config", str(config))
    assert clean.exit_code == 0, clean.output
    assert error_lines(clean) == []

    bad = write_org("b", learning={"halfyear_reports": 5})
    dirty = invoke("validate", "--config", str(config))
    assert dirty.exit_code == 1
    (line,) = error_lines(dirty)
    assert f"{bad}:6: [learning] halfyear_reports" in line


def test_validate_reports_a_bad_config_with_exit_2(
    invoke: Invoke, write_org: Callable[..., Path], tmp_path: Path
) -> None:
    write_org("a")
    config = tmp_path / "config.toml"
    config.write_text('[assessment]\nyear = 2020\norganisations = ["orgs/*.toml"]\n[policy]\nnope = 1\n', "utf-8")
    result = invoke("validate", "--config", str(config))
    assert result.exit_code == 2
    assert f"{config}:5: [policy] nope" in result.stderr


def test_validate_evidence_without_a_config(invoke: Invoke, write_org: Callable[..., Path]) -> None:
    first = write_org("a", learning=NEAR_FULL_LEARNING)
    second = write_org("b", learning={"halfyear_reports": 1})
    result = invoke("validate", str(first), str(second))
    assert result.exit_code == 0, result.output
    assert error_lines(result) == []
    assert "2 file(s), 0 error(s)" in result.stdout

    as_json = invoke("validate", "--json", str(first), str(second))
    assert as_json.exit_code == 0
    document = json.loads(as_json.stdout)
    assert [(entry["id"], entry["valid"]) for entry in document["organisations"]] == [("a", True), ("b", True)]
    missing = {(problem["table"], problem["key"]) for problem in document["organisations"][1]["problems"]}
    assert ("learning", "unimplemented") in missing
    assert ("learning", "halfyear_reports") not in missing


# --------------------------------------------------------------------------
# rules, explain, plugins
# --------------------------------------------------------------------------


def test_rules_lists_the_catalogue(invoke: Invoke) -> None:
    result = invoke("rules")
    assert result.exit_code == 0, result.output
    assert "学习星" in result.stdout
    (line,) = [line for line in result.stdout.splitlines() if "learning.conveyed" in line]
    assert line.split()[1] == "3"
    assert "及时学习中央、省委、市委重要会议和文件精神" in line

    document = json.loads(invoke("rules", "--json").stdout, parse_float=Decimal)
    learning = next(section for section in document["sections"] if section["id"] == "learning")
    assert learning["max"] == 25
    assert len(learning["items"]) == 10
    assert sum(item["points"] for item in learning["items"]) == 25


def test_rules_marks_items_a_config_disables(
    invoke: Invoke, write_org: Callable[..., Path], write_config: Callable[..., Path]
) -> None:
    write_org("a")
    config = write_config(rules={"disable": ["learning.conveyed"]})
    result = invoke("rules", "--config", str(config))
    assert result.exit_code == 0, result.output
    (line,) = [line for line in result.stdout.splitlines() if "learning.conveyed" in line]
    assert "（本次停用）" in line
    assert "学习星 — 22" in result.stdout
    assert "Learning" not in result.stdout, "Chinese by default, never a mix"
    english = invoke("--lang", "en", "rules", "--config", str(config)).stdout
    (line,) = [line for line in english.splitlines() if "learning.conveyed" in line]
    assert "(disabled)" in line
    assert "Learning star — 22" in english


def test_explain_shows_the_formula_and_facts(invoke: Invoke) -> None:
    result = invoke("explain", "learning.conveyed")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "及时学习中央、省委、市委重要会议和文件精神" in text
    assert "points: 3" in text
    assert "1.5·halfyear_reports" in text
    assert "0.2·unimplemented" in text
    assert "[learning] halfyear_reports: a whole number 0..2" in text
    assert "[learning] unimplemented: a whole number 0..100" in text


def test_explain_shows_the_policy_in_force(
    invoke: Invoke, write_org: Callable[..., Path], write_config: Callable[..., Path]
) -> None:
    assert "study_hours = hours-split" in invoke("explain", "learning.study_hours").stdout
    write_org("a")
    config = write_config(policy={"study_hours": "all-or-nothing"})
    assert "study_hours = all-or-nothing" in invoke("explain", "learning.study_hours", "--config", str(config)).stdout


def test_explain_a_heavy_item(invoke: Invoke) -> None:
    result = invoke("explain", HEAVY_ID)
    assert result.exit_code == 0, result.output
    assert "有党务干部专职不专业现象" in result.stdout
    assert "5..10" in result.stdout


def test_explain_unknown_item_exits_2(invoke: Invoke) -> None:
    result = invoke("explain", "nope")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert '"nope"' in result.stderr
    assert "assess rules" in result.stderr
    assert "Traceback" not in result.stderr


def test_plugins_json(invoke: Invoke) -> None:
    result = invoke("plugins", "--json")
    assert result.exit_code == 0, result.output
    documents = {document["name"]: document for document in json.loads(result.stdout)}

    learning = documents["learning"]
    assert (learning["source"], learning["version"], learning["blocked"]) == ("built-in", __version__, False)
    assert learning["location"] == "fivestar.plugins.learning"
    assert learning["sections"] == ["learning"]
    assert len(learning["items"]) == 10
    assert "learning.conveyed" in learning["items"]
    assert len(learning["heavy_items"]) == 3
    assert learning["policies"] == ["study_hours"]
    steps = documents["fivestar.steps"]
    assert steps["source"] == "core"
    assert {"falsification", "heavy_default", "star_threshold", "performance_threshold"} <= set(steps["policies"])


# --------------------------------------------------------------------------
# template
# --------------------------------------------------------------------------


def test_template_is_toml_with_every_fact(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("template")
    assert result.exit_code == 0, result.output
    document = tomllib.loads(result.stdout)
    assert set(LEARNING) <= set(document["learning"])
    assert "review" not in document

    target = tmp_path / "template.toml"
    written = invoke("template", "--output", str(target))
    assert written.exit_code == 0
    assert written.stdout == ""
    assert target.read_text(encoding="utf-8") == result.stdout


def test_template_asks_only_for_the_name_then_validates(invoke: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "orgs" / "new-department.toml"
    assert invoke("template", "--output", str(target)).exit_code == 0

    blank = invoke("validate", str(target))
    assert blank.exit_code == 1
    (only,) = error_lines(blank)
    assert "[organisation] name" in only

    target.write_text(
        target.read_text(encoding="utf-8").replace('name = ""', 'name = "中共绍兴市测试局机关委员会"'), encoding="utf-8"
    )
    result = invoke("validate", str(target))
    assert error_lines(result) == []
    assert result.exit_code == 0, result.output


# --------------------------------------------------------------------------
# writing the output: special files, links, failures
# --------------------------------------------------------------------------


def test_output_at_a_link_replaces_the_link_never_the_file_it_points_to(
    invoke: Invoke, tmp_path: Path, cohort: Path
) -> None:
    target = tmp_path / "results.json"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    result = invoke("run", str(cohort), "--format", "json", "--output", str(link))
    assert result.exit_code == 0, result.output
    assert not link.is_symlink()
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(scored(link.read_text(encoding="utf-8"))) == ["full", "heavy"]


def test_output_to_a_device_writes_to_it_and_never_replaces_it(invoke: Invoke, tmp_path: Path, cohort: Path) -> None:
    """`--output /dev/stdout` or a named pipe is written to; renaming a file over
    it would replace the device itself (as root, /dev/null)."""
    link = tmp_path / "sink"
    link.symlink_to("/dev/null")
    result = invoke("run", str(cohort), "--format", "json", "--output", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert Path("/dev/null").is_char_device()
    assert [path.name for path in tmp_path.iterdir() if path.name.endswith(".tmp")] == []


@pytest.mark.parametrize("name", ["a link to /proc/self/fd/1", "/dev/fd/1"])
def test_output_naming_stdout_redirected_into_a_file_writes_into_that_file(
    tmp_path: Path, cohort: Path, name: str
) -> None:
    """`--output /dev/stdout > results.json`: /dev/stdout leads to a regular
    file there. The output goes into it, after what the shell wrote first;
    the link is never replaced (as root, that replaced /dev/stdout itself,
    and the file got nothing)."""
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    output = str(link) if "link" in name else name
    captured = tmp_path / "captured.json"
    with captured.open("wb") as stream:
        stream.write(b"header\n")
        stream.flush()
        completed = subprocess.run(
            [assess_command(), "run", str(cohort), "--format", "json", "--output", output],
            stdout=stream,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    assert completed.returncode == 0, completed.stderr
    assert link.is_symlink()
    header, document = captured.read_text(encoding="utf-8").split("\n", 1)
    assert header == "header"
    assert sorted(scored(document)) == ["full", "heavy"]
    assert [path.name for path in tmp_path.iterdir() if path.name.endswith(".tmp")] == []


@pytest.mark.parametrize("command", [("run", "CONFIG", "--format", "json"), ("template",)])
def test_an_output_that_cannot_be_written_is_an_error_not_a_traceback(
    invoke: Invoke, tmp_path: Path, cohort: Path, command: tuple[str, ...]
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    target = blocker / ("results.json" if command[0] == "run" else "template.toml")
    result = invoke(*(str(cohort) if part == "CONFIG" else part for part in command), "--output", str(target))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert line.startswith(f"error: {target} --output: expected a file that can be written, found ")
    assert blocker.read_text(encoding="utf-8") == "a file, not a folder"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (("run", "CONFIG", "--format", "json"), "a stdout that takes the output"),
        (("run", "CONFIG"), "a stdout that takes the output"),
        (("rules",), "a stdout that takes the output"),
        (("validate", "--config", "CONFIG"), "a stdout that takes the output"),
        (("run", "--help"), "an output that can be written"),
    ],
)
def test_a_full_stdout_is_an_error_not_a_traceback(cohort: Path, command: tuple[str, ...], expected: str) -> None:
    """stdout buffered, as a shell gives it to a program (not with
    PYTHONUNBUFFERED): what could not be written is let go with the error,
    not written again at exit (Python's "Exception ignored", status 120)."""
    buffered = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    with open("/dev/full", "wb") as full:
        completed = subprocess.run(
            [assess_command(), *(str(cohort) if part == "CONFIG" else part for part in command)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
            env=buffered,
        )
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr and "Exception ignored" not in completed.stderr
    (line,) = completed.stderr.splitlines()
    assert line == f"error: <stdout>: expected {expected}, found No space left on device"


BROKEN_RENDERER = """
from fivestar import hookimpl
from fivestar.report import Renderer


def render(result, options):
    yield "{"
    raise KeyError("total")


@hookimpl
def assess_renderers():
    return [Renderer("broken", "a renderer with a bug", ".txt", render)]
"""


def test_a_renderer_that_raises_is_an_error_naming_the_report(
    invoke: Invoke, tmp_path: Path, write_org: Callable[..., Path], write_config: Callable[..., Path]
) -> None:
    (tmp_path / "broken_renderer.py").write_text(BROKEN_RENDERER, encoding="utf-8")
    write_org("a", learning=LEARNING)
    config = write_config(plugins={"paths": ["broken_renderer.py"]})
    target = tmp_path / "out" / "results.txt"
    result = invoke("run", str(config), "--format", "broken", "--output", str(target))
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert (
        f"error: {target} --format: a plugin failed while writing the broken report "
        "(expected the broken report to be written, found KeyError: 'total')" in result.stderr
    )
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


@pytest.mark.parametrize("year", ["1999", "2101", "99999999999999999999999"])
def test_validate_year_outside_2000_2100_is_a_usage_error(
    invoke: Invoke, write_org: Callable[..., Path], year: str
) -> None:
    path = write_org("a", learning=LEARNING)
    result = invoke("validate", "--year", year, str(path))
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert "--year" in result.stderr


def test_validate_checks_a_file_named_twice_once(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cohort: Path
) -> None:
    """`assess validate orgs/full.toml ./orgs/full.toml` while editing one file, or a glob that names it again:
    the file is not its own duplicate."""
    monkeypatch.chdir(tmp_path)
    result = invoke("validate", "orgs/full.toml", "./orgs/full.toml", str(tmp_path / "orgs" / "heavy.toml"))
    assert error_lines(result) == []
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].startswith("2 file(s), 0 error(s)")

    twice = invoke("validate", "--json", "orgs/full.toml", "orgs/full.toml")
    assert twice.exit_code == 0
    assert [entry["id"] for entry in json.loads(twice.stdout)["organisations"]] == ["full"]


def test_template_does_not_overwrite_a_filled_in_file_without_force(invoke: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "filled.toml"
    target.write_text('[organisation]\nname = "已填写的单位"\n', encoding="utf-8")
    refused = invoke("template", "--output", str(target))
    assert refused.exit_code == 2
    assert "--force" in refused.stderr
    assert "已填写的单位" in target.read_text(encoding="utf-8")

    forced = invoke("template", "--output", str(target), "--force")
    assert forced.exit_code == 0
    assert "已填写的单位" not in target.read_text(encoding="utf-8")


class Writes:
    """A stream that keeps each write apart."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


@pytest.mark.parametrize("log_format", ["json", "console"])
def test_a_log_line_is_written_whole_in_one_write(monkeypatch: pytest.MonkeyPatch, log_format: str) -> None:
    """Worker processes (--jobs, by default the cores) share stderr: a line
    written in two pieces (its text, then its line break, as print does when
    stderr is unbuffered, e.g. PYTHONUNBUFFERED=1) runs into another
    process's line, and a JSON log is no longer one object per line."""
    stream = Writes()
    monkeypatch.setattr(sys, "stderr", stream)
    configure_logging(log_format)

    get_logger("test").warning("worker_line", organisation="甲")

    (written,) = stream.writes
    assert written.endswith("\n") and written.count("\n") == 1
    assert "worker_line" in written
