"""The lines of problems found by searching a plain text are the lines the
line-by-line reader finds (tomllines.PlainKeyLines against KeyLines)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fivestar.tomllines import KeyLines, PlainKeyLines, key_lines

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import write_cohort  # noqa: E402

HANDMADE = [
    "[organisation]\nid = 'x'\n\n[learning]\ndues = true\n  reports = 3 # a comment\n",
    "top = 1\n[learning] # the first star\ndues=true\n[bonus]\n[[bonus.commendations]]\ndate = 2020-01-02\n"
    "[[bonus.commendations]]\nlevel = '省级'\ndate = 2020-03-04\n",
    "[organisation]\r\nid = 'x'\r\n[learning]\r\ndues = true\r\n[ bonus . showcase ]\r\nlevel = 1\r\n",
    "[learning]\nlist = [\n  1,\n  2,\n]\nrecords = [\n  { project = 'a', date = 2020-01-01 },\n]\nafter = 1\n",
    "[norms]\ndues = true\n[learning]\ndues = false\n[norms.extra]\ndues = 1\n",
]


def paths_to_try(text: str) -> set[tuple[str, str]]:
    """Every table and key the reader found, and a key missing under each."""
    paths = set()
    for path in KeyLines.of(text).lines:
        table, key = ".".join(path[:-1]), path[-1]
        paths.add((table, key))
        paths.add((".".join(path), "missing_key"))
        paths.add((".".join(path), "records[2].date"))
    paths |= {("", "nothing"), ("absent", "key"), ("learning", "")}
    return paths


def texts() -> list[str]:
    found = list(HANDMADE)
    for path in sorted((ROOT / "examples").rglob("*.toml")):
        found.append(path.read_text(encoding="utf-8-sig"))
    return found


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("cohort")
    write_cohort(40, folder)
    return [path.read_text(encoding="utf-8") for path in sorted((folder / "orgs").glob("*.toml"))]


def test_handmade_texts_are_plain() -> None:
    assert all(PlainKeyLines.fits(text) for text in HANDMADE)


def test_plain_lines_are_the_readers_lines(generated: list[str]) -> None:
    compared = 0
    for text in texts() + generated:
        if not PlainKeyLines.fits(text):
            continue
        reader, searcher = KeyLines.of(text), PlainKeyLines(text)
        for table, key in paths_to_try(text):
            assert searcher.line_of(table, key) == reader.line_of(table, key), (text[:60], table, key)
            compared += 1
    assert compared > 1000


@pytest.mark.parametrize(
    "text",
    [
        'note = """two\n[learning]\nlines"""\n',
        "note = '''two\nlines'''\n",
        "learning.dues = true\n",
        '"dues" = true\n',
        "['learning']\ndues = true\n",
        "[learning]\rdues = true\n",
        "[learning]\ndues = true\u2028\n",
    ],
)
def test_other_texts_are_read_line_by_line(text: str) -> None:
    assert not PlainKeyLines.fits(text)
    assert isinstance(key_lines(text), KeyLines)


def test_a_header_inside_a_multiline_string_is_not_a_table() -> None:
    text = '[organisation]\nnote = """\n[learning]\n"""\n[learning]\ndues = true\n'
    assert key_lines(text).line_of("learning", "missing") == 5
