"""A large cohort is streamed (fivestar.streamed): organisations packed, scored
and written in chunks, by one process or several. Its outputs must have exactly
the bytes of the in-memory run. The thresholds are lowered so that a small
generated cohort takes the streamed way, in several chunks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fivestar.pipeline
import fivestar.streamed
import pytest
from fivestar.config import load_config
from fivestar.history import save_run
from fivestar.pipeline import RunResult, prepare, run_cohort
from fivestar.report import RenderOptions, json_pieces, render_json
from fivestar.report.csv_table import csv_pieces, render_csv
from fivestar.store import HistoryStore


def scored(config_path: Path, jobs: int, streamed: bool, monkeypatch: pytest.MonkeyPatch) -> RunResult:
    monkeypatch.setattr(fivestar.pipeline, "STREAM_FROM", 1 if streamed else 10**9)
    monkeypatch.setattr(fivestar.pipeline, "PARALLEL_FROM", 1)
    monkeypatch.setattr(fivestar.streamed, "CHUNK", 7)
    config = load_config(config_path)
    pm, context = prepare(config)
    pieces = {"json": json_pieces, "csv": csv_pieces}
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
