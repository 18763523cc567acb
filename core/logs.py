"""Structured logs with structlog, always to stderr: readable on a terminal,
one JSON object per line with ``--log-format json``."""

from __future__ import annotations

import logging
import os
import sys

import structlog


def configure_logging(
    log_format: str = "console", verbose: int = 0, quiet: bool = False, colors: bool | None = None
) -> None:
    """``verbose`` 1 shows info, 2 debug; ``quiet`` only errors. Colours
    follow ``colors``, else a terminal unless ``NO_COLOR`` is set."""
    level = logging.ERROR if quiet else logging.WARNING - 10 * min(verbose, 2)
    renderer: structlog.typing.Processor
    if log_format == "json":
        renderer = structlog.processors.JSONRenderer(ensure_ascii=False)
    else:
        if colors is None:
            colors = sys.stderr.isatty() and not os.environ.get("NO_COLOR")
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
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
