"""The workbook as openpyxl wrote it before :mod:`fivestar.report.workbook_xml`
(write-only mode, each cell styled through openpyxl), behind the writer's
interface: the reference the workbook is compared with, cell by cell, by
tests/test_renderers.py (``monkeypatch.setattr(excel, "WorkbookWriter", ReferenceBook)``)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from fivestar.report.text import clean
from fivestar.report.workbook_xml import PLAIN, WHOLE, BarChart, SheetSetup, Style
from openpyxl import Workbook
from openpyxl import chart as charts
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet


class ReferenceSheet:
    def __init__(self, book: ReferenceBook, title: str, setup: SheetSetup) -> None:
        self.book = book
        self.sheet = sheet = book.workbook.create_sheet(title)
        self.rows = 0
        for index, width in enumerate(setup.widths, 1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        if setup.header_rows:
            sheet.print_title_rows = f"1:{setup.header_rows}"
        if setup.freeze:
            sheet.freeze_panes = setup.freeze
        sheet.oddFooter.left.text, sheet.oddFooter.right.text = setup.footer

    def write(self, values: Sequence[Any], style: Style = PLAIN, whole: Sequence[int] = ()) -> int:
        row = []
        for index, value in enumerate(values):
            if isinstance(value, str):
                value = clean(value)
            elif isinstance(value, Decimal):
                value = int(value) if value == value.to_integral_value() else float(value)
            cell = WriteOnlyCell(self.sheet, value)
            number = None
            if isinstance(value, str):
                cell.data_type = "s"
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                number = WHOLE if index in whole else self.book.number_format
            if number or style != PLAIN:
                if number:
                    cell.number_format = number
                if style.font is not None:
                    cell.font = Font(bold=style.font.bold, color=style.font.color)
                if style.fill is not None:
                    cell.fill = PatternFill("solid", fgColor=style.fill)
                cell.alignment = Alignment(wrap_text=True, vertical="top") if style.wrap else Alignment(vertical="top")
            row.append(cell)
        self.sheet.append(row)
        self.rows += 1
        return self.rows

    def autofilter(self, last_column: int, last_row: int) -> None:
        self.sheet.auto_filter.ref = f"A1:{get_column_letter(last_column)}{last_row}"

    def add_chart(self, chart: BarChart) -> None:
        made = charts.BarChart()
        made.type = chart.direction
        made.title = chart.title
        if chart.stacked:
            made.grouping, made.overlap = "stacked", 100
        made.x_axis.title, made.y_axis.title = chart.x_title, chart.y_title
        for series in chart.series:
            made.add_data(
                charts.Reference(self.sheet, min_col=series.column, min_row=series.title_row, max_row=series.last),
                titles_from_data=True,
            )
        first, last = chart.series[0].first, chart.series[0].last
        made.set_categories(charts.Reference(self.sheet, min_col=chart.categories, min_row=first, max_row=last))
        made.width, made.height = chart.size
        self.sheet.add_chart(made, f"{get_column_letter(chart.anchor[0])}{chart.anchor[1]}")


class ReferenceBook:
    def __init__(self, number_format: str = "General") -> None:
        self.workbook = Workbook(write_only=True)
        self.number_format = number_format

    def __enter__(self) -> ReferenceBook:
        return self

    def __exit__(self, *_error: object) -> None:
        pass

    def sheet(self, title: str, setup: SheetSetup) -> ReferenceSheet:
        return ReferenceSheet(self, title, setup)

    def close(self) -> bytes:
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()
