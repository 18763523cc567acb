"""`assess run` and `assess validate`."""

from __future__ import annotations

import json
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import click
import structlog
from fivestar.cli.common import fail, open_config, policy_option, prepare_or_fail, standalone_config, write_output
from fivestar.config import DEFAULT_EDITION
from fivestar.history import save_run
from fivestar.model import InputError, Organisation, Problem
from fivestar.pipeline import load_organisation, mark_duplicates, run_cohort
from fivestar.report import Renderer, RenderOptions
from fivestar.store import HistoryStore
from fivestar.tomlfile import parse_toml
from fivestar.whatif import one_value_each, policy_options

log = structlog.get_logger(__name__)

PROGRESS_FROM = 300


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


@click.command()
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
@policy_option(help="A policy for this run only, KEY=VALUE, over the config's [policy] (repeat for several keys).")
@click.option("--org", "org_id", help="One organisation's scorecard, item by item, with the basis of each point.")
@click.option(
    "--save/--no-save", default=None, help="Record the run in the history store ([store] save sets the default)."
)
@click.option("--replace", is_flag=True, help="With --save: overwrite the year if it is already stored.")
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processes that read and check evidence (a large cohort: the number of cores).",
)
def run(
    config_path: str,
    formats: tuple[str, ...],
    output: Path | None,
    output_dir: Path | None,
    lang: str,
    policies: tuple[str, ...],
    org_id: str | None,
    save: bool | None,
    replace: bool,
    jobs: int,
) -> None:
    """Score every organisation the run CONFIG names."""
    config = open_config(config_path)
    try:
        config.command_line_policy = one_value_each(policy_options(policies))
    except InputError as error:
        fail(error.problems)
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
    result = run_cohort(files, pm, context, progress=progress_reporter(len(files)), jobs=jobs)
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
        try:
            write_output(renderers[name].render(result, options), target)
        except Exception as error:
            fail([report_failure(name, target, error)])
    for organisation in result.failed:
        click.echo(f"failed: {organisation.id} ({organisation.path}): {len(organisation.errors)} error(s)", err=True)
    sys.exit(1 if result.failed else 0)


def report_failure(name: str, target: Path | None, error: Exception) -> Problem:
    """A renderer, or a rule explaining its points, raised while a report was
    written: an error naming the report (the traceback at -vv)."""
    shown = f"{type(error).__name__}: {error}"
    log.error("report_failed", format=name, error=shown)
    log.debug("report_failed_traceback", format=name, exc_info=error)
    return Problem(
        "error",
        "<stdout>" if target is None else str(target),
        "",
        "--format",
        f"the {name} report to be written",
        shown,
        f"a plugin failed while writing the {name} report",
    )


def is_run_config(path: Path) -> bool:
    try:
        return "assessment" in parse_toml(path.read_bytes())
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False


@click.command()
@click.argument(
    "paths",
    metavar="CONFIG | EVIDENCE.toml...",
    nargs=-1,
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
)
@click.option(
    "--year",
    type=click.IntRange(2000, 2100),
    default=2020,
    show_default=True,
    help="Year for evidence checked without a config.",
)
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
    seen: set[Path] = set()

    def first_time(files: list[Path]) -> list[Path]:
        """A file named twice (by a config and on the command line, or by two
        patterns) is checked once, as a run scores it once."""
        fresh = [path for path in dict.fromkeys(files) if path.resolve() not in seen]
        seen.update(path.resolve() for path in fresh)
        return fresh

    if configs:
        for config_path in configs:
            config = open_config(str(config_path))
            pm, context = prepare_or_fail(config)
            try:
                files = config.organisation_files()
            except InputError as error:
                fail(error.problems)
            organisations += [load_organisation(path, pm, context) for path in first_time(files)]
    if evidence:
        pm, context = prepare_or_fail(standalone_config(year, edition))
        organisations += [load_organisation(path, pm, context) for path in first_time(evidence)]
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
