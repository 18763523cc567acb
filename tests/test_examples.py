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
    award = finance["sections"]["bonus"]["items"]["bonus.previous_award"]
    assert award["sources"]["previous_award"] == "history store: 2019 five_star = true"
    assert before["sx-finance"]["awards"]["five_star"] is True
    assert award["points"] == 1

    commerce = after["sx-commerce"]["sections"]["performance"]["items"]["performance.conduct_rating"]
    assert commerce["sources"]["conduct_rating_prev"] == "evidence"

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
