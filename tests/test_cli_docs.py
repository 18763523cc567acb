"""docs/cli.md is the reference of the command line: every command has a
section whose table names exactly the arguments and options its --help
shows, and the global options are documented once."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from fivestar.cli import main
from fivestar.cli.options import GLOBAL_NAMES

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
FLAG = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*")
HELP = {"-h", "--help"}


def commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command's words after `assess`, sub-commands of groups too."""
    found = []
    for name, command in sorted(group.commands.items()):
        words = (*prefix, name)
        if isinstance(command, click.Group):
            found += commands(command, words)
        else:
            found.append(words)
    return found


def help_of(words: tuple[str, ...]) -> str:
    result = CliRunner().invoke(main, [*words, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


def help_names(text: str) -> set[str]:
    """The options of a --help text (its Options: column) and the arguments of its usage line."""
    usage, _, rest = text.partition("\n")
    names = {word.strip("[].") for word in usage.split()[2:] if word.strip("[].").isupper() and word != "[OPTIONS]"}
    names.discard("OPTIONS")
    options = rest.split("Options:", 1)[1] if "Options:" in rest else ""
    for line in options.splitlines():
        if line.startswith("  -"):
            names.update(FLAG.findall(re.split(r"\s{2,}", line.strip())[0]))
    return names


def documented(section: str) -> set[str]:
    """The names in the first column of a section's table (``\\|`` is a pipe inside a cell)."""
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first = re.split(r"(?<!\\)\|", line)[1]
            for token in re.findall(r"`([^`]+)`", first):
                names.update(FLAG.findall(token) or [token])
    return names


def sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    return {part.split("\n", 1)[0].strip(): part for part in parts}


def global_names() -> set[str]:
    return help_names(help_of(())) - {"COMMAND", "ARGS"}


def test_the_global_options_are_documented() -> None:
    assert documented(sections()["Global options"]) == global_names()


@pytest.mark.parametrize("words", commands(main), ids=" ".join)
def test_every_command_is_documented_with_exactly_its_options(words: tuple[str, ...]) -> None:
    title = f"`assess {' '.join(words)}`"
    assert title in sections(), f"docs/cli.md has no section ## {title}: add one"
    expected = help_names(help_of(words)) - GLOBAL_NAMES - HELP
    in_docs = documented(sections()[title])
    assert expected - in_docs == set(), f"{title}: document these in docs/cli.md"
    assert in_docs - expected == set(), f"{title}: docs/cli.md documents what --help no longer shows"


def test_no_section_documents_a_command_that_is_gone() -> None:
    titles = {f"`assess {' '.join(words)}`" for words in commands(main)}
    assert {title for title in sections() if title.startswith("`assess ")} == titles
