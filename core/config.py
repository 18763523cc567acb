"""The assessor's run config: which year and edition, which organisations,
which policies, plugins and items. Paths are relative to the config file.

The config is trusted (it may load local plugins); it is checked strictly:
an unknown table or key is an error naming the file and key, so that a typo
never silently changes a score.
"""

from __future__ import annotations

import glob
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fivestar.discovery import anchor, find_files
from fivestar.facts import Shown, describe_value
from fivestar.limits import LIMIT_NAMES, Limits, parse_limits
from fivestar.logs import get_logger
from fivestar.model import InputError, Problem
from fivestar.suggest import did_you_mean
from fivestar.tomlfile import parse_toml

log = get_logger(__name__)

DEFAULT_EDITION = "shaoxing-2020"
DEFAULT_STORE_NAME = "assess-history.sqlite3"
NUL = "\x00"
PATH_EXPECTED = "a path without NUL bytes (\\u0000)"

KNOWN_KEYS: dict[str, set[str]] = {
    "assessment": {"year", "edition", "award_year", "organisations", "allow_outside_links"},
    "limits": set(LIMIT_NAMES),
    "policy": set(),  # checked against the policies the plugins declare
    "plugins": {"disable", "paths"},
    "rules": {"disable"},
    "office": {"records", "reviews"},
    "store": {"path", "save"},
}


class ConfigError(InputError):
    """The run config cannot be used."""


def shown_path(path: str | Path) -> Path:
    """A path as a user should read it: ``..`` and links resolved, relative
    to the current folder when inside it (``examples/history.sqlite3``, not
    ``examples/shaoxing-2020/../history.sqlite3``)."""
    real = Path(os.path.realpath(path))
    try:
        return real.relative_to(Path.cwd().resolve())
    except ValueError:
        return real


@dataclass
class RunConfig:
    path: Path
    year: int
    edition: str = DEFAULT_EDITION
    award_year: bool = True
    organisations: list[str] = field(default_factory=list)
    policy: dict[str, Any] = field(default_factory=dict)
    disabled_plugins: list[str] = field(default_factory=list)
    plugin_paths: list[Path] = field(default_factory=list)
    disabled_items: list[str] = field(default_factory=list)
    store_path: Path | None = None
    save: bool = False
    history: bool = True
    allow_outside_links: bool = False
    """Evidence may be a link out of the config's folder (refused by default)."""
    limits: Limits = field(default_factory=Limits)
    command_line_policy: dict[str, Any] = field(default_factory=dict)
    """``--policy KEY=VALUE`` of the command line: applied over ``[policy]``
    for this run only (see :func:`fivestar.pipeline.prepare`)."""
    office_records: list[str] = field(default_factory=list)
    office_reviews: list[str] = field(default_factory=list)

    @property
    def base(self) -> Path:
        return self.path.parent

    @property
    def history_path(self) -> Path:
        """The history store: ``[store] path``, or a file next to the config."""
        return self.store_path or self.base / DEFAULT_STORE_NAME

    @property
    def evidence_limits(self) -> Limits:
        """The limits on evidence, confined (links resolved) to the config's
        folder and the folders its patterns name, unless the config allows
        links out of them; a config not read from a file confines nothing."""
        if self.allow_outside_links or not self.path.is_file():
            return self.limits.within(None)
        patterns = [*self.organisations, *self.office_records, *self.office_reviews]
        anchors = {anchor(self.base, pattern) for pattern in patterns}
        return self.limits.within((self.base.resolve(), *sorted(anchors)))

    def organisation_files(self) -> list[Path]:
        """Every evidence file the config names, in a stable order, each once."""
        return self.matching_files(self.organisations, "assessment", "organisations", "evidence files")

    def office_files(self) -> tuple[list[Path], list[Path]]:
        """The office's records files and reviews files (``[office]``)."""
        records = self.matching_files(self.office_records, "office", "records", "records files", empty_globs=True)
        reviews = self.matching_files(self.office_reviews, "office", "reviews", "reviews files", empty_globs=True)
        return records, reviews

    def matching_files(
        self, patterns: list[str], table: str, key: str, what: str, empty_globs: bool = False
    ) -> list[Path]:
        """Every file the patterns (relative to the config) name, in a stable
        order, each real file once (a link to a file already named is left
        out; folder links are followed once, never out of the config's
        folders: see :mod:`fivestar.discovery`). A pattern that names nothing
        is an error, except a wildcard one when ``empty_globs`` (the office
        may have no .xlsx records this year; a file named outright must
        exist)."""
        files: list[Path] = []
        seen: set[str] = set()
        problems = []
        roots = self.evidence_limits.roots
        for pattern in patterns:
            found = find_files(self.base, pattern, roots)
            for folder in found.outside:
                log.warning("link_not_followed", link=str(folder), target=os.path.realpath(folder), reason="outside")
            if not found.files and not (empty_globs and glob.has_magic(pattern)):
                problems.append(
                    Problem(
                        "error",
                        str(self.path),
                        table,
                        key,
                        f"a file or pattern that names {what}",
                        f'"{pattern}" (matches nothing)',
                    )
                )
            for match, real in zip(found.files, found.real_files, strict=True):
                if real not in seen:
                    seen.add(real)
                    files.append(match)
        if problems:
            raise ConfigError(problems)
        return files


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def _read_toml(path: Path) -> dict[str, Any]:
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        raise ConfigError(
            [
                Problem(
                    "error",
                    str(path),
                    "",
                    "",
                    "a run config (TOML)",
                    "an Excel workbook",
                    "this is an evidence workbook, not a run config: check it with `assess validate FILE`",
                )
            ]
        )
    try:
        return parse_toml(path.read_bytes())
    except FileNotFoundError:
        raise ConfigError([Problem("error", str(path), "", "", "a run config file", "no such file")]) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([Problem("error", str(path), "", "", "valid TOML", str(error))]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([Problem("error", str(path), "", "", "a readable UTF-8 file", str(error))]) from None


def load_config(path: str | Path) -> RunConfig:
    """Read and check a run config (all but the policy values and item ids,
    which need the plugins: see :func:`fivestar.pipeline.prepare`)."""
    config, problems = read_config(path)
    if problems:
        raise ConfigError(problems)
    return config


def evidence_problem(path: Path, data: dict[str, Any]) -> Problem | None:
    """An evidence file given where a run config belongs: one clear line,
    not an error for each of its tables."""
    if "assessment" in data or not data or set(data) <= set(KNOWN_KEYS):
        return None
    return Problem(
        "error",
        str(path),
        "",
        "",
        "a run config with an [assessment] table",
        "an evidence file" if "organisation" in data else "no [assessment] table",
        "this is an evidence file, not a run config: check it with `assess validate FILE`",
    )


def read_config(path: str | Path) -> tuple[RunConfig, list[Problem]]:
    """The run config as far as it can be read, and every problem found in
    it (a file that cannot be read at all raises :class:`ConfigError`)."""
    path = Path(path)
    data = _read_toml(path)
    problems: list[Problem] = []
    file = str(path)
    as_evidence = evidence_problem(path, data)
    if as_evidence is not None:
        raise ConfigError([as_evidence])

    def error(table: str, key: str, expected: str, found: object, message: str = "") -> None:
        problems.append(Problem("error", file, table, key, expected, describe_value(found), message))

    for table, value in data.items():
        if table not in KNOWN_KEYS:
            error(
                "",
                table,
                "one of the tables " + ", ".join(f"[{name}]" for name in KNOWN_KEYS),
                Shown(f"[{table}]"),
                f"unknown table [{table}]" + did_you_mean(table, KNOWN_KEYS),
            )
            continue
        if not isinstance(value, dict):
            error("", table, "a table", value)
            continue
        if KNOWN_KEYS[table]:
            for key in value:
                if key not in KNOWN_KEYS[table]:
                    error(
                        table,
                        key,
                        "one of " + ", ".join(sorted(KNOWN_KEYS[table])),
                        Shown(f"unknown key {key}"),
                        f"unknown key {key}" + did_you_mean(key, KNOWN_KEYS[table]),
                    )

    def table(name: str) -> dict[str, Any]:
        value = data.get(name, {})
        return value if isinstance(value, dict) else {}

    def string_list(name: str, key: str) -> list[str]:
        value = table(name).get(key, [])
        if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
            error(name, key, "a list of strings", value)
            return []
        return list(value)

    def path_list(name: str, key: str) -> list[str]:
        paths = string_list(name, key)
        refused = [entry for entry in paths if NUL in entry]
        for entry in refused:
            error(name, key, PATH_EXPECTED, entry)
        return [entry for entry in paths if entry not in refused]

    assessment = table("assessment")
    year = assessment.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        error("assessment", "year", "a year such as 2020", year if year is not None else Shown("nothing"))
        year = 0
    edition = assessment.get("edition", DEFAULT_EDITION)
    if not isinstance(edition, str):
        error("assessment", "edition", "an edition name such as shaoxing-2020", edition)
        edition = DEFAULT_EDITION
    award_year = assessment.get("award_year", True)
    if not isinstance(award_year, bool):
        error("assessment", "award_year", "true or false", award_year)
        award_year = True
    organisations = path_list("assessment", "organisations")
    if "organisations" not in assessment:
        error("assessment", "organisations", "a list of evidence files or patterns", Shown("nothing"))

    store = table("store")
    store_path = None
    if "path" in store:
        if isinstance(store["path"], str) and NUL in store["path"]:
            error("store", "path", PATH_EXPECTED, store["path"])
        elif isinstance(store["path"], str):
            store_path = path.parent / store["path"]
        else:
            error("store", "path", "a file path", store["path"])
    save = store.get("save", False)
    if not isinstance(save, bool):
        error("store", "save", "true or false", save)
        save = False
    allow_outside_links = assessment.get("allow_outside_links", False)
    if not isinstance(allow_outside_links, bool):
        error("assessment", "allow_outside_links", "true or false", allow_outside_links)
        allow_outside_links = False

    config = RunConfig(
        path=path,
        year=year,
        edition=edition,
        award_year=award_year,
        organisations=organisations,
        policy=dict(table("policy")),
        disabled_plugins=string_list("plugins", "disable"),
        plugin_paths=[path.parent / entry for entry in path_list("plugins", "paths")],
        disabled_items=string_list("rules", "disable"),
        store_path=store_path,
        save=save,
        office_records=path_list("office", "records"),
        office_reviews=path_list("office", "reviews"),
        allow_outside_links=allow_outside_links,
        limits=parse_limits(data.get("limits", {}), error),
    )
    return config, problems
