"""The `assess` command line: thin commands that parse, call the pipeline
and render. Results go to stdout or files, logs and problems to stderr.

Exit codes: 0 everything scored / valid, 1 some organisation failed
validation (the others are still scored), 2 a bad config or usage, 130
stopped by SIGINT (Ctrl-C), 143 stopped by SIGTERM.
"""

from __future__ import annotations

import errno
from typing import Any

import click
import structlog
from fivestar import signals
from fivestar.cli.catalogue import explain, plugins, rules, template
from fivestar.cli.common import fail, open_config, prepare_or_fail, write_output
from fivestar.cli.history import compare, history
from fivestar.cli.scoring import PROGRESS_FROM, progress_reporter, run, validate
from fivestar.cli.whatif import whatif
from fivestar.logs import configure_logging
from fivestar.manager import make_plugin_manager
from fivestar.model import InputError, Problem
from fivestar.version import __version__

__all__ = ["PROGRESS_FROM", "fail", "main", "open_config", "prepare_or_fail", "progress_reporter", "write_output"]

log = structlog.get_logger(__name__)


class AssessGroup(click.Group):
    """The command line: an output that cannot be written (a full disk under
    stdout) is an error naming it, exit 2, in every command, a plugin's too;
    SIGINT and SIGTERM stop a command cleanly with status 130 and 143."""

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

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().main(*args, **kwargs)
        except OSError as error:
            if error.errno == errno.EPIPE:
                raise
            if error.filename:
                where, expected = str(error.filename), "a file that can be read and written"
            else:
                where, expected = "<stdout>", "an output that can be written"
            fail([Problem("error", where, "", "", expected, error.strerror or str(error))])


@click.group(cls=AssessGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="assess")
@click.option("-v", "--verbose", count=True, help="More log lines on stderr (-v info, -vv debug).")
@click.option(
    "--log-format",
    type=click.Choice(["console", "json"]),
    default="console",
    show_default=True,
    help="Logs on stderr: readable, or one JSON object per line.",
)
def main(verbose: int, log_format: str) -> None:
    """Score the "五星示范、双优引领" assessment of party organisations."""
    configure_logging(log_format, verbose)


for command in (run, validate, rules, explain, plugins, template, history, compare, whatif):
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
