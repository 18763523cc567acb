"""What plugins declare (sections, items, heavy items, policies) and what a run
produces (organisations, problems, the ledger). Decimal everywhere."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from fivestar.facts import FactSpec, FactType
from fivestar.numbers import ZERO, fmt_signed
from fivestar.rules import PLAIN, Words

if TYPE_CHECKING:
    from fivestar.rules import Rule

SectionGroup = Literal["party_building", "performance", "bonus"]


# --------------------------------------------------------------------------
# Declarations
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A part of the standard with a table of facts in the evidence.

    ``group`` says what the section counts towards: the five stars of
    党建优 (``party_building``), 业绩优 (``performance``) or the bonus.
    ``cap`` is set where the section's maximum is not the sum of its items
    (the bonus: capped at 10).
    """

    id: str
    title: str
    title_en: str
    group: SectionGroup
    order: int
    cap: Decimal | None = None
    subtotals: tuple[tuple[str, Decimal], ...] = ()


@dataclass(frozen=True)
class Scope:
    """The organisations an item applies to: those named by id, and those
    whose ``[organisation] tags`` hold one of the tags. For any other
    organisation the item is 不适用: not scored, not in the section's
    maximum, and no missing-fact warning."""

    organisations: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()

    def applies(self, org_id: str, tags: frozenset[str]) -> bool:
        return org_id in self.organisations or not self.tags.isdisjoint(tags)

    def describe(self) -> str:
        """Whom it applies to, as the reason an item is 不适用 elsewhere."""
        return self.description

    @cached_property
    def description(self) -> str:
        """:meth:`describe`'s text, made once (it is every line of the item
        for the organisations it does not apply to)."""
        parts = []
        if self.organisations:
            parts.append("、".join(sorted(self.organisations)))
        if self.tags:
            parts.append("标签为" + "、".join(sorted(self.tags)) + "的组织")
        return "仅适用于" + "及".join(parts)


def scope(organisations: Iterable[str] = (), tags: Iterable[str] = ()) -> Scope | None:
    """A scope, or None (every organisation) when neither is given."""
    if isinstance(organisations, str) or isinstance(tags, str):
        raise TypeError("organisations and tags are lists of text, not one text")
    named, tagged = frozenset(organisations), frozenset(tags)
    return Scope(named, tagged) if named or tagged else None


@dataclass(frozen=True)
class Edition:
    """A rule set a run config can name. One that ``extends`` another
    inherits every section, item and heavy item of it (and of what it
    extends); its own plugins' declarations for it then add items, override
    them (``overrides=True``), and ``removes`` drops items or heavy items."""

    id: str
    extends: str | None = None
    removes: tuple[str, ...] = ()
    title: str = ""


@dataclass(frozen=True)
class Item:
    """One scored item of the standard.

    ``points`` is the item's ceiling (its floor is 0, "扣完为止"); a bonus
    item has no fixed points (``None``) and is bounded by its section's cap.
    """

    id: str
    section: str
    title: str
    title_en: str
    points: Decimal | None
    facts: tuple[FactSpec, ...]
    rule: Rule
    standard: str = ""
    subtotal: str = ""
    policies: tuple[str, ...] = ()
    overrides: bool | str = False
    """True to replace the declaration of this id another plugin made; the
    name of a plugin to replace the declaration of that plugin in particular
    (when several plugins override one item)."""
    scope: Scope | None = None
    """The organisations the item applies to; None for every organisation."""

    def fact_keys(self) -> list[str]:
        return [f"{self.section}.{spec.name}" for spec in self.facts]


@dataclass(frozen=True)
class HeavyItem:
    """A heavy deduction (重扣分项) of a section: 5..10 points off the total.

    A ``derived`` heavy item is found by a plugin (a cohort rule), never
    reported by the assessor.
    """

    id: str
    section: str
    title: str
    title_en: str
    derived: bool = False
    scope: Scope | None = None
    """The organisations it applies to; None for every organisation."""


@dataclass(frozen=True)
class Policy:
    """A named interpretation where the standard's text is ambiguous.

    ``parse`` turns a config value into the policy's value or raises
    ``ValueError`` whose text says what was expected.
    """

    key: str
    default: Any
    parse: Callable[[Any], Any]
    expected: str
    doc: str = ""


@dataclass(frozen=True)
class FormField:
    """One value of a list form: ``key`` is its place in the entry
    (``obligations.reports_heard`` for a nested table); ``many`` > 0 makes it
    a list of up to that many values (one row each)."""

    key: str
    type: FactType
    label: str
    label_en: str = ""
    required: str = ""
    many: int = 0


@dataclass(frozen=True)
class ListForm:
    """An evidence table of entries that is not a section (``[[duty_lists]]``),
    described so that templates and workbooks can offer it: one sheet per
    form, one column per entry; ``fixed`` are the values that say which
    entries belong to this form (``level = "unit_secretary"``); ``notes`` are
    shown under the inputs (the standard's text)."""

    table: str
    title: str
    title_en: str
    fixed: tuple[tuple[str, str], ...]
    fields: tuple[FormField, ...]
    notes: tuple[str, ...] = ()
    entries: int = 1

    def holds(self, entry: object) -> bool:
        return isinstance(entry, dict) and all(entry.get(key) == value for key, value in self.fixed)


@dataclass(frozen=True)
class OfficeFigure:
    """A figure only the office's records give, read by a plugin but scored
    by no item on its own: e.g. the official 行风评议 average of the city
    (``[cohort]``) or an organisation's official rank. ``key`` is written
    like a fact id ("performance.conduct_rank"); ``aliases`` are other
    column headers for it (e.g. 行风评议名次)."""

    key: str
    type: FactType
    doc: str = ""
    aliases: tuple[str, ...] = ()


# --------------------------------------------------------------------------
# Problems found in input
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """An error or warning about one place in one input file."""

    severity: Literal["error", "warning"]
    file: str
    table: str
    key: str
    expected: str
    found: str
    message: str = ""
    fault: str = ""
    """``"plugin"`` when a plugin's bug caused it (插件错误), not the evidence."""
    cell: str = ""
    """Where a workbook holds the value (``学习星!E7``): shown instead of table and key."""
    line: int | None = None
    """The line of the file the problem is about (TOML evidence), if known."""

    def at_line(self, line: int) -> Problem:
        """The same problem, about that line (``dataclasses.replace``, at a
        tenth of its cost: every missing fact of a cohort is located)."""
        located = object.__new__(Problem)
        vars(located).update(vars(self), line=line)
        return located

    @classmethod
    def error(
        cls, file: str, table: str = "", key: str = "", *, expected: str = "", found: str = "", message: str = ""
    ) -> Problem:
        """An error: the organisation (or the run, for a config) cannot be scored."""
        return cls("error", file, table, key, expected, found, message)

    @classmethod
    def warning(
        cls, file: str, table: str = "", key: str = "", *, expected: str = "", found: str = "", message: str = ""
    ) -> Problem:
        """A warning: scored, but somebody should look."""
        return cls("warning", file, table, key, expected, found, message)

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.cell:
            where += f": {self.cell}"
        else:
            if self.table:
                where += f": [{self.table}]"
            if self.key:
                where += f" {self.key}"
        text = f"{where}: "
        if self.message:
            text += self.message
            if self.expected:
                text += f" (expected {self.expected}, found {self.found})"
        else:
            text += f"expected {self.expected}, found {self.found}"
        return text

    def as_dict(self) -> dict[str, str | int]:
        document: dict[str, str | int] = {
            "severity": self.severity,
            "file": self.file,
            "table": self.table,
            "key": self.key,
            "expected": self.expected,
            "found": self.found,
            "message": str(self),
        }
        if self.fault:
            document["fault"] = self.fault
        if self.cell:
            document["cell"] = self.cell
        if self.line is not None:
            document["line"] = self.line
        return document


class InputError(Exception):
    """Input that cannot be used at all; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


# --------------------------------------------------------------------------
# An organisation and its facts
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class DerivedFact:
    """A fact contributed at the collect step, with where it came from."""

    value: Any
    source: str
    replaces: str | None = None
    """The plugin whose derivation of the same fact this one replaces; two
    plugins deriving one fact without saying so are an error naming both."""


@dataclass(frozen=True)
class Conflict:
    """申报与核实不一致: the department claims a value of a fact, a higher
    source (the office's records, a derivation) gives another, which is used."""

    fact: str
    claimed: Any
    used: Any
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {"fact": self.fact, "claimed": self.claimed, "used": self.used, "source": self.source}


@dataclass(frozen=True)
class Finding:
    """The assessor's finding about one organisation (from the office's
    reviews file): a scored item found falsified (加倍倒扣), or a heavy item
    (重扣分项) with its points (None: policy heavy_default). ``withdrawn`` when
    an appeal against it was upheld."""

    item: str
    points: Decimal | None = None
    reason: str = ""
    found_on: date | None = None
    found_by: str = ""
    file: str = ""
    withdrawn: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "points": self.points,
            "reason": self.reason,
            "found_on": self.found_on,
            "found_by": self.found_by,
            "file": self.file,
            "withdrawn": self.withdrawn,
        }


@dataclass(frozen=True)
class Appeal:
    """申诉 against a finding: ``upheld`` withdraws the finding, ``rejected`` lets it stand."""

    item: str
    outcome: Literal["upheld", "rejected"]
    decided_on: date
    reason: str = ""
    file: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "outcome": self.outcome,
            "decided_on": self.decided_on,
            "reason": self.reason,
            "file": self.file,
        }


@dataclass
class Organisation:
    """One department's party organisation, as its evidence file gives it,
    with what the office's records and reviews say of it: ``conflicts``
    between its claims and higher sources, ``unverified`` claims of facts it
    does not own (fact → "accepted" or "ignored"), the assessor's
    ``findings`` and ``appeals``."""

    id: str
    name: str
    path: Path
    raw: dict[str, Any]
    sha256: str
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    derived: dict[str, DerivedFact] = field(default_factory=dict)
    falsified: frozenset[str] = frozenset()
    heavy: dict[str, Decimal | None] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)
    tags: frozenset[str] = frozenset()
    cells: dict[str, str] = field(default_factory=dict)
    """For a workbook: ``table.key`` → the cell that holds it (``学习星!E7``)."""
    conflicts: list[Conflict] = field(default_factory=list)
    unverified: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    appeals: list[Appeal] = field(default_factory=list)
    content: bytes = field(default=b"", repr=False, compare=False)
    """The evidence file's bytes while it is read (its problems are located
    in its text), let go with ``raw``."""

    def decision_counts(self) -> tuple[int, int, int, int]:
        """How many conflicts, unverified claims, findings that stand and
        appeals upheld (the run's ``summary``)."""
        findings, appeals = self.findings, self.appeals
        return (
            len(self.conflicts),
            len(self.unverified),
            sum(not finding.withdrawn for finding in findings) if findings else 0,
            sum(appeal.outcome == "upheld" for appeal in appeals) if appeals else 0,
        )

    def decisions(self) -> dict[str, list[dict[str, Any]]]:
        """Who said what, as the JSON result gives it: the conflicts between
        the organisation's claims and a higher source, its unverified claims,
        the assessor's findings and the appeals against them."""
        return {
            "conflicts": [conflict.as_dict() for conflict in self.conflicts],
            "unverified": [{"fact": key, "policy": status} for key, status in self.unverified.items()],
            "findings": [finding.as_dict() for finding in self.findings],
            "appeals": [appeal.as_dict() for appeal in self.appeals],
        }

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "warning"]

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def plugin_fault(self) -> bool:
        """Whether a plugin's bug, not the evidence, stopped this organisation."""
        return any(problem.fault for problem in self.problems)


# --------------------------------------------------------------------------
# The ledger
# --------------------------------------------------------------------------


@dataclass(slots=True)
class ItemResult:
    """One item's line in the ledger.

    ``raw`` is the formula's value before the item's floor and ceiling;
    ``points`` what the item counts. The basis (the formula with the
    organisation's figures) is rendered on demand, so scoring a large cohort
    does not pay for text nobody reads.
    """

    item: Item
    points: Decimal
    raw: Decimal
    trace: Any
    status: Literal["scored", "falsified", "disabled", "not_applicable"] = "scored"
    note: str = ""
    scored_points: Decimal = ZERO
    note_phrase: tuple[str, dict[str, str]] | None = None
    """The note as a phrase of the vocabulary (key, values), for reports in a language."""
    unverified: tuple[str, ...] = ()
    """The facts of the line the department claimed and nobody verified (未经核实, unverified_claims = accept)."""

    @property
    def max(self) -> Decimal | None:
        return self.item.points

    @property
    def basis(self) -> str:
        return self.explain()

    def explain(self, words: Words | None = None) -> str:
        """The basis in ``words`` (by default the machine names of the JSON result)."""
        words = words or PLAIN
        if self.status == "disabled":
            return words.phrase("disabled", "disabled by the run config")
        if self.status == "not_applicable":
            return words.phrase("not_applicable", "不适用：{note}", note=self.note)
        text = self.item.rule.explain(self.trace, self.raw, words)
        if self.item.points is not None and self.raw != self.scored_points:
            reason = words.phrase("floor", "扣完为止") if self.raw < 0 else words.phrase("ceiling", "上限")
            text += f" → {fmt_signed(self.scored_points)}{words.aside(reason)}"
        if self.note:
            if self.note_phrase is not None:
                key, values = self.note_phrase
                text += words.then(words.phrase(key, self.note, **values))
            else:
                text += words.then(self.note)
        if self.unverified:
            text += words.then(words.phrase("unverified", "未经核实：{facts}", facts=", ".join(self.unverified)))
        return text


@dataclass(slots=True)
class SectionResult:
    """A section's sum of items and the score after its maximum or cap."""

    section: Section
    claimed: Decimal
    score: Decimal
    max: Decimal
    item_ids: tuple[str, ...]
    lines: dict[str, ItemResult]

    @property
    def items(self) -> dict[str, ItemResult]:
        """The section's item lines, in declaration order."""
        lines = self.lines
        return {item_id: lines[item_id] for item_id in self.item_ids}

    @property
    def cut(self) -> Decimal:
        return self.claimed - self.score


@dataclass(frozen=True)
class HeavyDeduction:
    """A heavy item found: points off the total, and who found it."""

    item: HeavyItem
    points: Decimal
    source: str


@dataclass
class Awards:
    stars: list[str] = field(default_factory=list)
    party_building_excellence: bool = False
    performance_excellence: bool = False
    five_star: bool = False
    withheld: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    """Each withheld star or award's reason as a phrase of the reports'
    vocabulary (``withheld_KEY``, values); ``withheld`` is its plain text."""

    def withhold(self, key: str, text: str, reason: str, **values: str) -> None:
        self.record(key, text, reason, values)

    def record(self, key: str, text: str, reason: str, values: dict[str, str]) -> None:
        """:meth:`withhold` with the phrase's values as a dict (the rate step
        calls it for most organisations: no keyword arguments to gather)."""
        self.withheld[key] = text
        self.reasons[key] = (reason, values)


@dataclass
class Ledger:
    """Everything a result says about one organisation, line by line."""

    organisation: Organisation
    items: dict[str, ItemResult] = field(default_factory=dict)
    sections: dict[str, SectionResult] = field(default_factory=dict)
    heavy: list[HeavyDeduction] = field(default_factory=list)
    awards: Awards = field(default_factory=Awards)
    total: Decimal = ZERO
    not_applicable: frozenset[str] = frozenset()
    """The ids of the items that do not apply to this organisation."""

    def item_facts(self, item: Item) -> dict[str, Any]:
        table = self.organisation.facts.get(item.section, {})
        return {spec.name: table.get(spec.name) for spec in item.facts}

    def heavy_points(self) -> Decimal:
        heavy = self.heavy
        return sum([deduction.points for deduction in heavy], ZERO) if heavy else ZERO

    def sections_with_findings(self) -> dict[str, tuple[str, str]]:
        """Sections that have a heavy item or a falsified item: the kind of
        finding (``heavy``, ``falsified``) and the item's id."""
        findings: dict[str, tuple[str, str]] = {}
        for deduction in self.heavy:
            findings.setdefault(deduction.item.section, ("heavy", deduction.item.id))
        for item_id in sorted(self.organisation.falsified):
            line = self.items[item_id]
            if line.status == "falsified":
                findings.setdefault(line.item.section, ("falsified", item_id))
        return findings


@dataclass
class Cohort:
    """The organisations of one run that passed validation, and the figures
    computed across them before scoring."""

    organisations: list[Organisation]
    figures: dict[str, Any] = field(default_factory=dict)
