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
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

import click
import structlog

from core import __version__
from core.catalogue import catalogue_document, explain_item, plugin_documents, template_document
from core.config import DEFAULT_EDITION, RunConfig, load_config
from core.logs import configure_logging
from core.manager import make_plugin_manager
from core.model import InputError, Organisation, Problem
from core.numbers import fmt
from core.pipeline import RunContext, load_organisation, mark_duplicates, prepare, run_cohort
from core.report import Renderer
from core.report.terminal import format_table

log = structlog.get_logger(__name__)


def fail(problems: Sequence[Problem], code: int = 2) -> NoReturn:
    for problem in problems:
        click.echo(f"{problem.severity}: {problem}", err=True)
    sys.exit(code)


def write_output(content: str | bytes, output: Path | None) -> None:
    """stdout, or a file written whole or not at all (temp file + rename)."""
    if output is None:
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
        else:
            click.echo(content, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content.encode("utf-8") if isinstance(content, str) else content)
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
    return RunConfig(path=Path("<defaults>"), year=year, edition=edition)


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


@main.command()
@click.argument("config_path", metavar="CONFIG", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "formats",
    default="table",
    show_default=True,
    help="Output format (see `assess plugins` for renderers): table, json, ...",
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file instead of stdout.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Language of titles.")
def run(config_path: str, formats: str, output: Path | None, lang: str) -> None:
    """Score every organisation the run CONFIG names."""
    config = open_config(config_path)
    pm, context = prepare_or_fail(config)
    renderers: dict[str, Renderer] = {
        renderer.name: renderer for group in pm.hook.assess_renderers() for renderer in group
    }
    if formats not in renderers:
        raise click.BadParameter(
            f"expected one of {', '.join(sorted(renderers))}, found {formats!r}", param_hint="--format"
        )
    try:
        files = config.organisation_files()
    except InputError as error:
        fail(error.problems)
    result = run_cohort(files, pm, context)
    result.config = config
    write_output(renderers[formats].render(result, lang), output)
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


def register_plugin_commands(cli: click.Group) -> None:
    """Let installed plugins add subcommands; a broken plugin costs only its
    commands, never the command line."""
    configure_logging()
    try:
        pm = make_plugin_manager()
    except InputError as error:
        log.warning("plugin_commands_not_loaded", problems=[str(problem) for problem in error.problems])
        return
    pm.hook.assess_commands(cli=cli)


register_plugin_commands(main)


if __name__ == "__main__":
    main()
