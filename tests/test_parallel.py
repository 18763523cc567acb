"""Reading evidence in several processes gives exactly the result of reading
it in one (the output is compared byte for byte)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import fivestar.pipeline
import pytest
from fivestar.config import load_config
from fivestar.pipeline import prepare, run_cohort
from fivestar.report import RenderOptions, joined, render_json


def rendered(config_path: Path, jobs: int) -> str:
    config = load_config(config_path)
    pm, context = prepare(config)
    result = run_cohort(config.organisation_files(), pm, context, jobs=jobs)
    return joined(render_json(result, RenderOptions()))


def test_two_processes_read_the_sample_cohort_exactly_as_one(
    sample_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = sample_config
    monkeypatch.setattr(fivestar.pipeline, "PARALLEL_FROM", 1)
    serial = rendered(config, jobs=1)
    assert '"duty_lists"' in serial
    assert rendered(config, jobs=2) == serial


def test_a_broken_file_read_in_a_worker_fails_only_its_organisation(
    tmp_path: Path,
    write_org: Callable[..., Path],
    write_config: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for index in range(6):
        write_org(f"org{index}", learning={"halfyear_reports": 2})
    (tmp_path / "orgs" / "org3.toml").write_text("[learning\n", encoding="utf-8")
    monkeypatch.setattr(fivestar.pipeline, "PARALLEL_FROM", 1)
    config = load_config(write_config())
    pm, context = prepare(config)
    result = run_cohort(config.organisation_files(), pm, context, jobs=2)
    assert [organisation.path.stem for organisation in result.organisations] == [f"org{i}" for i in range(6)]
    assert [organisation.path.stem for organisation in result.failed] == ["org3"]
    assert len(result.ledgers) == 5


def test_the_forked_pool_gives_results_in_order_and_is_ended_by_terminate() -> None:
    """The pool whose worker thread does not wake for every result: imap in
    order over more tasks than workers, and close() (whose join would wait
    for a wake-up that never comes) refused."""
    from fivestar.pipeline import can_fork, forked_pool

    if not can_fork():
        pytest.skip("no fork on this platform")
    with forked_pool(2) as pool:
        assert list(pool.imap(abs, range(-500, 0), chunksize=7)) == list(range(500, 0, -1))
        with pytest.raises(TypeError, match="terminate"):
            pool.close()
