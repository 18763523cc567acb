"""`assess run` and `assess validate`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click
from fivestar import signals
from fivestar.cli import process_ends_with_command
from fivestar.cli.common import fail, open_run, policy_option, prepare_or_fail, say, standalone_config, write_output
from fivestar.cli.options import (
    CONFIG_NAME,
    choose_format,
    config_argument,
    config_option,
    current_lang,
    lang_option,
    output_options,
    refuse_binary_on_terminal,
    settings,
)
from fivestar.config import DEFAULT_EDITION, RunConfig, shown_path
from fivestar.evidence import missing_facts, owned_elsewhere
from fivestar.facts import DEPARTMENT
from fivestar.logs import get_logger
from fivestar.model import InputError, Organisation, Problem
from fivestar.pipeline import (
    RunResult,
    collector_paused,
    load_organisation,
    mark_duplicates,
    run_cohort,
    usable_cores,
)
from fivestar.report import Renderer, RenderOptions, jsonable
from fivestar.suggest import did_you_mean

if TYPE_CHECKING:
    from fivestar.history import SaveInBackground

log = get_logger(__name__)

PROGRESS_FROM = 300


def split_formats(formats: tuple[str, ...]) -> list[str]:
    """The formats named, each once (``json,csv,json`` writes two files)."""
    return list(dict.fromkeys(name.strip() for entry in formats for name in entry.split(",") if name.strip()))


def progress_reporter(total: int) -> Callable[[str, int, int], None] | None:
    """A progress line on stderr for cohorts of more than a few hundred,
    only when stderr is a terminal (quiet in pipes, files and CI)."""
    if total <= PROGRESS_FROM or not sys.stderr.isatty() or settings().quiet:
        return None
    step = max(1, total // 100)
    last = 0

    def report(stage: str, done: int, count: int) -> None:
        """Shown when ``done`` reaches another hundredth: a streamed run counts a chunk at a time."""
        nonlocal last
        before = last if last < done else 0
        if done // step > before // step or done == count:
            click.echo(f"\r{stage} {done}/{count}", err=True, nl=done == count)
        last = done

    return report


BINARY_SUFFIXES = frozenset({".xlsx", ".xls", ".ods", ".pdf", ".zip", ".docx", ".png"})
"""Suffixes of formats that are bytes, not text: never sent to a terminal."""


def is_binary(renderer: Renderer) -> bool:
    return bool(getattr(renderer, "binary", False)) or renderer.suffix.lower() in BINARY_SUFFIXES


def choose_renderers(
    renderers: dict[str, Renderer], formats: tuple[str, ...], output: Path | None, output_dir: Path | None
) -> list[Renderer]:
    """The reports to write: ``--format`` (several with ``--output-dir``),
    else the suffix of ``--output``, else the table."""
    names = split_formats(formats)
    unknown = [name for name in names if name not in renderers]
    if unknown or (formats and not names):
        raise click.BadParameter(
            f"expected one of {', '.join(sorted(renderers))}, found {unknown or list(formats)}"
            + (did_you_mean(unknown[0], renderers) if unknown else ""),
            param_hint="--format",
        )
    if output and output_dir:
        raise click.UsageError("--output writes one file and --output-dir a folder of them: give one")
    if len(names) > 1 and not output_dir:
        raise click.UsageError("several formats need --output-dir")
    if output_dir:
        return [renderers[name] for name in names or ["table"]]
    suffixes = {name: renderer.suffix for name, renderer in renderers.items()}
    chosen = renderers[choose_format(names[0] if names else None, output, suffixes, "table")]
    if is_binary(chosen):
        refuse_binary_on_terminal(chosen.name, chosen.suffix, output)
    return [chosen]


def unknown_org(org_id: str, known: list[str]) -> Problem:
    shown = ", ".join(known[:20]) + (f", … ({len(known)} in all)" if len(known) > 20 else "")
    return Problem(
        "error",
        "<command line>",
        "",
        "--org",
        f"the id of an organisation of the run: {shown or 'none was read'}",
        f'"{org_id}"' + did_you_mean(org_id, known),
    )


FAILURE_KINDS = {
    False: (
        ("{count} 个党组织未通过校验，未计分：", "（assess validate 文件：列出该文件的全部问题）"),
        ("{count} organisation(s) failed validation and were not scored:", "(assess validate FILE lists them all)"),
    ),
    True: (
        ("{count} 个党组织因插件错误未计分：", "（-vv 或日志显示出错的位置）"),
        ("{count} organisation(s) were not scored because of a plugin error:", "(-vv or the log shows the traceback)"),
    ),
}


def report_failed(failed: list[Organisation], on_screen: bool = False) -> None:
    """Each failed organisation once, at the end, on stderr: which file, how
    many errors, the first of them. Not when the league table, which lists
    them, was just shown on the same terminal (``on_screen``)."""
    if not failed or on_screen:
        return
    english = current_lang() == "en"
    lines = []
    for fault, texts in FAILURE_KINDS.items():
        chosen = [organisation for organisation in failed if organisation.plugin_fault is fault]
        if not chosen:
            continue
        heading, hint = texts[english]
        lines.append(heading.format(count=len(chosen)))
        for organisation in chosen:
            errors = organisation.errors
            path = shown_path(organisation.path)
            count = f": {len(errors)} error(s)" if english else f"：{len(errors)} 个错误"
            lines.append(f"  {organisation.id} ({path}){count}")
            if errors:
                lines.append(f"    {errors[0]}")
        lines.append(f"  {hint}")
    click.echo("\n".join(lines), err=True)


@click.command()
@config_argument
@output_options(
    multiple=True,
    output_help="Write the one format to this file (its suffix names the format if not given; - is stdout).",
)
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write every format into this folder (results-YEAR.<suffix>).",
)
@lang_option
@policy_option(help="A policy for this run only, KEY=VALUE, over the config's [policy] (repeat for several keys).")
@click.option("--org", "org_id", help="One organisation's scorecard, item by item, with the basis of each point.")
@click.option(
    "--save/--no-save", default=None, help="Record the run in the history store ([store] save sets the default)."
)
@click.option("--replace", is_flag=True, help="With --save: overwrite the year if it is already stored.")
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    show_default="the cores the run may use",
    help="Processes that read, check, score and write a large cohort.",
)
@collector_paused(resume=lambda: not process_ends_with_command())
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
    config, pm, context = open_run(config_path, command_line_policy=policies)
    renderers: dict[str, Renderer] = {
        renderer.name: renderer for group in pm.hook.assess_renderers() for renderer in group
    }
    chosen = choose_renderers(renderers, formats, output, output_dir)
    if replace and save is False:
        raise click.UsageError("--replace goes with --save")
    if replace and save is None and not config.save:
        raise click.UsageError("--replace goes with --save (or [store] save = true)")
    try:
        files = config.organisation_files()
    except InputError as error:
        fail(error.problems)
    pieces = {renderer.name: renderer.pieces for renderer in chosen if renderer.pieces}
    saving = save if save is not None else config.save
    if saving:
        from fivestar.history import SAVE_PIECES
        from fivestar.store import HistoryStore

        store = HistoryStore(config.history_path)
        try:
            store.check_can_save(config.year, replace)
        except InputError as error:
            fail(error.problems)
        pieces = {**SAVE_PIECES, **pieces}
    try:
        result = run_cohort(
            files,
            pm,
            context,
            progress=progress_reporter(len(files)),
            jobs=jobs or usable_cores(),
            pieces=pieces,
            pieces_only=all(renderer.pieces for renderer in chosen),
        )
    except InputError as error:
        fail(error.problems)
    result.config = config
    options = RenderOptions(lang=lang, org=org_id)
    if org_id is not None:
        known = [organisation.id for organisation in result.organisations]
        if org_id not in known:
            fail([unknown_org(org_id, known)])
    if saving:
        from fivestar.history import SaveInBackground

        background = SaveInBackground(result, store, replace)
        try:
            write_reports(result, chosen, options, output, output_dir)
        except BaseException as error:
            finish_save(background, config, stop=isinstance(error, (KeyboardInterrupt, signals.Terminated)))
            raise
        finish_save(background, config)
    else:
        for spilled in result.pieces.values():
            spilled.read_once = True  # the output is the pieces' only reader
        write_reports(result, chosen, options, output, output_dir)
    table_on_screen = any(renderer.name == "table" for renderer in chosen) and not (output or output_dir)
    report_failed(result.failed, on_screen=table_on_screen and sys.stdout.isatty())
    sys.exit(1 if result.failed else 0)


def write_reports(
    result: RunResult, chosen: list[Renderer], options: RenderOptions, output: Path | None, output_dir: Path | None
) -> None:
    """Each chosen report, into its file (or stdout)."""
    year = result.context.year
    for renderer in chosen:
        target = output_dir / f"results-{year}{renderer.suffix}" if output_dir else output
        try:
            content = renderer.render(result, options)
            if isinstance(content, bytes) and target is None:
                refuse_binary_on_terminal(renderer.name, renderer.suffix, target)
            write_output(content, target, what=renderer.name)
        except (click.ClickException, BrokenPipeError):
            raise
        except Exception as error:
            fail([report_failure(renderer.name, target, error)])


def finish_save(background: SaveInBackground, config: RunConfig, stop: bool = False) -> None:
    """Wait for the save the reports were written beside and say how it went
    (a store error exits 2); with ``stop`` (the run was interrupted) the save
    is rolled back, unless it had committed already (then it is said as
    saved). Reports that failed are not lost to a failed save: the save's
    error is then logged, the report's error reported."""
    store = shown_path(config.history_path)
    failing = sys.exc_info()[0] is not None
    try:
        saved = background.finish(stop=stop)
    except InputError as error:
        if failing:
            log.error("run_not_saved", store=str(store), error=str(error.problems[0]))
            return
        fail(error.problems)
    if saved is None:
        log.warning("run_not_saved", store=str(store), reason="the run was interrupted")
        return
    log.info("run_saved", store=str(store), year=config.year, organisations=saved)
    say(
        f"已保存 {config.year} 年 {saved} 个党组织的结果到历史库 {store}",
        f"saved {saved} organisation(s) of {config.year} to the history store {store}",
    )


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


STDIN = Path("-")


@click.command()
@click.argument(
    "paths",
    metavar="[EVIDENCE...]",
    nargs=-1,
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
)
@config_option
@click.option(
    "--year", type=click.IntRange(2000, 2100), default=None, help="Year for evidence checked without a config (2020)."
)
@click.option("--edition", default=None, help=f"Edition for evidence checked without a config ({DEFAULT_EDITION}).")
@output_options(choices=("table", "json"))
def validate(
    paths: tuple[Path, ...],
    config_path: str | None,
    year: int | None,
    edition: str | None,
    output_format: str | None,
    output: Path | None,
) -> None:
    """Check evidence files (- reads standard input) and list every problem
    at once: errors (the organisation cannot be scored), warnings, and the
    facts missing and scored as 0.

    With --config CONFIG (or ./config.toml) and no files, check the run
    config and every evidence file it names; files given are checked with
    the config's plugins and edition. Evidence never loads code: a file with
    an [assessment] table among evidence files is an error."""
    if config_path is not None:
        if year is not None or edition is not None:
            raise click.UsageError(f"--year and --edition go without a run config; {config_path} sets them")
        config, pm, context = open_run(config_path)
        if paths:
            files = list(paths)
        else:
            try:
                files = config.organisation_files()
            except InputError as error:
                fail(error.problems)
    elif paths:
        files = list(paths)
        pm, context = prepare_or_fail(standalone_config(year or 2020, edition or DEFAULT_EDITION))
    else:
        raise click.UsageError(
            f"give EVIDENCE files (- for standard input), or --config CONFIG (there is no ./{CONFIG_NAME})"
        )
    output_format = choose_format(output_format, output, {"table": ".txt", "json": ".json"}, "table")
    organisations = []
    seen: set[Path] = set()
    for path in files:
        if path == STDIN:
            organisations.append(load_organisation(Path("<stdin>"), pm, context, content=sys.stdin.buffer.read()))
        elif path.resolve() not in seen:
            seen.add(path.resolve())
            organisations.append(load_organisation(path, pm, context))
    mark_duplicates(organisations)
    office_problems = (
        context.office.naming_nobody(
            [organisation.id for organisation in organisations],
            [organisation.name for organisation in organisations],
            context.limits,
        )
        if config_path is not None and not paths
        else []
    )
    required = context.registry.required_facts
    if config_path is None:
        owners = context.registry.fact_owners
        required = {key for key in required if owners[key] == DEPARTMENT}
        for organisation in organisations:
            organisation.problems = [
                problem for problem in organisation.problems if not owned_elsewhere(problem, context.registry)
            ]
    if output_format == "json":
        document = {
            "office": [problem.as_dict() for problem in office_problems],
            "organisations": [
                {
                    "id": organisation.id,
                    "file": str(organisation.path),
                    "valid": organisation.valid,
                    "missing_facts": missing_facts(organisation, required),
                    "problems": [problem.as_dict() for problem in organisation.problems],
                    **jsonable(organisation.decisions()),
                }
                for organisation in organisations
            ],
        }
        write_output(json.dumps(document, ensure_ascii=False, indent=2) + "\n", output, what="json")
    else:
        problems = [*office_problems, *(problem for organisation in organisations for problem in organisation.problems)]
        lines = [f"{problem.severity}: {problem}" for problem in problems]
        conflicts = [(organisation, conflict) for organisation in organisations for conflict in organisation.conflicts]
        from fivestar.report.labels import labels_for
        from fivestar.report.view import decision_lines

        labels = labels_for("zh")
        lines += [
            f"conflict: {organisation.path}: {decision_lines({'conflicts': [jsonable(conflict.as_dict())]}, labels)[0]}"
            for organisation, conflict in conflicts
        ]
        errors = sum(problem.severity == "error" for problem in problems)
        missing = sum(len(missing_facts(organisation, required)) for organisation in organisations)
        lines.append(
            f"{len(organisations)} file(s), {errors} error(s), {len(problems) - errors} warning(s)"
            f" ({missing} missing fact(s) scored as 0 or absent), {len(conflicts)} conflict(s)"
        )
        write_output("\n".join(lines) + "\n", output, what="table")
    if office_problems:
        sys.exit(2)
    sys.exit(1 if any(not organisation.valid for organisation in organisations) else 0)
