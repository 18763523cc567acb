"""Documented limits on the office's files (records TOML/CSV/xlsx, reviews)
and on what an xlsx unpacks to (docs/security.md#limits). An office file
covers the whole city, so its size and entries have limits of their own,
far larger than a department's; beyond them the run stops with exit 2 and
an error naming the file, the limit and what was found."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import write_toml
from fivestar.cli import main
from fivestar.config import load_config
from fivestar.limits import Limits
from fivestar.model import InputError
from fivestar.pipeline import run
from fivestar.workbook_limits import workbook_problem

WriteOrg = Callable[..., Path]
WriteConfig = Callable[..., Path]


@pytest.fixture
def org_a(write_org: WriteOrg) -> Path:
    return write_org("a")


def records_csv(tmp_path: Path, text: str, name: str = "records.csv") -> Path:
    path = tmp_path / "records" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def office_problems(config: Path) -> list[tuple[str, str, str, str, str, str]]:
    with pytest.raises(InputError) as raised:
        run(load_config(config))
    return [
        (problem.severity, problem.file, problem.table, problem.key, problem.expected, problem.found)
        for problem in raised.value.problems
    ]


def zip_bomb(megabytes: int) -> bytes:
    """A zip of a few kB whose one part unpacks to ``megabytes`` MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (megabytes * 1_000_000))
    return buffer.getvalue()


def only_workbook_error(write_config: WriteConfig, workbook: Path) -> tuple[str, str]:
    """The one error of the one failed organisation, ``workbook``, of a run over orgs/*.toml and orgs/*.xlsx;
    organisation a is scored."""
    result = run(load_config(write_config(assessment={"organisations": ["orgs/*.toml", "orgs/*.xlsx"]})))
    (failed,) = result.failed
    assert failed.path == workbook
    assert [organisation.id for organisation in result.organisations if organisation.valid] == ["a"]
    ((expected, found),) = [(problem.expected, problem.found) for problem in failed.errors]
    return expected, found


def test_the_office_limits_are_far_larger_than_a_departments() -> None:
    office = Limits().for_office()
    assert (office.file_bytes, office.entries) == (50_000_000, 100_000)
    assert (office.text_chars, office.problems) == (Limits().text_chars, Limits().problems)
    assert office.file_bytes > 10 * Limits().file_bytes and office.entries > 10 * Limits().entries


def test_an_office_file_larger_than_its_limit_stops_the_run(
    tmp_path: Path, org_a: Path, write_config: WriteConfig
) -> None:
    path = records_csv(tmp_path, "组织,行风评议成绩\n" + "a,80\n" * 500)
    config = write_config(limits={"office_file_bytes": 1_000})
    ((severity, file, table, key, expected, found),) = office_problems(config)
    assert (severity, file, table, key) == ("error", str(path), "", "")
    assert expected == "a file of at most 1.0 kB ([limits] office_file_bytes)"
    assert found == f"{path.stat().st_size / 1000:.1f} kB"


def test_an_office_file_larger_than_a_departments_limit_is_read(
    tmp_path: Path, org_a: Path, write_config: WriteConfig
) -> None:
    """3 MB of records (beyond the 2 MB of one evidence file) is within the office's 50 MB."""
    path = tmp_path / "records" / "records.toml"
    path.parent.mkdir()
    padding = "# " + "x" * 1_000 + "\n"
    path.write_text('[organisations.a]\n"performance.conduct_rating" = 80\n' + padding * 3_000, encoding="utf-8")
    result = run(load_config(write_config()))
    assert not result.failed
    assert result.ledgers["a"].organisation.facts["performance"]["conduct_rating"] == 80


def test_too_many_rows_in_a_records_sheet(tmp_path: Path, org_a: Path, write_config: WriteConfig) -> None:
    path = records_csv(tmp_path, "组织,行风评议成绩\n" + "".join(f"o{number},80\n" for number in range(11)))
    config = write_config(limits={"office_entries": 10})
    ((_severity, file, table, key, expected, found),) = office_problems(config)
    assert (file, table, key) == (str(path), "", "")
    assert expected == "a header row and at most 10 rows ([limits] office_entries)"
    assert found == "11 rows"


def test_too_many_entries_in_a_reviews_file(tmp_path: Path, org_a: Path, write_config: WriteConfig) -> None:
    findings = [{"item": "learning.political_priority", "reason": f"第{number}次"} for number in range(11)]
    path = write_toml(tmp_path / "reviews" / "reviews.toml", {"organisations": {"a": {"findings": findings}}})
    config = write_config(limits={"office_entries": 10})
    ((_severity, file, table, key, expected, found),) = office_problems(config)
    assert (file, table, key) == (str(path), "organisations", "a.findings")
    assert expected == "a list of at most 10 entries ([limits] office_entries)"
    assert found == "a list of 11 entries"


def test_an_over_long_text_in_records(tmp_path: Path, org_a: Path, write_config: WriteConfig) -> None:
    path = records_csv(tmp_path, f"组织,行风评议成绩\na,{'9' * 3000}\n")
    ((_severity, file, table, key, expected, found),) = office_problems(write_config())
    assert (file, table, key) == (str(path), "row 2", "column 2")
    assert expected == "a text of at most 2000 characters ([limits] text_chars)"
    assert found == "a text of 3000 characters"


def test_an_over_long_text_in_reviews(tmp_path: Path, org_a: Path, write_config: WriteConfig) -> None:
    finding: dict[str, Any] = {"item": "learning.political_priority", "reason": "虚报" * 1500}
    write_toml(tmp_path / "reviews" / "reviews.toml", {"organisations": {"a": {"findings": [finding]}}})
    ((_severity, _file, table, key, _expected, found),) = office_problems(write_config())
    assert (table, key) == ("organisations", "a.findings[0].reason")
    assert found == "a text of 3000 characters"


def test_the_problems_of_an_office_file_are_capped_with_a_count_that_stays_an_error(
    tmp_path: Path, org_a: Path, write_config: WriteConfig
) -> None:
    header = ",".join(["组织", *(f"unknown_{number}" for number in range(300))])
    path = records_csv(tmp_path, header + "\n")
    problems = office_problems(write_config())
    cap = Limits().problems
    assert len(problems) == cap + 1
    assert all(problem[0] == "error" and problem[1] == str(path) for problem in problems)
    assert problems[-1][4:] == (f"at most {cap} problems listed per file ([limits] problems)", f"{300 - cap} more")


def test_a_broken_office_file_exits_2_with_a_clear_error(
    tmp_path: Path, org_a: Path, write_config: WriteConfig
) -> None:
    records_csv(tmp_path, "组织,行风评议成绩\n" + "".join(f"o{number},80\n" for number in range(11)))
    config = write_config(limits={"office_entries": 10})
    result = CliRunner().invoke(main, ["run", str(config)])
    assert result.exit_code == 2, result.output
    assert "expected a header row and at most 10 rows ([limits] office_entries), found 11 rows" in result.output
    assert "Traceback" not in result.output


def test_an_office_workbook_that_unpacks_too_far_is_refused_before_it_is_inflated(
    tmp_path: Path, org_a: Path, write_config: WriteConfig
) -> None:
    path = tmp_path / "records" / "records.xlsx"
    path.parent.mkdir()
    path.write_bytes(zip_bomb(5))
    config = write_config(limits={"office_file_bytes": 100_000})
    ((_severity, file, _table, _key, expected, found),) = office_problems(config)
    assert file == str(path)
    assert expected == "a workbook that unpacks to at most 1.0 MB (10 × [limits] office_file_bytes)"
    assert found == "a workbook that unpacks to 5.0 MB"


def test_an_evidence_workbook_that_unpacks_too_far_fails_that_organisation_only(
    tmp_path: Path, org_a: Path, write_config: WriteConfig
) -> None:
    bomb = tmp_path / "orgs" / "bomb.xlsx"
    bomb.write_bytes(zip_bomb(30))
    expected, found = only_workbook_error(write_config, bomb)
    assert expected == "a workbook that unpacks to at most 20.0 MB (10 × [limits] file_bytes)"
    assert found == "a workbook that unpacks to 30.0 MB"


@pytest.mark.parametrize(("key", "value"), [("office_file_bytes", 10), ("office_entries", "100k")])
def test_a_bad_office_limit_is_a_config_error(write_config: WriteConfig, key: str, value: Any) -> None:
    with pytest.raises(InputError) as raised:
        load_config(write_config(limits={key: value}))
    assert [(problem.table, problem.key) for problem in raised.value.problems] == [("limits", key)]


def sparse_workbook(path: Path) -> Path:
    """A workbook of a few kB naming A1 and XFD1048576: read as a full grid,
    17 billion cells."""
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "sx-test"
    book.active["XFD1048576"] = "x"
    path.parent.mkdir(exist_ok=True)
    book.save(path)
    return path


def test_an_evidence_workbook_spanning_too_many_cells_is_refused_before_it_is_read(
    tmp_path: Path, org_a: Path, write_config: WriteConfig
) -> None:
    sparse = sparse_workbook(tmp_path / "orgs" / "sparse.xlsx")
    expected, found = only_workbook_error(write_config, sparse)
    assert (
        expected == "sheets of at most 2000000 cells from A1 to the last cell (unpacked size / 10, [limits] file_bytes)"
    )
    assert found == "xl/worksheets/sheet1.xml spanning 1048576 rows × 16384 columns"


def test_an_office_workbook_spanning_too_many_cells_stops_the_run(
    tmp_path: Path, org_a: Path, write_config: WriteConfig
) -> None:
    path = sparse_workbook(tmp_path / "records" / "records.xlsx")
    ((_severity, file, _table, _key, expected, found),) = office_problems(write_config())
    assert file == str(path)
    assert expected.startswith("sheets of at most 50000000 cells")
    assert found == "xl/worksheets/sheet1.xml spanning 1048576 rows × 16384 columns"


def test_cells_without_references_are_counted_where_the_readers_place_them(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    row = "<row>" + "<c/>" * 3_000 + "</row>"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "xl/worksheets/sheet1.xml", "<worksheet><sheetData>" + row * 1_000 + "</sheetData></worksheet>"
        )
    problem = workbook_problem(buffer.getvalue(), "w.xlsx", Limits())
    assert problem is not None and problem.found == "xl/worksheets/sheet1.xml spanning 1000 rows × 3000 columns"
    assert workbook_problem(buffer.getvalue(), "w.xlsx", Limits(file_bytes=40_000_000)) is None


def lying_workbook(megabytes: int, declared: int) -> bytes:
    """A workbook whose first sheet unpacks to ``megabytes`` MB of one long
    text while its headers (the local one and the directory's) declare
    ``declared`` bytes: the guard reads the declared sizes, so the reader
    must refuse to inflate further than they say."""
    import struct

    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "x"
    made = io.BytesIO()
    book.save(made)
    name = "xl/worksheets/sheet1.xml"
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + b"A" * (megabytes * 1_000_000) + b"</t></is></c></row>"
        b"</sheetData></worksheet>"
    )
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            archive.writestr(entry.filename, sheet if entry.filename == name else source.read(entry.filename))
    data = bytearray(rebuilt.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        local = archive.getinfo(name).header_offset
    struct.pack_into("<I", data, local + 22, declared)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + length] == name.encode():
            struct.pack_into("<I", data, central + 24, declared)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def test_an_evidence_workbook_that_unpacks_further_than_it_declares_fails_that_organisation_only(
    tmp_path: Path, org_a: Path, write_config: WriteConfig
) -> None:
    liar = tmp_path / "orgs" / "liar.xlsx"
    liar.write_bytes(lying_workbook(30, declared=1_000))
    assert workbook_problem(liar.read_bytes(), str(liar), Limits()) is None
    expected, found = only_workbook_error(write_config, liar)
    assert expected.startswith("an Excel workbook (.xlsx)")
    assert "larger than its declared uncompressed size" in found


def test_a_records_csv_the_csv_reader_refuses_is_a_clear_error(
    tmp_path: Path, org_a: Path, write_config: WriteConfig
) -> None:
    path = records_csv(tmp_path, "组织,行风评议成绩\na," + "8" * 200_000 + "\n")
    ((_severity, file, table, key, expected, found),) = office_problems(write_config())
    assert (file, table, key) == (str(path), "", "")
    assert expected == "a CSV file (in Excel: save as “CSV UTF-8”)"
    assert found.startswith("unreadable CSV: field larger than field limit")


def test_a_lone_carriage_return_in_a_records_csv_ends_a_row(
    tmp_path: Path, org_a: Path, write_config: WriteConfig
) -> None:
    records_csv(tmp_path, "组织,行风评议成绩\ra,88.5\r")
    result = run(load_config(write_config()))
    (organisation,) = result.organisations
    assert str(organisation.facts["performance"]["conduct_rating"]) == "88.5"


def test_a_quote_left_open_in_a_records_csv_stops_the_run_instead_of_swallowing_rows(
    tmp_path: Path, org_a: Path, write_config: WriteConfig
) -> None:
    """Without the check, the rows after the open quote became one cell of
    the row above: that organisation got an error and the others silently
    lost their records."""
    path = records_csv(tmp_path, '组织,行风评议成绩\na,"88.5\nb,90\nc,91\n')
    ((_severity, file, table, key, expected, found),) = office_problems(write_config())
    assert (file, table, key) == (str(path), "row 2", "")
    assert expected.startswith("one line per row")
    assert found == "a cell running over 3 lines: '88.5'…"


def test_a_reviews_file_of_another_cohort_is_refused_quickly_and_briefly(
    tmp_path: Path, write_org: WriteOrg, write_config: WriteConfig
) -> None:
    """Findings under names no organisation of the run has: the first few are
    given the nearest id (each is a search of every id), and the list is
    capped at the run's problems limit, the rest counted in one line."""
    for org_id in ("alpha", "beta"):
        write_org(org_id)
    unknown = {f"alpha{number:02d}": {"findings": [{"item": "norms.heavy.secretary_vacancy"}]} for number in range(40)}
    path = write_toml(tmp_path / "reviews" / "reviews.toml", {"organisations": unknown})
    with pytest.raises(InputError) as raised:
        run(load_config(write_config(limits={"problems": 30})))
    problems = raised.value.problems
    assert len(problems) == 31 and all(problem.file == str(path) for problem in problems)
    assert problems[-1].found == "10 more" and problems[-1].severity == "error"
    hinted = [problem for problem in problems[:-1] if "did you mean alpha?" in problem.found]
    assert [problem.table for problem in hinted] == [f'organisations."alpha{number:02d}"' for number in range(20)]
