"""`assess plugin new NAME`: the package it writes installs as an `assess`
entry point, passes its own tests, and shows in `assess plugins`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


def installed_like_pip(package: Path, site: Path) -> dict[str, str]:
    """What ``pip install -e`` gives the package: its source on the path and
    a dist-info holding its entry points; returns the environment to use."""
    project = tomllib.loads((package / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    info = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n", encoding="utf-8"
    )
    lines = [f"{name} = {target}" for name, target in project["entry-points"]["assess"].items()]
    (info / "entry_points.txt").write_text("[assess]\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(package / "src"), str(site)])}


def test_the_scaffold_passes_its_own_tests_and_is_listed(invoke: Callable[..., Any], tmp_path: Path) -> None:
    package = tmp_path / "assess-demo"
    result = invoke("plugin", "new", "demo", "--dir", package)
    assert result.exit_code == 0, result.output
    assert sorted(str(path.relative_to(package)) for path in package.rglob("*") if path.is_file()) == [
        "README.md",
        "pyproject.toml",
        "src/assess_demo/__init__.py",
        "tests/test_assess_demo.py",
    ]
    environment = installed_like_pip(package, tmp_path / "site")
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=package,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "2 passed" in tests.stdout
    listed = subprocess.run(
        [sys.executable, "-c", "from fivestar.cli import main; main()", "plugins", "--format", "json"],
        env=environment,
        capture_output=True,
        text=True,
    )
    assert listed.returncode == 0, listed.stderr
    demo = next(entry for entry in json.loads(listed.stdout) if entry["name"] == "demo")
    assert demo["source"] == "entry point (assess-demo)"
    assert demo["items"] == ["learning.demo"]


def test_the_plugin_imports_only_the_public_api(invoke: Callable[..., Any], tmp_path: Path) -> None:
    invoke("plugin", "new", "my-club", "--dir", tmp_path / "pkg")
    source = (tmp_path / "pkg" / "src" / "assess_my_club" / "__init__.py").read_text(encoding="utf-8")
    imports = [line for line in source.splitlines() if line.startswith(("from ", "import "))]
    assert imports == ["from fivestar import flag_item, hookimpl"]
    assert '"learning.my_club"' in source


@pytest.mark.parametrize(
    ("name", "found"),
    [("Bad Name", '"Bad Name"'), ("1st", '"1st"')],
)
def test_a_bad_name_is_refused(invoke: Callable[..., Any], tmp_path: Path, name: str, found: str) -> None:
    result = invoke("plugin", "new", name, "--dir", tmp_path / "pkg")
    assert result.exit_code == 2
    assert found in result.stderr
    assert not (tmp_path / "pkg").exists()


def test_a_folder_with_files_is_never_overwritten(invoke: Callable[..., Any], tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "keep.txt").write_text("mine", encoding="utf-8")
    result = invoke("plugin", "new", "demo", "--dir", tmp_path / "pkg")
    assert result.exit_code == 2
    assert "a new or empty folder" in result.stderr
    assert sorted(path.name for path in (tmp_path / "pkg").iterdir()) == ["keep.txt"]
