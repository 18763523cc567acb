"""The sample cohorts in examples/ as a user runs them: 2019 saved, then
2020 saved, last year feeding this year, history and compare showing it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import Result

Invoke = Callable[..., Result]

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    copy = tmp_path / "examples"
    shutil.copytree(EXAMPLES, copy, ignore=shutil.ignore_patterns("*.sqlite3"))
    return copy


def organisations(output: str) -> dict[str, dict]:
    return {entry["id"]: entry for entry in json.loads(output, parse_float=Decimal)["organisations"]}


def test_the_2020_sample_scores_every_organisation(invoke: Invoke, examples: Path) -> None:
    result = invoke("run", examples / "shaoxing-2020" / "config.toml", "--format", "json")
    assert result.exit_code == 0, result.output
    documents = organisations(result.stdout)
    assert len(documents) >= 10
    assert all(document["status"] == "scored" for document in documents.values())
    assert any(document["heavy"] for document in documents.values())
    assert any(
        item["status"] == "falsified"
        for document in documents.values()
        for section in document["sections"].values()
        for item in section["items"].values()
    )
    assert any(document.get("duty_lists") for document in documents.values())


def test_the_2020_sample_has_the_offices_records_and_reviews(invoke: Invoke, examples: Path) -> None:
    result = invoke("run", examples / "shaoxing-2020" / "config.toml", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout, parse_float=Decimal)
    assert document["cohort"]["performance.conduct_average"] == Decimal("81.99")
    assert document["cohort"]["performance.conduct_average_source"] == "office"
    documents = {entry["id"]: entry for entry in document["organisations"]}

    market = documents["sx-market-regulation"]
    (conflict,) = market["conflicts"]
    assert (conflict["fact"], conflict["claimed"], conflict["used"]) == (
        "performance.conduct_rating",
        Decimal("72.8"),
        Decimal("71.6"),
    )
    assert conflict["source"].startswith("office records: ")
    # official rank 12 of 14: among the bottom three although the run has no one below it but two
    assert [(heavy["id"], heavy["source"]) for heavy in market["heavy"]] == [
        ("performance.heavy.bottom_three", "derived: official rank 12/14")
    ]

    (finding,) = documents["sx-housing"]["findings"]
    assert (finding["item"], finding["found_by"], finding["withdrawn"]) == (
        "norms.three_meetings",
        "市直机关工委第二督查组",
        False,
    )
    assert finding["reason"]
    education = documents["sx-education"]
    assert [(appeal["item"], appeal["outcome"]) for appeal in education["appeals"]] == [("norms.dues", "upheld")]
    assert education["findings"][0]["withdrawn"] is True
    assert education["sections"]["norms"]["items"]["norms.dues"]["status"] == "scored"
    staff = {
        entry["obligations"][-1]["recorded"]
        for document in documents.values()
        for entry in document.get("duty_lists", [])
        if entry["level"] == "unit_secretary"
    }
    assert len(staff) > 5  # organ_staff varies from file to file


def test_2019_feeds_2020_through_the_history_store(invoke: Invoke, examples: Path) -> None:
    config_2019 = examples / "shaoxing-2019" / "config.toml"
    config_2020 = examples / "shaoxing-2020" / "config.toml"
    first = invoke("run", config_2019, "--save", "--format", "json")
    assert first.exit_code == 0, first.output
    before = organisations(first.stdout)

    second = invoke("run", config_2020, "--save", "--format", "json")
    assert second.exit_code == 0, second.output
    after = organisations(second.stdout)

    finance = after["sx-finance"]
    conduct = finance["sections"]["performance"]["items"]["performance.conduct_rating"]
    assert conduct["sources"]["conduct_rating_prev"] == "history store: 2019 conduct_rating"
    assert str(conduct["facts"]["conduct_rating_prev"]) == str(
        before["sx-finance"]["sections"]["performance"]["items"]["performance.conduct_rating"]["facts"][
            "conduct_rating"
        ]
    )
    # 两年一评: 2019 is not an award year, so nobody brings last year's award into 2020.
    assert not any(document["awards"]["five_star"] for document in before.values())
    assert all("备注1" in document["awards"]["withheld"].get("five_star", "备注1") for document in before.values())
    award = finance["sections"]["bonus"]["items"]["bonus.previous_award"]
    assert award["sources"]["previous_award"] == "history store: 2019 five_star = false"
    assert award["points"] == 0
    assert "2019年度" in award["basis"]

    # culture-tourism claims the award anyway: the store wins, and the claim is a conflict.
    culture = after["sx-culture-tourism"]
    assert culture["sections"]["bonus"]["items"]["bonus.previous_award"]["facts"]["previous_award"] is False
    assert {
        "fact": "bonus.previous_award",
        "claimed": True,
        "used": False,
        "source": "history store: 2019 five_star = false",
    } in culture["conflicts"]

    # commerce claims last year's rating as the store has it: no conflict.
    commerce = after["sx-commerce"]
    conduct = commerce["sections"]["performance"]["items"]["performance.conduct_rating"]
    assert conduct["sources"]["conduct_rating_prev"] == "history store: 2019 conduct_rating"
    assert not [conflict for conflict in commerce["conflicts"] if conflict["fact"].startswith("performance.")]

    history = invoke("history", "sx-finance", "--config", config_2020, "--format", "json")
    years = json.loads(history.stdout, parse_float=Decimal)["years"]
    assert [entry["year"] for entry in years] == [2019, 2020]
    assert years[1]["change"] == after["sx-finance"]["total"] - before["sx-finance"]["total"]

    compare = invoke("compare", "2019", "2020", "--config", config_2020, "--format", "json")
    moves = json.loads(compare.stdout, parse_float=Decimal)["organisations"]
    changes = [abs(move["change"]) for move in moves]
    assert changes == sorted(changes, reverse=True)
    assert {move["id"] for move in moves} == set(after)


def test_the_duty_lists_of_the_sample(invoke: Invoke, examples: Path) -> None:
    result = invoke("duties", examples / "shaoxing-2020" / "config.toml", "--format", "json")
    assert result.exit_code == 1, result.output
    assert "sx-civil-affairs" in result.stdout
