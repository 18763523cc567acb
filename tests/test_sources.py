"""Who says what: the owner of each fact, the office's records and reviews, and the order of the three sources."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from conftest import write_review, write_toml
from fivestar.config import RunConfig
from fivestar.facts import DEPARTMENT, DERIVED, OFFICE
from fivestar.model import InputError
from fivestar.pipeline import RunResult, prepare
from fivestar.registry import Registry
from fivestar.report import result_document
from fivestar.store import HistoryStore
from samples import toml_literal

Invoke = Callable[..., Result]

OFFICE_FACTS_2020 = {
    "performance.target_grade",
    "performance.conduct_rating",
    "performance.conduct_rating_prev",
    "bonus.showcase",
    "bonus.inspection_grade",
    "bonus.previous_award",
}
DERIVED_FACTS_2020 = {"norms.personal_lists_published", "norms.lists_fulfilled"}


def registry_2020() -> Registry:
    _pm, context = prepare(RunConfig(path=Path("config.toml"), year=2020))
    return context.registry


def test_the_2020_plugins_declare_who_owns_each_fact() -> None:
    registry = registry_2020()
    owners = registry.fact_owners
    assert {key for key, owner in owners.items() if owner == OFFICE} == OFFICE_FACTS_2020
    assert {key for key, owner in owners.items() if owner == DERIVED} == DERIVED_FACTS_2020
    assert owners["norms.dues"] == DEPARTMENT


def test_department_facts_leave_out_derived_and_office_facts() -> None:
    registry = registry_2020()
    filled_in = {f"{table}.{name}" for table, names in registry.department_facts.items() for name in names}
    assert not filled_in & (OFFICE_FACTS_2020 | DERIVED_FACTS_2020)
    assert "performance.leadership" in filled_in
    assert "bonus.commendations" in filled_in
    assert len(filled_in) == len(registry.fact_owners) - len(OFFICE_FACTS_2020) - len(DERIVED_FACTS_2020)


def test_template_leaves_out_derived_and_office_facts_and_says_who_provides_them(invoke: Invoke) -> None:
    result = invoke("template")
    assert result.exit_code == 0, result.output
    document = tomllib.loads(result.stdout)
    assert "previous_award" not in document["bonus"]
    assert "personal_lists_published" not in document["norms"]
    assert "target_grade" not in document["performance"]
    assert "review" not in document
    assert "# previous_award: 由市直机关工委依据核实记录认定，部门无需填写" in result.stdout
    assert "# lists_fulfilled: 由系统根据责任清单或历史记录自动认定，部门无需填写" in result.stdout
    skeleton = "\n".join(line.removeprefix("# ") for line in result.stdout.splitlines() if line.startswith("# "))
    headers = [line for line in skeleton.splitlines() if line.startswith("[[duty_lists]]")]
    assert [header.split("  # ")[1].split("（")[0] for header in headers] == [
        "部门",
        "机关党组织书记",
        "机关党委",
    ]
    assert 'level = "branch_secretary"' in skeleton


# --------------------------------------------------------------------------
# The order of the sources, at each boundary
# --------------------------------------------------------------------------

WriteOrg = Callable[..., Path]
Assess = Callable[..., RunResult]
TARGET = "performance.target_grade"
RATING = "performance.conduct_rating"


def write_records(tmp_path: Path, data: dict[str, Any], name: str = "records.toml") -> Path:
    return write_toml(tmp_path / "records" / name, data)


def target_line(result: RunResult, org_id: str = "a") -> tuple[Decimal, str]:
    ledger = result.ledgers[org_id]
    return ledger.items[TARGET].points, ledger.organisation.sources[TARGET]


def test_a_claim_equal_to_the_record_is_no_conflict(tmp_path: Path, write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", performance={"target_grade": "good"})
    write_records(tmp_path, {"organisations": {"a": {TARGET: "good"}}})
    result = assess()
    assert target_line(result) == (
        Decimal(8),
        f'office records: {tmp_path / "records" / "records.toml"} [organisations."a"]',
    )
    assert result.ledgers["a"].organisation.conflicts == []
    assert result.ledgers["a"].organisation.unverified == {}


def test_a_claim_that_differs_is_a_conflict_and_the_record_is_used(
    tmp_path: Path, write_org: WriteOrg, assess: Assess
) -> None:
    write_org("a", performance={"target_grade": "excellent"})
    write_records(tmp_path, {"organisations": {"a": {TARGET: "good"}}})
    result = assess()
    points, source = target_line(result)
    assert points == Decimal(8)
    (conflict,) = result.ledgers["a"].organisation.conflicts
    assert (conflict.fact, conflict.claimed, conflict.used, conflict.source) == (TARGET, "excellent", "good", source)
    document = result_document(result)
    assert document["organisations"][0]["conflicts"] == [
        {"fact": TARGET, "claimed": "excellent", "used": "good", "source": source}
    ]
    assert document["summary"]["conflicts"] == 1


def test_a_record_with_no_claim_is_used(tmp_path: Path, write_org: WriteOrg, assess: Assess) -> None:
    write_org("a", learning={"political_priority": True})
    write_records(
        tmp_path, {"organisations": {"a": {TARGET: "excellent", "bonus.showcase": [{"name": "晒比", "points": 1}]}}}
    )
    result = assess()
    assert target_line(result)[0] == Decimal(10)
    assert result.ledgers["a"].items["bonus.showcase"].points == Decimal(1)
    assert result.ledgers["a"].organisation.conflicts == []
    assert not [problem for problem in result.ledgers["a"].organisation.warnings if problem.key == "target_grade"]


@pytest.mark.parametrize(
    ("policy", "points", "status"), [("accept", Decimal(10), "accept"), ("ignore", Decimal(0), "ignore")]
)
def test_a_claim_with_no_record_follows_unverified_claims(
    write_org: WriteOrg, assess: Assess, policy: str, points: Decimal, status: str
) -> None:
    write_org("a", performance={"target_grade": "excellent", "leadership": True})
    result = assess(policy={"unverified_claims": policy})
    ledger = result.ledgers["a"]
    assert ledger.items[TARGET].points == points
    assert ledger.items["performance.leadership"].points == Decimal(5)  # the department's own fact: never in question
    assert ledger.organisation.unverified == {TARGET: status}
    assert ledger.organisation.conflicts == []
    assert result_document(result)["summary"]["unverified_claims"] == 1
    basis = ledger.items[TARGET].basis
    warnings = [problem for problem in ledger.organisation.warnings if problem.key == "target_grade"]
    if policy == "accept":
        assert basis.endswith(f"未经核实：{TARGET}")
        assert warnings == []
    else:
        assert "未经核实" not in basis
        (warning,) = warnings
        assert "unverified_claims = ignore" in str(warning)


def test_a_derived_fact_the_office_records_is_taken_from_the_records(
    tmp_path: Path, write_org: WriteOrg, assess: Assess
) -> None:
    """The office overrides a derivation only through its records: the lists miss a level, the office says fulfilled."""
    write_org("a", norms={"lists_fulfilled": False})
    write_records(tmp_path, {"organisations": {"a": {"norms.lists_fulfilled": True}}})
    ledger = assess().ledgers["a"]
    assert ledger.items["norms.lists_fulfilled"].points == Decimal(2)
    (conflict,) = ledger.organisation.conflicts
    assert (conflict.claimed, conflict.used) == (False, True)


# --------------------------------------------------------------------------
# Records in CSV and xlsx, with Chinese headers and organisations by name
# --------------------------------------------------------------------------


def test_csv_records_with_chinese_headers_and_names(tmp_path: Path, write_org: WriteOrg, assess: Assess) -> None:
    write_org("a")
    write_org("b")
    (tmp_path / "records").mkdir()
    (tmp_path / "records" / "行风评议.csv").write_text(
        "\ufeff组织,行风评议成绩,目标责任制考核等次,调研式督查评价,上年度五星双优\n"
        "测试单位a,80.5,优秀,良好,是\n"
        "b,,良好,,否\n",
        encoding="utf-8",
    )
    result = assess()
    a, b = result.ledgers["a"].organisation, result.ledgers["b"].organisation
    assert a.facts["performance"]["conduct_rating"] == Decimal("80.5")
    assert (a.facts["performance"]["target_grade"], a.facts["bonus"]["inspection_grade"]) == ("excellent", "good")
    assert a.facts["bonus"]["previous_award"] is True
    assert b.facts["performance"]["conduct_rating"] is None  # an empty cell is no record
    assert (b.facts["performance"]["target_grade"], b.facts["bonus"]["previous_award"]) == ("good", False)


def test_xlsx_records(tmp_path: Path, write_org: WriteOrg, assess: Assess) -> None:
    from openpyxl import Workbook

    write_org("a")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["organisation", "performance.conduct_rating", "行风评议名次", "参评单位数"])
    sheet.append(["a", 88.25, 12, 12])
    (tmp_path / "records").mkdir()
    workbook.save(tmp_path / "records" / "conduct.xlsx")
    ledger = assess().ledgers["a"]
    assert ledger.organisation.facts["performance"]["conduct_rating"] == Decimal("88.25")
    assert [(deduction.item.id, deduction.source) for deduction in ledger.heavy] == [
        ("performance.heavy.bottom_three", "derived: official rank 12/12")
    ]


@pytest.mark.parametrize(
    ("text", "table", "key", "expected"),
    [
        ("organisation,行风评议成绩\na,很好\n", "row 2", RATING, "a number"),
        ("organisation,行风评议\na,80\n", "row 1", "行风评议", "a fact id or office figure"),
        ("单位名称,行风评议成绩\na,80\n", "row 1", "", "a column organisation"),
        ("organisation,bonus.showcase\na,1\n", "row 2", "bonus.showcase", "TOML records file"),
    ],
)
def test_a_bad_records_file_names_the_file_row_and_column(
    tmp_path: Path, write_org: WriteOrg, assess: Assess, text: str, table: str, key: str, expected: str
) -> None:
    write_org("a")
    write_org("b")
    (tmp_path / "records").mkdir()
    path = tmp_path / "records" / "bad.csv"
    path.write_text(text, encoding="utf-8")
    if table == "row 1":
        with pytest.raises(InputError) as raised:
            assess()
        problems = raised.value.problems
    else:
        result = assess()
        assert [organisation.id for organisation in result.failed] == ["a"]
        assert "b" in result.ledgers
        problems = result.failed[0].errors
    (problem,) = [problem for problem in problems if expected in problem.expected]
    assert (problem.file, problem.table, problem.key) == (str(path), table, key)


# --------------------------------------------------------------------------
# The official average and rank
# --------------------------------------------------------------------------


def rated_cohort(write_org: WriteOrg) -> None:
    for org_id, rating in (("a", "80"), ("b", "90"), ("c", "95"), ("d", "96")):
        write_org(org_id, performance={"conduct_rating": toml_literal(rating)})


def test_the_official_average_is_used_where_it_disagrees_with_the_run(
    tmp_path: Path, write_org: WriteOrg, assess: Assess
) -> None:
    """The run's mean is 90.25; the city's official average is 85: b (90) earns the 5 points only against the
    official one, a (80) against neither."""
    rated_cohort(write_org)
    run_mean = assess()
    write_records(tmp_path, {"cohort": {"performance.conduct_average": toml_literal("85.0")}})
    official = assess()

    points = {org_id: ledger.items[RATING].points for org_id, ledger in official.ledgers.items()}
    assert points == {"a": 0, "b": 5, "c": 5, "d": 5}
    assert run_mean.ledgers["b"].items[RATING].points == Decimal(0)
    assert "average 85 (official, office records)" in official.ledgers["b"].items[RATING].basis
    assert "(of 4 rated)" in run_mean.ledgers["b"].items[RATING].basis
    assert result_document(official)["cohort"]["performance.conduct_average_source"] == "office"
    assert result_document(run_mean)["cohort"]["performance.conduct_average_source"] == "run"


@pytest.mark.parametrize(("rank", "flagged"), [(17, False), (18, True), (20, True)])
def test_the_official_rank_decides_the_bottom_three(
    tmp_path: Path, write_org: WriteOrg, assess: Assess, rank: int, flagged: bool
) -> None:
    """Of 20 ranked by the city, ranks 18..20 are the bottom three, whatever the run's own ratings say (a is the
    run's lowest)."""
    rated_cohort(write_org)
    write_records(
        tmp_path,
        {
            "cohort": {"performance.conduct_rated_count": 20},
            "organisations": {"a": {"performance.conduct_rank": rank}, "d": {"performance.conduct_rank": 1}},
        },
    )
    result = assess()
    flagged_ids = {
        org_id
        for org_id, ledger in result.ledgers.items()
        if any(deduction.item.id == "performance.heavy.bottom_three" for deduction in ledger.heavy)
    }
    assert ("a" in flagged_ids) is flagged
    assert "d" not in flagged_ids
    # b and c have no official rank: the run decides for them, and with fewer than four unranked, nobody is flagged
    assert not flagged_ids & {"b", "c"}


def test_the_assessor_may_report_bottom_three_with_its_points(
    tmp_path: Path, write_org: WriteOrg, assess: Assess
) -> None:
    rated_cohort(write_org)
    write_review(tmp_path, "a", [{"item": "performance.heavy.bottom_three", "points": 8, "reason": "行风评议末位"}])
    (deduction,) = assess().ledgers["a"].heavy
    assert (deduction.item.id, deduction.points, deduction.source) == (
        "performance.heavy.bottom_three",
        Decimal(8),
        "review",
    )


# --------------------------------------------------------------------------
# The assessor's review: findings and appeals
# --------------------------------------------------------------------------

FINDING = {
    "item": "norms.dues",
    "reason": "党费收缴台账与银行流水不符",
    "found_on": dt.date(2020, 11, 20),
    "found_by": "第二督查组",
}


@pytest.mark.parametrize(
    ("outcome", "points", "withdrawn"), [("upheld", Decimal(1), True), ("rejected", Decimal(-2), False)]
)
def test_an_appeal_upheld_withdraws_the_finding_and_a_rejected_one_lets_it_stand(
    tmp_path: Path, write_org: WriteOrg, assess: Assess, outcome: str, points: Decimal, withdrawn: bool
) -> None:
    write_org("a", norms={"dues": True})
    appeal = {"item": "norms.dues", "outcome": outcome, "decided_on": dt.date(2020, 12, 10), "reason": "补充材料"}
    write_review(tmp_path, "a", [FINDING], [appeal])
    result = assess()
    ledger = result.ledgers["a"]
    assert ledger.items["norms.dues"].points == points
    assert (ledger.items["norms.dues"].status == "falsified") is not withdrawn
    (document,) = result_document(result)["organisations"]
    assert document["findings"] == [
        {
            **FINDING,
            "found_on": "2020-11-20",
            "points": None,
            "file": str(tmp_path / "reviews" / "a.toml"),
            "withdrawn": withdrawn,
        }
    ]
    assert document["appeals"] == [{**appeal, "decided_on": "2020-12-10", "file": str(tmp_path / "reviews" / "a.toml")}]


@pytest.mark.parametrize(
    ("findings", "appeals", "key", "expected"),
    [
        ([{"item": "norms.no_such_item"}], [], "item", "a scored item or heavy item id"),
        ([{"item": "learning.heavy.spirit_not_conveyed", "points": 4}], [], "points", "a number 5..10"),
        ([{"item": "learning.heavy.spirit_not_conveyed", "points": toml_literal("10.5")}], [], "points", "5..10"),
        ([{"item": "norms.dues", "points": 6}], [], "points", "no points for a scored item"),
        ([{"item": "norms.dues", "found_by": ""}], [], "found_by", "a non-empty text"),
        ([{"item": "norms.dues", "checked": True}], [], "checked", "one of item, points"),
        (
            [FINDING],
            [{"item": "norms.annual_plan", "outcome": "upheld", "decided_on": dt.date(2020, 12, 1)}],
            "item",
            "an item with a finding",
        ),
        (
            [FINDING],
            [{"item": "norms.dues", "outcome": "granted", "decided_on": dt.date(2020, 12, 1)}],
            "outcome",
            '"upheld"',
        ),
        ([FINDING], [{"item": "norms.dues", "outcome": "upheld"}], "decided_on", "a date"),
    ],
)
def test_a_bad_review_fails_that_organisation_naming_the_reviews_file(
    tmp_path: Path,
    write_org: WriteOrg,
    assess: Assess,
    findings: list[dict[str, Any]],
    appeals: list[dict[str, Any]],
    key: str,
    expected: str,
) -> None:
    write_org("a", norms={"dues": True})
    write_org("b", norms={"dues": True})
    path = write_review(tmp_path, "a", findings, appeals)
    result = assess()
    assert [organisation.id for organisation in result.failed] == ["a"]
    assert "b" in result.ledgers
    (problem,) = result.failed[0].errors
    assert (problem.file, problem.key) == (str(path), key)
    assert problem.table.startswith('organisations."a".')
    assert expected in problem.expected


def test_a_review_in_the_evidence_is_an_error_naming_the_reviews_file(
    tmp_path: Path, write_org: WriteOrg, assess: Assess, invoke: Invoke
) -> None:
    write_org("a", review=None, norms={"dues": True})
    reviews = write_review(tmp_path, "b", [FINDING])
    write_org("b")
    path = tmp_path / "orgs" / "a.toml"
    path.write_text(path.read_text(encoding="utf-8") + "[review]\nfalsified = []\n", encoding="utf-8")
    result = assess()
    assert [organisation.id for organisation in result.failed] == ["a"]
    (problem,) = result.failed[0].errors
    assert (problem.file, problem.table) == (str(path), "review")
    assert str(reviews) in problem.expected

    validated = invoke("validate", "--config", tmp_path / "config.toml")
    assert validated.exit_code == 1
    assert f"findings belong in {reviews}" in validated.output


# --------------------------------------------------------------------------
# Conflicts, findings and appeals in the history store, `assess history` and `assess validate`
# --------------------------------------------------------------------------


def test_conflicts_findings_and_appeals_are_saved_and_shown_by_history(
    tmp_path: Path, write_org: WriteOrg, write_config: Callable[..., Path], invoke: Invoke
) -> None:
    write_org("a", performance={"target_grade": "excellent"}, norms={"dues": True})
    write_records(tmp_path, {"organisations": {"a": {TARGET: "good"}}})
    appeal = {"item": "norms.dues", "outcome": "rejected", "decided_on": dt.date(2020, 12, 10), "reason": "材料不足"}
    write_review(tmp_path, "a", [FINDING], [appeal])
    config = write_config()
    assert invoke("run", config, "--save", "--format", "json").exit_code == 0

    stored = HistoryStore(tmp_path / "assess-history.sqlite3").decisions("a")
    assert list(stored) == [2020]
    assert [conflict["fact"] for conflict in stored[2020]["conflicts"]] == [TARGET]
    assert [finding["item"] for finding in stored[2020]["findings"]] == ["norms.dues"]
    assert [entry["outcome"] for entry in stored[2020]["appeals"]] == ["rejected"]

    shown = invoke("history", "a", "--config", config)
    assert shown.exit_code == 0, shown.output
    assert "申报与核实不一致" in shown.stdout
    assert TARGET in shown.stdout and "申报 优秀，采用 良好" in shown.stdout
    assert "党费收缴台账与银行流水不符" in shown.stdout
    assert "申诉驳回" in shown.stdout

    as_json = json.loads(invoke("history", "a", "--config", config, "--format", "json").stdout)
    (entry,) = as_json["years"]
    assert entry["conflicts"][0]["claimed"] == "excellent"
    assert entry["findings"][0]["reason"] == FINDING["reason"]
    assert entry["appeals"][0]["outcome"] == "rejected"


def test_validate_shows_conflicts(
    tmp_path: Path, write_org: WriteOrg, write_config: Callable[..., Path], invoke: Invoke
) -> None:
    write_org("a", performance={"target_grade": "excellent"})
    write_records(tmp_path, {"organisations": {"a": {TARGET: "good"}}})
    config = write_config()
    result = invoke("validate", "--config", config)
    assert result.exit_code == 0, result.output
    (line,) = [line for line in result.output.splitlines() if line.startswith("conflict: ")]
    assert "申报与核实不一致：" in line and TARGET in line and "申报 优秀，采用 良好" in line
    as_json = json.loads(invoke("validate", "--config", config, "--format", "json").stdout)
    (organisation,) = as_json["organisations"]
    assert organisation["conflicts"][0]["used"] == "good"


@pytest.mark.parametrize("year", [2019, 2020, 2021])
def test_previous_award_names_the_year_before_the_run(write_org: WriteOrg, assess: Assess, year: int) -> None:
    write_org("a")
    line = assess(assessment={"year": year}).ledgers["a"].items["bonus.previous_award"]
    assert line.item.title.startswith("上一年度")
    assert f"{year - 1}年度五星双优" in line.basis
    assert f"{year}年度" not in line.basis


def test_a_bad_cohort_figure_stops_the_run_naming_the_records_file(
    tmp_path: Path, write_org: WriteOrg, assess: Assess
) -> None:
    """A wrong official figure would change every organisation's score: the run stops, every problem listed."""
    write_org("a")
    path = write_records(tmp_path, {"cohort": {"performance.conduct_average": "八十五", "performance.conduct_avg": 85}})
    with pytest.raises(InputError) as raised:
        assess()
    found = {(problem.file, problem.table, problem.key) for problem in raised.value.problems}
    assert found == {
        (str(path), "cohort", '"performance.conduct_average"'),
        (str(path), "cohort", "performance.conduct_avg"),
    }


def test_a_review_of_an_organisation_outside_the_run_stops_the_run(
    tmp_path: Path, write_org: WriteOrg, write_config: Callable[..., Path], invoke: Invoke
) -> None:
    """A finding must never be lost: a typo in the reviews file, or a department that changes its
    [organisation] id to escape a finding, stops the run naming the reviews file and the id."""
    write_org("sx-finance2")
    path = write_review(tmp_path, "sx-finance", [FINDING])
    for command in (("run",), ("whatif", "--policy", "heavy_default=6"), ("validate", "--config")):
        result = invoke(*command, write_config())
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        shown = result.stderr + result.stdout
        assert str(path) in shown
        assert '"sx-finance"' in shown
        assert "sx-finance2" in shown


def test_a_department_taking_another_ones_full_name_gets_none_of_its_records(
    tmp_path: Path, write_org: WriteOrg, assess: Assess
) -> None:
    """The office's records may name an organisation by its full name, which a department writes itself:
    two organisations of the run with one name both fail, so that neither is scored with the other's records."""
    real = write_org("a", performance={"conduct_rating": 70})
    impostor = write_org("b", performance={"conduct_rating": 70})
    impostor.write_text(impostor.read_text("utf-8").replace("测试单位b", "测试单位a"), "utf-8")
    write_org("c", performance={"conduct_rating": 70})
    write_records(tmp_path, {"organisations": {"测试单位a": {"performance.conduct_rating": 92.5}}})
    result = assess()
    assert sorted(organisation.path for organisation in result.failed) == [real, impostor]
    for organisation, other in ((result.failed[0], impostor), (result.failed[1], real)):
        (error,) = organisation.errors
        assert (error.file, error.table, error.key) == (str(organisation.path), "organisation", "name")
        assert error.found == f'"测试单位a" (also in {other})'
    assert sorted(result.ledgers) == ["c"]


def test_records_of_one_fact_under_the_id_and_the_full_name_fail_the_organisation(
    tmp_path: Path, write_org: WriteOrg, assess: Assess
) -> None:
    """Two office records of one fact for one organisation, one by id and one by full name,
    disagree or not: neither silently wins; the organisation fails naming both places."""
    write_org("a")
    write_org("b")
    write_records(
        tmp_path,
        {
            "organisations": {
                "a": {"performance.target_grade": "good"},
                "测试单位a": {"performance.target_grade": "excellent", "performance.conduct_rating": 90},
            }
        },
    )
    result = assess()
    (failed,) = result.failed
    assert failed.id == "a"
    (error,) = failed.errors
    assert error.key == "performance.target_grade"
    assert "测试单位a" in error.file + error.found
    assert '"a"' in error.file + error.found
    assert sorted(result.ledgers) == ["b"]


@pytest.mark.parametrize(
    ("source", "zh", "en"),
    [
        (
            "history store: 2019 five_star = false",
            "历史记录：2019年度未评为五星双优",
            "history store: 2019 not five-star",
        ),
        ("history store: 2019 five_star = true", "历史记录：2019年度评为五星双优", "history store: 2019 five-star"),
        ("history store: 2019 conduct_rating", "历史记录：2019年度行风评议成绩", "history store: 2019 conduct rating"),
        (
            "office records: records/a.csv row 13",
            "工委核实记录 records/a.csv 第13行",
            "office records records/a.csv row 13",
        ),
    ],
)
def test_a_conflicts_source_is_in_the_reports_language(source: str, zh: str, en: str) -> None:
    """The machine text of a source (a fact's history, a CSV row) never reaches a Chinese report as is."""
    from fivestar.report.labels import labels_for
    from fivestar.report.view import decision_lines

    entry = {"conflicts": [{"fact": "bonus.previous_award", "claimed": True, "used": False, "source": source}]}
    (line,) = decision_lines(entry, labels_for("zh"))
    assert zh in line
    assert "five_star" not in line and "row" not in line and "false" not in line
    (line,) = decision_lines(entry, labels_for("en"))
    assert en in line


def test_a_department_is_never_told_to_fill_in_a_fact_it_does_not_own(invoke: Invoke, tmp_path: Path) -> None:
    """The template leaves out office-owned and derived facts ("部门无需填写"): `template --check` and
    `validate` must not then report them as still missing; a department's own fact left out still is."""
    template = tmp_path / "t.toml"
    assert invoke("template", "--output", template).exit_code == 0
    text = template.read_text("utf-8").replace('name = ""', 'name = "中共绍兴市测试局机关委员会"', 1)
    template.write_text(text.replace("political_priority = false", "", 1), "utf-8")
    checked = invoke("template", "--check", template)
    validated = invoke("validate", template)
    for result in (checked, validated):
        for fact in OFFICE_FACTS_2020 | DERIVED_FACTS_2020:
            assert f"] {fact.split('.', 1)[1]}:" not in result.stdout, (fact, result.stdout)
        assert "[learning] political_priority:" in result.stdout
    assert "3 missing fact(s)" in validated.stdout  # political_priority and the two record lists
