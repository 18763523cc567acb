"""The installed plugins: the entry points of one group, found as the
standard library's ``importlib.metadata.entry_points(group=...)`` finds
them, without importing it.

``importlib.metadata`` imports the email package, to read a distribution's
name and version from its metadata: some 6 ms of every command. Here the
distributions are the ones it finds, in its order (the ``*.dist-info`` and
``*.egg-info`` folders of each folder on ``sys.path``, the first of each
name winning), each ``entry_points.txt`` is read by its rules, and a
distribution's name and version are read from the first lines of its
metadata only when it has an entry point of the group. Where it would look
further (a zip file or an egg on ``sys.path``, a finder of distributions
other than the standard one on ``sys.meta_path``), ``importlib.metadata``
itself is asked. A test keeps the two answers equal.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import sys
from collections.abc import Iterator
from importlib.machinery import PathFinder
from typing import Any

INFO_SUFFIXES = (".dist-info", ".egg-info")
REFERENCE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")
"""An entry point's value (``module:attribute [extras]``), as importlib.metadata reads it."""
LINE_BREAK = re.compile(r"\r\n|\r|\n")
HEADER_NAME = re.compile(r"[\041-\071\073-\176]*")


class Distribution:
    """An installed distribution's metadata folder; its name and version are
    read when first asked for."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._headers: dict[str, str] | None = None

    def read_text(self, filename: str) -> str | None:
        try:
            with open(os.path.join(self.path, filename), encoding="utf-8") as stream:
                return stream.read()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
            return None

    def header(self, name: str) -> str | None:
        if self._headers is None:
            text = self.read_text("METADATA") or self.read_text("PKG-INFO") or ""
            self._headers = first_headers(text)
        return self._headers.get(name.lower())

    @property
    def name(self) -> str | None:
        return self.header("Name")

    @property
    def version(self) -> str | None:
        return self.header("Version")


class EntryPoint:
    """``name = value`` of a group in a distribution's ``entry_points.txt``."""

    def __init__(self, name: str, value: str, group: str, dist: Distribution) -> None:
        self.name = name
        self.value = value
        self.group = group
        self.dist = dist

    def load(self) -> Any:
        """The module or object the value names (importlib.metadata's own steps)."""
        match = REFERENCE.match(self.value)
        module = importlib.import_module(match.group("module"))  # type: ignore[union-attr]
        attributes = filter(None, (match.group("attr") or "").split("."))  # type: ignore[union-attr]
        return functools.reduce(getattr, attributes, module)


def first_headers(text: str) -> dict[str, str]:
    """The headers of a metadata file (lower-case name → its first value),
    read as the email package reads them, up to the first line that is not
    a header."""
    headers: dict[str, str] = {}
    last = None
    for line in LINE_BREAK.split(text):
        if line[:1] in (" ", "\t"):
            if last is not None:
                headers[last] += "\n" + line
            continue
        key, colon, value = line.partition(":")
        if not line or not colon or not HEADER_NAME.fullmatch(key):
            break
        last = key.lower() if key.lower() not in headers else None
        if last is not None:
            headers[last] = value.lstrip(" \t")
    return headers


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower().replace("-", "_")


def standard_search_only() -> bool:
    """Whether importlib.metadata would find only what :func:`entry_points`
    reads: folders on sys.path, searched by the standard finder alone."""
    finders = [finder for finder in sys.meta_path if getattr(finder, "find_distributions", None) is not None]
    if finders != [PathFinder]:
        return False
    for entry in sys.path:
        if not isinstance(entry, str):
            return False
        root = entry or "."
        if os.path.basename(root).lower().endswith(".egg") or os.path.isfile(root):
            return False
    return True


def distributions() -> Iterator[Distribution]:
    """The metadata folders of each folder on sys.path, in importlib.metadata's
    order: a folder's entries in its listing's order, those of one name
    together; the first distribution of each name only."""
    seen: set[str] = set()
    for entry in sys.path:
        root = str(entry)
        try:
            children = os.listdir(root or ".")
        except Exception:
            continue
        by_name: dict[str, list[str]] = {}
        for child in children:
            low = child.lower()
            if low.endswith(INFO_SUFFIXES):
                by_name.setdefault(normalized(low.rpartition(".")[0].partition("-")[0]), []).append(child)
        for child in (child for named in by_name.values() for child in named):
            stem, suffix = os.path.splitext(child)
            dist = Distribution(os.path.join(root, child))
            name = normalized(stem.partition("-")[0]) if suffix in INFO_SUFFIXES else normalized(dist.name or "")
            if name not in seen:
                seen.add(name)
                yield dist


def entry_points(*, group: str) -> list[Any]:
    """The entry points of ``group`` of every installed distribution, in
    importlib.metadata's order."""
    if not standard_search_only():
        from importlib import metadata

        return list(metadata.entry_points(group=group))
    found: list[Any] = []
    for dist in distributions():
        section = None
        for line in (dist.read_text("entry_points.txt") or "").splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("[") and line.endswith("]"):
                section = line.strip("[]")
            elif section is not None:
                name, value = (part.strip() for part in line.split("=", 1))
                if section == group:
                    found.append(EntryPoint(name, value, group, dist))
    return found
