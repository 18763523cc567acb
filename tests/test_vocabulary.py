"""Every word a report prints comes from the one vocabulary,
core/report/labels.py, in the report's language.

The reports of the sample (two years, so that the history charts and
tables are drawn) are rendered with every entry of the vocabulary marked
⟦…⟧. Taking away the marked words and what the run's data says (names,
ids, titles the plugins declare, the evidence's own text, numbers and
dates) must leave no word at all: a label written into a renderer instead
of the vocabulary fails here, in Chinese and in English.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from fivestar.cli import main
from fivestar.pipeline import RunResult
from fivestar.report import RenderOptions, terminal
from fivestar.report.excel import render_xlsx
from fivestar.report.html_page import render_html
from fivestar.report.labels import LABELS
from fivestar.report.terminal import render_table
from fivestar.report.view import short_name

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
MARKED = re.compile("⟦[^⟦⟧]*⟧")
WORDS = re.compile(r"[A-Za-z\u2e80-\u9fff]+")
TOOL = ("fivestar-assess", "assess")
"""The product's own name, printed as the report's author."""


def marked(lang: str) -> dict[str, str]:
    return {key: key if key == "html_lang" else f"⟦{text}⟧" for key, text in LABELS[lang].items()}


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, entry in value.items():
            yield str(key)
            yield from strings(entry)
    elif isinstance(value, (list, tuple)):
        for entry in value:
            yield from strings(entry)


def data_strings(result: RunResult) -> list[str]:
    """What the run's data says: organisations' names and evidence, the
    titles and ids the plugins declare, fact names and policy keys."""
    registry = result.context.registry
    found: set[str] = set(TOOL)
    for organisation in result.organisations:
        found |= {organisation.id, organisation.name, short_name(organisation.name), str(organisation.path)}
        found |= set(strings(organisation.raw)) | set(strings(organisation.facts))
    for section in registry.sections.values():
        found |= {section.id, section.title, section.title_en}
    for item in registry.items.values():
        found |= {item.id, item.title, item.title_en, *(spec.name for spec in item.facts)}
    for heavy in registry.heavy.values():
        found |= {heavy.id, heavy.title, heavy.title_en}
    found |= {key for key in registry.policies}
    found |= {result.context.edition}
    return sorted((text for text in found if text), key=len, reverse=True)


def unmarked(text: str, data: list[str], names: tuple[str, ...] = ()) -> list[str]:
    """The words left once the vocabulary's and the data's are taken away
    (and what is left of an organisation's name cut short to fit a column)."""
    while MARKED.search(text):
        text = MARKED.sub(" ", text)
    for piece in data:
        text = text.replace(piece, " ")
    return [word for word in WORDS.findall(text) if not any(word in name for name in names)]


class Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skip += tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag == "style"

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_text(page: str) -> str:
    parser = Text()
    parser.feed(page)
    return "\n".join(parser.parts)


def xlsx_text(content: bytes) -> str:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    texts = [*workbook.sheetnames]
    for sheet in workbook.worksheets:
        texts += [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if isinstance(cell, str)]
    return "\n".join(texts)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_word_of_every_report_is_in_the_vocabulary(
    sample_years: tuple[RunResult, Path], lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, config = sample_years
    data = data_strings(result)
    monkeypatch.setitem(LABELS, lang, marked(lang))
    monkeypatch.setattr(terminal, "WIDTH", 2000)
    monkeypatch.setattr(terminal, "TITLE_WIDTH", 1000)
    reports = {
        "table": render_table(result, RenderOptions(lang=lang)),
        "html": html_text(render_html(result, RenderOptions(lang=lang))),
        "xlsx": xlsx_text(render_xlsx(result, RenderOptions(lang=lang))),
    }
    for organisation in result.organisations:
        reports[f"table --org {organisation.id}"] = render_table(result, RenderOptions(lang=lang, org=organisation.id))
    if lang == "zh":
        for command in (["history", "sx-finance"], ["compare", "2019", "2020"]):
            output = CliRunner().invoke(main, [*command, "--config", str(config)])
            assert output.exit_code == 0, output.output
            reports[" ".join(command)] = output.stdout
    names = tuple(organisation.name for organisation in result.organisations)
    left = {name: words for name, text in reports.items() if (words := unmarked(text, data, names))}
    assert not left, left


def test_the_marks_reach_the_reports(sample_years: tuple[RunResult, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The test above is not empty: the reports do print the marked vocabulary."""
    result, _config = sample_years
    monkeypatch.setitem(LABELS, "zh", marked("zh"))
    page = html_text(render_html(result, RenderOptions()))
    assert "⟦总表⟧" in page and "⟦组织生活会⟧ = ⟦是⟧ → 1" in page
    assert "⟦未获评原因⟧" in render_table(result, RenderOptions(org="sx-civil-affairs"))


def test_a_label_written_into_a_renderer_is_found(sample_years: tuple[RunResult, Path]) -> None:
    result, _config = sample_years
    assert unmarked("⟦总表⟧ 合计 12", data_strings(result)) == ["合计"]
    assert unmarked("⟦总表⟧ Total 12", data_strings(result)) == ["Total"]
