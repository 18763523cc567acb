"""Evidence as TOML text, written with tomlkit: decimals exactly as they are
(``92.50`` stays ``92.50``), dates as TOML dates, lists of tables as
``[[…]]``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import tomlkit
from tomlkit.items import Float, Trivia


def toml_value(value: Any) -> Any:
    """A value as a tomlkit item (tables and lists of tables handled by the caller)."""
    if isinstance(value, Decimal):
        text = format(value, "f") if value.is_finite() else str(value).lower()
        if value.is_finite() and "." not in text and "e" not in text:
            text += ".0"
        return Float(float(value), Trivia(), text)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return tomlkit.date(value.isoformat())
    if isinstance(value, list):
        array = tomlkit.array()
        for entry in value:
            array.append(toml_value(entry))
        return array
    if isinstance(value, dict):
        table = tomlkit.inline_table()
        for key, entry in value.items():
            table.append(key, toml_value(entry))
        return table
    return value


def is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(entry, dict) for entry in value)


def _fill(container: Any, content: dict[str, Any]) -> Any:
    for key, value in content.items():
        if isinstance(value, dict):
            container.add(key, _fill(tomlkit.table(), value))
        elif is_table_list(value):
            aot = tomlkit.aot()
            for entry in value:
                aot.append(_fill(tomlkit.table(), entry))
            container.add(key, aot)
        else:
            container.add(key, toml_value(value))
    return container


def toml_document(raw: dict[str, Any]) -> tomlkit.TOMLDocument:
    """A whole evidence document (``raw`` as the TOML reader gives it)."""
    return _fill(tomlkit.document(), raw)
