"""The terminal views: the cohort league table, and one organisation's
scorecard (`assess run --org ID`)."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from fivestar.markers import hookimpl
from fivestar.model import Ledger, Section
from fivestar.numbers import fmt
from fivestar.pipeline import RunResult
from fivestar.report import Renderer, RenderOptions, ranking
from fivestar.report.labels import LABELS, language


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def format_table(header: list[str], rows: list[list[str]], right_from: int, right_to: int | None = None) -> str:
    """Columns right_from..right_to (default: all but the last) are numbers,
    aligned right; widths count CJK characters as two."""
    last = len(header) - 1 if right_to is None else right_to
    widths = [max(display_width(row[column]) for row in [header, *rows]) for column in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [pad(cell, widths[index], right=right_from <= index < last) for index, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


AWARD_KEYS = ("party_building_excellence", "performance_excellence", "five_star")


def section_title(section: Section, lang: str) -> str:
    return section.title if lang == "zh" else section.title_en


def honours(ledger: Ledger, lang: str) -> tuple[str, str]:
    """The stars (by the first character or word of their titles) and awards."""
    labels = LABELS[lang]
    sections = ledger.sections
    stars = [
        section_title(sections[star].section, lang)[:1]
        if lang == "zh"
        else section_title(sections[star].section, lang).split()[0]
        for star in ledger.awards.stars
    ]
    awards = [labels[key] for key in AWARD_KEYS if getattr(ledger.awards, key)]
    return " ".join(stars), " ".join(awards)


def policies_line(result: RunResult, lang: str) -> str:
    policies = ", ".join(
        f"{key}={fmt(value) if isinstance(value, Decimal) else value}" for key, value in result.context.policies.items()
    )
    line = f"{result.context.edition} · {result.context.year} · {LABELS[lang]['policies']}: {policies}\n"
    if result.context.command_line_policies:
        line += f"{LABELS[lang]['policies_command_line']}: {', '.join(result.context.command_line_policies)}\n"
    return line


def render_league(result: RunResult, lang: str) -> str:
    labels = LABELS[lang]
    sections = list(result.context.registry.sections.values())
    header = [
        labels["rank"],
        labels["org"],
        *(section_title(section, lang) for section in sections),
        labels["heavy"],
        labels["total"],
        labels["stars"],
        labels["awards"],
    ]
    rows = []
    for rank, ledger in ranking(result):
        rows.append(
            [
                str(rank),
                ledger.organisation.name,
                *(fmt(ledger.sections[section.id].score) for section in sections),
                fmt(-ledger.heavy_points()) if ledger.heavy else "0",
                fmt(ledger.total),
                *honours(ledger, lang),
            ]
        )
    text = format_table(header, rows, right_from=2) + "\n" if rows else ""
    for heading, fault in (("failed", False), ("plugin_error", True)):
        failed = [organisation for organisation in result.failed if organisation.plugin_fault is fault]
        if failed:
            text += f"\n{labels[heading]} ({len(failed)}):\n"
            for organisation in failed:
                text += f"  {organisation.name} ({organisation.path})\n"
                for problem in organisation.errors:
                    text += f"    {problem}\n"
    return text + "\n" + policies_line(result, lang)


def render_scorecard(result: RunResult, org_id: str, lang: str) -> str:
    """One organisation, item by item, with the basis of each point."""
    labels = LABELS[lang]
    organisation = next(organisation for organisation in result.organisations if organisation.id == org_id)
    lines = [f"{organisation.name} ({organisation.id}) · {organisation.path}"]
    ledger = result.ledgers.get(org_id)
    if ledger is None:
        lines.append(f"{labels['failed']}:")
        lines += [f"  {problem}" for problem in organisation.errors]
        return "\n".join(lines) + "\n"
    for section in ledger.sections.values():
        heading = f"{section_title(section.section, lang)}  {fmt(section.score)} / {fmt(section.max)}"
        if section.cut:
            heading += f"  (claimed {fmt(section.claimed)}, cap {fmt(section.max)})"
        lines += ["", heading]
        rows = []
        for item_id, line in section.items.items():
            maximum = "—" if line.max is None else fmt(line.max)
            rows.append([item_id, f"{fmt(line.points)}/{maximum}", line.basis])
        lines.append(format_table([labels["item"], labels["points"], labels["basis"]], rows, right_from=1))
    if ledger.heavy:
        lines += ["", labels["heavy"]]
        lines += [
            f"  −{fmt(deduction.points)}  {deduction.item.id} "
            f"{deduction.item.title if lang == 'zh' else deduction.item.title_en} ({deduction.source})"
            for deduction in ledger.heavy
        ]
    stars, awards = honours(ledger, lang)
    summary = f"{labels['total']}: {fmt(ledger.total)}   {labels['stars']}: {stars or '—'}"
    lines += ["", f"{summary}   {labels['awards']}: {awards or '—'}"]
    if ledger.awards.withheld:
        lines.append(f"{labels['withheld']}:")
        lines += [f"  {key}: {reason}" for key, reason in ledger.awards.withheld.items()]
    if organisation.warnings:
        lines.append(f"{labels['warnings']} ({len(organisation.warnings)}):")
        lines += [f"  {problem}" for problem in organisation.warnings]
    return "\n".join(lines) + "\n\n" + policies_line(result, lang)


def render_table(result: RunResult, options: RenderOptions) -> str:
    lang = language(options.lang)
    if options.org is not None:
        return render_scorecard(result, options.org, lang)
    return render_league(result, lang)


@hookimpl
def assess_renderers() -> list[Renderer]:
    return [Renderer("table", "a cohort league table for the terminal", ".txt", render_table)]
