"""The hook specifications: one banner per step of an assessment.

A plugin implements any of these with ``@fivestar.hookimpl``. Hook
implementations must not give their parameters default values (pluggy does
not pass them) and may accept only the parameters they need.

Every hook is listed in ``docs/hooks.md``; a test keeps the two in step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fivestar.markers import hookspec

if TYPE_CHECKING:
    import click
    from fivestar.model import (
        Cohort,
        DerivedFact,
        Edition,
        HeavyItem,
        Item,
        Ledger,
        ListForm,
        OfficeFigure,
        Organisation,
        Policy,
        Problem,
        Section,
    )
    from fivestar.pipeline import RunContext
    from fivestar.report import Renderer

# --------------------------------------------------------------------------
# Registration: what a rule set consists of
# --------------------------------------------------------------------------


@hookspec
def assess_editions() -> list[Edition]:
    """Return the editions this plugin defines, e.g.
    ``Edition("shaoxing-2021", extends="shaoxing-2020", removes=(...))``.

    An edition that extends another inherits its sections, items and heavy
    items: the registration hooks below are asked for the base edition
    first, then for the edition itself. An edition nobody declares is a
    plain edition with no base.
    """


@hookspec
def assess_sections(edition: str) -> list[Section]:
    """Return the sections this plugin adds to the edition.

    :param edition: the edition the run uses, e.g. ``"shaoxing-2020"``;
        return an empty list for an edition the plugin does not know.
    """


@hookspec
def assess_items(edition: str) -> list[Item]:
    """Return the scored items this plugin declares for the edition.

    An item names its section, which any plugin may have registered. An item
    whose id is already registered is an error unless it sets
    ``overrides=True``, which replaces that declaration in its place (next
    year's rules, a local variant), whatever the registration order; two
    overrides of one item are an error unless one names the other
    (``overrides="plugin"``).

    :param edition: the edition being declared: the run's, or one it is
        built on (asked base first).
    """


@hookspec
def assess_heavy_items(edition: str) -> list[HeavyItem]:
    """Return the heavy items (重扣分项) this plugin declares for the edition.

    :param edition: the edition the run uses.
    """


@hookspec
def assess_policies() -> list[Policy]:
    """Return the policies (named interpretations) this plugin reads.

    Each can be set in the run config's ``[policy]`` table; the value is
    parsed and checked by the policy's own ``parse``.
    """


@hookspec
def assess_evidence_tables() -> list[str]:
    """Return the names of evidence tables this plugin reads besides the
    sections' own (e.g. ``duty_lists``), so that they are not reported as
    unknown."""


@hookspec
def assess_evidence_forms(edition: str) -> list[ListForm]:
    """Return the list forms of the evidence tables this plugin reads besides
    the sections' (the duty lists), so that the evidence template and the
    workbook offer them to the department with their allowed values."""


@hookspec
def assess_office_figures(edition: str) -> list[OfficeFigure]:
    """Return the figures only the office's records give that this plugin
    reads besides its items' facts: a cohort figure (``[cohort]``, e.g. the
    official 行风评议 average) or an organisation's figure (e.g. its official
    rank). Read them with ``context.office.figure(key, organisation)``."""


# --------------------------------------------------------------------------
# collect: read evidence, add derived facts
# --------------------------------------------------------------------------


@hookspec
def assess_collect(organisation: Organisation, context: RunContext) -> dict[str, DerivedFact] | None:
    """Contribute derived facts for one organisation.

    Return ``{"section.fact": DerivedFact(value, source)}``. A fact the
    evidence gives explicitly always wins over a derived one; the ledger
    records which was used. Read ``organisation.raw`` defensively: it has
    not been validated yet (and it is released after the validate step).

    :param organisation: the organisation, with its raw evidence.
    :param context: the run's year, edition, policies and rule registry.
    """


# --------------------------------------------------------------------------
# validate: semantic checks beyond the declared fact types
# --------------------------------------------------------------------------


@hookspec
def assess_validate(organisation: Organisation, context: RunContext) -> list[Problem] | None:
    """Return problems the declared fact types cannot see.

    Runs after the core has converted every declared fact, so
    ``organisation.facts`` holds typed values. Errors stop this organisation
    (it is reported as failed), never the run.

    :param organisation: the organisation with its typed facts.
    :param context: the run context.
    """


# --------------------------------------------------------------------------
# cohort: figures across the organisations of a run
# --------------------------------------------------------------------------


@hookspec
def assess_cohort(cohort: Cohort, context: RunContext) -> dict[str, Any] | None:
    """Compute figures across the cohort, once per run, before scoring.

    Return a mapping merged into ``cohort.figures`` (also available to rules
    as ``context.cohort``). Only organisations that passed validation are in
    the cohort.

    :param cohort: the valid organisations of the run.
    :param context: the run context.
    """


# --------------------------------------------------------------------------
# score, penalise, cap: the ledger of one organisation
# --------------------------------------------------------------------------


@hookspec
def assess_score(ledger: Ledger, context: RunContext) -> None:
    """Add item lines to the ledger.

    The core's own implementation is a wrapper that runs first, whatever
    ordering marks a plugin sets: it scores every enabled declared item,
    clamped to its floor and points (an item 不适用 to the organisation is
    ``not_applicable``).

    :param ledger: the organisation's ledger, to add to.
    :param context: the run context.
    """


@hookspec
def assess_penalise(ledger: Ledger, context: RunContext) -> None:
    """Apply falsification and heavy deductions.

    The core applies the assessor's ``[review]`` findings; plugins add
    derived heavy items (``performance.heavy.bottom_three``).

    :param ledger: the organisation's ledger.
    :param context: the run context.
    """


@hookspec
def assess_cap(ledger: Ledger, context: RunContext) -> None:
    """Sum the sections and apply their maxima and caps.

    The core's own implementation is a wrapper that runs first: it writes
    every section's claimed sum, the organisation's own maximum and the
    score; plugins may then adjust section scores.
    The total (Σ sections − heavy deductions) is computed after this step.

    :param ledger: the organisation's ledger.
    :param context: the run context.
    """


# --------------------------------------------------------------------------
# rate: stars and awards
# --------------------------------------------------------------------------


@hookspec
def assess_rate(ledger: Ledger, context: RunContext) -> None:
    """Decide stars and awards from the capped ledger, by policy.

    :param ledger: the organisation's ledger.
    :param context: the run context.
    """


# --------------------------------------------------------------------------
# report: renderers
# --------------------------------------------------------------------------


@hookspec
def assess_renderers() -> list[Renderer]:
    """Return the output formats this plugin can write (``--format NAME``)."""


# --------------------------------------------------------------------------
# command line: subcommands contributed by plugins
# --------------------------------------------------------------------------


@hookspec
def assess_commands(cli: click.Group) -> None:
    """Add subcommands to the ``assess`` command line (e.g. ``assess duties``).

    Called once when the command line starts, with the installed plugins
    (entry points); a plugin loaded only from a run config cannot add
    commands.

    :param cli: the ``assess`` click group; call ``cli.add_command(...)``.
    """
