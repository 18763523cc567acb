"""Fuzzing the inputs (hypothesis): evidence, the office's records and
reviews, and run configs, generated at random and by mutating the sample's
files. Whatever the bytes, the exit-code contract holds (0 scored or valid,
1 some organisation failed, 2 a bad config or office file) and no traceback
escapes; one broken evidence file never stops the others being scored.

``FUZZ_EXAMPLES`` sets the examples per test (a few dozen in the suite);
``python benchmarks/fuzz_campaign.py`` runs a long campaign with its seed."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from fivestar.cli import main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "shaoxing-2020"
SECTIONS = ["organisation", "learning", "norms", "service", "democracy", "innovation", "performance", "bonus"]
FACTS = [
    "id",
    "name",
    "halfyear_reports",
    "unimplemented",
    "conduct_rating",
    "conduct_rating_prev",
    "target_grade",
    "showcase",
    "commendations",
    "station_activities",
    "leadership",
    "political_priority",
    "top_ten_brand",
]
PLAIN = '[organisation]\nid = "plain"\nname = "对照单位"\n[learning]\nhalfyear_reports = 2\n'

texts = st.text(st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["", " ", "财政局\u0001", "\x1b[31m红\x1b[0m", "a\u0000b", "=HYPERLINK(1)", "../../etc/passwd", "局" * 300]
)


class Raw(str):
    """A number as the file writes it (``1e999999``, ``99.9999``, ``nan``)."""


def decimal_text(number: Decimal) -> Raw:
    text = str(number)
    if not number.is_finite():
        text = "nan" if number.is_nan() else ("-inf" if number < 0 else "inf")
    return Raw(text)


numbers = (
    st.integers(min_value=-(10**30), max_value=10**30)
    | st.sampled_from([0, 1, 2, 100, 101, -1, 10**4300 - 1])
    | st.decimals(allow_nan=True, allow_infinity=True).map(decimal_text)
    | st.sampled_from(["1e999999", "1e-999999", "99.9999", "100.00001", "-0.0", "nan", "inf", "5.12345"]).map(Raw)
)
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
scalars = st.booleans() | numbers | texts | dates
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(FACTS) | texts, inner, max_size=4),
    max_leaves=12,
)


def toml_key(key: str) -> str:
    return json.dumps(key)


def toml_value(value: Any) -> str:
    """TOML text of a generated value (numbers drawn as text are written as the file would)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(entry) for entry in value) + "]"
    return "{" + ", ".join(f"{toml_key(key)} = {toml_value(entry)}" for key, entry in value.items()) + "}"


def toml_document(document: dict[str, dict[str, Any]]) -> str:
    lines = []
    for table, entries in document.items():
        lines.append(f"[{toml_key(table)}]")
        lines += [f"{toml_key(key)} = {toml_value(value)}" for key, value in entries.items()]
    return "\n".join(lines) + "\n"


documents = st.dictionaries(
    st.sampled_from([*SECTIONS, "review", "assessment", "office"]) | texts,
    st.dictionaries(st.sampled_from(FACTS) | texts, values, max_size=6),
    max_size=5,
)


@st.composite
def mutated(draw: st.DrawFn, text: str | bytes) -> bytes:
    """A sample file with a few bytes replaced, inserted or cut."""
    content = bytearray(text.encode("utf-8") if isinstance(text, str) else text)
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(content)))
        action = draw(st.sampled_from(["replace", "insert", "cut"]))
        byte = draw(st.integers(0, 255))
        if action == "insert" or position == len(content):
            content[position:position] = bytes([byte])
        elif action == "replace":
            content[position] = byte
        else:
            del content[position : position + draw(st.integers(1, 20))]
    return bytes(content)


SAMPLE_EVIDENCE = (SAMPLE / "orgs" / "commerce.toml").read_text(encoding="utf-8")
SAMPLE_WORKBOOK = (SAMPLE / "orgs" / "finance.xlsx").read_bytes()
SAMPLE_RECORDS = (SAMPLE / "records" / "2020.toml").read_text(encoding="utf-8")
SAMPLE_REVIEWS = (SAMPLE / "reviews" / "2020.toml").read_text(encoding="utf-8")
evidence_bytes = documents.map(lambda document: toml_document(document).encode("utf-8")) | mutated(SAMPLE_EVIDENCE)


@contextmanager
def cohort(evidence: bytes, config: str = "", suffix: str = ".toml") -> Iterator[Path]:
    """A folder with config.toml, orgs/plain.toml and orgs/fuzzed.toml (or .xlsx)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "orgs").mkdir()
        (root / "orgs" / "plain.toml").write_text(PLAIN, encoding="utf-8")
        (root / "orgs" / f"fuzzed{suffix}").write_bytes(evidence)
        (root / "config.toml").write_text(
            config or f'[assessment]\nyear = 2020\norganisations = ["orgs/*.toml", "orgs/*{suffix}"]\n',
            encoding="utf-8",
        )
        yield root


def invoke(*arguments: object) -> Result:
    return CliRunner().invoke(main, [str(argument) for argument in arguments])


def holds_the_contract(result: Result, codes: set[int]) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in codes, result.output
    assert "Traceback" not in result.output


def plain_is_scored(result: Result) -> None:
    statuses = {entry["id"]: entry["status"] for entry in json.loads(result.stdout)["organisations"]}
    assert statuses["plain"] == "scored", statuses


@FUZZ
@given(evidence_bytes)
def test_any_evidence_is_validated_or_refused_never_crashes(evidence: bytes) -> None:
    with cohort(evidence) as root:
        holds_the_contract(invoke("validate", root / "orgs" / "fuzzed.toml"), {0, 1})
        result = invoke("run", root / "config.toml", "--format", "json")
        holds_the_contract(result, {0, 1})
        plain_is_scored(result)


@FUZZ
@given(mutated(SAMPLE_WORKBOOK))
def test_any_workbook_is_validated_or_refused_never_crashes(workbook: bytes) -> None:
    with cohort(workbook, suffix=".xlsx") as root:
        holds_the_contract(invoke("validate", root / "orgs" / "fuzzed.xlsx"), {0, 1})
        result = invoke("run", root / "config.toml", "--format", "json")
        holds_the_contract(result, {0, 1})
        plain_is_scored(result)


office_documents = st.fixed_dictionaries(
    {"organisations": st.dictionaries(st.sampled_from(["plain", "fuzzed"]) | texts, documents, max_size=3)}
)


def office_text(document: dict[str, Any]) -> str:
    lines = []
    for org_id, tables in document["organisations"].items():
        for table, entries in tables.items():
            lines.append(f"[organisations.{toml_key(org_id)}.{toml_key(table)}]")
            lines += [f"{toml_key(key)} = {toml_value(value)}" for key, value in entries.items()]
    return "\n".join(lines) + "\n"


office_bytes = office_documents.map(lambda document: office_text(document).encode("utf-8"))


@FUZZ
@given(office_bytes | mutated(SAMPLE_RECORDS), office_bytes | mutated(SAMPLE_REVIEWS))
def test_any_office_records_and_reviews_are_read_or_refused_never_crash(records: bytes, reviews: bytes) -> None:
    config = (
        '[assessment]\nyear = 2020\norganisations = ["orgs/*.toml"]\n'
        '[office]\nrecords = ["records.toml"]\nreviews = ["reviews.toml"]\n'
    )
    with cohort(PLAIN.replace("plain", "fuzzed").encode("utf-8"), config) as root:
        (root / "records.toml").write_bytes(records)
        (root / "reviews.toml").write_bytes(reviews)
        holds_the_contract(invoke("run", root / "config.toml", "--format", "json"), {0, 1, 2})


SAMPLE_CSV_RECORDS = (SAMPLE / "records" / "2020-conduct-rating.csv").read_text(encoding="utf-8")
cells = texts | values.map(str) | st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str)


def records_workbook(rows: list[list[str]]) -> bytes:
    """An xlsx sheet of these cells (less the characters a workbook cannot hold)."""
    import io

    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook()
    for row in rows:
        book.active.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


sample_rows = [line.split(",") for line in SAMPLE_CSV_RECORDS.splitlines()]
record_rows = st.lists(st.lists(cells, min_size=1, max_size=4), max_size=4).map(
    lambda extra: [sample_rows[0], *sample_rows[1:3], *extra]
)


SAMPLE_RECORDS_WORKBOOK = records_workbook(sample_rows)
"""Made once: a workbook's bytes carry the time it was written."""
records_sheets = (
    st.tuples(st.just(".csv"), record_rows.map(lambda rows: "\n".join(",".join(row) for row in rows).encode("utf-8")))
    | st.tuples(st.just(".xlsx"), record_rows.map(records_workbook))
    | st.tuples(st.just(".csv"), mutated(SAMPLE_CSV_RECORDS))
    | st.tuples(st.just(".xlsx"), mutated(SAMPLE_RECORDS_WORKBOOK))
)


@FUZZ
@given(records_sheets)
def test_any_office_records_sheet_is_read_or_refused_never_crashes(sheet: tuple[str, bytes]) -> None:
    suffix, content = sheet
    config = f'[assessment]\nyear = 2020\norganisations = ["orgs/*.toml"]\n[office]\nrecords = ["records{suffix}"]\n'
    with cohort(PLAIN.replace("plain", "fuzzed").encode("utf-8"), config) as root:
        (root / f"records{suffix}").write_bytes(content)
        holds_the_contract(invoke("run", root / "config.toml", "--format", "json"), {0, 1, 2})


config_tables = st.fixed_dictionaries(
    {"assessment": st.dictionaries(st.sampled_from(["year", "organisations", "award_year", "edition"]), values)},
    optional={
        "policy": st.dictionaries(st.sampled_from(["star_threshold", "heavy_default", "unrated"]) | texts, values),
        "rules": st.dictionaries(st.just("disable"), values),
        "limits": st.dictionaries(st.sampled_from(["file_bytes", "entries", "text_chars", "problems"]), values),
        "store": st.dictionaries(st.just("path"), st.sampled_from(["h.sqlite3", "a\u0000b", "", "orgs"])),
        "unknown": st.dictionaries(texts, values, max_size=2),
    },
)


@FUZZ
@given(config_tables | st.builds(dict))
def test_any_run_config_is_used_or_refused_never_crashes(tables: dict[str, Any]) -> None:
    text = toml_document(tables)
    with cohort(PLAIN.replace("plain", "second").encode("utf-8"), text) as root:
        holds_the_contract(invoke("run", root / "config.toml", "--format", "json"), {0, 1, 2})


@FUZZ
@given(mutated('[assessment]\nyear = 2020\norganisations = ["orgs/*.toml"]\n[limits]\nentries = 100\n'))
def test_any_mutated_run_config_is_used_or_refused_never_crashes(config: bytes) -> None:
    with cohort(PLAIN.replace("plain", "second").encode("utf-8")) as root:
        (root / "config.toml").write_bytes(config)
        holds_the_contract(invoke("run", root / "config.toml", "--format", "json"), {0, 1, 2})
