"""Views of ``assess whatif``: the JSON document (docs/whatif.md), and the
terminal table, CSV and HTML page, which only show what it holds, in the
reports' shared vocabulary (:mod:`fivestar.report.view`)."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable
from decimal import Decimal
from html import escape
from typing import Any

from fivestar.numbers import fmt
from fivestar.report import jsonable
from fivestar.report.csv_table import cell, policies_text, text_cell
from fivestar.report.html_page import head, page_start, page_style, row, setting
from fivestar.report.terminal import WIDTH, block, format_table
from fivestar.report.view import (
    Cohort,
    clean,
    cohort_view,
    display_width,
    figure,
    run_date,
    short_name,
    truncate,
    wrap,
)
from fivestar.version import __version__
from fivestar.whatif import AWARD_FLAGS, Change, Standing, WhatIf, margin, summary

FORMATS = ("table", "json", "html", "csv")

PAGE_STYLE = """
table.changes td:first-child, table.margin td:first-child { min-width: 10em; }
table.changes td.honours, table.margin td.honours { white-space: nowrap; }
@media print { .scenario { break-before: page; page-break-before: always; } }
"""
"""Names keep their width, stars and awards their lines; each scenario
begins a printed page, as each scorecard does in the run's report."""

AWARD_LABELS = {"party_building_excellence": "pbe", "performance_excellence": "pe", "five_star": "five"}

ARROW = "→"


# --------------------------------------------------------------------------
# The JSON document
# --------------------------------------------------------------------------


def standing_pair(before: Standing, after: Standing, left: str = "before", right: str = "after") -> dict[str, Any]:
    return {
        "total": {left: before.total, right: after.total},
        "rank": {left: before.rank, right: after.rank},
        "stars": {left: list(before.stars), right: list(after.stars)},
        "awards": {left: list(before.awards), right: list(after.awards)},
    }


def change_document(change: Change) -> dict[str, Any]:
    pair = standing_pair(change.before, change.after)
    pair["total"]["change"] = change.delta
    return {
        "id": change.id,
        "name": change.after.name,
        **pair,
        "items": [vars(move) for move in change.items],
        "heavy": [vars(move) for move in change.heavy],
        "withheld": {key: withheld_document(change, key) for key in change.withheld},
    }


def withheld_document(change: Change, key: str) -> dict[str, Any]:
    before, after = change.withheld[key]
    entry: dict[str, Any] = {"before": before, "after": after}
    if key in change.reasons:
        entry["reason"], entry["values"] = change.reasons[key]
    return entry


def sweep_document(whatif: WhatIf) -> dict[str, Any] | None:
    key = whatif.sweep
    if key is None:
        return None
    rows = []
    for scenario in whatif.scenarios:
        counts = summary(whatif.standings, scenario)
        rows.append(
            {
                "value": scenario.changes[key],
                "stars": counts["stars"]["after"],
                **{flag: counts[flag]["after"] for flag in AWARD_FLAGS},
                "changed": counts["changed"],
            }
        )
    margins = []
    for left, right in itertools.pairwise(whatif.scenarios):
        margins.append(
            {
                "from": left.changes[key],
                "to": right.changes[key],
                "organisations": [
                    {"id": org_id, "name": after.name, **standing_pair(before, after, "from", "to")}
                    for org_id, before, after in margin(left.standings, right.standings)
                ],
            }
        )
    return {"key": key, "config_value": whatif.before.context.policies.get(key), "rows": rows, "margin": margins}


def whatif_document(whatif: WhatIf) -> dict[str, Any]:
    """The whole comparison as plain JSON values (the contract of
    docs/json-whatif.md)."""
    context = whatif.before.context
    counts = summary(whatif.standings, whatif.scenarios[0])
    document = {
        "year": context.year,
        "edition": context.edition,
        "award_year": context.award_year,
        "policies": context.policies,
        "disabled_items": sorted(context.registry.disabled),
        "before": {"stars": counts["stars"]["before"], **{flag: counts[flag]["before"] for flag in AWARD_FLAGS}},
        "scenarios": [
            {
                "changes": scenario.changes,
                "policies": scenario.policies,
                "repeated": scenario.repeated,
                "scored_again": scenario.scored_again,
                "evidence_reread": scenario.reread,
                "summary": summary(whatif.standings, scenario),
                "organisations": [change_document(change) for change in scenario.moved],
            }
            for scenario in whatif.scenarios
        ],
        "sweep": sweep_document(whatif),
        "failed": [
            {"id": organisation.id, "name": organisation.name, "file": str(organisation.path)}
            for organisation in whatif.before.failed
        ],
    }
    return jsonable(document)


def render_json(document: dict[str, Any], view: Cohort) -> str:
    return json.dumps(document, ensure_ascii=False, default=fmt) + "\n"


# --------------------------------------------------------------------------
# Shared wording
# --------------------------------------------------------------------------


def changes_text(changes: dict[str, Any]) -> str:
    return ", ".join(f"{key}={setting(value)}" for key, value in changes.items())


def star_marks(view: Cohort, stars: list[str] | None) -> str:
    return "—" if stars is None else view.star_marks(stars)


def award_marks(view: Cohort, awards: list[str], short: bool = True) -> str:
    """The awards by name; ``short`` as the league table writes them (五星双优 alone stands for the three)."""
    earned = {flag: flag in awards for flag in AWARD_FLAGS}
    return view.honours(earned, short=short) or "—"


def arrow(before: str, after: str, space: str = " ") -> str:
    return before if before == after else f"{before}{space}{ARROW}{space}{after}"


def signed(value: Any) -> str:
    if value is None:
        return "—"
    number = Decimal(str(value))
    return "0" if number == 0 else ("+" if number > 0 else "−") + fmt(abs(number))


def move_title(view: Cohort, move: dict[str, Any]) -> str:
    registry = view.registry
    if move["id"] in registry.items:
        return view.item_title(move["id"])
    if move["id"] in registry.heavy:
        return view.heavy_title(move["id"])
    return clean(move["title"] if view.lang == "zh" else move["title_en"], one_line=True)


def why_lines(change: dict[str, Any], view: Cohort) -> list[str]:
    """The items and heavy items whose points moved, and each star or award
    gained or lost with the reason it is withheld on the other side."""
    labels = view.labels
    lines = []
    for move in [*change["items"], *change["heavy"]]:
        lines.append(f"{move_title(view, move)} {move['id']}: {figure(move['before'])} {ARROW} {figure(move['after'])}")
    for key, entry in change["withheld"].items():
        lost = entry["after"] is not None
        text = entry["after"] if lost else entry["before"]
        reason = (entry["reason"], entry["values"]) if "reason" in entry else None
        template = labels["whatif_lost_because" if lost else "whatif_gained_because"]
        lines.append(template.format(name=view.award_name(key), reason=view.withheld_reason(text, reason)))
    if not lines:
        lines.append(labels["whatif_rank_only"])
    return lines


def summary_rows(counts: dict[str, Any], labels: dict[str, str]) -> list[list[str]]:
    rows = [[labels["whatif_stars_awarded"], str(counts["stars"]["before"]), str(counts["stars"]["after"]), "", ""]]
    for flag in AWARD_FLAGS:
        entry = counts[flag]
        rows.append(
            [
                labels[AWARD_LABELS[flag]],
                str(entry["before"]),
                str(entry["after"]),
                str(entry["gained"]),
                str(entry["lost"]),
            ]
        )
    return rows


def summary_header(labels: dict[str, str]) -> list[str]:
    return ["", labels["whatif_before"], labels["whatif_after"], labels["whatif_gained"], labels["whatif_lost"]]


def counts_line(counts: dict[str, Any], labels: dict[str, str]) -> str:
    return (
        f"{labels['whatif_stars_changed']}: {counts['stars_changed']} · "
        f"{labels['whatif_totals_changed']}: {counts['totals_changed']} · "
        f"{labels['whatif_changed_count']}: {counts['changed']} / {counts['scored']}"
    )


def change_cells(change: dict[str, Any], view: Cohort, space: str = " ") -> list[str]:
    """Name, total, change, rank, stars, awards: before → after."""
    total, rank, stars, awards = change["total"], change["rank"], change["stars"], change["awards"]
    return [
        clean(change["name"], one_line=True),
        arrow(figure(total["before"]), figure(total["after"]), space),
        signed(total["change"]),
        arrow(figure(rank["before"]), figure(rank["after"]), space),
        arrow(star_marks(view, stars["before"]), star_marks(view, stars["after"]), space),
        arrow(award_marks(view, awards["before"]), award_marks(view, awards["after"]), space),
    ]


def change_header(labels: dict[str, str]) -> list[str]:
    return [labels["org"], labels["total"], labels["whatif_change"], labels["rank"], labels["stars"], labels["awards"]]


def sweep_rows(document: dict[str, Any], labels: dict[str, str]) -> tuple[list[str], list[list[str]]]:
    sweep = document["sweep"]
    header = [
        labels["whatif_value"],
        labels["whatif_stars_awarded"],
        *(labels[flag] for flag in AWARD_FLAGS),
        labels["whatif_changed_count"],
    ]
    before = document["before"]
    rows = [
        [
            f"{setting(sweep['config_value'])} ({labels['whatif_config']})",
            str(before["stars"]),
            *(str(before[flag]) for flag in AWARD_FLAGS),
            "—",
        ]
    ]
    for entry in sweep["rows"]:
        rows.append(
            [
                setting(entry["value"]),
                str(entry["stars"]),
                *(str(entry[flag]) for flag in AWARD_FLAGS),
                str(entry["changed"]),
            ]
        )
    return header, rows


def margin_cells(entry: dict[str, Any], view: Cohort, space: str = " ") -> list[str]:
    """Name, total, rank, stars, awards of an organisation at the margin: from → to."""
    stars, awards = entry["stars"], entry["awards"]
    return [
        clean(entry["name"], one_line=True),
        figure(entry["total"]["to"]),
        figure(entry["rank"]["to"]),
        arrow(star_marks(view, stars["from"]), star_marks(view, stars["to"]), space),
        arrow(award_marks(view, awards["from"]), award_marks(view, awards["to"]), space),
    ]


def fixed_changes(document: dict[str, Any]) -> dict[str, Any]:
    """The changes every scenario of a sweep shares (all but the swept key)."""
    key = document["sweep"]["key"]
    return {name: value for name, value in document["scenarios"][0]["changes"].items() if name != key}


# --------------------------------------------------------------------------
# Terminal
# --------------------------------------------------------------------------


def fitted_table(header: list[str], rows: list[list[str]], numbers: tuple[int, int]) -> str:
    """A table within :data:`WIDTH` columns: the names (the first column)
    shortened as the league table shortens them."""
    rows = [[clean(short_name(row[0]), one_line=True), *row[1:]] for row in rows]
    others = sum(max(display_width(row[column]) for row in [header, *rows]) for column in range(1, len(header)))
    room = max(8, WIDTH - others - 2 * (len(header) - 1))
    rows = [[truncate(row[0], room), *row[1:]] for row in rows]
    return format_table(header, rows, right_from=numbers[0], right_to=numbers[1])


def render_table(document: dict[str, Any], view: Cohort) -> str:
    labels = view.labels
    lines = [labels["whatif_heading"].format(year=document["year"]), ""]
    if document["sweep"]:
        header, rows = sweep_rows(document, labels)
        lines.append(f"{labels['whatif_sweep']}: {document['sweep']['key']}")
        fixed = fixed_changes(document)
        if fixed:
            lines += block(f"{labels['whatif_scenario']}: {changes_text(fixed)}")
        lines += [format_table(header, rows, right_from=1, right_to=len(header)), ""]
        lines.append(labels["whatif_margin"])
        margin_header = [labels["org"], labels["total"], labels["rank"], labels["stars"], labels["awards"]]
        for entry in document["sweep"]["margin"]:
            lines.append(f"{setting(entry['from'])} {ARROW} {setting(entry['to'])}:")
            if entry["organisations"]:
                rows = [margin_cells(org, view, "") for org in entry["organisations"]]
                lines += ["  " + line for line in fitted_table(margin_header, rows, (1, 3)).split("\n")]
            else:
                lines.append(f"  {labels['none']}")
        lines += ["", labels["whatif_details"]]
    else:
        scenario = document["scenarios"][0]
        counts = scenario["summary"]
        lines += block(f"{labels['whatif_scenario']}: {changes_text(scenario['changes'])}")
        if scenario["evidence_reread"]:
            lines += block(f"({labels['whatif_reread']})", 2)
        lines += ["", labels["whatif_summary"]]
        lines.append(format_table(summary_header(labels), summary_rows(counts, labels), right_from=1, right_to=5))
        lines += block(counts_line(counts, labels))
        lines += ["", labels["whatif_changed"]]
        moved = scenario["organisations"]
        if moved:
            rows = [change_cells(change, view, "") for change in moved]
            lines.append(fitted_table(change_header(labels), rows, (1, 4)))
            lines += ["", labels["whatif_why"]]
            for change in moved:
                lines += block(f"{change['name']} ({change['id']})", 2)
                for line in why_lines(change, view):
                    lines += block(line, 4)
        else:
            lines.append(labels["whatif_no_change"])
    if document["failed"]:
        lines += ["", f"{labels['failed']} ({len(document['failed'])}):"]
        lines += [line for entry in document["failed"] for line in block(f"{entry['name']} ({entry['file']})", 2)]
    policies = f"{document['edition']} · {document['year']} · {labels['policies']} ({labels['whatif_config']}): "
    lines += ["", *wrap(clean(policies + changes_text(document["policies"]), one_line=True), WIDTH)]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------

CSV_HEADER = (
    "scenario",
    "id",
    "name",
    "total_before",
    "total_after",
    "change",
    "rank_before",
    "rank_after",
    "stars_before",
    "stars_after",
    "awards_before",
    "awards_after",
    "why",
    "policies",
)


def render_csv(document: dict[str, Any], view: Cohort) -> bytes:
    """One row per organisation that changes in each scenario (ids, not
    titles, in the header and the stars and awards, for scripts); ``why``
    lists the reasons; ``policies`` the scenario's policies in force. UTF-8
    with a byte-order mark, for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for scenario in document["scenarios"]:
        label = policies_text(scenario["changes"])
        for change in scenario["organisations"]:
            total, rank, stars, awards = change["total"], change["rank"], change["stars"], change["awards"]
            writer.writerow(
                [
                    label,
                    text_cell(clean(change["id"], one_line=True)),
                    text_cell(clean(change["name"], one_line=True)),
                    cell(total["before"]),
                    cell(total["after"]),
                    cell(total["change"]),
                    cell(rank["before"]),
                    cell(rank["after"]),
                    " ".join(stars["before"] or ()),
                    " ".join(stars["after"] or ()),
                    " ".join(awards["before"]),
                    " ".join(awards["after"]),
                    text_cell("; ".join(why_lines(change, view))),
                    policies_text(scenario["policies"]),
                ]
            )
    return buffer.getvalue().encode("utf-8-sig")


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------


def table_html(header: list[str], rows: list[list[str]], numbers: set[int], css: str) -> list[str]:
    parts = [
        f'<table class="{css}">',
        head([(text, "num" if index in numbers else "") for index, text in enumerate(header)]),
    ]
    parts.append("<tbody>")
    parts += [row([(text, "num" if index in numbers else "") for index, text in enumerate(cells)]) for cells in rows]
    parts.append("</tbody></table>")
    return parts


def html_cells(cells: list[str], numbers: set[int], honours: int) -> str:
    """Cells of a row: numbers aligned right; from ``honours`` on (stars and
    awards) before and after on two lines."""
    parts = []
    for index, text in enumerate(cells):
        if index in numbers:
            parts.append(f'<td class="num">{escape(text)}</td>')
        elif index >= honours:
            sides = text.split(f" {ARROW} ")
            parts.append(f'<td class="honours">{f"<br>{ARROW} ".join(escape(side) for side in sides)}</td>')
        else:
            parts.append(f"<td>{escape(text)}</td>")
    return "".join(parts)


def scenario_html(scenario: dict[str, Any], view: Cohort) -> list[str]:
    labels = view.labels
    counts = scenario["summary"]
    parts = [
        '<section class="scenario">',
        f"<h2>{escape(labels['whatif_scenario'])}: {escape(changes_text(scenario['changes']))}</h2>",
    ]
    if scenario["evidence_reread"]:
        parts.append(f'<p class="muted">{escape(labels["whatif_reread"])}</p>')
    parts.append(f"<h3>{escape(labels['whatif_summary'])}</h3>")
    parts += table_html(summary_header(labels), summary_rows(counts, labels), {1, 2, 3, 4}, "summary")
    parts.append(f'<p class="meta">{escape(counts_line(counts, labels))}</p>')
    parts.append(f"<h3>{escape(labels['whatif_changed'])}</h3>")
    moved = scenario["organisations"]
    if not moved:
        parts.append(f"<p>{escape(labels['whatif_no_change'])}</p></section>")
        return parts
    header = [*change_header(labels), labels["whatif_why"]]
    parts.append('<table class="changes">')
    parts.append(head([(text, "num" if index in {1, 2, 3} else "") for index, text in enumerate(header)]))
    parts.append("<tbody>")
    for change in moved:
        why = "<br>".join(escape(clean(line, one_line=True)) for line in why_lines(change, view))
        cells = html_cells(change_cells(change, view), {1, 2, 3}, 4)
        parts.append(f'<tr data-id="{escape(clean(change["id"], one_line=True))}">{cells}<td>{why}</td></tr>')
    parts.append("</tbody></table></section>")
    return parts


def sweep_html(document: dict[str, Any], view: Cohort) -> list[str]:
    labels = view.labels
    header, rows = sweep_rows(document, labels)
    sweep = document["sweep"]
    fixed = fixed_changes(document)
    parts = [
        '<section id="sweep">',
        f'<h2>{escape(labels["whatif_sweep"])}: <span class="id">{escape(sweep["key"])}</span></h2>',
    ]
    if fixed:
        parts.append(f'<p class="meta">{escape(labels["whatif_scenario"])}: {escape(changes_text(fixed))}</p>')
    parts += table_html(header, rows, set(range(1, len(header))), "sweep")
    parts.append(f"<h3>{escape(labels['whatif_margin'])}</h3>")
    margin_header = [labels["org"], labels["total"], labels["rank"], labels["stars"], labels["awards"]]
    for entry in sweep["margin"]:
        parts.append(f"<p><strong>{escape(setting(entry['from']))} {ARROW} {escape(setting(entry['to']))}</strong></p>")
        if not entry["organisations"]:
            parts.append(f"<p>{escape(labels['none'])}</p>")
            continue
        parts.append('<table class="margin">')
        parts.append(head([(text, "num" if index in {1, 2} else "") for index, text in enumerate(margin_header)]))
        parts.append("<tbody>")
        for org in entry["organisations"]:
            cells = html_cells(margin_cells(org, view), {1, 2}, 3)
            parts.append(f'<tr data-id="{escape(clean(org["id"], one_line=True))}">{cells}</tr>')
        parts.append("</tbody></table>")
    parts.append("</section>")
    return parts


def render_html(document: dict[str, Any], view: Cohort) -> str:
    """One self-contained page in the style of the run's report (its running
    foot: title, date, page numbers): the run and its policies, the sweep,
    then each scenario on its own printed page."""
    labels = view.labels
    heading = labels["whatif_heading"].format(year=document["year"])
    parts = page_start(heading, document, view, PAGE_STYLE, head=(page_style(view, heading, run_date()),))
    if document["sweep"]:
        parts += sweep_html(document, view)
    for scenario in document["scenarios"]:
        parts += scenario_html(scenario, view)
    if document["failed"]:
        parts.append(f'<section id="failed"><h2>{escape(labels["failed"])} ({len(document["failed"])})</h2><ul>')
        parts += [
            f"<li>{escape(clean(entry['name'], one_line=True))} ({escape(clean(entry['file'], one_line=True))})</li>"
            for entry in document["failed"]
        ]
        parts.append("</ul></section>")
    parts.append(f'<footer class="muted"><p>fivestar-assess {escape(__version__)}</p></footer>')
    parts.append("</body>\n</html>\n")
    return "\n".join(parts)


RENDERERS: dict[str, Callable[[dict[str, Any], Cohort], str | bytes]] = {
    "table": render_table,
    "json": render_json,
    "html": render_html,
    "csv": render_csv,
}


def render(whatif: WhatIf, name: str, lang: str) -> str | bytes:
    """The comparison in one of :data:`FORMATS`, in ``lang`` (Chinese unless ``en``)."""
    return RENDERERS[name](whatif_document(whatif), cohort_view(whatif.before, lang, documents=False))
