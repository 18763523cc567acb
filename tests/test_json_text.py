"""The JSON result is written as text by a fast writer (fivestar.report.json_text);
it must give exactly the bytes of the plain definition: ``json.dumps`` of each
organisation's document (fivestar.report.organisation_documents), decimals
exact. Compared on the sample cohort, on generated cohorts (heavy items,
falsification, bonus records, failed files) and on awkward values."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fivestar.config import load_config
from fivestar.numbers import fmt, json_number
from fivestar.pipeline import RunResult, collector_paused, prepare, run, run_cohort
from fivestar.report import RenderOptions, joined, organisation_documents, render_json, run_header
from fivestar.report.json_text import MARKER, DocumentWriter, ExactEncoder, number_text


def reference_json(result: RunResult) -> str:
    """The JSON result by its definition, the slow way."""
    exact: dict[str, str] = {}

    def default(value: Any) -> Any:
        if isinstance(value, Decimal):
            try:
                return json_number(value)
            except ValueError:
                token = f"exact-{len(exact)}-token"
                exact[f'"{token}"'] = fmt(value)
                return token
        if isinstance(value, date):
            return value.isoformat()
        raise TypeError(type(value).__name__)

    def dumps(value: Any) -> str:
        text = json.dumps(value, ensure_ascii=False, default=default)
        for token, number in exact.items():
            text = text.replace(token, number)
        exact.clear()
        return text

    lines = [dumps(document) for document in organisation_documents(result)]
    return dumps(run_header(result))[:-1] + ', "organisations": [\n' + ",\n".join(lines) + "\n]}\n"


def written(result: RunResult) -> str:
    return joined(render_json(result, RenderOptions()))


def test_the_sample_cohort(sample_config: Path) -> None:
    config = sample_config
    result = run(load_config(config))
    text = written(result)
    assert '"duty_lists"' in text
    assert text == reference_json(result)


@pytest.mark.parametrize("seed", [7, 2020])
def test_generated_cohorts(generate: Any, tmp_path: Path, seed: int) -> None:
    config = generate.write_cohort(120, tmp_path, seed=seed)
    orgs = tmp_path / "orgs"
    reviews = tmp_path / "reviews.toml"
    reviews.write_text(
        reviews.read_text(encoding="utf-8") + '[[organisations."org-000000".findings]]\nitem = "learning.conveyed"\n',
        encoding="utf-8",
    )
    (orgs / "org-000003.toml").write_text("[learning\n", encoding="utf-8")
    result = run(load_config(config))
    text = written(result)
    assert '"status": "falsified"' in text
    assert '"status": "failed"' in text
    assert text == reference_json(result)


@pytest.mark.parametrize(
    "value",
    ["0", "-0", "3.00", "2.8", "-0.5", "0.00001", "1E+2", "12345678901234567.5", "0.1234567890123456789", "1e-7"],
)
def test_a_number_is_written_as_json_dumps_writes_it(value: str) -> None:
    number = Decimal(value)
    try:
        expected = json.dumps(json_number(number))
    except ValueError:
        expected = fmt(number)
    assert number_text(number) == expected


def test_awkward_text_and_extras(write_org: Callable[..., Path], assess: Callable[..., RunResult]) -> None:
    write_org("a", organisation={"name": '引号"与\\反斜杠\n换行\u0007'}, learning={"halfyear_reports": 1})
    write_org("b", learning={"halfyear_reports": "many"})
    result = assess()
    result.organisations[0].extras["note"] = {"when": date(2020, 5, 1), "figure": Decimal("12345678901234567.5")}
    assert written(result) == reference_json(result)


def test_a_run_makes_no_reference_cycles(sample_config: Path) -> None:
    """`assess run` pauses the cyclic garbage collector (fivestar.pipeline.collector_paused):
    that is sound only while scoring and writing leave nothing for it to collect."""
    config = sample_config
    loaded = load_config(config)
    pm, context = prepare(loaded)
    with collector_paused():
        gc.collect()
        result = run_cohort(loaded.organisation_files(), pm, context)
        written(result)
        assert gc.collect() == 0


@pytest.mark.parametrize("streamed", [False, True])
def test_a_file_name_that_is_not_utf8_is_written_with_replacement_characters(
    write_org: Callable[..., Path],
    write_config: Callable[..., Path],
    invoke: Callable[..., Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    streamed: bool,
) -> None:
    """A zip made on a Chinese Windows, unpacked on Linux, names its files in
    GBK: the run is scored and the JSON written, valid UTF-8, the name's
    undecodable bytes shown as U+FFFD (the file 财政.toml in GBK, and a
    reviews file named so), the same bytes in a file and on standard output."""
    import os

    import fivestar.pipeline
    from conftest import write_review

    write_org("finance")
    write_org("health")
    gbk = b"/\xb2\xc6\xd5\xfe.toml"
    os.rename(tmp_path / "orgs" / "finance.toml", os.fsencode(tmp_path / "orgs") + gbk)
    os.rename(write_review(tmp_path, "health", []), os.fsencode(tmp_path / "reviews") + gbk)
    monkeypatch.setattr(fivestar.pipeline, "STREAM_FROM", 1 if streamed else 10**9)
    target = tmp_path / "results.json"
    result = invoke("run", write_config(), "--format", "json", "--output", target, "--jobs", "2")
    assert result.exit_code == 0, result.output
    written = json.loads(target.read_bytes().decode("utf-8"))
    files = [document["file"] for document in written["organisations"]]
    assert sorted(Path(file).name for file in files) == ["health.toml", "\ufffd\ufffd\ufffd\ufffd.toml"]
    assert [Path(file).name for file in written["office"]["reviews"]] == ["\ufffd\ufffd\ufffd\ufffd.toml"]
    on_stdout = invoke("run", write_config(), "--format", "json", "--jobs", "2")
    assert on_stdout.exit_code == 0, on_stdout.output
    assert on_stdout.stdout_bytes == target.read_bytes()


def test_a_text_that_reads_as_the_decimal_marker_stays_a_text() -> None:
    """A decimal no float holds stands as a marker string in the encoder's
    text until its own text replaces it; a text of the value that reads as
    that marker (at the start of a string, after an escaped quote, as a key)
    is written as the text it is, and the decimal exactly."""
    encoder = ExactEncoder()
    exact = Decimal("0.1234567890123456789")
    for text in (f"{MARKER}0", f'x"{MARKER}0', f"{MARKER}1"):
        value = {"text": text, text: [exact, Decimal("2.5")], "again": exact}
        written = encoder.dumps(value)
        assert json.loads(written, parse_float=Decimal) == value
        assert written.count("0.1234567890123456789") == 2
    assert encoder.dumps({"plain": exact}) == '{"plain": 0.1234567890123456789}'


@pytest.mark.parametrize("policy", ["hours-split", "all-or-nothing"])
def test_a_custom_rule_s_lines_are_remembered_by_its_facts_where_it_says_so(
    write_org: Callable[..., Path], assess: Callable[..., RunResult], policy: str
) -> None:
    """``learning.study_hours`` is ``Custom(..., basis_by_facts=True)``: two
    organisations with the same three facts share one remembered text, and
    every text is still the one its own basis writes, under either policy;
    so do two with the same records (``bonus.commendations``, a list of
    tables, remembered as tuples)."""
    same = {"member_hours_met": True, "leader_hours_met": True, "xuexi_promoted": False}
    listed = {"project": "党建品牌", "level": "provincial", "date": date(2020, 5, 1), "document": "浙委〔2020〕1号"}
    write_org("a", learning=same, bonus={"commendations": [listed]})
    write_org("b", learning=same, bonus={"commendations": [listed]})
    other = {**listed, "level": "municipal"}
    write_org("c", learning={**same, "xuexi_promoted": True}, bonus={"commendations": [other]})
    result = assess(policy={"study_hours": policy})
    assert written(result) == reference_json(result)
    writer = DocumentWriter({}, "test")
    for organisation in result.organisations:
        writer.document(organisation, result.ledgers[organisation.id])
    study_hours = writer.items["learning.study_hours"]
    assert study_hours.by_facts
    assert study_hours.memo is not None and len(study_hours.memo) == 2
    commendations = writer.items["bonus.commendations"]
    assert commendations.records and commendations.memo is not None and len(commendations.memo) == 2
    conveyed = writer.items["learning.conveyed"]
    assert not conveyed.by_facts
