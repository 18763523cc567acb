"""The installed plugins are found as importlib.metadata finds them
(fivestar.installed reads the same files without importing it): the same
entry points, in the same order, from the same distributions, with the same
names and versions."""

from __future__ import annotations

import sys
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from fivestar.installed import entry_points, standard_search_only

GROUPS = ("assess", "console_scripts", "pytest11", "egg_info.writers", "no.such.group")


def described(found: Any) -> list[tuple[str, str, str, str | None, str | None]]:
    return [(each.name, each.value, each.group, each.dist.name, each.dist.version) for each in found]


def same_as_the_standard_library(group: str) -> list[tuple[str, str, str, str | None, str | None]]:
    mine = described(entry_points(group=group))
    assert mine == described(metadata.entry_points(group=group))
    return mine


@pytest.mark.parametrize("group", GROUPS)
def test_the_environment_s_entry_points_are_the_standard_library_s(group: str) -> None:
    assert standard_search_only()
    same_as_the_standard_library(group)


def test_the_built_in_sections_are_found_with_their_distribution() -> None:
    found = same_as_the_standard_library("assess")
    assert {name for name, *_ in found} >= {"learning", "norms", "duties"}
    assert {dist for *_, dist, _version in found} == {"fivestar-assess"}


def dist_info(folder: Path, stem: str, metadata_text: str, entry_points_text: str | None = None) -> None:
    info = folder / stem
    info.mkdir(parents=True)
    (info / ("PKG-INFO" if stem.endswith(".egg-info") else "METADATA")).write_text(metadata_text, encoding="utf-8")
    if entry_points_text is not None:
        (info / "entry_points.txt").write_text(entry_points_text, encoding="utf-8")


@pytest.fixture
def two_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """sys.path of two folders of installed distributions: a name in both
    (the first wins), an egg-info, one without entry points, comments, a
    line before any section, a folded header and a header without a space."""
    first, second = tmp_path / "first", tmp_path / "second"
    dist_info(
        first,
        "acme_one-1.0.dist-info",
        "Metadata-Version: 2.1\nName: acme-one\nVersion: 1.0\nSummary: a long\n  folded summary\n\nbody: text\n",
        "stray = line.before:sections\n[console_scripts]\nacme = acme.cli:main\n\n# a comment\n"
        "[assess]\nacme =  acme.plugin\nacme_extra = acme.more:plugin [extra]\n",
    )
    dist_info(first, "Plain-0.1.dist-info", "Name:Plain\nVersion:0.1\nVersion: 9\n")
    dist_info(second, "ACME_one-2.0.dist-info", "Name: ACME-one\nVersion: 2.0\n", "[assess]\nshadowed = acme2\n")
    dist_info(second, "beta-3.egg-info", "Metadata-Version: 1.0\nName: beta\nVersion: 3\n", "[assess]\nbeta = beta\n")
    (second / "loose.egg-info").write_text("Name: loose\nVersion: 1\n", encoding="utf-8")
    monkeypatch.setattr(sys, "path", [str(first), str(tmp_path / "missing"), str(second)])
    return first, second


def test_distributions_are_read_in_the_standard_library_s_order(two_folders: tuple[Path, Path]) -> None:
    assert standard_search_only()
    found = same_as_the_standard_library("assess")
    assert [name for name, *_ in found] == ["acme", "acme_extra", "beta"]
    assert found[0][3:] == ("acme-one", "1.0")
    assert same_as_the_standard_library("console_scripts") == [
        ("acme", "acme.cli:main", "console_scripts", "acme-one", "1.0")
    ]


def test_an_entry_point_loads_what_its_value_names(two_folders: tuple[Path, Path]) -> None:
    first, _second = two_folders
    (first / "acme").mkdir()
    (first / "acme" / "__init__.py").write_text("", encoding="utf-8")
    (first / "acme" / "more.py").write_text("class plugin:\n    name = 'more'\n", encoding="utf-8")
    try:
        (extra,) = [each for each in entry_points(group="assess") if each.name == "acme_extra"]
        assert extra.load().name == "more"
    finally:
        for module in ("acme.more", "acme"):
            sys.modules.pop(module, None)


def test_a_zip_on_the_path_is_left_to_the_standard_library(
    two_folders: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "zipped.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("zipped-1.0.dist-info/METADATA", "Name: zipped\nVersion: 1.0\n")
        zipped.writestr("zipped-1.0.dist-info/entry_points.txt", "[assess]\nzipped = zipped\n")
    monkeypatch.setattr(sys, "path", [*sys.path, str(archive)])
    assert not standard_search_only()
    found = same_as_the_standard_library("assess")
    assert [name for name, *_ in found] == ["acme", "acme_extra", "beta", "zipped"]
