"""Reading a filled-in workbook into evidence, as the TOML reader would
give it (see :mod:`fivestar.workbook` for the layout), with the cell of
every value, so that each problem names its sheet and cell."""

from __future__ import annotations

import io
import itertools
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from fivestar.facts import Records, Text
from fivestar.forms import section_rows
from fivestar.model import ListForm, Problem
from fivestar.registry import Registry
from fivestar.workbook import (
    COVER,
    COVER_FIRST,
    COVER_ROWS,
    EDITION_ROW,
    FACT_COLUMNS,
    FIRST_FACT_COLUMN,
    FIRST_ROW,
    FORM_FIRST_COLUMN,
    FORMAT,
    FORMAT_ROW,
    HEADER_ROW,
    LEFTOVER,
    MATERIALS,
    RECORD_FIRST,
    RECORD_NAMES_ROW,
    cell_name,
    from_cell,
    record_sheets,
    section_sheet_names,
)

Grid = list[list[Any]]


def load_grids(content: bytes) -> dict[str, Grid]:
    """Every sheet's values, row by row (python-calamine: see benchmarks/
    bench_workbooks.py for why)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    grids = {}
    for name in book.sheet_names:
        grids[name] = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return grids


def load_grids_openpyxl(content: bytes) -> dict[str, Grid]:
    """The same with openpyxl in read-only mode (the slower reader, kept for
    the benchmark's comparison)."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}
    finally:
        book.close()


@dataclass
class WorkbookEvidence:
    """What a workbook holds: the evidence as a TOML file would, where each
    value sits, and what keeps it from being read."""

    raw: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def read_workbook(
    content: bytes, file: str, registry: Registry, grids_of: Callable[[bytes], dict[str, Grid]] = load_grids
) -> WorkbookEvidence:
    """Read a filled-in workbook into evidence; every problem names the cell."""
    evidence = WorkbookEvidence()
    try:
        grids = grids_of(content)
    except Exception as error:
        evidence.problems.append(
            Problem(
                "error",
                file,
                "",
                "",
                "an Excel workbook (.xlsx) made by `assess template --format xlsx`",
                f"{type(error).__name__}: {error}",
            )
        )
        return evidence
    reader = _Reader(file, registry, grids, evidence)
    if not reader.cover():
        return evidence
    for section_id in registry.sections:
        reader.section(section_id)
    for (section_id, name), (title, fills) in record_sheets(registry).items():
        if fills or title in grids:
            reader.records(section_id, name, title)
    for form in registry.forms:
        reader.list_form(form)
    reader.leftover()
    return evidence


class _Reader:
    def __init__(self, file: str, registry: Registry, grids: dict[str, Grid], evidence: WorkbookEvidence) -> None:
        self.file = file
        self.registry = registry
        self.grids = grids
        self.evidence = evidence

    def error(self, where: str, expected: str, found: str, message: str = "") -> None:
        self.evidence.problems.append(Problem("error", self.file, "", "", expected, found, message, cell=where))

    def grid(self, title: str) -> Grid | None:
        grid = self.grids.get(title)
        if grid is None:
            self.error(
                title,
                f"a sheet named {title} (a workbook of edition {self.registry.edition}: `assess template`)",
                "no such sheet",
                f"sheet {title} is missing",
            )
        return grid

    @staticmethod
    def value(grid: Grid, row: int, column: int) -> Any:
        if row - 1 < len(grid) and column - 1 < len(grid[row - 1]):
            value = grid[row - 1][column - 1]
            return None if value == "" else value
        return None

    def put(self, path: list[str | int], value: Any, where: str) -> None:
        target: Any = self.evidence.raw
        for part, following in itertools.pairwise(path):
            if isinstance(part, int):
                while len(target) <= part:
                    target.append({})
                target = target[part]
            else:
                target = target.setdefault(part, [] if isinstance(following, int) else {})
        target[path[-1]] = value
        self.evidence.cells[_dotted(path)] = where

    def cover(self) -> bool:
        grid = self.grid(COVER)
        if grid is None:
            return False
        edition = self.value(grid, EDITION_ROW, 2)
        if self.value(grid, FORMAT_ROW, 2) != FORMAT or edition != self.registry.edition:
            self.error(
                cell_name(COVER, EDITION_ROW, 2),
                f"a workbook of edition {self.registry.edition} (make one with `assess template --format xlsx`)",
                f'"{edition}"' if isinstance(edition, str) else "no edition",
                "a workbook of another edition or not made by `assess template`",
            )
            return False
        for offset, (key, _label, fact_type) in enumerate(COVER_ROWS):
            row = COVER_FIRST + offset
            value = from_cell(self.value(grid, row, 2), fact_type)
            if value is not None:
                self.put(["organisation", key], value, cell_name(COVER, row, 2))
        return True

    def section(self, section_id: str) -> None:
        """Each item's row is found by its 编号, so that a workbook made
        before a plugin added an item still reads (the new item's facts are
        then missing, as in a TOML file that leaves them out)."""
        registry = self.registry
        title = section_sheet_names(registry)[section_id]
        grid = self.grid(title)
        if grid is None:
            return
        self.evidence.cells[section_id] = title
        rows = self.keyed_rows(grid)
        header = [self.value(grid, HEADER_ROW, column) for column in range(1, len(grid[HEADER_ROW - 1]) + 1)]
        material_column = header.index(MATERIALS) + 1 if MATERIALS in header else None
        for item, places in section_rows(registry, section_id):
            row = rows.pop(item.id, None)
            if row is None:
                continue
            for index, place in enumerate(places):
                if place.shared_with or place.records:
                    continue
                column = FIRST_FACT_COLUMN + FACT_COLUMNS * index + 1
                where = cell_name(title, row, column)
                self.evidence.cells[f"{section_id}.{place.spec.name}"] = where
                value = from_cell(self.value(grid, row, column), place.spec.type)
                if value is not None:
                    self.put([section_id, place.spec.name], value, where)
            if material_column is not None:
                material = from_cell(self.value(grid, row, material_column), Text())
                if material is not None:
                    self.put(["materials", item.id], material, cell_name(title, row, material_column))
        self.unknown_rows(grid, title, rows, "an item of this run (see `assess rules`)")

    def keyed_rows(self, grid: Grid) -> dict[str, int]:
        """The rows below the header by the key in their first column."""
        rows = {}
        for row in range(FIRST_ROW, len(grid) + 1):
            key = self.value(grid, row, 1)
            if isinstance(key, str) and key.strip():
                rows.setdefault(key.strip(), row)
        return rows

    def unknown_rows(self, grid: Grid, title: str, rows: dict[str, int], expected: str) -> None:
        """A filled-in row of something this run does not know (a workbook
        of other rules) is an error; an empty one is left alone."""
        for key, row in rows.items():
            inputs = grid[row - 1][FIRST_FACT_COLUMN - 1 :]
            if any(value not in (None, "") for value in inputs):
                self.error(cell_name(title, row, 1), expected, f'"{key}"', "a filled-in row this run does not read")

    def records(self, section_id: str, name: str, title: str) -> None:
        grid = self.grid(title)
        if grid is None:
            return
        spec_type = self.registry.schema[section_id][name]
        assert isinstance(spec_type, Records)
        self.evidence.cells[f"{section_id}.{name}"] = title
        names = [self.value(grid, RECORD_NAMES_ROW, column) for column in range(2, len(spec_type.fields) + 2)]
        if names != list(spec_type.fields):
            self.error(
                cell_name(title, RECORD_NAMES_ROW, 2),
                "the columns " + ", ".join(spec_type.fields) + " (`assess template --format xlsx`)",
                ", ".join(str(name) for name in names),
                "the record sheet's columns do not match this run",
            )
            return
        records: list[dict[str, Any]] = []
        self.evidence.raw.setdefault(section_id, {})[name] = records
        for row in range(RECORD_FIRST, len(grid) + 1):
            values = {}
            for column, (field_name, field_type) in enumerate(spec_type.fields.items(), 2):
                value = from_cell(self.value(grid, row, column), field_type)
                if value is not None:
                    values[field_name] = value
            if not values:
                continue
            index = len(records)
            records.append(values)
            self.evidence.cells[f"{section_id}.{name}[{index}]"] = cell_name(title, row, 1)
            for column, field_name in enumerate(spec_type.fields, 2):
                self.evidence.cells[f"{section_id}.{name}[{index}].{field_name}"] = cell_name(title, row, column)

    def list_form(self, form: ListForm) -> None:
        title = form.title[:31]
        grid = self.grid(title)
        if grid is None:
            return
        keyed = self.keyed_rows(grid)
        rows = []
        for form_field in form.fields:
            for position in range(form_field.many or 1):
                row = keyed.pop(f"{form_field.key}[{position}]" if form_field.many else form_field.key, None)
                if row is not None:
                    rows.append((row, form_field, position))
        self.unknown_rows(grid, title, keyed, f"a row of the {form.title} of this run")
        width = max((len(line) for line in grid), default=0)
        entries = self.evidence.raw.get(form.table)
        for column in range(FORM_FIRST_COLUMN, width + 1):
            entry: dict[str, Any] = {}
            where: dict[str, str] = {}
            for row, form_field, _position in rows:
                value = from_cell(self.value(grid, row, column), form_field.type)
                if value is None:
                    continue
                cell = cell_name(title, row, column)
                parts = form_field.key.split(".")
                target = entry
                for part in parts[:-1]:
                    target = target.setdefault(part, {})
                if form_field.many:
                    target.setdefault(parts[-1], []).append(value)
                    where[f"{form_field.key}[{len(target[parts[-1]]) - 1}]"] = cell
                else:
                    target[parts[-1]] = value
                    where[form_field.key] = cell
            if not entry:
                continue
            entries = self.evidence.raw.setdefault(form.table, [])
            index = len(entries)
            entries.append(dict(form.fixed) | entry)
            self.evidence.cells[f"{form.table}[{index}]"] = cell_name(title, HEADER_ROW, column)
            for key, cell in where.items():
                self.evidence.cells[f"{form.table}[{index}].{key}"] = cell

    def leftover(self) -> None:
        grid = self.grids.get(LEFTOVER)
        if grid is None:
            return
        from fivestar.tomlfile import parse_toml

        text = self.value(grid, 2, 1)
        if not isinstance(text, str):
            return
        try:
            extra = parse_toml(text.encode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            self.error(cell_name(LEFTOVER, 2, 1), "the TOML text the workbook was written with", str(error))
            return
        for table, content in extra.items():
            self.evidence.cells.setdefault(table, cell_name(LEFTOVER, 2, 1))
            known = self.evidence.raw.get(table)
            if isinstance(known, dict) and isinstance(content, dict):
                known.update(content)
            elif isinstance(known, list) and isinstance(content, list):
                known.extend(content)
            else:
                self.evidence.raw[table] = content


def _dotted(path: list[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def locate(problems: list[Problem], cells: dict[str, str], file: str) -> list[Problem]:
    """Name the cell of each problem about a workbook's value: the problem's
    ``table.key``, or the nearest enclosing place the workbook has."""
    located = []
    for problem in problems:
        if problem.cell or problem.file != file:
            located.append(problem)
            continue
        place = f"{problem.table}.{problem.key}" if problem.key else problem.table
        while place and place not in cells:
            cut = max(place.rfind("."), place.rfind("["))
            place = place[:cut] if cut > 0 else ""
        located.append(replace(problem, cell=cells[place]) if place else problem)
    return located
