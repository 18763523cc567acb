"""Where a key is in a TOML file: the line of each table header and key, so
that a problem of an evidence file can say ``orgs/finance.toml:12``.

TOML readers give values, not places; this reads the text line by line the
way a person does: ``[table]`` and ``[[records]]`` headers, ``key = value``
lines (dotted and quoted keys too). Values spread over several lines are
skipped. It only locates: a key it cannot place is simply without a line.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from fivestar.model import Problem

KEY = r"""[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*'"""
HEADER = re.compile(r"^\s*\[\[?\s*(?P<key>[^\]]+?)\s*\]\]?\s*(#.*)?$")
ASSIGNMENT = re.compile(rf"^\s*(?P<key>(?:{KEY})(?:\s*\.\s*(?:{KEY}))*)\s*=")
PART = re.compile(KEY)
INDEX = re.compile(r"\[\d+\]")
BARE_KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
"""The characters of a bare key: ``name = value``, the common line, is read
without a regular expression."""
DECODE_LINE = re.compile(r"at line (\d+)")
PLAIN_HEADER = re.compile(r"\n[ \t]*\[\[?[ \t]*(?P<key>[^\]\n]+?)[ \t]*\]\]?[ \t]*(#[^\n]*)?\r?(?=\n|\Z)")
NOT_PLAIN = re.compile(r"\n[ \t]*+(?:[\"']|\[\[?[ \t]*+[\"']|[A-Za-z0-9_-]++[ \t]*+\.)")
ODD_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
"""The line breaks other than ``\\n`` and ``\\r`` that ``str.splitlines`` knows."""
LONE_RETURN = re.compile(r"\r(?!\n)")
"""What makes a text not plain (see :class:`PlainKeyLines`)."""


@functools.lru_cache(maxsize=4096)
def key_parts(dotted: str) -> tuple[str, ...]:
    """``heavy."learning.heavy.x"`` → ("heavy", "learning.heavy.x");
    ``showcase[2].points`` → ("showcase", "points"). Remembered: every
    evidence file of a cohort has the same keys."""
    return tuple(part.strip("\"'") for part in PART.findall(INDEX.sub("", dotted)))


@dataclass
class KeyLines:
    """The first line of every table and key path of one TOML text."""

    lines: dict[tuple[str, ...], int] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str) -> KeyLines:
        found = cls()
        table: tuple[str, ...] = ()
        open_quote = ""
        for number, line in enumerate(text.splitlines(), 1):
            if open_quote:
                if line.count(open_quote) % 2:
                    open_quote = ""
                continue
            key, equals, rest = line.partition("=")
            key = key.strip()
            if equals and key and not key.strip(BARE_KEY) and not line.lstrip().startswith("["):
                found.lines.setdefault((*table, key), number)
                for quote in ('"""', "'''"):
                    if rest.count(quote) % 2:
                        open_quote = quote
                continue
            header = HEADER.match(line)
            if header:
                table = key_parts(header["key"])
                found.lines.setdefault(table, number)
                continue
            assignment = ASSIGNMENT.match(line)
            if assignment:
                path = table + key_parts(assignment["key"])
                for depth in range(len(table) + 1, len(path) + 1):
                    found.lines.setdefault(path[:depth], number)
                rest = line[assignment.end() :]
                for quote in ('"""', "'''"):
                    if rest.count(quote) % 2:
                        open_quote = quote
        return found

    def line_of(self, table: str, key: str) -> int | None:
        """The line of ``[table] key``, or of the nearest enclosing table or
        key that the file has."""
        path = (*key_parts(table), *key_parts(key))
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None


class PlainKeyLines:
    """:class:`KeyLines` for a plain text, found by searching rather than by
    reading every line: a problem needs one or two lines of a file, and an
    evidence file is mostly ``key = value`` lines under bare ``[table]``
    headers. Plain means: no multi-line string, no quoted or dotted key at
    the start of a line, no line break but ``\\n`` (or ``\\r\\n``); then
    the lines found are :class:`KeyLines`'s own (a test compares them).

    The text is searched with a newline before it, so that every pattern
    starts with a newline, which the regular expression engine finds fast."""

    def __init__(self, text: str) -> None:
        self.text = "\n" + text
        self.headers = [
            (key_parts(match["key"]), match.start(), match.end()) for match in PLAIN_HEADER.finditer(self.text)
        ]

    @staticmethod
    def fits(text: str) -> bool:
        if '"""' in text or "'''" in text or any(odd in text for odd in ODD_BREAKS):
            return False
        return ("\r" not in text or LONE_RETURN.search(text) is None) and NOT_PLAIN.search("\n" + text) is None

    def line_of(self, table: str, key: str) -> int | None:
        path = (*key_parts(table), *key_parts(key))
        while path:
            position = self._first(path)
            if position is not None:
                return self.text.count("\n", 0, position + 1)
            path = path[:-1]
        return None

    def _first(self, path: tuple[str, ...]) -> int | None:
        found = [start for header, start, _end in self.headers if header == path]
        table, key = path[:-1], path[-1]
        if key.strip(BARE_KEY):
            return min(found, default=None)
        spans = [(end, self._next_header(end)) for header, _start, end in self.headers if header == table]
        if not table:
            spans.append((0, self.headers[0][1] if self.headers else len(self.text)))
        pattern = assignment_of(key)
        for begin, end in spans:
            match = pattern.search(self.text, begin, end)
            if match:
                found.append(match.start())
        return min(found, default=None)

    def _next_header(self, position: int) -> int:
        return next((start for _header, start, _end in self.headers if start >= position), len(self.text))


@functools.lru_cache(maxsize=4096)
def assignment_of(key: str) -> re.Pattern[str]:
    return re.compile(rf"\n[ \t]*{re.escape(key)}[ \t]*=")


def key_lines(text: str) -> KeyLines | PlainKeyLines:
    return PlainKeyLines(text) if PlainKeyLines.fits(text) else KeyLines.of(text)


def with_lines(problems: list[Problem], file: str, text: str) -> list[Problem]:
    """The problems of one file, each given the line it is about."""
    located: KeyLines | PlainKeyLines | None = None
    result = []
    for problem in problems:
        if problem.file != file or problem.line is not None:
            result.append(problem)
            continue
        line = None
        decode = DECODE_LINE.search(problem.found) if not problem.table and not problem.key else None
        if decode:
            line = int(decode.group(1))
        elif problem.table or problem.key:
            located = located or key_lines(text)
            line = located.line_of(problem.table, problem.key)
        result.append(problem.at_line(line) if line is not None else problem)
    return result


def with_file_lines(problems: list[Problem], texts: dict[str, str] | None = None) -> list[Problem]:
    """Every problem of a TOML file with its line: ``texts`` gives the text of
    files already in hand (by name); the others are read (a problem is the
    rare case, so reading again costs nothing on a clean run), but only where
    a problem names a table or key: a file refused for its size is not read
    whole to place a problem that has no place."""
    texts = dict(texts or {})
    placed = {problem.file for problem in problems if problem.line is None and (problem.table or problem.key)}
    for file in dict.fromkeys(problem.file for problem in problems if problem.line is None):
        if file not in texts:
            if not file.lower().endswith(".toml"):
                continue
            try:
                texts[file] = Path(file).read_bytes().decode("utf-8-sig", errors="replace") if file in placed else ""
            except (OSError, ValueError):
                continue
        problems = with_lines(problems, file, texts[file])
    return problems
