"""Structured logs with structlog, always to stderr: readable on a terminal,
one JSON object per line with ``--log-format json``.

structlog is imported when it is first needed: when a line is logged at a
level that is shown, or before code that is not the core's runs (a plugin
may log with structlog itself, and must find it configured). Importing it
costs some 25 ms (its stdlib module imports asyncio), most of a small run's
fixed cost, and a run that shows no log line does not pay it."""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO

DEBUG, INFO, WARNING, ERROR, CRITICAL = 10, 20, 30, 40, 50
"""The standard library's levels (``logging.DEBUG``, ...)."""

_shown = 0
"""The lowest level shown, as last configured (before any configuration,
structlog's defaults show every line)."""
_pending: tuple[str, int, bool, TextIO] | None = None
"""The configuration not yet given to structlog (it was not imported)."""


def configure_logging(
    log_format: str = "console", verbose: int = 0, quiet: bool = False, colors: bool | None = None
) -> None:
    """``verbose`` 1 shows info, 2 debug; ``quiet`` only errors. Colours
    follow ``colors``, else a terminal unless ``NO_COLOR`` is set. Logs go to
    the ``sys.stderr`` of the moment of this call."""
    global _shown, _pending
    _shown = ERROR if quiet else WARNING - 10 * min(verbose, 2)
    if colors is None:
        colors = sys.stderr.isatty() and not os.environ.get("NO_COLOR")
    _pending = (log_format, _shown, colors, sys.stderr)
    if "structlog" in sys.modules:
        _apply()


def ensure_configured() -> None:
    """Import structlog and give it the configuration last asked for, unless
    it has had it, or someone configured it since it was imported (who would
    have configured it after this module, had structlog been imported when
    the configuration was asked for)."""
    import structlog

    if _pending is not None and not structlog.is_configured():
        _apply()


def _apply() -> None:
    global _pending
    import structlog

    if _pending is None:
        return
    log_format, level, colors, stream = _pending
    _pending = None
    renderer: structlog.typing.Processor
    if log_format == "json":
        renderer = structlog.processors.JSONRenderer(ensure_ascii=False)
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=colors)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        # a line and its line break in one write: worker processes share stderr
        logger_factory=structlog.WriteLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )


class Logger:
    """``structlog.get_logger(name)``, asked for when a line is logged at a
    level that is shown (or once structlog is imported: then structlog's
    own configuration decides what is shown)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def _log(self, level: int, method: str, event: str, fields: dict[str, Any]) -> None:
        if level < _shown and "structlog" not in sys.modules:
            return
        ensure_configured()
        import structlog

        getattr(structlog.get_logger(self.name), method)(event, **fields)

    def debug(self, event: str, **fields: Any) -> None:
        self._log(DEBUG, "debug", event, fields)

    def info(self, event: str, **fields: Any) -> None:
        self._log(INFO, "info", event, fields)

    def warning(self, event: str, **fields: Any) -> None:
        self._log(WARNING, "warning", event, fields)

    def error(self, event: str, **fields: Any) -> None:
        self._log(ERROR, "error", event, fields)


def get_logger(name: str) -> Logger:
    """The logger of a module (see :class:`Logger`)."""
    return Logger(name)
