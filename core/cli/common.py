"""What the commands share: failing with problems, writing output files
whole or not at all, opening a config, and the common options."""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import click
from fivestar.cli import discard_stdout
from fivestar.cli.options import current_lang, is_stdout, settings
from fivestar.config import DEFAULT_EDITION, RunConfig, read_config, shown_path
from fivestar.diskspace import Reservation
from fivestar.encoding import Piece, replaced, write_pieces
from fivestar.leftovers import owner_tag, remove_stale_temporaries
from fivestar.logs import get_logger
from fivestar.model import InputError, Problem
from fivestar.pipeline import RunContext, prepare
from fivestar.tomllines import with_file_lines

log = get_logger(__name__)


def fail(problems: Sequence[Problem], code: int = 2) -> NoReturn:
    problems = with_file_lines(list(problems))
    for problem in problems:
        click.echo(f"{problem.severity}: {problem}", err=True)
    sys.exit(code)


def say(zh: str, en: str) -> None:
    """One short line to stderr for the user (a confirmation, a note), in the
    language asked for; ``-q`` silences it."""
    if not settings().quiet:
        click.echo(en if current_lang() == "en" else zh, err=True)


WRITTEN_ZH = {"table": "表格", "template": "模板", "config": "配置文件", "office file": "工委文件"}
"""What was written, in the Chinese confirmation (format names such as json stay)."""


def write_output(content: str | bytes | Iterable[Piece], output: Path | None, what: str = "") -> None:
    """stdout (``output`` None or ``-``), or a file written whole or not at
    all (temp file + rename), confirmed on stderr with ``what`` was written.

    An existing target that is not a regular file (``/dev/stdout``, a named
    pipe) is written to, never replaced; one of the process's own
    descriptors (``/dev/stdout``, ``/dev/fd/N``: :func:`own_descriptor`) is
    written to where the shell opened it, whatever it is open on. A symbolic
    link to a file (or to nothing) is replaced by the output, never written
    through: the file it pointed to is left as it was. A write that fails is
    an error naming the file (exit 2), never a traceback."""
    pieces: Iterable[Piece] = [content] if isinstance(content, (str, bytes)) else content
    if output is not None and is_stdout(output):
        output = None
    try:
        if output is None:
            for piece in pieces:
                if isinstance(piece, str):
                    click.echo(replaced(piece), nl=False)
                else:
                    sys.stdout.buffer.write(piece)
            sys.stdout.flush()
            return
        descriptor = own_descriptor(output)
        if descriptor is not None:
            sys.stdout.flush()
            write_pieces(descriptor, pieces)
        elif output.exists() and not stat.S_ISREG(output.stat().st_mode):
            with output.open("wb") as stream:
                write_pieces(stream.fileno(), pieces)
        else:
            if output.is_symlink():
                log.warning("output_link_replaced", file=str(output), target=os.path.realpath(output))
            replace_file(pieces, output)
    except OSError as error:
        if output is None and error.errno == errno.EPIPE:
            raise
        if output is None:
            discard_stdout()
        where = "<stdout>" if output is None else str(output)
        expected = "a stdout that takes the output" if output is None else "a file that can be written"
        fail([Problem("error", where, "", "--output" if output else "", expected, error.strerror or str(error))])
    log.info("output_written", file=str(output))
    if output is not None:
        shown = WRITTEN_ZH.get(what, what)
        say(
            f"已写入 {shown}：{shown_path(output)}" if what else f"已写入：{shown_path(output)}",
            f"wrote {what or 'the output'} to {shown_path(output)}",
        )


def own_descriptor(path: Path) -> int | None:
    """The descriptor of this process that ``path`` names, itself or through
    links (``/dev/stdout`` is a link to ``/proc/self/fd/1``), else None.
    Where the shell redirected stdout into a file, ``/dev/stdout`` leads to
    a regular file: replaced as a link would be, it was ``/dev/stdout``
    itself that was replaced (as root; else an error) and the file got
    nothing."""
    own = os.path.realpath(f"/proc/{os.getpid()}/fd")
    for _ in range(40):
        if path.name.isdigit() and os.path.realpath(path.parent) == own:
            return int(path.name)
        if not path.is_symlink():
            return None
        path = path.parent / os.readlink(path)
    return None


def replace_file(pieces: Iterable[Piece], target: Path) -> None:
    import tempfile

    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.{owner_tag()}", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            reservation = Reservation(stream.fileno())
            write_pieces(stream.fileno(), reservation.ahead(pieces))
            reservation.release()
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def open_config(path: str) -> RunConfig:
    try:
        config, problems = read_config(path)
    except InputError as error:
        fail(error.problems)
    if problems:
        fail(problems)
    return config


def prepare_or_fail(config: RunConfig) -> tuple[Any, RunContext]:
    try:
        return prepare(config)
    except InputError as error:
        fail(error.problems)


def open_run(path: str, command_line_policy: Sequence[str] = ()) -> tuple[RunConfig, Any, RunContext]:
    """The run config (with ``--policy KEY=VALUE`` over its ``[policy]``),
    its plugins and run context, or exit 2 listing every problem at once:
    the file's own and those only the plugins can find (policies, disabled
    items, the edition)."""
    try:
        config, problems = read_config(path)
    except InputError as error:
        fail(error.problems)
    if command_line_policy:
        from fivestar.whatif import one_value_each, policy_options

        try:
            config.command_line_policy = one_value_each(policy_options(command_line_policy))
        except InputError as error:
            problems += error.problems
    if problems:
        config.history = False
    try:
        pm, context = prepare(config)
    except InputError as error:
        problems += [problem for problem in error.problems if problem not in problems]
    if problems:
        fail(problems)
    return config, pm, context


def standalone_config(year: int, edition: str) -> RunConfig:
    """The defaults, for commands given no run config (no history store)."""
    return RunConfig(path=Path("<defaults>"), year=year, edition=edition, history=False)


def context_for(config_path: str | None, edition: str | None) -> tuple[Any, RunContext]:
    """The plugins and context of a run config, or of the defaults and an
    edition when there is none; an edition given with a config is refused."""
    if config_path is None:
        return prepare_or_fail(standalone_config(2020, edition or DEFAULT_EDITION))
    if edition is not None:
        raise click.UsageError(f"--edition goes without a run config; {config_path} sets [assessment] edition")
    _config, pm, context = open_run(config_path)
    return pm, context


def policy_option(required: bool = False, help: str = "") -> Callable[[Any], Any]:
    """``--policy KEY=VALUE``, repeatable (see :func:`fivestar.whatif.policy_options`)."""
    return click.option("--policy", "policies", multiple=True, required=required, metavar="KEY=VALUE", help=help)


edition_option = click.option(
    "--edition", default=None, help=f"The edition, without a run config (default {DEFAULT_EDITION})."
)
