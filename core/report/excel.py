"""The cohort as an Excel workbook: the league table, then one scorecard
sheet per organisation, the failed organisations and the run's settings.

Figures are numeric cells holding the JSON document's numbers
(``json_number``: an int, or the float whose shortest text is the decimal's
own), so Excel shows 2.8 and sums exactly what the ledger says.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from fivestar.markers import hookimpl
from fivestar.numbers import fmt
from fivestar.pipeline import RunResult
from fivestar.registry import Registry
from fivestar.report import Renderer, RenderOptions, ranking, result_document
from fivestar.report.labels import LABELS, language
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

SHEET_TITLE_MAX = 31
INVALID_TITLE_CHARACTERS = str.maketrans({character: "_" for character in "[]:*?/\\"})
RESERVED_TITLES = {"history"}

BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def sheet_title(name: str, taken: set[str]) -> str:
    """A unique sheet title Excel accepts: at most 31 characters, none of
    ``[]:*?/\\``, not starting or ending with an apostrophe; compared without
    case, as Excel does."""
    base = name.translate(INVALID_TITLE_CHARACTERS).strip().strip("'") or "sheet"
    title = base[:SHEET_TITLE_MAX]
    number = 2
    while title.casefold() in taken:
        suffix = f" ({number})"
        title = base[: SHEET_TITLE_MAX - len(suffix)] + suffix
        number += 1
    taken.add(title.casefold())
    return title


def section_title(registry: Registry, section_id: str, lang: str) -> str:
    section = registry.sections.get(section_id)
    if section is None:
        return section_id
    return section.title if lang == "zh" else section.title_en


def figure(value: int | float) -> str:
    """A number of the JSON document as text, exactly as its decimal."""
    return fmt(Decimal(str(value)))


def capped(section: dict[str, Any], labels: dict[str, str]) -> str | None:
    if section["claimed"] == section["score"]:
        return None
    return labels["capped"].format(claimed=figure(section["claimed"]), max=figure(section["max"]))


def yes_no(value: bool | None, labels: dict[str, str]) -> str:
    return labels["yes"] if value else labels["no"]


def honours(awards: dict[str, Any], labels: dict[str, str]) -> str:
    flags = (("party_building_excellence", "pbe"), ("performance_excellence", "pe"), ("five_star", "five"))
    return labels["separator"].join(labels[label] for flag, label in flags if awards[flag])


def cell_value(value: Any) -> Any:
    """Text without the control characters a workbook cannot hold; anything
    that is not a number or text (a list policy) as its text."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


def write_row(sheet: Worksheet, values: list[Any], bold: bool = False) -> None:
    """Append a row. Text is always text: a name or basis beginning with "="
    from an evidence file must never become a formula."""
    sheet.append([cell_value(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
        if bold:
            cell.font = BOLD


def set_widths(sheet: Worksheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def league_sheet(
    sheet: Worksheet, result: RunResult, scored: list[dict[str, Any]], lang: str, labels: dict[str, str]
) -> None:
    registry = result.context.registry
    section_ids = list(registry.sections)
    header = [
        labels["rank"],
        labels["org"],
        labels["id"],
        *(section_title(registry, section_id, lang) for section_id in section_ids),
        labels["heavy"],
        labels["total"],
        labels["stars"],
        labels["awards"],
    ]
    write_row(sheet, header, bold=True)
    for entry in scored:
        sections = entry["sections"]
        awards = entry["awards"]
        write_row(
            sheet,
            [
                entry["rank"],
                entry["name"],
                entry["id"],
                *(sections[section_id]["score"] if section_id in sections else None for section_id in section_ids),
                -entry["heavy_total"],
                entry["total"],
                labels["separator"].join(section_title(registry, star, lang) for star in awards["stars"]),
                honours(awards, labels),
            ],
        )
    sheet.freeze_panes = "B2"
    set_widths(sheet, [6, 28, 14, *([10] * len(section_ids)), 8, 8, 30, 24])


def scorecard_sheet(
    sheet: Worksheet, result: RunResult, entry: dict[str, Any], lang: str, labels: dict[str, str]
) -> None:
    registry = result.context.registry
    write_row(sheet, [labels["org"], entry["name"]], bold=True)
    write_row(sheet, [labels["id"], entry["id"]])
    write_row(sheet, [labels["rank"], entry["rank"]])
    write_row(sheet, [labels["total"], entry["total"]], bold=True)
    write_row(sheet, [])
    write_row(
        sheet,
        [labels["section"], labels["item"], labels["title"], labels["points"], labels["max"], labels["basis"]],
        bold=True,
    )
    for section_id, section in entry["sections"].items():
        write_row(
            sheet,
            [
                section_title(registry, section_id, lang),
                section_id,
                labels["subtotal"],
                section["score"],
                section["max"],
                capped(section, labels),
            ],
            bold=True,
        )
        for item_id, line in section["items"].items():
            write_row(
                sheet,
                [
                    section_title(registry, section_id, lang),
                    item_id,
                    line["title"],
                    line["points"],
                    line["max"],
                    line["basis"],
                ],
            )
            for cell in sheet[sheet.max_row]:
                cell.alignment = WRAP
    write_row(sheet, [])
    write_row(
        sheet,
        [labels["heavy_items"], labels["item"], labels["title"], labels["deduction"], labels["source"]],
        bold=True,
    )
    if not entry["heavy"]:
        write_row(sheet, [labels["none"]])
    for deduction in entry["heavy"]:
        heavy = registry.heavy.get(deduction["id"])
        write_row(
            sheet,
            [
                section_title(registry, heavy.section, lang) if heavy else "",
                deduction["id"],
                deduction["title"],
                deduction["points"],
                deduction["source"],
            ],
        )
    awards = entry["awards"]
    write_row(sheet, [])
    write_row(sheet, [labels["awards"]], bold=True)
    write_row(
        sheet,
        [labels["stars"], labels["separator"].join(section_title(registry, star, lang) for star in awards["stars"])],
    )
    write_row(sheet, [labels["pbe"], yes_no(awards["party_building_excellence"], labels)])
    write_row(sheet, [labels["pe"], yes_no(awards["performance_excellence"], labels)])
    write_row(sheet, [labels["five"], yes_no(awards["five_star"], labels)])
    for key, reason in awards["withheld"].items():
        name = labels["five"] if key == "five_star" else section_title(registry, key, lang)
        write_row(sheet, [labels["withheld"], name, reason])
    sheet.freeze_panes = "A7"
    set_widths(sheet, [14, 34, 60, 8, 8, 70])


def failed_sheet(sheet: Worksheet, failed: list[dict[str, Any]], labels: dict[str, str]) -> None:
    write_row(sheet, [labels["id"], labels["org"], labels["file"], labels["error"]], bold=True)
    for entry in failed:
        for error in entry["errors"]:
            write_row(sheet, [entry["id"], entry["name"], entry["file"], error["message"]])
    set_widths(sheet, [14, 28, 40, 90])


def run_sheet(sheet: Worksheet, document: dict[str, Any], labels: dict[str, str]) -> None:
    write_row(sheet, [labels["year"], document["year"]])
    write_row(sheet, [labels["edition"], document["edition"]])
    write_row(sheet, [labels["award_year"], yes_no(document["award_year"], labels)])
    write_row(sheet, [labels["disabled"], ", ".join(document["disabled_items"]) or labels["none"]])
    write_row(sheet, [])
    write_row(sheet, [labels["policies"]], bold=True)
    command_line = document.get("command_line_policies", ())
    for key, value in document["policies"].items():
        write_row(sheet, [key, value, labels["policies_command_line"]] if key in command_line else [key, value])
    set_widths(sheet, [24, 40])


def render_xlsx(result: RunResult, options: RenderOptions) -> bytes:
    """The workbook's bytes. With ``options.org`` only that organisation's
    scorecard sheet follows the league table."""
    lang = language(options.lang)
    labels = LABELS[lang]
    document = result_document(result)
    organisations = document["organisations"]
    by_id = {entry["id"]: entry for entry in organisations if entry["status"] == "scored"}
    scored = [by_id[ledger.organisation.id] for _rank, ledger in ranking(result)]
    failed = [entry for entry in organisations if entry["status"] != "scored"]

    taken = set(RESERVED_TITLES)
    league_title, failed_title, run_title = (
        sheet_title(labels[key], taken) for key in ("league", "failed_sheet", "run_sheet")
    )
    workbook = Workbook()
    league = workbook.active
    league.title = league_title
    league_sheet(league, result, scored, lang, labels)
    for entry in scored:
        if options.org is None or entry["id"] == options.org:
            scorecard_sheet(workbook.create_sheet(sheet_title(entry["name"], taken)), result, entry, lang, labels)
    if failed:
        failed_sheet(workbook.create_sheet(failed_title), failed, labels)
    run_sheet(workbook.create_sheet(run_title), document, labels)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@hookimpl
def assess_renderers() -> list[Renderer]:
    return [
        Renderer(
            "xlsx", "an Excel workbook: league table and one scorecard sheet per organisation", ".xlsx", render_xlsx
        )
    ]
