"""The cohort as one self-contained HTML page an office prints: a cover
with the run's facts, the league table on landscape pages, each
organisation's scorecard on at most two portrait pages, and lines for the
signatures at the end. Every printed page carries its number and the date
of the run.

The page loads nothing: the style is inline, the charts are inline SVG
drawn by :mod:`fivestar.report.charts`, there is no script, no font, image
or link outside the file, so it can be mailed, archived and opened offline.
All text is cleaned of control characters and escaped.

Above :data:`SCORECARDS_UP_TO` organisations the page holds the cover and
the league table only, and says where the scorecards are.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from html import escape
from typing import Any

from fivestar.markers import hookimpl
from fivestar.numbers import ZERO
from fivestar.pipeline import RunResult
from fivestar.registry import Registry
from fivestar.report import Renderer, RenderOptions
from fivestar.report.charts import Band, Bar, distribution, history_line, score_bars
from fivestar.report.history_view import history_totals
from fivestar.report.view import Cohort, clean, cohort_view, figure, run_date, signed
from fivestar.version import __version__

SCORECARDS_UP_TO = 2000
"""Above this many scored organisations the page is the cover and the league
table: a page of 100,000 scorecards is read by nobody and opened by no browser."""

STYLE = """
@page { size: A4; margin: 13mm 12mm 15mm; }
@page league { size: A4 landscape; margin: 11mm 12mm 13mm; }
:root { --ink: #222; --muted: #666; --red: #b22; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       margin: 2em auto; max-width: 64em; padding: 0 1em; color: var(--ink); line-height: 1.4; }
h1 { font-size: 1.7em; margin: 0 0 0.2em; color: var(--red); }
h2 { font-size: 1.25em; border-bottom: 2px solid var(--red); padding-bottom: 0.15em; margin: 1.2em 0 0.4em; }
h3 { font-size: 1em; margin: 0.8em 0 0.3em; }
table { border-collapse: collapse; width: 100%; margin: 0.3em 0 0.8em; }
th, td { border: 1px solid #bbb; padding: 0.15em 0.35em; vertical-align: top; text-align: left; }
th { background: #f3ecec; font-weight: bold; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.id { font-family: "DejaVu Sans Mono", monospace; font-size: 0.62em; color: #888; font-weight: normal; }
.muted { color: var(--muted); }
.nowrap { white-space: nowrap; }
a { color: inherit; text-decoration: none; }
.cover .subtitle { font-size: 1.1em; color: var(--muted); margin: 0 0 1.2em; }
.cover table.run td:first-child { width: 32%; color: var(--muted); }
.cover .note { font-size: 0.85em; color: var(--muted); }
.chart { display: block; max-width: 100%; height: auto; }
.chart-distribution { width: 100%; }
.league table { font-size: 0.95em; }
.league td.name { white-space: nowrap; }
.league tr.five td { background: #fbeeee; }
.scorecard .summary { display: flex; gap: 1.2em; align-items: flex-start; }
.scorecard .summary .figures { flex: 0 0 36%; }
.scorecard .summary .figures td:first-child { color: var(--muted); white-space: nowrap; }
.scorecard .summary .charts { flex: 1; }
.scorecard .chart-bars { width: 100%; }
.scorecard .chart-history { width: 70%; }
.items { font-size: 0.82em; line-height: 1.3; }
.items col.title { width: 51%; } .items col.pts, .items col.max { width: 4.5%; } .items col.basis { width: 40%; }
.items tr.section-row td { background: #faf3f3; font-weight: bold; }
.items tr.falsified td { color: #a00; }
.items tr.disabled td { color: #999; }
.items tr.lost td.num:first-of-type { color: var(--red); }
.earned { color: var(--red); font-weight: bold; }
ul.reasons { margin: 0.2em 0 0.6em 1.2em; padding: 0; }
.warnings { font-size: 0.8em; color: var(--muted); }
.signatures { margin-top: 2.5em; display: flex; gap: 3em; }
.signatures div { flex: 1; border-bottom: 1px solid var(--ink); padding-bottom: 0.3em; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 9.5pt; }
  .cover { page: cover; }
  section.league { page: league; break-before: page; }
  .failed, .scorecard { break-before: page; }
  .end { break-before: avoid; }
  thead { display: table-header-group; }
  tr, .chart, .summary { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  .scorecard h2 { margin-top: 0; }
  .items { font-size: 7.2pt; line-height: 1.22; }
  .items th, .items td { padding: 0.05em 0.3em; }
  .scorecard { font-size: 8.5pt; }
  .league table { font-size: 8.5pt; }
  .league th, .league td { padding: 0.2em 0.3em; }
}
"""


def css_string(text: str) -> str:
    """A CSS string literal: quotes, backslashes and line breaks escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def page_style(view: Cohort, heading: str, date: str) -> str:
    """The running foot: the report's title and the date of the run on the
    left, the page number on the right (CSS page counters)."""
    labels = view.labels
    before, _, after = labels["page_of"].partition("{page}")
    middle, _, end = after.partition("{pages}")
    left = css_string(f"{heading} · {labels['run_date']} {date}")
    right = f"{css_string(before)} counter(page) {css_string(middle)} counter(pages) {css_string(end)}"
    box = 'font-size: 7.5pt; color: #666; font-family: "Noto Sans CJK SC", "Source Han Sans SC", sans-serif;'
    return (
        f"<style>@page {{ @bottom-left {{ content: {left}; {box} }} "
        f"@bottom-right {{ content: {right}; {box} }} }}</style>"
    )


def cell(text: str, css: str = "") -> str:
    return f'<td class="{css}">{escape(text)}</td>' if css else f"<td>{escape(text)}</td>"


def head(cells: list[tuple[str, str]]) -> str:
    inner = "".join(
        f'<th class="{css}">{escape(text)}</th>' if css else f"<th>{escape(text)}</th>" for text, css in cells
    )
    return f"<thead><tr>{inner}</tr></thead>"


def row(cells: list[tuple[str, str]], attributes: str = "") -> str:
    """A table row of (text, class) cells, the text cleaned and escaped here."""
    return f"<tr{attributes}>{''.join(cell(clean(text), css) for text, css in cells)}</tr>"


def setting(value: Any) -> str:
    """A policy's value as the config writes it."""
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


def document_start(heading: str, labels: dict[str, str], style: str = "", head: tuple[str, ...] = ()) -> list[str]:
    """A page's doctype and head, up to its opening body tag: the shared
    style (``style`` added to it), then ``head`` (a page style's running foot)."""
    return [
        "<!DOCTYPE html>",
        f'<html lang="{labels["html_lang"]}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(heading)}</title>",
        f"<style>{STYLE}{style}</style>",
        *head,
        "</head>",
        "<body>",
    ]


def page_start(
    heading: str, document: dict[str, Any], view: Cohort, style: str = "", head: tuple[str, ...] = ()
) -> list[str]:
    """The head of a page that shares this report's look (the what-if page),
    and its header: the heading, the run and its policies (``style`` and
    ``head`` as in :func:`document_start`)."""
    labels = view.labels
    return [
        *document_start(heading, labels, style, head),
        f"<header><h1>{escape(heading)}</h1>",
        '<table class="run">',
        row([(labels["year"], ""), (setting(document["year"]), "")]),
        row([(labels["edition"], ""), (document["edition"], "")]),
        "</table>",
        *policies_table(document, view),
        "</header>",
    ]


def policies_table(document: dict[str, Any], view: Cohort) -> list[str]:
    """The run's policies in the vocabulary: key, value and meaning, and
    which were set on the command line for this run only."""
    labels = view.labels
    parts = [
        f"<h3>{escape(labels['policies'])}</h3>",
        '<table class="policies">',
        head([(labels["policies"], ""), (labels["policy_value"], ""), (labels["basis"], "")]),
        "<tbody>",
    ]
    command_line = document.get("command_line_policies", ())
    for key, value in document["policies"].items():
        shown = view.policy_value(value)
        if key in command_line:
            shown += f" · {labels['policies_command_line']}"
        parts.append(
            f'<tr data-id="{escape(key)}"><td class="nowrap">{id_tag(key)}</td>'
            f"{cell(shown, 'nowrap')}{cell(view.policy_text(key))}</tr>"
        )
    parts.append("</tbody></table>")
    return parts


def id_tag(identifier: str) -> str:
    return f' <span class="id">{escape(clean(identifier, one_line=True))}</span>'


def anchor(org_id: str) -> str:
    return "org-" + "".join(character if character.isalnum() or character in "-_." else "_" for character in org_id)


def bands(view: Cohort) -> list[Band]:
    """The cohort split by the highest award: 五星双优, 党建优 or 业绩优, none."""
    labels = view.labels
    groups: dict[str, list[Decimal]] = {"five": [], "some": [], "none": []}
    for entry in view.scored:
        awards = entry["awards"]
        total = Decimal(str(entry["total"]))
        if awards["five_star"]:
            groups["five"].append(total)
        elif awards["party_building_excellence"] or awards["performance_excellence"]:
            groups["some"].append(total)
        else:
            groups["none"].append(total)
    some = f"{labels['pbe']}{labels['separator']}{labels['pe']}"
    return [Band(labels["five"], groups["five"]), Band(some, groups["some"]), Band(labels["none"], groups["none"])]


def cohort_maximum(view: Cohort) -> Decimal:
    return sum((Decimal(str(section["max"])) for section in view.scored[0]["sections"].values()), ZERO)


def cover(view: Cohort, heading: str, date: str, organisations: int, history: dict[str, Any]) -> list[str]:
    labels = view.labels
    document = view.document
    counts = view.award_counts()
    yes, no = labels["yes"], labels["no"]
    facts = [
        (labels["year"], figure(document["year"])),
        (labels["edition"], document["edition"]),
        (labels["award_year"], yes if document["award_year"] else no),
        (labels["run_date"], date),
        (labels["org_count"], str(organisations)),
        (labels["scored_count"], str(len(view.scored))),
        (labels["failed_count"], str(len(view.failed))),
        (labels["five"], str(counts["five"])),
        (labels["pbe"], str(counts["pbe"])),
        (labels["pe"], str(counts["pe"])),
        (labels["disabled"], labels["separator"].join(document["disabled_items"]) or labels["none"]),
    ]
    if history:
        facts.append((labels["history_total"], labels["year_count"].format(count=len(history["years"]))))
    facts.append((labels["engine"], f"fivestar-assess {__version__}"))
    parts = [
        '<section class="cover" id="cover">',
        f"<h1>{escape(heading)}</h1>",
        f'<p class="subtitle">{escape(labels["run_date"])} {escape(date)}</p>',
        '<table class="run"><tbody>',
        *(f"<tr>{cell(name)}{cell(value)}</tr>" for name, value in facts),
        "</tbody></table>",
        *policies_table(document, view),
    ]
    if view.scored:
        parts.append(f"<h3>{escape(labels['chart_cohort'])}</h3>")
        parts.append(
            distribution(
                bands(view),
                cohort_maximum(view),
                10,
                labels["chart_cohort"],
                labels["totals_band"],
                labels["count"],
            )
        )
    parts.append(f'<p class="note">{escape(labels["cover_note"])}</p>')
    parts.append("</section>")
    return parts


def league(view: Cohort, movements: dict[str, Decimal | None]) -> Iterator[str]:
    """The league table, a row at a time (100,000 rows are never held)."""
    labels = view.labels
    yield f'<section class="league" id="league"><h2>{escape(labels["league"])}</h2>'
    if not view.scored:
        yield f"<p>{escape(labels['no_scored'])}</p></section>"
        return
    columns = [
        (labels["rank"], "num"),
        (labels["org"], ""),
        *((view.section_title(section_id), "num") for section_id in view.section_ids),
        (labels["heavy"], "num"),
        (labels["total"], "num"),
    ]
    if movements:
        columns.append((labels["movement"], "num"))
    columns += [(labels["stars"], ""), (labels["awards"], "")]
    yield from ('<table class="league">', head(columns), "<tbody>")
    for entry in view.scored:
        sections = entry["sections"]
        awards = entry["awards"]
        name = clean(entry["name"], one_line=True)
        cells = [
            cell(figure(entry["rank"]), "num"),
            f'<td class="name"><a href="#{escape(anchor(entry["id"]))}">{escape(name)}</a></td>',
            *(
                cell(figure(sections[section_id]["score"]) if section_id in sections else "—", "num")
                for section_id in view.section_ids
            ),
            cell(figure(-entry["heavy_total"]) if entry["heavy_total"] else "0", "num"),
            f'<td class="num"><strong>{escape(figure(entry["total"]))}</strong></td>',
        ]
        if movements:
            cells.append(cell(signed(movements.get(entry["id"])), "num"))
        cells += [cell(view.star_marks(awards["stars"]), "nowrap"), cell(view.honours(awards), "nowrap")]
        css = ' class="five"' if awards["five_star"] else ""
        yield f'<tr{css} data-id="{escape(entry["id"])}">{"".join(cells)}</tr>'
    yield "</tbody></table></section>"


def failed_part(view: Cohort) -> list[str]:
    if not view.failed:
        return []
    labels = view.labels
    parts = [f'<section class="failed" id="failed"><h2>{escape(labels["failed"])} ({len(view.failed)})</h2>']
    for entry in view.failed:
        parts.append(
            f"<h3>{escape(clean(entry['name'], one_line=True))}{id_tag(entry['id'])}</h3>"
            f'<p class="muted">{escape(labels["file"])}: {escape(clean(entry["file"]))}</p><ul class="errors">'
        )
        parts.extend(f"<li>{escape(clean(error['message']))}</li>" for error in entry["errors"])
        parts.append("</ul>")
    parts.append("</section>")
    return parts


def bars_of(view: Cohort, entry: dict[str, Any]) -> list[Bar]:
    context = view.result.context
    share = context.policies.get("star_threshold")
    performance = context.policies.get("performance_threshold")
    bars = []
    for section_id, section in entry["sections"].items():
        group = view.registry.sections[section_id].group if section_id in view.registry.sections else ""
        maximum = Decimal(str(section["max"]))
        threshold = None
        if group == "party_building" and isinstance(share, Decimal):
            threshold = share * maximum
        elif group == "performance" and isinstance(performance, Decimal):
            threshold = performance
        bars.append(Bar(view.section_short(section_id), Decimal(str(section["score"])), maximum, threshold))
    return bars


def scorecard(view: Cohort, entry: dict[str, Any], history: dict[str, Any]) -> list[str]:
    labels = view.labels
    awards = entry["awards"]
    org_id = entry["id"]
    summary = [
        (labels["rank"], figure(entry["rank"])),
        (labels["total"], figure(entry["total"])),
        (labels["heavy"], figure(-entry["heavy_total"]) if entry["heavy_total"] else "0"),
        (labels["stars"], view.stars(awards) or labels["none"]),
        (labels["awards"], view.honours(awards) or labels["none"]),
    ]
    years = history.get("totals", {}).get(org_id)
    if years:
        summary.append((labels["movement"], signed(history["movements"].get(org_id))))
    parts = [
        f'<section class="scorecard" id="{escape(anchor(org_id))}">',
        f"<h2>{escape(clean(entry['name'], one_line=True))}{id_tag(org_id)}</h2>",
        '<div class="summary"><div class="figures"><table class="figures"><tbody>',
        *(f"<tr>{cell(name)}{cell(value)}</tr>" for name, value in summary),
        '</tbody></table></div><div class="charts">',
        score_bars(bars_of(view, entry), labels["chart_scores"]),
    ]
    if years:
        maximum = cohort_maximum(view)
        movement = f"{labels['movement']} {signed(history['movements'].get(org_id))}"
        parts.append(history_line(years, maximum, labels["chart_history"], movement))
    parts.append("</div></div>")
    parts += [
        '<table class="items"><colgroup><col class="title"><col class="pts"><col class="max"><col class="basis">'
        "</colgroup>",
        head([(labels["title"], ""), (labels["points"], "num"), (labels["max"], "num"), (labels["basis"], "")]),
        "<tbody>",
    ]
    for section_id, section in entry["sections"].items():
        claimed = ""
        if section["claimed"] != section["score"]:
            claimed = labels["capped"].format(claimed=figure(section["claimed"]), max=figure(section["max"]))
        parts.append(
            f'<tr class="section-row" data-id="{escape(section_id)}">'
            f"<td>{escape(view.section_title(section_id))}{id_tag(section_id)}</td>"
            f"{cell(figure(section['score']), 'num')}{cell(figure(section['max']), 'num')}{cell(claimed)}</tr>"
        )
        for item_id, line in section["items"].items():
            status = line["status"]
            title = view.item_title(item_id) + labels.get(f"status_{status}", "")
            lost = line["max"] is not None and line["points"] != line["max"]
            css = f"{status} lost" if lost else status
            parts.append(
                f'<tr class="{escape(css)}" data-id="{escape(item_id)}"><td>{escape(title)}{id_tag(item_id)}</td>'
                f"{cell(figure(line['points']), 'num')}{cell(figure(line['max']), 'num')}"
                f"{cell(view.basis(org_id, item_id, line['basis']))}</tr>"
            )
    parts.append("</tbody></table>")
    if entry["heavy"]:
        parts.append(f"<h3>{escape(labels['heavy_items'])}</h3>")
        parts.append('<table class="heavy">')
        parts.append(head([(labels["title"], ""), (labels["deduction"], "num"), (labels["source"], "")]))
        parts.append("<tbody>")
        for deduction in entry["heavy"]:
            parts.append(
                f'<tr data-id="{escape(deduction["id"])}">'
                f"<td>{escape(view.heavy_title(deduction['id']))}{id_tag(deduction['id'])}</td>"
                f"{cell(figure(deduction['points']), 'num')}{cell(view.source(deduction['source']))}</tr>"
            )
        parts.append("</tbody></table>")
    decisions = view.decisions(entry)
    if decisions:
        parts.append(f'<h3>{escape(labels["decisions"])}</h3><ul class="decisions">')
        parts.extend(f"<li>{escape(text)}</li>" for text in decisions)
        parts.append("</ul>")
    withheld = view.withheld(org_id, awards["withheld"])
    if withheld:
        parts.append(f'<h3>{escape(labels["withheld"])}</h3><ul class="reasons">')
        parts.extend(f"<li>{escape(name)}{labels['colon']}{escape(reason)}</li>" for name, reason in withheld)
        parts.append("</ul>")
    if entry["warnings"]:
        parts.append(f'<h3>{escape(labels["warnings"])} ({len(entry["warnings"])})</h3><ul class="warnings">')
        parts.extend(f"<li>{escape(warning)}</li>" for warning in view.warnings(entry["warnings"], entry["file"]))
        parts.append("</ul>")
    parts.append("</section>")
    return parts


def signatures(view: Cohort) -> list[str]:
    labels = view.labels
    return [
        '<section class="end"><div class="signatures">',
        *(f"<div>{escape(labels[key])}{labels['colon']}</div>" for key in ("maker", "checker", "date")),
        "</div></section>",
    ]


def render_html(result: RunResult, options: RenderOptions) -> str:
    """The page. With ``options.org`` only that organisation's scorecard
    follows the league table."""
    return "".join(html_pieces(result, options))


def html_pieces(result: RunResult, options: RenderOptions) -> Iterator[str]:
    """The page (:func:`render_html`) a piece at a time, as it is written:
    the league table of 100,000 organisations is never one string."""
    with_scorecards = options.org is not None or len(result.totals_by_id()) <= SCORECARDS_UP_TO
    view = cohort_view(result, options.lang, keep_ledgers=with_scorecards and options.org is None)
    labels = view.labels
    date = run_date()
    heading = labels["heading"].format(year=view.document["year"])
    organisations = len(view.scored) + len(view.failed)
    history = history_totals(result) if with_scorecards else {}

    def parts() -> Iterator[str]:
        yield from document_start(heading, labels, head=(page_style(view, heading, date),))
        yield from cover(view, heading, date, organisations, history)
        yield from league(view, history.get("movements", {}))
        yield from failed_part(view)
        if with_scorecards:
            for entry in view.entries(options.org):
                yield from scorecard(view, entry, history)
        else:
            text = labels["large_cohort"].format(
                count=len(view.scored), limit=SCORECARDS_UP_TO, where=labels["large_cohort_where"]
            )
            yield f'<p class="large-cohort">{escape(text)}</p>'
        yield from signatures(view)
        yield "</body>\n</html>\n"

    for position, part in enumerate(parts()):
        yield "\n" + part if position else part


@hookimpl
def assess_renderers() -> list[Renderer]:
    return [
        Renderer("html", "one self-contained HTML page: league table and scorecards, printable", ".html", html_pieces)
    ]
