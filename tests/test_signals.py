"""Signals: SIGTERM and SIGINT while a report is written leave no temporary
file and the conventional exit status (143, 130); the temporary files of a
run that was killed outright (SIGKILL) are removed by the next run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fivestar.leftovers import MACHINE

ASSESS = str(Path(sys.executable).with_name("assess"))

SLOW_RENDERER = """
import time
from pathlib import Path
from fivestar import hookimpl
from fivestar.report import Renderer


def render(result, options):
    yield "x" * 100_000
    Path(__file__).with_name("writing").touch()
    time.sleep(60)
    yield "end"


@hookimpl
def assess_renderers():
    return [Renderer("slow", "a report that takes its time", ".txt", render)]
"""


def temporary_files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmp"))


@pytest.fixture
def slow_run(tmp_path: Path, write_org: Callable[..., Path], write_config: Callable[..., Path]) -> subprocess.Popen:
    """`assess run --format slow --output-dir out` stopped inside the writing of its report."""
    (tmp_path / "slow_renderer.py").write_text(SLOW_RENDERER, encoding="utf-8")
    write_org("a")
    config = write_config(plugins={"paths": ["slow_renderer.py"]})
    (tmp_path / "out").mkdir()
    process = subprocess.Popen(
        [ASSESS, "run", str(config), "--format", "slow", "--output-dir", "out"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not (tmp_path / "writing").exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert temporary_files(tmp_path / "out")
    return process


@pytest.mark.parametrize(("signal_number", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_while_a_report_is_written_leaves_no_temporary_file(
    slow_run: subprocess.Popen, tmp_path: Path, signal_number: int, status: int
) -> None:
    slow_run.send_signal(signal_number)
    _, stderr = slow_run.communicate(timeout=30)

    assert slow_run.returncode == status, stderr
    assert "Traceback" not in stderr
    assert list((tmp_path / "out").iterdir()) == []


def test_the_next_run_removes_what_a_killed_run_left(slow_run: subprocess.Popen, tmp_path: Path) -> None:
    slow_run.kill()
    slow_run.communicate(timeout=30)
    out = tmp_path / "out"
    (left,) = temporary_files(out)
    older_release = out / ".results-2020.json.k3j9x_1a.tmp"
    older_release.write_text("{", encoding="utf-8")
    os.utime(older_release, (time.time() - 7200, time.time() - 7200))
    alive = out / f".results-2020.json.{os.getpid()}-k3j9x_2b.tmp"
    alive.write_text("{", encoding="utf-8")
    another_machine = out / f".results-2020.json.{slow_run.pid}@0000beef-k3j9x_3c.tmp"
    another_machine.write_text("{", encoding="utf-8")

    completed = subprocess.run(
        [ASSESS, "run", "config.toml", "--format", "json", "--output-dir", "out"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert temporary_files(out) == sorted([alive.name, another_machine.name]), left
    assert f".{slow_run.pid}@{MACHINE}-" in left
    assert (out / "results-2020.json").exists()
