"""The history store: every saved run, one SQLite file (the standard
library's sqlite3; embedded, no set-up).

A run is saved whole or not at all: one transaction per save, so an
interrupted save leaves the store as it was. Saving a year that is already
stored needs ``replace=True``. Scores are stored as decimal text, never as
floats; each organisation's full JSON result document is kept too, so a
stored year can be shown exactly as it was reported.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from fivestar.model import InputError, Problem
from fivestar.numbers import fmt
from fivestar.version import __version__

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    year INTEGER PRIMARY KEY,
    edition TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    engine TEXT NOT NULL,
    policies TEXT NOT NULL,
    plugins TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    year INTEGER NOT NULL REFERENCES runs (year) ON DELETE CASCADE,
    org_id TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    evidence_sha256 TEXT NOT NULL,
    total TEXT,
    heavy TEXT,
    awards TEXT,
    facts TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (year, org_id)
);
CREATE TABLE IF NOT EXISTS section_scores (
    year INTEGER NOT NULL,
    org_id TEXT NOT NULL,
    section TEXT NOT NULL,
    score TEXT NOT NULL,
    max TEXT NOT NULL,
    PRIMARY KEY (year, org_id, section),
    FOREIGN KEY (year, org_id) REFERENCES results (year, org_id) ON DELETE CASCADE
);
"""


class StoreError(InputError):
    """The store cannot do what was asked (a year already saved, a broken file)."""


def _store_problem(path: Path, expected: str, found: str) -> StoreError:
    return StoreError([Problem("error", str(path), "store", "", expected, found)])


def _decimal_text(value: object) -> str:
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__}")


def dumps(value: Any) -> str:
    """JSON with decimals kept as exact text."""
    return json.dumps(value, ensure_ascii=False, default=_decimal_text, sort_keys=True)


@dataclass(frozen=True)
class StoredResult:
    """One organisation's saved result for one year."""

    year: int
    org_id: str
    name: str
    status: str
    total: Decimal | None
    heavy: Decimal | None
    awards: dict[str, Any]
    facts: dict[str, Any]
    sections: dict[str, Decimal]
    document: dict[str, Any]

    def fact(self, section: str, name: str) -> Any:
        return self.facts.get(section, {}).get(name)


@dataclass(frozen=True)
class StoredRun:
    year: int
    edition: str
    saved_at: str
    engine: str
    policies: dict[str, Any]
    plugins: dict[str, str]


class HistoryStore:
    """A handle on the store file. Reading never writes: the tables are
    created by the first save, and a file without them is refused rather than
    changed."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _connect(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        if self.path.is_dir():
            raise _store_problem(self.path, "an SQLite history store file", "a folder")
        if write and not self.path.parent.is_dir():
            raise _store_problem(self.path, "a store in an existing folder", f"no folder {self.path.parent}")
        try:
            if write:
                connection = sqlite3.connect(self.path, isolation_level=None)
            else:
                connection = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", isolation_level=None, uri=True)
        except sqlite3.Error as error:
            raise _store_problem(self.path, "an SQLite history store", str(error)) from None
        try:
            connection.execute("PRAGMA foreign_keys = ON")
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if write and not tables:
                connection.executescript(SCHEMA)
            elif not {"runs", "results", "section_scores"} <= tables:
                raise _store_problem(
                    self.path,
                    "a history store (tables runs, results, section_scores)",
                    "another database" if tables else "an empty database",
                )
            yield connection
        except sqlite3.DatabaseError as error:
            raise _store_problem(self.path, "an SQLite history store", str(error)) from None
        finally:
            connection.close()

    def years(self) -> list[int]:
        if not self.path.exists():
            return []
        with self._connect() as connection:
            return [row[0] for row in connection.execute("SELECT year FROM runs ORDER BY year")]

    def run(self, year: int) -> StoredRun | None:
        if not self.path.exists():
            return None
        with self._connect() as connection:
            row = connection.execute(
                "SELECT year, edition, saved_at, engine, policies, plugins FROM runs WHERE year = ?", (year,)
            ).fetchone()
        if row is None:
            return None
        return StoredRun(row[0], row[1], row[2], row[3], json.loads(row[4]), json.loads(row[5]))

    def results(self, year: int) -> dict[str, StoredResult]:
        """Every organisation's saved result of a year, by organisation id."""
        if not self.path.exists():
            return {}
        with self._connect() as connection:
            sections: dict[str, dict[str, Decimal]] = {}
            for org_id, section, score in connection.execute(
                "SELECT org_id, section, score FROM section_scores WHERE year = ? ORDER BY rowid", (year,)
            ):
                sections.setdefault(org_id, {})[section] = Decimal(score)
            rows = connection.execute(
                "SELECT org_id, name, status, total, heavy, awards, facts, document FROM results WHERE year = ?",
                (year,),
            ).fetchall()
        return {
            org_id: StoredResult(
                year,
                org_id,
                name,
                status,
                Decimal(total) if total is not None else None,
                Decimal(heavy) if heavy is not None else None,
                json.loads(awards) if awards else {},
                json.loads(facts),
                sections.get(org_id, {}),
                json.loads(document),
            )
            for org_id, name, status, total, heavy, awards, facts, document in rows
        }

    def organisation(self, org_id: str) -> list[StoredResult]:
        """One organisation's saved results, oldest year first."""
        return [result for year in self.years() if (result := self.results(year).get(org_id)) is not None]

    def save(self, run: StoredRun, results: list[StoredResult], replace: bool = False) -> None:
        """Record a run in one transaction; a year already stored needs ``replace``."""
        with self._connect(write=True) as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                exists = connection.execute("SELECT 1 FROM runs WHERE year = ?", (run.year,)).fetchone()
                if exists and not replace:
                    raise _store_problem(
                        self.path, f"a year not yet saved (use --replace to overwrite {run.year})", f"{run.year} saved"
                    )
                connection.execute("DELETE FROM section_scores WHERE year = ?", (run.year,))
                connection.execute("DELETE FROM results WHERE year = ?", (run.year,))
                connection.execute("DELETE FROM runs WHERE year = ?", (run.year,))
                connection.execute(
                    "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?)",
                    (run.year, run.edition, run.saved_at, run.engine, dumps(run.policies), dumps(run.plugins)),
                )
                for result in results:
                    self._insert(connection, result)
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise

    @staticmethod
    def _insert(connection: sqlite3.Connection, result: StoredResult) -> None:
        connection.execute(
            "INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                result.year,
                result.org_id,
                result.name,
                result.status,
                result.document.get("provenance", {}).get("evidence_sha256", ""),
                fmt(result.total) if result.total is not None else None,
                fmt(result.heavy) if result.heavy is not None else None,
                dumps(result.awards) if result.awards else None,
                dumps(result.facts),
                dumps(result.document),
            ),
        )
        connection.executemany(
            "INSERT INTO section_scores VALUES (?, ?, ?, ?, ?)",
            [
                (
                    result.year,
                    result.org_id,
                    section,
                    fmt(score),
                    fmt(Decimal(str(result.document["sections"][section]["max"]))),
                )
                for section, score in result.sections.items()
            ],
        )


def stored_run(year: int, edition: str, policies: dict[str, Any], plugins: dict[str, str]) -> StoredRun:
    saved_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return StoredRun(year, edition, saved_at, f"fivestar-assess {__version__}", policies, plugins)
