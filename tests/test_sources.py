"""Who says what: the owner of each fact, the office's records and reviews, and the order of the three sources."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

from click.testing import Result
from fivestar.config import RunConfig
from fivestar.facts import DEPARTMENT, DERIVED, OFFICE
from fivestar.pipeline import prepare
from fivestar.registry import Registry

Invoke = Callable[..., Result]

OFFICE_FACTS_2020 = {
    "performance.target_grade",
    "performance.conduct_rating",
    "performance.conduct_rating_prev",
    "bonus.showcase",
    "bonus.inspection_grade",
    "bonus.previous_award",
}
DERIVED_FACTS_2020 = {"norms.personal_lists_published", "norms.lists_fulfilled"}


def registry_2020() -> Registry:
    _pm, context = prepare(RunConfig(path=Path("config.toml"), year=2020))
    return context.registry


def test_the_2020_plugins_declare_who_owns_each_fact() -> None:
    registry = registry_2020()
    owners = registry.fact_owners
    assert {key for key, owner in owners.items() if owner == OFFICE} == OFFICE_FACTS_2020
    assert {key for key, owner in owners.items() if owner == DERIVED} == DERIVED_FACTS_2020
    assert owners["norms.dues"] == DEPARTMENT


def test_department_facts_leave_out_derived_and_office_facts() -> None:
    registry = registry_2020()
    filled_in = {f"{table}.{name}" for table, names in registry.department_facts.items() for name in names}
    assert not filled_in & (OFFICE_FACTS_2020 | DERIVED_FACTS_2020)
    assert "performance.leadership" in filled_in
    assert "bonus.commendations" in filled_in
    assert len(filled_in) == len(registry.fact_owners) - len(OFFICE_FACTS_2020) - len(DERIVED_FACTS_2020)


def test_template_leaves_out_derived_and_office_facts_and_says_who_provides_them(invoke: Invoke) -> None:
    result = invoke("template")
    assert result.exit_code == 0, result.output
    document = tomllib.loads(result.stdout)
    assert "previous_award" not in document["bonus"]
    assert "personal_lists_published" not in document["norms"]
    assert "target_grade" not in document["performance"]
    assert "review" not in document
    assert "# previous_award: 由市直机关工委依据核实记录认定，部门无需填写" in result.stdout
    assert "# lists_fulfilled: 由系统根据责任清单或历史记录自动认定，部门无需填写" in result.stdout
    skeleton = "\n".join(line.removeprefix("# ") for line in result.stdout.splitlines() if line.startswith("# "))
    headers = [line for line in skeleton.splitlines() if line.startswith("[[duty_lists]]")]
    assert [header.split("  # ")[1].split("（")[0] for header in headers] == [
        "部门",
        "机关党组织书记",
        "机关党委",
    ]
    assert 'level = "branch_secretary"' in skeleton
