"""Exact decimal points: parsing, formatting and JSON conversion.

Every score in the product is a :class:`decimal.Decimal`. Floats never enter
the arithmetic; they appear only at the very edge, when a result is written
as a JSON number (see :func:`json_number`).
"""

from __future__ import annotations

from decimal import Decimal

ZERO = Decimal(0)
JSON_DIGITS = 4300
"""Python's limit on the digits of an integer it converts to text."""


def dec(value: int | str | Decimal) -> Decimal:
    """A Decimal from an int, a string or a Decimal; floats are refused."""
    if isinstance(value, float):
        raise TypeError(f"float {value!r} would not be exact; pass a string")
    return value if isinstance(value, Decimal) else Decimal(value)


def fmt(value: Decimal | int) -> str:
    """The shortest plain text of a number: 3, 2.8, -0.5 (never 3.00 or 1E+1).

    Equal numbers have equal text (``2.80`` and ``2.8`` are both ``2.8``),
    so the text is remembered by value: a cohort shows the same few numbers
    in every organisation's formulas."""
    try:
        return _texts[value]
    except KeyError:
        pass
    except TypeError:
        return _plain(value)
    text = _plain(value)
    if len(_texts) >= TEXTS_LIMIT:
        _texts.clear()
    _texts[value] = text
    return text


TEXTS_LIMIT = 100_000
_texts: dict[Decimal | int, str] = {}


def _plain(value: Decimal | int) -> str:
    number = Decimal(value)
    if number.is_zero():
        return "0"
    if number == number.to_integral_value():
        return format(number.to_integral_value(), "f")
    return format(number.normalize(), "f")


def fmt_signed(value: Decimal) -> str:
    """Like :func:`fmt` but with a true minus sign, for formulas shown to people."""
    return fmt(value).replace("-", "−")


def json_number(value: Decimal) -> int | float:
    """A JSON-ready number that prints exactly as the decimal does.

    Integral values become ints. Other values become the float whose shortest
    repr is the decimal's own text: this holds for every decimal of at most 15
    significant digits, far more than any score has (checked by a property
    test), so ``2.8`` prints as ``2.8`` and never as ``2.8000000000000003``.
    """
    if value == value.to_integral_value():
        if value.adjusted() >= JSON_DIGITS:
            raise ValueError(f"{value} has more digits than Python writes as a JSON integer")
        return int(value)
    number = float(value)
    if Decimal(repr(number)) != value:
        raise ValueError(f"{value} cannot be written exactly as a JSON number")
    return number
