"""三级书记抓机关党建工作责任清单 (the three secretaries' responsibility lists).

Reads ``[[duty_lists]]`` from the evidence, checks each list against the
edition's common items and obligations, feeds the norms star through derived
facts and adds the command ``assess duties``. It talks to the core only
through hooks and knows the norms star only by its fact names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fivestar import hookimpl
from fivestar.model import DerivedFact, Organisation, Problem
from fivestar.pipeline import RunContext
from fivestar.plugins.duties.catalogue import catalogue_for
from fivestar.plugins.duties.checks import TABLE, read_lists, review_document, review_list

if TYPE_CHECKING:
    import click

EXTRAS_KEY = "duty_lists"
PERSONAL_LISTS_FACT = "norms.personal_lists_published"
FULFILLED_FACT = "norms.lists_fulfilled"
DERIVED_SOURCE = "derived from duty lists (责任清单)"


@hookimpl
def assess_evidence_tables() -> list[str]:
    return [TABLE]


@hookimpl
def assess_collect(organisation: Organisation, context: RunContext) -> dict[str, DerivedFact] | None:
    """Review the lists and derive the norms facts, from well-formed lists
    only: a malformed list fails validation, and nothing is derived from it."""
    catalogue = catalogue_for(context.edition)
    if catalogue is None:
        return None
    lists, problems = read_lists(organisation.raw, str(organisation.path), catalogue)
    if problems or not lists:
        return None
    reviews = [review_list(duty_list, catalogue, context.year) for duty_list in lists]
    organisation.extras[EXTRAS_KEY] = [review_document(review, organisation.id) for review in reviews]
    return {
        PERSONAL_LISTS_FACT: DerivedFact(all(review.drawn_up for review in reviews), DERIVED_SOURCE),
        FULFILLED_FACT: DerivedFact(all(review.fulfilled for review in reviews), DERIVED_SOURCE),
    }


@hookimpl
def assess_validate(organisation: Organisation, context: RunContext) -> list[Problem] | None:
    catalogue = catalogue_for(context.edition)
    if catalogue is None:
        return None
    _lists, problems = read_lists(organisation.raw, str(organisation.path), catalogue)
    return problems


@hookimpl
def assess_commands(cli: click.Group) -> None:
    from fivestar.plugins.duties.command import duties

    cli.add_command(duties)


def duty_lists_of(organisation: Organisation) -> list[dict[str, Any]]:
    """The reviewed lists of an organisation (empty when it holds none)."""
    return organisation.extras.get(EXTRAS_KEY, [])
