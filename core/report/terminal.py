"""The terminal views: the cohort league table, and one organisation's
scorecard (`assess run --org ID`), both within :data:`WIDTH` columns.

Names are shortened to fit (the full name heads the scorecard), stars are
one character each, and every text from evidence or plugins is cleaned of
control characters: an ESC in a name must not drive the terminal.
"""

from __future__ import annotations

import os

from fivestar.markers import hookimpl
from fivestar.numbers import fmt
from fivestar.pipeline import RunResult
from fivestar.report import Renderer, RenderOptions, jsonable, ranking, run_header
from fivestar.report.view import Cohort, clean, cohort_view, display_width, short_name, truncate, wrap

WIDTH = 100
"""The widest line either view prints: a terminal of 100 columns never wraps."""


def pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def format_table(
    header: list[str],
    rows: list[list[str]],
    right_from: int,
    right_to: int | None = None,
    gaps: list[int] | None = None,
) -> str:
    """Columns right_from..right_to (default: all but the last) are numbers,
    aligned right; widths count CJK characters as two. ``gaps`` gives the
    spaces before each column after the first (two by default)."""
    last = len(header) - 1 if right_to is None else right_to
    widths = [max(display_width(row[column]) for row in [header, *rows]) for column in range(len(header))]
    spaces = gaps or [2] * (len(header) - 1)
    lines = []
    for row in [header, *rows]:
        cells = [pad(cell, widths[index], right=right_from <= index < last) for index, cell in enumerate(row)]
        lines.append(join(cells, spaces).rstrip())
    lines.insert(1, join(["-" * width for width in widths], spaces))
    return "\n".join(lines)


def join(cells: list[str], gaps: list[int]) -> str:
    text = cells[0]
    for gap, cell in zip(gaps, cells[1:], strict=False):
        text += " " * gap + cell
    return text


def block(text: str, indent: int = 0) -> list[str]:
    """A text cleaned and wrapped to the width, every line indented, the
    lines after the first by two more."""
    lines = wrap(clean(text, one_line=True), WIDTH - indent - 2)
    return [" " * indent + lines[0], *(" " * (indent + 2) + line for line in lines[1:])]


def policies_lines(view: Cohort) -> str:
    """The edition, year and policies in force, wrapped to the width."""
    context = view.result.context
    labels = view.labels
    policies = labels["separator"].join(f"{key}={view.policy_value(value)}" for key, value in context.policies.items())
    text = f"{context.edition} · {context.year} · {labels['policies']}: {policies}"
    lines = wrap(clean(text, one_line=True), WIDTH)
    if context.command_line_policies:
        chosen = labels["separator"].join(context.command_line_policies)
        lines += wrap(clean(f"{labels['policies_command_line']}: {chosen}", one_line=True), WIDTH)
    return "\n".join(lines) + "\n"


def common_folder(files: list[str]) -> str:
    try:
        return os.path.commonpath(files) or "."
    except ValueError:
        return "."


def facts_lines(view: Cohort, org_id: str | None = None) -> str:
    """The footer that keeps a score from changing silently: how many facts
    nobody gave (scored as 0), and what each supplier (the history store,
    the office's records) gave, from which file; for one organisation with
    ``org_id``."""
    result = view.result
    labels = view.labels
    summary = result.facts_summary
    missing = summary["missing_by_organisation"]
    if org_id is not None:
        missing = {org_id: missing[org_id]} if org_id in missing else {}
    count = sum(len(keys) for keys in missing.values())
    texts = [
        labels["facts_missing"].format(count=count, organisations=len(missing))
        if count
        else labels["facts_missing_none"]
    ]
    for name, supplier in summary["supplied"].items():
        given = supplier["facts"]
        if org_id is not None:
            organisation = next(entry for entry in result.organisations if entry.id == org_id)
            given = sum(source.startswith(name) for source in organisation.sources.values())
        label = labels["facts_supplied" if given else "facts_supplied_none"]
        files = supplier["file"].split(", ")
        shown = (
            files[0] if len(files) == 1 else labels["files_in"].format(count=len(files), folder=common_folder(files))
        )
        texts.append(label.format(supplier=labels.get(f"supplier_{name}", name), file=shown, count=given))
    return "".join(line + "\n" for text in texts for line in wrap(clean(text, one_line=True), WIDTH))


def render_league(result: RunResult, lang: str) -> str:
    view = cohort_view(result, lang, documents=False)
    labels = view.labels
    section_ids = view.section_ids
    header = [
        labels["rank"],
        labels["org"],
        *(view.section_short(section_id) for section_id in section_ids),
        labels["heavy"],
        labels["total"],
        labels["stars"],
        labels["awards"],
    ]
    rows = []
    names = []
    for rank, ledger in ranking(result):
        awards = ledger.awards
        names.append(clean(short_name(ledger.organisation.name), one_line=True))
        rows.append(
            [
                str(rank),
                "",
                *(fmt(ledger.sections[section_id].score) for section_id in section_ids),
                fmt(-ledger.heavy_points()) if ledger.heavy else "0",
                fmt(ledger.total),
                view.star_marks(awards.stars),
                view.honours(awards, short=True),
            ]
        )
    numbers = len(section_ids) + 2
    gaps = [2, 2, *([1] * (numbers - 1)), 2, 2]
    text = ""
    if rows:
        others = sum(
            max(display_width(row[column]) for row in [header, *rows]) for column in range(len(header)) if column != 1
        )
        room = max(8, WIDTH - others - sum(gaps))
        for row, name in zip(rows, names, strict=True):
            row[1] = truncate(name, room)
        text = format_table(header, rows, right_from=2, right_to=2 + numbers, gaps=gaps) + "\n"
    counts = run_header(result)["summary"]
    shown = [
        f"{labels[label]} {counts[key]}"
        for key, label in (
            ("conflicts", "conflicts_count"),
            ("unverified_claims", "unverified_count"),
            ("findings", "findings_count"),
        )
        if counts[key]
    ]
    if shown:
        text += "\n" + labels["separator"].join(shown) + "\n"
    for heading, fault in (("failed", False), ("plugin_error", True)):
        failed = [organisation for organisation in result.failed if organisation.plugin_fault is fault]
        if not failed:
            continue
        text += f"\n{labels[heading]} ({len(failed)}):\n"
        for organisation in failed:
            text += clean(f"  {organisation.name} ({organisation.id})", one_line=True) + "\n"
            text += f"    {labels['file']}: {clean(str(organisation.path), one_line=True)}\n"
            for problem in organisation.errors:
                text += "\n".join(block(str(problem), 4)) + "\n"
    return text + "\n" + facts_lines(view) + policies_lines(view)


TITLE_WIDTH = 44
POINTS_WIDTH = 7


def item_rows(view: Cohort, org_id: str, section_id: str) -> list[str]:
    """A section's items: the title and the basis wrapped side by side."""
    ledger = view.ledgers[org_id]
    basis_width = WIDTH - 2 - TITLE_WIDTH - 2 - POINTS_WIDTH - 2
    lines = []
    for item_id, line in ledger.sections[section_id].items.items():
        title = view.item_title(item_id) + view.labels.get(f"status_{line.status}", "")
        maximum = "—" if line.max is None else fmt(line.max)
        titles = wrap(clean(title, one_line=True), TITLE_WIDTH)
        bases = wrap(clean(line.explain(view.words), one_line=True), basis_width)
        points = [f"{fmt(line.points)}/{maximum}"]
        for index in range(max(len(titles), len(bases))):
            title_part = titles[index] if index < len(titles) else ""
            points_part = points[index] if index < len(points) else ""
            basis_part = bases[index] if index < len(bases) else ""
            lines.append(
                f"  {pad(title_part, TITLE_WIDTH)}  {pad(points_part, POINTS_WIDTH, right=True)}  {basis_part}".rstrip()
            )
    return lines


def render_scorecard(result: RunResult, org_id: str, lang: str) -> str:
    """One organisation, item by item, with the basis of each point."""
    view = cohort_view(result, lang, documents=False)
    labels = view.labels
    organisation = next(organisation for organisation in result.organisations if organisation.id == org_id)
    lines = wrap(clean(f"{organisation.name} ({organisation.id})", one_line=True), WIDTH)
    lines.append(f"{labels['file']}: {clean(str(organisation.path), one_line=True)}")
    ledger = result.ledgers.get(org_id) if organisation.valid else None
    if ledger is None:
        lines.append(f"{labels['failed']}:")
        lines += [text for problem in organisation.errors for text in block(str(problem), 2)]
        return "\n".join(lines) + "\n"
    header = (
        f"  {pad(labels['title'], TITLE_WIDTH)}  {pad(labels['points'], POINTS_WIDTH, right=True)}  {labels['basis']}"
    )
    for section_id, section in ledger.sections.items():
        heading = f"{view.section_title(section_id)}  {fmt(section.score)} / {fmt(section.max)}"
        if section.cut:
            heading += "  " + labels["claimed"].format(claimed=fmt(section.claimed), max=fmt(section.max))
        lines += ["", heading, header, "  " + "-" * (WIDTH - 2)]
        lines += item_rows(view, org_id, section_id)
    if ledger.heavy:
        lines += ["", labels["heavy_items"]]
        for deduction in ledger.heavy:
            source = view.words.aside(view.source(deduction.source))
            text = f"  −{fmt(deduction.points)}  {view.heavy_title(deduction.item.id)}{source}"
            lines += block(text)
    decisions = view.decisions(jsonable(organisation.decisions()))
    if decisions:
        lines += ["", labels["decisions"]]
        for text in decisions:
            lines += block(text, 2)
    stars = labels["separator"].join(view.section_title(star) for star in ledger.awards.stars)
    awards = view.honours(ledger.awards)
    lines += ["", f"{labels['total']}: {fmt(ledger.total)}"]
    lines += wrap(
        f"{labels['stars']}: {stars or labels['none']}   {labels['awards']}: {awards or labels['none']}", WIDTH
    )
    withheld = view.withheld(org_id, ledger.awards.withheld)
    if withheld:
        lines.append(f"{labels['withheld']}:")
        for name, reason in withheld:
            lines += block(f"{name}{labels['colon']}{reason}", 2)
    if organisation.warnings:
        lines.append(f"{labels['warnings']} ({len(organisation.warnings)}):")
        for warning in view.warnings([problem.as_dict() for problem in organisation.warnings], str(organisation.path)):
            lines += block(warning, 2)
    return "\n".join(lines) + "\n\n" + facts_lines(view, org_id) + policies_lines(view)


def render_table(result: RunResult, options: RenderOptions) -> str:
    if options.org is not None:
        return render_scorecard(result, options.org, options.lang)
    return render_league(result, options.lang)


@hookimpl
def assess_renderers() -> list[Renderer]:
    return [Renderer("table", "a cohort league table for the terminal", ".txt", render_table)]
