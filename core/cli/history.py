"""`assess history` and `assess compare`: the history store's years."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import click
from fivestar.cli.common import config_option, fail, open_config
from fivestar.history import award_labels, compare_years
from fivestar.model import InputError, Problem
from fivestar.numbers import fmt
from fivestar.report import jsonable
from fivestar.report.terminal import format_table
from fivestar.store import HistoryStore


def store_for(config_path: str | None, store_path: Path | None) -> HistoryStore:
    if store_path is not None:
        path = store_path
    elif config_path is not None:
        path = open_config(config_path).history_path
    else:
        raise click.UsageError("give --config CONFIG or --store PATH")
    if not path.exists():
        fail(
            [
                Problem(
                    "error", str(path), "store", "path", "an existing history store (assess run --save)", "no such file"
                )
            ]
        )
    return HistoryStore(path)


store_option = click.option(
    "--store",
    "store_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The history store file (instead of the config's).",
)
format_option = click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True
)


def change_text(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + fmt(value)


@click.command()
@click.argument("org_id", metavar="ORG_ID")
@config_option
@store_option
@format_option
def history(org_id: str, config_path: str | None, store_path: Path | None, output_format: str) -> None:
    """One organisation's saved years: total, stars, awards, change."""
    store = store_for(config_path, store_path)
    try:
        years = store.organisation(org_id)
    except InputError as error:
        fail(error.problems)
    if not years:
        fail(
            [
                Problem(
                    "error", str(store.path), "results", "org_id", "an organisation with saved results", f'"{org_id}"'
                )
            ]
        )
    rows = []
    previous: Decimal | None = None
    for stored in years:
        change = stored.total - previous if stored.total is not None and previous is not None else None
        rows.append(
            {
                "year": stored.year,
                "name": stored.name,
                "status": stored.status,
                "total": stored.total,
                "change": change,
                "sections": stored.sections,
                "heavy": stored.heavy,
                "awards": award_labels(stored.awards),
            }
        )
        previous = stored.total
    if output_format == "json":
        click.echo(json.dumps(jsonable({"id": org_id, "years": rows}), ensure_ascii=False, indent=2))
        return
    click.echo(f"{years[-1].name} ({org_id})")
    table = [
        [
            str(row["year"]),
            row["status"],
            fmt(row["total"]) if row["total"] is not None else "—",
            change_text(row["change"]),
            " ".join(row["awards"]) or "—",
        ]
        for row in rows
    ]
    click.echo(format_table(["year", "status", "total", "change", "stars and awards"], table, right_from=2))


@click.command()
@click.argument("year_a", type=click.IntRange(2000, 2100))
@click.argument("year_b", type=click.IntRange(2000, 2100))
@config_option
@store_option
@format_option
def compare(year_a: int, year_b: int, config_path: str | None, store_path: Path | None, output_format: str) -> None:
    """Per organisation and section, the change from YEAR_A to YEAR_B,
    largest movers first."""
    store = store_for(config_path, store_path)
    try:
        for year in (year_a, year_b):
            if store.run(year) is None:
                fail([Problem("error", str(store.path), "runs", "year", f"a saved year ({store.years()})", str(year))])
        sections, movements = compare_years(store, year_a, year_b)
    except InputError as error:
        fail(error.problems)
    if output_format == "json":
        document = {
            "from": year_a,
            "to": year_b,
            "organisations": [
                {
                    "id": move.org_id,
                    "name": move.name,
                    "total_from": move.total_a,
                    "total_to": move.total_b,
                    "change": move.change,
                    "sections": {
                        section: {
                            "from": move.sections[section][0],
                            "to": move.sections[section][1],
                            "change": move.section_change(section),
                        }
                        for section in sections
                    },
                    "heavy": {"from": move.heavy[0], "to": move.heavy[1], "change": move.heavy_change},
                }
                for move in movements
            ],
        }
        click.echo(json.dumps(jsonable(document), ensure_ascii=False, indent=2))
        return
    header = ["organisation", f"{year_a}", f"{year_b}", "change", *sections, "heavy (effect on total)"]
    rows = [
        [
            move.name,
            fmt(move.total_a) if move.total_a is not None else "—",
            fmt(move.total_b) if move.total_b is not None else "—",
            change_text(move.change),
            *(change_text(move.section_change(section)) for section in sections),
            change_text(-move.heavy_change if move.heavy_change is not None else None),
        ]
        for move in movements
    ]
    click.echo(format_table(header, rows, right_from=1, right_to=len(header)))
