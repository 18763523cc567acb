"""`assess --help` starts as fast as a bare click program: no command module,
no plugin, no logging library is imported for it (fivestar.cli.COMMANDS holds
what the help lists), and every command is still there when called. A run
imports only what its path needs: no workbook or template library for JSON."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pluggy
import pytest
from click.testing import CliRunner
from fivestar.cli import COMMANDS, main
from fivestar.manager import CORE_PLUGINS, make_plugin_manager
from fivestar.report.formats import DeferredFormats
from samples import LEARNING

HEAVY = (
    "fivestar.pipeline",
    "fivestar.cli.scoring",
    "structlog",
    "openpyxl",
    "tomlkit",
    "pluggy",
    "importlib.metadata",
)


def loaded_by(arguments: list[str], modules: tuple[str, ...]) -> tuple[str, list[str]]:
    """What `assess ARGUMENTS` wrote to stdout, and which of ``modules`` it
    had imported when it ended (in a fresh process)."""
    code = (
        "import sys\n"
        "from fivestar.cli import main\n"
        "try:\n"
        f"    main({arguments!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('loaded:' + ','.join(sorted(m for m in {modules!r} if m in sys.modules)))"
    )
    finished = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    output, _, loaded = finished.stdout.strip().rpartition("\n")
    assert loaded.startswith("loaded:"), finished.stdout
    return output, [name for name in loaded.removeprefix("loaded:").split(",") if name]


def test_help_imports_no_command_module_nor_heavy_library() -> None:
    output, loaded = loaded_by(["--help"], HEAVY)
    assert "Commands:" in output
    assert loaded == []


@pytest.mark.parametrize("output_format", ["json", "csv"])
def test_a_run_imports_no_workbook_nor_template_library(
    write_org: Callable[..., Path], write_config: Callable[..., Path], output_format: str
) -> None:
    write_org("a", learning=LEARNING)
    config = write_config()
    output, loaded = loaded_by(["run", str(config), "--format", output_format], RUN_NEEDS_NOT)
    assert "测试单位a" in output
    assert loaded == []


RUN_NEEDS_NOT = (
    "openpyxl",
    "tomlkit",
    "structlog",
    "asyncio",
    "importlib.metadata",
    "email",
    "python_calamine",
    "multiprocessing",
    "fivestar.report.excel",
    "fivestar.report.html_page",
    "fivestar.workbook_writer",
)
"""What a run of TOML evidence written as JSON or CSV, logging nothing
shown, has no use for (a small cohort is read in one process)."""


PLUGIN_THAT_LOGS = """
import structlog

from fivestar import hookimpl

structlog.get_logger().warning("plugin_imported")


@hookimpl
def assess_validate(organisation, context):
    structlog.get_logger().warning("plugin_validated", organisation=organisation.id)
    return []
"""


def test_a_plugin_that_logs_with_structlog_finds_it_configured(
    tmp_path: Path, write_org: Callable[..., Path], write_config: Callable[..., Path]
) -> None:
    """structlog is imported only when needed (fivestar.logs), but before any
    plugin not of the core is loaded: its lines go to stderr as the run's
    own do, never into the results on stdout."""
    (tmp_path / "logging_plugin.py").write_text(PLUGIN_THAT_LOGS, encoding="utf-8")
    write_org("a", learning=LEARNING)
    config = write_config(plugins={"paths": ["logging_plugin.py"]})
    finished = subprocess.run(
        [sys.executable, "-c", "from fivestar.cli import main; main()", "run", str(config), "--format", "json"],
        capture_output=True,
        text=True,
    )
    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout)["organisations"][0]["id"] == "a"
    assert "[warning  ] plugin_imported" in finished.stderr
    assert "plugin_validated" in finished.stderr
    assert "organisation=a" in finished.stderr


def test_the_deferred_formats_are_their_modules_own() -> None:
    """Each report module's formats, as the plugin manager registers them
    without importing the module, are those the module itself declares."""
    deferred = {
        name: getattr(importlib.import_module(module), attribute)
        for name, where in CORE_PLUGINS.items()
        for module, _, attribute in [where.partition(":")]
        if attribute
    }
    assert deferred
    for name, stand_in in deferred.items():
        assert isinstance(stand_in, DeferredFormats)
        assert stand_in.module == name
        own = importlib.import_module(name).assess_renderers()
        declared = stand_in.assess_renderers()
        assert [(r.name, r.description, r.suffix) for r in declared] == [(r.name, r.description, r.suffix) for r in own]
        for mine, theirs in zip(declared, own, strict=True):
            assert getattr(importlib.import_module(name), mine.render.function) is theirs.render
            if theirs.pieces is None:
                assert mine.pieces is None
            else:
                assert getattr(importlib.import_module(name), mine.pieces.function) is theirs.pieces


def test_the_summaries_are_the_commands_own() -> None:
    context = click.Context(main)
    for name, (_module, summary) in COMMANDS.items():
        command = main.get_command(context, name)
        assert command is not None, name
        assert command.get_short_help_str(limit=10_000) == summary


def test_help_lists_every_command_as_click_would() -> None:
    lazy = CliRunner().invoke(main, ["--help"], terminal_width=100).output
    everything = dict(main.commands)
    assert set(everything) >= set(COMMANDS)
    listed = [line.split()[0] for line in lazy.split("Commands:", 1)[1].splitlines() if line.strip()]
    assert listed == sorted(name for name, command in everything.items() if not command.hidden)


def test_registering_finds_the_hook_implementations_pluggy_finds() -> None:
    """The plugin manager reads a module's namespace directly, where pluggy
    reads each attribute with inspect.getattr_static: the same answer for
    every attribute of every plugin a run registers."""
    pm = make_plugin_manager()
    compared = 0
    for _name, plugin in pm.list_name_plugin():
        for attribute in dir(plugin):
            mine = pm.parse_hookimpl_opts(plugin, attribute)
            assert mine == pluggy.PluginManager.parse_hookimpl_opts(pm, plugin, attribute), attribute
            compared += mine is not None
    assert compared > 20


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ([], "[warning  ] output_link_replaced"),
        (["--log-format", "json"], '"event": "output_link_replaced", "level": "warning"'),
        (["-q"], None),
    ],
)
def test_a_line_logged_is_configured_as_asked_though_structlog_was_not_imported(
    tmp_path: Path,
    write_org: Callable[..., Path],
    write_config: Callable[..., Path],
    options: list[str],
    expected: str | None,
) -> None:
    """structlog is imported at the first line shown (fivestar.logs), and
    then configured as the options asked: stderr, the format, the level."""
    write_org("a", learning=LEARNING)
    config = write_config()
    (tmp_path / "kept.json").write_text("", encoding="utf-8")
    (tmp_path / "link.json").symlink_to(tmp_path / "kept.json")
    run = ["run", str(config), "--format", "json", "--output", str(tmp_path / "link.json")]
    finished = subprocess.run(
        [sys.executable, "-c", "from fivestar.cli import main; main()", *options, *run], capture_output=True, text=True
    )
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout == ""
    assert json.loads((tmp_path / "link.json").read_text(encoding="utf-8"))["organisations"][0]["id"] == "a"
    if expected is None:
        assert "output_link_replaced" not in finished.stderr
    else:
        assert expected in finished.stderr
