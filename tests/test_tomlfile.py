"""The two TOML parsers give one answer (``core/tomlfile.py``): whatever the
fast parser (``toml_rs``) reads, it reads as ``tomli`` does, value for value
and type for type, and every document it refuses or must not be given gets
``tomli``'s answer, its error word for word."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import toml_rs
from fivestar.tomlfile import (
    FAST_PARSER_BRACKETS,
    NESTED_TOO_DEEPLY,
    fast_parser_may_read,
    may_nest_deeper,
    nested_deeper,
    nesting_bound,
    parse_toml,
    parse_toml_text,
)
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]


def shape(value: Any) -> Any:
    """A value with its types and its decimals' own text: ``1.0`` and ``1``,
    ``true`` and ``1`` compare equal in Python, not here."""
    if isinstance(value, dict):
        return ("table", [(key, shape(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("array", [shape(item) for item in value])
    return (type(value).__name__, repr(value))


def answer(parse: Any, text: str) -> Any:
    try:
        return shape(parse(text))
    except tomllib.TOMLDecodeError as error:
        return ("error", str(error))


def tomli_answer(text: str) -> Any:
    return answer(parse_toml_text, text)


def fast_answer(text: str) -> Any:
    return answer(lambda document: parse_toml(document.encode()), text)


def fast_parser_reads(text: str) -> bool:
    try:
        toml_rs.loads(text, parse_float=Decimal, toml_version="1.0.0")
    except Exception:
        return False
    return True


EDGE_CASES = {
    "special floats": "a = inf\nb = -inf\nc = nan\nd = +nan",
    "float forms": "a = 1_000.5\nb = 3.14E+2\nc = 1e3\nd = -0.0\ne = 0.10\nf = 1_2.3_4e5_6",
    "long decimal": "a = 3.14159265358979323846264338327950288419716939937510",
    "huge and tiny exponents": "a = 1e400\nb = 5e-400",
    "integer forms": "a = 0xDEAD_BEEF\nb = 0o755\nc = 0b1101\nd = -0\ne = +0\nf = 1_000",
    "integer beyond 64 bits": "a = 99999999999999999999",
    "integer of 4,300 digits": "a = " + "7" * 4_300,
    "integer of 4,301 digits": "a = " + "7" * 4_301,
    "integer of 4,301 digits and underscores": "a = 1_" + "7" * 4_299,
    "decimal of 5,000 digits": "a = 0." + "7" * 5_000,
    "integer of 64 bits": "a = 9223372036854775807\nb = -9223372036854775808",
    "date-times": (
        "a = 1979-05-27T07:32:00Z\nb = 1979-05-27T00:32:00.999999999-07:00\nc = 1979-05-27T07:32:00\n"
        "d = 1979-05-27\ne = 07:32:00.1234567\nf = 1979-05-27t07:32:00z\ng = 1979-05-27 07:32:00"
    ),
    "leap day": "a = 2020-02-29",
    "no such day": "a = 2021-02-30",
    "hour 24": "a = 24:00:00",
    "CRLF": "a = 1\r\nb = 2\r\n",
    "bare CR": "a = 1\rb = 2",
    "control character in a comment": "a = 1 # \x07 bell",
    "DEL in a string": 'a = "\x7f"',
    "NUL in a string": 'a = "\x00"',
    "surrogate escape": 'a = "\\uD800"',
    "TOML 1.1 escape": 'a = "\\e"',
    "TOML 1.1 inline table over lines": "a = {b = 1,\n c = 2}",
    "TOML 1.1 time without seconds": "a = 07:32",
    "TOML 1.1 trailing comma in an inline table": "a = {b = 1,}",
    "duplicate key": "a = 1\na = 2",
    "table declared twice": "[a]\nb = 1\n[a]\nc = 2",
    "array of tables then a table": "[[a]]\nb = 1\n[a]\n",
    "dotted keys": "a.b.c = 1\na.d = 2",
    "dotted key then its table": "a.b = 1\n[a]\nc = 2",
    "namespace redefined": "[a.b]\nc = 1\n[a]\nb.d = 2",
    "leading zero": "a = 012",
    "float without a leading digit": "a = .5",
    "float without a trailing digit": "a = 5.",
    "quoted empty key": '"" = 1',
    "line-ending backslash": 'a = """\\\n   foo \\\n  bar"""',
    "literal strings": "a = '''\nx\\y'''\nb = 'c:\\d'",
    "Chinese key unquoted": "单位 = 1",
    "Chinese text": 'a = "财政局党委"',
    "mixed array": "a = [1, 'x', 2.0]",
    "trailing comma in an array": "a = [1, 2,]",
    "byte-order mark inside": "a = 1\n\ufeffb = 2",
}


@pytest.mark.parametrize("text", EDGE_CASES.values(), ids=EDGE_CASES.keys())
def test_edge_cases_read_as_tomli_reads_them(text: str) -> None:
    assert fast_answer(text) == tomli_answer(text)


def test_the_edge_cases_exercise_both_parsers() -> None:
    """Some of the cases are read by the fast parser, some refused by it and
    read or refused by ``tomli``: the comparison above tests both paths."""
    read_fast = [name for name, text in EDGE_CASES.items() if fast_parser_reads(text)]
    refused = [name for name, text in EDGE_CASES.items() if not fast_parser_reads(text)]
    assert "date-times" in read_fast and "special floats" in read_fast
    assert "TOML 1.1 escape" in refused and "TOML 1.1 inline table over lines" in refused
    assert tomli_answer(EDGE_CASES["TOML 1.1 escape"]) == ("table", [("a", ("str", "'\\x1b'"))])


def evidence_files() -> list[Path]:
    return sorted(ROOT.glob("examples/**/*.toml"))


def test_every_example_file_reads_as_tomli_reads_it() -> None:
    files = evidence_files()
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8-sig")
        assert fast_answer(text) == tomli_answer(text), path


def test_a_generated_cohort_reads_as_tomli_reads_it(generate: Any, tmp_path: Path) -> None:
    generate.write_cohort(60, tmp_path, seed=11)
    files = sorted(tmp_path.rglob("*.toml"))
    assert len(files) >= 60
    for path in files:
        content = path.read_bytes()
        assert fast_parser_reads(content.decode("utf-8-sig")), path
        assert shape(parse_toml(content)) == shape(parse_toml_text(content.decode("utf-8-sig"))), path


REVIEWS = "".join(f'[[organisations."org-{n:06d}".findings]]\nitem = "x"\npoints = {n % 10}\n' for n in range(3_000))


def test_a_document_of_many_table_headers_is_read_fast_and_as_tomli_reads_it() -> None:
    """The office's reviews of a large cohort: thousands of ``[[...]]`` headers,
    none of them nesting anything."""
    assert REVIEWS.count("[") > 10 * FAST_PARSER_BRACKETS
    assert nesting_bound(REVIEWS) == 2
    assert fast_parser_may_read(REVIEWS)
    assert fast_answer(REVIEWS) == tomli_answer(REVIEWS)


@pytest.mark.parametrize(
    "text",
    [
        REVIEWS + "deep = " + "[" * 399 + "]" * 399,
        REVIEWS + "deep = [\n" + '[["header-like"]],\n' * 500 + "[" * 400 + "]" * 400 + "]",
        "deep = [\n" + "[\n" * 3_000 + "]\n" * 3_000 + "]",
        "a = " + "[" * 10_000 + "]" * 10_000,
        "a = " + "[{b = " * 5_000 + "1" + "}]" * 5_000,
        "a = " + "[" * 399 + "]" * 399,
        "a = " + "[" * 401 + "]" * 401,
        "a = [\n" + "[[1]\n,\n" * 20_000 + "1" + "]" * 20_001,
        "a = [\n" + "[[1]\n,\n" * 1_000 + "1" + "]" * 1_001,
        "a = [\n" + "[[ #]]\n" * 5_000 + "1" + "]" * 10_001,
        "a = [\n" + '[[ """ ]]\n""",\n' * 5_000 + "1" + "]" * 10_001,
        "x." * 200_000 + "y = 1",
        "[" + "x." * 200_000 + "y]\nz = 1",
        "a = [\n" + "{b.c.d = [\n" * 1_000 + "1" + "]}\n" * 1_000 + "]",
        "x." * 450 + "y = 1",
        "x." * 398 + "y = 1",
    ],
    ids=[
        "headers and 399 arrays",
        "header-like lines in an array and 400 arrays",
        "3,000 arrays a line each",
        "10,000 arrays",
        "5,000 arrays of inline tables",
        "399 arrays",
        "401 arrays",
        "20,000 lines [[1] in a multi-line array",
        "1,000 lines [[1] in a multi-line array",
        "5,000 lines [[ #]] in a multi-line array",
        '5,000 lines [[ """ ]] in a multi-line array',
        "a dotted key of 200,000 levels",
        "a table header of 200,000 levels",
        "dotted keys in inline tables of 1,000 levels",
        "a dotted key of 450 levels, which tomli reads",
        "a dotted key of 399 levels",
    ],
)
def test_deep_nesting_is_tomli_s_answer_never_a_crash(text: str, tmp_path: Path) -> None:
    """Some thousands of nested arrays overflow the Rust parser's stack: the
    process would end on a signal. Such a document never reaches it, and
    the answer is ``tomli``'s (its limit is 400 levels)."""
    (tmp_path / "deep.toml").write_text(text, encoding="utf-8")
    script = (
        "import sys, tomllib\n"
        "from fivestar.tomlfile import parse_toml\n"
        "try:\n"
        "    parse_toml(open(sys.argv[1], 'rb').read())\n"
        "except tomllib.TOMLDecodeError as error:\n"
        "    print('error', error)\n"
        "else:\n"
        "    print('read')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "deep.toml")], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    expected = tomli_answer(text)
    if expected[0] == "table" and nested_deeper(parse_toml_text(text)):
        expected = ("error", NESTED_TOO_DEEPLY)
        assert may_nest_deeper(text)
    assert done.stdout.strip() == ("read" if expected[0] == "table" else f"error {expected[1]}")
    assert nesting_bound(text) + text.count(".") >= FAST_PARSER_BRACKETS or expected[0] == "table"


KEYS = st.sampled_from(["a", "b", "c-d", "e_f", "1", '"q k"', "'lit'", '""', '"中"', "a.b", "x . y", "inf", "true"])
SCALARS = st.sampled_from(
    [
        "true",
        "false",
        "0",
        "-0",
        "+0",
        "1_000",
        "0xDEAD_beef",
        "0o17",
        "0b1011",
        "9223372036854775807",
        "9223372036854775808",
        "01",
        "1__0",
        "1.0",
        "-0.0",
        "+1.5",
        "3.14e2",
        "1E-7",
        "1_000.000_1",
        "inf",
        "-inf",
        "+nan",
        "1.",
        ".1",
        "1e",
        "0.1000000000000000000001",
        '"plain"',
        '"esc \\t \\" \\\\ \\u00E9 \\U0001F600"',
        '"\\x41"',
        '"\\e"',
        "'lit \\ no esc'",
        '"""\nml\\\n   cont"""',
        "'''\nraw\n'''",
        '"中文 字"',
        '"bad \\q"',
        '"\\uD800"',
        "1979-05-27",
        "1979-05-27T07:32:00Z",
        "1979-05-27T07:32:00.999999-07:00",
        "1979-05-27 07:32:00",
        "07:32:00.5",
        "2020-02-30",
        "07:32",
        "1979-05-27T07:32:00+24:00",
        "9999-12-31T23:59:60Z",
    ]
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.builds(
            lambda items, end: "[" + ", ".join(items) + end + "]",
            st.lists(inner, max_size=3),
            st.sampled_from(["", ","]),
        )
        | st.builds(
            lambda pairs, end: "{" + ", ".join(f"{key} = {value}" for key, value in pairs) + end + "}",
            st.lists(st.tuples(KEYS, inner), max_size=3),
            st.sampled_from(["", ",", "\n"]),
        )
    ),
    max_leaves=6,
)
LINES = (
    st.builds(lambda key, eq, value: f"{key}{eq}{value}", KEYS, st.sampled_from([" = ", "=", "\t=\t"]), VALUES)
    | st.builds("[{}]".format, KEYS)
    | st.builds("[[{}]]".format, KEYS)
    | st.sampled_from(["# comment", "", "#\x7f"])
)
DOCUMENTS = st.builds(
    lambda lines, end: end.join(lines), st.lists(LINES, min_size=1, max_size=8), st.sampled_from(["\n", "\r\n"])
)


@settings(max_examples=300, deadline=None)
@given(DOCUMENTS)
def test_documents_drawn_at_random_read_as_tomli_reads_them(text: str) -> None:
    assert fast_answer(text) == tomli_answer(text)


def test_tomli_errors_are_the_standard_library_s_exception() -> None:
    with pytest.raises(tomllib.TOMLDecodeError, match="Cannot overwrite a value"):
        parse_toml(b"a = 1\na = 2")
    with pytest.raises(tomllib.TOMLDecodeError, match="nested"):
        parse_toml(("a = " + "[" * 500 + "]" * 500).encode())
