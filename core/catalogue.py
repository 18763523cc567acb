"""What the declarations give for free: the catalogue of items (`assess
rules`), an item's explanation (`assess explain`), the list of plugins and
what they register (`assess plugins`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fivestar.manager import PluginManager
from fivestar.numbers import fmt
from fivestar.pipeline import RunContext
from fivestar.report import jsonable


def catalogue_document(context: RunContext) -> dict[str, Any]:
    registry = context.registry
    sections = []
    for section_id, section in registry.sections.items():
        sections.append(
            {
                "id": section_id,
                "title": section.title,
                "title_en": section.title_en,
                "group": section.group,
                "max": registry.section_max(section_id),
                "cap": section.cap,
                "subtotals": [{"title": title, "points": points} for title, points in section.subtotals],
                "items": [
                    {
                        "id": item.id,
                        "title": item.title,
                        "title_en": item.title_en,
                        "points": item.points,
                        "subtotal": item.subtotal,
                        "facts": [spec.name for spec in item.facts],
                        "formula": item.rule.describe(item),
                        "policies": list(item.policies),
                        "disabled": item.id in registry.disabled,
                        "plugin": registry.owners[item.id],
                    }
                    | ({"applies_to": item.scope.describe()} if item.scope else {})
                    for item in registry.section_items(section_id)
                ],
                "heavy": [
                    {"id": heavy.id, "title": heavy.title, "title_en": heavy.title_en, "derived": heavy.derived}
                    for heavy in registry.heavy.values()
                    if heavy.section == section_id
                ],
            }
        )
    return jsonable({"edition": context.edition, "year": context.year, "sections": sections})


def explain_item(context: RunContext, item_id: str) -> str | None:
    registry = context.registry
    policies = context.policies
    if item_id in registry.heavy:
        heavy = registry.heavy[item_id]
        how = "derived from the cohort by its plugin" if heavy.derived else "reported by the assessor in [review.heavy]"
        return "\n".join(
            [
                f"{heavy.id}  重扣分项 · {registry.sections[heavy.section].title}",
                f"  标准：{heavy.title}",
                f"  English: {heavy.title_en}",
                f"  deduction: 5..10 points off the total (true = heavy_default = {fmt(policies['heavy_default'])})",
                f"  found: {how}",
                "  withholds the section's star or excellence",
            ]
        )
    item = registry.items.get(item_id)
    if item is None:
        return None
    section = registry.sections[item.section]
    points = "no fixed points (bounded by the section cap)" if item.points is None else f"{fmt(item.points)} 分"
    lines = [
        f"{item.id}  {section.title} {section.title_en}" + (f" · {item.subtotal}" if item.subtotal else ""),
        f"  标准：{item.title}",
    ]
    if item.standard:
        lines.append(f"  原文：{item.standard}")
    lines += [
        f"  English: {item.title_en}",
        f"  points: {points}",
        *([f"  applies to: {item.scope.describe()}（其他单位不适用）"] if item.scope else []),
        f"  formula: {item.rule.describe(item)}",
        "  facts:",
    ]
    for spec in item.facts:
        doc = f" — {spec.doc}" if spec.doc else ""
        lines.append(f"    [{item.section}] {spec.name}: {spec.type.expected}{doc}")
    if item.policies:
        lines.append("  policies:")
        for key in item.policies:
            policy = registry.policies[key]
            value = policies[key]
            lines.append(
                f"    {key} = {fmt(value) if isinstance(value, Decimal) else value} ({policy.expected}) {policy.doc}"
            )
    lines.append(
        f"  plugin: {registry.owners[item.id]}" + ("  (disabled in this run)" if item.id in registry.disabled else "")
    )
    return "\n".join(lines)


def plugin_documents(pm: PluginManager, context: RunContext) -> list[dict[str, Any]]:
    registry = context.registry
    documents = []
    for name, info in pm.infos.items():
        documents.append(
            {
                "name": name,
                "version": info.version,
                "source": info.source,
                "location": info.location,
                "blocked": info.blocked,
                "sections": [key for key in registry.sections if registry.owners.get(key) == name],
                "items": [key for key in registry.items if registry.owners.get(key) == name],
                "heavy_items": [key for key in registry.heavy if registry.owners.get(key) == name],
                "policies": [
                    key.removeprefix("policy:")
                    for key, owner in registry.owners.items()
                    if owner == name and key.startswith("policy:")
                ],
            }
        )
    return documents
