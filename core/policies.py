"""Helpers to declare the two kinds of policy the standard needs: a choice
between named interpretations, and a bounded number."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fivestar.model import Policy
from fivestar.numbers import dec, fmt


def choice_policy(key: str, default: str, options: tuple[str, ...], doc: str = "") -> Policy:
    def parse(value: Any) -> str:
        if isinstance(value, str) and value in options:
            return value
        raise ValueError(value)

    return Policy(key, default, parse, "one of " + ", ".join(f'"{option}"' for option in options), doc)


def number_policy(
    key: str, default: str | int, minimum: str | int | None, maximum: str | int | None, doc: str = ""
) -> Policy:
    low = dec(minimum) if minimum is not None else None
    high = dec(maximum) if maximum is not None else None

    def parse(value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            raise ValueError(value)
        number = Decimal(value)
        if not number.is_finite() or (low is not None and number < low) or (high is not None and number > high):
            raise ValueError(value)
        return number

    if low is not None and high is not None:
        expected = f"a number {fmt(low)}..{fmt(high)}"
    elif low is not None:
        expected = f"a number ≥ {fmt(low)}"
    else:
        expected = "a number"
    return Policy(key, dec(default), parse, expected, doc)
