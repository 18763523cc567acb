"""Views of ``assess whatif``: the JSON document (docs/json-whatif.md), and
the terminal table, CSV and HTML page, which only show what it holds."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable
from decimal import Decimal
from html import escape
from typing import Any

from fivestar import __version__
from fivestar.numbers import fmt
from fivestar.registry import Registry
from fivestar.report import jsonable
from fivestar.report.csv_table import cell, policies_text, text_cell
from fivestar.report.html_page import figure, head, page_start, row, section_title, setting
from fivestar.report.labels import LABELS, language
from fivestar.report.terminal import format_table
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
        "withheld": {key: {"before": before, "after": after} for key, (before, after) in change.withheld.items()},
    }


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


def render_json(document: dict[str, Any], registry: Registry, lang: str) -> str:
    return json.dumps(document, ensure_ascii=False, default=fmt) + "\n"


# --------------------------------------------------------------------------
# Shared wording
# --------------------------------------------------------------------------


def shown(value: Any) -> str:
    return setting(value)


def changes_text(changes: dict[str, Any]) -> str:
    return ", ".join(f"{key}={shown(value)}" for key, value in changes.items())


def star_letters(stars: list[str], registry: Registry, lang: str) -> str:
    """The stars by the first character (zh) or word (en) of their titles."""
    names = [section_title(registry, star, lang) for star in stars]
    return ("".join(name[:1] for name in names) if lang == "zh" else " ".join(name.split()[0] for name in names)) or "—"


def award_names(awards: list[str], labels: dict[str, str], short: bool = False) -> str:
    """The awards by their names (``short``: the table's shorter ones)."""
    return " ".join(labels[flag if short else AWARD_LABELS[flag]] for flag in awards) or "—"


def arrow(before: str, after: str) -> str:
    return before if before == after else f"{before} → {after}"


def signed(value: Any) -> str:
    number = Decimal(str(value))
    return "0" if number == 0 else ("+" if number > 0 else "−") + fmt(abs(number))


def why_lines(change: dict[str, Any], registry: Registry, lang: str, labels: dict[str, str]) -> list[str]:
    """The items and heavy items whose points moved, and each star or award
    gained or lost with the reason it is withheld."""
    lines = []
    for move in [*change["items"], *change["heavy"]]:
        title = move["title"] if lang == "zh" else move["title_en"]
        lines.append(f"{move['id']} {title}: {figure(move['before'])} → {figure(move['after'])}")
    for key, reasons in change["withheld"].items():
        name = labels["five"] if key == "five_star" else section_title(registry, key, lang)
        if reasons["after"] is not None:
            lines.append(labels["whatif_lost_because"].format(name=name, reason=reasons["after"]))
        else:
            lines.append(labels["whatif_gained_because"].format(name=name, reason=reasons["before"]))
    if not lines:
        lines.append(labels["whatif_rank_only"])
    return lines


def summary_rows(document: dict[str, Any], counts: dict[str, Any], labels: dict[str, str]) -> list[list[str]]:
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


def change_cells(change: dict[str, Any], registry: Registry, lang: str, labels: dict[str, str]) -> list[str]:
    total, rank = change["total"], change["rank"]
    return [
        change["name"],
        arrow(figure(total["before"]), figure(total["after"])),
        signed(total["change"]) if total["change"] is not None else "—",
        arrow(figure(rank["before"]), figure(rank["after"])),
        arrow(
            star_letters(change["stars"]["before"], registry, lang),
            star_letters(change["stars"]["after"], registry, lang),
        ),
        arrow(
            award_names(change["awards"]["before"], labels, short=True),
            award_names(change["awards"]["after"], labels, short=True),
        ),
    ]


def change_header(labels: dict[str, str]) -> list[str]:
    return [
        labels["org"],
        labels["total"],
        labels["whatif_change"],
        labels["rank"],
        labels["stars"],
        labels["awards"],
    ]


def sweep_rows(document: dict[str, Any], labels: dict[str, str]) -> tuple[list[str], list[list[str]]]:
    sweep = document["sweep"]
    header = [
        labels["whatif_value"],
        labels["whatif_stars_awarded"],
        *(labels[AWARD_LABELS[flag]] for flag in AWARD_FLAGS),
        labels["whatif_changed_count"],
    ]
    before = document["before"]
    rows = [
        [
            f"{shown(sweep['config_value'])} ({labels['whatif_config']})",
            str(before["stars"]),
            *(str(before[flag]) for flag in AWARD_FLAGS),
            "—",
        ]
    ]
    for entry in sweep["rows"]:
        rows.append(
            [
                shown(entry["value"]),
                str(entry["stars"]),
                *(str(entry[flag]) for flag in AWARD_FLAGS),
                str(entry["changed"]),
            ]
        )
    return header, rows


def margin_honours(entry: dict[str, Any], registry: Registry, lang: str, labels: dict[str, str]) -> tuple[str, str]:
    """An organisation's stars and awards at the two values of a margin."""
    stars = entry["stars"]
    awards = entry["awards"]
    return (
        arrow(star_letters(stars["from"], registry, lang), star_letters(stars["to"], registry, lang)),
        arrow(award_names(awards["from"], labels, short=True), award_names(awards["to"], labels, short=True)),
    )


def margin_line(entry: dict[str, Any], registry: Registry, lang: str, labels: dict[str, str]) -> str:
    stars, awards = margin_honours(entry, registry, lang, labels)
    return f"{entry['name']} ({figure(entry['total']['to'])}): {labels['stars']} {stars}; {labels['awards']} {awards}"


def fixed_changes(document: dict[str, Any]) -> dict[str, Any]:
    """The changes every scenario of a sweep shares (all but the swept key)."""
    key = document["sweep"]["key"]
    return {name: value for name, value in document["scenarios"][0]["changes"].items() if name != key}


# --------------------------------------------------------------------------
# Terminal
# --------------------------------------------------------------------------


def render_table(document: dict[str, Any], registry: Registry, lang: str) -> str:
    labels = LABELS[lang]
    lines = [labels["whatif_heading"].format(year=document["year"]), ""]
    config_policies = changes_text(document["policies"])
    if document["sweep"]:
        header, rows = sweep_rows(document, labels)
        fixed = fixed_changes(document)
        lines.append(f"{labels['whatif_sweep']}: {document['sweep']['key']}")
        if fixed:
            lines.append(f"{labels['whatif_scenario']}: {changes_text(fixed)}")
        lines += [format_table(header, rows, right_from=1, right_to=len(header)), ""]
        lines.append(labels["whatif_margin"])
        for entry in document["sweep"]["margin"]:
            lines.append(f"  {shown(entry['from'])} → {shown(entry['to'])}:")
            lines += [f"    {margin_line(org, registry, lang, labels)}" for org in entry["organisations"]]
            if not entry["organisations"]:
                lines.append(f"    {labels['none']}")
        lines += ["", labels["whatif_details"]]
    else:
        scenario = document["scenarios"][0]
        counts = scenario["summary"]
        lines.append(f"{labels['whatif_scenario']}: {changes_text(scenario['changes'])}")
        if scenario["evidence_reread"]:
            lines.append(f"  ({labels['whatif_reread']})")
        lines += ["", labels["whatif_summary"]]
        lines.append(
            format_table(summary_header(labels), summary_rows(document, counts, labels), right_from=1, right_to=5)
        )
        lines.append(
            f"{labels['whatif_stars_changed']}: {counts['stars_changed']}   "
            f"{labels['whatif_totals_changed']}: {counts['totals_changed']}   "
            f"{labels['whatif_changed_count']}: {counts['changed']} / {counts['scored']}"
        )
        lines += ["", labels["whatif_changed"]]
        moved = scenario["organisations"]
        if moved:
            rows = [change_cells(change, registry, lang, labels) for change in moved]
            lines.append(format_table(change_header(labels), rows, right_from=1, right_to=4))
            lines += ["", labels["whatif_why"]]
            for change in moved:
                lines.append(f"  {change['name']} ({change['id']})")
                lines += [f"    {line}" for line in why_lines(change, registry, lang, labels)]
        else:
            lines.append(labels["whatif_no_change"])
    if document["failed"]:
        lines += ["", f"{labels['failed']} ({len(document['failed'])}):"]
        lines += [f"  {entry['name']} ({entry['file']})" for entry in document["failed"]]
    lines += ["", f"{document['edition']} · {document['year']} · {labels['policies']} ({labels['whatif_config']}): "]
    lines[-1] += config_policies
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


def render_csv(document: dict[str, Any], registry: Registry, lang: str) -> bytes:
    """One row per organisation that changes in each scenario (ids, not
    titles, in the header and the stars and awards, for scripts); ``why``
    lists the items whose points moved; ``policies`` the scenario's policies
    in force. UTF-8 with a byte-order mark, for Excel."""
    labels = LABELS[lang]
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
                    text_cell(change["id"]),
                    text_cell(change["name"]),
                    cell(total["before"]),
                    cell(total["after"]),
                    cell(total["change"]),
                    cell(rank["before"]),
                    cell(rank["after"]),
                    " ".join(stars["before"]),
                    " ".join(stars["after"]),
                    " ".join(awards["before"]),
                    " ".join(awards["after"]),
                    text_cell("; ".join(why_lines(change, registry, lang, labels))),
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


def html_cells(cells: list[str], numbers: set[int]) -> str:
    """Cells of a row of changes: numbers aligned right; stars and awards
    (the last two before the reasons) before and after on two lines."""
    parts = []
    for index, text in enumerate(cells):
        if index in numbers:
            parts.append(f'<td class="num">{escape(text)}</td>')
        elif index >= len(cells) - 2:
            parts.append(f'<td class="honours">{"<br>→ ".join(escape(side) for side in text.split(" → "))}</td>')
        else:
            parts.append(f"<td>{escape(text)}</td>")
    return "".join(parts)


def scenario_html(scenario: dict[str, Any], document: dict[str, Any], registry: Registry, lang: str) -> list[str]:
    labels = LABELS[lang]
    counts = scenario["summary"]
    parts = [
        '<section class="scenario">',
        f"<h2>{escape(labels['whatif_scenario'])}: {escape(changes_text(scenario['changes']))}</h2>",
    ]
    if scenario["evidence_reread"]:
        parts.append(f'<p class="muted">{escape(labels["whatif_reread"])}</p>')
    parts.append(f"<h3>{escape(labels['whatif_summary'])}</h3>")
    parts += table_html(summary_header(labels), summary_rows(document, counts, labels), {1, 2, 3, 4}, "summary")
    parts.append(
        f'<p class="meta">{escape(labels["whatif_stars_changed"])}: {counts["stars_changed"]} · '
        f"{escape(labels['whatif_totals_changed'])}: {counts['totals_changed']} · "
        f"{escape(labels['whatif_changed_count'])}: {counts['changed']} / {counts['scored']}</p>"
    )
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
        cells = change_cells(change, registry, lang, labels)
        why = "<br>".join(escape(line) for line in why_lines(change, registry, lang, labels))
        parts.append(f'<tr data-id="{escape(change["id"])}">{html_cells(cells, {1, 2, 3})}<td>{why}</td></tr>')
    parts.append("</tbody></table></section>")
    return parts


def sweep_html(document: dict[str, Any], registry: Registry, lang: str) -> list[str]:
    labels = LABELS[lang]
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
        parts.append(f"<p><strong>{escape(shown(entry['from']))} → {escape(shown(entry['to']))}</strong></p>")
        if not entry["organisations"]:
            parts.append(f"<p>{escape(labels['none'])}</p>")
            continue
        parts.append('<table class="margin">')
        parts.append(head([(text, "num" if index in {1, 2} else "") for index, text in enumerate(margin_header)]))
        parts.append("<tbody>")
        for org in entry["organisations"]:
            cells = [
                org["name"],
                figure(org["total"]["to"]),
                figure(org["rank"]["to"]),
                *margin_honours(org, registry, lang, labels),
            ]
            parts.append(f'<tr data-id="{escape(org["id"])}">{html_cells(cells, {1, 2})}</tr>')
        parts.append("</tbody></table>")
    parts.append("</section>")
    return parts


def render_html(document: dict[str, Any], registry: Registry, lang: str) -> str:
    """One self-contained page in the style of the run's report: the run and
    its policies, the sweep, then each scenario on its own printed page."""
    labels = LABELS[lang]
    heading = labels["whatif_heading"].format(year=document["year"])
    parts = page_start(heading, document, registry, labels, PAGE_STYLE)
    if document["sweep"]:
        parts += sweep_html(document, registry, lang)
    for scenario in document["scenarios"]:
        parts += scenario_html(scenario, document, registry, lang)
    if document["failed"]:
        parts.append(f'<section id="failed"><h2>{escape(labels["failed"])} ({len(document["failed"])})</h2><ul>')
        parts += [f"<li>{escape(entry['name'])} ({escape(entry['file'])})</li>" for entry in document["failed"]]
        parts.append("</ul></section>")
    parts.append(f'<footer class="muted"><p>fivestar-assess {escape(__version__)}</p></footer>')
    parts.append("</body>\n</html>\n")
    return "\n".join(parts)


RENDERERS: dict[str, Callable[[dict[str, Any], Registry, str], str | bytes]] = {
    "table": render_table,
    "json": render_json,
    "html": render_html,
    "csv": render_csv,
}


def render(whatif: WhatIf, name: str, lang: str) -> str | bytes:
    """The comparison in one of :data:`FORMATS`."""
    return RENDERERS[name](whatif_document(whatif), whatif.before.context.registry, language(lang))
