"""`assess template`, `assess convert` and `assess init`: the department's
evidence as a TOML file or an Excel workbook, both ways, and a new year's
folder in one command."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click
import tomlkit
from fivestar.cli.common import context_for, edition_option, fail, open_config, prepare_or_fail, say, write_output
from fivestar.cli.options import choose_format, config_option, lang_option, output_options, refuse_binary_on_terminal
from fivestar.config import DEFAULT_EDITION, RunConfig
from fivestar.evidence import owned_elsewhere, read_evidence
from fivestar.model import InputError, Organisation, Problem
from fivestar.pipeline import RunContext, load_organisation
from fivestar.toml_template import commented, toml_template
from fivestar.tomldoc import toml_document, toml_value
from fivestar.workbook_writer import Previous, write_workbook

FORMATS = ("toml", "xlsx")
SUFFIX = {"toml": ".toml", "xlsx": ".xlsx"}


def refuse_existing(path: Path, force: bool) -> None:
    if path.exists() and path.is_file() and not force:
        fail(
            [Problem("error", str(path), "", "--output", "a new file (or --force to overwrite it)", "an existing file")]
        )


def template_bytes(
    context: RunContext, form: str, lang: str, header: dict[str, Any] | None = None, previous: Previous | None = None
) -> bytes:
    registry = context.registry
    header = dict(header or {})
    if form == "xlsx":
        return write_workbook(registry, context.year, {"organisation": header | {"year": context.year}}, previous)
    facts = previous.facts if previous else None
    return toml_template(registry, context.year, lang, header, facts).encode("utf-8")


def previous_of(context: RunContext, org_id: str) -> Previous | None:
    """An organisation's values of the year before, from the history store."""
    stored = context.previous_result(org_id)
    if stored is None:
        return None
    facts: dict[str, dict[str, Any]] = {}
    for section, types in context.registry.schema.items():
        for name in types:
            value = stored.fact(section, name)
            if value is not None:
                facts.setdefault(section, {})[name] = value
    return Previous(facts, stored.year)


def cohort_headers(config: RunConfig, context: RunContext) -> list[tuple[Path, dict[str, str]]]:
    """Each evidence file of a config's cohort with its organisation's id and name."""
    try:
        files = config.organisation_files()
    except InputError as error:
        fail(error.problems)
    headers = []
    for path in files:
        organisation = read_evidence(path, registry=context.registry)
        headers.append((path, {"id": organisation.id, "name": organisation.name}))
    return headers


def write_cohort_templates(
    config: RunConfig,
    context: RunContext,
    output_dir: Path,
    form: str,
    lang: str,
    force: bool,
    source: RunContext | None = None,
) -> list[Path]:
    """One template per organisation of a config's cohort, id and name filled
    in, last year's values (from ``source``'s history) beside the inputs."""
    written = []
    for path, header in cohort_headers(config, source or context):
        target = output_dir / (path.stem + SUFFIX[form])
        refuse_existing(target, force)
        write_output(
            template_bytes(context, form, lang, header, previous_of(context, header["id"])), target, "template"
        )
        written.append(target)
    return written


@click.command()
@config_option
@edition_option
@output_options(
    default="toml", choices=FORMATS, output_help="Write the template to this file (- for stdout; see --force)."
)
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="One template per organisation of the config's cohort, id and name filled in.",
)
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@click.option(
    "--check",
    "check",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Report what is still missing or wrong in a half-filled file (TOML or workbook).",
)
@lang_option
def template(
    config_path: str | None,
    edition: str | None,
    output_format: str | None,
    output: Path | None,
    output_dir: Path | None,
    force: bool,
    check: Path | None,
    lang: str,
) -> None:
    """An evidence template (TOML in Chinese, or an Excel workbook) for a
    department to fill in; --check FILE says what a half-filled file lacks."""
    pm, context = context_for(config_path, edition)
    if check is not None:
        check_file(check, pm, context, lang)
        return
    if output_dir is not None:
        if config_path is None:
            raise click.UsageError("--output-dir needs --config CONFIG (its cohort)")
        config = open_config(config_path)
        written = write_cohort_templates(config, context, output_dir, output_format or "xlsx", lang, force)
        say(f"已写入 {len(written)} 份模板：{output_dir}", f"{len(written)} template(s) in {output_dir}")
        return
    form = choose_format(output_format, output, SUFFIX, "toml")
    if form == "xlsx":
        refuse_binary_on_terminal("xlsx", ".xlsx", output)
    if output is not None:
        refuse_existing(output, force)
    content = template_bytes(context, form, lang)
    write_output(content if form == "xlsx" else content.decode("utf-8"), output, what="template")


MISSING = {"zh": "尚未填写", "en": "still missing"}
WRONG = {"zh": "有误", "en": "wrong"}
DONE = {"zh": "{file}：已填写完整，没有错误", "en": "{file}: complete, no errors"}
SUMMARY = {
    "zh": "{file}：{missing} 项尚未填写，{errors} 处有误",
    "en": "{file}: {missing} still missing, {errors} wrong",
}


def check_file(path: Path, pm: Any, context: RunContext, lang: str) -> None:
    """What a half-filled file still lacks (missing facts, an empty name) and
    what is wrong; exit 1 until it is complete."""
    organisation = load_organisation(path, pm, context)
    problems = [problem for problem in organisation.problems if not owned_elsewhere(problem, context.registry)]
    missing = [problem for problem in problems if problem.found == "nothing"]
    wrong = [problem for problem in organisation.errors if problem not in missing]
    for problem in missing:
        click.echo(f"{MISSING[lang]}: {problem}")
    for problem in wrong:
        click.echo(f"{WRONG[lang]}: {problem}")
    if not missing and not wrong:
        click.echo(DONE[lang].format(file=path))
        return
    click.echo(SUMMARY[lang].format(file=path, missing=len(missing), errors=len(wrong)))
    sys.exit(1)


# --------------------------------------------------------------------------
# convert
# --------------------------------------------------------------------------


def read_raw(path: Path, context: RunContext) -> tuple[dict[str, Any], list[Problem]]:
    """A file's evidence as the TOML reader gives it, from either format."""
    organisation: Organisation = read_evidence(path, registry=context.registry)
    return organisation.raw, organisation.errors


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--to", "target_format", type=click.Choice(FORMATS), required=True, help="The format to write.")
@click.option(
    "--output-dir", type=click.Path(file_okay=False, path_type=Path), help="Where to write (default: beside each file)."
)
@config_option
@edition_option
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def convert(
    files: tuple[Path, ...],
    target_format: str,
    output_dir: Path | None,
    config_path: str | None,
    edition: str,
    force: bool,
) -> None:
    """Convert evidence between TOML and Excel, without loss."""
    _pm, context = context_for(config_path, edition)
    problems: list[Problem] = []
    for path in files:
        target = (output_dir or path.parent) / (path.stem + SUFFIX[target_format])
        if target.resolve() == path.resolve():
            problems.append(
                Problem("error", str(path), "", "--to", "a file of the other format", f"a {target_format} file")
            )
            continue
        refuse_existing(target, force)
        raw, errors = read_raw(path, context)
        if errors:
            problems += errors
            continue
        if target_format == "xlsx":
            content: bytes | str = write_workbook(context.registry, context.year, raw)
        else:
            content = tomlkit.dumps(toml_document(raw))
        write_output(content, target, what=target_format)
    if problems:
        fail(problems, code=1)


# --------------------------------------------------------------------------
# init
# --------------------------------------------------------------------------


def new_config(year: int, source: RunConfig | None, directory: Path, form: str) -> str:
    """A year's run config, commented, from last year's when given."""
    document = tomlkit.document()
    document.add(
        tomlkit.comment(f"{year}年度考评的运行配置（assess run 本文件）。路径相对于本文件；见 docs/config.md。")
    )
    assessment = tomlkit.table()
    assessment.add("year", year)
    assessment.add(
        "edition", commented(source.edition if source else DEFAULT_EDITION, "评分标准版本：新一年的规则由插件提供")
    )
    assessment.add("organisations", commented([f"orgs/*{SUFFIX[form]}"], "各单位的佐证材料（Excel 或 TOML）"))
    assessment.add(
        "award_year", commented(not source.award_year if source else True, "“五星双优”两年一评：本年度是否评选")
    )
    document.add("assessment", assessment)
    policy = tomlkit.table()
    policy.add(tomlkit.comment("解释口径：未写的取默认值（assess explain 查看各项）"))
    for key, value in (source.policy if source else {}).items():
        policy.add(key, toml_value(value))
    document.add("policy", policy)
    plugins = tomlkit.table()
    plugins.add("disable", list(source.disabled_plugins) if source else [])
    plugins.add("paths", [os.path.relpath(path, directory) for path in source.plugin_paths] if source else [])
    document.add("plugins", plugins)
    rules = tomlkit.table()
    rules.add("disable", list(source.disabled_items) if source else [])
    document.add("rules", rules)
    office = tomlkit.table()
    office.add(tomlkit.comment("市直机关工委的记录和审核结论：优先于部门的佐证材料"))
    office.add("records", ["records/*.toml", "records/*.csv", "records/*.xlsx"])
    office.add("reviews", ["reviews/*.toml"])
    document.add("office", office)
    store = tomlkit.table()
    store.add(tomlkit.comment("历史库：与上一年共用，上一年的结果（行风评议提升、上年度“五星双优”）从这里取"))
    store_path = source.history_path if source else directory / "history.sqlite3"
    store.add("path", os.path.relpath(store_path, directory))
    document.add("store", store)
    return tomlkit.dumps(document)


OFFICE_FILES = {
    "records/records.toml": "# 工委记录（行风评议、目标责任制考核、督查评价、晒比）：由市直机关工委填写，部门不填。\n"
    '# [organisations."sx-example"]\n# "performance.conduct_rating" = 85.0\n',
    "reviews/reviews.toml": "# 工委审核结论（重扣分项、弄虚作假、申诉）：由市直机关工委填写，部门不填。\n"
    '# [[organisations."sx-example".findings]]\n',
}


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="The new year.")
@click.option(
    "--from", "source_path", type=click.Path(dir_okay=False), help="Last year's run config: its cohort and history."
)
@click.option(
    "--format",
    "form",
    type=click.Choice(FORMATS),
    default="xlsx",
    show_default=True,
    help="Of the templates.",
)
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@lang_option
def init(directory: Path, year: int, source_path: str | None, form: str, lang: str, force: bool) -> None:
    """A new year's folder: config.toml, orgs/ with a template per
    organisation of last year's cohort, empty office records and reviews
    (records/, reviews/)."""
    source = open_config(source_path) if source_path else None
    config_file = directory / "config.toml"
    refuse_existing(config_file, force)
    (directory / "orgs").mkdir(parents=True, exist_ok=True)
    write_output(new_config(year, source, directory, form), config_file, what="config")
    for name, text in OFFICE_FILES.items():
        target = directory / name
        if not target.exists() or force:
            write_output(text, target, what="office file")
    written: list[Path] = []
    if source is not None:
        _pm, last = prepare_or_fail(source)
        config = open_config(str(config_file))
        _pm, context = prepare_or_fail(config)
        written = write_cohort_templates(source, context, directory / "orgs", form, lang, force, source=last)
    say(
        f"{year}年度：{config_file}，{len(written)} 份单位模板在 {directory / 'orgs'}",
        f"{year}: {config_file}, {len(written)} organisation template(s) in {directory / 'orgs'}",
    )
