"""`assess plugins`, `assess rules` and `assess explain`:
what the declarations give for free."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import click
from fivestar.catalogue import catalogue_document, explain_item, plugin_documents
from fivestar.cli.common import context_for, edition_option, fail, standalone_config, write_output
from fivestar.cli.options import choose_format, config_option, current_lang, output_options
from fivestar.config import DEFAULT_EDITION
from fivestar.model import InputError, Problem
from fivestar.numbers import fmt
from fivestar.pipeline import prepare
from fivestar.report.terminal import format_table
from fivestar.suggest import did_you_mean

TABLE_OR_JSON = ("table", "json")
SUFFIXES = {"table": ".txt", "json": ".json"}


def as_json(document: object) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def complete_item_ids(_context: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of ITEM_ID: the items and heavy items of the default edition."""
    try:
        _pm, context = prepare(standalone_config(2020, DEFAULT_EDITION))
    except InputError:
        return []
    registry = context.registry
    return [item_id for item_id in [*registry.items, *registry.heavy] if item_id.startswith(incomplete)]


@click.command()
@config_option
@output_options(choices=TABLE_OR_JSON)
def plugins(config_path: str | None, output_format: str | None, output: Path | None) -> None:
    """The plugins loaded: name, version, origin, what they register."""
    pm, context = context_for(config_path, None)
    documents = plugin_documents(pm, context)
    if choose_format(output_format, output, SUFFIXES, "table") == "json":
        write_output(as_json(documents), output, what="json")
        return
    rows = [
        [
            doc["name"],
            doc["version"],
            doc["source"],
            "blocked" if doc["blocked"] else "enabled",
            ", ".join(doc["sections"]) or "-",
            str(len(doc["items"])),
        ]
        for doc in documents
    ]
    table = format_table(["name", "version", "source", "status", "sections", "items"], rows, right_from=5)
    write_output(table + "\n", output, what="table")


@click.command()
@config_option
@edition_option
@output_options(choices=TABLE_OR_JSON)
def rules(config_path: str | None, edition: str | None, output_format: str | None, output: Path | None) -> None:
    """The catalogue of items: id, points, the standard's text."""
    _pm, context = context_for(config_path, edition)
    document = catalogue_document(context)
    if choose_format(output_format, output, SUFFIXES, "table") == "json":
        write_output(as_json(document), output, what="json")
        return
    english = current_lang() == "en"
    lines = []
    for section in document["sections"]:
        title = section["title_en"] if english else section["title"]
        lines.append(f"{title} — {fmt(Decimal(str(section['max'])))}")
        for item in section["items"]:
            points = "—" if item["points"] is None else fmt(Decimal(str(item["points"])))
            state = ("  (disabled)" if english else "  （本次停用）") if item["disabled"] else ""
            lines.append(f"  {item['id']:<34} {points:>4}  {item['title']}{state}")
        heavy_word = "heavy: " if english else "重扣："
        for heavy in section["heavy"]:
            lines.append(f"  {heavy['id']:<34} 5-10  {heavy_word}{heavy['title']}")
        lines.append("")
    write_output("\n".join(lines) + "\n", output, what="table")


@click.command()
@click.argument("item_id", shell_complete=complete_item_ids)
@config_option
@edition_option
@output_options(choices=TABLE_OR_JSON)
def explain(
    item_id: str, config_path: str | None, edition: str | None, output_format: str | None, output: Path | None
) -> None:
    """The standard's text, formula, facts and policies of one item."""
    _pm, context = context_for(config_path, edition)
    registry = context.registry
    text = explain_item(context, item_id)
    if text is None:
        fail(
            [
                Problem(
                    "error",
                    "<command line>",
                    "",
                    "ITEM_ID",
                    "an item or heavy item id (see `assess rules`)",
                    f'"{item_id}"' + did_you_mean(item_id, [*registry.items, *registry.heavy]),
                )
            ]
        )
    if choose_format(output_format, output, SUFFIXES, "table") == "json":
        entries = [
            entry
            for section in catalogue_document(context)["sections"]
            for entry in [*section["items"], *section["heavy"]]
            if entry["id"] == item_id
        ]
        write_output(as_json(entries[0]), output, what="json")
        return
    write_output(text + "\n", output, what="table")
