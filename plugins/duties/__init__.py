"""三级书记抓机关党建工作责任清单 (the three secretaries' responsibility lists).

Reads ``[[duty_lists]]`` from the evidence, checks each list against the
edition's common items and obligations, feeds the norms star through derived
facts and adds the command ``assess duties``. It talks to the core only
through hooks and knows the norms star only by its fact names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fivestar import DerivedFact, ListForm, Organisation, Problem, RunContext, hookimpl
from fivestar.plugins.duties.catalogue import Catalogue, Level, catalogue_for
from fivestar.plugins.duties.checks import TABLE, DutyList, read_lists, review_document, review_list
from fivestar.plugins.duties.forms import list_forms

if TYPE_CHECKING:
    import click

EXTRAS_KEY = "duty_lists"
PERSONAL_LISTS_FACT = "norms.personal_lists_published"
FULFILLED_FACT = "norms.lists_fulfilled"
DERIVED_SOURCE = "derived from duty lists (责任清单)"


@hookimpl
def assess_evidence_tables() -> list[str]:
    return [TABLE]


def missing_levels(lists: list[DutyList], catalogue: Catalogue) -> list[Level]:
    """The levels of secretary that have no list among ``lists``."""
    present = {duty_list.level.id for duty_list in lists}
    return [level for level in catalogue.levels.values() if level.id not in present]


@hookimpl
def assess_evidence_forms(edition: str) -> list[ListForm]:
    catalogue = catalogue_for(edition)
    return list_forms(catalogue) if catalogue else []


@hookimpl
def assess_collect(organisation: Organisation, context: RunContext) -> dict[str, DerivedFact] | None:
    """Review the lists and derive the norms facts, from well-formed lists
    only: a malformed list fails validation, and nothing is derived from it.
    A level without a list makes both facts false (each of the three
    secretaries draws up and carries out a list)."""
    catalogue = catalogue_for(context.lineage)
    if catalogue is None or not context.registry.has_facts(PERSONAL_LISTS_FACT, FULFILLED_FACT):
        return None
    lists, problems = read_lists(organisation.raw, str(organisation.path), catalogue)
    if problems or not lists:
        return None
    reviews = [review_list(duty_list, catalogue, context.year) for duty_list in lists]
    organisation.extras[EXTRAS_KEY] = [review_document(review, organisation.id) for review in reviews]
    missing = missing_levels(lists, catalogue)
    source = DERIVED_SOURCE
    if missing:
        source += "; 缺少" + "、".join(level.role for level in missing) + "的清单"
    return {
        PERSONAL_LISTS_FACT: DerivedFact(not missing and all(review.drawn_up for review in reviews), source),
        FULFILLED_FACT: DerivedFact(not missing and all(review.fulfilled for review in reviews), source),
    }


@hookimpl
def assess_validate(organisation: Organisation, context: RunContext) -> list[Problem] | None:
    catalogue = catalogue_for(context.lineage)
    if catalogue is None:
        if not context.registry.has_facts(PERSONAL_LISTS_FACT, FULFILLED_FACT):
            return None
        return [
            Problem.warning(
                str(organisation.path),
                TABLE,
                expected="an edition with responsibility lists",
                found=f'"{context.edition}"',
                message=f"the duty lists of edition {context.edition} are not known: "
                f"{PERSONAL_LISTS_FACT} and {FULFILLED_FACT} cannot be derived",
            )
        ]
    lists, problems = read_lists(organisation.raw, str(organisation.path), catalogue)
    if problems or not lists:
        return problems
    return [
        Problem(
            "warning",
            str(organisation.path),
            TABLE,
            "level",
            f'a list with level = "{level.id}"',
            "nothing",
            f"no list of the {level.id} ({level.role}): {PERSONAL_LISTS_FACT} and {FULFILLED_FACT} are false",
        )
        for level in missing_levels(lists, catalogue)
    ]


@hookimpl
def assess_commands(cli: click.Group) -> None:
    from fivestar.plugins.duties.command import duties

    cli.add_command(duties)


def duty_lists_of(organisation: Organisation) -> list[dict[str, Any]]:
    """The reviewed lists of an organisation (empty when it holds none)."""
    return organisation.extras.get(EXTRAS_KEY, [])
