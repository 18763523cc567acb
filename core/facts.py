"""The types a fact can have, and how a raw TOML value becomes a typed fact.

A plugin declares each fact its items read with one of these types. The core
uses the declaration to convert and check evidence (validation), to fill in
defaults for missing facts, to write evidence templates and to document the
item (`assess explain`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fivestar.numbers import fmt


class FactError(ValueError):
    """A raw value does not fit its declared type."""

    def __init__(self, expected: str, found: object, where: str = "") -> None:
        super().__init__(expected)
        self.expected = expected
        self.found = found
        self.where = where


class Shown(str):
    """A found value already put in words ("nothing", "unknown key x"):
    shown as it is, never quoted as if the file held that text."""


LONGEST_NUMBER = 30
"""Digits beyond which a found number is shown by its size, not digit by digit."""


def describe_number(value: int | Decimal) -> str:
    """A found number as the file wrote it (``2.0`` stays ``2.0``, so that
    "expected a whole number, found 2.0" explains itself), whatever its size."""
    if isinstance(value, Decimal):
        if value.is_nan():
            return "nan"
        if value.is_infinite():
            return "-inf" if value < 0 else "inf"
        if -LONGEST_NUMBER < value.adjusted() < LONGEST_NUMBER:
            return format(value, "f")
        return str(value).lower()
    if len(str(abs(value))) > LONGEST_NUMBER:
        return f"a number of {len(str(abs(value)))} digits"
    return str(value)


def describe_value(value: object) -> str:
    """How a found value is shown in an error message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Shown):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, Decimal)):
        return describe_number(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return str(value)


class FactType:
    """Base of the fact types: converts a raw value, knows its default."""

    expected: str = "a value"

    @property
    def default(self) -> Any:
        return None

    def convert(self, raw: object) -> Any:
        raise NotImplementedError

    def template_value(self) -> Any:
        """The value written into a fresh evidence template."""
        return self.default

    def fail(self, raw: object) -> FactError:
        return FactError(self.expected, raw)


@dataclass(frozen=True)
class YesNo(FactType):
    """true / false; missing means false."""

    @property
    def expected(self) -> str:  # type: ignore[override]
        return "true or false"

    @property
    def default(self) -> bool:
        return False

    def convert(self, raw: object) -> bool:
        if isinstance(raw, bool):
            return raw
        raise self.fail(raw)


COUNT_MAXIMUM = 10_000
"""The largest whole number a count declared without a maximum accepts."""
AMOUNT_LIMIT = Decimal(1_000_000_000)
"""The bounds (±) of a decimal declared without them."""
DECIMAL_PLACES = 4
"""The most decimal places a number in evidence may have (a rating such as 93.25, points such as 0.5)."""


@dataclass(frozen=True)
class Count(FactType):
    """A whole number in [minimum, maximum]; missing means the minimum.
    Every count is bounded: without a declared maximum, ``COUNT_MAXIMUM``."""

    minimum: int = 0
    maximum: int | None = None

    def __post_init__(self) -> None:
        if self.maximum is None:
            object.__setattr__(self, "maximum", COUNT_MAXIMUM)

    @property
    def expected(self) -> str:  # type: ignore[override]
        return f"a whole number {self.minimum}..{self.maximum}"

    @property
    def default(self) -> int:
        return self.minimum

    def convert(self, raw: object) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise self.fail(raw)
        if not self.minimum <= raw <= self.maximum:  # type: ignore[operator]
            raise self.fail(raw)
        return raw


OPTION_LABELS: dict[str, str] = {
    "none": "无",
    "other": "其他",
    "good": "良好",
    "excellent": "优秀",
    "participated": "参与争创",
    "selected": "入选",
    "named": "命名",
    "central": "中央",
    "national": "国家级",
    "provincial": "省级",
    "municipal": "市级",
    "commendation": "表彰",
    "instruction": "领导批示肯定",
    "meeting": "会议交流",
    "publication": "刊物发表",
}
"""The Chinese label of the option words the standard's choices share; a
choice whose words read differently (中央/省委/市委) declares its own."""


@dataclass(frozen=True)
class Choice(FactType):
    """One of a fixed list of words; missing means the first (lowest) one.

    Each word has a Chinese label (``labels``, in the order of ``options``,
    or the shared :data:`OPTION_LABELS`), shown in templates and drop-downs;
    the label is accepted wherever the word is."""

    options: tuple[str, ...]
    labels: tuple[str, ...] = ()

    @property
    def expected(self) -> str:  # type: ignore[override]
        return "one of " + ", ".join(f'"{option}"' for option in self.options)

    @property
    def default(self) -> str:
        return self.options[0]

    def label(self, option: str) -> str:
        if self.labels and option in self.options:
            return self.labels[self.options.index(option)]
        return OPTION_LABELS.get(option, option)

    @property
    def option_labels(self) -> dict[str, str]:
        """option → its Chinese label, in order."""
        return {option: self.label(option) for option in self.options}

    def convert(self, raw: object) -> str:
        if isinstance(raw, str):
            if raw in self.options:
                return raw
            for option, label in self.option_labels.items():
                if raw.strip() == label:
                    return option
        raise self.fail(raw)


def decimal_places(value: Decimal) -> int:
    """How many decimal places a finite number needs (``2.50`` needs 1),
    counted exactly, whatever its number of digits."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + trailing_zeros)) if any(digits) else 0


@dataclass(frozen=True)
class Amount(FactType):
    """An exact decimal in [minimum, maximum] with at most ``DECIMAL_PLACES``
    places; missing means absent (None). Every amount is bounded: without
    declared bounds, ±``AMOUNT_LIMIT``."""

    minimum: Decimal | None = None
    maximum: Decimal | None = None

    def __post_init__(self) -> None:
        if self.minimum is None:
            object.__setattr__(self, "minimum", -AMOUNT_LIMIT)
        if self.maximum is None:
            object.__setattr__(self, "maximum", AMOUNT_LIMIT)

    @property
    def expected(self) -> str:  # type: ignore[override]
        return f"a number {fmt(self.minimum)}..{fmt(self.maximum)}"  # type: ignore[arg-type]

    def convert(self, raw: object) -> Decimal:
        if isinstance(raw, bool) or not isinstance(raw, (int, Decimal)):
            raise self.fail(raw)
        value = Decimal(raw)
        if not value.is_finite() or not self.minimum <= value <= self.maximum:  # type: ignore[operator]
            raise self.fail(raw)
        if decimal_places(value) > DECIMAL_PLACES:
            raise FactError(f"{self.expected}, at most {DECIMAL_PLACES} decimal places", raw)
        return value


@dataclass(frozen=True)
class Day(FactType):
    """A TOML date such as 2020-06-30."""

    @property
    def expected(self) -> str:  # type: ignore[override]
        return "a date such as 2020-06-30"

    def convert(self, raw: object) -> dt.date:
        """A TOML date; a quoted ISO date ("2020-06-30") is accepted too."""
        if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
            return raw
        if isinstance(raw, str):
            try:
                return dt.date.fromisoformat(raw.strip())
            except ValueError:
                pass
        raise self.fail(raw)

    def template_value(self) -> Any:
        return dt.date(2020, 1, 1)


@dataclass(frozen=True)
class Text(FactType):
    """A non-empty string."""

    @property
    def expected(self) -> str:  # type: ignore[override]
        return "a non-empty text"

    def convert(self, raw: object) -> str:
        if isinstance(raw, str) and raw.strip():
            return raw
        raise self.fail(raw)

    def template_value(self) -> Any:
        return ""


@dataclass(frozen=True)
class Records(FactType):
    """A list of tables (TOML ``[[section.key]]``), each with typed fields.

    Every field is required; a record with an unknown field is refused, so
    that a misspelt field never silently scores nothing.
    """

    fields: dict[str, FactType] = field(default_factory=dict)

    @property
    def expected(self) -> str:  # type: ignore[override]
        return "a list of tables with " + ", ".join(self.fields)

    @property
    def default(self) -> list[dict[str, Any]]:
        return []

    def convert(self, raw: object) -> list[dict[str, Any]]:
        if not isinstance(raw, list):
            raise self.fail(raw)
        records = []
        for index, record in enumerate(raw):
            if not isinstance(record, dict):
                raise FactError("a table", record, f"[{index}]")
            converted = {}
            for name, fact_type in self.fields.items():
                if name not in record:
                    raise FactError(fact_type.expected, Shown("nothing"), f"[{index}].{name}")
                try:
                    converted[name] = fact_type.convert(record[name])
                except FactError as error:
                    raise FactError(error.expected, error.found, f"[{index}].{name}") from None
            unknown = sorted(set(record) - set(self.fields))
            if unknown:
                raise FactError(
                    "only the fields " + ", ".join(self.fields),
                    f"unknown field {unknown[0]}",
                    f"[{index}].{unknown[0]}",
                )
            records.append(converted)
        return records

    def template_value(self) -> Any:
        return []


DEPARTMENT = "department"
"""The department claims the fact in its evidence file (the lowest source)."""
DERIVED = "derived"
"""The tool derives the fact from data (duty lists, the history store); a
department's claim of it counts only where nothing is derived."""
OFFICE = "office"
"""The office (市直机关工委) holds the fact in its records; a department's claim
of it counts only where the office has no record (policy ``unverified_claims``)."""
OWNERS = (DEPARTMENT, DERIVED, OFFICE)


@dataclass(frozen=True)
class FactSpec:
    """One fact an item reads: its key in the section's table, type, meaning
    and ``owner``, who provides it (:data:`DEPARTMENT`, :data:`DERIVED` or
    :data:`OFFICE`). Only a department's own facts belong in its evidence
    template; a claim of another owner's fact never outranks that owner."""

    name: str
    type: FactType
    doc: str = ""
    owner: str = DEPARTMENT
    doc_zh: str = ""
    aliases: tuple[str, ...] = ()
    """Other names of the fact as a column header of the office's records
    (e.g. 行风评议成绩), besides its id "table.name"."""

    @property
    def department_fills_in(self) -> bool:
        return self.owner == DEPARTMENT
