"""The csv, xlsx and html renderers against the JSON result of the same run:
every figure they show must be the JSON document's figure, exactly."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from click.testing import CliRunner
from fivestar.cli import main
from fivestar.pipeline import RunResult
from fivestar.report import RenderOptions, excel, html_page, joined, render_json
from fivestar.report.csv_table import render_csv
from fivestar.report.excel import render_xlsx, sheet_title
from fivestar.report.html_page import render_html
from fivestar.report.labels import LABELS
from fivestar.report.terminal import render_table
from fivestar.report.view import ReportWords
from openpyxl.worksheet.worksheet import Worksheet
from samples import LEARNING, toml_literal

D = Decimal
WriteOrg = Callable[..., Path]
Assess = Callable[..., RunResult]

NAME_A = '甲单位 <R&D> "测试"'
NAME_B = "=SUM(1,2) 乙单位"
NAME_C = "中共绍兴市某某局机关委员会[第一]党支部:联合/测试?*单位与第二党支部"
SPIRIT = "learning.heavy.spirit_not_conveyed"
FLAGS = ("party_building_excellence", "performance_excellence", "five_star")
INVALID_TITLE = re.compile(r"[\[\]:*?/\\]")


def number(value: Any) -> Decimal:
    """A JSON number (int, or float whose shortest text is the decimal's) as a Decimal."""
    assert isinstance(value, (int, float)) and not isinstance(value, bool), value
    return D(str(value))


@pytest.fixture
def cohort(write_org: WriteOrg, assess: Assess) -> tuple[RunResult, dict[str, Any]]:
    """a: complete learning; b: 2.8 + 3.5 and a 7.5 heavy item; c: a falsified
    1-point item (−2); d: fails validation (halfyear_reports 5 > 2)."""
    write_org("a", organisation={"id": "a", "name": NAME_A}, learning=LEARNING)
    write_org(
        "b",
        organisation={"id": "b", "name": NAME_B},
        learning={**LEARNING, "unimplemented": 1, "study_criticisms": 1},
        review={"heavy": {SPIRIT: toml_literal("7.5")}},
    )
    write_org(
        "c",
        organisation={"id": "c", "name": NAME_C},
        learning={**LEARNING, "thought_analyses": 1},
        review={"falsified": ["learning.talks_visits"]},
    )
    write_org("d", learning={**LEARNING, "halfyear_reports": 5})
    result = assess()
    document = json.loads(joined(render_json(result, RenderOptions())))
    return result, document


def entries(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["id"]: entry for entry in document["organisations"]}


def heavy_total(entry: dict[str, Any]) -> Decimal:
    return -sum((number(deduction["points"]) for deduction in entry["heavy"]), D(0))


def items_of(entry: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item_id: line for section in entry["sections"].values() for item_id, line in section["items"].items()}


def test_the_cohort_is_what_the_rules_say(cohort: tuple[RunResult, dict[str, Any]]) -> None:
    """The fixture's figures from the standard's text, so that the renderer
    tests below compare against a JSON result known to be right."""
    _result, document = cohort
    by_id = entries(document)
    assert [by_id[org_id]["status"] for org_id in "abcd"] == ["scored", "scored", "scored", "failed"]
    assert "learning" in by_id["a"]["sections"]
    assert number(by_id["a"]["sections"]["learning"]["score"]) == D(25)
    assert number(by_id["b"]["sections"]["learning"]["score"]) == D(25) - D("0.2") - D("0.5")
    assert number(items_of(by_id["b"])["learning.conveyed"]["points"]) == D("2.8")
    assert heavy_total(by_id["b"]) == D("-7.5")
    assert number(items_of(by_id["c"])["learning.talks_visits"]["points"]) == D(-2)
    assert number(by_id["c"]["sections"]["learning"]["score"]) == D(25) - D(1) - D(1) - D(2)
    assert by_id["d"]["rank"] is None and by_id["d"]["errors"]


# --------------------------------------------------------------------------
# csv
# --------------------------------------------------------------------------


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_csv_header_uses_ids(cohort: tuple[RunResult, dict[str, Any]]) -> None:
    result, document = cohort
    content = render_csv(result, RenderOptions())
    header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    scored = entries(document)["a"]
    section_ids = list(scored["sections"])
    assert header == [
        "rank",
        "id",
        "name",
        "status",
        *section_ids,
        "heavy",
        "total",
        "stars",
        *FLAGS,
        *items_of(scored),
        "conflicts",
        "unverified",
        "findings",
        "appeals",
        "year",
        "edition",
        "policies",
    ]
    assert render_csv(result, RenderOptions(lang="en")) == content


def test_csv_is_utf8_with_bom(cohort: tuple[RunResult, dict[str, Any]]) -> None:
    result, _document = cohort
    content = render_csv(result, RenderOptions())
    assert content.startswith(b"\xef\xbb\xbf")
    assert not content.startswith(b"\xef\xbb\xbf\xef\xbb\xbf")
    assert "甲单位".encode() in content


def test_csv_figures_are_the_json_figures(cohort: tuple[RunResult, dict[str, Any]]) -> None:
    result, document = cohort
    rows = read_csv(render_csv(result, RenderOptions()))
    by_id = entries(document)
    assert [row["id"] for row in rows] == [
        *sorted(
            (org_id for org_id in by_id if by_id[org_id]["rank"]), key=lambda org_id: (by_id[org_id]["rank"], org_id)
        ),
        "d",
    ]
    for row in rows:
        entry = by_id[row["id"]]
        assert row["name"] == ("'" + entry["name"] if entry["name"].startswith("=") else entry["name"])
        assert row["status"] == entry["status"]
        assert (row["year"], row["edition"]) == (str(document["year"]), document["edition"])
        assert "star_threshold=0.8" in row["policies"] and "falsification=double-reverse" in row["policies"]
        if entry["status"] == "failed":
            run_columns = ("id", "name", "status", "year", "edition", "policies")
            assert all(row[key] == "" for key in row if key not in run_columns)
            continue
        assert int(row["rank"]) == entry["rank"]
        for section_id, section in entry["sections"].items():
            assert D(row[section_id]) == number(section["score"])
        assert D(row["heavy"]) == heavy_total(entry)
        assert D(row["total"]) == number(entry["total"])
        assert row["stars"].split() == entry["awards"]["stars"]
        for flag in FLAGS:
            assert row[flag] == ("true" if entry["awards"][flag] else "false")
        for item_id, line in items_of(entry).items():
            assert D(row[item_id]) == number(line["points"])
    b = next(row for row in rows if row["id"] == "b")
    assert b["learning.conveyed"] == "2.8"
    assert b["heavy"] == "-7.5"


# --------------------------------------------------------------------------
# xlsx
# --------------------------------------------------------------------------


def workbook_of(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def numeric(value: Any) -> Decimal:
    """A numeric cell (never text) as a Decimal."""
    assert isinstance(value, (int, float)) and not isinstance(value, bool), repr(value)
    return D(str(value))


def star_text(result: RunResult, stars: list[str], lang: str) -> str:
    sections = result.context.registry.sections
    if lang == "zh":
        return "、".join(sections[star].title for star in stars)
    return ", ".join(sections[star].title_en for star in stars)


def test_xlsx_league_sheet_has_every_json_figure(cohort: tuple[RunResult, dict[str, Any]]) -> None:
    result, document = cohort
    workbook = workbook_of(render_xlsx(result, RenderOptions()))
    league = workbook.worksheets[0]
    assert league.title == "总表"
    rows = list(league.iter_rows(values_only=True))
    by_id = entries(document)
    section_ids = list(by_id["a"]["sections"])
    titles = [result.context.registry.sections[section_id].title for section_id in section_ids]
    assert list(rows[0]) == ["名次", "党组织", "编号", *titles, "重扣", "总分", "星级", "荣誉"]
    body = rows[1:]
    assert sorted(row[2] for row in body) == ["a", "b", "c"]
    for row in body:
        entry = by_id[row[2]]
        assert row[0] == entry["rank"]
        assert row[1] == entry["name"]
        scores = row[3 : 3 + len(section_ids)]
        for value, section_id in zip(scores, section_ids, strict=True):
            assert numeric(value) == number(entry["sections"][section_id]["score"])
        heavy, total, stars, awards = row[3 + len(section_ids) :]
        assert numeric(heavy) == heavy_total(entry)
        assert numeric(total) == number(entry["total"])
        assert (stars or "") == star_text(result, entry["awards"]["stars"], "zh")
        expected_awards = [
            label for flag, label in zip(FLAGS, ("党建优", "业绩优", "五星双优"), strict=True) if entry["awards"][flag]
        ]
        assert (awards or "") == "、".join(expected_awards)
    assert [row[0] for row in body] == sorted(row[0] for row in body)
    b_row = next(row for row in body if row[2] == "b")
    assert b_row[3 + section_ids.index("learning")] == 24.3
    assert b_row[1] == NAME_B


def scorecard_rows(sheet: Worksheet) -> dict[str, Any]:
    """The scorecard sheet read back: items and section subtotals by id,
    heavy deductions by id, the awards block by label."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(index for index, row in enumerate(rows) if row[0] == "板块") + 1
    lines: dict[str, tuple[Any, ...]] = {}
    index = start
    while index < len(rows) and any(value is not None for value in rows[index]):
        lines[rows[index][1]] = rows[index]
        index += 1
    heavy_start = next(index for index, row in enumerate(rows) if row[0] == "重扣分项") + 1
    heavy: dict[str, tuple[Any, ...]] = {}
    index = heavy_start
    while index < len(rows) and rows[index][1] is not None:
        heavy[rows[index][1]] = rows[index]
        index += 1
    awards_start = next(index for index, row in enumerate(rows) if row[0] == "荣誉") + 1
    awards = [row for row in rows[awards_start:] if row[0] is not None]
    header = {row[0]: row[1] for row in rows[:4]}
    return {"header": header, "lines": lines, "heavy": heavy, "awards": awards}


def test_xlsx_scorecard_sheet_has_every_json_figure(cohort: tuple[RunResult, dict[str, Any]]) -> None:
    result, document = cohort
    workbook = workbook_of(render_xlsx(result, RenderOptions()))
    entry = entries(document)["b"]
    sheet = workbook[NAME_B]
    card = scorecard_rows(sheet)
    assert card["header"]["党组织"] == entry["name"]
    assert card["header"]["编号"] == "b"
    assert card["header"]["名次"] == entry["rank"]
    assert numeric(card["header"]["总分"]) == number(entry["total"])
    lines = card["lines"]
    for section_id, section in entry["sections"].items():
        subtotal = lines[section_id]
        assert subtotal[2] == "小计"
        assert numeric(subtotal[3]) == number(section["score"])
        assert numeric(subtotal[4]) == number(section["max"])
        for item_id, line in section["items"].items():
            row = lines[item_id]
            assert row[0] == result.context.registry.sections[section_id].title
            assert row[2] == line["title"]
            assert numeric(row[3]) == number(line["points"])
            assert row[4] is None if line["max"] is None else numeric(row[4]) == number(line["max"])
            assert row[5] == result.ledgers["b"].items[item_id].explain(ReportWords(LABELS["zh"]))
    assert len(lines) == len(entry["sections"]) + len(items_of(entry))
    assert lines["learning.conveyed"][3] == 2.8
    assert set(card["heavy"]) == {deduction["id"] for deduction in entry["heavy"]} == {SPIRIT}
    assert numeric(card["heavy"][SPIRIT][3]) == D("7.5")
    awards = {row[0]: row[1:] for row in card["awards"] if row[0] != "未获评原因"}
    assert (awards["星级"][0] or "") == star_text(result, entry["awards"]["stars"], "zh")
    for flag, label in zip(FLAGS, ("党建优", "业绩优", "五星双优"), strict=True):
        assert awards[label][0] == ("是" if entry["awards"][flag] else "否")
    withheld = {row[1]: row[2] for row in card["awards"] if row[0] == "未获评原因"}
    assert len(withheld) == len(entry["awards"]["withheld"])
    assert (
        withheld["学习星"]
        == f"有重扣分项：出现中央、省委、市委重要文件、会议、讲话精神未及时传达贯彻到位现象（{SPIRIT}）"
    )
    assert entry["awards"]["withheld"]["learning"] == f"heavy item {SPIRIT}"


def test_xlsx_text_is_never_a_formula(cohort: tuple[RunResult, dict[str, Any]]) -> None:
    result, _document = cohort
    workbook = workbook_of(render_xlsx(result, RenderOptions()))
    sheet = workbook[NAME_B]
    assert sheet["B1"].value == NAME_B
    assert sheet["B1"].data_type == "s"
    league_names = [row[1] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert NAME_B in league_names


def test_xlsx_sheets_titles_failed_and_run(cohort: tuple[RunResult, dict[str, Any]]) -> None:
    result, document = cohort
    workbook = workbook_of(render_xlsx(result, RenderOptions()))
    titles = workbook.sheetnames
    assert all(len(title) <= 31 and not INVALID_TITLE.search(title) for title in titles)
    assert len({title.casefold() for title in titles}) == len(titles)
    assert titles[:2] == ["总表", "图表"] and titles[-2:] == ["未通过校验", "运行信息"]
    assert len(titles) == 4 + 3
    long_title = sheet_title(NAME_C, set())
    assert long_title in titles and len(long_title) == 31
    assert workbook[long_title]["B1"].value == NAME_C
    failed = list(workbook["未通过校验"].iter_rows(min_row=2, values_only=True))
    d = entries(document)["d"]
    assert [(row[0], row[3]) for row in failed] == [("d", error["message"]) for error in d["errors"]]
    run = {row[0]: row[1:] for row in workbook["运行信息"].iter_rows(values_only=True) if row[0]}
    assert run["年度"][0] == 2020
    assert run["评分标准版本"][0] == document["edition"]
    for key, value in document["policies"].items():
        if isinstance(value, (int, float)):
            assert numeric(run[key][0]) == number(value)
    assert run["falsification"][0] == "加倍倒扣" and run["falsification"][1].startswith("备注3")
    assert "制表人" in run and "日期" in run


def test_xlsx_in_english(cohort: tuple[RunResult, dict[str, Any]]) -> None:
    result, document = cohort
    workbook = workbook_of(render_xlsx(result, RenderOptions(lang="en")))
    assert workbook.sheetnames[:2] == ["League table", "Charts"]
    assert workbook.sheetnames[-2:] == ["Failed", "Run"]
    header = next(workbook.worksheets[0].iter_rows(max_row=1, values_only=True))
    titles = [
        result.context.registry.sections[section_id].title_en for section_id in entries(document)["a"]["sections"]
    ]
    assert list(header) == ["Rank", "Organisation", "ID", *titles, "Heavy", "Total", "Stars", "Awards"]
    a_row = next(row for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True) if row[2] == "a")
    assert (a_row[-2] or "") == star_text(result, entries(document)["a"]["awards"]["stars"], "en")


def test_xlsx_with_org_has_one_scorecard(cohort: tuple[RunResult, dict[str, Any]]) -> None:
    result, _document = cohort
    workbook = workbook_of(render_xlsx(result, RenderOptions(org="b")))
    assert workbook.sheetnames == ["总表", "图表", NAME_B, "未通过校验", "运行信息"]
    assert workbook.worksheets[0].max_row == 4


def test_xlsx_is_ready_to_print_and_filter(cohort: tuple[RunResult, dict[str, Any]]) -> None:
    result, _document = cohort
    workbook = workbook_of(render_xlsx(result, RenderOptions()))
    league = workbook["总表"]
    assert league.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(league.max_column)}4"
    assert league.freeze_panes == "C2"
    for sheet in workbook.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert "&P" in sheet.oddFooter.right.text and "2020" in sheet.oddFooter.left.text
    assert league.print_title_rows == "$1:$1"
    assert workbook[NAME_B].print_title_rows == "$1:$6"
    body = list(league.iter_rows(min_row=2))
    assert all(row[0].number_format == "0" for row in body)
    assert all(cell.number_format == "0.0#" for row in body for cell in row[3:-2])
    five = [row for row in body if row[-1].value and "五星双优" in row[-1].value]
    others = [row for row in body if not row[-1].value]
    assert all(row[1].fill.fgColor.rgb.endswith("FBE3E3") and row[1].font.bold for row in five)
    assert all(row[1].fill.fill_type is None for row in others)


def test_xlsx_has_native_charts(cohort: tuple[RunResult, dict[str, Any]]) -> None:
    result, document = cohort
    workbook = workbook_of(render_xlsx(result, RenderOptions()))
    charts = workbook["图表"]
    assert len(charts._charts) == 1
    rows = list(charts.iter_rows(values_only=True))
    assert rows[0][0] == "总分段"
    scored = [entry for entry in document["organisations"] if entry["status"] == "scored"]
    assert sum(sum(row[1:4]) for row in rows[1:]) == len(scored)
    assert len(workbook[NAME_B]._charts) == 1


def test_xlsx_and_csv_drop_control_characters_from_names_and_sheet_titles(write_org: WriteOrg, assess: Assess) -> None:
    write_org("x", organisation={"id": "x", "name": "财政局\u0001\u001b"}, learning=LEARNING)
    result = assess()
    content = render_xlsx(result, RenderOptions())
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.endswith(".xml"):
                ElementTree.fromstring(archive.read(name))
    workbook = workbook_of(content)
    assert "财政局" in workbook.sheetnames
    assert workbook["财政局"]["B1"].value == "财政局"


def test_xlsx_above_the_threshold_has_no_scorecard_sheets_and_says_where_they_are(
    cohort: tuple[RunResult, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(excel, "SCORECARDS_UP_TO", 2)
    workbook = workbook_of(render_xlsx(cohort[0], RenderOptions()))
    assert workbook.sheetnames == ["总表", "图表", "未通过校验", "运行信息"]
    assert workbook["总表"].max_row == 4
    run = {row[0]: row[1] for row in workbook["运行信息"].iter_rows(values_only=True) if row[0]}
    assert "超过 2 个时" in run["评分明细"] and "assess run --org" in run["评分明细"]


def test_csv_drops_control_characters(write_org: WriteOrg, assess: Assess) -> None:
    write_org("x", organisation={"id": "x", "name": "财政局\u0001\u001b[2J"}, learning=LEARNING)
    rows = read_csv(render_csv(assess(), RenderOptions()))
    assert [row["name"] for row in rows] == ["财政局[2J"]


def test_sheet_title_rules() -> None:
    taken: set[str] = set()
    assert sheet_title("a[b]:c*d?e/f\\g", taken) == "a_b__c_d_e_f_g"
    assert sheet_title("'quoted'", taken) == "quoted"
    assert sheet_title("Quoted", taken) == "Quoted (2)"
    assert sheet_title("QUOTED", taken) == "QUOTED (3)"
    long = "x" * 40
    first = sheet_title(long, taken)
    second = sheet_title(long, taken)
    assert first == "x" * 31
    assert second == "x" * 27 + " (2)"
    assert sheet_title("x" * 31, set()) == "x" * 31
    assert sheet_title("x" * 32, set()) == "x" * 31
    assert sheet_title("[]", set()) == "__"
    assert sheet_title("", set()) == "sheet"
    assert sheet_title("History", {"history"}) == "History (2)"


def test_a_sheet_title_cut_at_an_apostrophe_does_not_end_with_it() -> None:
    """Excel refuses a title ending with an apostrophe (it repairs the workbook)."""
    assert sheet_title("x" * 30 + "'s 机关委员会", set()) == "x" * 30
    assert sheet_title("x" * 29 + "''s 机关委员会", set()) == "x" * 29


# --------------------------------------------------------------------------
# html
# --------------------------------------------------------------------------


class Page(HTMLParser):
    """The parts of the page the tests read: tags, link targets, text, and
    every table with its class, its section's id and its rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.targets: list[tuple[str, str]] = []
        self.tables: list[dict[str, Any]] = []
        self.sections: list[str] = []
        self.title = ""
        self.h1 = ""
        self.text: list[str] = []
        self.section: str | None = None
        self.open_tags: list[str] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append(tag)
        self.open_tags.append(tag)
        for name in ("src", "href", "action", "data", "poster"):
            if name in attributes:
                self.targets.append((tag, attributes[name]))
        if tag == "section":
            self.section = attributes.get("id")
            self.sections.append(self.section or "")
        elif tag == "table":
            self.tables.append({"class": attributes.get("class", ""), "section": self.section, "rows": []})
        elif tag == "tr":
            self.tables[-1]["rows"].append({"attributes": attributes, "cells": []})
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if self.open_tags and self.open_tags[-1] == tag:
            self.open_tags.pop()
        if tag == "section":
            self.section = None
        elif tag in ("td", "th") and self.cell is not None:
            self.tables[-1]["rows"][-1]["cells"].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
        current = self.open_tags[-1] if self.open_tags else ""
        if current == "title":
            self.title += data
        elif current == "h1":
            self.h1 += data
        if current not in ("style", "title"):
            self.text.append(data)

    def table(self, css: str, section: str | None = None) -> list[dict[str, Any]]:
        found = [
            table for table in self.tables if table["class"] == css and (section is None or table["section"] == section)
        ]
        assert len(found) == 1, (css, section)
        return found[0]["rows"]


def parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    return parser


def test_html_is_self_contained(cohort: tuple[RunResult, dict[str, Any]]) -> None:
    result, _document = cohort
    page = render_html(result, RenderOptions())
    parsed = parse(page)
    assert "script" not in parsed.tags
    assert not {"link", "img", "iframe", "object", "embed"} & set(parsed.tags)
    assert all(target.startswith("#") for _tag, target in parsed.targets), parsed.targets
    assert not re.search(r"https?://|@import|url\(", page)
    assert "@media print" in page
    assert re.search(r"\.scorecard\s*\{[^}]*break-before:\s*page", page)


def test_html_escapes_all_text(cohort: tuple[RunResult, dict[str, Any]]) -> None:
    result, _document = cohort
    page = render_html(result, RenderOptions())
    assert "<R&D>" not in page
    parsed = parse(page)
    assert NAME_A in parsed.text
    assert "&lt;R&amp;D&gt; &quot;测试&quot;" in page


def test_html_league_table_has_every_json_figure(cohort: tuple[RunResult, dict[str, Any]]) -> None:
    result, document = cohort
    parsed = parse(render_html(result, RenderOptions()))
    rows = parsed.table("league", "league")
    by_id = entries(document)
    section_ids = list(by_id["a"]["sections"])
    titles = [result.context.registry.sections[section_id].title for section_id in section_ids]
    assert rows[0]["cells"] == ["名次", "党组织", *titles, "重扣", "总分", "星级", "荣誉"]
    body = rows[1:]
    assert [row["attributes"]["data-id"] for row in body] == sorted(
        ["a", "b", "c"], key=lambda org_id: (by_id[org_id]["rank"], org_id)
    )
    for row in body:
        entry = by_id[row["attributes"]["data-id"]]
        cells = row["cells"]
        assert int(cells[0]) == entry["rank"]
        assert cells[1] == entry["name"]
        for text, section_id in zip(cells[2 : 2 + len(section_ids)], section_ids, strict=True):
            assert D(text) == number(entry["sections"][section_id]["score"])
        heavy, total, stars, awards = cells[2 + len(section_ids) :]
        assert D(heavy) == heavy_total(entry)
        assert D(total) == number(entry["total"])
        assert stars == "".join("学" if star == "learning" else "" for star in entry["awards"]["stars"]).ljust(5, "·")
        expected_awards = [
            label for flag, label in zip(FLAGS, ("党建优", "业绩优", "五星双优"), strict=True) if entry["awards"][flag]
        ]
        assert awards == "、".join(expected_awards)
    b = next(row for row in body if row["attributes"]["data-id"] == "b")["cells"]
    assert b[2 + section_ids.index("learning")] == "24.3"
    assert b[2 + len(section_ids)] == "-7.5"


def test_html_scorecards_have_every_json_figure(cohort: tuple[RunResult, dict[str, Any]]) -> None:
    result, document = cohort
    parsed = parse(render_html(result, RenderOptions()))
    scored = [entry for entry in document["organisations"] if entry["status"] == "scored"]
    assert sorted(section for section in parsed.sections if section.startswith("org-")) == sorted(
        f"org-{entry['id']}" for entry in scored
    )
    registry = result.context.registry
    for entry in scored:
        rows = parsed.table("items", f"org-{entry['id']}")
        assert rows[0]["cells"] == ["项目", "得分", "满分", "计分依据"]
        lines = {row["attributes"]["data-id"]: row for row in rows[1:]}
        assert len(lines) == len(entry["sections"]) + len(items_of(entry))
        for section_id, section in entry["sections"].items():
            cells = lines[section_id]["cells"]
            assert cells[0] == f"{registry.sections[section_id].title} {section_id}"
            assert D(cells[1]) == number(section["score"])
            assert D(cells[2]) == number(section["max"])
            for item_id, line in section["items"].items():
                row = lines[item_id]
                cells = row["cells"]
                assert cells[0].startswith(line["title"]) and cells[0].endswith(item_id)
                assert D(cells[1]) == number(line["points"])
                assert cells[2] == "—" if line["max"] is None else D(cells[2]) == number(line["max"])
                ledger_line = result.ledgers[entry["id"]].items[item_id]
                assert cells[3] == ledger_line.explain(ReportWords(LABELS["zh"]))
                assert row["attributes"]["class"].split()[0] == line["status"]
        if entry["heavy"]:
            heavy = {
                row["attributes"]["data-id"]: row["cells"] for row in parsed.table("heavy", f"org-{entry['id']}")[1:]
            }
            assert {key: D(cells[1]) for key, cells in heavy.items()} == {
                deduction["id"]: number(deduction["points"]) for deduction in entry["heavy"]
            }
        figures = {row["cells"][0]: row["cells"][1] for row in parsed.table("figures", f"org-{entry['id']}")}
        assert D(figures["总分"]) == number(entry["total"])
        assert int(figures["名次"]) == entry["rank"]
        expected = [
            label for flag, label in zip(FLAGS, ("党建优", "业绩优", "五星双优"), strict=True) if entry["awards"][flag]
        ]
        assert figures["荣誉"] == ("、".join(expected) or "无")
    c_lines = {row["attributes"]["data-id"]: row for row in parsed.table("items", "org-c")[1:]}
    assert c_lines["learning.talks_visits"]["cells"][1] == "-2"
    assert c_lines["learning.talks_visits"]["attributes"]["class"].startswith("falsified")
    assert "弄虚作假" in c_lines["learning.talks_visits"]["cells"][0]
    assert "弄虚作假，加倍倒扣：−2×1 = −2" in c_lines["learning.talks_visits"]["cells"][3]


def test_html_withheld_failed_edition_and_policies(cohort: tuple[RunResult, dict[str, Any]]) -> None:
    result, document = cohort
    page = render_html(result, RenderOptions())
    parsed = parse(page)
    text = "".join(parsed.text)
    assert "学习星：有重扣分项：出现中央、省委、市委重要文件、会议、讲话精神未及时传达贯彻到位现象" in text
    assert f"（{SPIRIT}）" in text
    assert "heavy item" not in text
    by_id = entries(document)
    for error in by_id["d"]["errors"]:
        assert error["message"] in text
    assert "failed" in parsed.sections
    run = {row["cells"][0]: row["cells"][1] for row in parsed.table("run")}
    assert run["年度"] == "2020"
    assert run["评分标准版本"] == document["edition"]
    assert run["已计分的党组织"] == "3" and run["未通过校验的党组织"] == "1"
    policies = {row["attributes"]["data-id"]: row["cells"] for row in parsed.table("policies")[1:]}
    assert set(policies) == set(document["policies"])
    assert policies["falsification"][1:] == [
        "加倍倒扣",
        "备注3“相应项目加倍倒扣”：弄虚作假的项目按其分值的 −2 倍计（加分项目按申报分的 −2 倍），或按0分计。",
    ]
    for key, value in document["policies"].items():
        if isinstance(value, (int, float)):
            assert D(policies[key][1]) == number(value)
    assert "2020" in parsed.title and "考核结果" in parsed.title


def test_html_in_english_and_for_one_organisation(cohort: tuple[RunResult, dict[str, Any]]) -> None:
    result, document = cohort
    page = render_html(result, RenderOptions(lang="en"))
    english = parse(page)
    assert "考核结果" not in english.title and "2020" in english.title
    titles = [
        result.context.registry.sections[section_id].title_en for section_id in entries(document)["a"]["sections"]
    ]
    assert english.table("league", "league")[0]["cells"] == [
        "Rank",
        "Organisation",
        *titles,
        "Heavy",
        "Total",
        "Stars",
        "Awards",
    ]
    assert "Learning star: heavy item" in "".join(english.text)
    one = parse(render_html(result, RenderOptions(org="b")))
    assert [section for section in one.sections if section.startswith("org-")] == ["org-b"]
    assert len(one.table("league", "league")) == 4


def test_html_above_the_threshold_holds_the_league_table_and_says_where_the_scorecards_are(
    cohort: tuple[RunResult, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    result, _document = cohort
    monkeypatch.setattr(html_page, "SCORECARDS_UP_TO", 2)
    parsed = parse(render_html(result, RenderOptions()))
    assert not [section for section in parsed.sections if section.startswith("org-")]
    assert len(parsed.table("league", "league")) == 4
    text = "".join(parsed.text)
    assert "本次共 3 个党组织，超过 2 个时只列总表" in text and "assess run --org" in text
    one = parse(render_html(result, RenderOptions(org="b")))
    assert [section for section in one.sections if section.startswith("org-")] == ["org-b"]


def test_html_above_the_threshold_lets_each_ledger_go(
    cohort: tuple[RunResult, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page of 100,000 organisations must not hold 100,000 ledgers: above
    the threshold its view keeps each organisation's summary only."""
    result, _document = cohort
    kept: list[bool] = []
    view = html_page.cohort_view

    def watched(*arguments: Any, **options: Any) -> Any:
        kept.append(options.get("keep_ledgers", True))
        return view(*arguments, **options)

    monkeypatch.setattr(html_page, "cohort_view", watched)
    render_html(result, RenderOptions())
    monkeypatch.setattr(html_page, "SCORECARDS_UP_TO", 2)
    render_html(result, RenderOptions())
    assert kept == [True, False]


def test_html_and_terminal_drop_control_characters(write_org: WriteOrg, assess: Assess) -> None:
    write_org("x", organisation={"id": "x", "name": "财政局\u0001\u001b[31m红\u202e"}, learning=LEARNING)
    result = assess()
    for lang in ("zh", "en"):
        page = render_html(result, RenderOptions(lang=lang))
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202e]", page)
        assert "财政局[31m红" in page
        for org in (None, "x"):
            table = render_table(result, RenderOptions(lang=lang, org=org))
            assert "\x1b" not in table and "\x01" not in table and "\u202e" not in table


# --------------------------------------------------------------------------
# the command line
# --------------------------------------------------------------------------


def test_run_writes_every_format(
    cohort: tuple[RunResult, dict[str, Any]], write_config: Callable[..., Path], tmp_path: Path
) -> None:
    _result, document = cohort
    config = write_config()
    out = tmp_path / "out"
    run = CliRunner().invoke(
        main, ["run", str(config), "--format", "csv,xlsx,html,json", "--output-dir", str(out), "--no-save"]
    )
    assert run.exit_code == 1, run.output
    assert sorted(path.name for path in out.iterdir()) == [
        "results-2020.csv",
        "results-2020.html",
        "results-2020.json",
        "results-2020.xlsx",
    ]
    written = json.loads((out / "results-2020.json").read_text(encoding="utf-8"))
    by_id = entries(written)
    assert {org_id: entry["total"] for org_id, entry in by_id.items()} == {
        org_id: entry["total"] for org_id, entry in entries(document).items()
    }
    rows = read_csv((out / "results-2020.csv").read_bytes())
    assert {row["id"]: row["total"] for row in rows} == {
        org_id: "" if entry["total"] is None else str(number(entry["total"])) for org_id, entry in by_id.items()
    }
    workbook = workbook_of((out / "results-2020.xlsx").read_bytes())
    assert workbook.sheetnames[0] == "总表"
    league = parse((out / "results-2020.html").read_text(encoding="utf-8")).table("league", "league")
    assert {row["attributes"]["data-id"]: D(row["cells"][-3]) for row in league[1:]} == {
        org_id: number(entry["total"]) for org_id, entry in by_id.items() if entry["total"] is not None
    }


def test_run_lang_en_changes_the_titles(
    cohort: tuple[RunResult, dict[str, Any]], write_config: Callable[..., Path], tmp_path: Path
) -> None:
    config = write_config()
    pages = {}
    for lang in ("zh", "en"):
        out = tmp_path / lang
        run = CliRunner().invoke(
            main,
            ["run", str(config), "--format", "html,xlsx,csv", "--output-dir", str(out), "--lang", lang, "--no-save"],
        )
        assert run.exit_code == 1, run.output
        pages[lang] = parse((out / "results-2020.html").read_text(encoding="utf-8"))
        pages[lang + ".xlsx"] = workbook_of((out / "results-2020.xlsx").read_bytes()).sheetnames[0]
        pages[lang + ".csv"] = (out / "results-2020.csv").read_bytes()
    assert pages["zh"].h1 != pages["en"].h1
    assert "考核结果" in pages["zh"].h1 and "results" in pages["en"].h1
    assert pages["zh"].table("league", "league")[0]["cells"][0] == "名次"
    assert pages["en"].table("league", "league")[0]["cells"][0] == "Rank"
    assert (pages["zh.xlsx"], pages["en.xlsx"]) == ("总表", "League table")
    assert pages["zh.csv"] == pages["en.csv"]


def test_csv_never_lets_a_name_become_a_formula(cohort: tuple[RunResult, dict[str, Any]]) -> None:
    result, _document = cohort
    rows = list(csv.DictReader(io.StringIO(render_csv(result, RenderOptions()).decode("utf-8-sig"))))
    names = {row["id"]: row["name"] for row in rows}
    assert names["b"] == "'" + NAME_B
    assert not any(name.startswith(("=", "+", "-", "@")) for name in names.values())
