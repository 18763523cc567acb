"""The cohort as one self-contained HTML page: the league table, the failed
organisations, and every organisation's scorecard, one to a printed page.

The page loads nothing: the style is inline, there is no script, no font,
image or link outside the file, so it can be mailed, archived and opened
offline. All text is escaped.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

from fivestar.markers import hookimpl
from fivestar.numbers import fmt
from fivestar.pipeline import RunResult
from fivestar.registry import Registry
from fivestar.report import Renderer, RenderOptions, ranking, result_document
from fivestar.report.labels import LABELS, language
from fivestar.version import __version__

STYLE = """
body { font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif;
       margin: 2em auto; max-width: 72em; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.3em; border-bottom: 2px solid #b22; padding-bottom: 0.2em; margin-top: 1.6em; }
h3 { font-size: 1.05em; margin: 1.2em 0 0.4em; }
table { border-collapse: collapse; width: 100%; margin: 0.4em 0 1em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.5em; vertical-align: top; text-align: left; }
th { background: #f3ecec; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.section-row td { background: #faf6f6; font-weight: bold; }
tr.falsified td { color: #a00; }
tr.disabled td { color: #888; }
.meta, .muted { color: #555; }
.warnings { font-size: 0.85em; color: #555; }
.id { font-family: monospace; font-size: 0.9em; color: #555; }
a { color: #822; }
@page { size: A4; margin: 15mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  a { color: inherit; text-decoration: none; }
  .scorecard { break-before: page; page-break-before: always; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
}
"""


def figure(value: Any) -> str:
    """A number of the JSON document as text: ``json_number`` guarantees the
    float's shortest text is the decimal's own, so nothing is rounded."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return fmt(value)
    return fmt(Decimal(str(value)))


def capped(section: dict[str, Any], labels: dict[str, str]) -> str:
    if section["claimed"] == section["score"]:
        return ""
    return labels["capped"].format(claimed=figure(section["claimed"]), max=figure(section["max"]))


def setting(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return figure(value)
    return str(value)


def section_title(registry: Registry, section_id: str, lang: str) -> str:
    section = registry.sections.get(section_id)
    if section is None:
        return section_id
    return section.title if lang == "zh" else section.title_en


def anchor(org_id: str) -> str:
    return "org-" + "".join(character if character.isalnum() or character in "-_." else "_" for character in org_id)


def honours(awards: dict[str, Any], labels: dict[str, str]) -> str:
    flags = (("party_building_excellence", "pbe"), ("performance_excellence", "pe"), ("five_star", "five"))
    return labels["separator"].join(labels[label] for flag, label in flags if awards[flag])


def stars(awards: dict[str, Any], registry: Registry, lang: str, labels: dict[str, str]) -> str:
    return labels["separator"].join(section_title(registry, star, lang) for star in awards["stars"])


def td(text: str, css: str = "") -> str:
    return f'<td class="{css}">{escape(text)}</td>' if css else f"<td>{escape(text)}</td>"


def row(cells: list[tuple[str, str]], attributes: str = "") -> str:
    """A table row of (text, class) cells, the text escaped here."""
    return tr([td(text, css) for text, css in cells], attributes)


def tr(cells: list[str], attributes: str = "") -> str:
    return f"<tr{attributes}>{''.join(cells)}</tr>"


def head(cells: list[tuple[str, str]]) -> str:
    inner = "".join(
        f'<th class="{css}">{escape(text)}</th>' if css else f"<th>{escape(text)}</th>" for text, css in cells
    )
    return f"<thead><tr>{inner}</tr></thead>"


def run_part(document: dict[str, Any], registry: Registry, labels: dict[str, str]) -> list[str]:
    parts = [
        '<table class="run">',
        row([(labels["year"], ""), (setting(document["year"]), "")]),
        row([(labels["edition"], ""), (document["edition"], "")]),
        row([(labels["award_year"], ""), (labels["yes"] if document["award_year"] else labels["no"], "")]),
        row([(labels["disabled"], ""), (", ".join(document["disabled_items"]) or labels["none"], "")]),
        "</table>",
        f"<h3>{escape(labels['policies'])}</h3>",
        '<table class="policies">',
    ]
    command_line = document.get("command_line_policies", ())
    for key, value in document["policies"].items():
        policy = registry.policies.get(key)
        shown = setting(value) + (f" · {labels['policies_command_line']}" if key in command_line else "")
        parts.append(row([(key, "id"), (shown, ""), (policy.doc if policy else "", "muted")]))
    parts.append("</table>")
    return parts


def league_part(result: RunResult, scored: list[dict[str, Any]], lang: str, labels: dict[str, str]) -> list[str]:
    registry = result.context.registry
    section_ids = list(registry.sections)
    parts = [f'<section id="league"><h2>{escape(labels["league"])}</h2>']
    if not scored:
        parts.append(f"<p>{escape(labels['no_scored'])}</p></section>")
        return parts
    parts.append('<table class="league">')
    parts.append(
        head(
            [
                (labels["rank"], "num"),
                (labels["org"], ""),
                *((section_title(registry, section_id, lang), "num") for section_id in section_ids),
                (labels["heavy"], "num"),
                (labels["total"], "num"),
                (labels["stars"], ""),
                (labels["awards"], ""),
            ]
        )
    )
    parts.append("<tbody>")
    for entry in scored:
        sections = entry["sections"]
        awards = entry["awards"]
        link = f'<td><a href="#{escape(anchor(entry["id"]))}">{escape(entry["name"])}</a></td>'
        cells = [
            td(figure(entry["rank"]), "num"),
            link,
            *(
                td(figure(sections[section_id]["score"]) if section_id in sections else "—", "num")
                for section_id in section_ids
            ),
            td(figure(-entry["heavy_total"]), "num"),
            td(figure(entry["total"]), "num"),
            td(stars(awards, registry, lang, labels)),
            td(honours(awards, labels)),
        ]
        parts.append(tr(cells, f' data-id="{escape(entry["id"])}"'))
    parts.append("</tbody></table></section>")
    return parts


def failed_part(failed: list[dict[str, Any]], labels: dict[str, str]) -> list[str]:
    if not failed:
        return []
    parts = [f'<section id="failed"><h2>{escape(labels["failed"])} ({len(failed)})</h2>']
    for entry in failed:
        parts.append(
            f'<h3>{escape(entry["name"])} <span class="id">{escape(entry["id"])}</span></h3>'
            f'<p class="meta">{escape(labels["file"])}: {escape(entry["file"])}</p><ul class="errors">'
        )
        parts.extend(f"<li>{escape(error['message'])}</li>" for error in entry["errors"])
        parts.append("</ul>")
    parts.append("</section>")
    return parts


def scorecard_part(result: RunResult, entry: dict[str, Any], lang: str, labels: dict[str, str]) -> list[str]:
    registry = result.context.registry
    parts = [
        f'<section class="scorecard" id="{escape(anchor(entry["id"]))}">',
        f'<h2>{escape(entry["name"])} <span class="id">{escape(entry["id"])}</span></h2>',
        f'<p class="meta">{escape(labels["rank"])} {escape(figure(entry["rank"]))} · '
        f"{escape(labels['total'])} <strong>{escape(figure(entry['total']))}</strong></p>",
        '<table class="items">',
        head(
            [
                (labels["item"], ""),
                (labels["title"], ""),
                (labels["points"], "num"),
                (labels["max"], "num"),
                (labels["basis"], ""),
            ]
        ),
        "<tbody>",
    ]
    for section_id, section in entry["sections"].items():
        parts.append(
            row(
                [
                    (section_id, "id"),
                    (section_title(registry, section_id, lang), ""),
                    (figure(section["score"]), "num"),
                    (figure(section["max"]), "num"),
                    (capped(section, labels), ""),
                ],
                ' class="section-row"',
            )
        )
        for item_id, line in section["items"].items():
            status = line["status"]
            title = line["title"] + labels.get(f"status_{status}", "")
            parts.append(
                row(
                    [
                        (item_id, "id"),
                        (title, ""),
                        (figure(line["points"]), "num"),
                        (figure(line["max"]), "num"),
                        (line["basis"], ""),
                    ],
                    f' class="{escape(status)}"',
                )
            )
    parts.append("</tbody></table>")

    parts.append(f"<h3>{escape(labels['heavy_items'])}</h3>")
    if entry["heavy"]:
        parts.append('<table class="heavy">')
        parts.append(
            head([(labels["item"], ""), (labels["title"], ""), (labels["deduction"], "num"), (labels["source"], "")])
        )
        parts.append("<tbody>")
        for deduction in entry["heavy"]:
            parts.append(
                row(
                    [
                        (deduction["id"], "id"),
                        (deduction["title"], ""),
                        (figure(deduction["points"]), "num"),
                        (deduction["source"], ""),
                    ]
                )
            )
        parts.append("</tbody></table>")
    else:
        parts.append(f"<p>{escape(labels['none'])}</p>")

    awards = entry["awards"]
    yes, no = labels["yes"], labels["no"]
    parts.append(f"<h3>{escape(labels['awards_heading'])}</h3>")
    parts.append('<table class="awards">')
    parts.append(row([(labels["stars"], ""), (stars(awards, registry, lang, labels) or labels["none"], "")]))
    for flag, label in (("party_building_excellence", "pbe"), ("performance_excellence", "pe"), ("five_star", "five")):
        parts.append(row([(labels[label], ""), (yes if awards[flag] else no, "")]))
    parts.append("</table>")
    if awards["withheld"]:
        parts.append(f'<h3>{escape(labels["withheld"])}</h3><ul class="withheld">')
        for key, reason in awards["withheld"].items():
            name = labels["five"] if key == "five_star" else section_title(registry, key, lang)
            parts.append(f"<li>{escape(name)}: {escape(reason)}</li>")
        parts.append("</ul>")
    if entry["warnings"]:
        parts.append(f'<h3>{escape(labels["warnings"])}</h3><ul class="warnings">')
        parts.extend(f"<li>{escape(warning['message'])}</li>" for warning in entry["warnings"])
        parts.append("</ul>")
    parts.append("</section>")
    return parts


def page_start(
    heading: str, document: dict[str, Any], registry: Registry, labels: dict[str, str], style: str = ""
) -> list[str]:
    """The page's head and its header: the heading, the run and its policies
    (``style`` is added to the shared style)."""
    return [
        "<!DOCTYPE html>",
        f'<html lang="{labels["html_lang"]}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(heading)}</title>",
        f"<style>{STYLE}{style}</style>",
        "</head>",
        "<body>",
        f"<header><h1>{escape(heading)}</h1>",
        *run_part(document, registry, labels),
        "</header>",
    ]


def render_html(result: RunResult, options: RenderOptions) -> str:
    """The page. With ``options.org`` only that organisation's scorecard
    follows the league table."""
    lang = language(options.lang)
    labels = LABELS[lang]
    document = result_document(result)
    registry = result.context.registry
    organisations = document["organisations"]
    by_id = {entry["id"]: entry for entry in organisations if entry["status"] == "scored"}
    scored = [by_id[ledger.organisation.id] for _rank, ledger in ranking(result)]
    failed = [entry for entry in organisations if entry["status"] != "scored"]
    heading = labels["heading"].format(year=document["year"])
    parts = [
        *page_start(heading, document, registry, labels),
        *league_part(result, scored, lang, labels),
        *failed_part(failed, labels),
    ]
    for entry in scored:
        if options.org is None or entry["id"] == options.org:
            parts.extend(scorecard_part(result, entry, lang, labels))
    parts.append(f'<footer class="muted"><p>fivestar-assess {escape(__version__)}</p></footer>')
    parts.append("</body>\n</html>\n")
    return "\n".join(parts)


@hookimpl
def assess_renderers() -> list[Renderer]:
    return [
        Renderer("html", "one self-contained HTML page: league table and scorecards, printable", ".html", render_html)
    ]
