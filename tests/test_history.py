"""The history store and the year-to-year features: `assess run --save`,
last year's results feeding this year's facts, `assess history` and
`assess compare` (docs/config.md, section [store])."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from fivestar import signals
from fivestar.numbers import fmt
from fivestar.report import html_page
from fivestar.store import HistoryStore
from samples import NEAR_FULL_LEARNING, NEAR_FULL_LEARNING_SCORE, toml_literal

STORE = "history.sqlite3"
TABLES = ("runs", "results", "section_scores")
# star_threshold 0: every star is earned, so five_star turns on performance ≥ 18 (and no heavy item) alone.
POLICY: dict[str, Any] = {"star_threshold": 0}

HEAVY_ID = "learning.heavy.unprofessional_staff"
CONDUCT = "performance.conduct_rating"
AWARD = "bonus.previous_award"

Evidence = dict[str, dict[str, Any]]
Season = Callable[..., Path]
TwoYears = tuple[Path, dict[int, dict[str, dict[str, Any]]]]
Invoke = Callable[..., Result]
RunJson = Callable[..., dict[str, dict[str, Any]]]
Saved = Callable[[int, dict[str, Evidence]], dict[str, dict[str, Any]]]


def performance(grade: str, leadership: bool, rating: str | None = None, **more: Any) -> dict[str, Any]:
    table: dict[str, Any] = {"target_grade": grade, "leadership": leadership, **more}
    if rating is not None:
        table["conduct_rating"] = toml_literal(rating)
    return table


# 2019: a earns five_star (20 in performance, rated above the average 85); b does not (13, and a heavy item);
# e is unrated (full 5 by the unrated policy) and earns five_star; c appears in 2019 only.
COHORT_2019: dict[str, Evidence] = {
    "a": {"learning": NEAR_FULL_LEARNING, "performance": performance("excellent", True, "90")},
    "b": {"performance": performance("good", True, "80"), "review": {"heavy": {HEAVY_ID: 7}}},
    "c": {"performance": performance("other", False)},
    "e": {"performance": performance("excellent", True)},
}
# 2020: the average of a, b and e is 82; b (81) is below it, but 1 above its 2019 rating; e falls to 5 in
# performance; d appears in 2020 only.
COHORT_2020: dict[str, Evidence] = {
    "a": {"learning": NEAR_FULL_LEARNING, "performance": performance("excellent", True, "95")},
    "b": {"performance": performance("good", True, "81")},
    "d": {"performance": performance("good", False)},
    "e": {"performance": performance("other", True, "70")},
}


@pytest.fixture
def season(tmp_path: Path, write_org: Callable[..., Path], write_config: Callable[..., Path]) -> Season:
    """season(year, cohort, **store) writes that year's evidence into orgs/
    (replacing the previous year's) and config.toml with the shared store."""

    def write(year: int, cohort: dict[str, Evidence], **store: Any) -> Path:
        for old in [*(tmp_path / "orgs").glob("*.toml"), *(tmp_path / "reviews").glob("*.toml")]:
            old.unlink()
        for org_id, tables in cohort.items():
            write_org(org_id, **tables)
        return write_config(assessment={"year": year}, policy=POLICY, store={"path": STORE, **store})

    return write


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / STORE


@pytest.fixture
def run_json(invoke: Invoke) -> RunJson:
    """run_json(config, *options): `assess run CONFIG --format json`, each organisation's document by id, numbers as
    Decimal."""

    def run(config: Path, *options: str) -> dict[str, dict[str, Any]]:
        result = invoke("run", config, "--format", "json", *options)
        assert result.exit_code == 0, result.output
        return {entry["id"]: entry for entry in json.loads(result.stdout, parse_float=Decimal)["organisations"]}

    return run


@pytest.fixture
def saved(season: Season, run_json: RunJson) -> Saved:
    """saved(year, cohort): that year's run, saved to the store."""

    def save(year: int, cohort: dict[str, Evidence]) -> dict[str, dict[str, Any]]:
        return run_json(season(year, cohort), "--save")

    return save


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the store's tables (none when there is no file)."""
    if not path.exists():
        return {table: [] for table in TABLES}
    connection = sqlite3.connect(path)
    try:
        return {table: sorted(connection.execute(f"SELECT * FROM {table}").fetchall()) for table in TABLES}
    finally:
        connection.close()


def query(path: Path, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql, parameters).fetchall()
    finally:
        connection.close()


def line_of(document: dict[str, Any], item_id: str) -> dict[str, Any]:
    return document["sections"][item_id.split(".", 1)[0]]["items"][item_id]


def warned(document: dict[str, Any], key: str) -> list[str]:
    return [warning["message"] for warning in document["warnings"] if warning["key"] == key]


# --------------------------------------------------------------------------
# run --save
# --------------------------------------------------------------------------


def test_save_records_the_run_as_reported(invoke: Invoke, tmp_path: Path, season: Season, store_path: Path) -> None:
    config = season(2019, COHORT_2019)
    result = invoke("run", config, "--format", "json", "--save")
    assert result.exit_code == 0, result.output
    reported = json.loads(result.stdout)
    exact = {entry["id"]: entry for entry in json.loads(result.stdout, parse_float=Decimal)["organisations"]}
    store = HistoryStore(store_path)

    assert store.years() == [2019]
    run = store.run(2019)
    assert run is not None
    assert run.edition == reported["edition"] == "shaoxing-2020"
    assert set(run.policies) == set(reported["policies"])
    for key, value in reported["policies"].items():
        if isinstance(value, str):
            assert run.policies[key] == value
        else:
            assert Decimal(run.policies[key]) == Decimal(str(value))
    assert Decimal(run.policies["star_threshold"]) == Decimal(0)
    assert run.plugins == reported["organisations"][0]["provenance"]["plugins"]
    assert {"learning", "performance", "bonus"} <= set(run.plugins)
    assert run.engine == reported["organisations"][0]["provenance"]["engine"]
    assert dt.datetime.fromisoformat(run.saved_at).tzinfo is not None

    results = store.results(2019)
    assert set(results) == {"a", "b", "c", "e"}
    for document in reported["organisations"]:
        stored = results[document["id"]]
        figures = exact[document["id"]]
        assert stored.year == 2019
        assert stored.name == document["name"] == f"测试单位{document['id']}"
        assert stored.status == "scored"
        assert stored.document == document
        assert stored.total == figures["total"]
        assert stored.heavy == figures["heavy_total"]
        assert stored.awards == document["awards"]
        assert stored.sections == {key: section["score"] for key, section in figures["sections"].items()}

    sha = dict(query(store_path, "SELECT org_id, evidence_sha256 FROM results WHERE year = 2019"))
    for org_id in results:
        expected = hashlib.sha256((tmp_path / "orgs" / f"{org_id}.toml").read_bytes()).hexdigest()
        assert sha[org_id] == expected == exact[org_id]["provenance"]["evidence_sha256"]

    assert results["a"].awards["five_star"] is True
    assert results["b"].awards["five_star"] is False
    assert results["b"].heavy == Decimal(7)
    assert results["a"].sections["learning"] == NEAR_FULL_LEARNING_SCORE
    assert Decimal(str(line_of(results["a"].document, "learning.conveyed")["points"])) == Decimal("2.8")
    assert Decimal(results["a"].fact("performance", "conduct_rating")) == Decimal(90)
    assert results["c"].fact("performance", "conduct_rating") is None


def test_scores_are_stored_as_exact_decimal_text(saved: Saved, store_path: Path) -> None:
    reported = saved(2019, COHORT_2019)
    plain = re.compile(r"-?\d+(\.\d+)?")

    scores = query(store_path, "SELECT org_id, section, score, typeof(score), max, typeof(max) FROM section_scores")
    assert len(scores) == 4 * len(reported["a"]["sections"])
    for org_id, section, score, kind, maximum, max_kind in scores:
        assert (kind, max_kind) == ("text", "text")
        assert plain.fullmatch(score) and plain.fullmatch(maximum)
        assert Decimal(score) == reported[org_id]["sections"][section]["score"]
        assert Decimal(maximum) == reported[org_id]["sections"][section]["max"]
    learning = {org_id: score for org_id, section, score, *_ in scores if section == "learning"}
    assert learning["a"] == str(NEAR_FULL_LEARNING_SCORE)

    for org_id, total, heavy, kinds in query(
        store_path, "SELECT org_id, total, heavy, typeof(total) || typeof(heavy) FROM results"
    ):
        assert kinds == "texttext"
        assert plain.fullmatch(total) and plain.fullmatch(heavy)
        assert Decimal(total) == reported[org_id]["total"]
        assert Decimal(heavy) == reported[org_id]["heavy_total"]
    assert dict(query(store_path, "SELECT org_id, heavy FROM results"))["b"] == "7"


def test_run_without_save_leaves_no_store(run_json: RunJson, season: Season, store_path: Path) -> None:
    run_json(season(2019, COHORT_2019))
    assert not store_path.exists()


def test_saving_a_year_twice_needs_replace(invoke: Invoke, saved: Saved, season: Season, store_path: Path) -> None:
    first = saved(2019, COHORT_2019)
    before = snapshot(store_path)
    changed = {**COHORT_2019, "a": {**COHORT_2019["a"], "performance": performance("good", True, "90")}}
    config = season(2019, changed)

    again = invoke("run", config, "--save")
    assert again.exit_code == 2
    assert "--replace" in again.stderr and "2019" in again.stderr
    assert again.stdout == ""
    assert snapshot(store_path) == before

    replaced = invoke("run", config, "--save", "--replace", "--format", "json")
    assert replaced.exit_code == 0, replaced.output
    assert query(store_path, "SELECT year FROM runs") == [(2019,)]
    assert query(store_path, "SELECT count(*) FROM results WHERE org_id = 'a'") == [(1,)]
    stored = HistoryStore(store_path).results(2019)["a"]
    assert stored.sections["performance"] == Decimal(18)
    assert stored.total == first["a"]["total"] - 2
    assert stored.document["sections"]["performance"]["items"]["performance.target_grade"]["points"] == 8


def year_rows(path: Path, year: int) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of one year, in the order they were written (the run's without its time of saving)."""
    return {
        "runs": [row[:2] + row[3:] for row in query(path, "SELECT * FROM runs WHERE year = ?", year)],
        "results": query(path, "SELECT * FROM results WHERE year = ? ORDER BY rowid", year),
        "section_scores": query(path, "SELECT * FROM section_scores WHERE year = ? ORDER BY rowid", year),
    }


def test_replacing_a_year_writes_what_a_first_save_writes_and_keeps_the_store_whole(
    invoke: Invoke, saved: Saved, season: Season, store_path: Path
) -> None:
    """The replacing rows are written beside the old ones (under a placeholder
    year) before those are deleted: afterwards the year holds exactly what a
    first save of that year writes, the other year is untouched, and every
    foreign key holds."""
    saved(2019, COHORT_2019)
    shutil.copyfile(store_path, store_path.with_name("first.sqlite3"))
    saved(2020, COHORT_2020)
    kept = year_rows(store_path, 2019)
    replacing = {**COHORT_2019, "a": COHORT_2020["a"]}
    assert set(replacing) != set(COHORT_2020)

    replaced = invoke("run", season(2020, replacing), "--save", "--replace")
    first = invoke("run", season(2020, replacing, path="first.sqlite3"), "--save")

    assert replaced.exit_code == first.exit_code == 0, replaced.output + first.output
    assert year_rows(store_path, 2020) == year_rows(store_path.with_name("first.sqlite3"), 2020)
    assert len(year_rows(store_path, 2020)["results"]) == len(replacing)
    assert year_rows(store_path, 2019) == kept
    assert query(store_path, "SELECT DISTINCT year FROM results ORDER BY year") == [(2019,), (2020,)]
    assert query(store_path, "PRAGMA foreign_key_check") == []
    assert query(store_path, "PRAGMA integrity_check") == [("ok",)]
    assert query(store_path, "PRAGMA freelist_count")[0][0] > 0  # the old rows' pages, for the next save


def test_store_save_true_makes_saving_the_default(run_json: RunJson, season: Season, store_path: Path) -> None:
    config = season(2019, COHORT_2019, save=True)
    run_json(config, "--no-save")
    assert not store_path.exists()

    run_json(config)
    assert HistoryStore(store_path).years() == [2019]
    assert set(HistoryStore(store_path).results(2019)) == {"a", "b", "c", "e"}


def test_store_save_false_with_save_flag_saves(run_json: RunJson, season: Season, store_path: Path) -> None:
    run_json(season(2019, COHORT_2019, save=False), "--save")
    assert HistoryStore(store_path).years() == [2019]


# --------------------------------------------------------------------------
# a save is whole or nothing
# --------------------------------------------------------------------------


def break_after(monkeypatch: pytest.MonkeyPatch, inserts: int, error: BaseException) -> list[str]:
    """Let ``inserts`` organisations be written, then fail on the next one."""
    original = HistoryStore._insert
    written: list[str] = []

    def insert(connection: sqlite3.Connection, result: Any, *rest: Any) -> None:
        if len(written) == inserts:
            raise error
        original(connection, result, *rest)
        written.append(result.fields.org_id)

    monkeypatch.setattr(HistoryStore, "_insert", staticmethod(insert))
    return written


@pytest.mark.parametrize("error", [RuntimeError("the disk went away"), KeyboardInterrupt()], ids=["error", "ctrl-c"])
@pytest.mark.parametrize("history", ["new store", "another year saved", "replacing the year"])
def test_an_interrupted_save_leaves_the_store_as_it_was(
    invoke: Invoke,
    saved: Saved,
    monkeypatch: pytest.MonkeyPatch,
    season: Season,
    store_path: Path,
    history: str,
    error: BaseException,
) -> None:
    if history == "another year saved":
        saved(2018, COHORT_2019)
    elif history == "replacing the year":
        saved(2019, COHORT_2019)
    else:
        assert not store_path.exists()
    before = snapshot(store_path)
    config = season(2019, {**COHORT_2019, "a": {"performance": performance("good", True, "90")}})
    written = break_after(monkeypatch, 2, error)

    result = invoke("run", config, "--save", "--replace")

    assert result.exit_code == (130 if isinstance(error, KeyboardInterrupt) else 1)
    assert len(written) == 2
    assert snapshot(store_path) == before


def test_a_database_error_during_save_is_reported_and_rolled_back(
    invoke: Invoke, saved: Saved, monkeypatch: pytest.MonkeyPatch, season: Season, store_path: Path
) -> None:
    saved(2019, COHORT_2019)
    before = snapshot(store_path)
    config = season(2020, COHORT_2020)
    break_after(monkeypatch, 1, sqlite3.OperationalError("database or disk is full"))

    result = invoke("run", config, "--save")

    assert result.exit_code == 2
    assert "disk is full" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(store_path) == before


def test_a_year_already_saved_is_refused_before_anything_is_scored(
    invoke: Invoke, saved: Saved, season: Season, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved(2019, COHORT_2019)
    scored: list[int] = []
    monkeypatch.setattr("fivestar.cli.scoring.run_cohort", lambda files, *rest, **options: scored.append(len(files)))

    result = invoke("run", season(2019, COHORT_2019), "--save")

    assert result.exit_code == 2
    assert "--replace" in result.stderr
    assert scored == []


def test_a_store_that_cannot_be_written_is_refused_before_anything_is_scored(
    invoke: Invoke, saved: Saved, season: Season, store_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A read-only store (the file's permissions, a read-only mount): SQLite
    opens it for reading only, and a save would fail once everything is
    scored and reported."""
    saved(2019, COHORT_2019)
    before = snapshot(store_path)
    connect = sqlite3.connect

    def read_only(database: Any, *arguments: Any, **options: Any) -> sqlite3.Connection:
        if not options.get("uri"):
            database, options["uri"] = f"{Path(database).resolve().as_uri()}?mode=ro", True
        return connect(database, *arguments, **options)

    scored: list[int] = []
    monkeypatch.setattr(sqlite3, "connect", read_only)
    monkeypatch.setattr("fivestar.cli.scoring.run_cohort", lambda files, *rest, **options: scored.append(len(files)))

    result = invoke("run", season(2020, COHORT_2020), "--save", "--output-dir", tmp_path / "out")

    assert result.exit_code == 2, result.output
    assert "readonly" in result.stderr
    assert scored == []
    assert not (tmp_path / "out").exists()
    monkeypatch.undo()
    assert snapshot(store_path) == before


def stop_in_the_middle(monkeypatch: pytest.MonkeyPatch, report_error: BaseException) -> list[str]:
    """The report fails with ``report_error`` while the save beside it is
    under way: the save writes its first organisation only once the run has
    reacted to the failure (the organisations it wrote are returned)."""
    from fivestar.history import SaveInBackground

    reacted = threading.Event()
    finish = SaveInBackground.finish

    def finish_after_telling(self: SaveInBackground, stop: bool = False) -> int:
        if stop:
            self._stop.set()
        reacted.set()
        return finish(self, stop)

    original = HistoryStore._insert
    written: list[str] = []

    def insert(connection: sqlite3.Connection, row: Any, *rest: Any) -> None:
        assert reacted.wait(10)
        original(connection, row, *rest)
        written.append(row.fields.org_id)

    def failing_report(*arguments: Any, **options: Any) -> None:
        raise report_error

    monkeypatch.setattr(SaveInBackground, "finish", finish_after_telling)
    monkeypatch.setattr(HistoryStore, "_insert", staticmethod(insert))
    monkeypatch.setattr("fivestar.cli.scoring.write_output", failing_report)
    return written


@pytest.mark.parametrize("interruption", [KeyboardInterrupt(), signals.Terminated()], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_run_stops_the_save_written_beside_its_reports(
    invoke: Invoke,
    saved: Saved,
    season: Season,
    store_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    interruption: BaseException,
) -> None:
    saved(2018, COHORT_2019)
    before = snapshot(store_path)
    written = stop_in_the_middle(monkeypatch, interruption)

    result = invoke("run", season(2019, COHORT_2019), "--save")

    assert result.exit_code == (130 if isinstance(interruption, KeyboardInterrupt) else 143)
    assert len(written) <= 1 < len(COHORT_2019)
    assert snapshot(store_path) == before


def test_an_interruption_after_the_save_committed_says_it_was_saved(
    invoke: Invoke, season: Season, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    committed = threading.Event()
    save = HistoryStore.save

    def save_then_tell(self: HistoryStore, *arguments: Any, **options: Any) -> None:
        save(self, *arguments, **options)
        committed.set()

    def interrupted_report(*arguments: Any, **options: Any) -> None:
        assert committed.wait(10)
        raise KeyboardInterrupt

    monkeypatch.setattr(HistoryStore, "save", save_then_tell)
    monkeypatch.setattr("fivestar.cli.scoring.write_output", interrupted_report)

    result = invoke("run", season(2019, COHORT_2019), "--save")

    assert result.exit_code == 130
    assert f"已保存 2019 年 {len(COHORT_2019)} 个党组织的结果到历史库" in result.stderr
    assert HistoryStore(store_path).years() == [2019]


def test_a_report_that_reads_the_store_waits_for_the_save_beside_it(
    invoke: Invoke, saved: Saved, season: Season, store_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A save that holds the store locked (SQLite locks it once a large
    save's pages no longer fit its cache) longer than SQLite's default wait:
    the report's history charts, read meanwhile, wait for it rather than
    being left out."""
    saved(2019, COHORT_2019)
    locked = threading.Event()
    original = HistoryStore._insert

    def insert_and_hold(connection: sqlite3.Connection, row: Any, *rest: Any) -> None:
        if not locked.is_set():
            connection.execute("PRAGMA cache_size = 1")
            original(connection, row, *rest)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                sqlite3.connect(store_path, timeout=0).execute("SELECT count(*) FROM runs").fetchone()
            locked.set()
            time.sleep(6)
            return
        original(connection, row, *rest)

    history_totals = html_page.history_totals

    def read_once_locked(result: Any) -> dict[str, Any]:
        assert locked.wait(10)
        return history_totals(result)

    monkeypatch.setattr(HistoryStore, "_insert", staticmethod(insert_and_hold))
    monkeypatch.setattr(html_page, "history_totals", read_once_locked)
    output = tmp_path / "results.html"

    result = invoke("run", season(2020, COHORT_2020), "--save", "--output", output)

    assert result.exit_code == 0, result.stderr
    assert "history_unreadable" not in result.stderr
    assert "历年总分" in output.read_text(encoding="utf-8")
    assert HistoryStore(store_path).years() == [2019, 2020]


def test_a_report_that_fails_does_not_stop_the_save(
    invoke: Invoke, season: Season, store_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    written = stop_in_the_middle(monkeypatch, OSError("no room for the report"))

    result = invoke("run", season(2019, COHORT_2019), "--save", "--output", tmp_path / "results.txt")

    assert result.exit_code == 2
    assert "no room for the report" in result.stderr
    assert "Traceback" not in result.output
    assert sorted(written) == sorted(COHORT_2019)
    assert HistoryStore(store_path).years() == [2019]


def test_a_file_that_is_not_a_store_is_a_config_error(invoke: Invoke, season: Season, store_path: Path) -> None:
    config = season(2020, COHORT_2020)
    store_path.write_text("not a database, just text " * 100, encoding="utf-8")
    result = invoke("run", config)
    assert result.exit_code == 2
    assert STORE in result.stderr


# --------------------------------------------------------------------------
# last year feeds this year
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("rating", "points"), [("81", "5"), ("80.9", "0")])
def test_conduct_rating_prev_comes_from_last_years_store(
    run_json: RunJson, saved: Saved, season: Season, rating: str, points: str
) -> None:
    saved(2019, COHORT_2019)
    cohort = {**COHORT_2020, "b": {"performance": performance("good", True, rating)}}
    documents = run_json(season(2020, cohort))

    line = line_of(documents["b"], CONDUCT)
    assert line["sources"]["conduct_rating_prev"] == "history store: 2019 conduct_rating"
    assert line["facts"]["conduct_rating_prev"] == Decimal(80)
    assert line["points"] == Decimal(points)
    assert "conduct_rating_prev = 80" in line["basis"]
    assert warned(documents["b"], "conduct_rating_prev") == []


def test_without_a_store_conduct_rating_prev_is_missing(run_json: RunJson, season: Season, store_path: Path) -> None:
    documents = run_json(season(2020, COHORT_2020))
    assert not store_path.exists()

    line = line_of(documents["b"], CONDUCT)
    assert line["sources"]["conduct_rating_prev"] == "default"
    assert line["facts"]["conduct_rating_prev"] is None
    assert line["points"] == Decimal(0)
    assert "conduct_rating_prev absent" in line["basis"]
    assert len(warned(documents["b"], "conduct_rating_prev")) == 1
    assert "missing fact" in warned(documents["b"], "conduct_rating_prev")[0]


def test_without_a_store_file_the_store_is_not_opened_but_named_as_a_supplier(sample_config: Path) -> None:
    """A run with no year saved yet reads nothing of the store and does not
    import it (some 5 ms of a run's start); the store is still named where
    last year's facts would come from."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from fivestar.config import load_config\n"
        "from fivestar.pipeline import prepare\n"
        "from fivestar.pipeline import HISTORY_STORE\n"
        "from fivestar.logs import configure_logging\n"
        "configure_logging(quiet=True)\n"
        f"config = load_config(Path({str(sample_config)!r}))\n"
        "assert config.history and not config.history_path.exists()\n"
        "pm, context = prepare(config)\n"
        "print(context.previous, 'fivestar.store' in sys.modules, context.suppliers[HISTORY_STORE])\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=sample_config.parent
    ).stdout.split()
    assert shown == ["None", "False", "h.sqlite3"]


def test_the_improvement_from_the_store_raises_the_total(
    run_json: RunJson, saved: Saved, season: Season, tmp_path: Path
) -> None:
    alone = run_json(season(2020, COHORT_2020))
    saved(2019, COHORT_2019)
    with_history = run_json(season(2020, COHORT_2020))

    assert line_of(with_history["b"], CONDUCT)["points"] - line_of(alone["b"], CONDUCT)["points"] == 5
    assert with_history["b"]["total"] - alone["b"]["total"] == 5


def test_the_store_wins_over_a_claimed_conduct_rating_prev(run_json: RunJson, saved: Saved, season: Season) -> None:
    """A derived fact outranks the department's claim: the claim differs, so there is a conflict."""
    saved(2019, COHORT_2019)
    cohort = {
        **COHORT_2020,
        "b": {"performance": performance("good", True, "81", conduct_rating_prev=toml_literal("81"))},
    }
    document = run_json(season(2020, cohort))["b"]
    line = line_of(document, CONDUCT)

    assert line["sources"]["conduct_rating_prev"] == "history store: 2019 conduct_rating"
    assert line["facts"]["conduct_rating_prev"] == Decimal(80)
    assert line["points"] == Decimal(5)
    assert document["conflicts"] == [
        {
            "fact": "performance.conduct_rating_prev",
            "claimed": Decimal(81),
            "used": Decimal(80),
            "source": "history store: 2019 conduct_rating",
        }
    ]


def test_an_unrated_last_year_gives_no_conduct_rating_prev(run_json: RunJson, saved: Saved, season: Season) -> None:
    saved(2019, {**COHORT_2019, "b": {"performance": performance("good", True)}})
    documents = run_json(season(2020, COHORT_2020))

    line = line_of(documents["b"], CONDUCT)
    assert line["sources"]["conduct_rating_prev"] == "default"
    assert line["points"] == Decimal(0)


def test_only_the_year_before_feeds_the_run(run_json: RunJson, saved: Saved, season: Season) -> None:
    saved(2018, COHORT_2019)
    documents = run_json(season(2020, COHORT_2020))

    assert line_of(documents["b"], CONDUCT)["sources"]["conduct_rating_prev"] == "default"
    assert line_of(documents["a"], AWARD)["sources"]["previous_award"] == "default"


@pytest.mark.parametrize(("org_id", "awarded", "points"), [("a", "true", "1"), ("b", "false", "0")])
def test_previous_award_comes_from_last_years_five_star(
    run_json: RunJson, saved: Saved, season: Season, org_id: str, awarded: str, points: str
) -> None:
    saved(2019, COHORT_2019)
    documents = run_json(season(2020, COHORT_2020))

    line = line_of(documents[org_id], AWARD)
    assert line["sources"]["previous_award"] == f"history store: 2019 five_star = {awarded}"
    assert line["facts"]["previous_award"] is (awarded == "true")
    assert line["points"] == Decimal(points)
    assert warned(documents[org_id], "previous_award") == []


@pytest.mark.parametrize(("org_id", "claimed", "points"), [("a", False, "1"), ("b", True, "0")])
def test_the_store_wins_over_a_claimed_previous_award(
    run_json: RunJson, saved: Saved, season: Season, org_id: str, claimed: bool, points: str
) -> None:
    """A department cannot raise its score (b) with a previous_award the store contradicts, nor lower it (a)."""
    saved(2019, COHORT_2019)
    cohort = {**COHORT_2020, org_id: {**COHORT_2020[org_id], "bonus": {"previous_award": claimed}}}
    document = run_json(season(2020, cohort))[org_id]
    line = line_of(document, AWARD)

    assert line["sources"]["previous_award"].startswith("history store: 2019 five_star")
    assert line["points"] == Decimal(points)
    (conflict,) = document["conflicts"]
    assert (conflict["fact"], conflict["claimed"], conflict["used"]) == (AWARD, claimed, not claimed)


def test_without_a_store_previous_award_is_missing(run_json: RunJson, season: Season) -> None:
    documents = run_json(season(2020, COHORT_2020))

    line = line_of(documents["a"], AWARD)
    assert line["sources"]["previous_award"] == "default"
    assert line["points"] == Decimal(0)
    assert "missing fact" in warned(documents["a"], "previous_award")[0]


def test_an_organisation_new_this_year_has_no_history(run_json: RunJson, saved: Saved, season: Season) -> None:
    saved(2019, COHORT_2019)
    documents = run_json(season(2020, COHORT_2020))

    assert line_of(documents["d"], AWARD)["sources"]["previous_award"] == "default"
    assert line_of(documents["d"], CONDUCT)["sources"]["conduct_rating_prev"] == "default"


def test_a_failed_organisation_last_year_gives_no_previous_award(
    invoke: Invoke, run_json: RunJson, season: Season, store_path: Path
) -> None:
    broken = {**COHORT_2019, "a": {**COHORT_2019["a"], "bonus": {"new_stations": -1}}}
    result = invoke("run", season(2019, broken), "--save")
    assert result.exit_code == 1
    assert HistoryStore(store_path).results(2019)["a"].status == "failed"

    documents = run_json(season(2020, COHORT_2020))
    assert line_of(documents["a"], AWARD)["sources"]["previous_award"] == "default"


# --------------------------------------------------------------------------
# assess history
# --------------------------------------------------------------------------


@pytest.fixture
def two_years(run_json: RunJson, saved: Saved, season: Season) -> TwoYears:
    """2019 and 2020 saved; the 2020 config and both years' documents."""
    first = saved(2019, COHORT_2019)
    config = season(2020, COHORT_2020)
    return config, {2019: first, 2020: run_json(config, "--save")}


def test_history_json(invoke: Invoke, two_years: TwoYears) -> None:
    config, documents = two_years
    result = invoke("history", "b", "--config", config, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout, parse_float=Decimal)

    assert document["id"] == "b"
    years = document["years"]
    assert [entry["year"] for entry in years] == [2019, 2020]
    before, after = documents[2019]["b"], documents[2020]["b"]
    assert [entry["total"] for entry in years] == [before["total"], after["total"]]
    assert years[0]["change"] is None
    assert years[1]["change"] == after["total"] - before["total"]
    assert years[1]["change"] > 0
    assert [entry["heavy"] for entry in years] == [7, 0]
    assert years[0]["sections"]["performance"] == before["sections"]["performance"]["score"]
    assert "five_star" not in years[0]["awards"]
    assert "learning" not in years[0]["awards"]
    assert "five_star" in years[1]["awards"]
    assert "performance_excellence" in years[1]["awards"]


def test_history_table(invoke: Invoke, two_years: TwoYears) -> None:
    config, documents = two_years
    result = invoke("history", "e", "--config", config)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    change = documents[2020]["e"]["total"] - documents[2019]["e"]["total"]

    assert lines[0] == "测试单位e (e)"
    row_2019 = next(line for line in lines if line.startswith("2019"))
    row_2020 = next(line for line in lines if line.startswith("2020"))
    assert row_2019.split()[1:4] == ["已计分", fmt(documents[2019]["e"]["total"]), "—"]
    assert row_2020.split()[1:4] == ["已计分", fmt(documents[2020]["e"]["total"]), fmt(change)]
    assert change < 0
    assert "五星双优" in row_2019 and "five_star" not in row_2020


def test_history_with_store_path_reads_that_store(invoke: Invoke, two_years: TwoYears, store_path: Path) -> None:
    config, _documents = two_years
    by_config = invoke("history", "a", "--config", config, "--format", "json")
    by_path = invoke("history", "a", "--store", store_path, "--format", "json")
    assert by_path.exit_code == 0, by_path.output
    assert by_path.stdout == by_config.stdout
    assert [entry["year"] for entry in json.loads(by_path.stdout)["years"]] == [2019, 2020]


def test_history_of_an_organisation_of_one_year(invoke: Invoke, two_years: TwoYears) -> None:
    config, documents = two_years
    years = json.loads(invoke("history", "c", "--config", config, "--format", "json").stdout)["years"]
    assert [entry["year"] for entry in years] == [2019]
    assert Decimal(str(years[0]["total"])) == documents[2019]["c"]["total"]
    assert years[0]["change"] is None


def test_history_unknown_organisation_exits_2(invoke: Invoke, two_years: TwoYears) -> None:
    config, _documents = two_years
    result = invoke("history", "nobody", "--config", config)
    assert result.exit_code == 2
    assert '"nobody"' in result.stderr
    assert result.stdout == ""


def test_history_without_a_store_file_exits_2(invoke: Invoke, season: Season, tmp_path: Path) -> None:
    config = season(2020, COHORT_2020)
    result = invoke("history", "a", "--config", config)
    assert result.exit_code == 2
    assert str(tmp_path / STORE) in result.stderr
    assert "no such file" in result.stderr
    assert not (tmp_path / STORE).exists()

    missing = tmp_path / "elsewhere.sqlite3"
    result = invoke("history", "a", "--store", missing)
    assert result.exit_code == 2
    assert str(missing) in result.stderr and "no such file" in result.stderr
    assert not missing.exists()


def test_history_needs_a_config_or_a_store(invoke: Invoke) -> None:
    result = invoke("history", "a")
    assert result.exit_code == 2
    assert "--store" in result.stderr


# --------------------------------------------------------------------------
# assess compare
# --------------------------------------------------------------------------


def test_compare_json(invoke: Invoke, two_years: TwoYears) -> None:
    config, documents = two_years
    result = invoke("compare", "2019", "2020", "--config", config, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout, parse_float=Decimal)
    before, after = documents[2019], documents[2020]

    assert (document["from"], document["to"]) == (2019, 2020)
    moves = document["organisations"]
    # e −14, b +12, a +1 by the size of the change; then c (2019 only) and d (2020 only)
    assert [move["id"] for move in moves] == ["e", "b", "a", "c", "d"]
    both = [move for move in moves if move["change"] is not None]
    sizes = [abs(move["change"]) for move in both]
    assert sizes == sorted(sizes, reverse=True)
    assert len(set(sizes)) == len(sizes)
    for move in both:
        org_id = move["id"]
        assert move["name"] == after[org_id]["name"]
        assert move["total_from"] == before[org_id]["total"]
        assert move["total_to"] == after[org_id]["total"]
        assert move["change"] == after[org_id]["total"] - before[org_id]["total"]
        assert set(move["sections"]) == set(after[org_id]["sections"])
        for section, figures in move["sections"].items():
            old, new = before[org_id]["sections"][section]["score"], after[org_id]["sections"][section]["score"]
            assert (figures["from"], figures["to"], figures["change"]) == (old, new, new - old)
    assert moves[0]["change"] < 0 < moves[1]["change"]
    assert moves[0]["sections"]["performance"]["change"] == Decimal(-15)

    only_2019, only_2020 = moves[3], moves[4]
    assert (only_2019["total_from"], only_2019["total_to"], only_2019["change"]) == (before["c"]["total"], None, None)
    assert (only_2020["total_from"], only_2020["total_to"], only_2020["change"]) == (None, after["d"]["total"], None)
    assert only_2019["sections"]["performance"] == {
        "from": before["c"]["sections"]["performance"]["score"],
        "to": None,
        "change": None,
    }


def test_compare_table(invoke: Invoke, two_years: TwoYears) -> None:
    config, documents = two_years
    result = invoke("compare", "2019", "2020", "--config", config)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    header = lines[0].split()
    assert header[:4] == ["党组织", "2019", "2020", "增减"]
    assert {"学习", "业绩", "加分"} <= set(header)
    assert header[-1] == "重扣（对总分影响）"

    rows = lines[2:]
    assert [row.split()[0] for row in rows] == [f"测试单位{org_id}" for org_id in ("e", "b", "a", "c", "d")]
    for row in rows[:3]:
        org_id = row.split()[0][-1]
        before, after = documents[2019][org_id]["total"], documents[2020][org_id]["total"]
        change = after - before
        assert row.split()[1:4] == [fmt(before), fmt(after), ("+" if change > 0 else "") + fmt(change)]
    assert rows[3].split()[1:4] == [fmt(documents[2019]["c"]["total"]), "—", "—"]
    assert rows[4].split()[1:4] == ["—", fmt(documents[2020]["d"]["total"]), "—"]
    performance_column = header.index("业绩")
    assert rows[0].split()[performance_column] == "-15"


def test_compare_with_store_path(invoke: Invoke, two_years: TwoYears, store_path: Path) -> None:
    config, _documents = two_years
    by_path = invoke("compare", "2019", "2020", "--store", store_path, "--format", "json")
    assert by_path.exit_code == 0, by_path.output
    assert by_path.stdout == invoke("compare", "2019", "2020", "--config", config, "--format", "json").stdout


def test_compare_an_unsaved_year_exits_2(invoke: Invoke, two_years: TwoYears) -> None:
    config, _documents = two_years
    result = invoke("compare", "2019", "2021", "--config", config)
    assert result.exit_code == 2
    assert "2021" in result.stderr
    assert "2019" in result.stderr and "2020" in result.stderr
    assert result.stdout == ""


def test_compare_without_a_store_file_exits_2(invoke: Invoke, season: Season, tmp_path: Path) -> None:
    result = invoke("compare", "2019", "2020", "--config", season(2020, COHORT_2020))
    assert result.exit_code == 2
    assert str(tmp_path / STORE) in result.stderr and "no such file" in result.stderr


def test_a_run_with_a_reused_id_saves_the_scored_one_once(
    invoke: Invoke, tmp_path: Path, season: Season, store_path: Path
) -> None:
    config = season(2020, {"a": {"learning": {"halfyear_reports": 2}}})
    duplicate = tmp_path / "orgs" / "z-copy.toml"
    duplicate.write_text('[organisation]\nid = "a"\nname = "重复单位"\n', encoding="utf-8")

    result = invoke("run", config, "--save", "--format", "json")
    assert result.exit_code == 1, result.output
    rows = query(store_path, "SELECT org_id, status, name FROM results WHERE year = 2020")
    assert rows == [("a", "scored", "测试单位a")]


def test_reading_the_store_never_writes_to_it(invoke: Invoke, season: Season, store_path: Path) -> None:
    config = season(2019, {"a": {}})
    assert invoke("run", config, "--save").exit_code == 0
    before = store_path.read_bytes()
    season(2020, {"a": {}})
    assert invoke("run", config).exit_code == 0
    assert invoke("history", "a", "--config", config).exit_code == 0
    assert store_path.read_bytes() == before


def test_another_database_at_the_store_path_is_refused_and_left_alone(
    invoke: Invoke, season: Season, store_path: Path
) -> None:
    config = season(2020, {"a": {}})
    connection = sqlite3.connect(store_path)
    connection.execute("CREATE TABLE invoices (id INTEGER)")
    connection.commit()
    connection.close()
    before = store_path.read_bytes()

    result = invoke("run", config, "--save")
    assert result.exit_code == 2
    assert "history store" in result.stderr
    assert store_path.read_bytes() == before


def test_replace_without_save_is_a_usage_error(invoke: Invoke, season: Season) -> None:
    result = invoke("run", season(2020, {"a": {}}), "--replace")
    assert result.exit_code == 2
    assert "--replace goes with --save" in result.output


@pytest.mark.parametrize(
    ("command", "content", "found"),
    [
        (("history", "a"), b"not a database at all, just text\n" * 40, "file is not a database"),
        (("compare", "2019", "2020"), b"not a database at all, just text\n" * 40, "file is not a database"),
        (("history", "a"), b"", "an empty database"),
        (("compare", "2019", "2020"), b"", "an empty database"),
    ],
)
def test_a_store_path_that_is_not_a_store_is_an_error_not_a_traceback(
    invoke: Invoke, tmp_path: Path, command: tuple[str, ...], content: bytes, found: str
) -> None:
    store = tmp_path / "notes.sqlite3"
    store.write_bytes(content)
    result = invoke(*command, "--store", store)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert f"error: {store}: expected " in result.stderr
    assert found in result.stderr
    assert store.read_bytes() == content


@pytest.mark.parametrize(
    ("store", "found"),
    [("orgs", "found a folder"), ("archive/2020/history.sqlite3", "found no folder")],
    ids=["a-folder", "a-missing-folder"],
)
def test_a_store_path_that_cannot_hold_a_store_says_why(
    invoke: Invoke, season: Season, tmp_path: Path, store: str, found: str
) -> None:
    result = invoke("run", season(2020, COHORT_2020, path=store), "--save")
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert line.startswith(f"error: {tmp_path / store}: expected ")
    assert found in line
    assert not (tmp_path / "archive").exists()


@pytest.mark.parametrize("year", ["1999", "2101", "99999999999999999999"])
def test_compare_a_year_outside_2000_2100_is_a_usage_error(invoke: Invoke, two_years: TwoYears, year: str) -> None:
    config, _documents = two_years
    result = invoke("compare", year, "2020", "--config", config)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert "YEAR_A" in result.stderr


class Section(enum.StrEnum):
    LEARNING = "learning"


def test_a_row_piece_keeps_texts_of_a_str_subclass(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plugin's section id may be a ``str`` subclass (an ``Enum`` of texts):
    the row written by a worker is read back whole."""
    from fivestar import history
    from fivestar.store import RowFields

    fields = RowFields("a", "测试单位a", "scored", "0" * 64, "12.5", "0", "{}", [(Section.LEARNING, "12.5", "15")])
    monkeypatch.setattr(history, "row_fields", lambda organisation, ledger: fields)
    organisation = type("Organisation", (), {"facts": {"learning": {"dues": True}}})()

    piece = history.row_pieces(None, None)(organisation, None)  # type: ignore[arg-type]

    assert history.row_from_piece(piece) == (fields, b'{"learning": {"dues": true}}')
