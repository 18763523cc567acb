"""An organisation's evidence as an Excel workbook: the layout and the
cell values shared by :mod:`fivestar.workbook_writer` and
:mod:`fivestar.workbook_reader`.

The layout is computed from the registry, so that every item a loaded plugin
declares has its row with no extra code; the reader finds each row by its
编号 and checks the edition on the cover (a workbook of another edition, or
with a sheet missing, is an error naming the sheet and cell, never a wrong
score):

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
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from fivestar.facts import Amount, Choice, Count, Day, FactType, Text, YesNo
from fivestar.forms import NO, YES, allowed_values, record_lists, record_title
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


def workbook_path(path: Path) -> bool:
    return path.suffix.lower() == ".xlsx"
