"""The terminal scorecard of one organisation (`assess run CONFIG --org ID`)
and the progress line of large cohorts."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from fivestar import cli
from fivestar.numbers import fmt
from samples import NEAR_FULL_LEARNING, PERFORMANCE

HEAVY_ID = "learning.heavy.unprofessional_staff"
Invoke = Callable[..., Result]
DocumentOf = Callable[[Path, str], dict[str, Any]]
Scorecard = Callable[..., str]
Titles = dict[str, tuple[str, str]]


@pytest.fixture
def cohort(write_org: Callable[..., Path], write_config: Callable[..., Path]) -> Path:
    """ "a": full learning (24.8 of 25, the only star at 0.8) and 20 in performance; "h" the same plus a heavy item
    of 7 in learning."""
    write_org("a", learning=NEAR_FULL_LEARNING, performance=PERFORMANCE, bonus={"new_stations": 2})
    write_org("h", learning=NEAR_FULL_LEARNING, performance=PERFORMANCE, review={"heavy": {HEAVY_ID: 7}})
    return write_config()


@pytest.fixture
def document_of(invoke: Invoke) -> DocumentOf:
    """document_of(config, org_id): the organisation's entry in `assess run CONFIG --format json`."""

    def document(config: Path, org_id: str) -> dict[str, Any]:
        result = invoke("run", config, "--format", "json")
        assert result.exit_code == 0, result.output
        return next(
            entry for entry in json.loads(result.stdout, parse_float=Decimal)["organisations"] if entry["id"] == org_id
        )

    return document


@pytest.fixture
def scorecard(invoke: Invoke) -> Scorecard:
    """scorecard(config, org_id, *options, code=0): the text of `assess run CONFIG --org ID`."""

    def text(config: Path, org_id: str, *options: str, code: int = 0) -> str:
        result = invoke("run", config, "--org", org_id, *options)
        assert result.exit_code == code, result.output
        return result.stdout

    return text


def row(text: str, item_id: str) -> str:
    return next(line for line in text.splitlines() if line.split() and line.split()[0] == item_id)


@pytest.fixture
def titles(invoke: Invoke) -> Titles:
    """Section id → (Chinese title, English title), from `assess rules --json`."""
    document = json.loads(invoke("rules", "--json").stdout)
    return {section["id"]: (section["title"], section["title_en"]) for section in document["sections"]}


def test_scorecard_shows_every_item_with_points_max_and_basis(
    document_of: DocumentOf, scorecard: Scorecard, cohort: Path
) -> None:
    document = document_of(cohort, "a")
    text = scorecard(cohort, "a")

    assert text.splitlines()[0].startswith("测试单位a (a)")
    assert "测试单位h" not in text
    count = 0
    for section in document["sections"].values():
        assert f"{section['title']}  {fmt(section['score'])} / {fmt(section['max'])}" in text
        for item_id, line in section["items"].items():
            maximum = "—" if line["max"] is None else fmt(line["max"])
            shown = row(text, item_id)
            assert shown.split()[1] == f"{fmt(line['points'])}/{maximum}"
            assert shown.endswith(line["basis"])
            count += 1
    assert count > 60
    assert row(text, "learning.conveyed").split()[1] == "2.8/3"
    assert "1.5×2 − 0.2×1" in row(text, "learning.conveyed")
    assert row(text, "bonus.new_sites").split()[1] == "2/—"
    assert "学习星  24.8 / 25" in text


def test_scorecard_summary_total_stars_awards_and_withheld(
    document_of: DocumentOf, scorecard: Scorecard, cohort: Path
) -> None:
    document = document_of(cohort, "a")
    text = scorecard(cohort, "a")

    summary = next(line for line in text.splitlines() if line.startswith("总分:"))
    assert summary.split()[1] == fmt(document["total"])
    assert "星级: 学 " in summary
    assert summary.endswith("荣誉: 业绩优")
    withheld = document["awards"]["withheld"]
    assert set(withheld) == {"norms", "service", "democracy", "innovation"}
    assert "未获评原因:" in text
    for key, reason in withheld.items():
        assert f"  {key}: {reason}\n" in text
    assert "  norms: 0 < 20\n" in text
    assert "重扣" not in text


def test_scorecard_shows_heavy_deductions(document_of: DocumentOf, scorecard: Scorecard, cohort: Path) -> None:
    document = document_of(cohort, "h")
    text = scorecard(cohort, "h")

    assert f"  −7  {HEAVY_ID} " in text
    assert "(review)" in text
    lines = text.splitlines()
    assert lines[lines.index("重扣") + 1].startswith(f"  −7  {HEAVY_ID}")
    summary = next(line for line in lines if line.startswith("总分:"))
    assert summary.split()[1] == fmt(document["total"])
    assert document["total"] == document_of(cohort, "a")["total"] - 7 - 2
    assert f"  learning: heavy item {HEAVY_ID}\n" in text
    assert "星级: —" in summary


def test_scorecard_in_english(scorecard: Scorecard, titles: Titles, cohort: Path) -> None:
    text = scorecard(cohort, "a", "--lang", "en")

    for chinese, english in titles.values():
        assert f"\n{english}  " in text
        assert chinese not in text
    assert "Total: " in text and "Stars: Learning" in text
    assert "Withheld:" in text
    assert "总分" not in text and "未获评原因" not in text


def test_scorecard_in_english_names_heavy_items_in_english(scorecard: Scorecard, cohort: Path) -> None:
    english = scorecard(cohort, "h", "--lang", "en")
    chinese = scorecard(cohort, "h")

    assert f"  −7  {HEAVY_ID} Full-time party staff who are not professional (review)\n" in english
    assert "有党务干部专职不专业现象" not in english
    assert f"  −7  {HEAVY_ID} 有党务干部专职不专业现象 (review)\n" in chinese
    assert "\nHeavy\n" in english


def test_scorecard_of_an_unknown_organisation_exits_2(invoke: Invoke, cohort: Path) -> None:
    result = invoke("run", cohort, "--org", "nobody")
    assert result.exit_code == 2
    assert '"nobody"' in result.stderr and "--org" in result.stderr
    assert result.stdout == ""


def test_scorecard_of_a_failed_organisation_shows_its_errors(
    scorecard: Scorecard, cohort: Path, write_org: Callable[..., Path]
) -> None:
    write_org("bad", performance={"target_grade": "great", "conduct_rating": -1})
    text = scorecard(cohort, "bad", code=1)

    lines = text.splitlines()
    assert lines[0].startswith("测试单位bad (bad)")
    assert lines[1] == "未通过校验:"
    errors = lines[2:]
    assert len(errors) == 2
    assert any("target_grade" in line and '"great"' in line for line in errors)
    assert any("conduct_rating" in line for line in errors)
    assert "learning." not in text


def test_scorecard_goes_to_an_output_file(invoke: Invoke, scorecard: Scorecard, cohort: Path, tmp_path: Path) -> None:
    target = tmp_path / "card.txt"
    result = invoke("run", cohort, "--org", "h", "--output", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8") == scorecard(cohort, "h")


# --------------------------------------------------------------------------
# progress on stderr
# --------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("total", [1, cli.PROGRESS_FROM + 1, 100_000])
def test_no_progress_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch, total: int) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert cli.progress_reporter(total) is None


@pytest.mark.parametrize("total", [0, 1, cli.PROGRESS_FROM])
def test_no_progress_for_a_small_cohort(monkeypatch: pytest.MonkeyPatch, total: int) -> None:
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert cli.progress_reporter(total) is None


def test_progress_for_a_large_cohort_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    total = cli.PROGRESS_FROM + 1
    report = cli.progress_reporter(total)
    assert report is not None

    for stage in ("read", "scored"):
        for done in range(1, total + 1):
            report(stage, done, total)
    written = terminal.getvalue()
    assert f"\rread {total}/{total}\n\rscored 3/{total}" in written
    assert written.endswith(f"\rscored {total}/{total}\n")
    assert written.count("\n") == 2
    assert "\rscored 3/301\r" in written
    assert "\rscored 2/301" not in written
