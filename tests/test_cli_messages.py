"""What the command line says: did-you-mean, lines, every config problem at
once, each failed organisation once, nothing that changes a score silently,
confirmations, no internal names."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from samples import FULL, LEARNING

Invoke = Callable[..., Result]
ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def errors(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("error:")]


# --------------------------------------------------------------------------
# did you mean
# --------------------------------------------------------------------------


def test_explain_suggests_the_item_meant(invoke: Invoke) -> None:
    result = invoke("explain", "learning.convayed")
    assert result.exit_code == 2
    assert "did you mean learning.conveyed?" in result.stderr


def test_a_misspelt_fact_suggests_the_fact_and_its_table(invoke: Invoke, write_org: Callable[..., Path]) -> None:
    in_place = write_org("a", norms={"regulaton_meeting": True})
    elsewhere = write_org("b", learning={"regulaton_meeting": True})
    result = invoke("validate", in_place, elsewhere)
    assert result.exit_code == 1
    (first, second) = errors(result.stdout)
    assert "[norms] regulaton_meeting: unknown key regulaton_meeting; did you mean regulation_meeting?" in first
    assert "[learning] regulaton_meeting: unknown key regulaton_meeting; did you mean [norms] regulation_meeting?" in (
        second
    )


def test_a_misspelt_review_item_suggests_the_item(
    invoke: Invoke, tmp_path: Path, write_org: Callable[..., Path], write_config: Callable[..., Path]
) -> None:
    write_org("a", learning=LEARNING)
    (tmp_path / "reviews.toml").write_text(
        '[[organisations.a.findings]]\nitem = "learning.talk_visits"\nreason = "x"\n'
        'found_on = 2020-11-18\nfound_by = "x"\n',
        encoding="utf-8",
    )
    result = invoke("run", write_config(office={"reviews": ["reviews.toml"]}))
    assert "did you mean learning.talks_visits?" in result.output
    assert "reviews.toml:2: " in result.output


def test_every_config_problem_at_once_with_suggestions_and_lines(
    invoke: Invoke, tmp_path: Path, write_org: Callable[..., Path]
) -> None:
    """Fixing [rules] must not only then reveal [policy]: the file's own problems and those the plugins find come
    together, each with its line and the name meant."""
    write_org("a")
    config = tmp_path / "config.toml"
    config.write_text(
        '[assessment]\nyear = 2020\nyaer = 2021\norganisations = ["orgs/*.toml"]\n'
        '[rules]\ndisable = ["learning.talk_visits"]\n'
        "[policy]\nstar_treshold = 0.9\n",
        encoding="utf-8",
    )
    result = invoke("run", config)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = errors(result.stderr)
    assert len(lines) == 3
    assert lines[0].startswith(f"error: {config}:3: [assessment] yaer: unknown key yaer; did you mean year?")
    assert lines[1].startswith(
        f"error: {config}:6: [rules] disable: unknown item id learning.talk_visits; did you mean"
    )
    assert "learning.talks_visits?" in lines[1]
    assert lines[2].startswith(f"error: {config}:8: [policy] star_treshold: unknown policy star_treshold; did you mean")


def test_an_unknown_edition_lists_the_known_ones_with_the_other_problems(
    invoke: Invoke, tmp_path: Path, write_org: Callable[..., Path]
) -> None:
    write_org("a")
    config = tmp_path / "config.toml"
    config.write_text(
        '[assessment]\nyear = 2020\nedition = "shaoxing-2021"\norganisations = ["orgs/*.toml"]\n'
        "[policy]\nstar_treshold = 0.9\n",
        encoding="utf-8",
    )
    result = invoke("run", config)
    assert result.exit_code == 2
    edition, policy = errors(result.stderr)
    assert "[assessment] edition: expected an edition some enabled plugin provides: shaoxing-2020" in edition
    assert '"shaoxing-2021"; did you mean shaoxing-2020?' in edition
    assert "star_treshold" in policy


def test_an_unknown_org_lists_the_valid_ids_and_suggests_one(
    invoke: Invoke, write_org: Callable[..., Path], write_config: Callable[..., Path]
) -> None:
    write_org("finance", learning=LEARNING)
    write_org("health", learning=LEARNING)
    config = write_config()
    nobody = invoke("run", config, "--org", "nobody")
    assert nobody.exit_code == 2
    assert "expected the id of an organisation of the run: finance, health" in nobody.stderr
    assert "did you mean" not in nobody.stderr
    near = invoke("run", config, "--org", "finanse")
    assert 'found "finanse"; did you mean finance?' in near.stderr


def test_history_of_an_unknown_org_names_the_saved_ones_not_the_table(
    invoke: Invoke, write_org: Callable[..., Path], write_config: Callable[..., Path]
) -> None:
    write_org("finance", learning=LEARNING)
    config = write_config()
    assert invoke("run", config, "--save").exit_code == 0
    result = invoke("history", "finanse", "--config", config)
    assert result.exit_code == 2
    assert "[results]" not in result.stderr and "org_id" not in result.stderr
    assert "an organisation with saved results in" in result.stderr
    assert "finance" in result.stderr and "did you mean finance?" in result.stderr


# --------------------------------------------------------------------------
# confusion
# --------------------------------------------------------------------------


def test_an_evidence_file_given_to_run_is_one_clear_line(invoke: Invoke, write_org: Callable[..., Path]) -> None:
    path = write_org("a", learning=LEARNING)
    result = invoke("run", path)
    assert result.exit_code == 2
    (line,) = [line for line in result.stderr.splitlines() if line.strip()]
    assert line.startswith(f"error: {path}: this is an evidence file, not a run config: check it with `assess validate")


def test_an_evidence_workbook_given_to_run_is_one_clear_line(invoke: Invoke) -> None:
    workbook = EXAMPLES / "shaoxing-2020" / "orgs" / "finance.xlsx"
    result = invoke("run", workbook)
    assert result.exit_code == 2
    (line,) = [line for line in result.stderr.splitlines() if line.strip()]
    assert "this is an evidence workbook, not a run config: check it with `assess validate FILE`" in line


def test_a_failed_organisation_appears_once_in_a_summary_at_the_end(
    invoke: Invoke, write_org: Callable[..., Path], write_config: Callable[..., Path]
) -> None:
    write_org("good", learning=LEARNING)
    write_org("bad", learning={"halfyear_reports": "two", "thought_analyses": -1})
    result = invoke("run", write_config(), "--format", "json")
    assert result.exit_code == 1
    stderr = result.stderr.splitlines()
    assert sum("bad" in line for line in stderr if "orgs/bad.toml" in line and "个错误" in line) == 1
    assert stderr[0] == "1 个党组织未通过校验，未计分："
    assert stderr[1].startswith("  bad (") and stderr[1].endswith("orgs/bad.toml)：2 个错误")
    assert "halfyear_reports" in stderr[2]
    assert len([line for line in stderr if "bad" in line]) == 2


def test_paths_are_shown_clean(invoke: Invoke, tmp_path: Path, write_org: Callable[..., Path]) -> None:
    """`[store] path = "../history.sqlite3"` is shown as the file it is, not as `cohort/../history.sqlite3`."""
    write_org("a", learning=LEARNING)
    (tmp_path / "cohort").mkdir()
    config = tmp_path / "cohort" / "config.toml"
    config.write_text(
        '[assessment]\nyear = 2020\norganisations = ["../orgs/*.toml"]\n[store]\npath = "../history.sqlite3"\n',
        encoding="utf-8",
    )
    saved = invoke("run", config, "--save", "--format", "json")
    assert saved.exit_code == 0, saved.output
    assert "/../" not in saved.stderr
    assert f"{(tmp_path / 'history.sqlite3').resolve()}" in saved.stderr
    document = json.loads(saved.stdout)
    assert "/../" not in document["facts"]["supplied"]["history store"]["file"]


# --------------------------------------------------------------------------
# nothing changes a score silently
# --------------------------------------------------------------------------


def copy_examples(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / "shaoxing-2019", tmp_path / "shaoxing-2019")
    shutil.copytree(EXAMPLES / "shaoxing-2020", tmp_path / "shaoxing-2020")
    return tmp_path


def test_the_footer_and_the_json_say_what_the_history_store_gave(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same command scores differently whether last year is in the store or not: the output says which."""
    monkeypatch.chdir(copy_examples(tmp_path))
    config = Path("shaoxing-2020/config.toml")

    before = invoke("run", config)
    assert "历史库 history.sqlite3：未提供事实" in before.stdout
    before_json = json.loads(invoke("run", config, "--format", "json").stdout)
    assert before_json["facts"]["supplied"]["history store"] == {"file": "history.sqlite3", "facts": 0}
    missing_before = before_json["facts"]["missing"]
    assert f"缺失事实：{missing_before} 项未填报，按 0（否、无）计分" in before.stdout

    assert invoke("run", "shaoxing-2019/config.toml", "--save").exit_code == 0
    after = invoke("run", config)
    after_json = json.loads(invoke("run", config, "--format", "json").stdout)
    supplied = after_json["facts"]["supplied"]["history store"]["facts"]
    assert supplied > 0
    assert f"历史库 history.sqlite3：提供了 {supplied} 项事实" in after.stdout
    assert after_json["facts"]["missing"] < missing_before
    records = before_json["facts"]["supplied"]["office records"]
    assert records["file"].startswith("shaoxing-2020/records/") and records["facts"] > 0
    assert f"工委记录 shaoxing-2020/records 下 3 个文件：提供了 {records['facts']} 项事实" in before.stdout
    assert "History store history.sqlite3: supplied" in invoke("run", config, "--lang", "en").stdout


def test_missing_facts_are_counted_by_organisation(
    invoke: Invoke, write_org: Callable[..., Path], write_config: Callable[..., Path]
) -> None:
    write_org("full", **FULL)
    write_org("gaps", **{**FULL, "learning": {key: value for key, value in LEARNING.items() if key != "unimplemented"}})
    config = write_config()
    document = json.loads(invoke("run", config, "--format", "json").stdout)
    by_org = document["facts"]["missing_by_organisation"]
    assert by_org["gaps"][0] == "learning.unimplemented"
    assert len(by_org["gaps"]) == len(by_org["full"]) + 1
    assert document["facts"]["missing"] == len(by_org["gaps"]) + len(by_org["full"])

    scorecard = invoke("run", config, "--org", "gaps").stdout
    assert f"缺失事实：{len(by_org['gaps'])} 项未填报" in scorecard

    validated = json.loads(invoke("validate", "--config", config, "--format", "json").stdout)
    assert {entry["id"]: entry["missing_facts"] for entry in validated["organisations"]} == by_org
    text = invoke("validate", "--config", config).stdout
    assert f"({document['facts']['missing']} missing fact(s) scored as 0 or absent)" in text


# --------------------------------------------------------------------------
# confirmations
# --------------------------------------------------------------------------


def test_save_and_template_confirm_on_stderr(
    invoke: Invoke, tmp_path: Path, write_org: Callable[..., Path], write_config: Callable[..., Path]
) -> None:
    write_org("a", learning=LEARNING)
    config = write_config()
    saved = invoke("run", config, "--save", "--format", "json")
    assert saved.exit_code == 0
    assert "已保存 2020 年 1 个党组织的结果到历史库" in saved.stderr
    assert saved.stderr.count("\n") == 1
    quiet = invoke("run", config, "--save", "--replace", "-q", "--format", "json")
    assert quiet.exit_code == 0 and quiet.stderr == ""

    target = tmp_path / "new.toml"
    template = invoke("template", "--output", target)
    assert template.exit_code == 0
    assert template.stderr == f"已写入 模板：{target}\n"
    assert invoke("template", "--output", tmp_path / "other.toml", "-q").stderr == ""


def test_the_benchmark_script_explains_itself() -> None:
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("usage: python benchmarks/bench.py")
    assert "Traceback" not in completed.stderr
