"""The `assess` command line: thin commands that parse, call the pipeline
and render. Results go to stdout or files, logs and problems to stderr.

Exit codes: 0 everything scored / valid, 1 some organisation failed
validation (the others are still scored), 2 a bad config or usage, 130
stopped by SIGINT (Ctrl-C), 143 stopped by SIGTERM.
"""

from __future__ import annotations

import errno
import importlib
import os
import signal
import sys
from typing import Any, NoReturn

import click
from fivestar import signals
from fivestar.cli.options import add_global_parameters, apply_settings, attach_global_options, remember_lang
from fivestar.version import __version__

__all__ = [
    "PROGRESS_FROM",
    "entry",
    "fail",
    "main",
    "open_config",
    "open_run",
    "prepare_or_fail",
    "progress_reporter",
    "say",
    "write_output",
]

_EXPORTS = {
    "PROGRESS_FROM": "fivestar.cli.scoring",
    "progress_reporter": "fivestar.cli.scoring",
    "fail": "fivestar.cli.common",
    "open_config": "fivestar.cli.common",
    "open_run": "fivestar.cli.common",
    "prepare_or_fail": "fivestar.cli.common",
    "say": "fivestar.cli.common",
    "write_output": "fivestar.cli.common",
}


def __getattr__(name: str) -> Any:
    """The helpers a plugin's command uses, imported when first asked for."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'fivestar.cli' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


COMMANDS = {
    "compare": (
        "fivestar.cli.history",
        "Per organisation and section, the change from YEAR_A to YEAR_B, largest movers first.",
    ),
    "convert": ("fivestar.cli.forms", "Convert evidence between TOML and Excel, without loss."),
    "duties": (
        "fivestar.plugins.duties.command",
        "三级书记责任清单: each list's status, findings and obligations (required vs recorded).",
    ),
    "explain": ("fivestar.cli.catalogue", "The standard's text, formula, facts and policies of one item."),
    "history": ("fivestar.cli.history", "One organisation's saved years: total, stars, awards, change."),
    "init": (
        "fivestar.cli.forms",
        "A new year's folder: config.toml, orgs/ with a template per organisation of last year's cohort, "
        "empty office records and reviews (records/, reviews/).",
    ),
    "plugin": ("fivestar.cli.scaffold", "Write plugins: `assess plugin new NAME`."),
    "plugins": ("fivestar.cli.catalogue", "The plugins loaded: name, version, origin, what they register."),
    "rules": ("fivestar.cli.catalogue", "The catalogue of items: id, points, the standard's text."),
    "run": ("fivestar.cli.scoring", "Score every organisation the run CONFIG names."),
    "template": (
        "fivestar.cli.forms",
        "An evidence template (TOML in Chinese, or an Excel workbook) for a department to fill in; "
        "--check FILE says what a half-filled file lacks.",
    ),
    "validate": (
        "fivestar.cli.scoring",
        "Check evidence files (- reads standard input) and list every problem at once: errors (the "
        "organisation cannot be scored), warnings, and the facts missing and scored as 0.",
    ),
    "whatif": (
        "fivestar.cli.whatif",
        "Score the cohort of CONFIG under its policies and under the changed ones: who moves, why, and what "
        "it does to the stars and awards.",
    ),
}
"""Each command's module and summary. A command's module is imported when the
command is called (``assess --help`` imports none: the summaries are here, and
a test keeps them equal to the commands' own). ``duties`` is the bundled
duties plugin's command (its ``assess_commands``)."""


class AssessGroup(click.Group):
    """The command line: every command, a plugin's too, takes the global
    options before or after its name; an output that cannot be written (a
    full disk under stdout) is an error naming it, exit 2; a reader that
    closes the pipe early (``| head``) ends the command quietly, with the
    status of a process ended by SIGPIPE (141); SIGINT and SIGTERM stop a
    command cleanly with status 130 and 143."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._commands: dict[str, click.Command] = {}
        self._plugins_asked = False
        super().__init__(*args, **kwargs)

    @property  # type: ignore[override]
    def commands(self) -> dict[str, click.Command]:
        """Every command, each module imported (for whoever needs them all)."""
        for name in COMMANDS:
            self._load(name)
        self._add_plugin_commands()
        return self._commands

    @commands.setter
    def commands(self, commands: dict[str, click.Command]) -> None:
        self._commands = dict(commands)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        name = name or cmd.name
        assert name is not None
        self._commands[name] = attach_global_options(cmd)

    def _load(self, name: str) -> click.Command | None:
        if name not in self._commands and name in COMMANDS:
            module = importlib.import_module(COMMANDS[name][0])
            self.add_command(getattr(module, name), name)
        return self._commands.get(name)

    def _add_plugin_commands(self) -> None:
        if not self._plugins_asked:
            self._plugins_asked = True
            register_plugin_commands(self)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = self._load(cmd_name)
        if command is None:
            self._add_plugin_commands()
            command = self._commands.get(cmd_name)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self._commands})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their summaries, from :data:`COMMANDS` for those not
        yet imported: ``assess --help`` costs no more than click itself."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max((len(name) for name in names), default=0)
        rows = []
        for name in names:
            command = self._commands.get(name)
            if command is None:
                rows.append((name, click.Command(name, help=COMMANDS[name][1]).get_short_help_str(limit)))
            elif not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

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
            from fivestar.cli.common import fail
            from fivestar.model import Problem

            if error.filename:
                where, expected = str(error.filename), "a file that can be read and written"
            else:
                where, expected = "<stdout>", "an output that can be written"
                discard_stdout()
            fail([Problem("error", where, "", "", expected, error.strerror or str(error))])


def closed_pipe() -> NoReturn:
    """stdout's reader has gone: nothing more to say to it, and nothing to
    complain about on stderr."""
    discard_stdout()
    sys.exit(128 + signal.SIGPIPE)


def discard_stdout() -> None:
    """What stdout still holds, and whatever is written to it from now on,
    goes nowhere: it could not be written (its reader gone, its disk full),
    and Python would otherwise try again at exit and report that failure
    ("Exception ignored", status 120)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def print_version(context: click.Context, _param: click.Parameter, value: bool) -> None:
    """``assess --version``: the package, the default edition and the version
    of every plugin that would be loaded."""
    if not value or context.resilient_parsing:
        return
    from fivestar.config import DEFAULT_EDITION
    from fivestar.manager import make_plugin_manager
    from fivestar.model import InputError
    from fivestar.pipeline import known_editions

    lines = [f"assess (fivestar-assess) {__version__}", f"edition {DEFAULT_EDITION} (default)"]
    try:
        pm = make_plugin_manager()
        others = [edition for edition in known_editions(pm) if edition != DEFAULT_EDITION]
    except InputError as error:
        lines += [f"plugins not loaded: {problem}" for problem in error.problems]
    else:
        lines += [f"edition {edition}" for edition in others]
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

    Global options (-v, -q, --log-format, --color) may also follow the command.
    Commands that other installed plugins add are found when called."""
    apply_settings()


add_global_parameters(main)


def register_plugin_commands(cli: click.Group) -> None:
    """Let installed plugins add subcommands; a broken plugin costs only its
    commands, never the command line. Asked for when a command is not one of
    :data:`COMMANDS` (or all commands are wanted), so that a command line that
    needs no plugin does not load them."""
    from fivestar.logs import configure_logging, get_logger
    from fivestar.manager import make_plugin_manager
    from fivestar.model import InputError

    log = get_logger(__name__)
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


_ENDS_WITH_COMMAND = False


def process_ends_with_command() -> bool:
    """Whether this process is the ``assess`` program (:func:`entry`), which
    ends as soon as its command has said what it had to say."""
    return _ENDS_WITH_COMMAND


def entry() -> NoReturn:
    """The ``assess`` program: :func:`main`, then the process ends as soon
    as what it had to say is said.

    Python's own exit frees every object and module one at a time, which the
    system does at once when the process ends: after a run of 2,000
    organisations that took some 35 ms (0.96× the run without it, measured
    in alternated pairs), after a run of 50 some 14 ms. So where the command
    ended with an exit code and no other thread is running, stdout and
    stderr are flushed, what was registered to run at exit is run (the
    spill folder's removal, the pools' ends), and the process ends with
    ``os._exit``. Anything else (a message as exit status, a thread a
    plugin left running, a stream that cannot be flushed) exits as Python
    does. Tests call :func:`main`, which never ends the process.

    The process ends inside the handler of the command's ``SystemExit``,
    whose traceback still holds the command's frames: what the command made
    (a run's result, its packed cohort) is not freed either, object by
    object, before the process ends (100,000 organisations: some 170 ms)."""
    global _ENDS_WITH_COMMAND
    _ENDS_WITH_COMMAND = True
    try:
        main()
    except SystemExit as done:
        end_process(0 if done.code is None else done.code)
    end_process(0)


def end_process(code: object) -> NoReturn:
    """Exit with ``code`` without Python's teardown where that is safe (see :func:`entry`)."""
    import atexit

    threading = sys.modules.get("threading")
    if type(code) is not int or (threading is not None and threading.active_count() > 1):
        sys.exit(code)
    try:
        _flush_streams()
        atexit._run_exitfuncs()
        _flush_streams()
    except (OSError, ValueError):
        sys.exit(code)
    os._exit(code)


def _flush_streams() -> None:
    """stdout and stderr flushed; a stream the process was started without
    (closed, ``>&-``) is None and has nothing to flush."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()
