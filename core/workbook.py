"""An organisation's evidence as an Excel workbook, both ways.

The layout is computed from the registry, so that every item a loaded plugin
declares has its row with no extra code, and the reader checks the workbook
against the same layout (a workbook of another edition, or with a sheet
missing, is an error naming the sheet and cell, never a wrong score):

- 封面: id, name, year, contact person, date; the edition on a hidden row;
- one sheet per section, one row per item: 编号 (item id), 项目, 分值, then per
  fact its meaning, the input cell and last year's value, then 佐证材料;
- one sheet per record list (表彰, 创新经验, 晒比 …), one row per record;
- one sheet per list form (the three duty lists), one column per list;
- 其他, only when converting a TOML file: what the form has no place for
  (the assessor's ``[review]``), as TOML text, so that nothing is lost.

Every input cell has data validation and is the only unlocked cell of its
protected sheet. Reading turns each cell into the value the TOML file would
hold (是/否 → true/false, 省委 → "provincial", whole numbers, exact decimals,
dates); whatever does not fit is passed on as found, so that the evidence
checks report it with the cell (``学习星!E7``).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from fivestar.facts import Amount, Choice, Count, Day, FactType, Records, Text, YesNo
from fivestar.forms import NO, YES, allowed_values, fact_meaning, field_label, record_lists, record_title, section_rows
from fivestar.model import ListForm, Problem
from fivestar.numbers import fmt
from fivestar.registry import Registry

FORMAT = "fivestar-evidence/1"
MATERIALS = "佐证材料"
COVER = "封面"
LEFTOVER = "其他"
COVER_ROWS = (
    ("id", "组织编号", Text()),
    ("name", "组织名称", Text()),
    ("year", "年度", Count(2000, 2100)),
    ("contact", "联系人", Text()),
    ("date", "填报日期", Day()),
)
COVER_FIRST = 3
EDITION_ROW = 10
FORMAT_ROW = 11
HEADER_ROW = 2
FIRST_ROW = 3
RECORD_NAMES_ROW = 3
RECORD_FIRST = 4
RECORD_ROWS = 20
FACT_COLUMNS = 3
FIRST_FACT_COLUMN = 4
FORM_FIRST_COLUMN = 4


def cell_values(fact_type: FactType) -> str:
    return allowed_values(fact_type, cell=True)


def column_letter(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_name(sheet: str, row: int, column: int) -> str:
    return f"{sheet}!{column_letter(column)}{row}"


def section_sheet_names(registry: Registry) -> dict[str, str]:
    return {section_id: section.title[:31] for section_id, section in registry.sections.items()}


def record_sheets(registry: Registry) -> dict[tuple[str, str], tuple[str, bool]]:
    """(section, fact) → the record list's sheet title, and whether the
    department fills it in (an office-owned list has a sheet only when
    converting a file that holds entries, and none of its cells is unlocked)."""
    return {
        (place.item.section, place.spec.name): (
            record_title(registry.sections[place.item.section].title, place.item, place.spec),
            place.fills,
        )
        for place in record_lists(registry)
    }


def widest_item(registry: Registry, section_id: str) -> int:
    return max((len(item.facts) for item in registry.section_items(section_id)), default=1)


def materials_column(registry: Registry, section_id: str) -> int:
    return FIRST_FACT_COLUMN + FACT_COLUMNS * widest_item(registry, section_id)


# --------------------------------------------------------------------------
# cell values, both ways
# --------------------------------------------------------------------------


def to_cell(value: Any, fact_type: FactType) -> Any:
    """The cell a value is written as: 是/否, the Chinese label of a choice,
    a number (a decimal that a binary number would not hold exactly is
    written as its text), a date."""
    if isinstance(value, bool):
        return (YES if value else NO) if isinstance(fact_type, YesNo) else value
    if isinstance(fact_type, Choice) and isinstance(value, str) and value in fact_type.options:
        return fact_type.label(value)
    if isinstance(value, Decimal):
        as_float = float(value)
        return as_float if Decimal(repr(as_float)) == value and value.is_finite() else str(value)
    if isinstance(value, (str, int, float, dt.date)):
        return value
    return str(value)


def from_cell(value: Any, fact_type: FactType) -> Any:
    """The evidence value of a cell, as a TOML file would hold it; None for an
    empty cell. What does not fit is returned as found, for the checks."""
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(fact_type, YesNo):
        return {YES: True, NO: False}.get(value, value) if isinstance(value, str) else value
    if isinstance(fact_type, Choice) and isinstance(value, str):
        labels = {label: option for option, label in fact_type.option_labels.items()}
        return labels.get(value, value)
    if isinstance(value, float):
        value = int(value) if value.is_integer() and isinstance(fact_type, (Count, Text)) else Decimal(repr(value))
    if isinstance(value, str) and isinstance(fact_type, (Count, Amount)):
        try:
            number = Decimal(value)
        except InvalidOperation:
            return value
        if isinstance(fact_type, Count) and number == number.to_integral_value() and "." not in value:
            return int(number)
        return number if isinstance(fact_type, Amount) and number.is_finite() else value
    if isinstance(fact_type, Text) and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    return value


# --------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------


@dataclass
class Previous:
    """Last year's values of an organisation, shown beside the inputs."""

    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    year: int | None = None


def write_workbook(
    registry: Registry,
    year: int,
    raw: dict[str, Any] | None = None,
    previous: Previous | None = None,
) -> bytes:
    """The workbook of one organisation: empty, or holding ``raw`` (evidence
    as a TOML file holds it), with last year's values beside the inputs."""
    from openpyxl import Workbook

    raw = raw or {}
    writer = _Writer(registry, Workbook(), previous or Previous())
    placed = writer.cover(raw.get("organisation") or {}, year)
    for section_id in registry.sections:
        placed |= writer.section(section_id, raw.get(section_id) or {}, raw.get("materials") or {})
    for (section_id, name), (title, fills) in record_sheets(registry).items():
        records = (raw.get(section_id) or {}).get(name)
        if fills or records is not None:
            writer.records(section_id, name, title, records if isinstance(records, list) else [], fills)
    for form in registry.forms:
        writer.list_form(form, raw.get(form.table))
    leftover = leftover_of(raw, registry, placed)
    if leftover:
        writer.leftover(leftover)
    writer.book.security.lockStructure = True
    buffer = io.BytesIO()
    writer.book.save(buffer)
    return buffer.getvalue()


def leftover_of(raw: dict[str, Any], registry: Registry, placed: set[str]) -> dict[str, Any]:
    """What of ``raw`` the form has no place for (kept as TOML text in 其他)."""
    form_tables = {form.table for form in registry.forms}
    leftover: dict[str, Any] = {}
    for table, content in raw.items():
        if table in form_tables:
            entries = content if isinstance(content, list) else [content]
            unheld = [entry for entry in entries if not _form_holds(registry, table, entry)]
            if unheld:
                leftover[table] = unheld
            continue
        if table == "materials":
            extra = (
                {
                    key: value
                    for key, value in content.items()
                    if key not in registry.items or not isinstance(value, str)
                }
                if isinstance(content, dict)
                else content
            )
            if extra:
                leftover[table] = extra
            continue
        if not isinstance(content, dict):
            leftover[table] = content
            continue
        extra = {key: value for key, value in content.items() if f"{table}.{key}" not in placed}
        if extra:
            leftover[table] = extra
    return leftover


def _form_holds(registry: Registry, table: str, entry: object) -> bool:
    """An entry fits a list form when a form claims it and it has only the form's keys."""
    for form in registry.forms:
        if form.table == table and form.holds(entry):
            assert isinstance(entry, dict)
            return set(entry) <= _form_keys(form) and all(
                _fits_form_field(form, key, value) for key, value in _flatten(entry, form).items()
            )
    return False


def _form_keys(form: ListForm) -> set[str]:
    return {key for key, _value in form.fixed} | {form_field.key.split(".", 1)[0] for form_field in form.fields}


def _flatten(entry: dict[str, Any], form: ListForm) -> dict[str, Any]:
    nested = {form_field.key.split(".", 1)[0] for form_field in form.fields if "." in form_field.key}
    flat: dict[str, Any] = {}
    for key, value in entry.items():
        if key in nested and isinstance(value, dict):
            flat.update({f"{key}.{inner}": inner_value for inner, inner_value in value.items()})
        elif key not in dict(form.fixed):
            flat[key] = value
    return flat


def _fits_form_field(form: ListForm, key: str, value: Any) -> bool:
    for form_field in form.fields:
        if form_field.key == key:
            if form_field.many:
                return isinstance(value, list) and len(value) <= form_field.many
            return not isinstance(value, (list, dict))
    return False


class _Writer:
    def __init__(self, registry: Registry, book: Any, previous: Previous) -> None:
        from openpyxl.styles import Alignment, Font, PatternFill, Protection

        self.registry = registry
        self.book = book
        self.previous = previous
        self.unlocked = Protection(locked=False)
        self.bold = Font(bold=True)
        self.title_font = Font(bold=True, size=14)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.input_fill = PatternFill("solid", fgColor="FFF8DC")
        self.office_fill = PatternFill("solid", fgColor="E0E0E0")
        self.validations: dict[tuple[int, str], Any] = {}

    def sheet(self, title: str) -> Any:
        if self.book.worksheets and self.book.active.title == "Sheet" and self.book.active.max_row == 1:
            sheet = self.book.active
            sheet.title = title
        else:
            sheet = self.book.create_sheet(title)
        protection = sheet.protection
        protection.sheet = True
        protection.formatColumns = False
        protection.formatRows = False
        return sheet

    def text(self, sheet: Any, row: int, column: int, value: Any, bold: bool = False) -> None:
        cell = sheet.cell(row=row, column=column, value=value)
        cell.alignment = self.wrap
        if bold:
            cell.font = self.bold

    def input(self, sheet: Any, row: int, column: int, fact_type: FactType, value: Any, prompt: str = "") -> None:
        cell = sheet.cell(row=row, column=column, value=None if value is None else to_cell(value, fact_type))
        cell.protection = self.unlocked
        cell.fill = self.input_fill
        if isinstance(fact_type, Day):
            cell.number_format = "yyyy-mm-dd"
        self.validation(sheet, fact_type, prompt).add(cell)

    def validation(self, sheet: Any, fact_type: FactType, prompt: str) -> Any:
        from openpyxl.worksheet.datavalidation import DataValidation

        key = (id(sheet), repr(fact_type) + prompt)
        known = self.validations.get(key)
        if known is not None:
            return known
        rule = validation_rule(fact_type)
        validation = DataValidation(allow_blank=True, showErrorMessage=True, showInputMessage=bool(prompt), **rule)
        validation.errorTitle = "填写有误"
        validation.error = ("应填写：" + cell_values(fact_type))[:255]
        if prompt:
            validation.promptTitle = "填写说明"
            validation.prompt = prompt[:255]
        sheet.add_data_validation(validation)
        self.validations[key] = validation
        return validation

    def widths(self, sheet: Any, widths: dict[int, float]) -> None:
        for column, width in widths.items():
            sheet.column_dimensions[column_letter(column)].width = width

    def cover(self, header: dict[str, Any], year: int) -> set[str]:
        sheet = self.sheet(COVER)
        sheet.cell(row=1, column=1, value=f"{year}年度“五星示范、双优引领”考评佐证材料").font = self.title_font
        placed = set()
        for offset, (key, label, fact_type) in enumerate(COVER_ROWS):
            row = COVER_FIRST + offset
            self.text(sheet, row, 1, label, bold=True)
            value = header.get(key)
            self.input(sheet, row, 2, fact_type, value, cell_values(fact_type))
            placed.add(f"organisation.{key}")
        sheet.cell(row=EDITION_ROW, column=1, value="edition")
        sheet.cell(row=EDITION_ROW, column=2, value=self.registry.edition)
        sheet.cell(row=FORMAT_ROW, column=1, value="format")
        sheet.cell(row=FORMAT_ROW, column=2, value=FORMAT)
        sheet.row_dimensions[EDITION_ROW].hidden = True
        sheet.row_dimensions[FORMAT_ROW].hidden = True
        self.text(sheet, 13, 1, "填写说明：只需填写浅黄色单元格；各板块一行一个项目，“佐证材料”写明文件名或编号。")
        self.widths(sheet, {1: 14, 2: 48})
        return placed

    def section(self, section_id: str, table: dict[str, Any], materials: dict[str, Any]) -> set[str]:
        registry = self.registry
        section = registry.sections[section_id]
        sheet = self.sheet(section_sheet_names(registry)[section_id])
        maximum = fmt(registry.section_max(section_id))
        sheet.cell(row=1, column=1, value=f"{section.title}（满分 {maximum} 分）").font = self.title_font
        header = ["编号", "项目", "分值"]
        for index in range(widest_item(registry, section_id)):
            number = index + 1
            header += [f"说明{number}", f"填报{number}", "上年"]
        header.append(MATERIALS)
        for column, label in enumerate(header, 1):
            self.text(sheet, HEADER_ROW, column, label, bold=True)
        records = record_sheets(registry)
        last_year = self.previous.facts.get(section_id, {})
        placed: set[str] = set()
        rows: dict[str, int] = {}
        material_column = materials_column(registry, section_id)
        for offset, (item, places) in enumerate(section_rows(registry, section_id)):
            row = FIRST_ROW + offset
            rows[item.id] = row
            self.text(sheet, row, 1, item.id)
            self.text(sheet, row, 2, item.title)
            sheet.cell(row=row, column=3, value="—" if item.points is None else float(item.points))
            for index, place in enumerate(places):
                column = FIRST_FACT_COLUMN + FACT_COLUMNS * index
                meaning = fact_meaning(item, place.spec)
                name = place.spec.name
                if place.shared_with:
                    self.text(sheet, row, column, f"{meaning}（同第{rows[place.shared_with]}行）")
                elif place.records:
                    title, fills = records[(section_id, name)]
                    self.text(sheet, row, column, meaning if fills else f"{meaning}（由工委填写）")
                    self.text(sheet, row, column + 1, f"见“{title}”表" if fills or table.get(name) else "—")
                    placed.add(f"{section_id}.{name}")
                elif not place.fills:
                    self.text(sheet, row, column, f"{meaning}（由工委填写）")
                    cell = sheet.cell(row=row, column=column + 1, value=_cell_or_none(table.get(name), place.spec.type))
                    cell.fill = self.office_fill
                    placed.add(f"{section_id}.{name}")
                else:
                    self.text(sheet, row, column, f"{meaning}（{cell_values(place.spec.type)}）")
                    self.input(sheet, row, column + 1, place.spec.type, table.get(name), cell_values(place.spec.type))
                    placed.add(f"{section_id}.{name}")
                if name in last_year and not place.shared_with:
                    sheet.cell(row=row, column=column + 2, value=_cell_or_none(last_year[name], place.spec.type))
            material = materials.get(item.id)
            self.input(sheet, row, material_column, Text(), material if isinstance(material, str) else None)
        widths = {1: 26, 2: 50, 3: 6, material_column: 30}
        for index in range(widest_item(registry, section_id)):
            column = FIRST_FACT_COLUMN + FACT_COLUMNS * index
            widths |= {column: 30, column + 1: 10, column + 2: 8}
        self.widths(sheet, widths)
        sheet.freeze_panes = f"C{FIRST_ROW}"
        return placed

    def records(self, section_id: str, name: str, title: str, records: list[Any], fills: bool) -> None:
        spec_type = self.registry.schema[section_id][name]
        assert isinstance(spec_type, Records)
        sheet = self.sheet(title)
        heading = f"{title}（一行一条，无则不填）" if fills else f"{title}（由工委填写）"
        sheet.cell(row=1, column=1, value=heading).font = self.title_font
        self.text(sheet, HEADER_ROW, 1, "序号", bold=True)
        for column, (field_name, field_type) in enumerate(spec_type.fields.items(), 2):
            self.text(sheet, HEADER_ROW, column, f"{field_label(field_name)}（{cell_values(field_type)}）", bold=True)
            sheet.cell(row=RECORD_NAMES_ROW, column=column, value=field_name)
        sheet.cell(row=RECORD_NAMES_ROW, column=1, value=f"{section_id}.{name}")
        sheet.row_dimensions[RECORD_NAMES_ROW].hidden = True
        for index in range(max(RECORD_ROWS, len(records) + 10)):
            row = RECORD_FIRST + index
            record = records[index] if index < len(records) and isinstance(records[index], dict) else {}
            sheet.cell(row=row, column=1, value=index + 1)
            for column, (field_name, field_type) in enumerate(spec_type.fields.items(), 2):
                if fills:
                    self.input(sheet, row, column, field_type, record.get(field_name), cell_values(field_type))
                elif field_name in record:
                    sheet.cell(
                        row=row, column=column, value=to_cell(record[field_name], field_type)
                    ).fill = self.office_fill
        self.widths(sheet, {1: 6} | {column: 24 for column in range(2, len(spec_type.fields) + 2)})
        sheet.freeze_panes = f"B{RECORD_FIRST}"

    def list_form(self, form: ListForm, content: Any) -> None:
        entries = [
            entry
            for entry in (content if isinstance(content, list) else [])
            if _form_holds(self.registry, form.table, entry) and form.holds(entry)
        ]
        columns = max(form.entries, len(entries))
        sheet = self.sheet(form.title[:31])
        sheet.cell(row=1, column=2, value=form.title).font = self.title_font
        for column, label in enumerate(["键", "项目", "要求"], 1):
            self.text(sheet, HEADER_ROW, column, label, bold=True)
        for index in range(columns):
            self.text(sheet, HEADER_ROW, FORM_FIRST_COLUMN + index, f"第{index + 1}份", bold=True)
        row = FIRST_ROW
        for form_field in form.fields:
            for position in range(form_field.many or 1):
                key = f"{form_field.key}[{position}]" if form_field.many else form_field.key
                sheet.cell(row=row, column=1, value=key)
                label = f"{form_field.label}{position + 1}" if form_field.many else form_field.label
                self.text(sheet, row, 2, label)
                self.text(sheet, row, 3, form_field.required or cell_values(form_field.type))
                for index in range(columns):
                    entry = entries[index] if index < len(entries) else {}
                    value = _form_value(entry, form_field.key)
                    if form_field.many:
                        value = value[position] if isinstance(value, list) and position < len(value) else None
                    self.input(
                        sheet, row, FORM_FIRST_COLUMN + index, form_field.type, value, cell_values(form_field.type)
                    )
                row += 1
        sheet.column_dimensions["A"].hidden = True
        row += 1
        for note in form.notes:
            self.text(sheet, row, 2, note)
            sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=FORM_FIRST_COLUMN + columns - 1)
            sheet.row_dimensions[row].height = 15 * max(1, len(note) // 60 + 1)
            row += 1
        self.widths(sheet, {2: 44, 3: 14} | {FORM_FIRST_COLUMN + index: 18 for index in range(columns)})

    def leftover(self, leftover: dict[str, Any]) -> None:
        import tomlkit
        from fivestar.tomldoc import toml_document

        sheet = self.sheet(LEFTOVER)
        self.text(sheet, 1, 1, "以下内容不属于部门填报表格（如工委的审核结论），原样保留，请勿改动。")
        self.text(sheet, 2, 1, tomlkit.dumps(toml_document(leftover)))
        self.widths(sheet, {1: 100})


def _form_value(entry: dict[str, Any], key: str) -> Any:
    value: Any = entry
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _cell_or_none(value: Any, fact_type: FactType) -> Any:
    return None if value is None else to_cell(value, fact_type)


def validation_rule(fact_type: FactType) -> dict[str, Any]:
    """The data validation of an input cell, as openpyxl's arguments."""
    if isinstance(fact_type, YesNo):
        return {"type": "list", "formula1": f'"{YES},{NO}"'}
    if isinstance(fact_type, Choice):
        return {"type": "list", "formula1": '"' + ",".join(fact_type.option_labels.values()) + '"'}
    if isinstance(fact_type, Count):
        if fact_type.maximum is None:
            return {"type": "whole", "operator": "greaterThanOrEqual", "formula1": str(fact_type.minimum)}
        return {
            "type": "whole",
            "operator": "between",
            "formula1": str(fact_type.minimum),
            "formula2": str(fact_type.maximum),
        }
    if isinstance(fact_type, Amount):
        low = fact_type.minimum if fact_type.minimum is not None else Decimal("-1e15")
        high = fact_type.maximum if fact_type.maximum is not None else Decimal("1e15")
        return {"type": "decimal", "operator": "between", "formula1": format(low, "f"), "formula2": format(high, "f")}
    if isinstance(fact_type, Day):
        return {"type": "date", "operator": "between", "formula1": "DATE(2000,1,1)", "formula2": "DATE(2100,12,31)"}
    return {"type": "textLength", "operator": "lessThanOrEqual", "formula1": "2000"}


# --------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------

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
    from dataclasses import replace

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


def workbook_path(path: Path) -> bool:
    return path.suffix.lower() == ".xlsx"
