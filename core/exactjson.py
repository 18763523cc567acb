"""JSON of stored values with decimals kept as their exact text (never a
float) and dates as ISO text: what the history store keeps of a run's facts
and what the CSV shows of them. A module of its own so that writing a CSV
does not load the store (and sqlite3) at every run's start."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from fivestar.numbers import fmt


def _decimal_text(value: object) -> str:
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__}")


def dumps(value: Any) -> str:
    """JSON with decimals kept as exact text."""
    return json.dumps(value, ensure_ascii=False, default=_decimal_text, sort_keys=True)
