"""The core's own plugin: the general mechanics every section gets for free.

- score: every enabled declared item, clamped to its floor and points;
- penalise: falsification (备注3) and the assessor's heavy items (备注2);
- cap: section sums, section maxima and caps;
- rate: stars and awards by policy.

Each is a hook wrapper (pluggy's ``wrapper=True``): it does the core's work
and then yields to the plugins' implementations, so that a plugin always sees
and may change the core's work, whatever ordering marks it sets.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from decimal import Decimal
from functools import lru_cache
from typing import Any

from fivestar.context import RunContext, ScoringContext
from fivestar.markers import hookimpl
from fivestar.model import Awards, Cohort, HeavyDeduction, ItemResult, Ledger, Policy, SectionResult
from fivestar.numbers import ZERO, fmt, fmt_signed
from fivestar.policies import choice_policy, number_policy

DOUBLE_REVERSE = Decimal(-2)


@hookimpl
def assess_policies() -> list[Policy]:
    return [
        choice_policy(
            "falsification",
            "double-reverse",
            ("double-reverse", "zero"),
            "备注3 相应项目加倍倒扣: a falsified item scores −2 × its points "
            "(bonus items: −2 × what they claimed), or 0.",
        ),
        number_policy(
            "heavy_default", 5, 5, 10, "备注2 每项扣5-10分: the figure of a heavy item given as true or derived."
        ),
        number_policy("star_threshold", "0.8", 0, 1, "a star is earned at this share of the section's points."),
        number_policy(
            "performance_threshold", 18, 0, 20, "业绩优 is earned at this many points of the performance section."
        ),
        choice_policy(
            "falsified_bonus",
            "after-cap",
            ("after-cap", "before-cap"),
            "备注3 in a capped section (the bonus): the cap applies to the items not falsified, then the falsified "
            "items' −2 × claimed come off (after-cap), or they enter the sum before the cap (before-cap).",
        ),
        choice_policy(
            "unverified_claims",
            "accept",
            ("accept", "ignore"),
            "A department's claim of a fact the office or the tool provides, with no record or derivation: "
            "used and marked 未经核实 (accept), or scored as absent (ignore).",
        ),
    ]


SUMMARY = "summary"
"""Cohort figure: who said what over the cohort (conflicts, unverified
claims, findings standing, appeals upheld), counted once per run."""


SUMMARY_KEYS = ("conflicts", "unverified_claims", "findings", "appeals_upheld")


@hookimpl
def assess_cohort(cohort: Cohort, context: RunContext) -> dict[str, Any]:
    conflicts = unverified = findings = appeals = 0
    for organisation in cohort.organisations:
        counts = organisation.decision_counts()
        conflicts += counts[0]
        unverified += counts[1]
        findings += counts[2]
        appeals += counts[3]
    return {SUMMARY: dict(zip(SUMMARY_KEYS, (conflicts, unverified, findings, appeals), strict=True))}


def score_items(ledger: Ledger, context: RunContext) -> None:
    """Every declared item by its rule, clamped to its floor and points, as
    the scoring plan says (:mod:`fivestar.plan`; a loop, compiled once the
    process has scored enough organisations: :class:`fivestar.plan.PlanScorer`),
    an item 不适用 to the organisation ``not_applicable``; an item a rule of
    which raises is the fault of the plugin that declared it."""
    organisation = ledger.organisation
    registry = context.registry
    lines = ledger.items
    ledger.not_applicable = not_applicable = registry.not_applicable(organisation)
    registry.scorer(organisation.facts, lines, ScoringContext(context, organisation), not_applicable)
    for key, status in organisation.unverified.items():
        if status == "accept":
            for item_id in registry.items_reading.get(key, ()):
                lines[item_id].unverified += (key,)


def apply_findings(ledger: Ledger, context: RunContext) -> None:
    """Falsification (备注3) and the assessor's heavy items (备注2).

    Each policy is read only for an organisation it applies to, so that
    ``assess whatif`` scores again only the organisations a change reaches."""
    organisation = ledger.organisation
    if not organisation.falsified and not organisation.heavy:
        return
    double_reverse = bool(organisation.falsified) and context.policy("falsification") == "double-reverse"
    for item_id in sorted(organisation.falsified):
        line = ledger.items[item_id]
        line.status = "falsified"
        if double_reverse:
            base = line.item.points if line.item.points is not None else line.scored_points
            line.points = DOUBLE_REVERSE * base
            line.note = f"弄虚作假，加倍倒扣：−2×{fmt(base)} = {fmt_signed(line.points)}"
            line.note_phrase = ("falsified_double", {"base": fmt(base), "points": fmt_signed(line.points)})
        else:
            line.points = ZERO
            line.note = "弄虚作假：按0分计（falsification = zero）"
            line.note_phrase = ("falsified_zero", {})
    registry = context.registry
    for heavy_id, figure in organisation.heavy.items():
        points = figure if figure is not None else context.policy("heavy_default")
        ledger.heavy.append(HeavyDeduction(registry.heavy[heavy_id], points, "review"))


def section_score(lines: list[ItemResult], maximum: Decimal, after_cap: bool) -> tuple[Decimal, Decimal]:
    """A section's sum of item points and its score. The maximum (or cap)
    applies to the items not falsified; the falsified items' points come off
    after it (``after_cap``: falsification is never absorbed by the cap) or
    enter the sum before it."""
    claimed = sum([line.points for line in lines], ZERO)
    if not after_cap:
        return claimed, min(claimed, maximum)
    falsified = sum([line.points for line in lines if line.status == "falsified"], ZERO)
    return claimed, min(claimed - falsified, maximum) + falsified


def sum_sections(ledger: Ledger, context: RunContext) -> None:
    """Each section's sum, against the organisation's own maximum (items
    that do not apply to it count for nothing).

    Without a falsified item a section's score is its sum under its
    maximum (:func:`section_score`, compiled: this runs for every section of
    every organisation, see :func:`fivestar.plan.compile_section_sums`)."""
    registry = context.registry
    lines = ledger.items
    sections = ledger.sections
    maxima = registry.section_maxima_for(ledger.not_applicable)
    if ledger.organisation.falsified:
        after_cap = context.policy("falsified_bonus") == "after-cap"
        for section, item_ids in registry.section_plan:
            maximum = maxima[section.id]
            claimed, score = section_score([lines[item_id] for item_id in item_ids], maximum, after_cap)
            sections[section.id] = SectionResult(section, claimed, score, maximum, item_ids, lines)
        return
    registry.section_sums(lines, sections, maxima)


def award(ledger: Ledger, context: RunContext) -> None:
    """Stars and awards by policy; a section none of whose items applies to
    the organisation neither earns a star nor asks for one."""
    awards = ledger.awards
    stars = awards.stars
    findings = ledger.sections_with_findings() if ledger.heavy or ledger.organisation.falsified else {}
    star_share = context.policy("star_threshold")
    applicable = context.registry.applicable_sections(ledger.not_applicable) if ledger.not_applicable else None
    star_sections = 0
    performance_sections = []
    for result in ledger.sections.values():
        group = result.section.group
        if group == "performance":
            performance_sections.append(result)
            continue
        section_id = result.section.id
        if group != "party_building" or (applicable is not None and section_id not in applicable):
            continue
        star_sections += 1
        needed = star_needed(star_share, result.max)
        if section_id in findings:
            withhold_for_finding(awards, section_id, *findings[section_id])
        elif result.score >= needed:
            stars.append(section_id)
        else:
            withhold_below(awards, section_id, result.score, needed)
    awards.party_building_excellence = star_sections > 0 and len(stars) == star_sections

    performance_points = context.policy("performance_threshold")
    performance_ok = bool(performance_sections)
    for result in performance_sections:
        section_id = result.section.id
        if section_id in findings:
            withhold_for_finding(awards, section_id, *findings[section_id])
            performance_ok = False
        elif result.score < performance_points:
            withhold_below(awards, section_id, result.score, performance_points)
            performance_ok = False
    awards.performance_excellence = performance_ok

    both = awards.party_building_excellence and awards.performance_excellence
    awards.five_star = both and context.award_year
    if both and not context.award_year:
        awards.withhold("five_star", "not an award year (备注1: 两年一评)", "not_award_year")


@lru_cache(maxsize=256)
def star_needed(share: Decimal, maximum: Decimal) -> Decimal:
    """The score a star needs. A cohort has a few maxima and one share, so
    each product is made once, and its text (``fmt``, by value) looked up by
    a hash Python keeps on the object; equal values give equal results,
    whatever their representation."""
    return share * maximum


def withhold_for_finding(awards: Awards, section_id: str, kind: str, item_id: str) -> None:
    awards.withhold(section_id, f"{kind} item {item_id}", kind, item=item_id)


def withhold_below(awards: Awards, section_id: str, score: Decimal, needed: Decimal) -> None:
    """Recorded without keyword values (:meth:`Awards.record`): most
    organisations miss a star or two, and gathering them was a third of the
    rate step."""
    shown, wanted = fmt(score), fmt(needed)
    awards.record(section_id, f"{shown} < {wanted}", "below", {"score": shown, "needed": wanted})


def core_step(work: Callable[[Ledger, RunContext], None]) -> Any:
    """A hook wrapper that does the core's ``work`` and then yields to the
    plugins; the work is named on it (``core_step``) for
    :mod:`fivestar.stepcalls`."""

    def wrapper(ledger: Ledger, context: RunContext) -> Generator[None, None, None]:
        work(ledger, context)
        return (yield)

    wrapper.core_step = work  # type: ignore[attr-defined]
    return wrapper


assess_score = hookimpl(wrapper=True, tryfirst=True)(core_step(score_items))
assess_penalise = hookimpl(wrapper=True, tryfirst=True)(core_step(apply_findings))
assess_cap = hookimpl(wrapper=True, tryfirst=True)(core_step(sum_sections))
assess_rate = hookimpl(wrapper=True, tryfirst=True)(core_step(award))
