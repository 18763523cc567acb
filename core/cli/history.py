"""`assess history` and `assess compare`: the history store's years."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import click
from fivestar.cli.common import fail, open_config, write_output
from fivestar.cli.options import CONFIG_NAME, choose_format, config_option, output_options
from fivestar.config import shown_path
from fivestar.history import award_labels, compare_years
from fivestar.model import InputError, Problem
from fivestar.numbers import fmt
from fivestar.report import jsonable
from fivestar.report.labels import labels_for, word
from fivestar.report.terminal import format_table
from fivestar.report.view import clean, decision_lines, short_name, truncate
from fivestar.store import HistoryStore
from fivestar.suggest import did_you_mean


def store_for(config_path: str | None, store_path: Path | None) -> HistoryStore:
    if store_path is not None:
        path = store_path
    elif config_path is not None:
        path = open_config(config_path).history_path
    else:
        raise click.UsageError(f"give --config CONFIG or --store PATH (there is no ./{CONFIG_NAME})")
    if not path.exists():
        fail(
            [
                Problem(
                    "error",
                    str(shown_path(path)),
                    "",
                    "",
                    "an existing history store (made by assess run --save)",
                    "no such file",
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
SUFFIXES = {"table": ".txt", "json": ".json"}


def award_words(awards: list[str], labels: dict[str, str]) -> str:
    """Stored award keys (star sections, award flags) in words."""
    return labels["separator"].join(labels.get(key) or word(labels, "short", key) for key in awards)


def change_text(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + fmt(value)


@click.command()
@click.argument("org_id", metavar="ORG_ID")
@config_option
@store_option
@output_options(choices=("table", "json"))
def history(
    org_id: str, config_path: str | None, store_path: Path | None, output_format: str | None, output: Path | None
) -> None:
    """One organisation's saved years: total, stars, awards, change."""
    store = store_for(config_path, store_path)
    try:
        years = store.organisation(org_id)
    except InputError as error:
        fail(error.problems)
    output_format = choose_format(output_format, output, SUFFIXES, "table")
    if not years:
        try:
            known = store.organisation_ids()
        except InputError as error:
            fail(error.problems)
        shown = ", ".join(known[:20]) + (f", … ({len(known)} in all)" if len(known) > 20 else "")
        fail(
            [
                Problem(
                    "error",
                    "<command line>",
                    "",
                    "ORG_ID",
                    f"an organisation with saved results in {shown_path(store.path)}: {shown or 'none is saved'}",
                    f'"{org_id}"' + did_you_mean(org_id, known),
                )
            ]
        )
    try:
        decisions = store.decisions(org_id)
    except InputError as error:
        fail(error.problems)
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
                **decisions.get(stored.year, {}),
            }
        )
        previous = stored.total
    if output_format == "json":
        document = json.dumps(jsonable({"id": org_id, "years": rows}), ensure_ascii=False, indent=2)
        write_output(document + "\n", output, what="json")
        return
    labels = labels_for("zh")
    table = [
        [
            str(row["year"]),
            labels.get(str(row["status"]), clean(str(row["status"]), one_line=True)),
            fmt(row["total"]) if row["total"] is not None else "—",
            change_text(row["change"]),
            award_words(row["awards"], labels) or "—",
        ]
        for row in rows
    ]
    header = [labels["year"], labels["status"], labels["total"], labels["change"], labels["awards_heading"]]
    text = format_table(header, table, right_from=2)
    for row in rows:
        lines = decision_lines(row, labels)
        if lines:
            text += f"\n\n{row['year']} {labels['decisions']}\n" + "\n".join(f"  {line}" for line in lines)
    write_output(f"{clean(years[-1].name, one_line=True)} ({org_id})\n{text}\n", output, what="table")


@click.command()
@click.argument("year_a", type=click.IntRange(2000, 2100))
@click.argument("year_b", type=click.IntRange(2000, 2100))
@config_option
@store_option
@output_options(choices=("table", "json"))
def compare(
    year_a: int,
    year_b: int,
    config_path: str | None,
    store_path: Path | None,
    output_format: str | None,
    output: Path | None,
) -> None:
    """Per organisation and section, the change from YEAR_A to YEAR_B,
    largest movers first."""
    store = store_for(config_path, store_path)
    try:
        for year in (year_a, year_b):
            if store.run(year) is None:
                saved = ", ".join(str(saved) for saved in store.years()) or "none is saved"
                fail(
                    [
                        Problem(
                            "error",
                            "<command line>",
                            "",
                            "YEAR",
                            f"a year saved in {shown_path(store.path)}: {saved}",
                            str(year),
                        )
                    ]
                )
        sections, movements = compare_years(store, year_a, year_b)
    except InputError as error:
        fail(error.problems)
    output_format = choose_format(output_format, output, SUFFIXES, "table")
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
        write_output(json.dumps(jsonable(document), ensure_ascii=False, indent=2) + "\n", output, what="json")
        return
    labels = labels_for("zh")
    shorts = [word(labels, "short", section) for section in sections]
    header = [labels["org"], f"{year_a}", f"{year_b}", labels["change"], *shorts, labels["heavy_effect"]]
    rows = [
        [
            truncate(clean(short_name(move.name), one_line=True), 20),
            fmt(move.total_a) if move.total_a is not None else "—",
            fmt(move.total_b) if move.total_b is not None else "—",
            change_text(move.change),
            *(change_text(move.section_change(section)) for section in sections),
            change_text(-move.heavy_change if move.heavy_change is not None else None),
        ]
        for move in movements
    ]
    write_output(format_table(header, rows, right_from=1, right_to=len(header)) + "\n", output, what="table")
