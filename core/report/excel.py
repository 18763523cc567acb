"""The cohort as an Excel workbook ready to print and filter: the league
table, the charts, the years (with history), one scorecard sheet per
organisation, the failed organisations and the run's settings.

Figures are numeric cells holding the JSON document's numbers
(``json_number``: an int, or the float whose shortest text is the decimal's
own), so Excel shows 2.8 and sums exactly what the ledger says; they are
formatted to show half points (``0.0#``). Every sheet prints landscape, fit
to the page's width, with its header rows repeated.

The workbook is written in openpyxl's write-only mode, row after row, each
cell style made once: the cost grows with the rows, never with their
square, and a cohort of 100,000 is streamed. Above :data:`SCORECARDS_UP_TO`
organisations the workbook holds no scorecard sheets and says where the
scorecards are.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from copy import copy
from decimal import Decimal
from typing import Any
from weakref import WeakKeyDictionary

from fivestar.markers import hookimpl
from fivestar.pipeline import RunResult
from fivestar.report import Renderer, RenderOptions
from fivestar.report.history_view import history_totals
from fivestar.report.view import AWARD_FLAGS, Cohort, clean, cohort_view, figure, run_date
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

SCORECARDS_UP_TO = 200
"""Above this many scored organisations the workbook has no scorecard sheets:
a workbook of more sheets is not read sheet by sheet, and each scorecard
costs a hundred rows (openpyxl writes some 20,000 cells a second here),
while the league table alone costs about what the JSON does."""
SHEET_TITLE_MAX = 31
INVALID_TITLE_CHARACTERS = str.maketrans({character: "_" for character in "[]:*?/\\"})
RESERVED_TITLES = {"history"}

POINTS_FORMAT = "0.0#"
"""Half points show as 7.5 and whole ones as 25.0: a column reads evenly."""
WHOLE_FORMAT = "0"
BOLD = Font(bold=True)
RED = Font(bold=True, color="B22222")
HEADER_FILL = PatternFill("solid", fgColor="F3ECEC")
FIVE_FILL = PatternFill("solid", fgColor="FBE3E3")
AWARD_FILL = PatternFill("solid", fgColor="FDF1DC")
WRAP = Alignment(wrap_text=True, vertical="top")
STYLES: WeakKeyDictionary[Workbook, dict[tuple[Any, ...], StyleArray]] = WeakKeyDictionary()
TOP = Alignment(vertical="top")


def sheet_title(name: str, taken: set[str]) -> str:
    """A unique sheet title Excel accepts: no control characters or line
    breaks, at most 31 characters, none of ``[]:*?/\\``, not starting or
    ending with an apostrophe; compared without case, as Excel does."""
    base = clean(name, one_line=True).translate(INVALID_TITLE_CHARACTERS).strip().strip("'") or "sheet"
    title = base[:SHEET_TITLE_MAX]
    number = 2
    while title.casefold() in taken:
        suffix = f" ({number})"
        title = base[: SHEET_TITLE_MAX - len(suffix)] + suffix
        number += 1
    taken.add(title.casefold())
    return title


def cell_value(value: Any) -> Any:
    """Text cleaned of what a workbook cannot hold; a number or nothing as
    it is; anything else (a list policy) as its text."""
    if isinstance(value, str):
        return clean(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    return str(value)


class Sheet:
    """A write-only sheet and the styles of its rows: text is always text
    (a name beginning with "=" from an evidence file never becomes a
    formula), numbers carry the points format."""

    def __init__(self, sheet: WriteOnlyWorksheet, widths: list[int], header_rows: int = 1) -> None:
        self.sheet = sheet
        self.rows = 0
        for index, width in enumerate(widths, 1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_options.gridLines = False
        if header_rows:
            sheet.print_title_rows = f"1:{header_rows}"

    def style(self, number: str | None, font: Font | None, fill: PatternFill | None, wrap: bool) -> StyleArray:
        """A cell style, made once per workbook: setting a cell's font, fill
        and format one by one costs more than writing the cell."""
        key = (number, id(font), id(fill), wrap)
        styles = STYLES.setdefault(self.sheet.parent, {})
        if key not in styles:
            cell = WriteOnlyCell(self.sheet)
            if number:
                cell.number_format = number
            if font is not None:
                cell.font = font
            if fill is not None:
                cell.fill = fill
            cell.alignment = WRAP if wrap else TOP
            styles[key] = cell._style
        return styles[key]

    def write(
        self,
        values: Iterable[Any],
        font: Font | None = None,
        fill: PatternFill | None = None,
        wrap: bool = False,
        counts: tuple[int, ...] = (),
    ) -> int:
        """Append a row; the columns in ``counts`` hold whole numbers (a
        rank, a count), the other numbers are points."""
        row = []
        for index, value in enumerate(values):
            cell = WriteOnlyCell(self.sheet, cell_value(value))
            number = None
            if isinstance(cell.value, str):
                cell.data_type = "s"
            elif isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                number = WHOLE_FORMAT if index in counts else POINTS_FORMAT
            if number or font or fill or wrap:
                cell._style = copy(self.style(number, font, fill, wrap))
            row.append(cell)
        self.sheet.append(row)
        self.rows += 1
        return self.rows


def footer(sheet: WriteOnlyWorksheet, view: Cohort) -> None:
    """The page's foot: the run and its date on the left, the page number on the right."""
    labels = view.labels
    heading = labels["heading"].format(year=view.document["year"]).replace("&", "&&")
    sheet.oddFooter.left.text = f"{heading} · {labels['run_date']} {run_date()}"
    before, _, after = labels["page_of"].partition("{page}")
    middle, _, end = after.partition("{pages}")
    sheet.oddFooter.right.text = f"{before}&P{middle}&N{end}"


def league_sheet(sheet: WriteOnlyWorksheet, view: Cohort) -> None:
    labels = view.labels
    section_ids = view.section_ids
    header = [
        labels["rank"],
        labels["org"],
        labels["id"],
        *(view.section_title(section_id) for section_id in section_ids),
        labels["heavy"],
        labels["total"],
        labels["stars"],
        labels["awards"],
    ]
    last = get_column_letter(len(header))
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{last}{len(view.scored) + 1}"
    footer(sheet, view)
    writer = Sheet(sheet, [6, 34, 16, *([8] * len(section_ids)), 7, 8, 26, 22])
    writer.write(header, BOLD, HEADER_FILL, wrap=True)
    for entry in view.scored:
        sections = entry["sections"]
        awards = entry["awards"]
        fill = FIVE_FILL if awards["five_star"] else AWARD_FILL if view.honours(awards) else None
        writer.write(
            [
                entry["rank"],
                entry["name"],
                entry["id"],
                *(sections[section_id]["score"] if section_id in sections else None for section_id in section_ids),
                -entry["heavy_total"],
                entry["total"],
                view.stars(awards) or None,
                view.honours(awards) or None,
            ],
            RED if awards["five_star"] else None,
            fill,
            counts=(0,),
        )


def bands_of(view: Cohort, step: int) -> tuple[list[str], list[list[int]]]:
    """Counts of the cohort per band of totals, by its highest award."""
    maximum = int(sum((Decimal(str(section["max"])) for section in view.scored[0]["sections"].values()), Decimal(0)))
    columns = maximum // step + (1 if maximum % step else 0)
    counts = [[0, 0, 0] for _column in range(columns)]
    for entry in view.scored:
        awards = entry["awards"]
        group = 0 if awards["five_star"] else 1 if view.honours(awards) else 2
        column = min(columns - 1, max(0, int(Decimal(str(entry["total"]))) // step))
        counts[column][group] += 1
    return [f"{column * step}–{column * step + step - 1}" for column in range(columns)], counts


def charts_sheet(sheet: WriteOnlyWorksheet, view: Cohort) -> None:
    """The distribution of totals by award, as a table and a stacked chart."""
    labels = view.labels
    footer(sheet, view)
    writer = Sheet(sheet, [14, 12, 16, 10])
    groups = [labels["five"], f"{labels['pbe']}{labels['separator']}{labels['pe']}", labels["none"]]
    writer.write([labels["totals_band"], *groups], BOLD, HEADER_FILL, wrap=True)
    names, counts = bands_of(view, 10)
    for name, row in zip(names, counts, strict=True):
        writer.write([name, *row], counts=(1, 2, 3))
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = labels["chart_cohort"]
    chart.y_axis.title = labels["count"]
    chart.x_axis.title = labels["totals_band"]
    chart.add_data(Reference(sheet, min_col=2, max_col=4, min_row=1, max_row=len(names) + 1), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(names) + 1))
    chart.width, chart.height = 22, 11
    sheet.add_chart(chart, "F2")


def history_sheet(sheet: WriteOnlyWorksheet, view: Cohort, history: dict[str, Any]) -> None:
    """With history: each organisation's totals over the years, its movement
    against last year, and the totals as a chart."""
    labels = view.labels
    years = history["years"]
    footer(sheet, view)
    writer = Sheet(sheet, [34, 16, *([9] * len(years)), 10])
    writer.write([labels["org"], labels["id"], *(str(year) for year in years), labels["movement"]], BOLD, HEADER_FILL)
    for entry in view.scored:
        totals = dict(history["totals"].get(entry["id"], []))
        movement = history["movements"].get(entry["id"])
        writer.write([entry["name"], entry["id"], *(totals.get(year) for year in years), movement])
    if len(view.scored) > 60:
        return
    chart = BarChart()
    chart.type = "bar"
    chart.title = labels["chart_history"]
    count = len(view.scored)
    chart.add_data(
        Reference(sheet, min_col=3, max_col=2 + len(years), min_row=1, max_row=count + 1), titles_from_data=True
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=count + 1))
    chart.width, chart.height = 20, max(8, count * 0.9)
    sheet.add_chart(chart, f"{get_column_letter(len(years) + 5)}2")


def scorecard_sheet(sheet: WriteOnlyWorksheet, view: Cohort, entry: dict[str, Any]) -> None:
    labels = view.labels
    org_id = entry["id"]
    sheet.freeze_panes = "A7"
    footer(sheet, view)
    writer = Sheet(sheet, [12, 30, 56, 8, 8, 60], header_rows=6)
    writer.write([labels["org"], entry["name"]], BOLD)
    writer.write([labels["id"], org_id])
    writer.write([labels["rank"], entry["rank"]], counts=(1,))
    writer.write([labels["total"], entry["total"]], BOLD)
    writer.write([])
    writer.write(
        [labels["section"], labels["item"], labels["title"], labels["points"], labels["max"], labels["basis"]],
        BOLD,
        HEADER_FILL,
    )
    for section_id, section in entry["sections"].items():
        capped = None
        if section["claimed"] != section["score"]:
            capped = labels["capped"].format(claimed=figure(section["claimed"]), max=figure(section["max"]))
        writer.write(
            [view.section_title(section_id), section_id, labels["subtotal"], section["score"], section["max"], capped],
            BOLD,
        )
        for item_id, line in section["items"].items():
            title = view.item_title(item_id) + labels.get(f"status_{line['status']}", "")
            lost = line["max"] is not None and line["points"] != line["max"]
            writer.write(
                [
                    view.section_title(section_id),
                    item_id,
                    title,
                    line["points"],
                    line["max"],
                    view.basis(org_id, item_id, line["basis"]),
                ],
                RED if line["status"] == "falsified" else None,
                AWARD_FILL if lost else None,
                wrap=True,
            )
    writer.write([])
    writer.write([labels["heavy_items"], labels["item"], labels["title"], labels["deduction"], labels["source"]], BOLD)
    if not entry["heavy"]:
        writer.write([labels["none"]])
    for deduction in entry["heavy"]:
        heavy = view.registry.heavy.get(deduction["id"])
        writer.write(
            [
                view.section_title(heavy.section) if heavy else "",
                deduction["id"],
                view.heavy_title(deduction["id"]),
                deduction["points"],
                view.source(deduction["source"]),
            ]
        )
    awards = entry["awards"]
    writer.write([])
    writer.write([labels["awards"]], BOLD)
    writer.write([labels["stars"], view.stars(awards) or None])
    for flag, label in AWARD_FLAGS:
        writer.write([labels[label], labels["yes"] if awards[flag] else labels["no"]], RED if awards[flag] else None)
    for name, reason in view.withheld(org_id, awards["withheld"]):
        writer.write([labels["withheld"], name, reason])
    decisions = view.decisions(entry)
    if decisions:
        writer.write([])
        writer.write([labels["decisions"]], BOLD)
        for text in decisions:
            writer.write([None, None, text], wrap=True)
    writer.write([])
    first = writer.write([labels["section"], labels["points"], labels["max"]], BOLD)
    for section_id, section in entry["sections"].items():
        writer.write([view.section_short(section_id), section["score"], section["max"]])
    chart = BarChart()
    chart.type = "bar"
    chart.title = labels["chart_scores"]
    last = first + len(entry["sections"])
    chart.add_data(Reference(sheet, min_col=2, max_col=3, min_row=first, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=first + 1, max_row=last))
    chart.width, chart.height = 16, 8
    sheet.add_chart(chart, "H1")


def failed_sheet(sheet: WriteOnlyWorksheet, view: Cohort) -> None:
    labels = view.labels
    footer(sheet, view)
    writer = Sheet(sheet, [16, 34, 40, 90])
    writer.write([labels["id"], labels["org"], labels["file"], labels["error"]], BOLD, HEADER_FILL)
    for entry in view.failed:
        for error in entry["errors"]:
            writer.write([entry["id"], entry["name"], entry["file"], error["message"]], wrap=True)


def run_sheet(sheet: WriteOnlyWorksheet, view: Cohort, with_scorecards: bool) -> None:
    labels = view.labels
    document = view.document
    footer(sheet, view)
    writer = Sheet(sheet, [26, 22, 90], header_rows=0)
    writer.write([labels["year"], document["year"]])
    writer.write([labels["edition"], document["edition"]])
    writer.write([labels["award_year"], labels["yes"] if document["award_year"] else labels["no"]])
    writer.write([labels["run_date"], run_date()])
    writer.write([labels["disabled"], labels["separator"].join(document["disabled_items"]) or labels["none"]])
    if not with_scorecards:
        text = labels["large_cohort"].format(
            count=len(view.scored), limit=SCORECARDS_UP_TO, where=labels["large_cohort_where"]
        )
        writer.write([labels["scorecards"], text])
    writer.write([])
    writer.write([labels["policies"], labels["policy_value"], labels["basis"]], BOLD)
    command_line = document.get("command_line_policies", ())
    for key, value in document["policies"].items():
        shown = value if isinstance(value, (int, float, bool)) else view.policy_value(value)
        text = view.policy_text(key)
        if key in command_line:
            text = f"{labels['policies_command_line']} · {text}"
        writer.write([key, shown, text], wrap=True)
    writer.write([])
    writer.write([labels["maker"], None, labels["checker"]])
    writer.write([labels["date"]])


def render_xlsx(result: RunResult, options: RenderOptions) -> bytes:
    """The workbook's bytes. With ``options.org`` only that organisation's
    scorecard sheet follows the league table."""
    view = cohort_view(result, options.lang)
    labels = view.labels
    with_scorecards = options.org is not None or len(view.scored) <= SCORECARDS_UP_TO
    history = history_totals(result) if with_scorecards else {}
    taken = set(RESERVED_TITLES)
    league_title, charts_title, history_title, failed_title, run_title = (
        sheet_title(labels[key], taken)
        for key in ("league", "charts_sheet", "history_total", "failed_sheet", "run_sheet")
    )
    workbook = Workbook(write_only=True)
    league_sheet(workbook.create_sheet(league_title), view)
    if view.scored:
        charts_sheet(workbook.create_sheet(charts_title), view)
    if history:
        history_sheet(workbook.create_sheet(history_title), view, history)
    if with_scorecards:
        for entry in view.entries(options.org):
            scorecard_sheet(workbook.create_sheet(sheet_title(entry["name"], taken)), view, entry)
    if view.failed:
        failed_sheet(workbook.create_sheet(failed_title), view)
    run_sheet(workbook.create_sheet(run_title), view, with_scorecards)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@hookimpl
def assess_renderers() -> list[Renderer]:
    return [
        Renderer(
            "xlsx",
            "an Excel workbook: league table, charts and one scorecard sheet per organisation",
            ".xlsx",
            render_xlsx,
        )
    ]
