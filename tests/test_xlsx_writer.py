"""The workbook's own writer (fivestar.report.workbook_xml): the same cells
as openpyxl wrote, well-formed XML whatever the text, rows in order, and
numbers as the JSON writes them."""

from __future__ import annotations

import gc
import io
import json
import math
import re
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from fivestar.config import load_config
from fivestar.pipeline import RunResult, run
from fivestar.report import RenderOptions, excel, joined, render_json
from fivestar.report.excel import render_xlsx
from fivestar.report.labels import LABELS
from fivestar.report.workbook_xml import SheetSetup, WorkbookWriter, escape, escape_cell
from samples import LEARNING
from xlsx_reference import ReferenceBook

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.fixture(scope="module")
def sample(sample_years: tuple[RunResult, Path]) -> RunResult:
    """The 2020 sample run with 2019 in its history store (so the workbook has every kind of sheet)."""
    return sample_years[0]


def color(value: Any) -> str | None:
    """An RGB colour without its alpha (openpyxl wrote 00, Excel writes FF)."""
    return value[-6:] if isinstance(value, str) else None


def same_number(first: Any, second: Any) -> bool:
    """openpyxl wrote floats as ``%.16g``: 75.1 became 75.09999999999999."""
    if isinstance(first, float) or isinstance(second, float):
        return math.isclose(first, second, rel_tol=1e-15)
    return first == second


def cells(sheet: Any) -> dict[str, tuple[Any, ...]]:
    """Every written cell: its value, type, number format, font, fill and alignment."""
    found = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None and not cell.has_style:
                continue
            font, fill = cell.font, cell.fill
            found[cell.coordinate] = (
                cell.value,
                cell.data_type,
                cell.number_format,
                bool(font.b),
                color(font.color.rgb) if font.color is not None else None,
                fill.fill_type,
                color(fill.fgColor.rgb) if fill.fill_type else None,
                bool(cell.alignment.wrap_text),
                cell.alignment.vertical,
            )
    return found


def settings(sheet: Any) -> dict[str, Any]:
    setup = sheet.page_setup
    return {
        "freeze": sheet.freeze_panes,
        "print titles": sheet.print_title_rows,
        "filter": sheet.auto_filter.ref,
        "widths": {key: dimension.width for key, dimension in sheet.column_dimensions.items() if dimension.width},
        "page": (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight),
        "fit": sheet.sheet_properties.pageSetUpPr.fitToPage,
        "footer": (sheet.oddFooter.left.text, sheet.oddFooter.right.text),
        "charts": [
            (
                chart.type,
                chart.grouping,
                [
                    (
                        series.val.numRef.f,
                        (series.cat.numRef or series.cat.strRef).f,
                        series.tx.strRef.f.replace("$", ""),
                    )
                    for series in chart.series
                ],
            )
            for chart in sheet._charts
        ],
    }


@pytest.mark.parametrize("options", [RenderOptions(), RenderOptions(lang="en"), RenderOptions(org="sx-finance")])
def test_the_workbook_has_the_cells_openpyxl_wrote(
    sample: RunResult, options: RenderOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = openpyxl.load_workbook(io.BytesIO(render_xlsx(sample, options)))
    monkeypatch.setattr(excel, "WorkbookWriter", ReferenceBook)
    reference = openpyxl.load_workbook(io.BytesIO(render_xlsx(sample, options)))
    assert written.sheetnames == reference.sheetnames
    assert len(written.sheetnames) > (5 if options.org is None else 3)
    for title in reference.sheetnames:
        ours, theirs = cells(written[title]), cells(reference[title])
        assert ours.keys() == theirs.keys(), title
        for coordinate, cell in theirs.items():
            mine = ours[coordinate]
            assert same_number(mine[0], cell[0]) and mine[1:] == cell[1:], (title, coordinate, mine, cell)
        assert settings(written[title]) == settings(reference[title]), title


def test_texts_past_the_shared_table_are_written_in_their_cells(
    sample: RunResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A workbook of 100,000 names keeps at most SHARED_TEXTS of them in
    its shared-string table; the others are inline strings, read the same."""
    import fivestar.report.workbook_xml as workbook_xml

    shared = openpyxl.load_workbook(io.BytesIO(render_xlsx(sample, RenderOptions())))
    monkeypatch.setattr(workbook_xml, "SHARED_TEXTS", 5)
    content = render_xlsx(sample, RenderOptions())
    dict(xml_parts(content))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        table = archive.read("xl/sharedStrings.xml").decode("utf-8")
        sheets = "".join(archive.read(name).decode("utf-8") for name in archive.namelist() if "worksheets/" in name)
    assert table.count("<si>") == 5
    assert 't="inlineStr"' in sheets
    inline = openpyxl.load_workbook(io.BytesIO(content))
    assert inline.sheetnames == shared.sheetnames
    for title in shared.sheetnames:
        assert cells(inline[title]) == cells(shared[title]), title


def xml_parts(content: bytes) -> Iterator[tuple[str, ElementTree.Element]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                yield name, ElementTree.fromstring(archive.read(name))


NASTY = " 甲<R&D>\u0001单位\u000b\u001f\ufffe\u202e \"引号\" 'x' _x0041_ a\r\nb\t"


def test_control_characters_and_markup_in_names_and_texts_make_a_well_formed_workbook(
    write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    write_org("x", organisation={"id": "x", "name": NASTY}, learning=LEARNING)
    write_org("y", organisation={"id": "y", "name": "乙\u0007单位'"}, learning={**LEARNING, "halfyear_reports": 5})
    content = render_xlsx(assess(), RenderOptions())
    parts = dict(xml_parts(content))
    assert "xl/sharedStrings.xml" in parts and "xl/charts/chart2.xml" in parts
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    cleaned = "甲<R&D>单位 \"引号\" 'x' _x0041_ a\r\nb"
    title = next(title for title in workbook.sheetnames if "R&D" in title)
    assert title == "甲<R&D>单位 \"引号\" 'x' _x0041_ a b"
    assert workbook[title]["B1"].value == cleaned
    league = {row[2]: row[1] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert league["x"] == cleaned
    failed = list(workbook["未通过校验"].iter_rows(min_row=2, values_only=True))
    assert failed and all(row[1] == "乙单位'" for row in failed)


def test_escape_keeps_what_excel_would_read_as_a_character() -> None:
    assert escape('<a href="x">&</a>') == "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
    assert escape_cell("_x000D_ and _xABCD_ and _x12_") == "_x005F_x000D_ and _x005F_xABCD_ and _x12_"
    assert escape("a\rb") == "a&#13;b"


def test_a_large_cohort_is_written_row_after_row_with_the_json_figures(generate: ModuleType, tmp_path: Path) -> None:
    """250 organisations, each with its scorecard (above the 200 of openpyxl's
    days): every sheet's rows and cells are written in order, once, and every
    total is the JSON's own text (openpyxl wrote 75.1 as 75.09999999999999)."""
    result = run(load_config(generate.write_cohort(250, tmp_path / "cohort")))
    content = render_xlsx(result, RenderOptions())
    document = json.loads(joined(render_json(result, RenderOptions())))
    scored = [entry for entry in document["organisations"] if entry["status"] == "scored"]
    sheets = {name: root for name, root in xml_parts(content) if name.startswith("xl/worksheets/sheet")}
    assert len(scored) > 200
    assert len(sheets) == 2 + len(scored) + (1 if len(scored) < 250 else 0) + 1
    for name, root in sheets.items():
        rows = root.iter(f"{MAIN}row")
        numbers = [int(row.get("r")) for row in rows]
        assert numbers == list(range(1, len(numbers) + 1)), name
        for row in root.iter(f"{MAIN}row"):
            columns = [re.match(r"[A-Z]+", cell.get("r")).group(0) for cell in row]
            assert columns == sorted(columns, key=lambda letters: (len(letters), letters)), name
            assert all(cell.get("r").endswith(row.get("r")) for cell in row), name
    league = sheets["xl/worksheets/sheet1.xml"]
    total_column = None
    totals = {}
    strings = [item.findtext(f"{MAIN}t") for item in dict(xml_parts(content))["xl/sharedStrings.xml"]]
    for row in league.iter(f"{MAIN}row"):
        texts = {cell.get("r").rstrip("0123456789"): cell for cell in row}
        if row.get("r") == "1":
            total_column = next(
                column
                for column, cell in texts.items()
                if strings[int(cell.findtext(f"{MAIN}v"))] == LABELS["zh"]["total"]
            )
            continue
        org_id = strings[int(texts["C"].findtext(f"{MAIN}v"))]
        totals[org_id] = texts[total_column].findtext(f"{MAIN}v")
    assert totals == {entry["id"]: json.dumps(entry["total"]) for entry in scored}


def test_a_remembered_row_is_written_again_only_for_equal_values_of_the_same_kind() -> None:
    """Rows are remembered by their values, but True equals 1: a row holding a boolean is written anew."""
    book = WorkbookWriter()
    sheet = book.sheet("s", SheetSetup())
    for row in (["a", 1], ["a", True], ["a", 1], ["a", Decimal("2.80")], ["a", Decimal("2.8")], ["a", False]):
        sheet.write(row)
    values = [row for row in openpyxl.load_workbook(io.BytesIO(book.close()))["s"].iter_rows(values_only=True)]
    assert values == [("a", 1), ("a", True), ("a", 1), ("a", 2.8), ("a", 2.8), ("a", False)]
    assert [type(value) for _text, value in values] == [int, bool, int, float, float, bool]


def test_a_workbook_stopped_while_a_sheet_is_written_leaves_nothing_for_the_collector_to_report(
    sample: RunResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C or SIGTERM unwinds the run while a sheet is open: the zip is
    then dropped; its collection must not print "Exception ignored … open
    writing handle" on stderr."""
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)

    def stopped(*_args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(excel.Scorecards, "write", stopped)
    with pytest.raises(KeyboardInterrupt):
        render_xlsx(sample, RenderOptions())
    gc.collect()

    assert unraisable == []


def test_the_same_result_makes_the_same_workbook_bytes_at_any_time(
    sample: RunResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No entry of the zip carries the time it was written: a run's workbook
    can be compared by its checksum (as --jobs 1 and the default are)."""
    first = render_xlsx(sample, RenderOptions())
    later = time.time() + 3_600 * 5
    monkeypatch.setattr(zipfile, "time", SimpleNamespace(time=lambda: later, localtime=time.localtime))

    assert render_xlsx(sample, RenderOptions()) == first
