"""What the commands share: failing with problems, writing output files
whole or not at all, opening a config, and the common options."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import click
import structlog

from core.config import DEFAULT_EDITION, RunConfig, load_config
from core.model import InputError, Problem
from core.pipeline import RunContext, prepare

log = structlog.get_logger(__name__)


def fail(problems: Sequence[Problem], code: int = 2) -> NoReturn:
    for problem in problems:
        click.echo(f"{problem.severity}: {problem}", err=True)
    sys.exit(code)


def write_output(content: str | bytes | Iterable[str], output: Path | None) -> None:
    """stdout, or a file written whole or not at all (temp file + rename)."""
    pieces: Iterable[str | bytes] = [content] if isinstance(content, (str, bytes)) else content
    if output is None:
        for piece in pieces:
            if isinstance(piece, bytes):
                sys.stdout.buffer.write(piece)
            else:
                click.echo(piece, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            for piece in pieces:
                stream.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    log.info("output_written", file=str(output))


def open_config(path: str) -> RunConfig:
    try:
        return load_config(path)
    except InputError as error:
        fail(error.problems)


def prepare_or_fail(config: RunConfig) -> tuple[Any, RunContext]:
    try:
        return prepare(config)
    except InputError as error:
        fail(error.problems)


def standalone_config(year: int, edition: str) -> RunConfig:
    """The defaults, for commands given no run config (no history store)."""
    return RunConfig(path=Path("<defaults>"), year=year, edition=edition, history=False)


def context_for(config_path: str | None, edition: str) -> tuple[Any, RunContext]:
    config = open_config(config_path) if config_path else standalone_config(2020, edition)
    return prepare_or_fail(config)


config_option = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), help="A run config (its plugins and disabled items)."
)
edition_option = click.option(
    "--edition", default=DEFAULT_EDITION, show_default=True, help="The edition, without a config."
)
