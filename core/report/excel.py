"""The cohort as an Excel workbook ready to print and filter: the league
table, the charts, the years (with history), one scorecard sheet per
organisation, the failed organisations and the run's settings.

Figures are numeric cells holding the JSON document's numbers, as their
JSON text (``json_number``: Excel shows 2.8 and sums exactly what the ledger
says); they are formatted to show half points (``0.0#``). Every sheet prints
landscape, fit to the page's width, with its header rows repeated.

The workbook is written by :mod:`fivestar.report.workbook_xml`, row after
row, straight into the zip: the cost grows with the rows, never with their
square, and is a small multiple of the JSON's. A scorecard is read from the
organisation's ledger (its lines' basis remembered for the rule shapes whose
text depends on the line alone, as the JSON writer does). Above
:data:`SCORECARDS_UP_TO` organisations the workbook holds no scorecard
sheets and says where the scorecards are.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fivestar.markers import hookimpl
from fivestar.model import ItemResult, Ledger
from fivestar.pipeline import RunResult
from fivestar.report import Renderer, RenderOptions, jsonable
from fivestar.report.history_view import history_totals
from fivestar.report.json_text import MEMO_LIMIT, PURE_RULES
from fivestar.report.view import AWARD_FLAGS, Cohort, ReportWords, clean, cohort_view, figure, run_date
from fivestar.report.workbook_xml import BarChart, Font, Series, Sheet, SheetSetup, Style, WorkbookWriter

SCORECARDS_UP_TO = 2000
"""Above this many scored organisations the workbook has no scorecard sheets
(as the HTML report): a workbook of more sheets is not read sheet by sheet."""
SHEET_TITLE_MAX = 31
INVALID_TITLE_CHARACTERS = str.maketrans({character: "_" for character in "[]:*?/\\"})
RESERVED_TITLES = {"history"}

POINTS_FORMAT = "0.0#"
"""Half points show as 7.5 and whole ones as 25.0: a column reads evenly."""
BOLD_FONT = Font(bold=True)
RED = "B22222"
RED_FONT = Font(bold=True, color=RED)
HEADER_FILL = "F3ECEC"
FIVE_FILL = "FBE3E3"
AWARD_FILL = "FDF1DC"
GREY = "9E9E9E"
PLAIN = Style()
BOLD = Style(font=BOLD_FONT)
HEADER = Style(font=BOLD_FONT, fill=HEADER_FILL)
WRAPPED_HEADER = Style(font=BOLD_FONT, fill=HEADER_FILL, wrap=True)
EMPHASIS = Style(font=RED_FONT)
"""Red and bold: an award earned."""
WRAP = Style(wrap=True)


def sheet_title(name: str, taken: set[str]) -> str:
    """A unique sheet title Excel accepts: no control characters or line
    breaks, at most 31 characters, none of ``[]:*?/\\``, not starting or
    ending with an apostrophe; compared without case, as Excel does."""
    base = clean(name, one_line=True).translate(INVALID_TITLE_CHARACTERS).strip().strip("'") or "sheet"
    title = base[:SHEET_TITLE_MAX].rstrip("'")
    number = 2
    while title.casefold() in taken:
        suffix = f" ({number})"
        title = base[: SHEET_TITLE_MAX - len(suffix)] + suffix
        number += 1
    taken.add(title.casefold())
    return title


def footer(view: Cohort) -> tuple[str, str]:
    """The page's foot: the run and its date on the left, the page number on the right."""
    labels = view.labels
    heading = labels["heading"].format(year=view.document["year"]).replace("&", "&&")
    before, _, after = labels["page_of"].partition("{page}")
    middle, _, end = after.partition("{pages}")
    return f"{heading} · {labels['run_date']} {run_date()}", f"{before}&P{middle}&N{end}"


def setup(view: Cohort, widths: list[float], header_rows: int = 1, freeze: str | None = None) -> SheetSetup:
    return SheetSetup(widths=widths, freeze=freeze, header_rows=header_rows, footer=footer(view))


def league_sheet(sheet: Sheet, view: Cohort) -> None:
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
    sheet.autofilter(len(header), len(view.scored) + 1)
    sheet.write(header, WRAPPED_HEADER)
    five = Style(font=RED_FONT, fill=FIVE_FILL)
    awarded = Style(fill=AWARD_FILL)
    for entry in view.scored:
        sections = entry["sections"]
        awards = entry["awards"]
        honours = view.honours(awards)
        sheet.write(
            [
                entry["rank"],
                entry["name"],
                entry["id"],
                *(sections[section_id]["score"] if section_id in sections else None for section_id in section_ids),
                -entry["heavy_total"],
                entry["total"],
                view.stars(awards) or None,
                honours or None,
            ],
            five if awards["five_star"] else awarded if honours else PLAIN,
            whole=(0,),
        )


def league_widths(view: Cohort) -> list[float]:
    return [6, 34, 16, *([8] * len(view.section_ids)), 7, 8, 26, 22]


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


def charts_sheet(sheet: Sheet, view: Cohort) -> None:
    """The distribution of totals by award, as a table and a stacked chart."""
    labels = view.labels
    groups = [labels["five"], f"{labels['pbe']}{labels['separator']}{labels['pe']}", labels["none"]]
    sheet.write([labels["totals_band"], *groups], WRAPPED_HEADER)
    names, counts = bands_of(view, 10)
    for name, row in zip(names, counts, strict=True):
        sheet.write([name, *row], whole=(1, 2, 3))
    last = len(names) + 1
    sheet.add_chart(
        BarChart(
            labels["chart_cohort"],
            [Series(column, 1, 2, last) for column in (2, 3, 4)],
            categories=1,
            anchor=(6, 2),
            size=(22, 11),
            direction="col",
            stacked=True,
            x_title=labels["totals_band"],
            y_title=labels["count"],
        )
    )


def history_sheet(sheet: Sheet, view: Cohort, history: dict[str, Any]) -> None:
    """With history: each organisation's totals over the years, its movement
    against last year, and the totals as a chart."""
    labels = view.labels
    years = history["years"]
    sheet.write([labels["org"], labels["id"], *(str(year) for year in years), labels["movement"]], HEADER)
    for entry in view.scored:
        totals = dict(history["totals"].get(entry["id"], []))
        movement = history["movements"].get(entry["id"])
        sheet.write([entry["name"], entry["id"], *(totals.get(year) for year in years), movement])
    count = len(view.scored)
    if count > 60:
        return
    sheet.add_chart(
        BarChart(
            labels["chart_history"],
            [Series(3 + offset, 1, 2, count + 1) for offset in range(len(years))],
            categories=1,
            anchor=(len(years) + 5, 2),
            size=(20, max(8, count * 0.9)),
            direction="bar",
        )
    )


class Scorecards:
    """The scorecard sheets of one workbook, each read from its
    organisation's ledger; what every scorecard shares (titles in the
    report's words, a line's basis for the pure rule shapes) is made once."""

    def __init__(self, view: Cohort) -> None:
        self.view = view
        self.labels = view.labels
        self.words = ReportWords(view.labels)
        self.section_titles = {section_id: view.section_title(section_id) for section_id in view.registry.sections}
        self.item_titles: dict[tuple[str, str], str] = {}
        self.bases: dict[tuple[Any, ...], str] = {}

    def title(self, line: ItemResult) -> str:
        key = (line.item.id, line.status)
        title = self.item_titles.get(key)
        if title is None:
            title = self.item_titles[key] = self.view.item_title(line.item.id) + self.labels.get(
                f"status_{line.status}", ""
            )
        return title

    def basis(self, line: ItemResult) -> str:
        """The line's basis in the report's words; remembered, as the JSON
        writer remembers it, by what decides it for the rule shapes whose
        text depends on nothing else."""
        if not isinstance(line.item.rule, PURE_RULES):
            return clean(line.explain(self.words))
        trace = line.trace
        if trace.__class__ is list:
            trace = tuple(trace)
        phrase = line.note_phrase
        key = (
            line.item.id,
            line.status,
            line.raw,
            line.scored_points,
            line.note,
            None if phrase is None else (phrase[0], tuple(sorted(phrase[1].items()))),
            line.unverified,
            trace,
        )
        try:
            text = self.bases.get(key)
        except TypeError:
            return clean(line.explain(self.words))
        if text is None:
            if len(self.bases) >= MEMO_LIMIT:
                self.bases.clear()
            text = self.bases[key] = clean(line.explain(self.words))
        return text

    def write(self, sheet: Sheet, entry: dict[str, Any], ledger: Ledger) -> None:
        """``entry``: the organisation's summary (rank, total, sections, awards)."""
        view, labels = self.view, self.labels
        org_id = entry["id"]
        sheet.write([labels["org"], entry["name"]], BOLD)
        sheet.write([labels["id"], org_id])
        sheet.write([labels["rank"], entry["rank"]], whole=(1,))
        sheet.write([labels["total"], entry["total"]], BOLD)
        sheet.write([])
        sheet.write(
            [labels["section"], labels["item"], labels["title"], labels["points"], labels["max"], labels["basis"]],
            HEADER,
        )
        sections = entry["sections"]
        styles = {
            (falsified, lost): Style(font=RED_FONT if falsified else None, fill=AWARD_FILL if lost else None, wrap=True)
            for falsified in (False, True)
            for lost in (False, True)
        }
        for section_id, section in ledger.sections.items():
            shown = sections[section_id]
            capped = None
            if shown["claimed"] != shown["score"]:
                capped = labels["capped"].format(claimed=figure(shown["claimed"]), max=figure(shown["max"]))
            section_title = self.section_titles.get(section_id) or view.section_title(section_id)
            sheet.write([section_title, section_id, labels["subtotal"], shown["score"], shown["max"], capped], BOLD)
            for item_id, line in section.items.items():
                maximum = line.item.points
                sheet.write(
                    [section_title, item_id, self.title(line), line.points, maximum, self.basis(line)],
                    styles[line.status == "falsified", maximum is not None and line.points != maximum],
                )
        sheet.write([])
        sheet.write(
            [labels["heavy_items"], labels["item"], labels["title"], labels["deduction"], labels["source"]], BOLD
        )
        if not ledger.heavy:
            sheet.write([labels["none"]])
        for deduction in ledger.heavy:
            heavy = deduction.item
            sheet.write(
                [
                    view.section_title(heavy.section),
                    heavy.id,
                    view.heavy_title(heavy.id),
                    deduction.points,
                    view.source(deduction.source),
                ]
            )
        awards = entry["awards"]
        sheet.write([])
        sheet.write([labels["awards"]], BOLD)
        sheet.write([labels["stars"], view.stars(awards) or None])
        for flag, label in AWARD_FLAGS:
            sheet.write(
                [labels[label], labels["yes"] if awards[flag] else labels["no"]], EMPHASIS if awards[flag] else PLAIN
            )
        for name, reason in view.withheld(org_id, awards["withheld"]):
            sheet.write([labels["withheld"], name, reason])
        decisions = view.decisions(jsonable(ledger.organisation.decisions()))
        if decisions:
            sheet.write([])
            sheet.write([labels["decisions"]], BOLD)
            for text in decisions:
                sheet.write([None, None, text], WRAP)
        sheet.write([])
        first = sheet.write([labels["section"], labels["points"], labels["max"]], BOLD)
        for section_id, shown in sections.items():
            sheet.write([view.section_short(section_id), shown["score"], shown["max"]])
        last = first + len(sections)
        sheet.add_chart(
            BarChart(
                labels["chart_scores"],
                [Series(2, first, first + 1, last), Series(3, first, first + 1, last)],
                categories=1,
                anchor=(8, 1),
                size=(16, 8),
                direction="bar",
                colors=(RED, GREY),
            )
        )


SCORECARD_WIDTHS = [12, 30, 56, 8, 8, 60]


def failed_sheet(sheet: Sheet, view: Cohort) -> None:
    labels = view.labels
    sheet.write([labels["id"], labels["org"], labels["file"], labels["error"]], HEADER)
    for entry in view.failed:
        for error in entry["errors"]:
            sheet.write([entry["id"], entry["name"], entry["file"], error["message"]], WRAP)


def run_sheet(sheet: Sheet, view: Cohort, with_scorecards: bool) -> None:
    labels = view.labels
    document = view.document
    sheet.write([labels["year"], document["year"]])
    sheet.write([labels["edition"], document["edition"]])
    sheet.write([labels["award_year"], labels["yes"] if document["award_year"] else labels["no"]])
    sheet.write([labels["run_date"], run_date()])
    sheet.write([labels["disabled"], labels["separator"].join(document["disabled_items"]) or labels["none"]])
    if not with_scorecards:
        text = labels["large_cohort"].format(
            count=len(view.scored), limit=SCORECARDS_UP_TO, where=labels["large_cohort_where"]
        )
        sheet.write([labels["scorecards"], text])
    sheet.write([])
    sheet.write([labels["policies"], labels["policy_value"], labels["basis"]], BOLD)
    command_line = document.get("command_line_policies", ())
    for key, value in document["policies"].items():
        shown = value if isinstance(value, (int, float, bool)) else view.policy_value(value)
        text = view.policy_text(key)
        if key in command_line:
            text = f"{labels['policies_command_line']} · {text}"
        sheet.write([key, shown, text], WRAP)
    sheet.write([])
    sheet.write([labels["maker"], None, labels["checker"]])
    sheet.write([labels["date"]])


def render_xlsx(result: RunResult, options: RenderOptions) -> bytes:
    """The workbook's bytes. With ``options.org`` only that organisation's
    scorecard sheet follows the league table."""
    with_scorecards = options.org is not None or len(result.totals_by_id()) <= SCORECARDS_UP_TO
    view = cohort_view(result, options.lang, keep_ledgers=with_scorecards and options.org is None)
    labels = view.labels
    history = history_totals(result) if with_scorecards else {}
    taken = set(RESERVED_TITLES)
    league_title, charts_title, history_title, failed_title, run_title = (
        sheet_title(labels[key], taken)
        for key in ("league", "charts_sheet", "history_total", "failed_sheet", "run_sheet")
    )
    with WorkbookWriter(number_format=POINTS_FORMAT) as book:
        league_sheet(book.sheet(league_title, setup(view, league_widths(view), freeze="C2")), view)
        if view.scored:
            charts_sheet(book.sheet(charts_title, setup(view, [14, 12, 16, 10])), view)
        if history:
            widths = [34, 16, *([9] * len(history["years"])), 10]
            history_sheet(book.sheet(history_title, setup(view, widths)), view, history)
        if with_scorecards:
            scorecards = Scorecards(view)
            for entry in view.scored:
                if options.org is not None and entry["id"] != options.org:
                    continue
                sheet = book.sheet(sheet_title(entry["name"], taken), setup(view, SCORECARD_WIDTHS, 6, freeze="A7"))
                scorecards.write(sheet, entry, view.ledgers[entry["id"]])
        if view.failed:
            failed_sheet(book.sheet(failed_title, setup(view, [16, 34, 40, 90])), view)
        run_sheet(book.sheet(run_title, setup(view, [26, 22, 90], header_rows=0)), view, with_scorecards)
        return book.close()


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
