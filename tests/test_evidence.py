"""Evidence files: data only. A bad file fails its own organisation, with
every problem naming the file, table, key, what was expected and what was
found; the rest of the cohort is scored and `assess run` exits 1."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fivestar.cli import main
from fivestar.config import load_config
from fivestar.model import Problem
from fivestar.pipeline import RunResult, run

HEADER = '[organisation]\nid = "bad"\nname = "问题单位"\n'
HEAVY_ID = "learning.heavy.unprofessional_staff"


@pytest.fixture
def cohort(tmp_path: Path, write_org: Callable[..., Path]) -> Callable[[str], Path]:
    """cohort(text) → orgs/bad.toml with that text, next to a valid orgs/good.toml."""
    write_org("good", learning={"halfyear_reports": 2, "unimplemented": 1})

    def write(text: str) -> Path:
        path = tmp_path / "orgs" / "bad.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def run_json(config: Path) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(main, ["run", str(config), "--format", "json"])
    assert "Traceback" not in result.stderr
    return result.exit_code, json.loads(result.stdout, parse_float=Decimal), result.stderr


BAD_EVIDENCE = [
    pytest.param(HEADER + "[learning\nhalfyear_reports = 2\n", "", "", "valid TOML", "line 4", id="toml-syntax"),
    pytest.param(
        HEADER + '[learning]\nhalfyear_reports = "two"\n',
        "learning",
        "halfyear_reports",
        "a whole number 0..2",
        '"two"',
        id="wrong-type",
    ),
    pytest.param(
        HEADER + "[learning]\nhalfyear_reports = 3\n",
        "learning",
        "halfyear_reports",
        "a whole number 0..2",
        "3",
        id="one-past-max",
    ),
    pytest.param(
        HEADER + "[learning]\nunimplemented = -1\n",
        "learning",
        "unimplemented",
        "a whole number 0..100",
        "-1",
        id="below-min",
    ),
    pytest.param(
        HEADER + "[learning]\nhalfyear_report = 2\n",
        "learning",
        "halfyear_report",
        "a fact of this section",
        "unknown key halfyear_report",
        id="unknown-key",
    ),
    pytest.param("learning = 3\n" + HEADER, "learning", "", "a table", "3", id="section-not-a-table"),
    pytest.param(
        '[organisation]\nid = "bad"\nname = " "\n', "organisation", "name", "a non-empty text", '" "', id="blank-name"
    ),
    pytest.param("organisation = 3\n", "organisation", "", "a table with id and name", "3", id="header-not-a-table"),
    pytest.param(
        HEADER + "[performance]\nconduct_rating = inf\n",
        "performance",
        "conduct_rating",
        "a number 0..100",
        "inf",
        id="number-inf",
    ),
    pytest.param(
        HEADER + f'[review.heavy]\n"{HEAVY_ID}" = 5\n',
        "review",
        "",
        "no [review] in a department's evidence: findings belong in the reviews files",
        "a [review] table",
        id="review-in-evidence",
    ),
    pytest.param(
        HEADER + "[learning]\nunimplemented = " + "9" * 5000 + "\n", "", "", "valid TOML", "too long", id="int-too-long"
    ),
    pytest.param(
        HEADER + "x = " + "[" * 5000 + "]" * 5000 + "\n", "", "", "valid TOML", "nested", id="nested-too-deep"
    ),
    pytest.param(
        HEADER + "[extras]\n" + "x." * 990 + "y = 1\n", "", "", "valid TOML", "nested", id="dotted-key-too-deep"
    ),
    pytest.param(HEADER + "[" + "x." * 200_000 + "y]\n", "", "", "valid TOML", "nested", id="table-header-too-deep"),
    pytest.param("", "", "", "[organisation] and the sections' tables", "an empty file", id="empty-file"),
    pytest.param(
        '[assesment]\nyear = 2020\norganisations = ["orgs/*.toml"]\n',
        "",
        "",
        "[organisation] and the sections' tables",
        "no table any enabled plugin reads",
        id="no-evidence-table",
    ),
]


@pytest.mark.parametrize(("text", "table", "key", "expected", "found"), BAD_EVIDENCE)
def test_bad_evidence_fails_only_its_organisation(
    cohort: Callable[[str], Path],
    assess: Callable[..., RunResult],
    text: str,
    table: str,
    key: str,
    expected: str,
    found: str,
) -> None:
    path = cohort(text)
    result = assess()

    assert [organisation.path for organisation in result.failed] == [path]
    (error,) = result.failed[0].errors
    assert (error.file, error.table, error.key) == (str(path), table, key)
    assert expected in error.expected
    assert found in error.found
    assert list(result.ledgers) == ["good"]
    assert result.ledgers["good"].items["learning.conveyed"].points == Decimal("2.8")


@pytest.mark.parametrize(("text", "table", "key", "expected", "found"), BAD_EVIDENCE)
def test_assess_run_exits_1_and_still_prints_the_scored(
    tmp_path: Path,
    cohort: Callable[[str], Path],
    write_config: Callable[..., Path],
    text: str,
    table: str,
    key: str,
    expected: str,
    found: str,
) -> None:
    path = cohort(text)
    code, document, stderr = run_json(write_config())

    assert code == 1
    organisations = {Path(entry["file"]).name: entry for entry in document["organisations"]}
    good, bad = organisations["good.toml"], organisations["bad.toml"]
    assert good["status"] == "scored"
    assert good["sections"]["learning"]["items"]["learning.conveyed"]["points"] == Decimal("2.8")
    assert bad["status"] == "failed"
    assert bad["total"] is None
    assert bad["sections"] == {}
    (error,) = bad["errors"]
    assert error["severity"] == "error"
    assert (error["file"], error["table"], error["key"]) == (str(path), table, key)
    assert expected in error["expected"]
    assert found in error["found"]
    assert f"({path})" in stderr


def test_every_error_of_a_file_is_reported_at_once(
    cohort: Callable[[str], Path], assess: Callable[..., RunResult]
) -> None:
    path = cohort(HEADER + '[learning]\nhalfyear_reports = "two"\nthought_analyses = -1\nsurprise = true\n')
    result = assess()

    (failed,) = result.failed
    assert sorted((error.table, error.key) for error in failed.errors) == [
        ("learning", "halfyear_reports"),
        ("learning", "surprise"),
        ("learning", "thought_analyses"),
    ]
    assert all(error.file == str(path) for error in failed.errors)


def test_duplicate_organisation_id_fails_the_second_file(
    tmp_path: Path, write_org: Callable[..., Path], assess: Callable[..., RunResult], write_config: Callable[..., Path]
) -> None:
    first = write_org("a", learning={"halfyear_reports": 2})
    second = tmp_path / "orgs" / "b.toml"
    second.write_text('[organisation]\nid = "a"\nname = "另一单位"\n[learning]\nhalfyear_reports = 1\n', "utf-8")
    write_org("c", learning={"halfyear_reports": 1})
    result = assess()

    assert [organisation.path for organisation in result.failed] == [second]
    (error,) = result.failed[0].errors
    assert (error.file, error.table, error.key) == (str(second), "organisation", "id")
    assert error.found == f'"a" (also in {first})'
    assert sorted(result.ledgers) == ["a", "c"]
    assert result.ledgers["a"].organisation.path == first
    assert result.ledgers["a"].items["learning.conveyed"].points == Decimal(3)

    code, document, stderr = run_json(write_config())
    assert code == 1
    by_file = {Path(entry["file"]).name: entry for entry in document["organisations"]}
    assert by_file["a.toml"]["status"] == "scored"
    assert by_file["a.toml"]["rank"] is not None
    assert by_file["c.toml"]["status"] == "scored"
    assert by_file["b.toml"]["status"] == "failed"
    assert by_file["b.toml"]["name"] == "另一单位"
    assert by_file["b.toml"]["total"] is None
    assert by_file["b.toml"]["rank"] is None
    assert [entry["key"] for entry in by_file["b.toml"]["errors"]] == ["id"]
    assert str(second) in stderr


def test_missing_fact_is_scored_as_its_default_with_a_warning(
    tmp_path: Path, write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    path = write_org("a", learning={"unimplemented": 1})
    result = assess()

    organisation = result.ledgers["a"].organisation
    assert organisation.valid
    assert organisation.facts["learning"]["halfyear_reports"] == 0
    assert organisation.sources["learning.halfyear_reports"] == "default"
    assert organisation.sources["learning.unimplemented"] == "evidence"
    warning = next(problem for problem in organisation.warnings if problem.key == "halfyear_reports")
    assert warning == Problem(
        "warning",
        str(path),
        "learning",
        "halfyear_reports",
        "a whole number 0..2",
        "nothing",
        "missing fact, scored as 0",
        line=path.read_text(encoding="utf-8").splitlines().index("[learning]") + 1,
    )
    assert not any(problem.key == "unimplemented" for problem in organisation.warnings)
    assert result.ledgers["a"].items["learning.conveyed"].points == Decimal(0)


def test_evidence_records_its_digest(write_org: Callable[..., Path], assess: Callable[..., RunResult]) -> None:
    path = write_org("a")
    result = assess()
    assert result.ledgers["a"].organisation.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_evidence_cannot_load_code(
    tmp_path: Path, write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    marker = tmp_path / "imported"
    (tmp_path / "orgs" / "evil.py").parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "orgs" / "evil.py").write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('imported')\n", encoding="utf-8"
    )
    path = write_org("a", plugins={"paths": ["evil.py"], "disable": ["learning"]}, learning={"halfyear_reports": 2})
    result = assess()

    assert not marker.exists()
    assert "evil" not in result.plugin_manager.infos
    assert "assess_local_evil" not in sys.modules
    assert not result.plugin_manager.infos["learning"].blocked
    organisation = result.ledgers["a"].organisation
    assert organisation.valid
    (warning,) = [problem for problem in organisation.problems if problem.table == "plugins"]
    assert (warning.severity, warning.file, warning.key) == ("warning", str(path), "")
    assert "[plugins]" in warning.found
    assert result.ledgers["a"].items["learning.conveyed"].points == Decimal(3)


def test_evidence_without_an_organisation_table_is_scored_under_its_file_name(
    tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    orgs = tmp_path / "orgs"
    orgs.mkdir()
    (orgs / "sx-plain.toml").write_text("[learning]\nhalfyear_reports = 2\nunimplemented = 1\n", encoding="utf-8")
    (orgs / "sx-nameless.toml").write_text('[organisation]\nid = "nameless"\n', encoding="utf-8")
    result = run(load_config(write_config()))

    plain = next(organisation for organisation in result.organisations if organisation.path.stem == "sx-plain")
    assert (plain.id, plain.name, plain.valid) == ("sx-plain", "sx-plain", True)
    assert result.ledgers["sx-plain"].items["learning.conveyed"].points == Decimal("2.8")
    assert any(problem.table == "organisation" and problem.severity == "warning" for problem in plain.problems)

    nameless = result.ledgers["nameless"].organisation
    assert nameless.name == "nameless"
    assert any(problem.key == "name" and problem.severity == "warning" for problem in nameless.problems)


@pytest.mark.parametrize(
    ("text", "key", "found"),
    [
        pytest.param("[learning]\nhalfyear_reports = 2.0\n", "halfyear_reports", "2.0", id="decimal-for-a-count"),
        pytest.param('[learning]\nhalfyear_reports = "2"\n', "halfyear_reports", '"2"', id="text-for-a-count"),
        pytest.param(
            '[[bonus.commendations]]\nproject = "x"\nlevel = "provincial"\ndate = 2020-06-18\n',
            "commendations[0].document",
            "nothing",
            id="missing-record-field",
        ),
        pytest.param("[performance]\nconduct_rating = -1e400\n", "conduct_rating", "-1e+400", id="huge-exponent"),
        pytest.param(
            "[learning]\nunimplemented = -" + "9" * 40 + "\n", "unimplemented", "a number of 40 digits", id="long"
        ),
    ],
)
def test_found_is_shown_as_the_file_wrote_it(
    cohort: Callable[[str], Path], assess: Callable[..., RunResult], text: str, key: str, found: str
) -> None:
    """ "expected a whole number 0..2, found 2" would contradict itself: the
    file's 2.0 is shown as 2.0, and a missing field as nothing, unquoted."""
    cohort(HEADER + text)
    (failed,) = assess().failed
    (error,) = failed.errors
    assert (error.key, error.found) == (key, found)


def test_evidence_with_a_byte_order_mark_is_read(
    tmp_path: Path, write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    """Windows editors save UTF-8 with a BOM."""
    path = write_org("a", learning={"halfyear_reports": 2, "unimplemented": 1})
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = assess()
    assert result.failed == []
    assert result.ledgers["a"].items["learning.conveyed"].points == Decimal("2.8")


def test_an_empty_file_is_one_error_not_a_warning_per_fact(cohort: Callable[[str], Path]) -> None:
    path = cohort("")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    problems = [line for line in result.stdout.splitlines() if line.startswith(("error:", "warning:"))]
    assert problems == [
        f"warning: {path}: [organisation]: no [organisation] table: id and name taken from the file name (bad) "
        "(expected a table [organisation] with id and name, found nothing)",
        f"error: {path}: nothing in this file is evidence (expected evidence: [organisation] and the sections' "
        "tables (see `assess template`), found an empty file)",
    ]


def test_a_misspelt_section_table_is_an_error_that_names_the_table_meant(
    write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    write_org("typo", lerning={"halfyear_reports": 2})
    write_org("other", duty_notes={"text": "not read by any plugin"})
    result = assess()
    (typo,) = [organisation for organisation in result.failed]
    assert typo.id == "typo"
    (error,) = typo.errors
    assert (error.table, error.expected, error.found) == ("lerning", "[learning]", "[lerning]")
    assert "misspelling of [learning]" in str(error)
    other = result.ledgers["other"].organisation
    assert any(problem.table == "duty_notes" and problem.severity == "warning" for problem in other.problems)


def test_record_fact_ids_may_be_written_bare_as_well_as_quoted(
    tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    """A records file's fact ids, like the evidence's, may be written bare (TOML then reads nested tables)."""
    orgs = tmp_path / "orgs"
    orgs.mkdir()
    for org_id in ("bare", "quoted"):
        (orgs / f"{org_id}.toml").write_text(f'[organisation]\nid = "{org_id}"\n', encoding="utf-8")
    records = tmp_path / "records"
    records.mkdir()
    (records / "2020.toml").write_text(
        '[organisations.bare]\nperformance.target_grade = "good"\n'
        '[organisations.quoted]\n"performance.target_grade" = "good"\n',
        encoding="utf-8",
    )
    result = run(load_config(write_config()))
    for org_id in ("bare", "quoted"):
        assert result.ledgers[org_id].items["performance.target_grade"].points == Decimal(8)


@pytest.mark.parametrize("unverified_claims", ["accept", "ignore"])
def test_claims_alone_are_converted_as_with_other_sources(
    sample_config: Path, generate: Any, tmp_path: Path, unverified_claims: str
) -> None:
    """An organisation whose facts have no other source than its evidence is
    converted in one pass (``claimed_facts``); the same facts, sources,
    problems and unverified claims as by the general pass, which weighs
    office records and derived facts (made to run here with a record of no
    fact at all)."""
    from fivestar.evidence import convert_facts, read_evidence
    from fivestar.pipeline import prepare

    config = load_config(sample_config)
    _pm, context = prepare(config)
    generate.write_cohort(30, tmp_path, seed=5)
    odd = tmp_path / "odd.toml"
    odd.write_text(
        '[organisation]\nid = "odd"\nname = "单位"\n[learning]\nhalfyear_reports = "two"\nunknown_fact = 1\n'
        "political_priority = 1\n[performance]\nconduct_rating = 95.5\n[bonus]\nshowcase = []\n",
        encoding="utf-8",
    )
    paths = [*config.organisation_files(), *sorted((tmp_path / "orgs").glob("*.toml")), odd]
    compared = 0
    for path in paths:
        plain = read_evidence(path, registry=context.registry)
        general = read_evidence(path, registry=context.registry)
        convert_facts(plain, context.registry, None, unverified_claims)
        convert_facts(general, context.registry, {"no.such_fact": object()}, unverified_claims)  # type: ignore[dict-item]
        assert plain.facts == general.facts and list(plain.facts) == list(general.facts)
        assert list(plain.sources.items()) == list(general.sources.items())
        assert plain.problems == general.problems
        assert plain.unverified == general.unverified and plain.conflicts == general.conflicts
        compared += 1
    assert compared > 30
