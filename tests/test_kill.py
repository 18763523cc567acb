"""SIGKILL during `assess run --save`, at a random point (the seed is
printed): afterwards the store opens read-only and holds wholly the year as
it was or wholly the new run, never a mixture."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from fivestar.store import HistoryStore
from samples import generate

ASSESS = str(Path(sys.executable).with_name("assess"))
SIZE = 40
KILLS = 3


def write_evidence(folder: Path, seed: int) -> None:
    rng = random.Random(seed)
    orgs = folder / "orgs"
    orgs.mkdir(exist_ok=True)
    for index in range(SIZE):
        (orgs / f"org-{index:06d}.toml").write_text(generate.organisation_text(index, rng), encoding="utf-8")


def saving(config: Path) -> list[str]:
    return [ASSESS, "run", str(config), "--save", "--replace", "--format", "json", "--output", os.devnull]


def stored(path: Path) -> dict[str, Any]:
    """What a reader sees of the store (opened read-only, as `history` does)."""
    store = HistoryStore(path)
    return {
        "years": store.years(),
        "results": {org_id: (s.status, s.total, s.sections) for org_id, s in store.summaries(2019).items()},
    }


def kill_when(process: subprocess.Popen, journal: Path, delay: float, in_transaction: bool) -> None:
    """SIGKILL ``delay`` seconds after the start, or after the save's journal appears."""
    deadline = time.monotonic() + 60
    if in_transaction:
        while not journal.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.0005)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)


def test_a_save_killed_at_a_random_point_leaves_the_old_or_the_new_year(tmp_path: Path) -> None:
    seed = random.randrange(2**32)
    print(f"kill test seed: {seed}")
    rng = random.Random(seed)
    config = tmp_path / "config.toml"
    config.write_text(
        '[assessment]\nyear = 2019\norganisations = ["orgs/*.toml"]\n[store]\npath = "history.sqlite3"\n',
        encoding="utf-8",
    )
    store = tmp_path / "history.sqlite3"
    write_evidence(tmp_path, 2019)
    subprocess.run(saving(config), check=True, capture_output=True)
    shutil.copyfile(store, tmp_path / "old.sqlite3")
    old = stored(store)
    write_evidence(tmp_path, 2020)
    started = time.monotonic()
    subprocess.run(saving(config), check=True, capture_output=True)
    duration = time.monotonic() - started
    new = stored(store)
    assert old["results"] != new["results"]

    outcomes = []
    for attempt in range(KILLS):
        shutil.copyfile(tmp_path / "old.sqlite3", store)
        in_transaction = attempt > 0
        delay = rng.uniform(0, 0.05) if in_transaction else rng.uniform(0.3 * duration, duration)
        process = subprocess.Popen(saving(config), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kill_when(process, Path(f"{store}-journal"), delay, in_transaction)
        seen = stored(store)
        assert seen in (old, new), f"seed {seed}, attempt {attempt}: a mixture of the old and the new year"
        outcomes.append("new" if seen == new else "old")
        history = subprocess.run(
            [ASSESS, "history", "org-000001", "--store", str(store)], capture_output=True, text=True, check=False
        )
        assert history.returncode == 0, f"seed {seed}: {history.stderr}"
    print(f"kill test outcomes: {outcomes}")
