"""`assess whatif`: the cohort under the config's policies and under
changed ones, from one reading of the evidence."""

from __future__ import annotations

from pathlib import Path

import click
from fivestar.cli.common import fail, open_config, policy_option, prepare_or_fail, write_output
from fivestar.model import InputError
from fivestar.report.whatif import FORMATS, render
from fivestar.whatif import plan, policy_options, what_if


@click.command()
@click.argument("config_path", metavar="CONFIG", type=click.Path(dir_okay=False))
@policy_option(
    required=True,
    help="A changed policy, KEY=VALUE (repeat for several keys); KEY=V1,V2,... compares several values of one key.",
)
@click.option("--format", "format_name", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Language of titles.")
def whatif(config_path: str, policies: tuple[str, ...], format_name: str, output: Path | None, lang: str) -> None:
    """Score the cohort of CONFIG under its policies and under the changed
    ones: who moves, why, and what it does to the stars and awards."""
    config = open_config(config_path)
    pm, context = prepare_or_fail(config)
    try:
        chosen = plan(context, policy_options(policies))
        files = config.organisation_files()
    except InputError as error:
        fail(error.problems)
    comparison = what_if(files, pm, context, chosen.scenarios, chosen.sweep)
    write_output(render(comparison, format_name, lang), output)
