"""What if the committee read the standard another way? The cohort is read
once and scored under the config's policies and under each changed set
(``--policy KEY=VALUE``, several values of one key make a sweep); the
comparison says who moves, why, and what it does to the awards.

Reading the evidence is most of a run's time, and it does not depend on the
policies that only the scoring steps consult. The policies are watched while
the evidence is read: a scenario that changes a policy some organisation's
collect or validate step actually read is read again under that scenario,
so that the answer is always the one a full run would give.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from fivestar.context import RunContext
from fivestar.logs import get_logger
from fivestar.manager import PluginManager
from fivestar.model import InputError, Ledger, Problem
from fivestar.numbers import fmt
from fivestar.pipeline import COMMAND_LINE, RunResult, parse_policies, read_cohort, score_again, score_cohort
from fivestar.report import ranks

log = get_logger(__name__)

AWARD_FLAGS = ("party_building_excellence", "performance_excellence", "five_star")


# --------------------------------------------------------------------------
# --policy KEY=VALUE[,VALUE...]
# --------------------------------------------------------------------------


def option_value(text: str) -> Any:
    """A value written on the command line, read as the config would read it
    (``0.85`` an exact decimal, ``18`` a whole number, ``true`` a boolean);
    anything that is not a TOML value is text (``zero``, ``hours-split``)."""
    text = text.strip()
    try:
        return tomllib.loads(f"value = {text}", parse_float=Decimal)["value"]
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return text


def policy_options(options: Iterable[str]) -> dict[str, list[Any]]:
    """``KEY=VALUE[,VALUE...]`` options as key → values, in the order given;
    a malformed option is a problem of the command line."""
    values: dict[str, list[Any]] = {}
    problems = []
    for option in options:
        key, equals, text = option.partition("=")
        key = key.strip()
        pieces = text.split(",") if equals else []
        if not key or not equals or not all(piece.strip() for piece in pieces):
            problems.append(
                Problem("error", COMMAND_LINE, "policy", key, "KEY=VALUE or KEY=VALUE,VALUE,...", f'"{option}"')
            )
            continue
        values.setdefault(key, []).extend(option_value(piece) for piece in pieces)
    if problems:
        raise InputError(problems)
    return values


def one_value_each(options: dict[str, list[Any]]) -> dict[str, Any]:
    """The options of ``assess run``: one value per key."""
    several = [key for key, values in options.items() if len(values) > 1]
    if several:
        raise InputError(
            [
                Problem(
                    "error",
                    COMMAND_LINE,
                    "policy",
                    key,
                    "one value for a run (several values make a sweep: assess whatif)",
                    f"{len(options[key])} values",
                )
                for key in several
            ]
        )
    return {key: values[0] for key, values in options.items()}


@dataclass(frozen=True)
class Plan:
    """The scenarios to score: each one's changed policies (parsed), and the
    key swept, if one key was given several values."""

    scenarios: list[dict[str, Any]]
    sweep: str | None = None


def plan(context: RunContext, options: dict[str, list[Any]]) -> Plan:
    """Every scenario of the options, each value checked as the config's
    ``[policy]`` is checked (the same errors, naming the command line)."""
    registry = context.registry
    problems: list[Problem] = []
    parsed: dict[str, list[Any]] = {}
    for key, values in options.items():
        parsed[key] = []
        for value in values:
            try:
                parsed[key].append(parse_policies(registry, {key: value}, COMMAND_LINE, base={})[key])
            except InputError as error:
                problems += [problem for problem in error.problems if problem not in problems]
    swept = [key for key, values in options.items() if len(values) > 1]
    if len(swept) > 1:
        problems.append(
            Problem(
                "error",
                COMMAND_LINE,
                "policy",
                swept[1],
                f"several values for one key only (the sweep is over {swept[0]})",
                f"several values for {', '.join(swept)}",
            )
        )
    if not options:
        problems.append(Problem("error", COMMAND_LINE, "policy", "", "at least one --policy KEY=VALUE", "none"))
    if problems:
        raise InputError(problems)
    fixed = {key: values[0] for key, values in parsed.items() if len(values) == 1}
    if not swept:
        return Plan([fixed])
    key = swept[0]
    return Plan([{**fixed, key: value} for value in parsed[key]], key)


# --------------------------------------------------------------------------
# Scoring the scenarios from one reading
# --------------------------------------------------------------------------


class WatchedPolicies(dict):
    """The policies in force, noting every key read: while the evidence is
    read, while one organisation is scored (by the rate step, or by another
    step) or elsewhere while scoring (the cohort figures, anything outside a
    step of one organisation). A plugin reads them as ``context.policy(key)``
    or ``context.policies[key]``."""

    def __init__(self, values: dict[str, Any]) -> None:
        super().__init__(values)
        self.phase = READING
        self.organisation: str | None = None
        self.read: dict[str, set[str]] = {READING: set(), SCORING: set()}
        self.by_organisation: dict[str, dict[str, set[str]]] = {SCORING: {}, RATING: {}}

    def note(self, keys: Iterable[str]) -> None:
        if self.organisation is None:
            self.read[READING if self.phase == READING else SCORING].update(keys)
        else:
            self.by_organisation[self.phase].setdefault(self.organisation, set()).update(keys)

    def __getitem__(self, key: str) -> Any:
        self.note((key,))
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.note((key,))
        return super().get(key, default)

    def __iter__(self) -> Iterator[str]:
        self.note(self.keys())
        return super().__iter__()

    def items(self) -> Any:
        self.note(self.keys())
        return super().items()

    def values(self) -> Any:
        self.note(self.keys())
        return super().values()

    def readers(self, phase: str, keys: set[str]) -> set[str]:
        """The organisations that read any of ``keys`` in ``phase`` while scored."""
        return {org_id for org_id, read in self.by_organisation[phase].items() if read & keys}


READING, SCORING, RATING = "reading", "scoring", "rating"
"""What a scenario repeats, from the least to the most: the rate step of the
organisations that read a changed policy there (``rating``), every scoring
step of those that read one while scored (``scoring``), or reading the
evidence and scoring everyone (``reading``); ``nothing`` when it changes no
policy in force. A changed policy read by the cohort figures, or anywhere
else while scoring, means scoring everyone again (``scoring``)."""


def watch_steps(pm: PluginManager, watched: WatchedPolicies) -> Callable[[], None]:
    """While scoring, note which organisation a step is scoring (a hook
    called with its ledger) and whether it is the rate step; returns the undo."""

    def before(hook_name: str, hook_impls: Any, kwargs: Any) -> None:
        ledger = kwargs.get("ledger")
        watched.organisation = ledger.organisation.id if ledger is not None else None
        watched.phase = RATING if hook_name == "assess_rate" else SCORING

    def after(outcome: Any, hook_name: str, hook_impls: Any, kwargs: Any) -> None:
        watched.organisation, watched.phase = None, SCORING

    watched.phase = SCORING
    return pm.add_hookcall_monitoring(before, after)


@dataclass(frozen=True)
class Standing:
    """Where an organisation stands in one scenario."""

    name: str
    total: Decimal | None
    rank: int | None
    stars: tuple[str, ...] = ()
    awards: tuple[str, ...] = ()
    """Of :data:`AWARD_FLAGS`, those earned."""

    @property
    def scored(self) -> bool:
        return self.total is not None


@dataclass(frozen=True)
class Move:
    """An item or heavy deduction whose points moved."""

    id: str
    title: str
    title_en: str
    before: Decimal | None
    after: Decimal | None


@dataclass
class Change:
    """One organisation whose total, rank, stars or awards change, and why."""

    id: str
    before: Standing
    after: Standing
    items: list[Move] = field(default_factory=list)
    heavy: list[Move] = field(default_factory=list)
    withheld: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    """A star or award gained or lost → why it was withheld before / after."""
    reasons: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    """The same, as a phrase of the reports' vocabulary (see :class:`fivestar.model.Awards`)."""

    @property
    def delta(self) -> Decimal:
        if self.before.total is None or self.after.total is None:
            return Decimal(0)
        return self.after.total - self.before.total

    @property
    def honours_moved(self) -> int:
        before, after = self.before, self.after
        return len(set(before.stars) ^ set(after.stars)) + len(set(before.awards) ^ set(after.awards))


@dataclass
class Scenario:
    """One changed set of policies and what it does to the cohort."""

    changes: dict[str, Any]
    policies: dict[str, Any]
    standings: dict[str, Standing]
    moved: list[Change]
    repeated: str = SCORING
    """What was done again for this scenario: see :data:`READING`."""
    scored_again: int = 0
    """How many organisations were scored (or only rated) again for it."""

    @property
    def reread(self) -> bool:
        return self.repeated == READING


@dataclass
class WhatIf:
    """The config's run and every scenario against it."""

    before: RunResult
    standings: dict[str, Standing]
    scenarios: list[Scenario]
    sweep: str | None = None


def standings(result: RunResult) -> dict[str, Standing]:
    ranked = ranks(result.totals_by_id())
    table = {}
    for organisation in result.organisations:
        ledger = result.ledgers.get(organisation.id) if organisation.valid else None
        if ledger is None:
            table.setdefault(organisation.id, Standing(organisation.name, None, None))
            continue
        awards = ledger.awards
        table[organisation.id] = Standing(
            organisation.name,
            ledger.total,
            ranked[organisation.id],
            tuple(awards.stars),
            tuple(flag for flag in AWARD_FLAGS if getattr(awards, flag)),
        )
    return table


def moved_lines(before: Ledger | None, after: Ledger | None) -> tuple[list[Move], list[Move]]:
    """The items and heavy deductions whose points differ."""
    if before is None or after is None or before.items is after.items:
        return [], []
    items = []
    for item_id, line in after.items.items():
        old = before.items.get(item_id)
        if old is None or old.points != line.points:
            item = line.item
            items.append(Move(item_id, item.title, item.title_en, old.points if old else None, line.points))
    heavy_before = {deduction.item.id: deduction for deduction in before.heavy}
    heavy_after = {deduction.item.id: deduction for deduction in after.heavy}
    heavy = []
    for heavy_id in dict.fromkeys([*heavy_before, *heavy_after]):
        old, new = heavy_before.get(heavy_id), heavy_after.get(heavy_id)
        if (old and old.points) != (new and new.points):
            item = (new or old).item  # type: ignore[union-attr]
            heavy.append(
                Move(heavy_id, item.title, item.title_en, old.points if old else None, new.points if new else None)
            )
    return items, heavy


def compare(before: RunResult, after: RunResult, old: dict[str, Standing], new: dict[str, Standing]) -> list[Change]:
    """Every organisation whose total, rank, stars or awards change, largest
    movers first (then the most stars and awards moved, the largest change
    of rank, the id)."""
    changes = []
    for org_id, standing in new.items():
        previous = old.get(org_id)
        if previous is None or previous == standing:
            continue
        ledger_before, ledger_after = before.ledgers.get(org_id), after.ledgers.get(org_id)
        items, heavy = moved_lines(ledger_before, ledger_after)
        change = Change(org_id, previous, standing, items, heavy)
        if ledger_before is not None and ledger_after is not None:
            awards_before, awards_after = ledger_before.awards, ledger_after.awards
            withheld_before, withheld_after = awards_before.withheld, awards_after.withheld
            for key in sorted(set(withheld_before) ^ set(withheld_after)):
                change.withheld[key] = (withheld_before.get(key), withheld_after.get(key))
                reason = (awards_after if key in withheld_after else awards_before).reasons.get(key)
                if reason is not None:
                    change.reasons[key] = reason
        changes.append(change)

    def order(change: Change) -> tuple[Any, ...]:
        rank_move = abs((change.after.rank or 0) - (change.before.rank or 0))
        return (-abs(change.delta), -change.honours_moved, -rank_move, change.id)

    return sorted(changes, key=order)


def what_if(
    files: Sequence[Path],
    pm: PluginManager,
    context: RunContext,
    scenarios: Sequence[dict[str, Any]],
    sweep: str | None = None,
) -> WhatIf:
    """Read the cohort once, score it under ``context``'s policies and under
    each scenario's changes, and compare.

    A scenario repeats only what its changes can alter: an organisation
    that read no changed policy while it was scored keeps its ledger; one
    that read one only in the rate step is rated again; one that read one
    in another step is scored again (with the cohort figures as they were).
    A changed policy that the cohort figures read means scoring everyone
    again, and one read while the evidence was read, reading it again.
    """
    policies_in_force = context.policies
    watched = WatchedPolicies(policies_in_force)
    context.policies = watched
    try:
        organisations = read_cohort(files, pm, context)
        undo = watch_steps(pm, watched)
        try:
            before = score_cohort(organisations, pm, context)
        finally:
            undo()
    finally:
        context.policies = policies_in_force
    old = standings(before)
    results = []
    for changes in scenarios:
        policies = {**context.policies, **changes}
        scenario_context = replace(context, policies=policies, cohort={})
        differs = {key for key, value in changes.items() if context.policies.get(key) != value}
        if not differs:
            repeated, again, after = "nothing", 0, before
        elif differs & watched.read[READING]:
            log.info("evidence_reread", policies=sorted(differs & watched.read[READING]))
            after = score_cohort(read_cohort(files, pm, scenario_context), pm, scenario_context)
            repeated, again = READING, len(after.organisations)
        elif differs & watched.read[SCORING]:
            after = score_cohort(organisations, pm, scenario_context)
            repeated, again = SCORING, len(after.ledgers)
        else:
            rescore = watched.readers(SCORING, differs)
            rerate = watched.readers(RATING, differs) - rescore
            repeated = SCORING if rescore else RATING if rerate else "nothing"
            again, after = len(rescore) + len(rerate), score_again(before, scenario_context, rescore, rerate)
        new = standings(after)
        results.append(Scenario(changes, policies, new, compare(before, after, old, new), repeated, again))
        log.info(
            "scenario_scored",
            changes=describe(changes),
            repeated=repeated,
            scored_again=again,
            moved=len(results[-1].moved),
        )
    return WhatIf(before, old, results, sweep)


def describe(changes: dict[str, Any]) -> str:
    return ", ".join(f"{key}={shown(value)}" for key, value in changes.items())


def shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return fmt(value)
    return str(value)


# --------------------------------------------------------------------------
# Summaries
# --------------------------------------------------------------------------


def award_counts(table: dict[str, Standing]) -> dict[str, int]:
    """Stars awarded in all, and how many organisations earn each award."""
    counts = {"stars": sum(len(standing.stars) for standing in table.values())}
    for flag in AWARD_FLAGS:
        counts[flag] = sum(flag in standing.awards for standing in table.values())
    return counts


def summary(before: dict[str, Standing], scenario: Scenario) -> dict[str, Any]:
    """How many change stars, gain or lose each award; counts before and after."""
    moved = scenario.moved
    counts_before, counts_after = award_counts(before), award_counts(scenario.standings)
    result: dict[str, Any] = {
        "scored": sum(standing.scored for standing in scenario.standings.values()),
        "changed": len(moved),
        "totals_changed": sum(change.before.total != change.after.total for change in moved),
        "stars_changed": sum(set(change.before.stars) != set(change.after.stars) for change in moved),
        "stars": {"before": counts_before["stars"], "after": counts_after["stars"]},
    }
    for flag in AWARD_FLAGS:
        result[flag] = {
            "before": counts_before[flag],
            "after": counts_after[flag],
            "gained": sum(flag in change.after.awards and flag not in change.before.awards for change in moved),
            "lost": sum(flag in change.before.awards and flag not in change.after.awards for change in moved),
        }
    return result


def margin(left: dict[str, Standing], right: dict[str, Standing]) -> list[tuple[str, Standing, Standing]]:
    """The organisations whose stars or awards differ between two
    neighbouring values of a sweep: those at the margin of the choice."""
    rows = []
    for org_id, standing in right.items():
        other = left.get(org_id)
        if other is not None and (set(other.stars), other.awards) != (set(standing.stars), standing.awards):
            rows.append((org_id, other, standing))
    return sorted(rows, key=lambda row: (-(row[2].total or 0), row[0]))
