"""What the commands share: failing with problems, writing output files
whole or not at all, opening a config, and the common options."""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import click
import structlog
from fivestar.config import DEFAULT_EDITION, RunConfig, load_config
from fivestar.model import InputError, Problem
from fivestar.pipeline import RunContext, prepare

log = structlog.get_logger(__name__)


def fail(problems: Sequence[Problem], code: int = 2) -> NoReturn:
    for problem in problems:
        click.echo(f"{problem.severity}: {problem}", err=True)
    sys.exit(code)


def write_output(content: str | bytes | Iterable[str], output: Path | None) -> None:
    """stdout, or a file written whole or not at all (temp file + rename).

    An existing target that is not a regular file (``/dev/stdout``, a named
    pipe) is written to, never replaced; a symbolic link is followed, so the
    file it points to is replaced. A write that fails is an error naming the
    file (exit 2), never a traceback."""
    pieces: Iterable[str | bytes] = [content] if isinstance(content, (str, bytes)) else content
    try:
        if output is None:
            for piece in pieces:
                if isinstance(piece, bytes):
                    sys.stdout.buffer.write(piece)
                else:
                    click.echo(piece, nl=False)
            sys.stdout.flush()
            return
        if output.exists() and not stat.S_ISREG(output.stat().st_mode):
            with output.open("wb") as stream:
                for piece in pieces:
                    stream.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
        else:
            replace_file(pieces, Path(os.path.realpath(output)))
    except OSError as error:
        if output is None and error.errno == errno.EPIPE:
            raise
        where = "<stdout>" if output is None else str(output)
        expected = "a stdout that takes the output" if output is None else "a file that can be written"
        fail([Problem("error", where, "", "--output" if output else "", expected, error.strerror or str(error))])
    log.info("output_written", file=str(output))


def replace_file(pieces: Iterable[str | bytes], target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            for piece in pieces:
                stream.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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


def policy_option(required: bool = False, help: str = "") -> Callable[[Any], Any]:
    """``--policy KEY=VALUE``, repeatable (see :func:`fivestar.whatif.policy_options`)."""
    return click.option("--policy", "policies", multiple=True, required=required, metavar="KEY=VALUE", help=help)


edition_option = click.option(
    "--edition", default=DEFAULT_EDITION, show_default=True, help="The edition, without a config."
)
