"""The department's side: the Chinese TOML template and its commented
examples, `assess template --check`, GBK files, one template per
organisation, and a new year in one command (`assess init`, then `run`)."""

from __future__ import annotations

import json
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path

import openpyxl
from click.testing import Result
from test_workbook import item_row

Invoke = Callable[..., Result]
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def uncomment_block(text: str, header: str, fill: str) -> str:
    """Uncomment the example that starts at ``# header`` (up to the next
    blank line) and replace its empty texts with ``fill``."""
    lines = text.splitlines()
    start = (
        lines.index(f"# {header}")
        if f"# {header}" in lines
        else next(index for index, line in enumerate(lines) if line.startswith(f"# {header}  #"))
    )
    end = start
    while end < len(lines) and lines[end].startswith("# "):
        lines[end] = lines[end][2:].replace('""', f'"{fill}"')
        end += 1
    return "\n".join(lines) + "\n"


def test_the_toml_template_speaks_chinese_and_lists_the_allowed_values(invoke: Invoke) -> None:
    result = invoke("template")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert '# level = "central"  # 级别：中央 central / 省委 provincial / 市委 municipal' in text
    assert "halfyear_reports = 0 # 每半年报送开展情况的次数（0–2）：整数，0–2" in text
    assert "# learning.conveyed（3 分）确保上级决策部署传达贯彻到每名党员" in text
    assert "political_priority = false # 突出党的政治建设" in text
    assert "a whole number" not in text
    english = invoke("template", "--lang", "en").stdout
    assert "Evidence for the 2020" in english
    assert "halfyear_reports = 0 # half-yearly reports filed (0..2): a whole number 0..2" in english
    assert "填写" not in english


def test_record_and_duty_list_examples_work_when_uncommented(invoke: Invoke, tmp_path: Path) -> None:
    """Appending [[bonus.commendations]] used to fail ("Cannot mutate
    immutable namespace") because the template wrote commendations = []."""
    text = invoke("template").stdout
    text = text.replace('name = ""', 'name = "中共绍兴市测试局机关委员会"')
    text = uncomment_block(text, "[[bonus.commendations]]", "测试项目")
    text = uncomment_block(text, "[[bonus.recognitions]]", "测试经验")
    text = uncomment_block(text, "[[duty_lists]]", "测试")
    document = tomllib.loads(text)
    assert document["bonus"]["commendations"] == [
        {
            "project": "测试项目",
            "level": "central",
            "date": document["bonus"]["commendations"][0]["date"],
            "document": "测试项目",
        }
    ]
    assert document["duty_lists"][0]["level"] == "unit_secretary"
    assert document["duty_lists"][0]["obligations"]["reports_heard"] == 0
    target = tmp_path / "filled.toml"
    target.write_text(text, encoding="utf-8")
    result = invoke("validate", target)
    assert [line for line in result.stdout.splitlines() if line.startswith("error")] == []
    assert result.exit_code == 0, result.output


def test_check_says_what_a_half_filled_file_still_lacks(invoke: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "half.toml"
    text = invoke("template").stdout.replace('name = ""', 'name = "中共绍兴市测试局机关委员会"')
    text = text.replace("halfyear_reports = 0", "halfyear_reports = 3")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("thought_analyses ="))
    target.write_text(text + "\n", encoding="utf-8")
    result = invoke("template", "--check", target)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any(line.startswith("尚未填写") and "[learning] thought_analyses" in line for line in lines)
    assert any(line.startswith("有误") and "halfyear_reports" in line and "found 3" in line for line in lines)
    assert lines[-1].startswith(f"{target}：")

    blank = tmp_path / "blank.xlsx"
    assert invoke("template", "--output", blank).exit_code == 0
    book_check = invoke("template", "--check", blank)
    assert book_check.exit_code == 1
    assert "学习星!E3" in book_check.stdout


def test_a_gbk_file_gets_an_error_that_says_how_to_resave_it(invoke: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "finance.toml"
    text = (EXAMPLES / "shaoxing-2020" / "orgs" / "civil-affairs.toml").read_text(encoding="utf-8")
    target.write_bytes(text.encode("gbk"))
    result = invoke("validate", target)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    (error,) = [line for line in result.stdout.splitlines() if line.startswith("error")]
    assert "not UTF-8 (GBK/GB18030?)" in error
    assert "另存为 → 编码 UTF-8" in error


def test_one_workbook_per_organisation_with_id_and_name(invoke: Invoke, tmp_path: Path) -> None:
    config = EXAMPLES / "shaoxing-2020" / "config.toml"
    result = invoke("template", "--config", config, "--output-dir", tmp_path)
    assert result.exit_code == 0, result.output
    written = sorted(path.name for path in tmp_path.iterdir())
    assert len(written) == 12
    assert "finance.xlsx" in written
    cover = openpyxl.load_workbook(tmp_path / "finance.xlsx")["封面"]
    assert (cover["B3"].value, cover["B4"].value, cover["B5"].value) == (
        "sx-finance",
        "中共绍兴市财政局机关委员会",
        2020,
    )


def test_a_new_year_in_one_command_then_run(invoke: Invoke, tmp_path: Path) -> None:
    last = tmp_path / "2020"
    shutil.copytree(EXAMPLES / "shaoxing-2020", last)
    saved = invoke("run", last / "config.toml", "--save")
    assert saved.exit_code in (0, 1), saved.output
    assert (tmp_path / "history.sqlite3").is_file()

    new = tmp_path / "2021"
    result = invoke("init", new, "--year", "2021", "--from", last / "config.toml")
    assert result.exit_code == 0, result.output
    config = tomllib.loads((new / "config.toml").read_text(encoding="utf-8"))
    assert config["assessment"]["year"] == 2021
    assert config["assessment"]["organisations"] == ["orgs/*.xlsx"]
    assert config["assessment"]["award_year"] is False, "五星双优 is decided every two years"
    assert config["office"] == {
        "records": ["records/*.toml", "records/*.csv", "records/*.xlsx"],
        "reviews": ["reviews/*.toml"],
    }
    assert (new / "records" / "records.toml").is_file() and (new / "reviews" / "reviews.toml").is_file()
    workbooks = sorted((new / "orgs").glob("*.xlsx"))
    assert len(workbooks) == 12
    book = openpyxl.load_workbook(new / "orgs" / "finance.xlsx")
    assert book["封面"]["B5"].value == 2021
    learning = book["学习星"]
    conveyed = item_row(learning, "learning.conveyed")
    assert learning[f"E{conveyed}"].value is None, "this year's inputs start empty"
    assert learning[f"F{conveyed}"].value == 2, "last year's value stands beside the input"

    learning[f"E{conveyed}"] = 1
    book.save(new / "orgs" / "finance.xlsx")
    run = invoke("run", new / "config.toml", "--format", "json")
    assert run.exit_code in (0, 1), run.output
    document = json.loads(run.stdout)
    assert len(document["organisations"]) == 12
    finance = next(entry for entry in document["organisations"] if entry["id"] == "sx-finance")
    assert finance["status"] == "scored"
    assert finance["sections"]["learning"]["items"]["learning.conveyed"]["facts"]["halfyear_reports"] == 1
