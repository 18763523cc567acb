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


def review_findings(review: dict[str, Any]) -> list[dict[str, Any]]:
    """The office's findings for a shorthand review: ``falsified`` item ids, ``heavy`` id → true or points."""
    findings: list[dict[str, Any]] = [{"item": item_id} for item_id in review.get("falsified", [])]
    for heavy_id, figure in review.get("heavy", {}).items():
        if figure is True:
            findings.append({"item": heavy_id})
        elif figure is not False:
            findings.append({"item": heavy_id, "points": figure})
    return findings


def write_review(folder: Path, org_id: str, findings: list[dict[str, Any]], appeals: list[dict[str, Any]] = ()) -> Path:
    """reviews/<org_id>.toml: the office's findings and appeals for one organisation."""
    table: dict[str, Any] = {"findings": list(findings)}
    if appeals:
        table["appeals"] = list(appeals)
    return write_toml(folder / "reviews" / f"{org_id}.toml", {"organisations": {org_id: table}})


@pytest.fixture
def write_org(tmp_path: Path) -> Callable[..., Path]:
    """write_org("a", learning={...}, review={"falsified": [...], "heavy": {...}}) → orgs/a.toml, and the review
    as the office's findings in reviews/a.toml (which write_config then names in [office] reviews)."""

    def write(org_id: str, review: dict[str, Any] | None = None, **tables: Any) -> Path:
        data: dict[str, Any] = {"organisation": {"id": org_id, "name": f"测试单位{org_id}"}}
        data.update(tables)
        if review is not None:
            write_review(tmp_path, org_id, review_findings(review))
        return write_toml(tmp_path / "orgs" / f"{org_id}.toml", data)

    return write


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """write_config(policy={...}, rules={...}) → config.toml naming orgs/*.toml, and the office's reviews/*.toml
    and records/*.toml when those folders exist"""

    def write(**tables: Any) -> Path:
        data: dict[str, Any] = {"assessment": {"year": 2020, "organisations": ["orgs/*.toml"]}}
        for kind in ("records", "reviews"):
            if any((tmp_path / kind).glob("*")):
                data.setdefault("office", {})[kind] = [f"{kind}/*"]
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


@pytest.fixture(scope="module")
def sample_years(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResult, Path]:
    """The sample's two years in a store of their own (so that every report has its
    history parts): the 2020 run and its config."""
    folder = tmp_path_factory.mktemp("sample")
    shutil.copytree(ROOT / "examples", folder / "examples", ignore=shutil.ignore_patterns("*.sqlite3"))
    for year in (2019, 2020):
        result = CliRunner().invoke(
            main, ["run", str(folder / "examples" / f"shaoxing-{year}" / "config.toml"), "--save"]
        )
        assert result.exit_code == 0, result.output
    config = folder / "examples" / "shaoxing-2020" / "config.toml"
    return run(load_config(config)), config
