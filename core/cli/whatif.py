"""`assess whatif`: the cohort under the config's policies and under
changed ones, from one reading of the evidence."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from fivestar.cli.common import fail, open_run, policy_option, write_output
from fivestar.cli.options import choose_format, config_argument, lang_option, output_options
from fivestar.cli.scoring import report_failed
from fivestar.model import InputError
from fivestar.report.whatif import FORMATS, render
from fivestar.whatif import plan, policy_options, what_if

SUFFIXES = {"table": ".txt", "json": ".json", "html": ".html", "csv": ".csv"}


@click.command()
@config_argument
@policy_option(
    required=True,
    help="A changed policy, KEY=VALUE (repeat for several keys); KEY=V1,V2,... compares several values of one key.",
)
@output_options(choices=FORMATS)
@lang_option
def whatif(
    config_path: str, policies: tuple[str, ...], output_format: str | None, output: Path | None, lang: str
) -> None:
    """Score the cohort of CONFIG under its policies and under the changed
    ones: who moves, why, and what it does to the stars and awards.
    Exit 0, or 1 when some organisation failed (left out of both sides)."""
    format_name = choose_format(output_format, output, SUFFIXES, "table")
    config, pm, context = open_run(config_path)
    try:
        chosen = plan(context, policy_options(policies))
        files = config.organisation_files()
    except InputError as error:
        fail(error.problems)
    try:
        comparison = what_if(files, pm, context, chosen.scenarios, chosen.sweep)
    except InputError as error:
        fail(error.problems)
    write_output(render(comparison, format_name, lang), output, what=format_name)
    report_failed(comparison.before.failed)
    sys.exit(1 if comparison.before.failed else 0)
