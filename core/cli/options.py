"""The conventions every command shares, so that a new command gets them by
using these decorators:

- global options (``-v``, ``-q``, ``--log-format``, ``--color``, ``--lang``),
  accepted before or after the subcommand (:func:`attach_global_options`);
- one way to ask for a format (``--format``, with ``--json`` as a hidden
  alias) and to write it (``--output FILE``, ``-`` for stdout), the format
  taken from the file's suffix when not given (:func:`output_options`,
  :func:`choose_format`);
- one way to take the run config (``--config``, else ``./config.toml``)
  (:func:`config_option`, :func:`find_config`).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import click

CONFIG_NAME = "config.toml"
"""The run config a command finds in the current folder when given none."""

SETTINGS_KEY = "fivestar.settings"


@dataclass
class Settings:
    """What the global options asked for; shared by every context of one
    command line through ``ctx.meta``."""

    verbose: int = 0
    quiet: bool = False
    log_format: str = "console"
    color: str = "auto"
    lang: str | None = None


def settings() -> Settings:
    context = click.get_current_context(silent=True)
    if context is None:
        return Settings()
    return context.meta.setdefault(SETTINGS_KEY, Settings())


def color_wanted(stream: TextIO, setting: str | None = None) -> bool:
    """``--color always|never`` decides; ``auto`` colours a terminal unless
    ``NO_COLOR`` is set to anything (https://no-color.org)."""
    setting = setting or settings().color
    if setting == "always":
        return True
    if setting == "never" or os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def apply_settings(context: click.Context | None = None) -> None:
    """Configure the logs and click's colours from the settings so far."""
    from fivestar.logs import configure_logging

    current = settings()
    configure_logging(
        current.log_format, current.verbose, quiet=current.quiet, colors=color_wanted(sys.stderr, current.color)
    )
    context = context or click.get_current_context(silent=True)
    if context is not None:
        color = {"always": True, "never": False}.get(current.color)
        if color is None and os.environ.get("NO_COLOR"):
            color = False
        while context is not None:
            context.color = color
            context = context.parent


def _remember(field: str, add: bool = False) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(context: click.Context, _param: click.Parameter, value: Any) -> Any:
        if value in (None, 0, False):
            return value
        current = context.meta.setdefault(SETTINGS_KEY, Settings())
        setattr(current, field, getattr(current, field) + value if add else value)
        apply_settings(context)
        return value

    return callback


def global_parameters() -> list[click.Parameter]:
    """Fresh copies of the global options, for the group and each command."""
    return [
        click.Option(
            ["-v", "--verbose"],
            count=True,
            expose_value=False,
            callback=_remember("verbose", add=True),
            help="More log lines on stderr (-v info, -vv debug).",
        ),
        click.Option(
            ["-q", "--quiet"],
            is_flag=True,
            expose_value=False,
            callback=_remember("quiet"),
            help="Only errors on stderr: no warnings, confirmations or progress.",
        ),
        click.Option(
            ["--log-format"],
            type=click.Choice(["console", "json"]),
            expose_value=False,
            callback=_remember("log_format"),
            help="Logs on stderr: readable (default), or one JSON object per line.",
        ),
        click.Option(
            ["--color"],
            type=click.Choice(["auto", "always", "never"]),
            expose_value=False,
            callback=_remember("color"),
            help="Colour on stderr: auto (a terminal, unless NO_COLOR is set), always or never.",
        ),
    ]


GLOBAL_NAMES = frozenset(name for param in global_parameters() for name in param.opts)


def add_global_parameters(command: click.Command) -> None:
    """The global options on this command itself (not its sub-commands)."""
    taken = {name for param in command.params for name in getattr(param, "opts", [])}
    command.params.extend(param for param in global_parameters() if not taken.intersection(param.opts))


def attach_global_options(command: click.Command) -> click.Command:
    """Give a command the global options (so ``assess run CONFIG -v`` works
    as ``assess -v run CONFIG``), unless it declares one of the names itself."""
    add_global_parameters(command)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            attach_global_options(sub)
    return command


# --------------------------------------------------------------------------
# language
# --------------------------------------------------------------------------


def lang_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--lang zh|en`` on a command that shows titles; ``assess --lang en CMD``
    works too. The command receives ``lang`` (default zh)."""

    @click.option(
        "--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of titles and messages (default zh)."
    )
    @functools.wraps(function)
    def wrapper(*args: Any, lang: str | None, **kwargs: Any) -> Any:
        if lang is not None:
            settings().lang = lang
        return function(*args, lang=current_lang(), **kwargs)

    return wrapper


def current_lang() -> str:
    return settings().lang or "zh"


def remember_lang(context: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        context.meta.setdefault(SETTINGS_KEY, Settings()).lang = value
    return value


# --------------------------------------------------------------------------
# the run config
# --------------------------------------------------------------------------


def find_config(given: str | None) -> str | None:
    """The run config: the one given, else ``config.toml`` in the current
    folder if there is one, else None."""
    if given is not None:
        return given
    return CONFIG_NAME if Path(CONFIG_NAME).is_file() else None


def _config_flag(dest: str, help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("-c", "--config", dest, type=click.Path(dir_okay=False), help=help_text)


def config_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--config CONFIG`` (``-c``); the command receives ``config_path``:
    the given file, else ``./config.toml`` if present, else None."""

    @_config_flag("config_path", f"The run config (default: ./{CONFIG_NAME} if there is one).")
    @functools.wraps(function)
    def wrapper(*args: Any, config_path: str | None, **kwargs: Any) -> Any:
        return function(*args, config_path=find_config(config_path), **kwargs)

    return wrapper


def config_argument(function: Callable[..., Any]) -> Callable[..., Any]:
    """A command whose main input is the run config (``run``, ``duties``)
    takes it as an optional argument too: ``assess run CONFIG`` and
    ``assess run --config CONFIG`` are the same. Neither → ./config.toml;
    none found → a usage error."""

    @click.argument("config_arg", metavar="[CONFIG]", required=False, type=click.Path(dir_okay=False))
    @_config_flag("config_option_value", f"The run config, as the CONFIG argument (default: ./{CONFIG_NAME}).")
    @functools.wraps(function)
    def wrapper(*args: Any, config_arg: str | None, config_option_value: str | None, **kwargs: Any) -> Any:
        if config_arg and config_option_value and Path(config_arg) != Path(config_option_value):
            raise click.UsageError(f"two run configs given: {config_arg} and --config {config_option_value}")
        path = find_config(config_arg or config_option_value)
        if path is None:
            raise click.UsageError(f"no run config: give CONFIG (or --config CONFIG), or run where ./{CONFIG_NAME} is")
        return function(*args, config_path=path, **kwargs)

    return wrapper


# --------------------------------------------------------------------------
# formats and output
# --------------------------------------------------------------------------

STDOUT = "-"


def is_stdout(output: Path | None) -> bool:
    return output is None or str(output) == STDOUT


def output_options(
    default: str = "table", multiple: bool = False, choices: tuple[str, ...] | None = None, output_help: str = ""
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--format`` (a hidden ``--json`` stands for ``--format json``) and
    ``--output FILE`` (``-`` is stdout). The command receives
    ``output_format`` (None when not given: see :func:`choose_format`) or,
    with ``multiple``, ``formats`` (a tuple), and ``output``."""

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        shown = f"{', '.join(choices)}" if choices else "table, json, csv, xlsx, html, ..."
        format_help = f"Output format: {shown} (default {default}, or the suffix of --output)."
        if multiple:
            format_help = format_help[:-2] + "; repeat or comma-separate with --output-dir)."

        @click.option(
            "--format",
            "format_values",
            multiple=multiple,
            default=None,
            metavar="FORMAT",
            type=click.Choice(choices) if choices and not multiple else None,
            help=format_help,
        )
        @click.option("--json", "as_json", is_flag=True, hidden=True, help="The same as --format json.")
        @click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
            help=output_help or "Write to this file (written whole or not at all; - for stdout).",
        )
        @functools.wraps(function)
        def wrapper(*args: Any, format_values: Any, as_json: bool, output: Path | None, **kwargs: Any) -> Any:
            values = tuple(format_values or ()) if multiple else ((format_values,) if format_values else ())
            if as_json:
                names = {name.strip() for value in values for name in value.split(",") if name.strip()}
                if names - {"json"}:
                    raise click.UsageError(f"--json contradicts --format {', '.join(values)}")
                values = ("json",)
            if output is not None and str(output) == STDOUT:
                output = None
            if multiple:
                return function(*args, formats=values, output=output, **kwargs)
            return function(*args, output_format=values[0] if values else None, output=output, **kwargs)

        return wrapper

    return decorate


def choose_format(given: str | None, output: Path | None, suffixes: Mapping[str, str], default: str) -> str:
    """The format to write: the one given, else the one whose suffix the
    output file has, else the default. A given format whose suffix another
    format owns (``--format json --output r.xlsx``), or a suffix no format
    has, is a usage error rather than a file that lies about its content."""
    suffix = output.suffix.lower() if output is not None and output.suffix else ""
    owners = [name for name, own in suffixes.items() if own.lower() == suffix] if suffix else []
    if given is not None:
        if suffix and owners and given not in owners:
            raise click.UsageError(
                f"--format {given} contradicts --output {output} (a {suffix} file is {' or '.join(owners)})"
            )
        return given
    if not suffix:
        return default
    if not owners:
        known = ", ".join(f"{own} ({name})" for name, own in suffixes.items())
        raise click.UsageError(f"--output {output}: no format writes {suffix} files (one of {known}); give --format")
    return default if default in owners else owners[0]


def refuse_binary_on_terminal(name: str, suffix: str, output: Path | None) -> None:
    """A binary format (xlsx, ...) on a terminal is garbage on the screen."""
    if is_stdout(output) and sys.stdout.isatty():
        raise click.UsageError(
            f"{name} is a binary format and stdout is a terminal: "
            f"give --output FILE{suffix}, or pipe it (... > results{suffix})"
        )
