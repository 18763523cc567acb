"""Paths a run config names: a NUL byte is a config error (exit 2), never a
traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from fivestar.cli import main

CONFIG = "[assessment]\nyear = 2020\norganisations = [{organisations}]\n{more}"

NUL_PATHS = [
    pytest.param('"orgs/*.toml"', '[store]\npath = "a\\u0000b.sqlite3"\n', "store", "path", id="store-path"),
    pytest.param('"orgs/*.toml"', '[plugins]\npaths = ["x\\u0000.py"]\n', "plugins", "paths", id="plugin-path"),
    pytest.param('"orgs/\\u0000*.toml"', "", "assessment", "organisations", id="organisations-glob"),
    pytest.param('"orgs/a\\u0000.toml"', "", "assessment", "organisations", id="organisations-file"),
]


@pytest.mark.parametrize(("organisations", "more", "table", "key"), NUL_PATHS)
@pytest.mark.parametrize("command", [("run",), ("run", "--save"), ("validate",), ("duties",)])
def test_a_nul_byte_in_a_config_path_is_a_config_error(
    tmp_path: Path,
    write_org: Callable[..., Path],
    organisations: str,
    more: str,
    table: str,
    key: str,
    command: tuple[str, ...],
) -> None:
    write_org("a")
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.format(organisations=organisations, more=more), encoding="utf-8")

    config_args = ["--config", str(config)] if command[0] == "validate" else [str(config)]
    result = CliRunner().invoke(main, [command[0], *config_args, *command[1:]])

    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert f"[{table}] {key}" in line
    assert "NUL" in line
    assert "\\u0000" in line
