"""The cohort as one CSV table, for spreadsheets and scripts."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from fivestar.context import RunContext
from fivestar.exactjson import dumps
from fivestar.manager import PluginManager
from fivestar.markers import hookimpl
from fivestar.model import Ledger, Organisation
from fivestar.numbers import fmt
from fivestar.pipeline import RunResult
from fivestar.report import Renderer, RenderOptions, ranks
from fivestar.report.text import clean

FLAGS = ("party_building_excellence", "performance_excellence", "five_star")
RUN_COLUMNS = ("year", "edition", "policies")
"""Every row also says which run it comes from and the policies in force."""


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(text: str) -> str:
    """Text from evidence (ids, names) as a spreadsheet shows it, never as a
    formula: a department's name beginning with ``=`` must not run in the
    office's Excel (evidence never runs code). Such text gets a leading
    apostrophe, as Excel itself writes it. Control characters (an ESC that
    would drive the terminal the file is shown on) are taken out."""
    text = clean(text)
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


DECISION_COLUMNS = ("conflicts", "unverified", "findings", "appeals")
"""Who said what: each claim the office's records or a derivation overrode
(fact: claimed → used), the unverified claims, the findings that stand (a
withdrawn one marked), the appeals with their outcome."""


def claim_text(value: Any) -> str:
    """A claimed or used value in a CSV cell: records (a list of tables) as JSON."""
    return dumps(value) if isinstance(value, list) else cell(value)


def decision_cells(organisation: Organisation) -> list[str]:
    findings = [finding.item + (" (withdrawn)" if finding.withdrawn else "") for finding in organisation.findings]
    return [
        text_cell(
            "; ".join(
                f"{conflict.fact}: {claim_text(conflict.claimed)} → {claim_text(conflict.used)}"
                for conflict in organisation.conflicts
            )
        ),
        text_cell(" ".join(organisation.unverified)),
        text_cell("; ".join(findings)),
        text_cell("; ".join(f"{appeal.item}: {appeal.outcome}" for appeal in organisation.appeals)),
    ]


class Rows:
    """The CSV text of the rows of a run: header, a scored organisation's
    row after its rank cell, a failed organisation's row."""

    def __init__(self, context: RunContext) -> None:
        registry = context.registry
        self.section_ids = list(registry.sections)
        self.item_ids = list(registry.items)
        self.header = [
            "rank",
            "id",
            "name",
            "status",
            *self.section_ids,
            "heavy",
            "total",
            "stars",
            *FLAGS,
            *self.item_ids,
            *DECISION_COLUMNS,
            *RUN_COLUMNS,
        ]
        self.run = [cell(context.year), context.edition, policies_text(context.policies)]
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer)

    def text(self, cells: list[str]) -> str:
        self.writer.writerow(cells)
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text

    def row(self, organisation: Organisation, ledger: Ledger | None) -> str:
        """A scored organisation's row without its rank cell (which is a
        plain number, never quoted: ``f"{rank},"`` goes before it), or a
        failed organisation's whole row."""
        if ledger is None:
            blanks = [""] * (len(self.header) - 4 - len(RUN_COLUMNS))
            status = "plugin_error" if organisation.plugin_fault else "failed"
            return self.text(["", text_cell(organisation.id), text_cell(organisation.name), status, *blanks, *self.run])
        sections = ledger.sections
        items = {item_id: line for section in sections.values() for item_id, line in section.items.items()}
        awards = ledger.awards
        return self.text(
            [
                text_cell(organisation.id),
                text_cell(organisation.name),
                "scored",
                *(
                    cell(sections[section_id].score) if section_id in sections else ""
                    for section_id in self.section_ids
                ),
                cell(-ledger.heavy_points()),
                cell(ledger.total),
                " ".join(awards.stars),
                *(cell(getattr(awards, flag)) for flag in FLAGS),
                *(cell(items[item_id].points) if item_id in items else "" for item_id in self.item_ids),
                *decision_cells(organisation),
                *self.run,
            ]
        )


def csv_pieces(pm: PluginManager, context: RunContext) -> Callable[[Organisation, Ledger | None], str]:
    """Each organisation's row, written while a large run is scored."""
    return Rows(context).row


def render_csv(result: RunResult, options: RenderOptions) -> bytes | Iterator[str]:
    """One row per organisation: the scored in rank order, then the failed
    (status ``failed``, figures empty). The header uses ids, not titles, so
    that scripts can rely on it; ``heavy`` is the heavy deductions off the
    total, negative as in the table; the last columns give the year, the
    edition and the policies in force.

    The bytes are UTF-8 with a byte-order mark: without it Excel reads a CSV
    file in the system's legacy code page and garbles the Chinese names.
    A large run's rows were written while it was scored: they are streamed
    (in rank order, read back from where they were spilled), never held
    whole in memory."""
    rows = csv_rows(result)
    if "csv" in result.pieces:
        return rows
    return "".join(rows).encode("utf-8")


def csv_rows(result: RunResult) -> Iterator[str]:
    """The CSV text, row by row, beginning with the byte-order mark."""
    rows = Rows(result.context)
    yield "\ufeff" + rows.text(rows.header)
    ranked = ranks(result.totals_by_id())
    order = sorted(ranked, key=lambda org_id: (ranked[org_id], org_id))
    spilled = result.pieces.get("csv")
    if spilled is not None:
        positions = {org_id: position for position, org_id in enumerate(spilled.keys) if org_id is not None}
        for org_id in order:
            yield f"{ranked[org_id]}," + spilled.piece(positions[org_id]).decode("utf-8")
        for position in result.failed_indices or []:
            yield spilled.piece(position).decode("utf-8")
        return
    for org_id in order:
        ledger = result.ledgers[org_id]
        yield f"{ranked[org_id]}," + rows.row(ledger.organisation, ledger)
    for organisation in result.failed:
        yield rows.row(organisation, None)


@hookimpl
def assess_renderers() -> list[Renderer]:
    return [Renderer("csv", "the cohort as a CSV table (UTF-8 with BOM, for Excel)", ".csv", render_csv, csv_pieces)]
