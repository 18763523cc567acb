"""The `assess` command line: thin commands that parse, call the pipeline
and render. Results go to stdout or files, logs and problems to stderr.

Exit codes: 0 everything scored / valid, 1 some organisation failed
validation (the others are still scored), 2 a bad config or usage.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

import click
import structlog

from core import __version__
from core.catalogue import catalogue_document, explain_item, plugin_documents, template_document
from core.config import DEFAULT_EDITION, RunConfig, load_config
from core.history import award_labels, compare_years, save_run
from core.logs import configure_logging
from core.manager import make_plugin_manager
from core.model import InputError, Organisation, Problem
from core.numbers import fmt
from core.pipeline import RunContext, load_organisation, mark_duplicates, prepare, run_cohort
from core.report import Renderer, RenderOptions, jsonable
from core.report.terminal import format_table
from core.store import HistoryStore

log = structlog.get_logger(__name__)

PROGRESS_FROM = 300


def fail(problems: Sequence[Problem], code: int = 2) -> NoReturn:
    for problem in problems:
        click.echo(f"{problem.severity}: {problem}", err=True)
    sys.exit(code)


def write_output(content: str | bytes | Iterable[str], output: Path | None) -> None:
    """stdout, or a file written whole or not at all (temp file + rename)."""
    pieces: Iterable[str | bytes] = [content] if isinstance(content, (str, bytes)) else content
    if output is None:
        for piece in pieces:
            if isinstance(piece, bytes):
                sys.stdout.buffer.write(piece)
            else:
                click.echo(piece, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            for piece in pieces:
                stream.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    log.info("output_written", file=str(output))


def open_config(path: str) -> RunConfig:
    try:
        return load_config(path)
    except InputError as error:
        fail(error.problems)


def prepare_or_fail(config: RunConfig) -> tuple[Any, RunContext]:
    try:
        return prepare(config)
    except InputError as error:
        fail(error.problems)


def standalone_config(year: int, edition: str) -> RunConfig:
    """The defaults, for commands given no run config (no history store)."""
    return RunConfig(path=Path("<defaults>"), year=year, edition=edition, history=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="assess")
@click.option("-v", "--verbose", count=True, help="More log lines on stderr (-v info, -vv debug).")
@click.option(
    "--log-format",
    type=click.Choice(["console", "json"]),
    default="console",
    show_default=True,
    help="Logs on stderr: readable, or one JSON object per line.",
)
def main(verbose: int, log_format: str) -> None:
    """Score the "五星示范、双优引领" assessment of party organisations."""
    configure_logging(log_format, verbose)


def split_formats(formats: tuple[str, ...]) -> list[str]:
    return [name.strip() for entry in formats for name in entry.split(",") if name.strip()]


def progress_reporter(total: int) -> Callable[[str, int, int], None] | None:
    """A progress line on stderr for cohorts of more than a few hundred,
    only when stderr is a terminal (quiet in pipes, files and CI)."""
    if total <= PROGRESS_FROM or not sys.stderr.isatty():
        return None
    step = max(1, total // 100)

    def report(stage: str, done: int, count: int) -> None:
        if done % step == 0 or done == count:
            click.echo(f"\r{stage} {done}/{count}", err=True, nl=done == count)

    return report


@main.command()
@click.argument("config_path", metavar="CONFIG", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "formats",
    multiple=True,
    default=("table",),
    show_default=True,
    help="Output format(s): table, json, csv, xlsx, html, ... (repeat or comma-separate).",
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the one format to this file.")
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write every format into this folder (results-YEAR.<suffix>).",
)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Language of titles.")
@click.option("--org", "org_id", help="One organisation's scorecard, item by item, with the basis of each point.")
@click.option(
    "--save/--no-save", default=None, help="Record the run in the history store ([store] save sets the default)."
)
@click.option("--replace", is_flag=True, help="With --save: overwrite the year if it is already stored.")
def run(
    config_path: str,
    formats: tuple[str, ...],
    output: Path | None,
    output_dir: Path | None,
    lang: str,
    org_id: str | None,
    save: bool | None,
    replace: bool,
) -> None:
    """Score every organisation the run CONFIG names."""
    config = open_config(config_path)
    pm, context = prepare_or_fail(config)
    renderers: dict[str, Renderer] = {
        renderer.name: renderer for group in pm.hook.assess_renderers() for renderer in group
    }
    names = split_formats(formats)
    unknown = [name for name in names if name not in renderers]
    if unknown or not names:
        raise click.BadParameter(
            f"expected one of {', '.join(sorted(renderers))}, found {unknown or names}", param_hint="--format"
        )
    if replace and save is False:
        raise click.UsageError("--replace goes with --save")
    if replace and save is None and not config.save:
        raise click.UsageError("--replace goes with --save (or [store] save = true)")
    if output and (output_dir or len(names) > 1):
        raise click.UsageError("--output takes one format; use --output-dir for several")
    if len(names) > 1 and not output_dir:
        raise click.UsageError("several formats need --output-dir")
    try:
        files = config.organisation_files()
    except InputError as error:
        fail(error.problems)
    result = run_cohort(files, pm, context, progress=progress_reporter(len(files)))
    result.config = config
    options = RenderOptions(lang=lang, org=org_id)
    if org_id is not None and org_id not in {organisation.id for organisation in result.organisations}:
        fail([Problem("error", "<command line>", "", "--org", "the id of an organisation of the run", f'"{org_id}"')])
    if save if save is not None else config.save:
        try:
            saved = save_run(result, HistoryStore(config.history_path), replace=replace)
        except InputError as error:
            fail(error.problems)
        log.info("run_saved", store=str(config.history_path), year=config.year, organisations=saved)
    for name in names:
        target = output_dir / f"results-{config.year}{renderers[name].suffix}" if output_dir else output
        write_output(renderers[name].render(result, options), target)
    for organisation in result.failed:
        click.echo(f"failed: {organisation.id} ({organisation.path}): {len(organisation.errors)} error(s)", err=True)
    sys.exit(1 if result.failed else 0)


def is_run_config(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return "assessment" in tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False


@main.command()
@click.argument(
    "paths",
    metavar="CONFIG | EVIDENCE.toml...",
    nargs=-1,
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
)
@click.option("--year", type=int, default=2020, show_default=True, help="Year for evidence checked without a config.")
@click.option(
    "--edition", default=DEFAULT_EDITION, show_default=True, help="Edition for evidence checked without a config."
)
@click.option("--json", "as_json", is_flag=True, help="Problems as JSON.")
def validate(paths: tuple[Path, ...], year: int, edition: str, as_json: bool) -> None:
    """Check a run config and its evidence, or evidence files, and list every
    problem at once: errors (the organisation cannot be scored) and warnings."""
    configs = [path for path in paths if is_run_config(path)]
    evidence = [path for path in paths if path not in configs]
    organisations: list[Organisation] = []
    if configs:
        for config_path in configs:
            config = open_config(str(config_path))
            pm, context = prepare_or_fail(config)
            try:
                files = config.organisation_files()
            except InputError as error:
                fail(error.problems)
            organisations += [load_organisation(path, pm, context) for path in files]
    if evidence:
        pm, context = prepare_or_fail(standalone_config(year, edition))
        organisations += [load_organisation(path, pm, context) for path in evidence]
    mark_duplicates(organisations)
    problems = [problem for organisation in organisations for problem in organisation.problems]
    if as_json:
        document = {
            "organisations": [
                {
                    "id": organisation.id,
                    "file": str(organisation.path),
                    "valid": organisation.valid,
                    "problems": [problem.as_dict() for problem in organisation.problems],
                }
                for organisation in organisations
            ]
        }
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        for problem in problems:
            click.echo(f"{problem.severity}: {problem}")
        errors = sum(problem.severity == "error" for problem in problems)
        click.echo(f"{len(organisations)} file(s), {errors} error(s), {len(problems) - errors} warning(s)")
    sys.exit(1 if any(not organisation.valid for organisation in organisations) else 0)


def context_for(config_path: str | None, edition: str) -> tuple[Any, RunContext]:
    config = open_config(config_path) if config_path else standalone_config(2020, edition)
    return prepare_or_fail(config)


config_option = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), help="A run config (its plugins and disabled items)."
)
edition_option = click.option(
    "--edition", default=DEFAULT_EDITION, show_default=True, help="The edition, without a config."
)


@main.command()
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


@main.command()
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


@main.command()
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


@main.command()
@config_option
@edition_option
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the template here.")
def template(config_path: str | None, edition: str, output: Path | None) -> None:
    """An evidence template with every fact, for a department to fill in."""
    _pm, context = context_for(config_path, edition)
    write_output(template_document(context), output)


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


@main.command()
@click.argument("org_id", metavar="ORG_ID")
@config_option
@store_option
@format_option
def history(org_id: str, config_path: str | None, store_path: Path | None, output_format: str) -> None:
    """One organisation's saved years: total, stars, awards, change."""
    store = store_for(config_path, store_path)
    years = store.organisation(org_id)
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


@main.command()
@click.argument("year_a", type=int)
@click.argument("year_b", type=int)
@config_option
@store_option
@format_option
def compare(year_a: int, year_b: int, config_path: str | None, store_path: Path | None, output_format: str) -> None:
    """Per organisation and section, the change from YEAR_A to YEAR_B,
    largest movers first."""
    store = store_for(config_path, store_path)
    for year in (year_a, year_b):
        if store.run(year) is None:
            fail([Problem("error", str(store.path), "runs", "year", f"a saved year ({store.years()})", str(year))])
    sections, movements = compare_years(store, year_a, year_b)
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


def register_plugin_commands(cli: click.Group) -> None:
    """Let installed plugins add subcommands; a broken plugin costs only its
    commands, never the command line."""
    configure_logging()
    try:
        pm = make_plugin_manager()
    except InputError as error:
        log.warning("plugin_commands_not_loaded", problems=[str(problem) for problem in error.problems])
        return
    for impl in pm.hook.assess_commands.get_hookimpls():
        try:
            impl.function(cli=cli)
        except Exception as error:
            log.warning("plugin_commands_not_loaded", plugin=impl.plugin_name, error=f"{type(error).__name__}: {error}")


register_plugin_commands(main)


if __name__ == "__main__":
    main()
