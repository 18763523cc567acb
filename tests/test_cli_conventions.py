"""The command line keeps the conventions of the tools people already use:
the format from the output's suffix, ``-`` for stdout and stdin, a closed
pipe ends quietly, NO_COLOR and --color, global options after the
subcommand, one --format, one --config with ./config.toml found."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import Result
from samples import LEARNING

Invoke = Callable[..., Result]
ESC = "\x1b["


@pytest.fixture
def cohort(write_org: Callable[..., Path], write_config: Callable[..., Path]) -> Path:
    write_org("a", learning=LEARNING)
    write_org("b")
    return write_config()


def assess_command() -> str:
    script = Path(sys.executable).with_name("assess")
    command = str(script) if script.exists() else shutil.which("assess")
    assert command, "the `assess` console script is not installed"
    return command


def run_on_terminal(args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[int, str]:
    """Run `assess` with stdout and stderr on a pseudo-terminal; its exit status and everything it showed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [assess_command(), *args],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


# --------------------------------------------------------------------------
# output: suffix, contradictions, -, binary on a terminal, closed pipe
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("suffix", "check"), [(".json", "json"), (".xlsx", "xlsx"), (".csv", "csv")])
def test_the_format_comes_from_the_output_suffix(
    invoke: Invoke, tmp_path: Path, cohort: Path, suffix: str, check: str
) -> None:
    target = tmp_path / f"results{suffix}"
    result = invoke("run", cohort, "--output", target)
    assert result.exit_code == 0, result.output
    if check == "json":
        assert {entry["id"] for entry in json.loads(target.read_text("utf-8"))["organisations"]} == {"a", "b"}
    elif check == "xlsx":
        assert openpyxl.load_workbook(target).sheetnames
    else:
        assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    assert f"{target}" in result.stderr


def test_a_format_that_contradicts_the_suffix_is_refused(invoke: Invoke, tmp_path: Path, cohort: Path) -> None:
    target = tmp_path / "results.xlsx"
    result = invoke("run", cohort, "--format", "json", "--output", target)
    assert result.exit_code == 2
    assert "--format json contradicts --output" in result.stderr
    assert not target.exists()


def test_a_suffix_no_format_writes_is_refused(invoke: Invoke, tmp_path: Path, cohort: Path) -> None:
    result = invoke("run", cohort, "--output", tmp_path / "results.yaml")
    assert result.exit_code == 2
    assert "no format writes .yaml files" in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ("run", "CONFIG", "--format", "json"),
        ("rules", "--format", "json"),
        ("plugins", "--format", "json"),
        ("template",),
        ("validate", "--format", "json", "--config", "CONFIG"),
    ],
)
def test_dash_is_stdout_everywhere(
    invoke: Invoke, tmp_path: Path, cohort: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(*(cohort if part == "CONFIG" else part for part in command), "--output", "-")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "-").exists()
    assert result.stdout.strip()
    assert "已写入" not in result.stderr


def test_dash_is_stdin_for_validate(invoke: Invoke, write_org: Callable[..., Path]) -> None:
    from click.testing import CliRunner
    from fivestar.cli import main

    text = write_org("a", learning={"halfyear_reports": "two"}).read_bytes()
    result = CliRunner().invoke(main, ["validate", "-"], input=text)
    assert result.exit_code == 1
    assert "error: <stdin>" in result.stdout
    assert "halfyear_reports" in result.stdout


def test_a_binary_format_is_refused_on_a_terminal_with_a_hint(cohort: Path) -> None:
    status, shown = run_on_terminal(["run", str(cohort), "--format", "xlsx"])
    assert status == 2
    assert "xlsx is a binary format" in shown
    assert "--output FILE.xlsx" in shown
    assert "PK\x03\x04" not in shown


def test_a_binary_format_goes_down_a_pipe(cohort: Path) -> None:
    completed = subprocess.run(
        [assess_command(), "run", str(cohort), "--format", "xlsx"], capture_output=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith(b"PK\x03\x04")


def test_a_closed_pipe_ends_quietly_with_the_sigpipe_status(cohort: Path) -> None:
    """`assess run CONFIG --format json | head -1`: the reader goes away before the output is written."""
    process = subprocess.Popen(
        [assess_command(), "run", str(cohort), "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read().decode("utf-8")
    assert process.wait(timeout=120) == 141
    assert stderr == ""


# --------------------------------------------------------------------------
# colour and global options
# --------------------------------------------------------------------------


def test_logs_are_coloured_on_a_terminal_unless_no_color(cohort: Path) -> None:
    args = ["run", str(cohort), "--format", "json", "--output", str(cohort.with_name("r.json")), "-v"]
    status, coloured = run_on_terminal(args, env={"NO_COLOR": ""})
    assert status == 0
    assert "cohort_scored" in coloured and ESC in coloured

    status, plain = run_on_terminal(args, env={"NO_COLOR": "1"})
    assert status == 0
    assert "cohort_scored" in plain and ESC not in plain

    status, never = run_on_terminal([*args, "--color", "never"], env={"NO_COLOR": ""})
    assert "cohort_scored" in never and ESC not in never


def test_color_always_colours_a_pipe(invoke: Invoke, cohort: Path) -> None:
    result = invoke("run", cohort, "--format", "json", "-v", "--color", "always")
    assert result.exit_code == 0
    assert ESC in result.stderr
    assert ESC not in invoke("run", cohort, "--format", "json", "-v").stderr


@pytest.mark.parametrize("where", ["before", "after"])
def test_global_options_before_or_after_the_subcommand(invoke: Invoke, cohort: Path, where: str) -> None:
    options = ["-v", "--log-format", "json"]
    args = (
        [*options, "run", cohort, "--format", "json"]
        if where == "before"
        else ["run", cohort, "-v", "--format", "json", "--log-format", "json"]
    )
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert "cohort_scored" in {event["event"] for event in events}


def test_quiet_silences_confirmations_and_warnings(invoke: Invoke, tmp_path: Path, cohort: Path) -> None:
    target = tmp_path / "r.json"
    loud = invoke("run", cohort, "--output", target)
    assert loud.exit_code == 0
    assert f"已写入 json：{target}" in loud.stderr
    quiet = invoke("run", cohort, "--output", target, "-q")
    assert quiet.exit_code == 0
    assert quiet.stderr == ""
    english = invoke("--lang", "en", "run", cohort, "--output", target)
    assert f"wrote json to {target}" in english.stderr


def test_plugin_commands_take_the_global_options_too(invoke: Invoke, cohort: Path) -> None:
    result = invoke("duties", cohort, "-v", "--log-format", "json", "--json")
    assert result.exit_code in (0, 1), result.output
    assert "organisations" in json.loads(result.stdout)


# --------------------------------------------------------------------------
# one --format, one --config
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ("rules",),
        ("plugins",),
        ("explain", "learning.conveyed"),
        ("validate", "--config", "CONFIG"),
        ("duties", "CONFIG"),
    ],
)
def test_every_command_takes_format_json_and_the_json_alias(
    invoke: Invoke, cohort: Path, command: tuple[str, ...]
) -> None:
    args = [cohort if part == "CONFIG" else part for part in command]
    as_format = invoke(*args, "--format", "json")
    as_alias = invoke(*args, "--json")
    assert as_format.exit_code in (0, 1), as_format.output
    assert json.loads(as_format.stdout) == json.loads(as_alias.stdout)


def test_json_alias_and_another_format_contradict(invoke: Invoke) -> None:
    result = invoke("rules", "--json", "--format", "table")
    assert result.exit_code == 2
    assert "--json contradicts --format table" in result.stderr


@pytest.mark.parametrize(
    "command", [("run", "--format", "json"), ("duties", "--json"), ("validate",), ("rules", "--json"), ("history", "a")]
)
def test_config_toml_in_the_current_folder_is_found(
    invoke: Invoke, tmp_path: Path, cohort: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    monkeypatch.chdir(tmp_path)
    if command[0] == "history":
        assert invoke("run", "--save").exit_code == 0
    result = invoke(*command)
    assert result.exit_code in (0, 1), result.output
    assert "Usage" not in result.stderr


def test_no_config_anywhere_is_a_usage_error(invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("run")
    assert result.exit_code == 2
    assert "no run config" in result.stderr


def test_config_as_argument_and_option_must_agree(invoke: Invoke, tmp_path: Path, cohort: Path) -> None:
    same = invoke("run", cohort, "--config", cohort, "--format", "json")
    assert same.exit_code == 0, same.output
    other = tmp_path / "other.toml"
    other.write_text(cohort.read_text("utf-8"), "utf-8")
    result = invoke("run", cohort, "--config", other)
    assert result.exit_code == 2
    assert "two run configs" in result.stderr


def test_version_names_package_edition_and_plugins(invoke: Invoke) -> None:
    from fivestar import __version__

    result = invoke("--version")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"assess (fivestar-assess) {__version__}"
    assert "edition shaoxing-2020 (default)" in lines
    assert f"plugin learning {__version__} (built-in)" in lines


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("assess ru", "plain,run"),
        ("assess run --for", "plain,--format"),
        ("assess explain learning.conv", "plain,learning.conveyed"),
    ],
)
def test_shell_completion_completes_commands_options_and_item_ids(words: str, expected: str) -> None:
    completed = subprocess.run(
        [assess_command()],
        env={
            **os.environ,
            "_ASSESS_COMPLETE": "bash_complete",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - 1),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert expected in completed.stdout.splitlines()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_completion_scripts_the_docs_name_exist(shell: str) -> None:
    completed = subprocess.run(
        [assess_command()],
        env={**os.environ, "_ASSESS_COMPLETE": f"{shell}_source"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0
    assert "_ASSESS_COMPLETE" in completed.stdout
    assert f"_ASSESS_COMPLETE={shell}_source assess" in (
        Path(__file__).resolve().parents[1] / "docs" / "cli.md"
    ).read_text("utf-8")


def test_a_failed_organisation_is_shown_once_on_a_terminal(
    write_org: Callable[..., Path], write_config: Callable[..., Path]
) -> None:
    """The league table lists the failed organisations: on the same terminal the stderr summary would repeat it."""
    write_org("good", learning=LEARNING)
    write_org("bad", learning={"halfyear_reports": "two"})
    status, shown = run_on_terminal(["run", str(write_config())])
    assert status == 1
    assert shown.count('halfyear_reports: expected a whole number 0..2, found "two"') == 1
    assert "未通过校验" in shown
