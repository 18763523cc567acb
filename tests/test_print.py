"""The printed report: the sample's HTML printed to PDF by headless Chromium
fits the pages the office expects.

- the league table of the 12-department sample on one A4 landscape page,
  that of a 60-organisation cohort on at most three;
- each scorecard on at most two A4 portrait pages;
- every page carries its number and the date of the run.

Chromium and poppler's pdftotext/pdfinfo come from the distribution's
packages; `.ci/run` installs them and sets FIVESTAR_REQUIRE_CHROMIUM, so in
CI a missing browser is a failure, never a skip.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from fivestar.config import load_config
from fivestar.pipeline import run
from fivestar.report import RenderOptions
from fivestar.report.html_page import render_html

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "shaoxing-2020"
A4_PORTRAIT = (595, 842)
TOOLS = ("chromium", "pdftotext", "pdfinfo")


def browser() -> str:
    found = {tool: shutil.which(tool) for tool in TOOLS}
    missing = [tool for tool, path in found.items() if path is None]
    if missing:
        message = f"{', '.join(missing)} not installed (apt-get install chromium fonts-noto-cjk poppler-utils)"
        if os.environ.get("FIVESTAR_REQUIRE_CHROMIUM"):
            pytest.fail(message)
        pytest.skip(message)
    return found["chromium"] or ""


@dataclass(frozen=True)
class Printed:
    texts: list[str]
    sizes: list[tuple[int, int]]


def print_pdf(page: str, folder: Path) -> Printed:
    """The page printed as Chromium prints it; each page's text and size."""
    chromium = browser()
    html = folder / "report.html"
    pdf = folder / "report.pdf"
    html.write_text(page, encoding="utf-8")
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={folder / 'profile'}",
            f"--print-to-pdf={pdf}",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "10000", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    sizes = [
        (round(float(width)), round(float(height)))
        for width, height in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)
    ]
    texts = text.split("\f")[: len(sizes)]
    return Printed(texts, sizes)


def pages_of(printed: Printed, marks: list[str]) -> dict[str, list[int]]:
    """Which pages each part fills: a part starts on the page where its mark
    first appears and runs until the next part starts."""
    starts = []
    for mark in marks:
        first = next(index for index, text in enumerate(printed.texts) if mark in text)
        starts.append(first)
    assert starts == sorted(starts), "the parts are printed in order"
    ends = [*starts[1:], len(printed.texts)]
    return {mark: list(range(start, end)) for mark, start, end in zip(marks, starts, ends, strict=True)}


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Printed, list[tuple[str, str]]]:
    result = run(load_config(SAMPLE / "config.toml"))
    page = render_html(result, RenderOptions())
    organisations = sorted(
        ((ledger.total, ledger.organisation.id, ledger.organisation.name) for ledger in result.ledgers.values()),
        key=lambda entry: (-entry[0], entry[1]),
    )
    return print_pdf(page, tmp_path_factory.mktemp("sample")), [(org_id, name) for _t, org_id, name in organisations]


def test_sample_prints_cover_one_landscape_league_page_and_two_pages_a_scorecard(
    sample_pdf: tuple[Printed, list[tuple[str, str]]],
) -> None:
    printed, organisations = sample_pdf
    marks = ["评分标准版本", "总表", *(org_id for org_id, _name in organisations), "制表人"]
    parts = pages_of(printed, marks)
    assert parts["评分标准版本"] == [0]
    assert len(parts["总表"]) == 1
    assert all(printed.sizes[page] == A4_PORTRAIT[::-1] for page in parts["总表"])
    for org_id, _name in organisations:
        pages = parts[org_id]
        assert 1 <= len(pages) <= 2, (org_id, pages)
        assert all(printed.sizes[page] == A4_PORTRAIT for page in pages), org_id
    assert printed.sizes[0] == A4_PORTRAIT
    assert len(printed.sizes) <= 2 + 2 * len(organisations)


def test_every_printed_page_has_its_number_and_the_run_date(sample_pdf: tuple[Printed, list[tuple[str, str]]]) -> None:
    printed, _organisations = sample_pdf
    total = len(printed.texts)
    today = date.today().isoformat()
    for number, text in enumerate(printed.texts, 1):
        flat = re.sub(r"\s+", "", text)
        assert f"第{number}页，共{total}页" in flat, number
        assert today in text, number


def test_the_last_page_has_the_signature_lines(sample_pdf: tuple[Printed, list[tuple[str, str]]]) -> None:
    printed, _organisations = sample_pdf
    last = re.sub(r"\s+", "", printed.texts[-1])
    assert "制表人：" in last and "审核人：" in last and "日期：" in last


def test_a_cohort_of_sixty_prints_its_league_table_on_at_most_three_pages(tmp_path: Path) -> None:
    orgs = tmp_path / "orgs"
    orgs.mkdir()
    sources = sorted((SAMPLE / "orgs").glob("*.toml"))
    for copy in range(60 // len(sources)):
        for source in sources:
            text = source.read_text(encoding="utf-8")
            text = re.sub(r'^id = "([^"]+)"', rf'id = "\1-{copy}"', text, count=1, flags=re.MULTILINE)
            text = re.sub(r'^name = "([^"]+)"', rf'name = "\1（第{copy + 1}组）"', text, count=1, flags=re.MULTILINE)
            (orgs / f"{source.stem}-{copy}.toml").write_text(text, encoding="utf-8")
    config = (SAMPLE / "config.toml").read_text(encoding="utf-8")
    config = re.sub(r"^path = .*$", 'path = "history.sqlite3"', config, flags=re.MULTILINE)
    config = re.sub(r"^organisations = .*$", 'organisations = ["orgs/*.toml"]', config, flags=re.MULTILINE)
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    result = run(load_config(tmp_path / "config.toml"))
    assert len(result.ledgers) == 60
    last = min(result.ledgers.values(), key=lambda ledger: (ledger.total, ledger.organisation.id))
    page = render_html(result, RenderOptions(org=last.organisation.id))
    printed = print_pdf(page, tmp_path)
    parts = pages_of(printed, ["评分标准版本", "总表", last.organisation.id])
    assert 1 <= len(parts["总表"]) <= 3, parts
    assert all(printed.sizes[page] == A4_PORTRAIT[::-1] for page in parts["总表"])
    league_text = "".join(printed.texts[page] for page in parts["总表"])
    assert all(ledger.organisation.name[:8] in league_text for ledger in result.ledgers.values())
