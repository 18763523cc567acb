"""The few reusable rule shapes that most items of the standard are.

A rule computes an item's *raw* value from the facts of the item's section;
the core then applies the item's floor (0, "扣完为止") and ceiling (its
points). ``evaluate`` returns the raw value and a small trace; ``explain``
turns the trace into the formula with the organisation's figures, only when
someone asks; ``describe`` gives the formula in general terms for the
catalogue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from fivestar.numbers import ZERO, dec, fmt, fmt_signed

if TYPE_CHECKING:
    from fivestar.context import ScoringContext
    from fivestar.model import Item

Values = Mapping[str, Any]
Basis = str | Callable[[], str] | Callable[["Words"], str]
"""The formula with an organisation's figures, or a function that writes it
(given the :class:`Words` of the report, if it takes an argument)."""


def show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, Decimal):
        return fmt_signed(value)
    return str(value)


class Words:
    """How a basis names facts, values and its phrases. These defaults write
    the machine names (the JSON result's basis); a report passes the words
    of its language (``fivestar.report.view.ReportWords``)."""

    def fact(self, name: str) -> str:
        return name

    def value(self, value: object) -> str:
        return show(value)

    def figure(self, name: str, value: object) -> str:
        """A count or amount in a formula, with the fact it comes from."""
        return str(value)

    def term(self, word: str) -> str:
        """A word a fact holds (a level, a form), unquoted."""
        return word

    def phrase(self, key: str, default: str, **values: Any) -> str:
        """A phrase of the vocabulary; ``default`` is its plain text."""
        return default.format(**values) if values else default

    def aside(self, text: str) -> str:
        """A remark after a figure, in the language's brackets."""
        return f"（{text}）"

    def then(self, text: str) -> str:
        """A further remark after the formula."""
        return f"；{text}"


PLAIN = Words()


class Rule:
    """Base of the rule shapes."""

    def evaluate(self, item: Item, values: Values, context: ScoringContext) -> tuple[Decimal, Any]:
        raise NotImplementedError

    def deciding_facts(self) -> tuple[str, ...]:
        """The facts whose values alone decide :meth:`evaluate` (not the
        organisation, the context or any other fact), or () if others do.
        The score step then remembers each set of values' result
        (:mod:`fivestar.plan`); a subclass that evaluates otherwise must say ()."""
        return ()

    def explain(self, trace: Any, raw: Decimal, words: Words = PLAIN) -> str:
        raise NotImplementedError

    def describe(self, item: Item) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Flag(Rule):
    """The item's points if a true/false fact is true."""

    fact: str

    def evaluate(self, item: Item, values: Values, context: ScoringContext) -> tuple[Decimal, Any]:
        value = values[self.fact]
        return (item.points if value else ZERO), value  # type: ignore[return-value]

    def explain(self, trace: Any, raw: Decimal, words: Words = PLAIN) -> str:
        return f"{words.fact(self.fact)} = {words.value(trace)} → {fmt_signed(raw)}"

    def describe(self, item: Item) -> str:
        return f"{fmt(item.points or ZERO)} if {self.fact}, else 0"


@dataclass(frozen=True)
class AllFlags(Rule):
    """The item's points if every one of several true/false facts is true."""

    facts: tuple[str, ...]

    def evaluate(self, item: Item, values: Values, context: ScoringContext) -> tuple[Decimal, Any]:
        found = tuple(values[name] for name in self.facts)
        return (item.points if all(found) else ZERO), found  # type: ignore[return-value]

    def deciding_facts(self) -> tuple[str, ...]:
        return self.facts if type(self).evaluate is AllFlags.evaluate else ()

    def explain(self, trace: Any, raw: Decimal, words: Words = PLAIN) -> str:
        shown = words.phrase("list", ", ").join(
            f"{words.fact(name)} = {words.value(value)}" for name, value in zip(self.facts, trace, strict=False)
        )
        return f"{shown} → {fmt_signed(raw)}"

    def describe(self, item: Item) -> str:
        return f"{fmt(item.points or ZERO)} if " + " and ".join(self.facts) + ", else 0"


@dataclass(frozen=True)
class Linear(Rule):
    """start + Σ weight × count, then the item's floor and ceiling.

    Covers "每次1分" (weight 1, ceiling the points), "每次扣0.5分，扣完为止"
    (start at the points, weight −0.5) and mixes of both ("每次1.5分，未落实的
    每项扣0.2分").
    """

    terms: tuple[tuple[Decimal, str], ...]
    start: Decimal = ZERO

    @classmethod
    def of(cls, *terms: tuple[str | int, str], start: str | int = 0) -> Linear:
        return cls(tuple((dec(weight), name) for weight, name in terms), dec(start))

    def evaluate(self, item: Item, values: Values, context: ScoringContext) -> tuple[Decimal, Any]:
        raw = self.start
        counts = []
        for weight, name in self.terms:
            count = values[name]
            counts.append(count)
            raw += weight * count
        return raw, counts

    def deciding_facts(self) -> tuple[str, ...]:
        return tuple(name for _weight, name in self.terms) if type(self).evaluate is Linear.evaluate else ()

    def explain(self, trace: Any, raw: Decimal, words: Words = PLAIN) -> str:
        parts: list[str] = [fmt(self.start)] if self.start else []
        for (weight, name), count in zip(self.terms, trace, strict=False):
            term = f"{fmt(abs(weight))}×{words.figure(name, count)}"
            if not parts:
                parts.append(term if weight >= 0 else f"−{term}")
            else:
                parts.append(("+ " if weight >= 0 else "− ") + term)
        return " ".join(parts) + f" = {fmt_signed(raw)}"

    def describe(self, item: Item) -> str:
        parts: list[str] = [fmt(self.start)] if self.start else []
        for weight, name in self.terms:
            term = f"{fmt(abs(weight))}·{name}"
            if not parts:
                parts.append(term if weight >= 0 else f"−{term}")
            else:
                parts.append(("+ " if weight >= 0 else "− ") + term)
        if item.points is None:
            return f"max({' '.join(parts)}, 0)"
        return f"clamp({' '.join(parts)}, 0, {fmt(item.points)})"


@dataclass(frozen=True)
class Levels(Rule):
    """Points by the word a fact holds: a grade ("参与争创1分，入选1分") or a
    rating ("优秀10，良好8")."""

    fact: str
    points: tuple[tuple[str, Decimal], ...]

    @classmethod
    def of(cls, fact: str, **points: str | int) -> Levels:
        return cls(fact, tuple((level, dec(value)) for level, value in points.items()))

    @cached_property
    def by_level(self) -> dict[str, Decimal]:
        return dict(self.points)

    def evaluate(self, item: Item, values: Values, context: ScoringContext) -> tuple[Decimal, Any]:
        value = values[self.fact]
        return self.by_level[value], value

    def deciding_facts(self) -> tuple[str, ...]:
        return (self.fact,) if type(self).evaluate is Levels.evaluate else ()

    def explain(self, trace: Any, raw: Decimal, words: Words = PLAIN) -> str:
        return f"{words.fact(self.fact)} = {words.value(trace)} → {fmt_signed(raw)}"

    def describe(self, item: Item) -> str:
        mapping = ", ".join(f"{level} = {fmt(value)}" for level, value in self.points)
        return f"by {self.fact}: {mapping}"


@dataclass(frozen=True)
class Custom(Rule):
    """An odd item with a function of its own.

    ``function(values, context)`` returns the raw value and the basis: the
    formula with the organisation's figures, as text or as a function that
    makes the text when somebody reads it (cheaper on a large cohort).
    """

    function: Callable[[Values, ScoringContext], tuple[Decimal, Basis]]
    description: str
    basis_by_facts: bool = False
    """True where the function's result and basis follow from the item's
    facts' values and the run (its year, policies and cohort figures) alone,
    never from anything else of the organisation: the JSON result then
    writes each line's text once per set of values, as it does for the
    other shapes (the score is still computed for every organisation, so
    that ``assess whatif`` sees which policies it reads)."""

    def evaluate(self, item: Item, values: Values, context: ScoringContext) -> tuple[Decimal, Any]:
        return self.function(values, context)

    def explain(self, trace: Any, raw: Decimal, words: Words = PLAIN) -> str:
        if not callable(trace):
            return str(trace)
        takes_words = getattr(getattr(trace, "__code__", None), "co_argcount", 0) > 0
        return trace(words) if takes_words else trace()

    def describe(self, item: Item) -> str:
        return self.description
