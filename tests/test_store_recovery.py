"""The history store after an interrupted save, and on a full disk: readers
always open it (read-only), and the real error is the one reported."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fivestar import store as store_module
from fivestar.cli import main
from fivestar.store import HistoryStore

KILLED_INSIDE_A_SAVE = """
import os, signal, sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("PRAGMA cache_size = 1")  # changed pages reach the file before the commit
connection.execute("BEGIN IMMEDIATE")
connection.execute("DELETE FROM section_scores")
connection.execute("DELETE FROM results")
for number in range(3000):
    connection.execute(
        "INSERT INTO results VALUES (2020, ?, 'x', 'failed', '', NULL, NULL, NULL, '{}', ?)",
        (f"junk{number}", "x" * 400),
    )
os.kill(os.getpid(), signal.SIGKILL)
"""


def save_cohort(tmp_path: Path, write_org: Callable[..., Path], write_config: Callable[..., Path]) -> Path:
    for org_id in ("a", "b", "c"):
        write_org(org_id, performance={"target_grade": "good", "conduct_rating": 80 + len(org_id)})
    config = write_config(store={"path": "history.sqlite3"})
    config.write_text(config.read_text(encoding="utf-8").replace("2020", "2019"), encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(config), "--save"])
    assert result.exit_code == 0, result.output
    config.write_text(config.read_text(encoding="utf-8").replace("2019", "2020"), encoding="utf-8")
    return config


def kill_inside_a_save(path: Path) -> None:
    completed = subprocess.run([sys.executable, "-c", KILLED_INSIDE_A_SAVE, str(path)], check=False)
    assert completed.returncode < 0
    assert Path(f"{path}-journal").stat().st_size > 0


@pytest.fixture
def interrupted(tmp_path: Path, write_org: Callable[..., Path], write_config: Callable[..., Path]) -> Path:
    """A config whose store (2019 saved) holds the rollback journal of a save killed halfway."""
    config = save_cohort(tmp_path, write_org, write_config)
    kill_inside_a_save(tmp_path / "history.sqlite3")
    return config


READERS = [
    pytest.param(("history", "a", "--config", "{config}"), id="history"),
    pytest.param(("compare", "2019", "2019", "--config", "{config}"), id="compare"),
    pytest.param(("run", "{config}"), id="next-year-run"),
    pytest.param(("validate", "--config", "{config}"), id="validate"),
    pytest.param(("duties", "{config}"), id="duties"),
]


@pytest.mark.parametrize("command", READERS)
def test_every_reader_opens_a_store_left_by_a_killed_save(interrupted: Path, command: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [part.format(config=interrupted) for part in command])

    assert result.exit_code == 0, result.output
    assert "readonly" not in result.output


def test_the_store_read_after_a_killed_save_is_wholly_the_old_one(interrupted: Path, tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "history.sqlite3")

    assert store.years() == [2019]
    assert sorted(store.results(2019)) == ["a", "b", "c"]
    assert not Path(f"{store.path}-journal").exists() or Path(f"{store.path}-journal").stat().st_size == 0


def test_a_save_after_a_killed_save_works(interrupted: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["run", str(interrupted), "--save"])

    assert result.exit_code == 0, result.output
    assert HistoryStore(tmp_path / "history.sqlite3").years() == [2019, 2020]


def small_disk(monkeypatch: pytest.MonkeyPatch, pages: int) -> None:
    """Every connection the store opens sees a disk that holds ``pages`` pages."""
    connect = sqlite3.connect

    def limited(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection = connect(*args, **kwargs)
        connection.execute(f"PRAGMA max_page_count = {pages}")
        return connection

    monkeypatch.setattr(store_module.sqlite3, "connect", limited)


def test_a_full_disk_reports_the_full_disk_and_keeps_the_store(
    tmp_path: Path, write_org: Callable[..., Path], write_config: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = save_cohort(tmp_path, write_org, write_config)
    for number in range(40):
        write_org(f"n{number}", performance={"target_grade": "good", "conduct_rating": 70 + number})
    store = HistoryStore(tmp_path / "history.sqlite3")
    before = store.results(2019)
    pages = sqlite3.connect(store.path).execute("PRAGMA page_count").fetchone()[0]
    small_disk(monkeypatch, pages + 2)

    result = CliRunner().invoke(main, ["run", str(config), "--save"])

    assert result.exit_code == 2, result.output
    assert "disk is full" in result.stderr
    assert "cannot rollback" not in result.output
    assert "Traceback" not in result.output
    monkeypatch.undo()
    assert store.years() == [2019]
    assert store.results(2019) == before
