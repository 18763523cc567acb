"""Documented limits on evidence (docs/security.md): file size, entries of a
list or table, text length, problems listed per file. Beyond them, a clear
error naming the file, the place and the limit; the rest of the cohort is
scored; an office raises them in the run config's [limits]."""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fivestar.cli import main
from fivestar.config import load_config
from fivestar.limits import Limits
from fivestar.model import InputError
from fivestar.pipeline import RunResult, run

ASSESS = str(Path(sys.executable).with_name("assess"))
WriteOrg = Callable[..., Path]
WriteConfig = Callable[..., Path]


def scored(write_config: WriteConfig, **tables: Any) -> RunResult:
    return run(load_config(write_config(**tables)))


def only_failure(result: RunResult) -> list[tuple[str, str, str, str]]:
    (failed,) = result.failed
    assert [organisation.id for organisation in result.organisations if organisation.valid] == ["plain"]
    return [(problem.table, problem.key, problem.expected, problem.found) for problem in failed.errors]


@pytest.fixture
def plain(write_org: WriteOrg) -> Path:
    return write_org("plain")


def showcase(entries: int) -> list[dict[str, Any]]:
    return [{"name": f"项目{number}", "points": 0} for number in range(entries)]


def test_a_file_larger_than_the_limit_is_not_read(
    tmp_path: Path, plain: Path, write_config: WriteConfig, write_org: WriteOrg
) -> None:
    big = write_org("big")
    big.write_text(big.read_text(encoding="utf-8") + "# " + "x" * 3_000_000 + "\n", encoding="utf-8")
    ((table, key, expected, found),) = only_failure(scored(write_config))
    assert (table, key) == ("", "")
    assert expected == "a file of at most 2.0 MB ([limits] file_bytes)"
    assert found == "3.0 MB"


@pytest.mark.parametrize("command", ["run", "validate"])
def test_a_file_larger_than_the_limit_is_never_read_whole(
    tmp_path: Path, plain: Path, write_config: WriteConfig, write_org: WriteOrg, command: str
) -> None:
    """Its problem names no table or key: no line is looked for in it (a
    department's 200 MB file took 800 MB of the assessor's memory)."""
    big = write_org("big")
    with big.open("r+b") as stream:
        stream.truncate(200_000_000)
    output = ["--format", "json", "-o", str(tmp_path / "results.json")]
    arguments = ["run", str(write_config()), *output] if command == "run" else ["validate", str(big)]

    tracemalloc.start()
    try:
        result = CliRunner().invoke(main, arguments)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert result.exit_code == 1, result.output
    assert "200.0 MB" in result.output
    assert peak < 50_000_000


def test_a_named_pipe_or_a_device_is_refused_not_waited_for(tmp_path: Path) -> None:
    """`assess validate` of a named pipe nobody writes to waited for ever,
    and of a device read without end (a run's patterns name files only)."""
    pipe = tmp_path / "orgs" / "pipe.toml"
    pipe.parent.mkdir(exist_ok=True)
    os.mkfifo(pipe)
    for path, kind in ((pipe, "a named pipe"), (Path("/dev/zero"), "a device")):
        result = subprocess.run(
            [ASSESS, "validate", str(path)], capture_output=True, text=True, timeout=30, check=False
        )
        assert result.returncode == 1, result.stderr
        assert f"error: {path}: expected a readable evidence file, found {kind}, not a file" in result.stdout


def test_too_many_records_in_one_list(plain: Path, write_config: WriteConfig, write_org: WriteOrg) -> None:
    write_org("many", bonus={"showcase": showcase(1001)})
    ((table, key, expected, found),) = only_failure(scored(write_config))
    assert (table, key) == ("bonus", "showcase")
    assert expected == "a list of at most 1000 entries ([limits] entries)"
    assert found == "a list of 1001 entries"


def test_too_many_keys_in_one_table(plain: Path, write_config: WriteConfig, write_org: WriteOrg) -> None:
    write_org("keys", learning={f"unknown_{number}": True for number in range(1500)})
    ((table, key, _expected, found),) = only_failure(scored(write_config))
    assert (table, key) == ("learning", "")
    assert found == "a table of 1500 entries"


def test_a_text_longer_than_the_limit(plain: Path, write_config: WriteConfig, write_org: WriteOrg) -> None:
    path = write_org("long")
    path.write_text(f'[organisation]\nid = "long"\nname = "{"局" * 5000}"\n', encoding="utf-8")
    ((table, key, expected, found),) = only_failure(scored(write_config))
    assert (table, key) == ("organisation", "name")
    assert expected == "a text of at most 2000 characters ([limits] text_chars)"
    assert found == "a text of 5000 characters"


def test_problems_listed_per_file_are_capped_and_the_rest_counted(
    plain: Path, write_config: WriteConfig, write_org: WriteOrg
) -> None:
    write_org("noisy", learning={f"unknown_{number}": True for number in range(300)})
    result = scored(write_config, limits={"entries": 10_000})
    (failed,) = result.failed
    assert len(failed.problems) == Limits().problems + 1
    summary = failed.problems[-1]
    assert summary.severity == "error"
    assert len(failed.errors) == Limits().problems + 1
    assert int(summary.found.removesuffix(" more")) >= 300 - Limits().problems


def test_only_warnings_beyond_the_cap_leave_the_file_scored(
    plain: Path, write_config: WriteConfig, write_org: WriteOrg
) -> None:
    write_org("warned", **{f"extra_{number}": {"x": 1} for number in range(300)})
    result = scored(write_config, limits={"entries": 10_000})
    assert not result.failed
    (warned,) = [organisation for organisation in result.organisations if organisation.id == "warned"]
    assert len(warned.problems) == Limits().problems + 1
    assert warned.problems[-1].severity == "warning"


def test_the_cap_keeps_a_failed_file_failed(plain: Path, write_config: WriteConfig, write_org: WriteOrg) -> None:
    """Hundreds of warnings before one error: the error is kept, the file stays failed."""
    write_org("warned", **{f"extra_{number}": {"x": 1} for number in range(250)}, learning={"unimplemented": -1})
    result = scored(write_config, limits={"entries": 10_000})
    (failed,) = result.failed
    assert next(problem.key for problem in failed.errors) == "unimplemented"


def test_an_office_raises_the_limits_in_the_run_config(
    plain: Path, write_config: WriteConfig, write_org: WriteOrg
) -> None:
    write_org("many", bonus={"showcase": showcase(1001)})
    result = scored(write_config, limits={"entries": 5000, "file_bytes": 10_000_000, "text_chars": 10_000})
    assert not result.failed


@pytest.mark.parametrize(
    ("key", "value"), [("entries", 0), ("file_bytes", "2MB"), ("problems", True), ("text_chars", 10**12)]
)
def test_a_bad_limit_is_a_config_error(write_config: WriteConfig, key: str, value: Any) -> None:
    with pytest.raises(InputError) as raised:
        load_config(write_config(limits={key: value}))
    ((table, found_key),) = [(problem.table, problem.key) for problem in raised.value.problems]
    assert (table, found_key) == ("limits", key)


def test_an_unknown_limit_is_a_config_error(write_config: WriteConfig) -> None:
    with pytest.raises(InputError) as raised:
        load_config(write_config(limits={"records": 10}))
    assert [(problem.table, problem.key) for problem in raised.value.problems] == [("limits", "records")]


def test_validate_names_the_limit(write_org: WriteOrg) -> None:
    path = write_org("many", bonus={"showcase": showcase(1001)})
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert "[bonus] showcase" in result.stdout
    assert "[limits] entries" in result.stdout
