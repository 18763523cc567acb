"""Shared fixtures: a fresh plugin manager per test (never a global), helpers
that write evidence files and run configs into tmp_path, the command line,
and the logging the command line configures, reset after every test."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import tomlkit
from click.testing import CliRunner, Result
from fivestar.cli import main
from fivestar.config import load_config
from fivestar.logs import configure_logging
from fivestar.pipeline import RunResult, run

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def sample_config(tmp_path: Path) -> Path:
    """A copy of the 2020 sample cohort with a history store of its own; its config's path."""
    shutil.copytree(ROOT / "examples" / "shaoxing-2020", tmp_path / "cohort")
    config = tmp_path / "cohort" / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('path = "../history.sqlite3"', 'path = "h.sqlite3"'))
    return config


@pytest.fixture(scope="session")
def generate() -> Iterator[ModuleType]:
    """benchmarks/generate.py: seeded synthetic cohorts (``write_cohort(count, folder, seed)``)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import generate

        yield generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


def write_toml(path: Path, data: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomlkit.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def write_org(tmp_path: Path) -> Callable[..., Path]:
    """write_org("a", learning={...}, review={...}) → orgs/a.toml"""

    def write(org_id: str, **tables: Any) -> Path:
        data: dict[str, Any] = {"organisation": {"id": org_id, "name": f"测试单位{org_id}"}}
        data.update(tables)
        return write_toml(tmp_path / "orgs" / f"{org_id}.toml", data)

    return write


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """write_config(policy={...}, rules={...}) → config.toml naming orgs/*.toml"""

    def write(**tables: Any) -> Path:
        data: dict[str, Any] = {"assessment": {"year": 2020, "organisations": ["orgs/*.toml"]}}
        for name, table in tables.items():
            data.setdefault(name, {}).update(table)
        return write_toml(tmp_path / "config.toml", data)

    return write


@pytest.fixture
def assess(write_config: Callable[..., Path]) -> Callable[..., RunResult]:
    """assess(policy=..., plugins=[...]) scores orgs/*.toml of tmp_path."""

    def score(extra_plugins: tuple[object, ...] = (), **tables: Any) -> RunResult:
        return run(load_config(write_config(**tables)), plugins=extra_plugins)

    return score


@pytest.fixture(autouse=True)
def _logging_reset() -> Iterator[None]:
    yield
    configure_logging()


@pytest.fixture
def invoke() -> Callable[..., Result]:
    """invoke("run", config, "--format", "json") → the click Result of `assess ...` (paths are turned into text)."""

    def call(*args: object) -> Result:
        return CliRunner().invoke(main, [str(arg) for arg in args])

    return call
