"""The cohort as one CSV table, for spreadsheets and scripts."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from fivestar.markers import hookimpl
from fivestar.numbers import fmt
from fivestar.pipeline import RunResult
from fivestar.report import Renderer, RenderOptions, ranking, result_document

FLAGS = ("party_building_excellence", "performance_excellence", "five_star")
RUN_COLUMNS = ("year", "edition", "policies")
"""Every row also says which run it comes from and the policies in force."""


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(text: str) -> str:
    """Text from evidence (ids, names) as a spreadsheet shows it, never as a
    formula: a department's name beginning with ``=`` must not run in the
    office's Excel (evidence never runs code). Such text gets a leading
    apostrophe, as Excel itself writes it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def policies_text(policies: dict[str, Any]) -> str:
    return "; ".join(f"{key}={cell(value)}" for key, value in policies.items())


def cell(value: Any) -> str:
    """A value of the JSON document as CSV text: numbers exactly as the
    decimal they came from (``json_number`` makes ``str`` of the float the
    decimal's own text), booleans as ``true``/``false``, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, (int, float)):
        return fmt(Decimal(str(value)))
    return str(value)


def render_csv(result: RunResult, options: RenderOptions) -> bytes:
    """One row per organisation: the scored in rank order, then the failed
    (status ``failed``, figures empty). The header uses ids, not titles, so
    that scripts can rely on it; ``heavy`` is the heavy deductions off the
    total, negative as in the table; the last columns give the year, the
    edition and the policies in force.

    The bytes are UTF-8 with a byte-order mark: without it Excel reads a CSV
    file in the system's legacy code page and garbles the Chinese names.
    """
    document = result_document(result)
    registry = result.context.registry
    section_ids = list(registry.sections)
    item_ids = list(registry.items)
    header = ["rank", "id", "name", "status", *section_ids, "heavy", "total", "stars", *FLAGS, *item_ids, *RUN_COLUMNS]
    run = [cell(document["year"]), document["edition"], policies_text(document["policies"])]
    organisations = document["organisations"]
    by_id = {entry["id"]: entry for entry in organisations if entry["status"] == "scored"}
    scored = [by_id[ledger.organisation.id] for _rank, ledger in ranking(result)]
    failed = [entry for entry in organisations if entry["status"] != "scored"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for entry in scored:
        sections = entry["sections"]
        items = {item_id: line for section in sections.values() for item_id, line in section["items"].items()}
        awards = entry["awards"]
        writer.writerow(
            [
                cell(entry["rank"]),
                text_cell(entry["id"]),
                text_cell(entry["name"]),
                entry["status"],
                *(cell(sections[section_id]["score"]) if section_id in sections else "" for section_id in section_ids),
                cell(-entry["heavy_total"]),
                cell(entry["total"]),
                " ".join(awards["stars"]),
                *(cell(awards[flag]) for flag in FLAGS),
                *(cell(items[item_id]["points"]) if item_id in items else "" for item_id in item_ids),
                *run,
            ]
        )
    for entry in failed:
        blanks = [""] * (len(header) - 4 - len(RUN_COLUMNS))
        writer.writerow(["", text_cell(entry["id"]), text_cell(entry["name"]), entry["status"], *blanks, *run])
    return buffer.getvalue().encode("utf-8-sig")


@hookimpl
def assess_renderers() -> list[Renderer]:
    return [Renderer("csv", "the cohort as a CSV table (UTF-8 with BOM, for Excel)", ".csv", render_csv)]
