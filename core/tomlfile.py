"""Reading a TOML document (a run config or an evidence file): UTF-8, with or
without the byte-order mark that Windows editors write; decimals exact.

Two parsers, one answer. ``tomli`` (the standard library's ``tomllib``,
compiled with mypyc) is the authority: what it accepts, how it reads it and
what its errors say. ``toml_rs`` (the Rust ``toml`` crate) parses an
evidence file about four times faster again (23 against 93 µs a file of the
generated cohort, 277 with ``tomllib``), and parsing is the largest part of
reading a cohort, so a document is given to it first, in TOML 1.0 mode, and
whatever it refuses, and whatever it might read otherwise than ``tomli``,
goes to ``tomli``:

- a document it cannot parse (an error, a TOML 1.1 feature, an integer
  beyond 64 bits) is parsed again by ``tomli``, whose error is the one
  reported, or whose value is the one used;
- a document whose arrays and inline tables could nest 400 levels deep goes
  to ``tomli`` alone: ``tomli`` allows no more, and some thousands of levels
  overflow the Rust parser's stack, which no exception catches (a crash of
  the process). How deep they could nest is bounded by the ``[`` and ``{``
  the document holds, but those of its table headers: a line that is a
  header by TOML's grammar (``[table]``, ``[[records]]``: brackets balanced
  around a dotted key) opens and closes its own brackets, two deep at
  most, whatever it really is (the office's reviews of a province's cohort
  are some 15,000 headers);
- a document whose dotted keys and table headers could nest as deep (a
  level a dot, :func:`nested_deeper`) is walked once read, by either
  parser, and is an error where it does: the Rust parser reads such nesting
  (it does not crash), ``tomli`` some 1,000 levels of it, and what walks the
  document afterwards, recursively, not so many;
- so does a document with a run of digits as long as Python's limit for
  reading an integer (``sys.get_int_max_str_digits()``, 4,300): the Rust
  parser makes such an integer, which ``tomli`` refuses and which nothing
  could then write out.

``tests/test_tomlfile.py`` compares the two on the sample's files, a
generated cohort's, documents drawn at random and a list of edge cases.
Errors are re-raised as ``tomllib.TOMLDecodeError`` so that callers name one
exception. Whatever the bytes, the only errors are ``UnicodeDecodeError``
and ``tomllib.TOMLDecodeError``: a number too long for Python to read or
values nested too deeply become a TOML error too, so that a bad file is
always a problem of that file and never a crash of the run.
"""

from __future__ import annotations

import functools
import re
import sys
import tomllib
from decimal import Decimal
from typing import Any

import toml_rs

FAST_PARSER_BRACKETS = 400
"""Documents whose arrays and inline tables nest fewer levels than this
(:func:`nesting_bound`) go to the fast parser first."""

_HEADER_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\[^\n])*"|'[^'\n]*')"""
_HEADER_KEYS = rf"[ \t]*{_HEADER_KEY}(?:[ \t]*\.[ \t]*{_HEADER_KEY})*[ \t]*"
HEADER_LINE = re.compile(
    rf"^[ \t]*(?:(\[){_HEADER_KEYS}\]|(\[\[){_HEADER_KEYS}\]\])[ \t]*(?:#[^\n]*)?\r?$", re.MULTILINE
)
"""A line that is a table header by TOML's grammar: its brackets balanced
around a dotted key, no comment or string left open inside them. Read as
anything else (within a multi-line array or string), it still opens no
level that outlives the line. A looser pattern (``[[x]`` counted as a
header) let a multi-line array of such lines nest without limit."""


NESTED_TOO_DEEPLY = "arrays or tables nested too deeply"


def parse_toml(content: bytes) -> dict[str, Any]:
    """The document; its tables and arrays nesting 400 levels or deeper,
    whichever way (brackets, dotted keys, table headers), is a TOML error:
    what reads a document (its limits, its facts) walks it recursively, and
    ``tomli`` reads dotted keys some 1,000 levels deep, where that walk
    ended the whole run with Python's ``RecursionError``."""
    text = content.decode("utf-8-sig")
    bound = nesting_bound(text)
    document: dict[str, Any] | None = None
    if fast_parser_may_read(text, bound):
        try:
            document = toml_rs.loads(text, parse_float=Decimal, toml_version="1.0.0")
        except Exception:  # tomli decides, and says why
            document = None
    if document is None:
        document = parse_toml_text(text)
    if may_nest_deeper(text, bound) and nested_deeper(document):
        raise tomllib.TOMLDecodeError(NESTED_TOO_DEEPLY)
    return document


def may_nest_deeper(text: str, bound: int | None = None, levels: int = FAST_PARSER_BRACKETS) -> bool:
    """Whether the document's text could nest ``levels`` deep (see
    :func:`nested_deeper`); ``bound``: its :func:`nesting_bound`, if known."""
    return (nesting_bound(text) if bound is None else bound) + text.count(".") + 2 >= levels


def nested_deeper(document: dict[str, Any], levels: int = FAST_PARSER_BRACKETS) -> bool:
    """Whether a table or an array lies ``levels`` deep in the document or
    deeper (the document's own tables one deep).

    Dotted keys and table headers (``a.b.c = 1``, ``[a.b.c]``) nest a level
    a dot, which no bracket counts: the Rust parser reads some hundreds of
    thousands of them, ``tomli`` (and whatever walks the document
    recursively afterwards) not a thousand. A document nests no deeper than
    its dots and its brackets (:func:`nesting_bound`) and the two levels of
    an array of tables' header: one with fewer than ``levels`` of them is
    not walked (:func:`may_nest_deeper`)."""
    level: list[Any] = [document]
    for _depth in range(levels):
        below = []
        for value in level:
            for child in value.values() if type(value) is dict else value:
                if type(child) is dict or type(child) is list:
                    below.append(child)
        if not below:
            return False
        level = below
    return True


def nesting_bound(text: str) -> int:
    """At least as many levels as the document's arrays and inline tables
    nest: its ``[`` and ``{``, less the opening brackets of the lines that
    read as table headers (counted only where the whole count is too high),
    plus the two levels such a line may hold."""
    brackets = text.count("[") + text.count("{")
    if brackets < FAST_PARSER_BRACKETS:
        return brackets
    return brackets - sum(len(match.group(1) or match.group(2)) for match in HEADER_LINE.finditer(text)) + 2


def fast_parser_may_read(text: str, bound: int | None = None) -> bool:
    """Whether the Rust parser may be given the text (``bound``: its :func:`nesting_bound`, if known)."""
    if (nesting_bound(text) if bound is None else bound) >= FAST_PARSER_BRACKETS:
        return False
    digits = sys.get_int_max_str_digits()
    return not digits or len(text) <= digits or digit_run(digits).search(text) is None


@functools.lru_cache(maxsize=4)
def digit_run(length: int) -> re.Pattern[str]:
    return re.compile(f"[0-9_]{{{length},}}")


def parse_toml_text(text: str) -> dict[str, Any]:
    """The document as ``tomli`` reads it: the authority of :func:`parse_toml`."""
    import tomli

    try:
        return tomli.loads(text, parse_float=Decimal)
    except tomli.TOMLDecodeError as error:
        raise tomllib.TOMLDecodeError(str(error)) from None
    except ValueError:
        raise tomllib.TOMLDecodeError("a number too long to read (more than 4300 digits)") from None
    except RecursionError:
        raise tomllib.TOMLDecodeError(NESTED_TOO_DEEPLY) from None
