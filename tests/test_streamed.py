"""A large cohort is streamed (fivestar.streamed): organisations packed, scored
and written in chunks, by one process or several. Its outputs must have exactly
the bytes of the in-memory run. The thresholds are lowered so that a small
generated cohort takes the streamed way, in several chunks."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import fivestar.pipeline
import fivestar.streamed
import pytest
from fivestar import Custom, count, hookimpl, item
from fivestar.config import load_config
from fivestar.history import SAVE_PIECES, save_run
from fivestar.leftovers import MACHINE
from fivestar.numbers import fmt
from fivestar.pipeline import RunResult, prepare, run_cohort
from fivestar.report import RenderOptions, json_pieces, render_json, scored_documents
from fivestar.report.csv_table import csv_pieces, render_csv
from fivestar.report.json_text import ExactEncoder
from fivestar.store import HistoryStore, dumps


def scored(
    config_path: Path, jobs: int, streamed: bool, monkeypatch: pytest.MonkeyPatch, pieces: dict[str, Any] | None = None
) -> RunResult:
    monkeypatch.setattr(fivestar.pipeline, "STREAM_FROM", 1 if streamed else 10**9)
    monkeypatch.setattr(fivestar.pipeline, "PARALLEL_FROM", 1)
    monkeypatch.setattr(fivestar.streamed, "CHUNK", 7)
    config = load_config(config_path)
    pm, context = prepare(config)
    pieces = pieces if pieces is not None else {"json": json_pieces, "csv": csv_pieces}
    result = run_cohort(config.organisation_files(), pm, context, jobs=jobs, pieces=pieces)
    result.config = config
    return result


def as_json(result: RunResult) -> bytes:
    return b"".join(
        piece.encode() if isinstance(piece, str) else piece for piece in render_json(result, RenderOptions())
    )


@pytest.fixture
def cohort(generate: Any, tmp_path: Path) -> Path:
    """A generated cohort with a broken file, a reused id, a shared full name and a falsified item."""
    config = generate.write_cohort(60, tmp_path, seed=14)
    orgs = tmp_path / "orgs"
    (orgs / "org-000005.toml").write_text("[learning\n", encoding="utf-8")
    reused = (orgs / "org-000009.toml").read_text(encoding="utf-8").replace("org-000009", "org-000002", 1)
    (orgs / "org-000009.toml").write_text(reused, encoding="utf-8")
    renamed = (orgs / "org-000031.toml").read_text(encoding="utf-8").replace("测试单位000031", "测试单位000030", 1)
    (orgs / "org-000031.toml").write_text(renamed, encoding="utf-8")
    reviews = tmp_path / "reviews.toml"
    reviews.write_text(
        reviews.read_text(encoding="utf-8") + '[[organisations."org-000000".findings]]\nitem = "learning.conveyed"\n',
        encoding="utf-8",
    )
    return config


def test_streamed_json_has_the_bytes_of_the_in_memory_run(cohort: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = as_json(scored(cohort, 1, False, monkeypatch))
    assert b'"status": "failed"' in expected
    assert b'"status": "falsified"' in expected
    one = scored(cohort, 1, True, monkeypatch)
    assert one.pieces
    assert as_json(one) == expected
    assert as_json(scored(cohort, 2, True, monkeypatch)) == expected


def test_streamed_result_serves_every_renderer_and_the_store(
    cohort: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    in_memory = scored(cohort, 1, False, monkeypatch)
    streamed = scored(cohort, 2, True, monkeypatch)
    assert [org.id for org in streamed.failed] == [org.id for org in in_memory.failed]
    assert sorted(streamed.failed_indices or []) == [5, 9, 30, 31]
    expected_csv = render_csv(in_memory, RenderOptions())
    assert isinstance(expected_csv, bytes)
    assert "".join(render_csv(streamed, RenderOptions())).encode("utf-8") == expected_csv
    assert streamed.ledgers["org-000003"].total == in_memory.ledgers["org-000003"].total
    save_run(streamed, HistoryStore(tmp_path / "streamed.sqlite3"))
    save_run(in_memory, HistoryStore(tmp_path / "memory.sqlite3"))
    assert HistoryStore(tmp_path / "streamed.sqlite3").results(2020) == HistoryStore(
        tmp_path / "memory.sqlite3"
    ).results(2020)


@pytest.mark.parametrize("jobs", [1, 2])
def test_after_a_plugin_failed_the_cohort_is_written_again_with_writers_made_again(
    cohort: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """A plugin that failed while scoring has the cohort scored again without
    it, with the figures computed again: the pieces functions are made again
    too, so that one that took something of the figures when it was made
    writes the final figures, as a run in memory does."""
    original = fivestar.pipeline.score

    def failing(organisation: Any, pm: Any, context: Any) -> Any:
        if organisation.id == "org-000011":
            raise RuntimeError("boom")
        return original(organisation, pm, context)

    def summary_taken_when_made(pm: Any, context: Any) -> Any:
        summary = repr(sorted(context.cohort["summary"].items()))
        return lambda organisation, ledger: f"{organisation.id} {summary}\n"

    monkeypatch.setattr(fivestar.pipeline, "score", failing)
    in_memory = scored(cohort, 1, False, monkeypatch)
    final = repr(sorted(in_memory.context.cohort["summary"].items()))
    result = scored(cohort, jobs, True, monkeypatch, pieces={"summary": summary_taken_when_made})
    written = b"".join(result.pieces["summary"]).decode("utf-8").splitlines()
    assert len(written) == 60
    assert {line.split(" ", 1)[1] for line in written} == {final}


def test_a_plugin_failing_while_scoring_in_a_worker_fails_only_its_organisation(
    cohort: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = fivestar.pipeline.score

    def failing(organisation: Any, pm: Any, context: Any) -> Any:
        if organisation.id == "org-000011":
            raise RuntimeError("boom")
        return original(organisation, pm, context)

    monkeypatch.setattr(fivestar.pipeline, "score", failing)
    in_memory = scored(cohort, 1, False, monkeypatch)
    result = scored(cohort, 2, True, monkeypatch)
    assert as_json(result) == as_json(in_memory)
    assert "".join(render_csv(result, RenderOptions())).encode("utf-8") == render_csv(in_memory, RenderOptions())
    failed = {organisation.id: organisation for organisation in result.failed}
    assert "org-000011" in failed
    assert "boom" in str(failed["org-000011"].errors[-1])
    assert b'"status": "plugin_error"' in as_json(result)
    assert "org-000011" not in (result.totals or {})


def test_the_sample_streamed(sample_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = sample_config
    expected = as_json(scored(config, 1, False, monkeypatch))
    assert b'"duty_lists"' in expected
    assert as_json(scored(config, 2, True, monkeypatch)) == expected


def rows_by_the_old_definition(result: RunResult) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The rows a save wrote when each document was built as a dict
    (``organisation_document``) and encoded whole, and every figure was read
    back from that dict."""
    results: list[tuple[Any, ...]] = []
    sections: list[tuple[Any, ...]] = []
    seen: set[str] = set()
    year = result.context.year
    for organisation, ledger, document in scored_documents(result):
        if organisation.id in seen:
            continue
        seen.add(organisation.id)
        awards = document["awards"] or {}
        results.append(
            (
                year,
                organisation.id,
                organisation.name,
                document["status"],
                document.get("provenance", {}).get("evidence_sha256", ""),
                fmt(ledger.total) if ledger else None,
                fmt(ledger.heavy_points()) if ledger else None,
                dumps(awards) if awards else None,
                dumps(organisation.facts),
                ExactEncoder().dumps(document),
            )
        )
        for section, part in (ledger.sections if ledger else {}).items():
            maximum = fmt(Decimal(str(document["sections"][section]["max"])))
            sections.append((year, organisation.id, section, fmt(part.score), maximum))
    return results, sections


def stored_rows(path: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    connection = sqlite3.connect(path)
    try:
        results = connection.execute("SELECT * FROM results ORDER BY rowid").fetchall()
        sections = connection.execute("SELECT * FROM section_scores ORDER BY rowid").fetchall()
    finally:
        connection.close()
    return results, sections


@pytest.mark.parametrize("streamed", [False, True], ids=["in memory", "streamed"])
@pytest.mark.parametrize("which", ["sample", "generated"])
def test_the_store_keeps_every_row_of_the_old_definition(
    which: str,
    streamed: bool,
    sample_config: Path,
    cohort: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The save writes each document with the JSON result's writer (or a
    streamed run's pieces) and takes its figures from the ledger: every
    column of every row is what the documents built as dicts gave."""
    result = scored(sample_config if which == "sample" else cohort, 2 if streamed else 1, streamed, monkeypatch)
    assert bool(result.pieces) == streamed
    saved = save_run(result, HistoryStore(tmp_path / "new.sqlite3"))
    results, sections = stored_rows(tmp_path / "new.sqlite3")
    expected_results, expected_sections = rows_by_the_old_definition(result)
    assert saved == len(results) == len(expected_results) > 0
    assert len(sections) > len(results) / 2
    assert {row[3] for row in results} >= ({"scored", "failed"} if which == "generated" else {"scored"})
    for row, expected in zip(results, expected_results, strict=True):
        assert row == expected
    assert sections == expected_sections


@pytest.mark.parametrize(
    ("streamed", "jobs"), [(False, 1), (True, 1), (True, 2)], ids=["in memory", "streamed", "streamed, 2 jobs"]
)
@pytest.mark.parametrize("which", ["sample", "generated"])
def test_a_run_made_to_be_saved_stores_every_row_without_scoring_again(
    which: str,
    streamed: bool,
    jobs: int,
    sample_config: Path,
    cohort: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """`assess run --save` has the workers write each organisation's row
    (SAVE_PIECES) while they score: the save stores the rows of the old
    definition, whether the run was streamed or not and on any number of
    processes, and never scores an organisation again."""
    result = scored(sample_config if which == "sample" else cohort, jobs, streamed, monkeypatch, SAVE_PIECES)
    assert set(result.pieces) == (set(SAVE_PIECES) if streamed else set())
    expected = rows_by_the_old_definition(result)

    def scored_again(*_: Any) -> None:
        raise AssertionError("the save scored an organisation again")

    monkeypatch.setattr(fivestar.streamed, "score", scored_again)
    saved = save_run(result, HistoryStore(tmp_path / "new.sqlite3"))

    assert stored_rows(tmp_path / "new.sqlite3") == expected
    assert saved == len(expected[0]) > 0


def test_assess_run_save_asks_the_workers_for_the_rows(
    cohort: Path, monkeypatch: pytest.MonkeyPatch, invoke: Any, tmp_path: Path
) -> None:
    """A streamed `assess run --save` writing another format than JSON still
    saves without scoring again: the run asks for SAVE_PIECES."""
    expected = stored_rows_of(cohort, monkeypatch, tmp_path)
    monkeypatch.setattr(fivestar.pipeline, "STREAM_FROM", 1)

    def scored_again(*_: Any) -> None:
        raise AssertionError("the save scored an organisation again")

    monkeypatch.setattr(fivestar.streamed, "score", scored_again)
    result = invoke("run", cohort, "--save", "--format", "csv", "--output", tmp_path / "out.csv", "--jobs", "2")

    assert result.exit_code == 1, result.output  # the cohort has failed organisations
    assert stored_rows(cohort.parent / "assess-history.sqlite3") == expected


def test_spilled_pieces_read_once_are_removed_chunk_by_chunk_as_read(
    cohort: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the output is the pieces' last reader, each chunk's file goes
    soon after it is read (its memory serves the output written next), by
    the remover's thread, beside the writing; the bytes are the same, the
    chunks not yet read are still there, and none is left at the end."""
    expected = as_json(scored(cohort, 1, True, monkeypatch))
    result = scored(cohort, 2, True, monkeypatch)
    spilled = result.pieces["json"]
    paths = [path for path, _lengths in spilled.chunks]
    assert len(paths) > fivestar.streamed.REMOVED_AFTER + 2 and all(path.exists() for path in paths)
    removed_by: list[str] = []
    unlink = os.unlink

    def watched(path: Any, *arguments: Any, **options: Any) -> None:
        removed_by.append(threading.current_thread().name)
        unlink(path, *arguments, **options)

    monkeypatch.setattr(os, "unlink", watched)
    spilled.read_once = True
    seen = []
    for position, (_first, _data, _offsets) in enumerate(spilled.by_chunk()):
        seen.append(position)
        assert all(path.exists() for path in paths[position + 1 :])
    assert seen == list(range(len(paths)))
    assert not any(path.exists() for path in paths)
    assert removed_by[: len(paths)] == ["fivestar-spill-remover"] * len(paths)
    again = scored(cohort, 2, True, monkeypatch)
    again.pieces["json"].read_once = True
    assert as_json(again) == expected
    assert not any(path.exists() for path, _lengths in again.pieces["json"].chunks)


@pytest.mark.parametrize("system", ["posix", "nt"])
@pytest.mark.parametrize("read_once", [False, True])
def test_a_chunk_read_is_its_file_s_bytes_even_once_the_file_is_removed(
    tmp_path: Path, read_once: bool, system: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk is mapped, not copied (on POSIX; read, where a mapped file
    cannot be removed): what was read stays readable after its file is
    removed, and an empty chunk (a renderer whose pieces are all empty)
    reads as no bytes."""
    full, empty = tmp_path / "json-000000000", tmp_path / "json-000000003"
    full.write_bytes("甲乙丙".encode())
    empty.write_bytes(b"")
    spilled = fivestar.streamed.Spilled([(full, [3, 6]), (empty, [0, 0])], ["a", "b", "c", "d"], read_once)
    monkeypatch.setattr(fivestar.streamed.os, "name", system)
    chunks = list(spilled.by_chunk())
    monkeypatch.undo()
    assert isinstance(chunks[0][1], bytes) is (system == "nt")
    assert [(first, bytes(data), offsets) for first, data, offsets in chunks] == [
        (0, "甲乙丙".encode(), [0, 3, 9]),
        (2, b"", [0, 0, 0]),
    ]
    assert full.exists() is empty.exists() is not read_once
    assert bytes(memoryview(chunks[0][1])[3:9]) == "乙丙".encode()


def test_a_chunk_on_a_file_system_that_does_not_map_files_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chunk = tmp_path / "json-000000000"
    chunk.write_bytes(b"abcdef")

    def refused(*_: Any, **__: Any) -> Any:
        raise OSError(19, "No such device")

    monkeypatch.setattr(fivestar.streamed.mmap, "mmap", refused)
    spilled = fivestar.streamed.Spilled([(chunk, [2, 4])], ["a", "b"], read_once=True)
    assert [(first, data, offsets) for first, data, offsets in spilled.by_chunk()] == [(0, b"abcdef", [0, 2, 6])]
    assert not chunk.exists()


@pytest.mark.parametrize("save", [False, True])
def test_assess_run_writes_the_same_json_whether_its_pieces_are_read_once_or_also_saved(
    save: bool, cohort: Path, monkeypatch: pytest.MonkeyPatch, invoke: Any, tmp_path: Path
) -> None:
    """Without --save the JSON is its pieces' only reader and removes each
    chunk as it reads it; with --save the store reads them too, beside the
    report, and both get every piece. A format named twice is written once."""
    expected = as_json(scored(cohort, 1, False, monkeypatch))
    rows = stored_rows_of(cohort, monkeypatch, tmp_path) if save else None
    monkeypatch.setattr(fivestar.pipeline, "STREAM_FROM", 1)
    monkeypatch.setattr(fivestar.streamed, "CHUNK", 7)
    removed: list[str] = []
    unlink = os.unlink

    def counted(path: Any, *arguments: Any, **options: Any) -> None:
        removed.append(os.path.basename(path))
        unlink(path, *arguments, **options)

    monkeypatch.setattr(os, "unlink", counted)
    options = ["--save"] if save else []
    out = tmp_path / "out"
    result = invoke("run", cohort, *options, "--format", "json,csv,json", "--output-dir", out, "--jobs", "2")

    assert result.exit_code == 1, result.output  # the cohort has failed organisations
    assert (out / "results-2020.json").read_bytes() == expected
    assert (out / "results-2020.csv").exists()
    read_once = [name for name in removed if name.startswith("json-")]
    assert (read_once == []) if save else (len(read_once) > 2)
    if save:
        assert stored_rows(cohort.parent / "assess-history.sqlite3") == rows


def stored_rows_of(config: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[list[Any], list[Any]]:
    """The rows the in-memory run saves."""
    result = scored(config, 1, False, monkeypatch)
    save_run(result, HistoryStore(tmp_path / "memory.sqlite3"))
    return stored_rows(tmp_path / "memory.sqlite3")


def test_a_run_stopped_while_scoring_leaves_no_spill_files(
    cohort: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C or SIGTERM (an exception in the main process) while the
    organisations are scored: the spilled documents are removed with the run."""
    temporary = tmp_path / "temporary"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    score_all = fivestar.streamed._Scoring.run

    def stopped(scoring: Any, *args: Any) -> Any:
        score_all(scoring, *args)
        assert any(scoring.stream.spill.iterdir())
        raise KeyboardInterrupt

    monkeypatch.setattr(fivestar.streamed._Scoring, "run", stopped)
    with pytest.raises(KeyboardInterrupt):
        scored(cohort, 1, True, monkeypatch)

    assert list(temporary.iterdir()) == []


def children() -> list[int]:
    """This process's child processes not yet reaped, running or not (the
    workers are forked with ``os.fork``: :mod:`multiprocessing` knows none)."""
    me = str(os.getpid())
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", encoding="ascii") as stat:
                    parent = stat.read().rsplit(")", 1)[1].split()[1]
            except OSError:  # ended meanwhile
                continue
            if parent == me:
                found.append(int(entry.name))
    return found


def streamed_into_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of temporary files of its own for the spill folder of a run streamed in chunks of 7."""
    temporary = tmp_path / "temporary"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    monkeypatch.setattr(fivestar.pipeline, "STREAM_FROM", 1)
    monkeypatch.setattr(fivestar.streamed, "CHUNK", 7)
    return temporary


def test_a_run_stopped_while_its_workers_still_write_ends_them_before_removing_the_spill_folder(
    cohort: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C as the first chunk is scored: the workers, still writing other
    chunks, are ended before the spill folder is removed, or one creating
    its file while the folder is removed leaves the folder behind."""
    temporary = streamed_into_temporary(tmp_path, monkeypatch)
    running: list[int] = []
    rmtree = shutil.rmtree

    def watched(path: Any, *args: Any, **kwargs: Any) -> None:
        running.append(len(children()))
        rmtree(path, *args, **kwargs)

    def interrupted(phase: str, done: int, count: int) -> None:
        if phase == "scored":
            raise KeyboardInterrupt

    monkeypatch.setattr(fivestar.streamed.shutil, "rmtree", watched)
    config = load_config(cohort)
    pm, context = prepare(config)
    with pytest.raises(KeyboardInterrupt):
        run_cohort(config.organisation_files(), pm, context, progress=interrupted, jobs=2, pieces={"json": json_pieces})
    assert running == [0]
    assert list(temporary.iterdir()) == []


@pytest.mark.parametrize("where", ["ending the workers", "summing the facts"])
def test_a_run_stopped_once_scored_but_before_its_result_is_made_leaves_no_spill_files(
    cohort: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """Ctrl-C or SIGTERM after the last chunk is scored, while the workers
    are ended or the result is made: the spill folder is removed with the run."""
    temporary = streamed_into_temporary(tmp_path, monkeypatch)
    scored_all: list[bool] = []

    def progress(phase: str, done: int, count: int) -> None:
        scored_all.append(phase == "scored" and done == count)

    def stopped(*args: Any, **kwargs: Any) -> None:
        if scored_all and scored_all[-1]:
            raise KeyboardInterrupt

    if where == "ending the workers":
        terminate = fivestar.streamed.Workers.terminate

        def terminated(workers: Any) -> None:
            terminate(workers)
            stopped()

        monkeypatch.setattr(fivestar.streamed.Workers, "terminate", terminated)
    else:
        monkeypatch.setattr(fivestar.streamed, "combine_facts_summaries", stopped)
    config = load_config(cohort)
    pm, context = prepare(config)
    with pytest.raises(KeyboardInterrupt):
        run_cohort(config.organisation_files(), pm, context, progress=progress, jobs=2, pieces={"json": json_pieces})
    assert list(temporary.iterdir()) == []


def test_the_next_run_removes_the_spill_folders_of_runs_that_are_gone(
    cohort: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run killed outright (SIGKILL) leaves its spill folder; the next
    streamed run removes it, and leaves alone a running process's folder, a
    recent folder of another machine or of an older release (no process id)
    and what is not a spill folder."""
    temporary = tmp_path / "temporary"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    dead = int(gone.stdout)
    killed = temporary / f"assess-spill-{dead}@{MACHINE}-k3j9x_1a"
    killed_by_an_older_release = temporary / f"assess-spill-{dead}-k3j9x_1b"
    running = temporary / f"assess-spill-1@{MACHINE}-k3j9x_2b"
    elsewhere = temporary / f"assess-spill-{dead}@0000beef-k3j9x_2c"
    elsewhere_a_day_ago = temporary / f"assess-spill-{dead}@0000beef-k3j9x_2d"
    older_release = temporary / "assess-spill-k3j9x_3c"
    a_day_old = temporary / "assess-spill-k3j9x_4d"
    not_a_spill = temporary / "assess-spill-notes"
    folders = (killed, killed_by_an_older_release, running, elsewhere, elsewhere_a_day_ago, older_release, a_day_old)
    for folder in (*folders, not_a_spill):
        folder.mkdir()
        (folder / "json-000000000").write_bytes(b"{}")
    for old in (a_day_old, elsewhere_a_day_ago):
        os.utime(old, (time.time() - 90_000, time.time() - 90_000))

    result = scored(cohort, 1, True, monkeypatch)

    own = f"assess-spill-{os.getpid()}@{MACHINE}-"
    left = sorted(path.name for path in temporary.iterdir() if not path.name.startswith(own))
    assert left == sorted([running.name, elsewhere.name, older_release.name, not_a_spill.name])
    assert len(list(temporary.iterdir())) == len(left) + 1
    del result


def test_the_pieces_functions_are_made_again_only_after_they_wrote_enough_organisations(
    cohort: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks share a writer until it has written WRITERS_REMADE_AFTER
    organisations, which bounds what it remembers."""
    made: list[int] = []

    def counted(pm: Any, context: Any) -> Any:
        made.append(len(made))
        return json_pieces(pm, context)

    monkeypatch.setattr(fivestar.streamed, "WRITERS_REMADE_AFTER", 10)
    config = load_config(cohort)
    pm, context = prepare(config)
    packer = fivestar.streamed.Packer(context.registry)
    stream = fivestar.streamed._Stream(pm, context, packer, [], makers={"json": counted}, spill=Path("unused"))
    first = stream.pieces_for(4)
    assert stream.pieces_for(4) is first and stream.pieces_for(4) is first
    assert len(made) == 1
    again = stream.pieces_for(4)
    assert again is not first and len(made) == 2
    stream.pieces = None
    assert stream.pieces_for(4) is not again and len(made) == 3

    result = scored(cohort, 1, True, monkeypatch, pieces={"json": counted})
    assert as_json(result) == as_json(scored(cohort, 1, False, monkeypatch))


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("kept_whole", [10**9, 0, 20], ids=["kept-as-read", "kept-packed", "both"])
def test_each_chunk_is_scored_by_the_process_that_read_it_without_being_sent_again(
    cohort: Path, monkeypatch: pytest.MonkeyPatch, jobs: int, kept_whole: int
) -> None:
    """A worker scores the organisations it read, kept as read (and packed
    beyond KEPT_WHOLE_UP_TO): only the chunks whose organisations the main
    process changed since (the duplicates, organisations 9 and 31) are
    sent to it packed; the bytes are those of the in-memory run."""
    expected = as_json(scored(cohort, 1, False, monkeypatch))
    monkeypatch.setattr(fivestar.streamed, "KEPT_WHOLE_UP_TO", kept_whole)
    sent: list[int] = []
    task = fivestar.streamed._Scoring._task

    def watched(scoring: Any, bounds: Any, worker: int, taken: bool) -> Any:
        made = task(scoring, bounds, worker, taken)
        if made[3] is not None and not taken:
            sent.append(bounds[0])
        return made

    monkeypatch.setattr(fivestar.streamed._Scoring, "_task", watched)
    score, unpack = fivestar.streamed._score, fivestar.streamed.Packer.unpack

    def scored_as_kept(chunk: Any) -> Any:
        unpacked: list[Path] = []

        def counted(packer: Any, packed: bytes, path: Path) -> Any:
            unpacked.append(path)
            return unpack(packer, packed, path)

        fivestar.streamed.Packer.unpack = counted  # type: ignore[method-assign]
        try:
            done = score(chunk)
        finally:
            fivestar.streamed.Packer.unpack = unpack  # type: ignore[method-assign]
        assert not (kept_whole > 60 and chunk[3] is None and unpacked), f"kept as read, yet unpacked: {unpacked}"
        (unpacked_chunks if unpacked else whole_chunks).append(chunk[0])
        return done

    unpacked_chunks: list[int] = []
    whole_chunks: list[int] = []

    monkeypatch.setattr(fivestar.streamed, "_score", scored_as_kept)
    assert as_json(scored(cohort, jobs, True, monkeypatch)) == expected
    changed = (9, 31)  # the duplicates: marked failed by the main process after they were read
    chunks = fivestar.streamed.chunk_bounds(60, jobs)
    expected_sent = sorted({start for start, end in chunks for index in changed if start <= index < end})
    assert expected_sent == ([7, 28] if jobs == 1 else [7, 30])
    assert sorted(sent) == expected_sent, "chunks sent packed though their reader keeps them unchanged"
    if jobs == 1:
        # one process holds the cohort packed besides: it keeps none as read when the cohort is over the budget
        expected_whole = {10**9: [0, 14, 21, 35, 42, 49, 56], 0: [], 20: []}[kept_whole]
        assert sorted(whole_chunks) == expected_whole


class CohortFigure:
    """A cohort hook and an item scored from what the hook gives: a figure,
    one that cannot be pickled (a function), an attribute it sets on the
    run's context, or one it keeps on its own plugin object. The workers
    must score with it, whatever it is."""

    name = "cohort_figure"

    def __init__(self, how: str) -> None:
        self.how = how

    @hookimpl
    def assess_cohort(self, cohort: Any, context: Any) -> dict[str, Any]:
        size = len(cohort.organisations)
        if self.how == "attribute":
            context.own_size = size
            return {}
        if self.how == "kept":
            self.own_size = size
            return {}
        return {"own_size": size if self.how == "figure" else lambda: size}

    @hookimpl
    def assess_items(self, edition: str) -> list[Any]:
        def sized(values: Any, context: Any) -> Any:
            figure = (
                getattr(self, "own_size", None)
                or getattr(context.run, "own_size", None)
                or context.run.cohort.get("own_size", "not kept")
            )
            size = figure() if callable(figure) else figure
            return Decimal(size % 3), f"cohort of {size}"

        rule = Custom(sized, "own_count")
        return [item("learning.own_figure", points=2, title="个性项目", facts=count("own_count"), rule=rule)]


@pytest.mark.parametrize("how", ["figure", "function", "attribute", "kept"])
def test_the_workers_score_with_what_the_cohort_hooks_gave(
    cohort: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """The cohort figures are sent to the workers that keep the organisations;
    a figure that cannot be sent (a function), a hook that changes the run's
    context otherwise, or a cohort hook of a plugin not built in (which may
    keep what it computed in its own object) has the workers forked again
    after the cohort step."""

    def run_with_figure(jobs: int, streamed: bool) -> bytes:
        monkeypatch.setattr(fivestar.pipeline, "STREAM_FROM", 1 if streamed else 10**9)
        monkeypatch.setattr(fivestar.streamed, "CHUNK", 7)
        config = load_config(cohort)
        pm, context = prepare(config, plugins=(CohortFigure(how),))
        result = run_cohort(config.organisation_files(), pm, context, jobs=jobs, pieces={"json": json_pieces})
        result.config = config
        return as_json(result)

    expected = run_with_figure(1, False)
    assert b'"basis": "cohort of 56"' in expected
    assert run_with_figure(2, True) == expected


@pytest.mark.parametrize(
    ("formats", "jobs", "streams"),
    [
        ("json", "2", True),
        ("csv", "2", True),
        ("json,csv", "2", True),
        ("json", "1", False),
        ("json,table", "2", False),
    ],
)
def test_a_mid_sized_run_written_only_in_pieces_is_streamed_on_several_processes(
    cohort: Path, monkeypatch: pytest.MonkeyPatch, invoke: Any, tmp_path: Path, formats: str, jobs: str, streams: bool
) -> None:
    """From STREAM_PIECES_FROM files (below STREAM_FROM), a run whose every
    output is written an organisation at a time shares the scoring among its
    workers; one with a table, or with one process, stays in memory. The
    files are the same bytes either way."""
    monkeypatch.setattr(fivestar.pipeline, "STREAM_PIECES_FROM", 50)
    run_streamed = fivestar.streamed.run_streamed
    calls: list[int] = []

    def counted(files: Any, *args: Any) -> Any:
        calls.append(len(files))
        return run_streamed(files, *args)

    monkeypatch.setattr(fivestar.streamed, "run_streamed", counted)
    written = {}
    for name, streamed_from in (("streamed", 1000), ("in-memory", 10**9)):
        monkeypatch.setattr(fivestar.pipeline, "STREAM_FROM", streamed_from)
        if name == "in-memory":
            monkeypatch.setattr(fivestar.pipeline, "STREAM_PIECES_FROM", 10**9)
        folder = tmp_path / name
        result = invoke("run", cohort, "--format", formats, "--output-dir", folder, "--jobs", jobs)
        assert result.exit_code == 1, result.output  # the cohort has failed organisations
        written[name] = {path.name: path.read_bytes() for path in sorted(folder.iterdir())}
        if name == "streamed":
            assert calls == ([60] if streams else [])
    assert written["streamed"] == written["in-memory"]
    assert len(written["streamed"]) == len(formats.split(",")) and all(written["streamed"].values())


def test_the_workers_forked_again_are_ended_with_a_run_that_fails(
    cohort: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers forked again after the cohort step (here for a cohort hook not
    built in) are ended when scoring raises, as the first ones are."""
    monkeypatch.setattr(fivestar.pipeline, "STREAM_FROM", 1)
    monkeypatch.setattr(fivestar.streamed, "CHUNK", 7)

    def failing(task: Any) -> Any:
        raise RuntimeError("scoring broke")

    monkeypatch.setattr(fivestar.streamed, "_score", failing)
    config = load_config(cohort)
    pm, context = prepare(config, plugins=(CohortFigure("kept"),))
    with pytest.raises(RuntimeError, match="scoring broke"):
        run_cohort(config.organisation_files(), pm, context, jobs=2, pieces={"json": json_pieces})
    assert children() == []


ENDS_ITS_PROCESS = """
import os
from fivestar import hookimpl


@hookimpl
def assess_score(ledger, context):
    if ledger.organisation.id == "org-000011":
        os._exit(3)
"""


def streamed_with_plugin(cohort: Path, source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cohort's config loads a local plugin of that source; its runs are streamed, in chunks of 7."""
    (cohort.parent / "local_plugin.py").write_text(source, encoding="utf-8")
    with cohort.open("a", encoding="utf-8") as config:
        config.write('\n[plugins]\npaths = ["local_plugin.py"]\n')
    monkeypatch.setattr(fivestar.pipeline, "STREAM_FROM", 1)
    monkeypatch.setattr(fivestar.streamed, "CHUNK", 7)


def test_a_plugin_ending_a_worker_s_process_stops_the_run_with_an_error_not_a_traceback(
    cohort: Path, monkeypatch: pytest.MonkeyPatch, invoke: Any, tmp_path: Path
) -> None:
    streamed_with_plugin(cohort, ENDS_ITS_PROCESS, monkeypatch)
    out = tmp_path / "out.json"
    result = invoke("run", cohort, "--format", "json", "-o", out, "--jobs", "2")
    assert result.exit_code == 2, result.output
    assert "<workers>: a worker process ended" in result.stderr
    assert "exit code 3" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


KEEPS_A_FUNCTION = """
from fivestar import hookimpl


@hookimpl
def assess_validate(organisation, context):
    if organisation.id == "org-000012":
        organisation.extras["callback"] = lambda: None
"""


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_plugin_value_that_cannot_be_packed_stops_the_run_with_an_error_not_a_traceback(
    cohort: Path, monkeypatch: pytest.MonkeyPatch, invoke: Any, tmp_path: Path, jobs: str
) -> None:
    """A streamed run packs each organisation it read: a value a plugin put
    into one (here a function) that cannot be packed is named, with its
    organisation's file, as the plugin's error."""
    streamed_with_plugin(cohort, KEEPS_A_FUNCTION, monkeypatch)
    out = tmp_path / "out.csv"
    result = invoke("run", cohort, "--format", "csv", "-o", out, "--jobs", jobs)
    assert result.exit_code == 2, result.output
    assert "org-000012.toml" in result.stderr and "插件错误" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not out.exists()


def test_an_output_stopped_half_way_does_not_wait_for_its_spill_files_removal(
    cohort: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An output that stops before its last chunk (an error, an interrupt)
    hands the files read so far to the remover and does not wait for it;
    the files are still removed, and the chunks not read are left for the
    spill folder's removal."""
    result = scored(cohort, 2, True, monkeypatch)
    spilled = result.pieces["json"]
    paths = [path for path, _lengths in spilled.chunks]
    spilled.read_once = True
    waited: list[bool] = []
    finish = fivestar.streamed.Remover.finish

    def watched(remover: Any, wait: bool = True) -> None:
        waited.append(wait)
        finish(remover, wait)
        remover.thread.join(timeout=10)

    monkeypatch.setattr(fivestar.streamed.Remover, "finish", watched)
    chunks = spilled.by_chunk()
    next(chunks)
    next(chunks)
    chunks.close()
    assert waited == [False]
    assert not paths[0].exists() and not paths[1].exists()
    assert all(path.exists() for path in paths[2:])
