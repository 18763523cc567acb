"""Reading the ``[[duty_lists]]`` of an evidence file and checking each list.

Reading is validation: a value of the wrong type is an error that fails the
organisation. Checking gives findings: a list that is late, unsigned or short
of an obligation is still valid evidence, and its findings feed the norms
star (through derived facts) and the reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fivestar.facts import Choice, Count, Day, FactError, FactType, Text, YesNo, describe_value
from fivestar.model import Problem
from fivestar.plugins.duties.catalogue import Catalogue, Level, percent

TABLE = "duty_lists"
LIST_KEYS = ("level", "holder", "signed", "submitted", "published", "personal_items", "obligations")

LIST_CHECKS = ("personal_items", "signed", "submitted", "published")
SHORTFALL_CHECKS = ("obligation", "staff_ratio")

OBLIGATION_MAXIMUM = 1_000_000
"""The largest figure of an obligation (head counts such as organ_staff included)."""


@dataclass(frozen=True)
class DutyList:
    """One secretary's list as the evidence gives it, with well-typed values.

    ``obligations`` holds only the counts the evidence records; a missing
    count is a shortfall (recorded as nothing), never a default.
    """

    index: int
    level: Level
    holder: str
    signed: bool
    published: bool
    submitted: dt.date | None
    personal_items: tuple[str, ...]
    obligations: Mapping[str, int]


@dataclass(frozen=True)
class Finding:
    """Something a list lacks. ``required`` and ``recorded`` are shown as the
    standard states them (``recorded`` None: nothing recorded)."""

    check: str
    message: str
    key: str = ""
    required: Any = None
    recorded: Any = None

    @property
    def shortfall(self) -> bool:
        return self.check in SHORTFALL_CHECKS


@dataclass(frozen=True)
class ObligationLine:
    """One countable obligation of a list: required against recorded."""

    key: str
    item: int
    text: str
    required: str
    recorded: Any
    met: bool


@dataclass(frozen=True)
class ListReview:
    duty_list: DutyList
    findings: tuple[Finding, ...]
    obligations: tuple[ObligationLine, ...]

    @property
    def complete(self) -> bool:
        return not self.findings

    @property
    def drawn_up(self) -> bool:
        """Enough personalised items, signed, published and filed on time."""
        return not any(finding.check in LIST_CHECKS for finding in self.findings)

    @property
    def fulfilled(self) -> bool:
        return not any(finding.shortfall for finding in self.findings)


# --------------------------------------------------------------------------
# reading (validation)
# --------------------------------------------------------------------------


def read_lists(raw: Mapping[str, Any], file: str, catalogue: Catalogue) -> tuple[list[DutyList], list[Problem]]:
    """The well-formed lists of the evidence and a problem for each bad value.

    ``raw`` is the evidence as parsed, not yet validated: any value may have
    any type.
    """
    if TABLE not in raw:
        return [], []
    entries = raw[TABLE]
    if not isinstance(entries, list):
        expected = "an array of tables [[duty_lists]]"
        return [], [Problem("error", file, TABLE, "", expected, describe_value(entries))]
    lists: list[DutyList] = []
    problems: list[Problem] = []
    for index, entry in enumerate(entries):
        reader = _ListReader(file, f"{TABLE}[{index}]", catalogue)
        duty_list = reader.read(index, entry)
        problems += reader.problems
        if duty_list is not None:
            lists.append(duty_list)
    return lists, problems


class _ListReader:
    def __init__(self, file: str, table: str, catalogue: Catalogue) -> None:
        self.file = file
        self.table = table
        self.catalogue = catalogue
        self.problems: list[Problem] = []

    def error(self, key: str, expected: str, found: str) -> None:
        self.problems.append(Problem("error", self.file, self.table, key, expected, found))

    def value(self, entry: Mapping[str, Any], key: str, fact_type: FactType, required: bool = False) -> Any:
        if key not in entry:
            if not required:
                return fact_type.default
            self.error(key, fact_type.expected, "nothing")
            return None
        try:
            return fact_type.convert(entry[key])
        except FactError as error:
            self.error(key, error.expected, describe_value(error.found))
            return None

    def read(self, index: int, entry: object) -> DutyList | None:
        if not isinstance(entry, dict):
            self.error("", "a table ([[duty_lists]] entry)", describe_value(entry))
            return None
        for key in entry:
            if key not in LIST_KEYS:
                self.error(key, "one of " + ", ".join(LIST_KEYS), f"unknown key {key}")
        level_id = self.value(entry, "level", Choice(tuple(self.catalogue.levels)), required=True)
        level = self.catalogue.levels.get(level_id) if level_id else None
        holder = self.value(entry, "holder", Text(), required=True)
        signed = self.value(entry, "signed", YesNo())
        published = self.value(entry, "published", YesNo())
        submitted = self.value(entry, "submitted", Day())
        personal_items = self.personal_items(entry.get("personal_items", []))
        obligations = self.obligations(entry.get("obligations", {}), level)
        if self.problems or level is None:
            return None
        return DutyList(index, level, holder.strip(), signed, published, submitted, personal_items, obligations)

    def personal_items(self, raw: object) -> tuple[str, ...]:
        if not isinstance(raw, list):
            self.error("personal_items", "a list of non-empty texts", describe_value(raw))
            return ()
        items = []
        for position, text in enumerate(raw):
            if isinstance(text, str) and text.strip():
                items.append(text.strip())
            else:
                self.error(f"personal_items[{position}]", "a non-empty text", describe_value(text))
        return tuple(items)

    def obligations(self, raw: object, level: Level | None) -> dict[str, int]:
        if not isinstance(raw, dict):
            self.error("obligations", "a table of counts [duty_lists.obligations]", describe_value(raw))
            return {}
        counts = {}
        count = Count(minimum=0, maximum=OBLIGATION_MAXIMUM)
        for key, value in raw.items():
            where = f"obligations.{key}"
            if level is not None and key not in level.obligation_keys:
                expected = f"an obligation of {level.id}: " + ", ".join(level.obligation_keys)
                self.error(where, expected, f"unknown key {key}")
                continue
            try:
                counts[key] = count.convert(value)
            except FactError as error:
                self.error(where, error.expected, describe_value(error.found))
        return counts


# --------------------------------------------------------------------------
# checking (findings)
# --------------------------------------------------------------------------


def review_list(duty_list: DutyList, catalogue: Catalogue, year: int) -> ListReview:
    findings: list[Finding] = []
    minimum = catalogue.min_personal_items
    if len(duty_list.personal_items) < minimum:
        findings.append(
            Finding("personal_items", f"个性项目不少于{minimum}个", "", f"≥ {minimum}", len(duty_list.personal_items))
        )
    if not duty_list.signed:
        findings.append(Finding("signed", "未经本人签名"))
    deadline = catalogue.deadline_in(year)
    shown_deadline = f"≤ {deadline.isoformat()}"
    if duty_list.submitted is None:
        findings.append(
            Finding("submitted", f"未填报报送日期（3月底前报送，截止{deadline.isoformat()}）", "", shown_deadline)
        )
    elif duty_list.submitted > deadline:
        findings.append(
            Finding(
                "submitted",
                f"逾期报送（3月底前报送，截止{deadline.isoformat()}）",
                "",
                shown_deadline,
                duty_list.submitted.isoformat(),
            )
        )
    if not duty_list.published:
        findings.append(Finding("published", "未公示"))

    lines: list[ObligationLine] = []
    recorded = duty_list.obligations
    for obligation in duty_list.level.obligations:
        count = recorded.get(obligation.key)
        met = obligation.met(count or 0)
        lines.append(ObligationLine(obligation.key, obligation.item, obligation.text, obligation.required, count, met))
        if not met:
            verdict = "超出要求" if (count or 0) > obligation.minimum else "未达要求"
            findings.append(
                Finding(
                    "obligation",
                    f"{obligation.text}（第{obligation.item}项）{verdict}",
                    obligation.key,
                    obligation.required,
                    count,
                )
            )
    for ratio in duty_list.level.ratios:
        numerator = recorded.get(ratio.numerator, 0)
        denominator = recorded.get(ratio.denominator, 0)
        if denominator > 0:
            shown: str | None = f"{numerator}/{denominator} = {percent(Decimal(numerator) / Decimal(denominator))}"
            message = f"{ratio.text}（第{ratio.item}项）未达要求"
        else:
            shown = None
            message = f"{ratio.text}（第{ratio.item}项）：未填报机关工作人员总数 {ratio.denominator}，无法核算"
        met = ratio.met(numerator, denominator)
        lines.append(ObligationLine(ratio.key, ratio.item, ratio.text, ratio.required, shown, met))
        if not met:
            findings.append(Finding("staff_ratio", message, ratio.key, ratio.required, shown))
    return ListReview(duty_list, tuple(findings), tuple(lines))


def review_document(review: ListReview, organisation_id: str) -> dict[str, Any]:
    """A list's review as a JSON-ready mapping."""
    duty_list = review.duty_list
    return {
        "level": duty_list.level.id,
        "role": duty_list.level.role,
        "holder": duty_list.holder,
        "status": "complete" if review.complete else "findings",
        "signed": duty_list.signed,
        "published": duty_list.published,
        "submitted": duty_list.submitted.isoformat() if duty_list.submitted else None,
        "personal_items": list(duty_list.personal_items),
        "findings": [
            {
                "organisation": organisation_id,
                "level": duty_list.level.id,
                "holder": duty_list.holder,
                "check": finding.check,
                "key": finding.key,
                "message": finding.message,
                "required": finding.required,
                "recorded": finding.recorded,
            }
            for finding in review.findings
        ],
        "obligations": [
            {
                "key": line.key,
                "item": line.item,
                "text": line.text,
                "required": line.required,
                "recorded": line.recorded,
                "met": line.met,
            }
            for line in review.obligations
        ],
    }
