"""The scoring plan: what the score step does for each item of a section.

Scoring a large cohort runs this for every item of every organisation, so
the plan settles once what can be settled: which items are plain flags
(scored inline), and which rules are decided by the values of their facts
alone, whose results are then remembered by those values (:class:`Remembered`).
One plan serves every organisation (an item with a scope looks itself up in
the organisation's items that do not apply). It is scored by a loop
(:func:`interpreted_plan`), and once a process has scored
:data:`COMPILE_AFTER` organisations by the plan written out as one function
(:func:`compile_plan`, :class:`PlanScorer`); the section sums are always
such a function (:func:`compile_section_sums`).
"""

from __future__ import annotations

import itertools
import linecache
import weakref
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from fivestar.faults import PluginFault
from fivestar.numbers import ZERO
from fivestar.rules import Custom, Flag

if TYPE_CHECKING:
    from fivestar.model import Item

PlanEntry = tuple[str, "Item", Any, Any, Decimal | None]
"""(id, item, fact, how, ceiling): see :func:`plan_entry`."""

Result = tuple[Decimal, Decimal, Any]
"""An item's raw value, points and trace."""

REMEMBERED_KINDS = frozenset({int, str, bool, type(None)})
"""The classes of fact values that results are remembered by: two equal
values of one of them read the same (``Decimal("1.0") == Decimal(1)`` do not,
so a result read from a decimal is not remembered)."""

REMEMBERED_LIMIT = 10_000
"""Remembered results per item; past this, further values are evaluated each time."""


def clamp(raw: Decimal, ceiling: Decimal | None) -> Decimal:
    """An item's points: its raw value between its floor (0, "扣完为止") and its ceiling."""
    if raw < ZERO:
        return ZERO
    if ceiling is not None and raw > ceiling:
        return ceiling
    return raw


class Remembered(dict[tuple[Any, Any], Result]):
    """An item's results by the values of the facts that decide its rule
    (:meth:`fivestar.rules.Rule.deciding_facts`) and their classes, the key
    ``(class, value)`` for one fact and ``(classes, values)`` for several
    (``True == 1``, but they read differently in the basis). A result is
    evaluated the first time its values are met; a list trace is kept as a
    tuple, as organisations with equal values share it."""

    def __init__(self, item: Item, facts: tuple[str, ...]) -> None:
        super().__init__()
        self.item = item
        self.facts = facts

    def __missing__(self, key: tuple[Any, Any]) -> Result:
        result = self.evaluated(key)
        kinds = key[0] if len(self.facts) > 1 else (key[0],)
        if len(self) < REMEMBERED_LIMIT and REMEMBERED_KINDS.issuperset(kinds):
            self[key] = result
        return result

    def evaluated(self, key: tuple[Any, Any]) -> Result:
        """The result of the values of ``key``, evaluated (also for values
        that cannot be remembered, such as a list, which has no hash)."""
        found = key[1] if len(self.facts) > 1 else (key[1],)
        item = self.item
        raw, trace = item.rule.evaluate(item, dict(zip(self.facts, found, strict=True)), None)  # type: ignore[arg-type]
        if trace.__class__ is list:
            trace = tuple(trace)
        return raw, clamp(raw, item.points), trace


def plan_entry(item: Item, status: str | None) -> PlanEntry:
    """What the score step does for ``item`` (``status``: "disabled" for an
    item the run config turns off; whether an item with a scope applies is
    the scorer's to look up, organisation by organisation):

    - a plain flag: ``fact`` is its fact and ``how`` None, scored inline;
    - a rule decided by its facts' values: ``how`` is its :class:`Remembered`
      results and ``fact`` the one fact, or for several an ``itemgetter`` of
      their values;
    - any other rule: no ``fact``, ``how`` is its evaluation as a function
      of (values, context): a :class:`Custom` rule's own function, or the
      rule's ``evaluate`` for the item;
    - an item not scored: no ``fact``, ``how`` is its status.
    """
    rule = item.rule
    if status is not None:
        return item.id, item, None, status, item.points
    if isinstance(rule, Flag) and type(rule).evaluate is Flag.evaluate and item.points is not None:
        return item.id, item, rule.fact, None, item.points
    facts = rule.deciding_facts()
    if facts:
        fact = facts[0] if len(facts) == 1 else itemgetter(*facts)
        return item.id, item, fact, Remembered(item, facts), item.points
    if type(rule).evaluate is Custom.evaluate:
        return item.id, item, None, rule.function, item.points  # type: ignore[attr-defined]
    return item.id, item, None, partial(rule.evaluate, item), item.points


Scorer = Callable[[dict[str, dict[str, Any]], dict[str, Any], Any, frozenset[str]], None]
"""A plan made a function: ``scorer(facts, lines, scoring, not_applicable)``
fills ``lines`` (item id → ItemResult) from an organisation's facts, the
items ``not_applicable`` (不适用 to it) not scored."""

COMPILE_AFTER = 2_000
"""Organisations a process scores with the loop (:func:`interpreted_plan`)
before the plan is compiled (:func:`compile_plan`). Compiling takes some
5 ms and saves some 3 µs an organisation: a small cohort would lose by it."""

SectionSums = Callable[[dict[str, Any], dict[str, Any], dict[str, Decimal]], None]
"""Compiled section sums: ``sums(lines, sections, maxima)`` (see :func:`compile_section_sums`)."""


class GeneratedFunction:
    """The text of a function written out for a plan, as :mod:`dataclasses`
    writes an ``__init__``: what the plan settled is bound as constants
    (``c0``, ``c1``, …), so that the function runs no loop over the plan and
    unpacks no entry. The text names only its own variables, never an id or
    a fact, whatever the plugins declared. The text is put where tracebacks
    read source lines (:mod:`linecache`, as long as the function lives), so
    that a plugin author sees the line that called the rule."""

    numbers = itertools.count()

    def __init__(self) -> None:
        self.constants: list[Any] = []
        self.body: list[str] = []

    def constant(self, value: Any) -> str:
        self.constants.append(value)
        return f"c{len(self.constants) - 1}"

    def make(self, name: str, parameters: str, **names: Any) -> Any:
        """The function ``name(parameters)``, seeing ``names`` and the constants."""
        outer = ", ".join([*names, *(f"c{index}" for index in range(len(self.constants)))])
        source = "\n".join(
            [
                f"def make({outer}):",
                f"    def {name}({parameters}):",
                *(f"        {statement}" for statement in self.body or ["pass"]),
                f"    return {name}",
            ]
        )
        filename = f"<fivestar {name} {next(self.numbers)}>"
        namespace: dict[str, Any] = {}
        exec(compile(source, filename, "exec"), namespace)
        function = namespace["make"](*names.values(), *self.constants)
        linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
        weakref.finalize(function, linecache.cache.pop, filename, None)
        return function


def interpreted_plan(plan: list[tuple[str, list[PlanEntry]]], line: type, owners: dict[str, str]) -> Scorer:
    """The plan as a loop over its entries, each doing what :func:`plan_entry`
    says, an item with a scope looked up in ``not_applicable``: what scores
    an organisation until :func:`compile_plan`'s function is worth its
    making (see :class:`PlanScorer`), and what that function must equal (a
    test compares them)."""
    zero = ZERO
    scoped = {item_id for _section, entries in plan for item_id, item, *_rest in entries if item.scope is not None}

    def score_plan(
        facts: dict[str, dict[str, Any]], lines: dict[str, Any], scoring: Any, not_applicable: frozenset[str]
    ) -> None:
        item_id = ""
        skipped = not_applicable & scoped if not_applicable else ()
        try:
            for section, entries in plan:
                values = facts[section]
                for item_id, item, fact, how, ceiling in entries:
                    if skipped and item_id in skipped and how.__class__ is not str:
                        lines[item_id] = line(item, zero, zero, None, "not_applicable", item.scope.describe())
                        continue
                    if how is None:
                        value = values[fact]
                        points = ceiling if value else zero
                        lines[item_id] = line(item, points, points, value, "scored", "", points)
                        continue
                    if fact is not None:
                        if fact.__class__ is str:
                            value = values[fact]
                            decided_by = value.__class__, value
                        else:
                            found = fact(values)
                            decided_by = tuple(map(type, found)), found
                        try:
                            raw, points, trace = how[decided_by]
                        except TypeError:  # a value without a hash (a list)
                            raw, points, trace = how.evaluated(decided_by)
                        lines[item_id] = line(item, points, raw, trace, "scored", "", points)
                        continue
                    if how.__class__ is str:
                        lines[item_id] = line(item, zero, zero, None, how, "")
                        continue
                    raw, trace = how(values, scoring)
                    points = raw
                    if points < zero:
                        points = zero
                    elif ceiling is not None and points > ceiling:
                        points = ceiling
                    lines[item_id] = line(item, points, raw, trace, "scored", "", points)
        except Exception as error:
            raise PluginFault(owners.get(item_id, "?"), "score", item_id) from error

    return score_plan


class PlanScorer:
    """The plan scored by the loop (:func:`interpreted_plan`), and from the
    :data:`COMPILE_AFTER`-th organisation this process scores on by the
    compiled function (:func:`compile_plan`): one scorer for every
    organisation of the run, whichever items apply to it."""

    def __init__(self, plan: list[tuple[str, list[PlanEntry]]], line: type, owners: dict[str, str]) -> None:
        self.plan, self.line, self.owners = plan, line, owners
        self.scored = 0
        self.function = interpreted_plan(plan, line, owners)

    def __call__(
        self, facts: dict[str, dict[str, Any]], lines: dict[str, Any], scoring: Any, not_applicable: frozenset[str]
    ) -> None:
        if self.scored < COMPILE_AFTER:
            self.scored += 1
            if self.scored == COMPILE_AFTER:
                self.function = compile_plan(self.plan, self.line, self.owners)
        self.function(facts, lines, scoring, not_applicable)


def compile_plan(plan: list[tuple[str, list[PlanEntry]]], line: type, owners: dict[str, str]) -> Scorer:
    """The plan as one function (:class:`GeneratedFunction`); scoring an
    organisation's items is the hot loop of a large cohort. What an entry
    does is :func:`plan_entry`'s: a plain flag (its fact true → its points),
    a rule decided by its facts' values (its :class:`Remembered` results), a
    disabled item (its status), any other rule evaluated and clamped to its
    floor and ceiling; an item with a scope looked up in ``not_applicable``,
    不适用 with the scope's text where it is there (one function for every
    set of items that apply: a cohort in which many departments have an item
    of their own has as many sets). An entry that raises is the fault of the
    plugin that declared its item."""
    function = GeneratedFunction()
    constant = function.constant
    body = ["at = -1", "try:"]
    ids: list[str] = []
    for section, entries in plan:
        body.append(f"    values = facts[{constant(section)}]")
        for item_id, item, fact, how, ceiling in entries:
            position = f"at = {len(ids)}"
            ids.append(item_id)
            key, declared = constant(item_id), constant(item)
            target = f"lines[{key}] = line({declared}, "
            steps: list[str] = []
            if how is None:
                steps += [
                    f"value = values[{constant(fact)}]",
                    f"points = {constant(ceiling)} if value else zero",
                    target + 'points, points, value, "scored", "", points)',
                ]
            elif fact is not None:
                if fact.__class__ is str:
                    steps += [f"value = values[{constant(fact)}]", "decided_by = value.__class__, value"]
                else:
                    steps += [f"found = {constant(fact)}(values)", "decided_by = tuple(map(type, found)), found"]
                results = constant(how)
                steps += [
                    "try:",
                    f"    raw, points, trace = {results}[decided_by]",
                    "except TypeError:  # a value without a hash (a list)",
                    f"    raw, points, trace = {results}.evaluated(decided_by)",
                    target + 'points, raw, trace, "scored", "", points)',
                ]
            elif how.__class__ is str:
                steps.append(target + f'zero, zero, None, {constant(how)}, "")')
            else:
                steps += [f"raw, trace = {constant(how)}(values, scoring)", "points = raw"]
                if ceiling is None:
                    steps.append("if points < zero: points = zero")
                else:
                    top = constant(ceiling)
                    steps += ["if points < zero: points = zero", f"elif points > {top}: points = {top}"]
                steps.append(target + 'points, raw, trace, "scored", "", points)')
            if item.scope is not None and how.__class__ is not str:
                steps = [
                    f"if not_applicable and {key} in not_applicable:",
                    f'    {target}zero, zero, None, "not_applicable", {declared}.scope.describe())',
                    "else:",
                    *(f"    {step}" for step in steps),
                ]
            body += [f"    {step}" for step in (position, *steps)]
    body += ["except Exception as error:", "    raise fault(at) from error"]
    function.body = body

    def fault(at: int) -> PluginFault:
        item_id = ids[at] if at >= 0 else ""
        return PluginFault(owners.get(item_id, "?"), "score", item_id)

    parameters = "facts, lines, scoring, not_applicable"
    return function.make("score_plan", parameters, line=line, zero=ZERO, fault=fault)  # type: ignore[no-any-return]


TERMS_PER_LINE = 100
"""Items a statement of the section sums adds: one expression of a few
thousand terms is nested too deep for Python to compile (a section of
many departments' own items), and a statement per item would cost a
store and a load each."""


def compile_section_sums(section_plan: Sequence[tuple[Any, tuple[str, ...]]], result: type) -> SectionSums:
    """Each section's sum of its items' points under its maximum, as one
    function (:class:`GeneratedFunction`): ``sections[id] = result(section,
    claimed, score, maximum, item_ids, lines)``. The sum starts at zero and
    adds the items in order, as a loop would (the same decimal, to the
    exponent), :data:`TERMS_PER_LINE` to a statement."""
    function = GeneratedFunction()
    constant = function.constant
    for section, item_ids in section_plan:
        key = constant(section.id)
        terms = [f"lines[{constant(item_id)}].points" for item_id in item_ids]
        function.body += [f"maximum = maxima[{key}]", "claimed = zero"]
        function.body += [
            "claimed = claimed + " + " + ".join(terms[start : start + TERMS_PER_LINE])
            for start in range(0, len(terms), TERMS_PER_LINE)
        ]
        function.body.append(
            f"sections[{key}] = result({constant(section)}, claimed, maximum if maximum < claimed else claimed, "
            f"maximum, {constant(item_ids)}, lines)"
        )
    return function.make("section_sums", "lines, sections, maxima", result=result, zero=ZERO)  # type: ignore[no-any-return]
