"""The `assess` command line: thin commands that parse, call the pipeline
and render. Results go to stdout or files, logs and problems to stderr.

Exit codes: 0 everything scored / valid, 1 some organisation failed
validation (the others are still scored), 2 a bad config or usage, 130
stopped by SIGINT (Ctrl-C), 143 stopped by SIGTERM.
"""

from __future__ import annotations

import errno
import os
import signal
import sys
from typing import Any, NoReturn

import click
import structlog
from fivestar import signals
from fivestar.cli.catalogue import explain, plugins, rules
from fivestar.cli.common import fail, open_config, open_run, prepare_or_fail, say, write_output
from fivestar.cli.forms import convert, init, template
from fivestar.cli.history import compare, history
from fivestar.cli.options import apply_settings, attach_global_options, remember_lang
from fivestar.cli.scaffold import plugin
from fivestar.cli.scoring import PROGRESS_FROM, progress_reporter, run, validate
from fivestar.cli.whatif import whatif
from fivestar.config import DEFAULT_EDITION
from fivestar.logs import configure_logging
from fivestar.manager import make_plugin_manager
from fivestar.model import InputError, Problem
from fivestar.version import __version__

__all__ = [
    "PROGRESS_FROM",
    "fail",
    "main",
    "open_config",
    "open_run",
    "prepare_or_fail",
    "progress_reporter",
    "say",
    "write_output",
]

log = structlog.get_logger(__name__)


class AssessGroup(click.Group):
    """The command line: every command, a plugin's too, takes the global
    options before or after its name; an output that cannot be written (a
    full disk under stdout) is an error naming it, exit 2; a reader that
    closes the pipe early (``| head``) ends the command quietly, with the
    status of a process ended by SIGPIPE (141); SIGINT and SIGTERM stop a
    command cleanly with status 130 and 143."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        super().add_command(attach_global_options(cmd), name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with signals.terminate_unwinds():
                return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("stopped by SIGINT: no output was left half-written", err=True)
            raise click.exceptions.Exit(signals.INTERRUPTED) from None
        except signals.Terminated:
            click.echo("stopped by SIGTERM: no output was left half-written", err=True)
            raise click.exceptions.Exit(signals.TERMINATED) from None
        except OSError as error:
            if error.errno == errno.EPIPE:
                closed_pipe()
            raise

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().main(*args, **kwargs)
        except OSError as error:
            if error.errno == errno.EPIPE:
                closed_pipe()
            if error.filename:
                where, expected = str(error.filename), "a file that can be read and written"
            else:
                where, expected = "<stdout>", "an output that can be written"
            fail([Problem("error", where, "", "", expected, error.strerror or str(error))])


def closed_pipe() -> NoReturn:
    """stdout's reader has gone: nothing more to say to it, and nothing to
    complain about on stderr (Python would otherwise report the failed flush
    at exit)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    sys.exit(128 + signal.SIGPIPE)


def print_version(context: click.Context, _param: click.Parameter, value: bool) -> None:
    """``assess --version``: the package, the default edition and the version
    of every plugin that would be loaded."""
    if not value or context.resilient_parsing:
        return
    lines = [f"assess (fivestar-assess) {__version__}", f"edition {DEFAULT_EDITION}"]
    try:
        pm = make_plugin_manager()
    except InputError as error:
        lines += [f"plugins not loaded: {problem}" for problem in error.problems]
    else:
        infos = [info for info in pm.infos.values() if info.source != "core"]
        lines += [f"plugin {info.name} {info.version} ({info.source})" for info in infos]
    click.echo("\n".join(lines))
    context.exit()


@click.group(cls=AssessGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=print_version,
    help="The package, edition and plugin versions.",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    expose_value=False,
    callback=remember_lang,
    help="Language of titles and messages, for every command that has them (default zh).",
)
def main() -> None:
    """Score the "五星示范、双优引领" assessment of party organisations.

    Global options (-v, -q, --log-format, --color) may also follow the command."""
    apply_settings()


attach_global_options(main)

for command in (run, validate, rules, explain, plugins, plugin, template, convert, init, history, compare, whatif):
    main.add_command(command)


def register_plugin_commands(cli: click.Group) -> None:
    """Let installed plugins add subcommands; a broken plugin costs only its
    commands, never the command line."""
    configure_logging()
    try:
        pm = make_plugin_manager()
    except InputError as error:
        log.warning("plugin_commands_not_loaded", problems=[str(problem) for problem in error.problems])
        return
    for impl in pm.hook.assess_commands.get_hookimpls():
        try:
            impl.function(cli=cli)
        except Exception as error:
            log.warning("plugin_commands_not_loaded", plugin=impl.plugin_name, error=f"{type(error).__name__}: {error}")


register_plugin_commands(main)
