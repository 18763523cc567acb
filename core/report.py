"""Views of the ledger. Nothing is computed here: a renderer only shows what
the steps wrote. The JSON document is the public contract; the terminal
table is for people. Renderers are plugins of the report step, so that other
formats can be added by any plugin."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from core import __version__, hookimpl
from core.model import Ledger, Organisation
from core.numbers import fmt, json_number
from core.pipeline import RunResult


@dataclass(frozen=True)
class Renderer:
    """An output format: ``render(result, lang)`` returns text or bytes."""

    name: str
    description: str
    suffix: str
    render: Callable[[RunResult, str], str | bytes]


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return json_number(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: jsonable(entry) for key, entry in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(entry) for entry in value]
    return value


def ranking(result: RunResult) -> list[tuple[int, Ledger]]:
    """Scored organisations by total, highest first; equal totals share a rank."""
    ordered = sorted(result.ledgers.values(), key=lambda ledger: (-ledger.total, ledger.organisation.id))
    ranked: list[tuple[int, Ledger]] = []
    for position, ledger in enumerate(ordered, 1):
        if ranked and ranked[-1][1].total == ledger.total:
            ranked.append((ranked[-1][0], ledger))
        else:
            ranked.append((position, ledger))
    return ranked


def organisation_document(
    organisation: Organisation, ledger: Ledger | None, plugin_versions: dict[str, str]
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": organisation.id,
        "name": organisation.name,
        "file": str(organisation.path),
        "status": "scored" if ledger else "failed",
        "errors": [problem.as_dict() for problem in organisation.errors],
        "warnings": [problem.as_dict() for problem in organisation.warnings],
        "total": None,
        "sections": {},
        "heavy": [],
        "awards": None,
        "provenance": {
            "engine": f"fivestar-assess {__version__}",
            "plugins": plugin_versions,
            "evidence_sha256": organisation.sha256,
        },
    }
    if ledger is None:
        return document
    document["total"] = ledger.total
    for section_id, section in ledger.sections.items():
        items = {}
        for item_id, line in section.items.items():
            items[item_id] = {
                "title": line.item.title,
                "points": line.points,
                "max": line.max,
                "status": line.status,
                "basis": line.basis,
                "facts": ledger.item_facts(line.item),
                "sources": {
                    spec.name: organisation.sources.get(f"{line.item.section}.{spec.name}", "default")
                    for spec in line.item.facts
                },
            }
        document["sections"][section_id] = {
            "title": section.section.title,
            "score": section.score,
            "max": section.max,
            "claimed": section.claimed,
            "items": items,
        }
    document["heavy"] = [
        {"id": deduction.item.id, "title": deduction.item.title, "points": deduction.points, "source": deduction.source}
        for deduction in ledger.heavy
    ]
    awards = ledger.awards
    document["awards"] = {
        "stars": awards.stars,
        "party_building_excellence": awards.party_building_excellence,
        "performance_excellence": awards.performance_excellence,
        "five_star": awards.five_star,
        "withheld": awards.withheld,
    }
    return document


def result_document(result: RunResult) -> dict[str, Any]:
    """The JSON result contract (see docs/json-result.md)."""
    context = result.context
    plugin_versions = {info.name: info.version for info in result.plugin_manager.infos.values() if not info.blocked}
    ranks = {ledger.organisation.id: rank for rank, ledger in ranking(result)}
    organisations = []
    for organisation in result.organisations:
        document = organisation_document(organisation, result.ledgers.get(organisation.id), plugin_versions)
        document["rank"] = ranks.get(organisation.id)
        organisations.append(document)
    return jsonable(
        {
            "year": context.year,
            "edition": context.edition,
            "award_year": context.award_year,
            "policies": context.policies,
            "disabled_items": sorted(context.registry.disabled),
            "organisations": organisations,
        }
    )


def render_json(result: RunResult, lang: str) -> str:
    return json.dumps(result_document(result), ensure_ascii=False, indent=2) + "\n"


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
    return [
        Renderer("table", "a cohort table for the terminal", ".txt", render_table),
        Renderer("json", "the JSON result contract", ".json", render_json),
    ]
