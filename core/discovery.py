"""Finding the files a pattern of the run config names (``orgs/*.toml``,
``orgs/**/*.toml``), with links followed safely.

The standard library's recursive glob follows a link to a folder above it
again and again: one such loop reads a file dozens of times, two make the
run hang. Here every real folder is searched once for each part of the
pattern (a loop is cut the second time round), every real file is named
once, and a folder link that leads out of the ``roots`` is not entered.
"""

from __future__ import annotations

import fnmatch
import functools
import glob
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Found:
    """What a pattern names: its files, sorted, each real file once, and
    the folder links left out because they lead out of the roots."""

    files: list[Path] = field(default_factory=list)
    outside: list[Path] = field(default_factory=list)
    real_files: list[str] = field(default_factory=list)
    """Each file's real path (links resolved), in the order of ``files``."""


def is_inside(path: Path, roots: tuple[Path, ...] | None) -> bool:
    """Whether ``path``, its links resolved, lies in one of ``roots`` (None: anywhere)."""
    if roots is None:
        return True
    real = real_path(path)
    return any(real == root or real.startswith(inside_of(root)) for root in map(str, roots))


@functools.lru_cache(maxsize=64)
def inside_of(root: str) -> str:
    return root if root.endswith(os.sep) else root + os.sep


def real_path(path: Path) -> str:
    """``os.path.realpath``, with the folders' part remembered. The folder
    keeps its ``..`` for ``realpath`` to resolve after the links before it,
    as the system does (``link/..`` is the parent of the link's target)."""
    folder, name = os.path.split(path)
    if name in ("", ".", "..") or os.path.islink(path):
        return os.path.realpath(path)
    if not os.path.isabs(folder):
        folder = os.path.join(os.getcwd(), folder)
    return os.path.join(real_folder(folder), name)


@functools.lru_cache(maxsize=1024)
def real_folder(folder: str) -> str:
    """A folder's links resolved, remembered: a cohort's files share a few
    folders, and resolving each file's whole path costs a system call per
    part of it."""
    return os.path.realpath(folder)


def anchor(base: Path, pattern: str) -> Path:
    """The folder a pattern names before its first wildcard (the folder of
    a plain file name), links resolved: the assessor wrote it, so evidence
    in it is inside even when it lies out of the config's folder."""
    parts = list(Path(pattern).parts)
    literal: list[str] = []
    for part in parts if glob.has_magic(pattern) else parts[:-1]:
        if glob.has_magic(part):
            break
        literal.append(part)
    return Path(os.path.realpath(base.joinpath(*literal)))


def find_files(base: Path, pattern: str, roots: tuple[Path, ...] | None = None) -> Found:
    """The files ``pattern`` (relative to ``base``; ``*``, ``?``, ``[...]``
    and ``**`` as in glob) names. Names starting with a dot are matched
    only by a part that starts with a dot, as glob does. The folders'
    resolved paths remembered by an earlier search are forgotten: a folder
    may have become a link since (a second run in the same process)."""
    real_folder.cache_clear()
    found = Found()
    if not glob.has_magic(pattern):
        path = base / pattern
        if path.is_file():
            found.files, found.real_files = [path], [real_path(path)]
        return found
    parts = list(Path(pattern).parts)
    start = base
    while parts and not glob.has_magic(parts[0]):
        start = start / parts.pop(0)
    if not start.is_dir():
        return found
    searched: set[tuple[int, int, int]] = set()
    found_by_search = _search(start, tuple(parts), roots, searched, found.outside)
    matches = {child: (real, folder, name) for child, real, folder, name in found_by_search}
    seen: set[str] = set()
    for child in sorted(matches):
        real, folder, name = matches[child]
        if real not in seen:
            seen.add(real)
            found.files.append(folder / name)
            found.real_files.append(real)
    return found


def _search(
    folder: Path,
    parts: tuple[str, ...],
    roots: tuple[Path, ...] | None,
    searched: set[tuple[int, int, int]],
    outside: list[Path],
) -> Iterator[tuple[str, str, Path, str]]:
    """Each file ``parts`` names under ``folder``: its path as text, its real
    path, its folder and its name."""
    try:
        status = folder.stat()
    except OSError:
        return
    key = (status.st_dev, status.st_ino, len(parts))
    if key in searched:
        return
    searched.add(key)
    head, rest = parts[0], parts[1:]
    if head == "**":
        if rest:
            yield from _search(folder, rest, roots, searched, outside)
        for child, real, name, is_dir, is_file in _children(folder, "*"):
            if is_dir:
                if _enter(folder / name, roots, outside):
                    yield from _search(folder / name, parts, roots, searched, outside)
            elif not rest and is_file:
                yield child, real, folder, name
        return
    for child, real, name, is_dir, is_file in _children(folder, head):
        if not rest:
            if is_file:
                yield child, real, folder, name
        elif is_dir and _enter(folder / name, roots, outside):
            yield from _search(folder / name, rest, roots, searched, outside)


def _children(folder: Path, part: str) -> Iterator[tuple[str, str, str, bool, bool]]:
    """The entries of ``folder`` that ``part`` names: each one's path as
    text, its real path, its name, and whether it is a folder and whether a
    file (links followed); read from the folder's listing, without a system
    call per entry that is not a link."""
    if not glob.has_magic(part):
        child = folder / part
        if os.path.lexists(child):
            yield str(child), real_path(child), part, child.is_dir(), child.is_file()
        return
    try:
        with os.scandir(folder) as listing:
            entries = {entry.name: entry for entry in listing}
    except OSError:
        return
    hidden = part.startswith(".")
    text = str(folder)
    prefix = "" if text == "." else inside_of(text)
    real_prefix = inside_of(real_folder(os.path.join(os.getcwd(), folder)))
    for name in fnmatch.filter(entries, part):
        if hidden or not name.startswith("."):
            entry = entries[name]
            child = prefix + name
            real = os.path.realpath(child) if _is(entry.is_symlink) else real_prefix + name
            yield child, real, name, _is(entry.is_dir), _is(entry.is_file)


def _is(question: Callable[[], bool]) -> bool:
    try:
        return question()
    except OSError:
        return False


def _enter(folder: Path, roots: tuple[Path, ...] | None, outside: list[Path]) -> bool:
    if is_inside(folder, roots):
        return True
    if folder not in outside:
        outside.append(folder)
    return False
