"""The trust boundary on the command line: evidence never runs code, whatever
it holds; only the run config given as the run config may load plugins."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result

Invoke = Callable[..., Result]

PAYLOAD = 'from pathlib import Path\nPath(__file__).with_name("pwned").write_text("ran")\n'


def plant_evil_evidence(orgs: Path) -> Path:
    """A department's evidence file dressed as a run config, naming a plugin beside it."""
    orgs.mkdir(parents=True, exist_ok=True)
    (orgs / "payload.py").write_text(PAYLOAD, encoding="utf-8")
    evil = orgs / "evil.toml"
    evil.write_text(
        '[assessment]\nyear = 2020\norganisations = ["*.toml"]\n[plugins]\npaths = ["payload.py"]\n',
        encoding="utf-8",
    )
    return evil


def test_validate_of_evidence_never_runs_a_plugin_the_file_names(
    invoke: Invoke, tmp_path: Path, write_org: Callable[..., Path]
) -> None:
    good = write_org("good")
    evil = plant_evil_evidence(tmp_path / "orgs")
    result = invoke("validate", good, evil)
    assert not (tmp_path / "orgs" / "pwned").exists()
    assert result.exit_code == 1
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("error:")]
    assert str(evil) in line
    assert "assess validate --config" in line
    assert "Traceback" not in result.output


def test_run_never_runs_a_plugin_an_evidence_file_names(
    invoke: Invoke, tmp_path: Path, write_org: Callable[..., Path], write_config: Callable[..., Path]
) -> None:
    write_org("good")
    plant_evil_evidence(tmp_path / "orgs")
    result = invoke("run", write_config(), "--format", "json")
    assert not (tmp_path / "orgs" / "pwned").exists()
    assert result.exit_code == 1
    assert '"id": "evil"' in result.stdout and '"status": "failed"' in result.stdout
    assert "assess validate --config" in result.stdout


def test_a_run_config_is_checked_only_when_given_as_the_config(
    invoke: Invoke, tmp_path: Path, write_org: Callable[..., Path], write_config: Callable[..., Path]
) -> None:
    write_org("good")
    config = write_config()
    as_evidence = invoke("validate", config)
    assert as_evidence.exit_code == 1
    assert "assess validate --config" in as_evidence.stdout

    as_config = invoke("validate", "--config", config)
    assert as_config.exit_code == 0, as_config.output
    assert "1 file(s), 0 error(s)" in as_config.stdout
