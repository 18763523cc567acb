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

import dataclasses
import itertools
import linecache
import weakref
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import cache, lru_cache, partial
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


class Remembered(dict[tuple[Any, ...], Result]):
    """An item's results by the values of the facts that decide its rule
    (:meth:`fivestar.rules.Rule.deciding_facts`) and their classes, the key
    ``(class, value, class, value, …)``, fact by fact in order (``True == 1``,
    but they read differently in the basis): a flat tuple, which hashes and
    compares in one pass. A result is evaluated the first time its values
    are met; a list trace is kept as a tuple, as organisations with equal
    values share it. ``key`` makes the key from a section's values."""

    def __init__(self, item: Item, facts: tuple[str, ...]) -> None:
        super().__init__()
        self.item = item
        self.facts = facts
        self.key: Callable[[dict[str, Any]], tuple[Any, ...]] = partial(key_function(len(facts)), *facts)

    def __missing__(self, key: tuple[Any, ...]) -> Result:
        result = self.evaluated(key)
        if len(self) < REMEMBERED_LIMIT and REMEMBERED_KINDS.issuperset(key[0::2]):
            self[key] = result
        return result

    def evaluated(self, key: tuple[Any, ...]) -> Result:
        """The result of the values of ``key``, evaluated (also for values
        that cannot be remembered, such as a list, which has no hash)."""
        item = self.item
        values = dict(zip(self.facts, key[1::2], strict=True))
        raw, trace = item.rule.evaluate(item, values, None)  # type: ignore[arg-type]
        if trace.__class__ is list:
            trace = tuple(trace)
        return raw, clamp(raw, item.points), trace


def key_expression(facts: Sequence[str]) -> str:
    """The text of :class:`Remembered`'s key of the facts named by the
    expressions ``facts``, read from ``values`` (each value read once, into
    ``v0``, ``v1``, …)."""
    return ", ".join(f"(v{index} := values[{fact}]).__class__, v{index}" for index, fact in enumerate(facts))


@cache
def key_function(count: int) -> Callable[..., tuple[Any, ...]]:
    """``key(fact_0, …, values)``: the key of ``count`` facts, one function
    for every item of that many deciding facts (a plan of thousands of
    items has a few of them, not thousands)."""
    names = [f"f{index}" for index in range(count)]
    function = GeneratedFunction()
    function.body = ["return " + key_expression(names)]
    return function.make("key", ", ".join([*names, "values"]))


def plan_entry(item: Item, status: str | None) -> PlanEntry:
    """What the score step does for ``item`` (``status``: "disabled" for an
    item the run config turns off; whether an item with a scope applies is
    the scorer's to look up, organisation by organisation):

    - a plain flag: ``fact`` is its fact and ``how`` None, scored inline;
    - a rule decided by its facts' values: ``how`` is its :class:`Remembered`
      results and ``fact`` the facts' names;
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
        return item.id, item, facts, Remembered(item, facts), item.points
    if type(rule).evaluate is Custom.evaluate:
        return item.id, item, None, rule.function, item.points  # type: ignore[attr-defined]
    return item.id, item, None, partial(rule.evaluate, item), item.points


Scorer = Callable[[dict[str, dict[str, Any]], dict[str, Any], Any, frozenset[str]], None]
"""A plan made a function: ``scorer(facts, lines, scoring, not_applicable)``
fills ``lines`` (item id → ItemResult) from an organisation's facts, the
items ``not_applicable`` (不适用 to it) not scored."""

COMPILE_AFTER = 2_000
"""Organisations a process scores with the loop (:func:`interpreted_plan`)
before the plan is compiled (:func:`compile_plan`). Compiling the 2020
edition's plan takes some 4 ms and saves some 6 µs an organisation (26
against 20 µs, measured on the generated cohort): a small cohort would
lose by it, and a worker of a run of 2,000 scores about 1,000."""

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
        self.names: dict[int, str] = {}
        self.body: list[str] = []

    def constant(self, value: Any) -> str:
        """The name of ``value`` in the function (one name for one object)."""
        name = self.names.get(id(value))
        if name is None:
            name = self.names[id(value)] = f"c{len(self.constants)}"
            self.constants.append(value)
        return name

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


@lru_cache(maxsize=64)
def made_by_fields(cls: Any) -> tuple[Any, ...] | None:
    """The fields of ``cls`` when an instance can be made by setting them
    one by one on ``object.__new__(cls)``, exactly as ``cls(...)`` makes it:
    a dataclass whose ``__init__`` only stores its arguments (no
    ``__post_init__``, not frozen, no default factory, and an instance made
    by the call of one new object for each field holds those objects and
    nothing else: an ``__init__`` written by hand, which ``dataclass`` keeps,
    and which converts or checks, fails this). None for any other class.
    Asked once per class (a plan asks for each of its lines)."""
    if not isinstance(cls, type) or "__dataclass_fields__" not in vars(cls) or cls.__new__ is not object.__new__:
        return None
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    if not params.init or params.frozen or hasattr(cls, "__post_init__"):
        return None
    fields = dataclasses.fields(cls)
    if any(not field.init or field.default_factory is not dataclasses.MISSING for field in fields):
        return None
    probes = [object() for _ in fields]
    try:
        made = cls(*probes)
    except Exception:
        return None
    if any(getattr(made, field.name, None) is not probe for field, probe in zip(fields, probes, strict=True)):
        return None
    if set(getattr(made, "__dict__", ())) - {field.name for field in fields}:
        return None
    return fields


def instance_statements(
    name: str, cls: Any, arguments: Sequence[str], constant: Callable[[Any], str], inline: bool = True
) -> list[str]:
    """Statements that leave in ``name`` what ``cls(*arguments)`` makes. A
    class that :func:`made_by_fields` allows is made without the call
    (unless not ``inline``): a call of a class runs its ``__init__`` in a
    frame of its own, some 50 ns of the 130 that making an item's line
    takes, for every item of every organisation; the new object's fields
    are set in the caller's frame."""
    fields = made_by_fields(cls) if inline else None
    if (
        fields is None
        or len(arguments) > len(fields)
        or any(field.default is dataclasses.MISSING for field in fields[len(arguments) :])
    ):
        return [f"{name} = {constant(cls)}({', '.join(arguments)})"]
    given = [*arguments, *(constant(field.default) for field in fields[len(arguments) :])]
    settings = [f"{name}.{field.name} = {value}" for field, value in zip(fields, given, strict=True)]
    return [f"{name} = new({constant(cls)})", *settings]


def interpreted_plan(plan: list[tuple[str, list[PlanEntry]]], line: type, owners: dict[str, str]) -> Scorer:
    """The plan as a loop over its entries, each doing what :func:`plan_entry`
    says, an item with a scope looked up in ``not_applicable``: what scores
    an organisation until :func:`compile_plan`'s function is worth its
    making (see :class:`PlanScorer`), and what that function must equal (a
    test compares them)."""
    zero = ZERO

    def score_plan(
        facts: dict[str, dict[str, Any]], lines: dict[str, Any], scoring: Any, not_applicable: frozenset[str]
    ) -> None:
        item_id = ""
        try:
            for section, entries in plan:
                values = facts[section]
                for item_id, item, fact, how, ceiling in entries:
                    if (
                        not_applicable
                        and item_id in not_applicable
                        and item.scope is not None
                        and how.__class__ is not str
                    ):
                        lines[item_id] = line(item, zero, zero, None, "not_applicable", item.scope.describe())
                        continue
                    if how is None:
                        value = values[fact]
                        points = ceiling if value else zero
                        lines[item_id] = line(item, points, points, value, "scored", "", points)
                        continue
                    if fact is not None:
                        decided_by = how.key(values)
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
                    points = clamp(raw, ceiling)
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
    organisation, whichever items apply to it). An entry that raises is the
    fault of the plugin that declared its item."""
    function = GeneratedFunction()
    constant = function.constant
    body = ["at = -1", "try:"]
    ids: list[str] = []
    inline = sum(len(entries) for _section, entries in plan) <= INLINE_LINES_UP_TO
    for section, entries in plan:
        body.append(f"    values = facts[{constant(section)}]")
        for item_id, item, fact, how, ceiling in entries:
            position = f"at = {len(ids)}"
            ids.append(item_id)
            key, declared = constant(item_id), constant(item)

            def line_of(*arguments: str) -> list[str]:
                made = instance_statements("made", line, [declared, *arguments], constant, inline)  # noqa: B023
                return [*made, f"lines[{key}] = made"]  # noqa: B023

            steps: list[str] = []
            if how is None:
                steps += [
                    f"value = values[{constant(fact)}]",
                    f"points = {constant(ceiling)} if value else zero",
                    *line_of("points", "points", "value", '"scored"', '""', "points"),
                ]
            elif fact is not None:
                steps.append("decided_by = " + key_expression([constant(name) for name in fact]))
                results = constant(how)
                steps += [
                    "try:",
                    f"    raw, points, trace = {results}[decided_by]",
                    "except TypeError:  # a value without a hash (a list)",
                    f"    raw, points, trace = {results}.evaluated(decided_by)",
                    *line_of("points", "raw", "trace", '"scored"', '""', "points"),
                ]
            elif how.__class__ is str:
                steps += line_of("zero", "zero", "None", constant(how), '""')
            else:
                steps += [f"raw, trace = {constant(how)}(values, scoring)", "points = raw"]
                if ceiling is None:
                    steps.append("if points < zero: points = zero")
                else:
                    top = constant(ceiling)
                    steps += ["if points < zero: points = zero", f"elif points > {top}: points = {top}"]
                steps += line_of("points", "raw", "trace", '"scored"', '""', "points")
            if item.scope is not None and how.__class__ is not str:
                scope_note = f"{declared}.scope.describe()"
                steps = [
                    f"if not_applicable and {key} in not_applicable:",
                    *(f"    {step}" for step in line_of("zero", "zero", "None", '"not_applicable"', scope_note)),
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
    return function.make("score_plan", parameters, new=object.__new__, zero=ZERO, fault=fault)  # type: ignore[no-any-return]


INLINE_LINES_UP_TO = 2_000
"""Items of a plan up to which :func:`compile_plan` makes each line in its own
frame (:func:`instance_statements`). A line made so is ten statements where
a call is one: for a plan of many thousand items (a province whose
departments each have an item of their own) the longer function scored an
organisation more slowly than the calls (20,000 items: some 25 against
10 ms), where the 2020 edition's 71 gain 50 ns a line."""

TERMS_PER_LINE = 100
"""Items a statement of the section sums adds: one expression of a few
thousand terms is nested too deep for Python to compile (a section of
many departments' own items), and a statement per item would cost a
store and a load each."""


def compile_section_sums(section_plan: Sequence[tuple[Any, tuple[str, ...]]], result: type) -> SectionSums:
    """Each section's sum of its items' points under its maximum, as one
    function (:class:`GeneratedFunction`): ``sections[id] = result(section,
    claimed, score, maximum, item_ids, lines)``, the result made as
    :func:`instance_statements` makes it. The sum starts at zero and adds
    the items in order, as a loop would (the same decimal, to the exponent),
    :data:`TERMS_PER_LINE` to a statement."""
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
        arguments = [constant(section), "claimed", "maximum if maximum < claimed else claimed", "maximum"]
        function.body += instance_statements("made", result, [*arguments, constant(item_ids), "lines"], constant)
        function.body.append(f"sections[{key}] = made")
    return function.make("section_sums", "lines, sections, maxima", new=object.__new__, zero=ZERO)  # type: ignore[no-any-return]
