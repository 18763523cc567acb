"""The plugin API is one module, ``fivestar``: light to import, complete for
the built-in plugins, and declarations that read like the standard's table."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from decimal import Decimal
from pathlib import Path

import fivestar
import pytest
from fivestar import (
    Count,
    Flag,
    Linear,
    Problem,
    YesNo,
    amount,
    choice,
    count,
    flag_item,
    heavy_item,
    item,
    records,
    yes_no,
)

ROOT = Path(__file__).resolve().parent.parent
PLUGIN_FILES = sorted((ROOT / "plugins").glob("*/__init__.py"))


def test_every_public_name_is_importable_from_fivestar() -> None:
    missing = [name for name in fivestar.__all__ if not hasattr(fivestar, name)]
    assert missing == []
    assert len(set(fivestar.__all__)) == len(fivestar.__all__)


def test_importing_the_api_loads_no_heavy_library() -> None:
    code = (
        "import sys, fivestar\n"
        "print(','.join(sorted(m for m in ('openpyxl', 'click', 'structlog', 'tomlkit') if m in sys.modules)))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == ""


@pytest.mark.parametrize("path", PLUGIN_FILES, ids=lambda path: path.parent.name)
def test_section_plugins_import_only_the_public_api(path: Path) -> None:
    """A built-in plugin is written as a third-party one would be."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("fivestar")
    }
    internal = {module for module in modules if module != "fivestar" and not module.startswith("fivestar.plugins")}
    assert internal == set()


def test_flag_item_names_its_fact_and_section_after_its_id() -> None:
    declared = flag_item("learning.talks_visits", points=1, title="实施六必谈", title_en="Talks")
    assert declared.section == "learning"
    assert declared.points == Decimal(1)
    assert [(spec.name, spec.type) for spec in declared.facts] == [("talks_visits", YesNo())]
    assert declared.rule == Flag("talks_visits")
    assert declared.overrides is False


def test_flag_item_may_name_another_fact_and_override() -> None:
    declared = flag_item(
        "norms.personal_lists", points=2, title="个性清单", fact="personal_lists_published", overrides=True
    )
    assert declared.rule == Flag("personal_lists_published")
    assert declared.facts[0].name == "personal_lists_published"
    assert declared.overrides is True


def test_item_takes_one_fact_or_several() -> None:
    one = item("learning.x", points="1.5", title="x", facts=count("x"), rule=Linear.of((1, "x")))
    assert one.facts == (count("x"),)
    assert one.points == Decimal("1.5")
    several = item(
        "bonus.y", points=None, title="y", facts=[count("a", maximum=2), yes_no("b")], rule=Linear.of((1, "a"))
    )
    assert several.points is None
    assert several.section == "bonus"
    assert several.facts[0].type == Count(0, 2)


def test_declarations_refuse_positional_points() -> None:
    with pytest.raises(TypeError):
        flag_item("learning.talks_visits", "实施六必谈", "Talks", 1)  # type: ignore[misc]


def test_points_are_never_floats() -> None:
    with pytest.raises(TypeError, match="float"):
        flag_item("learning.x", points=0.5, title="x")  # type: ignore[arg-type]


def test_heavy_item_takes_its_section_from_its_id() -> None:
    heavy = heavy_item("learning.heavy.unprofessional_staff", title="有党务干部专职不专业现象", derived=True)
    assert (heavy.section, heavy.derived) == ("learning", True)


def test_fact_helpers_build_the_declared_types() -> None:
    assert choice("grade", ("other", "good"), "g").type.options == ("other", "good")
    assert amount("rating", minimum=0).type.minimum == Decimal(0)
    assert records("list", {"n": fivestar.Text()}).type.fields == {"n": fivestar.Text()}


def test_problem_named_constructors() -> None:
    error = Problem.error("a.toml", "learning", "x", expected="a whole number", found='"two"')
    assert (error.severity, str(error)) == ("error", 'a.toml: [learning] x: expected a whole number, found "two"')
    warning = Problem.warning("a.toml", "bonus", message="outside window")
    assert (warning.severity, str(warning)) == ("warning", "a.toml: [bonus]: outside window")


def test_the_install_has_no_generic_top_level_package() -> None:
    """core/ installs as ``fivestar`` and plugins/ as ``fivestar.plugins``:
    nothing named ``core`` or ``plugins`` lands in site-packages."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = config["tool"]["setuptools"]
    top_level = {name.split(".")[0] for name in setuptools["packages"]}
    assert top_level == {"fivestar"}
    assert setuptools["package-dir"] == {"fivestar": "core", "fivestar.plugins": "plugins"}
    on_disk = {
        "fivestar." + ".".join(path.parent.relative_to(ROOT / "core").parts)
        for path in (ROOT / "core").rglob("__init__.py")
        if path.parent != ROOT / "core"
    } | {
        "fivestar.plugins." + ".".join(path.parent.relative_to(ROOT / "plugins").parts)
        for path in (ROOT / "plugins").rglob("__init__.py")
        if path.parent != ROOT / "plugins"
    }
    assert on_disk <= set(setuptools["packages"])
