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
from fivestar.report.terminal import POINTS_WIDTH, TITLE_WIDTH
from fivestar.report.view import display_width
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


def cut(line: str, start: int, end: int | None = None) -> str:
    """The characters of a line between two display columns (CJK count two)."""
    column, kept = 0, []
    for char in line:
        if column >= start and (end is None or column < end):
            kept.append(char)
        column += display_width(char)
    return "".join(kept).strip()


def item_rows(text: str) -> list[tuple[str, str, str]]:
    """Every item of a scorecard as (title, points/max, basis), its wrapped
    lines joined: a row starts where the points column is filled."""
    title_end = 2 + TITLE_WIDTH
    points_end = title_end + 2 + POINTS_WIDTH
    rows: list[list[str]] = []
    inside = False
    for line in text.splitlines():
        if line.startswith("  ---"):
            inside = True
            continue
        if not line.startswith("  ") or not inside:
            inside = inside and line.startswith("  ")
            continue
        title, points, basis = cut(line, 2, title_end), cut(line, title_end, points_end), cut(line, points_end)
        if points:
            rows.append([title, points, basis])
        else:
            rows[-1][0] += title
            rows[-1][2] += ("" if rows[-1][2][-1:] in "（(" or not basis else " ") + basis
    return [(title, points, basis) for title, points, basis in rows]


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
    assert max(display_width(line) for line in text.splitlines()) <= 100
    rows = iter(item_rows(text))
    shown = {}
    for section in document["sections"].values():
        assert f"{section['title']}  {fmt(section['score'])} / {fmt(section['max'])}" in text
        for item_id, line in section["items"].items():
            title, points, basis = next(rows)
            maximum = "—" if line["max"] is None else fmt(line["max"])
            assert title.replace(" ", "") == line["title"].replace(" ", "")
            assert points == f"{fmt(line['points'])}/{maximum}"
            shown[item_id] = basis
    assert next(rows, None) is None
    assert len(shown) > 60
    assert shown["learning.conveyed"] == "1.5×2（半年报送次数） − 0.2×1（未落实项数） = 2.8"
    assert shown["learning.talks_visits"] == "六必谈六必访 = 是 → 1"
    assert shown["bonus.new_sites"].startswith("1×2（新建党员驿站） + 1×0（新建党建示范点）")
    assert "学习星  24.8 / 25" in text


def test_scorecard_summary_total_stars_awards_and_withheld(
    document_of: DocumentOf, scorecard: Scorecard, cohort: Path
) -> None:
    document = document_of(cohort, "a")
    text = scorecard(cohort, "a")

    lines = text.splitlines()
    total = next(line for line in lines if line.startswith("总分:"))
    assert total.split()[1] == fmt(document["total"])
    assert lines[lines.index(total) + 1] == "星级: 学习星   荣誉: 业绩优"
    withheld = document["awards"]["withheld"]
    assert set(withheld) == {"norms", "service", "democracy", "innovation"}
    assert "未获评原因:" in text
    for key in withheld:
        section = document["sections"][key]
        needed = fmt(Decimal("0.8") * section["max"])
        assert f"  {section['title']}：得分 {fmt(section['score'])}，低于 {needed}\n" in text
    assert "  规范星：得分 0，低于 20\n" in text
    assert "重扣" not in text


def test_scorecard_shows_heavy_deductions(document_of: DocumentOf, scorecard: Scorecard, cohort: Path) -> None:
    document = document_of(cohort, "h")
    text = scorecard(cohort, "h")

    lines = text.splitlines()
    assert lines[lines.index("重扣分项") + 1] == "  −7  有党务干部专职不专业现象（工委认定）"
    summary = next(line for line in lines if line.startswith("总分:"))
    assert summary.split()[1] == fmt(document["total"])
    assert document["total"] == document_of(cohort, "a")["total"] - 7 - 2
    assert f"  学习星：有重扣分项：有党务干部专职不专业现象（{HEAVY_ID}）\n" in text
    assert lines[lines.index(summary) + 1].startswith("星级: 无")


def test_scorecard_in_english(scorecard: Scorecard, titles: Titles, cohort: Path) -> None:
    text = scorecard(cohort, "a", "--lang", "en")

    for chinese, english in titles.values():
        assert f"\n{english}  " in text
        assert chinese not in text
    assert "Total: " in text and "Stars: Learning" in text
    assert "Withheld:" in text
    assert "  Norms star: scored 0, below 20\n" in text
    assert "总分" not in text and "未获评原因" not in text


def test_scorecard_in_english_names_heavy_items_in_english(scorecard: Scorecard, cohort: Path) -> None:
    english = scorecard(cohort, "h", "--lang", "en")
    chinese = scorecard(cohort, "h")

    assert "  −7  Full-time party staff who are not professional (office review)\n" in english
    assert "有党务干部专职不专业现象" not in english
    assert "  −7  有党务干部专职不专业现象（工委认定）\n" in chinese
    assert "\nHeavy deductions\n" in english


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
    assert lines[1].startswith("文件: ") and lines[1].endswith("bad.toml")
    assert lines[2] == "未通过校验:"
    errors = [line for line in lines[3:] if line.startswith("  ") and not line.startswith("    ")]
    assert len(errors) == 2
    shown = "\n".join(lines[3:])
    assert "target_grade" in shown and '"great"' in shown
    assert "conduct_rating" in shown
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


def test_progress_counted_a_chunk_at_a_time_is_shown_at_each_hundredth_it_passes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A streamed run reports chunks of 250 organisations: of 1,999 (a
    hundredth is 19) no chunk ends on a multiple of 19, yet each is shown."""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    report = cli.progress_reporter(1999)
    assert report is not None
    for stage in ("read", "scored"):
        for done in [*range(250, 1999, 250), 1999]:
            report(stage, done, 1999)
    written = terminal.getvalue()
    assert written.count("\rread ") == written.count("\rscored ") == 8
    assert "\rread 250/1999\r" in written
    assert "\rread 1999/1999\n\rscored 250/1999\r" in written


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_league_table_fits_100_columns_with_names_shortened(
    invoke: Invoke, cohort: Path, write_org: Callable[..., Path], lang: str
) -> None:
    long_name = "中共绍兴市自然资源和规划局与住房和城乡建设局联合机关委员会"
    write_org("long", organisation={"id": "long", "name": long_name}, learning=NEAR_FULL_LEARNING)
    result = invoke("run", cohort, "--lang", lang)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(display_width(line) for line in lines) <= 100
    row = next(line for line in lines if "自然" in line)
    assert long_name not in row and "…" in row
    assert "中共绍兴市" not in row
    card = invoke("run", cohort, "--org", "long", "--lang", lang).stdout
    assert card.splitlines()[0].startswith(long_name)
