"""The office's files (市直机关工委): its records of facts and the assessor's
reviews. They are read once per run, before any evidence, and checked as
strictly as the run config: a problem in them stops the run with every
problem listed, since a wrong official figure would change every score.

Records (``[office] records``): TOML, CSV or xlsx.

- TOML: ``[organisations."sx-finance"]`` with fact ids as keys, and a
  ``[cohort]`` table of figures for the whole city (the official average).
- CSV / xlsx (first sheet): a header row ``organisation,performance.conduct_rating,…``
  (a fact id or one of its Chinese aliases per column), one row per
  organisation; an empty cell is no record.

Reviews (``[office] reviews``): TOML, ``[[organisations."id".findings]]`` and
``[[organisations."id".appeals]]``.

An organisation is named by its id or by its full name.

Each file is bounded by the run config's ``[limits]`` (``office_file_bytes``,
``office_entries``, ``text_chars``, ``problems``: see docs/security.md).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
import tomllib
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from fivestar.evidence import dotted, is_heavy_figure
from fivestar.facts import (
    Amount,
    Choice,
    Count,
    Day,
    FactError,
    FactType,
    Records,
    Shown,
    Text,
    YesNo,
    describe_value,
)
from fivestar.limits import (
    Limits,
    TooLarge,
    capped,
    document_problems,
    read_limited,
    rows_problems,
    size_problem,
)
from fivestar.model import Appeal, Finding, InputError, Organisation, Problem
from fivestar.registry import Registry
from fivestar.suggest import did_you_mean
from fivestar.tomlfile import parse_toml
from fivestar.workbook_limits import workbook_problem

ORGANISATION_HEADERS = ("organisation", "id", "组织", "党组织", "单位", "单位编号", "编号")
"""Column headers that name the organisation of a row in CSV/xlsx records."""

YES_WORDS = ("true", "yes", "是", "1")
NO_WORDS = ("false", "no", "否", "0")
CHOICE_WORDS = {"优秀": "excellent", "良好": "good", "其他": "other", "一般": "other", "合格": "other"}
"""Chinese words for the grades the 2020 facts share, accepted in records."""

FINDING_KEYS = ("item", "points", "reason", "found_on", "found_by")
APPEAL_KEYS = ("item", "outcome", "decided_on", "reason")
OUTCOMES = ("upheld", "rejected")


class OfficeError(InputError):
    """The office's records or reviews cannot be used."""


@dataclass(frozen=True)
class Record:
    """One value the office's records give, typed, and where it was written."""

    value: Any
    where: str


SUGGESTED = 20
"""Names of no organisation of the run given a "did you mean"."""


@dataclass
class Office:
    """What the office's files say, by organisation (id or full name)."""

    records: dict[str, dict[str, Record]] = field(default_factory=dict)
    cohort: dict[str, Record] = field(default_factory=dict)
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    appeals: dict[str, list[Appeal]] = field(default_factory=dict)
    problems: dict[str, list[Problem]] = field(default_factory=dict)
    record_files: list[str] = field(default_factory=list)
    review_files: list[str] = field(default_factory=list)

    def _of(self, table: dict[str, Any], organisation: Organisation) -> list[Any]:
        """The entries under the organisation's id and under its full name
        (an office's file may name it either way)."""
        keys = dict.fromkeys((organisation.id, organisation.name))
        return [table[key] for key in keys if key in table]

    def records_of(self, organisation: Organisation) -> dict[str, Record]:
        merged: dict[str, Record] = {}
        for records in reversed(self._of(self.records, organisation)):
            merged.update(records)
        return merged

    def findings_of(self, organisation: Organisation) -> list[Finding]:
        return [finding for findings in self._of(self.findings, organisation) for finding in findings]

    def appeals_of(self, organisation: Organisation) -> list[Appeal]:
        return [appeal for appeals in self._of(self.appeals, organisation) for appeal in appeals]

    def problems_of(self, organisation: Organisation) -> list[Problem]:
        """Problems of the office's entries about this organisation: they fail
        the organisation, not the run. A fact recorded both under its id and
        under its full name is one of them: neither record silently wins."""
        problems = [problem for problems in self._of(self.problems, organisation) for problem in problems]
        tables = self._of(self.records, organisation)
        if len(tables) < 2:
            return problems
        by_id, by_name = tables
        for key in sorted(by_id.keys() & by_name.keys()):
            problems.append(
                Problem(
                    "error",
                    by_name[key].where,
                    "",
                    key,
                    "one record of a fact per organisation (by its id or by its full name)",
                    f"also in {by_id[key].where}",
                )
            )
        return problems

    def naming_nobody(self, ids: list[str], names: list[str], limits: Limits | None = None) -> list[Problem]:
        """Findings, appeals or problems under a name that is no organisation of
        the run (given by ``ids`` and full ``names``): an error each, since a lost
        finding would change a score silently (a typo in the reviews file, or a
        department that changed its id). The first :data:`SUGGESTED` are given
        the nearest id (each a search of every id of the run: a reviews file
        for another cohort of 80,000 took minutes), and each file's list is
        ``capped`` by the ``limits``."""
        known = {*ids, *names}
        by_file: dict[str, list[Problem]] = {}
        suggested = 0
        for key in sorted(set(self.findings) | set(self.appeals) | set(self.problems)):
            entries = [*self.findings.get(key, ()), *self.appeals.get(key, ()), *self.problems.get(key, ())]
            if key in known or not entries:
                continue
            hint = did_you_mean(key, ids) if suggested < SUGGESTED else ""
            suggested += 1
            file = entries[0].file
            by_file.setdefault(file, []).append(
                Problem.error(
                    file,
                    f'organisations."{key}"',
                    expected="the id or full name of an organisation of the run",
                    found=f'"{key}"' + hint,
                )
            )
        return [
            problem
            for file, problems in by_file.items()
            for problem in (capped(problems, file, limits) if limits else problems)
        ]

    def figure(self, key: str, organisation: Organisation | None = None) -> Any:
        """An office figure: the organisation's own record, else the cohort's; None when not given."""
        if organisation is not None and self.records:
            record = self.records_of(organisation).get(key)
            if record is not None:
                return record.value
        record = self.cohort.get(key)
        return record.value if record is not None else None


# --------------------------------------------------------------------------
# values written as text (CSV, xlsx)
# --------------------------------------------------------------------------


def from_text(fact_type: FactType, text: str) -> Any:
    """A cell's text as the fact's type; raises FactError like ``convert``."""
    word = text.strip()
    value: Any = word
    if isinstance(fact_type, YesNo):
        if word.lower() in YES_WORDS:
            value = True
        elif word.lower() in NO_WORDS:
            value = False
    elif isinstance(fact_type, Count):
        if re.fullmatch(r"[+-]?\d+", word):
            value = int(word)
    elif isinstance(fact_type, Amount):
        with contextlib.suppress(InvalidOperation):
            value = Decimal(word)
    elif isinstance(fact_type, Choice):
        value = CHOICE_WORDS.get(word, word)
    elif isinstance(fact_type, Records):
        raise FactError(f"{fact_type.expected} (give it in a TOML records file)", word)
    return fact_type.convert(value)


def cell_text(value: object) -> str:
    """An xlsx cell as the text a person reads in it (no float arithmetic:
    the shortest text of the number, as Excel shows it)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value).removesuffix(".0") if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------
# records
# --------------------------------------------------------------------------


class _Reader:
    """Collects the problems of the office's files while reading them."""

    def __init__(self, registry: Registry, limits: Limits) -> None:
        self.registry = registry
        self.limits = limits
        self.problems: list[Problem] = []
        self.about = ""
        self.office = Office()
        self.types: dict[str, FactType] = {
            key: spec.type
            for item in registry.items.values()
            for spec, key in zip(item.facts, item.fact_keys(), strict=True)
        }
        self.figures = registry.office_figures
        self.types.update({key: figure.type for key, figure in self.figures.items()})
        self.headers: dict[str, str] = {key: key for key in self.types}
        for item in registry.items.values():
            for spec, key in zip(item.facts, item.fact_keys(), strict=True):
                names = (*spec.aliases, spec.doc_zh) if spec.doc_zh else spec.aliases
                self.headers.update(dict.fromkeys(names, key))
        for key, figure in self.figures.items():
            self.headers.update(dict.fromkeys(figure.aliases, key))

    def error(self, file: str, table: str, key: str, expected: str, found: object, message: str = "") -> None:
        """A problem of the file. While an organisation's entries are read
        (``self.about``), it fails that organisation only, not the run."""
        problem = Problem("error", file, table, key, expected, describe_value(found), message)
        if self.about:
            self.office.problems.setdefault(self.about, []).append(problem)
        else:
            self.problems.append(problem)

    def read_bytes(self, path: Path) -> bytes | None:
        """The file's bytes, or None (and a problem) beyond ``office_file_bytes``
        or unreadable."""
        try:
            return read_limited(path, self.limits)
        except TooLarge as error:
            self.problems.append(size_problem(str(path), self.limits, str(error)))
        except OSError as error:
            self.error(str(path), "", "", "a readable file", Shown(error.strerror or str(error)))
        return None

    def read_toml(self, path: Path) -> dict[str, Any] | None:
        content = self.read_bytes(path)
        if content is None:
            return None
        try:
            data = parse_toml(content)
        except tomllib.TOMLDecodeError as error:
            self.error(str(path), "", "", "valid TOML", Shown(str(error)))
            return None
        except UnicodeDecodeError:
            self.error(str(path), "", "", "a UTF-8 text file", Shown("undecodable bytes"))
            return None
        oversized = document_problems(data, str(path), self.limits)
        if oversized:
            self.problems += oversized
            return None
        return data

    def unknown_key(self, file: str, table: str, key: str, cohort: bool = False) -> None:
        what = "an office figure" if cohort else "a fact id or office figure"
        self.error(file, table, key, f"{what} of this edition (see `assess rules`)", Shown(f"unknown key {key}"))

    def keep(self, organisation: str, key: str, value: Any, where: str, file: str, table: str) -> None:
        records = self.office.records.setdefault(organisation, {})
        if key in records:
            self.error(
                file, table, key, "one record of a fact per organisation", Shown(f"also in {records[key].where}")
            )
            return
        records[key] = Record(value, where)

    def records_toml(self, path: Path) -> None:
        file = str(path)
        data = self.read_toml(path)
        if data is None:
            return
        for name in data:
            if name not in ("organisations", "cohort"):
                self.error(file, "", name, "the tables [organisations.ID] and [cohort]", Shown(f"[{name}]"))
        organisations = data.get("organisations", {})
        if not isinstance(organisations, dict):
            self.error(file, "organisations", "", "a table per organisation", organisations)
            organisations = {}
        for org_id, table in organisations.items():
            self.about = org_id
            where = f'organisations."{org_id}"'
            if not isinstance(table, dict):
                self.error(file, where, "", "a table of facts", table)
                continue
            for key, raw in dotted(table).items():
                fact_type = self.types.get(key)
                if fact_type is None:
                    self.unknown_key(file, where, key)
                    continue
                try:
                    value = fact_type.convert(raw)
                except FactError as error:
                    self.error(file, where, f'"{key}"{error.where}', error.expected, error.found)
                    continue
                self.keep(org_id, key, value, f"{file} [{where}]", file, where)
        self.about = ""
        cohort = data.get("cohort", {})
        if not isinstance(cohort, dict):
            self.error(file, "cohort", "", "a table of figures", cohort)
            cohort = {}
        for key, raw in dotted(cohort).items():
            figure = self.figures.get(key)
            if figure is None:
                self.unknown_key(file, "cohort", key, cohort=True)
                continue
            try:
                self.office.cohort[key] = Record(figure.type.convert(raw), f"{file} [cohort]")
            except FactError as error:
                self.error(file, "cohort", f'"{key}"', error.expected, error.found)

    def records_rows(self, path: Path, rows: list[list[str]]) -> None:
        """CSV or xlsx: a header row, then one row per organisation."""
        file = str(path)
        oversized = rows_problems(rows, file, self.limits)
        if oversized:
            self.problems += oversized
            return
        rows = [row for row in rows if any(cell.strip() for cell in row)]
        if not rows:
            self.error(file, "", "", "a header row and one row per organisation", Shown("an empty table"))
            return
        header, *body = rows
        columns: list[str | None] = []
        organisation_column = None
        for index, title in enumerate(header):
            name = title.strip()
            if name.lower() in ORGANISATION_HEADERS or name in ORGANISATION_HEADERS:
                organisation_column = index
                columns.append(None)
            elif name in self.headers:
                columns.append(self.headers[name])
            elif not name:
                columns.append(None)
            else:
                columns.append(None)
                self.unknown_key(file, "row 1", name)
        if organisation_column is None:
            self.error(file, "row 1", "", "a column organisation (组织) naming each row's organisation", header)
            return
        for number, row in enumerate(body, 2):
            table = f"row {number}"
            cells = [*row, *[""] * (len(columns) - len(row))]
            organisation = cells[organisation_column].strip()
            if not organisation:
                self.error(file, table, header[organisation_column].strip(), "an organisation id or name", "")
                continue
            self.about = organisation
            for key, text in zip(columns, cells, strict=False):
                if key is None or not text.strip():
                    continue
                try:
                    value = from_text(self.types[key], text)
                except FactError as error:
                    self.error(file, table, key, error.expected, error.found)
                    continue
                self.keep(organisation, key, value, f"{file} {table}", file, table)
            self.about = ""

    def records_csv(self, path: Path) -> None:
        content = self.read_bytes(path)
        if content is None:
            return
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.error(str(path), "", "", "a UTF-8 CSV file (in Excel: save as “CSV UTF-8”)", Shown("other bytes"))
            return
        rows: list[list[str]] = []
        try:
            for row in csv.reader(io.StringIO(text, newline="")):
                broken = next((cell for cell in row if "\n" in cell or "\r" in cell), None)
                if broken is not None:
                    lines = broken.splitlines()
                    self.error(
                        str(path),
                        f"row {len(rows) + 1}",
                        "",
                        "one line per row (a quote left open makes a cell run on over the rows after it)",
                        Shown(f"a cell running over {len(lines)} lines: {lines[0][:40]!r}…"),
                    )
                    return
                rows.append(row)
        except csv.Error as error:
            self.error(
                str(path), "", "", "a CSV file (in Excel: save as “CSV UTF-8”)", Shown(f"unreadable CSV: {error}")
            )
            return
        self.records_rows(path, rows)

    def records_xlsx(self, path: Path) -> None:
        from openpyxl import load_workbook

        content = self.read_bytes(path)
        if content is None:
            return
        bomb = workbook_problem(content, str(path), self.limits)
        if bomb is not None:
            self.problems.append(bomb)
            return
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
            self.error(str(path), "", "", "an Excel workbook (.xlsx)", Shown(f"{type(error).__name__}: {error}"))
            return
        try:
            sheet = workbook.worksheets[0]
            rows = [[cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        finally:
            workbook.close()
        self.records_rows(path, rows)

    # ----------------------------------------------------------------------
    # reviews
    # ----------------------------------------------------------------------

    def reviews_toml(self, path: Path) -> None:
        file = str(path)
        data = self.read_toml(path)
        if data is None:
            return
        for name in data:
            if name != "organisations":
                self.error(file, "", name, "the table [organisations.ID]", Shown(f"[{name}]"))
        organisations = data.get("organisations", {})
        if not isinstance(organisations, dict):
            self.error(file, "organisations", "", "a table per organisation", organisations)
            return
        for org_id, table in organisations.items():
            self.about = org_id
            self.review(file, org_id, table)
        self.about = ""

    def review(self, file: str, org_id: str, table: object) -> None:
        """One organisation's findings and appeals."""
        where = f'organisations."{org_id}"'
        if not isinstance(table, dict):
            self.error(file, where, "", "findings and appeals", table)
            return
        for key in table:
            if key not in ("findings", "appeals"):
                self.error(file, where, key, "findings or appeals", Shown(f"unknown key {key}"))
        findings = self.entries(file, where, table, "findings")
        appeals = self.entries(file, where, table, "appeals")
        found = self.office.findings.setdefault(org_id, [])
        for index, entry in findings:
            finding = self.finding(file, f"{where}.findings[{index}]", entry)
            if finding is None:
                continue
            if any(known.item == finding.item for known in found):
                self.error(file, f"{where}.findings[{index}]", "item", "one finding per item", f"{finding.item} again")
                continue
            found.append(finding)
        decided = self.office.appeals.setdefault(org_id, [])
        for index, entry in appeals:
            appeal = self.appeal(file, f"{where}.appeals[{index}]", entry)
            if appeal is None:
                continue
            if not any(finding.item == appeal.item for finding in found):
                self.error(
                    file,
                    f"{where}.appeals[{index}]",
                    "item",
                    f"an item with a finding for {org_id} (in this or an earlier reviews file)",
                    appeal.item,
                    "an appeal against no finding",
                )
            elif any(known.item == appeal.item for known in decided):
                self.error(file, f"{where}.appeals[{index}]", "item", "one appeal per finding", appeal.item)
            else:
                decided.append(appeal)
        upheld = {appeal.item for appeal in decided if appeal.outcome == "upheld"}
        self.office.findings[org_id] = [replace(finding, withdrawn=finding.item in upheld) for finding in found]

    def entries(self, file: str, where: str, table: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
        raw = table.get(key, [])
        if not isinstance(raw, list):
            self.error(file, where, key, f"an array of tables [[{where}.{key}]]", raw)
            return []
        kept = []
        for index, entry in enumerate(raw):
            if isinstance(entry, dict):
                kept.append((index, entry))
            else:
                self.error(file, f"{where}.{key}[{index}]", "", "a table", entry)
        return kept

    def field(self, file: str, where: str, entry: dict[str, Any], key: str, fact_type: FactType) -> Any:
        if key not in entry:
            return None
        try:
            return fact_type.convert(entry[key])
        except FactError as error:
            self.error(file, where, key, error.expected, error.found)
            raise

    def checked_keys(self, file: str, where: str, entry: dict[str, Any], known: tuple[str, ...]) -> bool:
        ok = True
        for key in entry:
            if key not in known:
                self.error(file, where, key, "one of " + ", ".join(known), Shown(f"unknown key {key}"))
                ok = False
        if "item" not in entry:
            self.error(file, where, "item", "an item id (see `assess rules`)", Shown("nothing"))
            ok = False
        return ok

    def finding(self, file: str, where: str, entry: dict[str, Any]) -> Finding | None:
        if not self.checked_keys(file, where, entry, FINDING_KEYS):
            return None
        registry = self.registry
        item_id = entry["item"]
        if not isinstance(item_id, str) or (item_id not in registry.items and item_id not in registry.heavy):
            meant = did_you_mean(item_id, [*registry.items, *registry.heavy]) if isinstance(item_id, str) else ""
            self.error(
                file,
                where,
                "item",
                "a scored item or heavy item id of this edition (see `assess rules`)",
                item_id,
                f"unknown item id {item_id}{meant}" if meant else "",
            )
            return None
        points = entry.get("points")
        if points is not None:
            if item_id in registry.items:
                self.error(
                    file,
                    where,
                    "points",
                    "no points for a scored item (found falsified: −2 × its points)",
                    points,
                    "points are given only for a heavy item (重扣分项)",
                )
                return None
            if not is_heavy_figure(points):
                self.error(file, where, "points", "a number 5..10 (at most 4 decimal places)", points)
                return None
            points = Decimal(points)
        try:
            reason = self.field(file, where, entry, "reason", Text()) or ""
            found_on = self.field(file, where, entry, "found_on", Day())
            found_by = self.field(file, where, entry, "found_by", Text()) or ""
        except FactError:
            return None
        return Finding(item_id, points, reason, found_on, found_by, file)

    def appeal(self, file: str, where: str, entry: dict[str, Any]) -> Appeal | None:
        if not self.checked_keys(file, where, entry, APPEAL_KEYS):
            return None
        try:
            item_id = self.field(file, where, entry, "item", Text())
            outcome = self.field(file, where, entry, "outcome", Choice(OUTCOMES))
            decided_on = self.field(file, where, entry, "decided_on", Day())
            reason = self.field(file, where, entry, "reason", Text()) or ""
        except FactError:
            return None
        for key, value in (("outcome", outcome), ("decided_on", decided_on)):
            if value is None:
                expected = Choice(OUTCOMES).expected if key == "outcome" else Day().expected
                self.error(file, where, key, expected, Shown("nothing"))
                return None
        return Appeal(item_id, outcome, decided_on, reason, file)


READERS = {".toml": _Reader.records_toml, ".csv": _Reader.records_csv, ".xlsx": _Reader.records_xlsx}


def load_office(records: list[Path], reviews: list[Path], registry: Registry, limits: Limits | None = None) -> Office:
    """Read and check the office's records and reviews files within the
    office's ``limits`` (see ``Limits.for_office``); raises OfficeError with
    the problems found (at most ``problems`` listed per file)."""
    limits = (limits or Limits()).for_office()
    reader = _Reader(registry, limits)
    for path in records:
        read = READERS.get(path.suffix.lower())
        if read is None:
            reader.error(str(path), "", "", "a records file .toml, .csv or .xlsx", Shown(path.suffix or "no suffix"))
            continue
        read(reader, path)
    for path in reviews:
        if path.suffix.lower() != ".toml":
            reader.error(str(path), "", "", "a reviews file .toml", Shown(path.suffix or "no suffix"))
            continue
        reader.reviews_toml(path)
    if reader.problems:
        by_file: dict[str, list[Problem]] = {}
        for problem in reader.problems:
            by_file.setdefault(problem.file, []).append(problem)
        raise OfficeError([kept for file, problems in by_file.items() for kept in capped(problems, file, limits)])
    reader.office.record_files = [str(path) for path in records]
    reader.office.review_files = [str(path) for path in reviews]
    return reader.office


def apply_review(organisation: Organisation, office: Office, registry: Registry) -> None:
    """The assessor's findings that stand (no upheld appeal) become the
    organisation's falsified items and heavy deductions."""
    organisation.findings = list(office.findings_of(organisation))
    organisation.appeals = list(office.appeals_of(organisation))
    falsified = set()
    for finding in organisation.findings:
        if finding.withdrawn:
            continue
        refused = registry.scope_refusal(organisation, finding.item)
        if refused:
            organisation.problems.append(
                Problem.warning(
                    finding.file,
                    "findings",
                    "item",
                    expected="an item that applies to this organisation",
                    found=f'"{finding.item}"',
                    message=f"{finding.item} 不适用于本单位（{refused}）; the finding is ignored",
                )
            )
        elif finding.item in registry.heavy:
            organisation.heavy[finding.item] = finding.points
        elif finding.item in registry.disabled:
            organisation.problems.append(
                Problem(
                    "warning",
                    finding.file,
                    "findings",
                    "item",
                    "an enabled item",
                    f'"{finding.item}"',
                    f"item {finding.item} is disabled in this run; its falsification is ignored",
                )
            )
        else:
            falsified.add(finding.item)
    organisation.falsified = frozenset(falsified)
