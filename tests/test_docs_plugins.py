"""docs/plugins.md runs as written: its three cases (a department's item, a
new edition, a new section) are scored from the docs' own code, config and
evidence, and every piece of code on the page imports from ``fivestar`` only."""

from __future__ import annotations

import ast
import re
import types
from decimal import Decimal
from pathlib import Path

import fivestar
import pytest
from fivestar import score
from fivestar.pipeline import RunResult
from fivestar.plugins.learning import ITEMS as LEARNING_ITEMS

DOC = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"
BLOCK = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks(language: str) -> list[tuple[str, str]]:
    """(info string after the language, code) of the page's blocks."""
    text = DOC.read_text(encoding="utf-8")
    return [(info.strip(), code) for found, info, code in BLOCK.findall(text) if found == language]


def write_case(case: str, tmp_path: Path) -> Path:
    """The files of one case (blocks marked ``file=case/...``); its config."""
    for language in ("python", "toml"):
        for info, code in blocks(language):
            if info.startswith(f"file={case}/"):
                path = tmp_path / info.removeprefix("file=")
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(code, encoding="utf-8")
    return tmp_path / case / "config.toml"


def module_of(code: str, name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(code, f"docs/plugins.md:{name}", "exec"), module.__dict__)
    return module


def block_with(text: str) -> str:
    (code,) = [code for _info, code in blocks("python") if text in code]
    return code


def test_every_code_block_imports_from_fivestar_only() -> None:
    codes = [code for _info, code in blocks("python")]
    assert len(codes) >= 8
    for code in codes:
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.ImportFrom):
                assert node.module in ("fivestar", "__future__"), f"the docs import from {node.module}"
            elif isinstance(node, ast.Import):
                raise AssertionError(f"the docs import {', '.join(alias.name for alias in node.names)}")
            if isinstance(node, ast.ImportFrom) and node.module == "fivestar":
                missing = [alias.name for alias in node.names if alias.name not in fivestar.__all__]
                assert missing == [], f"the docs import names fivestar does not export: {missing}"


def test_the_docs_list_every_public_name() -> None:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("## The public API", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "`" in line]
    listed = {name for row in rows for name in re.findall(r"`([A-Za-z_]+)`", row.split("|")[2])}
    assert listed == set(fivestar.__all__)


def test_case_1_a_departments_own_item(tmp_path: Path) -> None:
    result = score(write_case("department", tmp_path))
    finance, education = result.ledgers["sx-finance"], result.ledgers["sx-education"]
    own = "innovation.budget_party_building"
    assert (finance.items[own].points, finance.items[own].basis) == (Decimal(2), "budget_party_building = true → 2")
    assert finance.sections["innovation"].max == Decimal(17)
    assert education.items[own].status == "not_applicable"
    assert education.items[own].basis == "不适用：仅适用于sx-finance"
    assert education.sections["innovation"].max == Decimal(15)
    assert "budget_party_building" not in [problem.key for problem in education.organisation.warnings]
    assert result.context.registry.owners[own] == "finance_budget"


def test_case_2_a_new_edition(tmp_path: Path) -> None:
    result = score(write_case("edition", tmp_path))
    registry = result.context.registry
    assert registry.lineage == ("shaoxing-2020", "shaoxing-2021")
    line = result.ledgers["sx-finance"].items["learning.committee_training"]
    assert (line.points, line.basis) == (Decimal(4), "6 − 1×2 = 4")
    assert result.ledgers["sx-finance"].items["learning.reading_club"].points == Decimal(1)
    assert "learning.talks_visits" not in registry.items
    assert "talks_visits" not in registry.schema["learning"]
    assert registry.section_max("learning") == Decimal(25)
    assert registry.owners["learning.committee_training"] == "shaoxing_2021"
    expected_order = [entry.id for entry in LEARNING_ITEMS if entry.id != "learning.talks_visits"]
    assert list(result.ledgers["sx-finance"].sections["learning"].items) == [*expected_order, "learning.reading_club"]


def test_case_3_a_new_section(tmp_path: Path) -> None:
    result = score(write_case("section", tmp_path))
    ledger = result.ledgers["sx-finance"]
    shown = {
        item_id: (line.points, line.basis) for item_id, line in ledger.items.items() if item_id.startswith("safety.")
    }
    assert shown == {
        "safety.annual_plan": (Decimal(2), "annual_plan = true → 2"),
        "safety.drills": (Decimal(4), "drills_held = 3, needed 3 → 4"),
        "safety.incidents": (Decimal(2), "4 − 2×1 = 2"),
    }
    assert (ledger.sections["safety"].score, ledger.sections["safety"].max) == (Decimal(8), Decimal(10))
    assert "safety.heavy.major_incident" in result.context.registry.heavy


def scored_with(tmp_path: Path, plugin: object) -> RunResult:
    return score(write_case("edition", tmp_path), plugins=[plugin])


def test_the_tryfirst_example_sees_and_changes_the_cores_work(tmp_path: Path) -> None:
    plain = score(write_case("department", tmp_path)).ledgers["sx-finance"]
    plugin = module_of(block_with("def assess_cap"), "doc_tryfirst")
    changed = score(tmp_path / "department" / "config.toml", plugins=[plugin]).ledgers["sx-finance"]
    assert changed.sections["learning"].score == plain.sections["learning"].score - 1
    assert changed.total == plain.total - 1


def test_the_collect_example_derives_only_when_the_item_is_registered(tmp_path: Path) -> None:
    plugin = module_of(block_with("def assess_collect"), "doc_collect")
    result = score(write_case("department", tmp_path), plugins=[plugin])
    assert result.ledgers["sx-finance"].organisation.sources["learning.talks_visits"] == "derived from the visit log"
    edition = scored_with(tmp_path, module_of(block_with("def assess_collect"), "doc_collect_2021"))
    assert "learning.talks_visits" not in edition.ledgers["sx-finance"].organisation.sources


def test_the_testing_example_passes(tmp_path: Path) -> None:
    module = module_of(block_with("def test_reading_club"), "doc_testing")
    module.test_reading_club(tmp_path)


@pytest.mark.parametrize("case", ["department", "edition", "section"])
def test_each_case_scores_without_errors(tmp_path: Path, case: str) -> None:
    result = score(write_case(case, tmp_path))
    assert result.failed == []
