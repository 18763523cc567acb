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
import functools
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from fivestar.config import shown_path
from fivestar.exactjson import dumps
from fivestar.logs import get_logger
from fivestar.model import InputError, Problem
from fivestar.version import __version__

log = get_logger(__name__)

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

INDEXES = """
CREATE INDEX IF NOT EXISTS results_by_org ON results (org_id);
CREATE INDEX IF NOT EXISTS section_scores_by_org ON section_scores (org_id);
"""


class StoreError(InputError):
    """The store cannot do what was asked (a year already saved, a broken file)."""


def _store_problem(path: Path, expected: str, found: str) -> StoreError:
    return StoreError([Problem("error", str(shown_path(path)), "", "", expected, found)])


def _already_saved(path: Path, year: int) -> StoreError:
    return _store_problem(path, f"a year not yet saved (use --replace to overwrite {year})", f"{year} saved")


@dataclass(frozen=True)
class StoredSummary:
    """One organisation's saved figures for one year, without its facts and
    document (what `assess history` and `assess compare` show)."""

    year: int
    org_id: str
    name: str
    status: str
    total: Decimal | None
    heavy: Decimal | None
    awards: dict[str, Any]
    sections: dict[str, Decimal]


@dataclass(frozen=True)
class StoredResult(StoredSummary):
    """One organisation's saved result for one year, whole."""

    facts: dict[str, Any]
    document: dict[str, Any]

    def fact(self, section: str, name: str) -> Any:
        return self.facts.get(section, {}).get(name)


class RowFields(NamedTuple):
    """What the store keeps of one organisation besides the year, its facts
    and its document, as the text it is stored as (decimals as exact text,
    JSON)."""

    org_id: str
    name: str
    status: str
    evidence_sha256: str
    total: str | None
    heavy: str | None
    awards_json: str | None
    sections: list[tuple[str, str, str]]
    """(section, score, max) of a scored organisation."""


@dataclass(frozen=True)
class SavedRow:
    """What a save writes of one organisation: its ``results`` row and its
    sections' scores. The facts and the document (the JSON result's text of
    the organisation), the bulk of the row, are UTF-8 bytes as the run wrote
    them, stored as text without being decoded here."""

    year: int
    fields: RowFields
    facts_json: bytes
    document: bytes


@dataclass(frozen=True)
class PreviousResult:
    """Last year's result of one organisation as a run sees it: its summary,
    and any fact read from the store when first asked for (see
    :class:`PreviousYear`)."""

    year: int
    org_id: str
    name: str
    status: str
    total: Decimal | None
    awards_json: str | None = field(repr=False)
    """The awards as stored: read when asked for (a cohort's parsed awards
    would cost more memory than the rest of last year's summary)."""
    columns: FactColumns = field(repr=False, compare=False)

    @property
    def awards(self) -> dict[str, Any]:
        return json.loads(self.awards_json) if self.awards_json else {}

    def fact(self, section: str, name: str) -> Any:
        return self.columns.fact(self.org_id, section, name)


@dataclass(frozen=True)
class StoredRun:
    year: int
    edition: str
    saved_at: str
    engine: str
    policies: dict[str, Any]
    plugins: dict[str, str]


PAGE_SIZE = 8192
"""The page size of a new store. A row is mostly its document (some 25 kB):
8 kB pages write and read it in half as many pages as SQLite's 4 kB (on
this project's machine, SQLite's part of replacing a year of 20,000 took
1.2-1.4 s instead of 1.6-1.9 s, and reading last year's summary was no
slower); 16 kB pages were slower (each row's first page holds more of its
document). A store made with other pages keeps them (``VACUUM`` after
``PRAGMA page_size = 8192`` converts one)."""

SECTIONS_AT_ONCE = 2000
"""Section rows a save inserts in one statement."""

READ_ONLY_ROLLBACK = 776
"""SQLITE_READONLY_ROLLBACK: a read-only connection met the rollback journal
of a save that was interrupted, which only a writer can roll back."""
BUSY = 5
"""SQLITE_BUSY: a save holds the store."""
READ_ONLY = 8
"""SQLITE_READONLY: the store cannot be written."""
READ_WAIT = 600.0
"""Seconds a read waits for a save that holds the store: once a save's
pages no longer fit SQLite's cache, it holds the store locked until it
commits, and a report that reads the store beside the run's own save (the
history charts, last year's results scored again) or a command run during
another assessor's save waits for it rather than failing."""
READ_STEP = 0.05
"""Seconds between a read's attempts to take the store (short, so that
Ctrl-C and SIGTERM are answered while it waits)."""


def _json_value(kind: str | None, value: Any) -> Any:
    """A value ``json_extract`` read, as ``json.loads`` would give it."""
    if kind in ("array", "object"):
        return json.loads(value)
    if kind in ("true", "false"):
        return kind == "true"
    return value


class HistoryStore:
    """A handle on the store file. Reading never changes what is stored: the
    tables are created by the first save, a file without them is refused
    rather than changed, and the rollback journal a killed save leaves behind
    is rolled back (as SQLite does for any writer) before reading."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _open(self, write: bool) -> sqlite3.Connection:
        if write:
            return sqlite3.connect(self.path, isolation_level=None)
        return sqlite3.connect(
            f"{self.path.resolve().as_uri()}?mode=ro", isolation_level=None, uri=True, timeout=READ_STEP
        )

    def _recover(self) -> None:
        """Roll back the journal of an interrupted save: SQLite does it on the
        first read of a connection that may write. The store is then wholly as
        it was before that save."""
        log.warning("store_recovered", store=str(self.path), reason="a save was interrupted")
        connection = self._open(write=True)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as error:
            raise _store_problem(
                self.path,
                "a store that can be recovered from an interrupted save (it needs write access once)",
                str(error),
            ) from None
        finally:
            connection.close()

    def _check_place(self, write: bool) -> None:
        if self.path.is_dir():
            raise _store_problem(self.path, "an SQLite history store file", "a folder")
        if write and not self.path.parent.is_dir():
            raise _store_problem(self.path, "a store in an existing folder", f"no folder {self.path.parent}")

    @contextmanager
    def _connect(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        self._check_place(write)
        try:
            connection = self._open(write)
        except sqlite3.Error as error:
            raise _store_problem(self.path, "an SQLite history store", str(error)) from None
        try:
            try:
                tables = self._tables(connection) if write else self._read_tables(connection)
            except sqlite3.OperationalError as error:
                if write or getattr(error, "sqlite_errorcode", None) != READ_ONLY_ROLLBACK:
                    raise
                connection.close()
                self._recover()
                connection = self._open(write=False)
                tables = self._read_tables(connection)
            connection.execute("PRAGMA foreign_keys = ON")
            if write and not tables:
                connection.execute(f"PRAGMA page_size = {PAGE_SIZE}")
                connection.executescript(SCHEMA)
            elif not {"runs", "results", "section_scores"} <= tables:
                raise _store_problem(
                    self.path,
                    "a history store (tables runs, results, section_scores)",
                    "another database" if tables else "an empty database",
                )
            if write:
                connection.executescript(INDEXES)
            yield connection
        except sqlite3.DatabaseError as error:
            expected = "a store with room for the run (nothing was saved)" if write else "an SQLite history store"
            raise _store_problem(self.path, expected, str(error)) from None
        finally:
            connection.close()

    @classmethod
    def _read_tables(cls, connection: sqlite3.Connection) -> set[str]:
        """The tables, read in a transaction that holds the store for the
        connection's reads, taken once a save that holds it lets go
        (:data:`READ_WAIT`)."""
        deadline = time.monotonic() + READ_WAIT
        while True:
            connection.execute("BEGIN")
            try:
                return cls._tables(connection)
            except sqlite3.OperationalError as error:
                connection.execute("ROLLBACK")
                if getattr(error, "sqlite_errorcode", 0) & 0xFF != BUSY or time.monotonic() > deadline:
                    raise
            time.sleep(READ_STEP)

    @staticmethod
    def _tables(connection: sqlite3.Connection) -> set[str]:
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

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
        """Every organisation's saved result of a year, whole (facts and
        document), by organisation id."""
        results = self._read("year = ?", (year,), whole=True)
        return {result.org_id: result for result in results if isinstance(result, StoredResult)}

    def summaries(self, year: int) -> dict[str, StoredSummary]:
        """Every organisation's saved figures of a year, by id (no documents)."""
        return {summary.org_id: summary for summary in self._read("year = ?", (year,))}

    def organisation(self, org_id: str) -> list[StoredSummary]:
        """One organisation's saved figures, oldest year first: its rows only."""
        return sorted(self._read("org_id = ?", (org_id,)), key=lambda summary: summary.year)

    def _read(self, where: str, parameters: tuple[Any, ...], whole: bool = False) -> list[StoredSummary]:
        if not self.path.exists():
            return []
        columns = "year, org_id, name, status, total, heavy, awards" + (", facts, document" if whole else "")
        with self._connect() as connection:
            sections = self._sections(connection, where, parameters)
            rows = connection.execute(f"SELECT {columns} FROM results WHERE {where}", parameters).fetchall()
        found: list[StoredSummary] = []
        for year, org_id, name, status, total, heavy, awards, *documents in rows:
            summary = (
                year,
                org_id,
                name,
                status,
                _decimal(total),
                _decimal(heavy),
                json.loads(awards) if awards else {},
                sections.get((year, org_id), {}),
            )
            found.append(StoredResult(*summary, *map(json.loads, documents)) if whole else StoredSummary(*summary))
        return found

    @staticmethod
    def _sections(
        connection: sqlite3.Connection, where: str, parameters: tuple[Any, ...]
    ) -> dict[tuple[int, str], dict[str, Decimal]]:
        sections: dict[tuple[int, str], dict[str, Decimal]] = {}
        for year, org_id, section, score in connection.execute(
            f"SELECT year, org_id, section, score FROM section_scores WHERE {where} ORDER BY rowid", parameters
        ):
            sections.setdefault((year, org_id), {})[section] = Decimal(score)
        return sections

    def previous_year(self, year: int) -> PreviousYear:
        """What a run reads of the year before: each organisation's summary
        now, a fact only when a plugin asks for it (see :class:`PreviousYear`)."""
        return PreviousYear(self, year)

    def fact_column(self, year: int, section: str, name: str) -> dict[str, Any]:
        """One fact of every organisation of a year, by id (absent: left out)."""
        if not self.path.exists():
            return {}
        path = f"$.{json.dumps(section)}.{json.dumps(name)}"
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT org_id, json_type(facts, ?), json_extract(facts, ?) FROM results WHERE year = ?",
                (path, path, year),
            ).fetchall()
        return {org_id: _json_value(kind, value) for org_id, kind, value in rows if kind is not None}

    def decisions(self, org_id: str) -> dict[int, dict[str, list[Any]]]:
        """Year → who said what of one organisation that year (its saved
        conflicts, unverified claims, findings and appeals), read out of the
        saved documents without loading them whole."""
        if not self.path.exists():
            return {}
        keys = ("conflicts", "unverified", "findings", "appeals")
        columns = ", ".join(f"json_extract(document, '$.{key}')" for key in keys)
        with self._connect() as connection:
            rows = connection.execute(f"SELECT year, {columns} FROM results WHERE org_id = ?", (org_id,)).fetchall()
        return {
            year: {key: json.loads(text) if text else [] for key, text in zip(keys, texts, strict=True)}
            for year, *texts in rows
        }

    def organisation_ids(self) -> list[str]:
        """Every organisation id with a saved result, in any year."""
        if not self.path.exists():
            return []
        with self._connect() as connection:
            return [row[0] for row in connection.execute("SELECT DISTINCT org_id FROM results ORDER BY org_id")]

    def check_can_save(self, year: int, replace: bool) -> None:
        """Refuse, before a run scores anything, a save that would be refused
        at its end: the year is stored and ``replace`` was not asked for, or
        the file is not a store, or there is no folder to make it in, or
        the store cannot be written (read-only)."""
        self._check_place(write=True)
        if not replace and self.run(year) is not None:
            raise _already_saved(self.path, year)
        if self.path.exists():
            self._check_writable()

    def _check_writable(self) -> None:
        """Begin a save that writes nothing and roll it back: SQLite opens a
        file it may not write for reading only, and says so at a save's first
        statement. Any other answer (another save holds the store, the file
        is not a store) is left to what reads or saves the store."""
        try:
            connection = sqlite3.connect(self.path, isolation_level=None, timeout=0)
        except sqlite3.Error:
            return
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("DELETE FROM runs WHERE 0")
            connection.execute("ROLLBACK")
        except sqlite3.Error as error:
            if getattr(error, "sqlite_errorcode", 0) & 0xFF == READ_ONLY:
                expected = "a store that can be written (nothing was scored)"
                raise _store_problem(self.path, expected, str(error)) from None
        finally:
            connection.close()

    def save(self, run: StoredRun, rows: Iterable[SavedRow], replace: bool = False) -> None:
        """Record a run in one transaction; a year already stored needs ``replace``.

        A year replaced is written beside the old one (its results under a
        placeholder year) before the old one is deleted: the new rows take
        pages that were free when the save began, or go at the end of the
        file, and SQLite need not copy those into the rollback journal; the
        old rows' pages are then freed without being overwritten
        (``secure_delete = FAST``) and kept free for the next save. Deleting
        first had every page of the old year copied into the journal and
        the new rows written over it: twice the writing. Foreign keys are
        not enforced while saving, since their cascade would delete the new
        sections with the old results: the save deletes the year's old rows
        itself."""
        with self._connect(write=True) as connection:
            connection.execute("PRAGMA foreign_keys = OFF")
            connection.execute("PRAGMA secure_delete = FAST")
            connection.execute("BEGIN IMMEDIATE")
            try:
                exists = connection.execute("SELECT 1 FROM runs WHERE year = ?", (run.year,)).fetchone()
                if exists and not replace:
                    raise _already_saved(self.path, run.year)
                placeholder = -1 - run.year if exists else run.year
                connection.execute("DELETE FROM section_scores WHERE year = ?", (run.year,))
                connection.execute("DELETE FROM runs WHERE year = ?", (run.year,))
                connection.execute(
                    "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?)",
                    (run.year, run.edition, run.saved_at, run.engine, dumps(run.policies), dumps(run.plugins)),
                )
                sections: list[tuple[Any, ...]] = []
                for row in rows:
                    self._insert(connection, row, placeholder, sections)
                    if len(sections) >= SECTIONS_AT_ONCE:
                        self._insert_sections(connection, sections)
                self._insert_sections(connection, sections)
                if exists:
                    connection.execute("DELETE FROM results WHERE year = ?", (run.year,))
                    connection.execute("UPDATE results SET year = ? WHERE year = ?", (run.year, placeholder))
                connection.execute("COMMIT")
            except BaseException:
                _roll_back(connection)
                raise

    @staticmethod
    def _insert(connection: sqlite3.Connection, row: SavedRow, year: int, sections: list[tuple[Any, ...]]) -> None:
        """Insert the organisation's results row under ``year``; its sections'
        rows are added to ``sections``, inserted a batch at a time."""
        connection.execute(
            "INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT), CAST(? AS TEXT))",
            (year, *row.fields[:-1], row.facts_json, row.document),
        )
        sections += [(row.year, row.fields.org_id, *section) for section in row.fields.sections]

    @staticmethod
    def _insert_sections(connection: sqlite3.Connection, sections: list[tuple[Any, ...]]) -> None:
        connection.executemany("INSERT INTO section_scores VALUES (?, ?, ?, ?, ?)", sections)
        sections.clear()


class FactColumns:
    """The facts of last year's organisations, each read for every
    organisation in one query the first time a plugin asks for it."""

    def __init__(self, store: HistoryStore, year: int) -> None:
        self.store = store
        self.year = year
        self._columns: dict[tuple[str, str], dict[str, Any]] = {}

    def fact(self, org_id: str, section: str, name: str) -> Any:
        key = (section, name)
        if key not in self._columns:
            self._columns[key] = self.store.fact_column(self.year, section, name)
        return self._columns[key].get(org_id)


class PreviousYear:
    """Last year's results, as light as a run needs them: the summary of
    every organisation (status, total, awards) is read the first time one is
    asked for, in the process that asks (a large run's workers; the process
    that hands out the work never holds it), kept as the stored text (equal
    texts once) and made a :class:`PreviousResult` when asked for (a
    province's cohort of objects costs more than its text); each fact a
    plugin asks for (``previous.fact("performance", "conduct_rating")``) is
    read for every organisation in one query the first time it is asked
    for, and never a whole stored document. Made, it has counted last
    year's organisations: a store that cannot be read is found then."""

    def __init__(self, store: HistoryStore, year: int) -> None:
        self.store = store
        self.year = year
        self._count = 0
        self._columns = FactColumns(store, year)
        self._last: PreviousResult | None = None
        if store.path.exists():
            with store._connect() as connection:
                (self._count,) = connection.execute("SELECT count(*) FROM results WHERE year = ?", (year,)).fetchone()

    def __len__(self) -> int:
        return self._count

    @functools.cached_property
    def _rows(self) -> dict[str, tuple[str, Any, Any, Any]]:
        if not self._count:
            return {}
        texts: dict[str | None, str | None] = {}
        share = texts.setdefault
        with self.store._connect() as connection:
            rows = connection.execute(
                "SELECT org_id, name, status, total, awards FROM results WHERE year = ?", (self.year,)
            )
            return {
                org_id: (name, share(status, status), share(total, total), share(awards, awards))
                for org_id, name, status, total, awards in rows
            }

    def get(self, org_id: str) -> PreviousResult | None:
        """The organisation's result (the last one made is kept: each plugin
        that reads last year asks for the same organisation in turn)."""
        last = self._last
        if last is not None and last.org_id == org_id:
            return last
        row = self._rows.get(org_id)
        if row is None:
            return None
        name, status, total, awards = row
        result = self._last = PreviousResult(self.year, org_id, name, status, _decimal(total), awards, self._columns)
        return result


def _roll_back(connection: sqlite3.Connection) -> None:
    """Undo a failed save. SQLite may already have rolled it back itself (a
    full disk does): the error that stopped the save is the one reported, and
    a journal left behind is rolled back by the next reader."""
    if not connection.in_transaction:
        return
    try:
        connection.execute("ROLLBACK")
    except sqlite3.Error as error:
        log.warning("store_rollback_failed", error=str(error))


def _decimal(text: str | None) -> Decimal | None:
    return Decimal(text) if text is not None else None


def stored_run(year: int, edition: str, policies: dict[str, Any], plugins: dict[str, str]) -> StoredRun:
    saved_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return StoredRun(year, edition, saved_at, f"fivestar-assess {__version__}", policies, plugins)
