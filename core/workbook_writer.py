"""Writing an organisation's evidence as a workbook (see
:mod:`fivestar.workbook` for the layout): the template a department fills
in, or a TOML file's evidence converted; data validation on every input
cell, only the inputs unlocked."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fivestar.facts import Amount, Choice, Count, Day, FactType, Records, Text, YesNo
from fivestar.forms import NO, YES, fact_meaning, field_label, section_rows
from fivestar.model import ListForm
from fivestar.numbers import fmt
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
    RECORD_ROWS,
    cell_values,
    column_letter,
    materials_column,
    record_sheets,
    section_sheet_names,
    to_cell,
    widest_item,
)


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
