"""Paths a run config names: a NUL byte is a config error (exit 2), never a
traceback; links among the evidence are followed safely; outputs never write
through a link."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fivestar import discovery, evidence
from fivestar.cli import main

CONFIG = "[assessment]\nyear = 2020\norganisations = [{organisations}]\n{more}"

NUL_PATHS = [
    pytest.param('"orgs/*.toml"', '[store]\npath = "a\\u0000b.sqlite3"\n', "store", "path", id="store-path"),
    pytest.param('"orgs/*.toml"', '[plugins]\npaths = ["x\\u0000.py"]\n', "plugins", "paths", id="plugin-path"),
    pytest.param('"orgs/\\u0000*.toml"', "", "assessment", "organisations", id="organisations-glob"),
    pytest.param('"orgs/a\\u0000.toml"', "", "assessment", "organisations", id="organisations-file"),
    pytest.param('"orgs/*.toml"', '[office]\nrecords = ["r\\u0000/*.csv"]\n', "office", "records", id="office-records"),
    pytest.param('"orgs/*.toml"', '[office]\nreviews = ["v\\u0000.toml"]\n', "office", "reviews", id="office-reviews"),
]


@pytest.mark.parametrize(("organisations", "more", "table", "key"), NUL_PATHS)
@pytest.mark.parametrize("command", [("run",), ("run", "--save"), ("validate",), ("duties",)])
def test_a_nul_byte_in_a_config_path_is_a_config_error(
    tmp_path: Path,
    write_org: Callable[..., Path],
    organisations: str,
    more: str,
    table: str,
    key: str,
    command: tuple[str, ...],
) -> None:
    write_org("a")
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.format(organisations=organisations, more=more), encoding="utf-8")

    config_args = ["--config", str(config)] if command[0] == "validate" else [str(config)]
    result = CliRunner().invoke(main, [command[0], *config_args, *command[1:]])

    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert f"[{table}] {key}" in line
    assert "NUL" in line
    assert "\\u0000" in line


# --------------------------------------------------------------------------
# links among the evidence and at the outputs
# --------------------------------------------------------------------------


@pytest.fixture
def counted_reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often each real evidence file is opened, by its real path."""
    reads: dict[str, int] = {}
    read_limited = evidence.read_limited

    def counting(path: Path, limits: Any) -> bytes:
        reads[os.path.realpath(path)] = reads.get(os.path.realpath(path), 0) + 1
        return read_limited(path, limits)

    monkeypatch.setattr(evidence, "read_limited", counting)
    return reads


def write_cohort(tmp_path: Path, write_org: Callable[..., Path], pattern: str, more: str = "") -> Path:
    write_org("a")
    write_org("b")
    config = tmp_path / "config.toml"
    config.write_text(f'[assessment]\nyear = 2020\norganisations = ["{pattern}"]\n{more}', encoding="utf-8")
    return config


def test_a_link_out_of_the_config_folder_is_refused_and_never_read(
    tmp_path: Path, write_org: Callable[..., Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    secret = tmp_path_factory.mktemp("elsewhere") / "shadow"
    secret.write_text('[organisation]\nid = "root"\nsecret_key = "hunter2"\n', encoding="utf-8")
    config = write_cohort(tmp_path, write_org, "orgs/*.toml")
    (tmp_path / "orgs" / "evil.toml").symlink_to(secret)

    result = CliRunner().invoke(main, ["run", str(config), "--format", "json"])

    assert result.exit_code == 1, result.output
    assert hashlib.sha256(secret.read_bytes()).hexdigest() not in result.output
    assert "hunter2" not in result.output and "secret_key" not in result.output
    assert "evil.toml: a link out of the config's folder: not read" in result.stderr
    scored = {entry["id"] for entry in json.loads(result.stdout)["organisations"] if entry["status"] == "scored"}
    assert scored == {"a", "b"}


def test_a_link_out_of_the_folder_is_read_when_the_config_allows_it(
    tmp_path: Path, write_org: Callable[..., Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    shared = tmp_path_factory.mktemp("shared") / "c.toml"
    shared.write_text('[organisation]\nid = "c"\nname = "共享"\n', encoding="utf-8")
    config = write_cohort(tmp_path, write_org, "orgs/*.toml", "allow_outside_links = true\n")
    (tmp_path / "orgs" / "c.toml").symlink_to(shared)

    result = CliRunner().invoke(main, ["run", str(config), "--format", "json"])

    assert result.exit_code == 0, result.output
    assert {entry["id"] for entry in json.loads(result.stdout)["organisations"]} == {"a", "b", "c"}


def test_a_config_folder_moved_behind_a_link_between_two_runs_is_read_as_it_is_now(
    tmp_path: Path, write_org: Callable[..., Path]
) -> None:
    year = tmp_path / "year"
    year.mkdir()
    config = year / "config.toml"
    write_cohort(tmp_path, write_org, "orgs/*.toml").rename(config)
    (tmp_path / "orgs").rename(year / "orgs")
    first = CliRunner().invoke(main, ["run", str(config), "--format", "json"])
    year.rename(tmp_path / "moved")
    year.symlink_to(tmp_path / "moved", target_is_directory=True)

    second = CliRunner().invoke(main, ["run", str(config), "--format", "json"])

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert "a link out of the config's folder" not in second.stderr
    assert [entry["status"] for entry in json.loads(second.stdout)["organisations"]] == ["scored", "scored"]


def test_a_pattern_going_up_from_a_config_folder_reached_through_a_link_is_inside(
    tmp_path: Path, write_org: Callable[..., Path]
) -> None:
    """``current`` links to the year's folder; ``../shared/*.toml`` is
    ``shared`` beside the year's real folder (as the system resolves it),
    the folder the pattern names."""
    write_org("a")
    (tmp_path / "real" / "2020").mkdir(parents=True)
    (tmp_path / "orgs").rename(tmp_path / "real" / "shared")
    (tmp_path / "real" / "2020" / "config.toml").write_text(
        '[assessment]\nyear = 2020\norganisations = ["../shared/*.toml"]\n', encoding="utf-8"
    )
    (tmp_path / "current").symlink_to(tmp_path / "real" / "2020", target_is_directory=True)

    result = CliRunner().invoke(main, ["run", str(tmp_path / "current" / "config.toml"), "--format", "json"])

    assert result.exit_code == 0, result.output
    assert [entry["status"] for entry in json.loads(result.stdout)["organisations"]] == ["scored"]


def test_a_real_path_is_the_system_s_through_links_and_parent_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "x" / "y").mkdir(parents=True)
    (tmp_path / "z").mkdir()
    for folder in ("x/y", "x", "z"):
        (tmp_path / folder / "f.toml").write_text("", encoding="utf-8")
    (tmp_path / "ly").symlink_to(tmp_path / "x" / "y", target_is_directory=True)
    (tmp_path / "x" / "lz").symlink_to("../z", target_is_directory=True)
    (tmp_path / "x" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "lf.toml").symlink_to(tmp_path / "x" / "y" / "f.toml")
    monkeypatch.chdir(tmp_path / "x")
    firsts = ["", "x", "ly", "x/lz", "x/loop/ly", ".."]
    paths = [
        "/".join(part for part in parts if part)
        for parts in itertools.product(firsts, ["", "..", "y", "."], ["f.toml", "lf.toml", ".."])
    ]
    for path in [*(tmp_path / path for path in paths), *map(Path, paths)]:
        discovery.real_folder.cache_clear()
        assert discovery.real_path(path) == os.path.realpath(path), path


@pytest.mark.parametrize(
    "pattern",
    ["**/*.toml", "*/*.toml", "x/*.toml", "*.toml", "x/lz/f.toml", "x/**/f.toml", "ly/../*.toml", "ly/../*/f.toml"],
)
@pytest.mark.parametrize("relative", [False, True], ids=["absolute", "relative"])
def test_found_files_come_with_their_real_paths_sorted_and_each_real_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pattern: str, relative: bool
) -> None:
    """The real path a search gives each file (from the folder's listing)
    is the system's, whether the file, its folder or a folder above it is a
    link, and after a link's ``..`` (the parent of the link's target); the
    files are sorted as their paths read (from the config's own folder too,
    ``assess run config.toml``: ``zz.toml`` after ``x/f.toml``), each real
    file once."""
    (tmp_path / "x" / "y").mkdir(parents=True)
    (tmp_path / "z").mkdir()
    for folder in ("x/y", "x", "z", "."):
        (tmp_path / folder / "f.toml").write_text("", encoding="utf-8")
    (tmp_path / "zz.toml").write_text("", encoding="utf-8")
    (tmp_path / "ly").symlink_to(tmp_path / "x" / "y", target_is_directory=True)
    (tmp_path / "x" / "lz").symlink_to("../z", target_is_directory=True)
    (tmp_path / "lf.toml").symlink_to(tmp_path / "x" / "y" / "f.toml")
    (tmp_path / "x" / "g.toml").symlink_to("../z/f.toml")
    monkeypatch.chdir(tmp_path)
    base = Path(".") if relative else tmp_path

    found = discovery.find_files(base, pattern)

    assert found.files
    assert found.real_files == [os.path.realpath(path) for path in found.files]
    assert len(set(found.real_files)) == len(found.files)
    assert [str(path) for path in found.files] == sorted(str(path) for path in found.files)


@pytest.mark.parametrize("loops", [1, 2, 3])
def test_loop_links_are_cut_and_each_real_file_is_read_once(
    tmp_path: Path, write_org: Callable[..., Path], counted_reads: dict[str, int], loops: int
) -> None:
    config = write_cohort(tmp_path, write_org, "orgs/**/*.toml")
    for number in range(loops):
        (tmp_path / "orgs" / f"loop{number}").symlink_to(tmp_path / "orgs", target_is_directory=True)
    (tmp_path / "orgs" / "again.toml").symlink_to(tmp_path / "orgs" / "a.toml")

    started = time.monotonic()
    result = CliRunner().invoke(main, ["run", str(config), "--format", "json"])

    assert time.monotonic() - started < 20
    assert result.exit_code == 0, result.output
    assert [entry["id"] for entry in json.loads(result.stdout)["organisations"]] == ["a", "b"]
    evidence = {path: reads for path, reads in counted_reads.items() if path.endswith(".toml") and "orgs" in path}
    assert evidence == {os.path.realpath(tmp_path / "orgs" / name): 1 for name in ("a.toml", "b.toml")}


@pytest.mark.parametrize("option", ["--output", "--output-dir"])
def test_an_output_never_writes_through_an_existing_link(
    tmp_path: Path, write_org: Callable[..., Path], option: str
) -> None:
    config = write_cohort(tmp_path, write_org, "orgs/*.toml")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    link = out / "results-2020.json"
    link.symlink_to(victim)
    target = str(link) if option == "--output" else str(out)

    result = CliRunner().invoke(main, ["run", str(config), "--format", "json", option, target])

    assert result.exit_code == 0, result.output
    assert victim.read_text(encoding="utf-8") == "precious"
    assert not link.is_symlink()
    assert json.loads(link.read_text(encoding="utf-8"))["year"] == 2020
