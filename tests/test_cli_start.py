"""`assess --help` starts as fast as a bare click program: no command module,
no plugin, no logging library is imported for it (fivestar.cli.COMMANDS holds
what the help lists), and every command is still there when called."""

from __future__ import annotations

import subprocess
import sys

import click
from click.testing import CliRunner
from fivestar.cli import COMMANDS, main

HEAVY = (
    "fivestar.pipeline",
    "fivestar.cli.scoring",
    "structlog",
    "openpyxl",
    "tomlkit",
    "pluggy",
    "importlib.metadata",
)


def test_help_imports_no_command_module_nor_heavy_library() -> None:
    code = (
        "import sys\n"
        "from fivestar.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('loaded:' + ','.join(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    finished = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Commands:" in finished.stdout
    assert finished.stdout.strip().splitlines()[-1] == "loaded:"


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
