"""Evidence as Excel workbooks: a generated workbook filled in cell by cell
(as a person does in Excel) and scored; a bad value in each kind of cell
named by sheet!cell; workbooks of another edition or with a sheet missing;
the lossless round trip on every sample file; validation and protection."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import tomlkit
from click.testing import Result
from fivestar.cli.common import standalone_config
from fivestar.pipeline import prepare
from fivestar.tomlfile import parse_toml
from fivestar.workbook_reader import read_workbook
from fivestar.workbook_writer import write_workbook
from test_plugins import ReadingClub

Invoke = Callable[..., Result]
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SAMPLE_FILES = sorted((EXAMPLES / "shaoxing-2020" / "orgs").glob("*.*")) + sorted(
    (EXAMPLES / "shaoxing-2019" / "orgs").glob("*.*")
)


def item_row(sheet: Any, item_id: str) -> int:
    """The row of an item, found the way a person finds it: by its 编号."""
    for (cell,) in sheet.iter_rows(min_col=1, max_col=1):
        if cell.value == item_id:
            return cell.row
    raise AssertionError(f"no row for {item_id} in {sheet.title}")


def key_row(sheet: Any, key: str) -> int:
    return item_row(sheet, key)


@pytest.fixture
def blank(invoke: Invoke, tmp_path: Path) -> Path:
    target = tmp_path / "orgs" / "test.xlsx"
    result = invoke("template", "--format", "xlsx", "--output", target)
    assert result.exit_code == 0, result.output
    return target


def fill_in(path: Path) -> None:
    """What a department's staff type into the workbook."""
    book = openpyxl.load_workbook(path)
    cover = book["封面"]
    cover["B3"] = "sx-test"
    cover["B4"] = "中共绍兴市测试局机关委员会"
    learning = book["学习星"]
    learning[f"E{item_row(learning, 'learning.political_priority')}"] = "是"
    learning[f"E{item_row(learning, 'learning.initial_mission_system')}"] = "否"
    conveyed = item_row(learning, "learning.conveyed")
    learning[f"E{conveyed}"] = 2
    learning[f"H{conveyed}"] = 1
    learning[f"N{conveyed}"] = "党委会议纪要〔2020〕3号"
    service = book["服务星"]
    service[f"E{item_row(service, 'service.top_ten_brand')}"] = "入选"
    commendations = book["表彰"]
    commendations["B4"] = "“红色财税”党建品牌"
    commendations["C4"] = "省委"
    commendations["D4"] = dt.date(2020, 6, 18)
    commendations["E4"] = "浙委〔2020〕8号"
    unit = book["单位书记清单"]
    unit[f"D{key_row(unit, 'holder')}"] = "钱志刚"
    unit[f"D{key_row(unit, 'signed')}"] = "是"
    unit[f"D{key_row(unit, 'submitted')}"] = dt.date(2020, 3, 25)
    unit[f"D{key_row(unit, 'personal_items[0]')}"] = "推动“党建+业务”特色工作"
    unit[f"D{key_row(unit, 'obligations.reports_heard')}"] = 2
    book.save(path)


SAME_AS_TOML = """
[organisation]
id = "sx-test"
name = "中共绍兴市测试局机关委员会"

[learning]
political_priority = true
initial_mission_system = false
halfyear_reports = 2
unimplemented = 1

[service]
top_ten_brand = "selected"

[bonus]
recognitions = []

[[bonus.commendations]]
project = "“红色财税”党建品牌"
level = "provincial"
date = 2020-06-18
document = "浙委〔2020〕8号"

[materials]
"learning.conveyed" = "党委会议纪要〔2020〕3号"

[[duty_lists]]
level = "unit_secretary"
holder = "钱志刚"
signed = true
submitted = 2020-03-25
personal_items = ["推动“党建+业务”特色工作"]
[duty_lists.obligations]
reports_heard = 2
"""


def run_json(invoke: Invoke, *args: object) -> dict[str, Any]:
    result = invoke("run", *args, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def organisation_of(document: dict[str, Any]) -> dict[str, Any]:
    (entry,) = [entry for entry in document["organisations"] if entry["id"] == "sx-test"]
    return entry


def test_a_workbook_filled_in_cell_by_cell_scores_as_the_same_toml(
    invoke: Invoke, blank: Path, tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    fill_in(blank)
    config = write_config(assessment={"organisations": ["orgs/*.xlsx"]})
    from_workbook = organisation_of(run_json(invoke, config))

    toml_dir = tmp_path / "as-toml"
    (toml_dir / "orgs").mkdir(parents=True)
    (toml_dir / "orgs" / "test.toml").write_text(SAME_AS_TOML, encoding="utf-8")
    shutil.copy(config, toml_dir / "config.toml")
    text = (toml_dir / "config.toml").read_text(encoding="utf-8").replace("orgs/*.xlsx", "orgs/*.toml")
    (toml_dir / "config.toml").write_text(text, encoding="utf-8")
    from_toml = organisation_of(run_json(invoke, toml_dir / "config.toml"))

    assert from_workbook["status"] == "scored"
    assert from_workbook["sections"] == from_toml["sections"]
    assert from_workbook["total"] == from_toml["total"]
    items = from_workbook["sections"]["learning"]["items"]
    assert items["learning.political_priority"]["points"] == 1
    assert items["learning.initial_mission_system"]["points"] == 0
    assert items["learning.conveyed"]["facts"] == {"halfyear_reports": 2, "unimplemented": 1}
    assert from_workbook["sections"]["bonus"]["items"]["bonus.commendations"]["points"] == 2
    assert from_workbook["sections"]["service"]["items"]["service.top_ten_brand"]["points"] == 2
    assert from_workbook["duty_lists"][0]["holder"] == "钱志刚"


BAD_CELLS = [
    ("学习星", "learning.political_priority", "E", "可能", "true or false", '"可能"'),
    ("学习星", "learning.thought_analyses", "E", "两次", "a whole number 0..100", '"两次"'),
    ("学习星", "learning.conveyed", "E", 3, "a whole number 0..2", "3"),
    ("服务星", "service.top_ten_brand", "E", "优秀", 'one of "none", "participated", "selected"', '"优秀"'),
    ("单位书记清单", "submitted", "D", "三月底", "a date such as 2020-06-30", '"三月底"'),
    ("单位书记清单", "obligations.inspections", "D", 1.5, "a whole number 0..1000000", "1.5"),
]


@pytest.mark.parametrize(("sheet_name", "key", "column", "value", "expected", "found"), BAD_CELLS)
def test_a_bad_value_in_each_kind_of_cell_is_named_by_sheet_and_cell(
    invoke: Invoke, blank: Path, sheet_name: str, key: str, column: str, value: object, expected: str, found: str
) -> None:
    fill_in(blank)
    book = openpyxl.load_workbook(blank)
    sheet = book[sheet_name]
    cell = f"{column}{item_row(sheet, key)}"
    sheet[cell] = value
    if sheet_name == "单位书记清单":
        sheet[f"D{item_row(sheet, 'holder')}"] = "钱志刚"
    book.save(blank)
    result = invoke("validate", blank)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    errors = [line for line in result.stdout.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {blank}: {sheet_name}!{cell}: expected {expected}, found {found}"]


def test_a_bad_record_field_is_named_by_its_cell(invoke: Invoke, blank: Path) -> None:
    fill_in(blank)
    book = openpyxl.load_workbook(blank)
    book["表彰"]["C4"] = "省级"
    book.save(blank)
    result = invoke("validate", blank)
    assert result.exit_code == 1
    assert f'{blank}: 表彰!C4: expected one of "central", "provincial", "municipal", found "省级"' in result.stdout


def test_a_workbook_of_another_edition_is_refused_naming_the_cell(invoke: Invoke, blank: Path) -> None:
    book = openpyxl.load_workbook(blank)
    book["封面"]["B10"] = "shaoxing-2019"
    book.save(blank)
    result = invoke("validate", blank)
    assert result.exit_code == 1
    assert f"{blank}: 封面!B10: a workbook of another edition" in result.stdout
    assert 'found "shaoxing-2019"' in result.stdout


def test_a_filled_in_row_of_an_item_this_run_does_not_have_is_an_error(invoke: Invoke, blank: Path) -> None:
    book = openpyxl.load_workbook(blank)
    book["学习星"]["A4"] = "learning.something_else"
    book["学习星"]["E4"] = "是"
    book.save(blank)
    result = invoke("validate", blank)
    assert result.exit_code == 1
    assert f"{blank}: 学习星!A4: a filled-in row this run does not read (expected an item of this run" in result.stdout
    assert 'found "learning.something_else"' in result.stdout


def test_a_workbook_made_before_a_plugin_added_an_item_still_reads(blank: Path) -> None:
    _pm, context = prepare(standalone_config(2020, "shaoxing-2020"), plugins=[ReadingClub()])
    evidence = read_workbook(blank.read_bytes(), str(blank), context.registry)
    assert evidence.problems == []
    assert "reading_sessions" not in evidence.raw.get("learning", {})


def test_a_missing_sheet_is_an_error_naming_it(invoke: Invoke, blank: Path) -> None:
    book = openpyxl.load_workbook(blank)
    book.security.lockStructure = False
    del book["学习星"]
    book.save(blank)
    result = invoke("validate", blank)
    assert result.exit_code == 1
    assert f"{blank}: 学习星: sheet 学习星 is missing" in result.stdout
    assert "Traceback" not in result.output


def test_a_file_that_is_no_workbook_is_an_error_not_a_traceback(invoke: Invoke, tmp_path: Path) -> None:
    fake = tmp_path / "finance.xlsx"
    fake.write_text("not a zip", encoding="utf-8")
    result = invoke("validate", fake)
    assert result.exit_code == 1
    assert f"error: {fake}: expected an Excel workbook (.xlsx)" in result.stdout
    assert "Traceback" not in result.output


def test_one_broken_workbook_does_not_stop_the_cohort(
    invoke: Invoke, blank: Path, tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    fill_in(blank)
    (tmp_path / "orgs" / "broken.xlsx").write_bytes(b"PK\x03\x04 truncated")
    document = run_json(invoke, write_config(assessment={"organisations": ["orgs/*.xlsx"]}))
    statuses = {entry["file"].rsplit("/", 1)[1]: entry["status"] for entry in document["organisations"]}
    assert statuses == {"broken.xlsx": "failed", "test.xlsx": "scored"}


def test_every_input_cell_is_unlocked_validated_and_nothing_else_is_unlocked(blank: Path) -> None:
    book = openpyxl.load_workbook(blank)
    assert book.security.lockStructure
    inputs = 0
    for sheet in book.worksheets:
        assert sheet.protection.sheet, sheet.title
        validated = set()
        for validation in sheet.data_validations.dataValidation:
            for cell_range in validation.sqref.ranges:
                validated |= {(row, column) for row, column in cell_range.cells}
        for row in sheet.iter_rows():
            for cell in row:
                if not cell.protection.locked:
                    inputs += 1
                    assert (cell.row, cell.column) in validated, f"{sheet.title}!{cell.coordinate} has no validation"
    assert inputs > 100
    learning = book["学习星"]
    kinds = {
        validation.type
        for validation in learning.data_validations.dataValidation
        if any(
            cell == (item_row(learning, "learning.conveyed"), 5) for r in validation.sqref.ranges for cell in r.cells
        )
    }
    assert kinds == {"whole"}
    yes_no = [v for v in learning.data_validations.dataValidation if v.type == "list"]
    assert any(v.formula1 == '"是,否"' for v in yes_no)
    commendation_levels = [v.formula1 for v in book["表彰"].data_validations.dataValidation if v.type == "list"]
    assert '"中央,省委,市委"' in commendation_levels


def test_office_facts_are_never_an_input(blank: Path) -> None:
    book = openpyxl.load_workbook(blank)
    performance = book["业绩优"]
    row = item_row(performance, "performance.conduct_rating")
    assert performance[f"E{row}"].protection.locked
    assert "由工委填写" in performance[f"D{row}"].value
    assert "晒比" not in book.sheetnames


def test_a_plugin_item_gets_its_row_with_no_extra_code() -> None:
    _pm, context = prepare(standalone_config(2020, "shaoxing-2020"), plugins=[ReadingClub()])
    registry = context.registry
    content = write_workbook(registry, 2020, {"organisation": {"id": "x", "name": "测试"}})
    book = openpyxl.load_workbook(__import__("io").BytesIO(content))
    row = item_row(book["学习星"], "learning.reading_club")
    book["学习星"][f"E{row}"] = 2
    buffer = __import__("io").BytesIO()
    book.save(buffer)
    evidence = read_workbook(buffer.getvalue(), "club.xlsx", registry)
    assert evidence.problems == []
    assert evidence.raw["learning"] == {"reading_sessions": 2}
    assert evidence.cells["learning.reading_sessions"] == f"学习星!E{row}"


# --------------------------------------------------------------------------
# convert, both ways, on every sample file
# --------------------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda path: f"{path.parent.parent.name}/{path.name}")
def test_convert_round_trip_keeps_every_fact(invoke: Invoke, tmp_path: Path, sample: Path) -> None:
    year = sample.parent.parent.name.rsplit("-", 1)[1]
    other = "toml" if sample.suffix == ".xlsx" else "xlsx"
    config = ("--config", sample.parent.parent / "config.toml")
    there = invoke("convert", sample, "--to", other, "--output-dir", tmp_path / "there", *config)
    assert there.exit_code == 0, there.output
    back = invoke(
        "convert",
        tmp_path / "there" / f"{sample.stem}.{other}",
        "--to",
        sample.suffix[1:],
        "--output-dir",
        tmp_path / "back",
        *config,
    )
    assert back.exit_code == 0, back.output
    assert year in ("2019", "2020")
    _pm, context = prepare(standalone_config(int(year), "shaoxing-2020"))

    def evidence(path: Path) -> dict[str, Any]:
        if path.suffix == ".xlsx":
            read = read_workbook(path.read_bytes(), str(path), context.registry)
            assert read.problems == []
            return read.raw
        return parse_toml(path.read_bytes())

    assert evidence(tmp_path / "back" / sample.name) == evidence(sample)
    assert evidence(tmp_path / "there" / f"{sample.stem}.{other}") == evidence(sample)


def converted_cohort(invoke: Invoke, source: Path, target: Path, to: str) -> None:
    """A copy of a cohort's folder with every evidence file in one format."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("orgs"))
    (target / "orgs").mkdir()
    for path in sorted((source / "orgs").glob("*.*")):
        if path.suffix == f".{to}":
            shutil.copy(path, target / "orgs" / path.name)
            continue
        result = invoke(
            "convert", path, "--to", to, "--output-dir", target / "orgs", "--config", source / "config.toml"
        )
        assert result.exit_code == 0, result.output
    config = tomlkit.parse((target / "config.toml").read_text(encoding="utf-8"))
    config["assessment"]["organisations"] = [f"orgs/*.{to}"]
    (target / "config.toml").write_text(tomlkit.dumps(config), encoding="utf-8")


def run_in(invoke: Invoke, folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(folder)
    result = invoke("run", "config.toml", "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def without_hashes(text: str) -> str:
    """The document but for what names places in the files themselves: their
    hashes, and the lines problems are on (a rewritten file lays them out anew)."""
    document = json.loads(text)
    for entry in document["organisations"]:
        assert entry["provenance"]["evidence_sha256"]
        entry["provenance"]["evidence_sha256"] = ""
        for problem in entry["errors"] + entry["warnings"]:
            line = problem.pop("line", None)
            problem["message"] = problem["message"].replace(f"{problem['file']}:{line}:", f"{problem['file']}:")
    return json.dumps(document, ensure_ascii=False)


def test_the_converted_sample_cohort_gives_a_byte_identical_json_result(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sample cohort as TOML, converted to workbooks and back: the JSON
    result is the same bytes but for the evidence files' own hashes (another
    file has another hash); the workbooks themselves score the same. The
    sample is scored from a copy: a history store the user saved next to
    examples/ (README: run 2019 and 2020 with --save) is not the copies' store."""
    source = EXAMPLES / "shaoxing-2020"
    converted_cohort(invoke, source, tmp_path / "toml", "toml")
    converted_cohort(invoke, tmp_path / "toml", tmp_path / "xlsx", "xlsx")
    converted_cohort(invoke, tmp_path / "xlsx", tmp_path / "back", "toml")
    as_toml = run_in(invoke, tmp_path / "toml", monkeypatch)
    round_trip = run_in(invoke, tmp_path / "back", monkeypatch)
    assert as_toml != round_trip, "the hashes of the rewritten files differ"
    assert without_hashes(as_toml) == without_hashes(round_trip)

    def scores(text: str) -> dict[str, Any]:
        return {entry["id"]: (entry["total"], entry.get("rank")) for entry in json.loads(text)["organisations"]}

    workbooks = run_in(invoke, tmp_path / "xlsx", monkeypatch)
    assert scores(workbooks) == scores(as_toml)
    copied = tmp_path / "source"
    shutil.copytree(source, copied, ignore=shutil.ignore_patterns("*.sqlite3"))
    assert scores(run_in(invoke, copied, monkeypatch)) == scores(as_toml)
    assert len(scores(as_toml)) == 12


def test_converting_never_overwrites_without_force(invoke: Invoke, tmp_path: Path) -> None:
    sample = EXAMPLES / "shaoxing-2020" / "orgs" / "civil-affairs.toml"
    assert invoke("convert", sample, "--to", "xlsx", "--output-dir", tmp_path).exit_code == 0
    again = invoke("convert", sample, "--to", "xlsx", "--output-dir", tmp_path)
    assert again.exit_code == 2
    assert "--force" in again.output


def test_last_years_workbook_filed_again_is_a_warning_on_its_cover(invoke: Invoke, blank: Path) -> None:
    fill_in(blank)
    book = openpyxl.load_workbook(blank)
    book["封面"]["B5"] = 2019
    book.save(blank)
    result = invoke("validate", blank)
    assert result.exit_code == 0, result.output
    assert f"warning: {blank}: 封面!B5: the evidence says it is for 2019, this run is 2020: last year's file?" in (
        result.stdout
    )
