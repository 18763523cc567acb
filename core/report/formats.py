"""The core's report formats as the plugin manager registers them, without
importing their modules: the workbook's module imports its writer, the
page's the HTML helpers, and a JSON run needs neither.

Each module's formats are declared here (name, description, suffix and the
module's functions by name); the module is imported when one of its formats
is written. The plugins keep their modules' names (``assess plugins``, the
JSON result's provenance), and a test keeps each declaration equal to its
module's own ``assess_renderers``."""

from __future__ import annotations

import importlib
from typing import Any, NamedTuple

from fivestar.markers import hookimpl
from fivestar.report import Renderer


class Imported:
    """``module.function``, the module imported when first called."""

    def __init__(self, module: str, function: str) -> None:
        self.module = module
        self.function = function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(self.module), self.function)(*args, **kwargs)


class Format(NamedTuple):
    """One format of a module: its renderer's name, description and suffix,
    and the names of the module's functions that render it and make its
    pieces (see :class:`fivestar.report.Renderer`)."""

    name: str
    description: str
    suffix: str
    render: str
    pieces: str | None = None


class DeferredFormats:
    """A report module as a plugin: its formats, each written by the module
    imported then."""

    def __init__(self, module: str, *formats: Format) -> None:
        self.module = module
        self.formats = formats

    @hookimpl
    def assess_renderers(self) -> list[Renderer]:
        return [
            Renderer(
                each.name,
                each.description,
                each.suffix,
                Imported(self.module, each.render),
                Imported(self.module, each.pieces) if each.pieces else None,
            )
            for each in self.formats
        ]


terminal = DeferredFormats(
    "fivestar.report.terminal", Format("table", "a cohort league table for the terminal", ".txt", "render_table")
)
csv_table = DeferredFormats(
    "fivestar.report.csv_table",
    Format("csv", "the cohort as a CSV table (UTF-8 with BOM, for Excel)", ".csv", "render_csv", "csv_pieces"),
)
excel = DeferredFormats(
    "fivestar.report.excel",
    Format(
        "xlsx",
        "an Excel workbook: league table, charts and one scorecard sheet per organisation",
        ".xlsx",
        "render_xlsx",
    ),
)
html_page = DeferredFormats(
    "fivestar.report.html_page",
    Format("html", "one self-contained HTML page: league table and scorecards, printable", ".html", "html_pieces"),
)
