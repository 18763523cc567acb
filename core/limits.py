"""The bounds on evidence: how large a file, how many entries in one list or
table, how long one text, how many problems listed per file. Evidence beyond
them is an error naming the file, the place and the limit, never a run that
takes minutes and gigabytes. An office that needs more sets them in the run
config's ``[limits]`` table (docs/security.md)."""

from __future__ import annotations

import datetime as dt
import os
import stat
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from fivestar.model import Problem

BOUNDS: dict[str, tuple[int, int]] = {
    "file_bytes": (1_000, 1_000_000_000),
    "entries": (10, 10_000_000),
    "text_chars": (10, 100_000_000),
    "problems": (1, 1_000_000),
    "office_file_bytes": (1_000, 10_000_000_000),
    "office_entries": (10, 100_000_000),
}
"""What the run config may set each limit to."""


@dataclass(frozen=True)
class Limits:
    """The bounds in force; ``roots``: the folders evidence must lie in,
    links resolved (None: anywhere, for files named on the command line)."""

    file_bytes: int = 2_000_000
    """The size of one evidence file (2 MB; the sample's files are under 10 kB)."""
    entries: int = 1_000
    """Entries of one list (records) or one table."""
    text_chars: int = 2_000
    """Characters of one text (a name, a project, a document number) or key."""
    problems: int = 200
    """Problems listed for one file; the rest are counted in one line."""
    office_file_bytes: int = 50_000_000
    """The size of one office records or reviews file (50 MB): one file covers
    the whole city (or a province's cohort), not one department."""
    office_entries: int = 100_000
    """Rows of an office records sheet, organisations of one office file,
    entries of one of its lists or tables."""
    roots: tuple[Path, ...] | None = None
    office: bool = False
    """True for the bounds on the office's files (``for_office``)."""

    def within(self, roots: tuple[Path, ...] | None) -> Limits:
        return replace(self, roots=roots)

    def for_office(self) -> Limits:
        """The bounds on the office's files: its own size and entries, the same
        text length and problems listed."""
        return replace(self, file_bytes=self.office_file_bytes, entries=self.office_entries, roots=None, office=True)

    @property
    def file_bytes_key(self) -> str:
        return "office_file_bytes" if self.office else "file_bytes"

    @property
    def entries_key(self) -> str:
        return "office_entries" if self.office else "entries"

    @property
    def unpacked_bytes(self) -> int:
        """What an xlsx file (a zip) may hold once unpacked: ``UNPACKED_RATIO``
        times its own size limit."""
        return self.file_bytes * UNPACKED_RATIO


UNPACKED_RATIO = 10
"""An xlsx holds compressed XML: ten times the file-size limit covers any
real workbook within that limit (the evidence template, 37 kB, unpacks to
128 kB) and refuses a zip bomb (a few kB that unpack to gigabytes)."""

LIMIT_NAMES = tuple(item.name for item in fields(Limits) if item.name not in ("roots", "office"))


class TooLarge(Exception):
    """A file is larger than ``file_bytes``."""


READ_CHUNK = 65_536
"""Read past the size a file states (it may grow, or state none) this much at a time."""


class NotAFile(OSError):
    """A path names a named pipe, a device or a socket, not a file: reading
    it could wait for ever (a pipe nobody writes to) or never end."""


KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
    stat.S_IFSOCK: "a socket",
}


def read_limited(path: Path, limits: Limits) -> bytes:
    """The bytes of a file, never more than the limit allows (read no
    further than one byte past it, whatever the file claims its size is). A
    path that is not a regular file is refused before anything is read."""
    parts = []
    remaining = limits.file_bytes + 1
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            kind = KINDS.get(stat.S_IFMT(status.st_mode), "something else")
            raise NotAFile(0, f"{kind}, not a file", str(path))
        request = status.st_size + 1
        while remaining > 0:
            chunk = os.read(descriptor, min(request, remaining))
            if not chunk:
                break
            parts.append(chunk)
            remaining -= len(chunk)
            request = READ_CHUNK
    finally:
        os.close(descriptor)
    content = parts[0] if len(parts) == 1 else b"".join(parts)
    if len(content) > limits.file_bytes:
        raise TooLarge(describe_size(os.path.getsize(path)))
    return content


def describe_size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.1f} kB"
    return f"{size} bytes"


def size_problem(file: str, limits: Limits, found: str) -> Problem:
    expected = f"a file of at most {describe_size(limits.file_bytes)} ([limits] {limits.file_bytes_key})"
    return Problem.error(file, expected=expected, found=found)


def rows_problems(rows: list[list[str]], file: str, limits: Limits) -> list[Problem]:
    """A sheet (CSV or xlsx) with too many rows or columns, or a cell's text
    too long (at most ``problems``)."""
    problems: list[Problem] = []
    key = limits.entries_key
    if len(rows) > limits.entries + 1:
        expected = f"a header row and at most {limits.entries} rows ([limits] {key})"
        problems.append(Problem.error(file, expected=expected, found=f"{len(rows) - 1} rows"))
        return problems
    for number, row in enumerate(rows, 1):
        if len(problems) >= limits.problems:
            break
        if len(row) > limits.entries:
            expected = f"a row of at most {limits.entries} cells ([limits] {key})"
            problems.append(Problem.error(file, f"row {number}", expected=expected, found=f"{len(row)} cells"))
            continue
        for column, text in enumerate(row, 1):
            if len(text) > limits.text_chars:
                expected = f"a text of at most {limits.text_chars} characters ([limits] text_chars)"
                found = f"a text of {len(text)} characters"
                problems.append(
                    Problem.error(file, f"row {number}", f"column {column}", expected=expected, found=found)
                )
    return problems


def document_problems(document: dict[str, Any], file: str, limits: Limits) -> list[Problem]:
    """Every list or table with too many entries, and every text or key too
    long, in a parsed document, by table and key (at most ``problems``)."""
    problems: list[Problem] = []
    _visit(document, "", "", file, limits, problems)
    return problems


UNBOUNDED = frozenset({bool, int, float, Decimal, dt.date, dt.datetime, dt.time})
"""The values a parsed document holds that no limit of this module bounds
(the size of numbers is checked with the facts): not visited, nor is a text
within its limit."""


def _visit(value: Any, table: str, key: str, file: str, limits: Limits, problems: list[Problem]) -> None:
    if len(problems) >= limits.problems:
        return
    if isinstance(value, str):
        if len(value) > limits.text_chars:
            expected = f"a text of at most {limits.text_chars} characters ([limits] text_chars)"
            problems.append(
                Problem.error(file, table, key, expected=expected, found=f"a text of {len(value)} characters")
            )
        return
    if isinstance(value, (list, dict)) and len(value) > limits.entries:
        kind = "list" if isinstance(value, list) else "table"
        expected = f"a {kind} of at most {limits.entries} entries ([limits] {limits.entries_key})"
        problems.append(Problem.error(file, table, key, expected=expected, found=f"a {kind} of {len(value)} entries"))
        return
    longest = limits.text_chars
    if isinstance(value, list):
        for index, entry in enumerate(value):
            kind = type(entry)
            if kind not in UNBOUNDED and (kind is not str or len(entry) > longest):
                _visit(entry, table, f"{key}[{index}]", file, limits, problems)
    elif isinstance(value, dict):
        for name, entry in value.items():
            kind = type(entry)
            if (kind in UNBOUNDED or (kind is str and len(entry) <= longest)) and len(name) <= longest:
                continue
            if len(name) > limits.text_chars:
                expected = f"a key of at most {limits.text_chars} characters ([limits] text_chars)"
                problems.append(
                    Problem.error(file, table, key, expected=expected, found=f"a key of {len(name)} characters")
                )
            elif not table:
                _visit(entry, name, "", file, limits, problems)
            else:
                _visit(entry, table, f"{key}.{name}" if key else name, file, limits, problems)


def capped(problems: list[Problem], file: str, limits: Limits) -> list[Problem]:
    """At most ``problems`` problems of one file, errors first kept, then a
    line saying how many more there are (an error if an error was left out,
    so that the file stays failed)."""
    if len(problems) <= limits.problems:
        return problems
    errors = [problem for problem in problems if problem.severity == "error"]
    kept_errors = errors[: limits.problems]
    room = limits.problems - len(kept_errors)
    kept_warnings = [problem for problem in problems if problem.severity != "error"][:room]
    kept = set(map(id, kept_errors + kept_warnings))
    shown = [problem for problem in problems if id(problem) in kept]
    left_out = len(problems) - len(shown)
    severity = "error" if len(kept_errors) < len(errors) else "warning"
    summary = Problem(
        severity,
        file,
        "",
        "",
        f"at most {limits.problems} problems listed per file ([limits] problems)",
        f"{left_out} more",
        f"{left_out} more problems of this file are not listed",
    )
    return [*shown, summary]


def parse_limits(table: Any, error: Any) -> Limits:
    """``[limits]`` of the run config; ``error(table, key, expected, found)``
    reports a bad value."""
    if not isinstance(table, dict):
        return Limits()
    values: dict[str, int] = {}
    for name in LIMIT_NAMES:
        if name not in table:
            continue
        value = table[name]
        low, high = BOUNDS[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            error("limits", name, f"a whole number {low}..{high}", value)
            continue
        values[name] = value
    return Limits(**values)
