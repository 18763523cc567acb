"""The terminal views: the cohort league table."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from core import hookimpl
from core.numbers import fmt
from core.pipeline import RunResult
from core.report import Renderer, ranking


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def format_table(header: list[str], rows: list[list[str]], right_from: int) -> str:
    widths = [max(display_width(row[column]) for row in [header, *rows]) for column in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [
            pad(cell, widths[index], right=index >= right_from and index < len(row) - 1)
            for index, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


LABELS = {
    "zh": {
        "rank": "名次",
        "org": "党组织",
        "heavy": "重扣",
        "total": "总分",
        "stars": "星级与荣誉",
        "failed": "未通过校验",
        "pbe": "党建优",
        "pe": "业绩优",
        "five": "五星双优",
        "errors": "错误",
    },
    "en": {
        "rank": "rank",
        "org": "organisation",
        "heavy": "heavy",
        "total": "total",
        "stars": "stars and awards",
        "failed": "failed validation",
        "pbe": "party-building",
        "pe": "performance",
        "five": "five-star",
        "errors": "errors",
    },
}


def render_table(result: RunResult, lang: str) -> str:
    labels = LABELS.get(lang, LABELS["zh"])
    sections = list(result.context.registry.sections.values())
    section_titles = [section.title if lang == "zh" else section.title_en for section in sections]
    header = [labels["rank"], labels["org"], *section_titles, labels["heavy"], labels["total"], labels["stars"]]
    rows = []
    for rank, ledger in ranking(result):
        awards = ledger.awards
        titles = {section.id: (section.title if lang == "zh" else section.title_en) for section in sections}
        honours = [titles[star][:1] if lang == "zh" else titles[star].split()[0] for star in awards.stars]
        for flag, label in (
            (awards.party_building_excellence, "pbe"),
            (awards.performance_excellence, "pe"),
            (awards.five_star, "five"),
        ):
            if flag:
                honours.append(labels[label])
        rows.append(
            [
                str(rank),
                ledger.organisation.name,
                *(
                    fmt(ledger.sections[section.id].score) if section.id in ledger.sections else "-"
                    for section in sections
                ),
                fmt(-ledger.heavy_points()) if ledger.heavy else "0",
                fmt(ledger.total),
                " ".join(honours),
            ]
        )
    text = format_table(header, rows, right_from=2) if rows else ""
    failed = result.failed
    if failed:
        text += f"\n\n{labels['failed']} ({len(failed)}):\n"
        for organisation in failed:
            text += f"  {organisation.name} ({organisation.path})\n"
            for problem in organisation.errors:
                text += f"    {problem}\n"
    policies = ", ".join(
        f"{key}={fmt(value) if isinstance(value, Decimal) else value}" for key, value in result.context.policies.items()
    )
    text += f"\n{result.context.edition} · {result.context.year} · {policies}\n"
    return text


@hookimpl
def assess_renderers() -> list[Renderer]:
    return [Renderer("table", "a cohort league table for the terminal", ".txt", render_table)]
