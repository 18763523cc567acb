"""`assess plugins`, `assess rules`, `assess explain` and `assess template`:
what the declarations give for free."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import click
from fivestar.catalogue import catalogue_document, explain_item, plugin_documents, template_document
from fivestar.cli.common import (
    config_option,
    context_for,
    edition_option,
    fail,
    open_config,
    standalone_config,
    write_output,
)
from fivestar.config import DEFAULT_EDITION
from fivestar.model import InputError, Problem
from fivestar.numbers import fmt
from fivestar.pipeline import prepare
from fivestar.report.terminal import format_table


@click.command()
@config_option
@click.option("--json", "as_json", is_flag=True)
def plugins(config_path: str | None, as_json: bool) -> None:
    """The plugins loaded: name, version, origin, what they register."""
    try:
        config = open_config(config_path) if config_path else standalone_config(2020, DEFAULT_EDITION)
        pm, context = prepare(config)
    except InputError as error:
        fail(error.problems)
    documents = plugin_documents(pm, context)
    if as_json:
        click.echo(json.dumps(documents, ensure_ascii=False, indent=2))
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
    click.echo(format_table(["name", "version", "source", "status", "sections", "items"], rows, right_from=5))


@click.command()
@config_option
@edition_option
@click.option("--json", "as_json", is_flag=True)
def rules(config_path: str | None, edition: str, as_json: bool) -> None:
    """The catalogue of items: id, points, the standard's text."""
    _pm, context = context_for(config_path, edition)
    document = catalogue_document(context)
    if as_json:
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    for section in document["sections"]:
        click.echo(f"{section['title']} {section['title_en']} — {fmt(Decimal(str(section['max'])))}")
        for item in section["items"]:
            points = "—" if item["points"] is None else fmt(Decimal(str(item["points"])))
            state = "  (disabled)" if item["disabled"] else ""
            click.echo(f"  {item['id']:<34} {points:>4}  {item['title']}{state}")
        for heavy in section["heavy"]:
            click.echo(f"  {heavy['id']:<34} 5-10  重扣：{heavy['title']}")
        click.echo("")


@click.command()
@click.argument("item_id")
@config_option
@edition_option
def explain(item_id: str, config_path: str | None, edition: str) -> None:
    """The standard's text, formula, facts and policies of one item."""
    _pm, context = context_for(config_path, edition)
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
                    f'"{item_id}"',
                )
            ]
        )
    click.echo(text)


@click.command()
@config_option
@edition_option
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the template here.")
@click.option("--force", is_flag=True, help="Overwrite an existing file at --output.")
def template(config_path: str | None, edition: str, output: Path | None, force: bool) -> None:
    """An evidence template with every fact, for a department to fill in."""
    if output is not None and output.is_file() and not force:
        fail(
            [
                Problem(
                    "error", str(output), "", "--output", "a new file (or --force to overwrite it)", "an existing file"
                )
            ]
        )
    pm, context = context_for(config_path, edition)
    write_output(template_document(context, pm), output)
