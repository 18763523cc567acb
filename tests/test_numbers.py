"""Exact decimals at the edges: JSON numbers and plain text (rules-2020.md:
no float artefacts such as 2.8000000000000003 may ever reach a report)."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from fivestar.numbers import dec, fmt, fmt_signed, json_number
from hypothesis import given
from hypothesis import strategies as st

D = Decimal

SCORES = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False)

PLAIN_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?")


@given(SCORES)
def test_json_number_round_trips_exactly(value: Decimal) -> None:
    text = json.dumps(json_number(value))
    assert D(text) == value
    assert json.loads(text, parse_float=Decimal) == value
    assert PLAIN_NUMBER.fullmatch(text), text
    assert len(text.partition(".")[2]) <= 2, text


@given(SCORES)
def test_json_number_is_an_int_exactly_when_integral(value: Decimal) -> None:
    number = json_number(value)
    assert not isinstance(number, Decimal)
    assert isinstance(number, int) == (value == value.to_integral_value())


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (D("2.8"), "2.8"),
        (D("1.5") * 2 - D("0.2"), "2.8"),
        (D("0.1") + D("0.2"), "0.3"),
        (D("3.00"), "3"),
        (D("-0.5"), "-0.5"),
        (D("24.3"), "24.3"),
        (D("1E+1"), "10"),
        (D("-0.00"), "0"),
    ],
)
def test_json_number_examples(value: Decimal, text: str) -> None:
    assert json.dumps(json_number(value)) == text


def test_json_number_refuses_what_a_float_cannot_show_exactly() -> None:
    with pytest.raises(ValueError):
        json_number(D("0.12345678901234567891"))


def test_json_number_refuses_an_integer_too_long_for_python_to_write() -> None:
    """A ValueError, like any number JSON cannot hold, never a crash of json.dumps."""
    assert json.dumps(json_number(D("1e4299"))) == "1" + "0" * 4299
    with pytest.raises(ValueError):
        json_number(D("1e4300"))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (D(3), "3"),
        (3, "3"),
        (D("3.00"), "3"),
        (D("2.8"), "2.8"),
        (D("2.80"), "2.8"),
        (D("-0.5"), "-0.5"),
        (D("0.20"), "0.2"),
        (D("1E+1"), "10"),
        (D("-6"), "-6"),
        (D("0"), "0"),
        (D("-0"), "0"),
        (D("-0.00"), "0"),
        (D("1e5000"), "1" + "0" * 5000),
        (-(10**40), "-1" + "0" * 40),
    ],
)
def test_fmt(value: Decimal | int, text: str) -> None:
    assert fmt(value) == text


@given(SCORES)
def test_fmt_is_plain_and_exact(value: Decimal) -> None:
    text = fmt(value)
    assert PLAIN_NUMBER.fullmatch(text), text
    assert D(text) == value


def test_fmt_signed_uses_a_true_minus() -> None:
    assert fmt_signed(D("-0.5")) == "−0.5"
    assert fmt_signed(D("2.8")) == "2.8"


def test_dec_refuses_floats() -> None:
    assert dec("2.8") == D("2.8")
    assert dec(3) == D(3)
    with pytest.raises(TypeError):
        dec(2.8)  # type: ignore[arg-type]
