"""`assess plugin new NAME`: an installable plugin package to start from, with
one example item, a test that scores a sample organisation, and a README.
It passes its own tests straight after ``pip install -e``."""

from __future__ import annotations

import re
from pathlib import Path

import click
from fivestar.cli.common import fail, say
from fivestar.model import Problem
from fivestar.version import __version__

NAME = re.compile(r"[a-z][a-z0-9_-]{0,39}")

PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "{distribution}"
version = "0.1.0"
description = "A plugin for fivestar-assess: {name}"
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["fivestar-assess>={engine}"]

[project.optional-dependencies]
test = ["pytest>=8"]

# `assess` finds the plugin through this entry point: plugin name = module.
[project.entry-points.assess]
{name} = "{module}"

[tool.setuptools]
packages = ["{module}"]

[tool.setuptools.package-dir]
"" = "src"

[tool.pytest.ini_options]
testpaths = ["tests"]
"""

PLUGIN = '''\
"""{name}: a plugin for fivestar-assess.

One example item, a department's own item in the learning star (学习星).
Change it, add items, or declare a section of your own: see
docs/plugins.md of fivestar-assess. Import only from ``fivestar``.
"""

from fivestar import flag_item, hookimpl

EDITION = "shaoxing-2020"
"""The edition the items belong to; an edition built on it inherits them."""

ITEMS = [
    flag_item(
        "learning.{ident}",
        points=1,
        subtotal="加强学习教育培训",
        title="示例项目：建立机关读书会，每季度至少活动1次",
        title_en="Example item: a reading club that meets every quarter",
    ),
]


@hookimpl
def assess_items(edition):
    return ITEMS if edition == EDITION else []
'''

TEST = '''\
"""Score a sample organisation with the installed plugin."""

from decimal import Decimal

import pytest
from fivestar import score

CONFIG = """
[assessment]
year = 2020
organisations = ["orgs/*.toml"]
"""


@pytest.mark.parametrize(("held", "points"), [(True, Decimal(1)), (False, Decimal(0))])
def test_the_example_item_is_scored(tmp_path, held, points):
    (tmp_path / "orgs").mkdir()
    (tmp_path / "orgs" / "sample.toml").write_text(
        f'[organisation]\\nid = "sample"\\nname = "示例单位"\\n\\n[learning]\\n{ident} = {{str(held).lower()}}\\n',
        encoding="utf-8",
    )
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    result = score(tmp_path / "config.toml")
    line = result.ledgers["sample"].items["learning.{ident}"]
    assert line.points == points
    assert result.context.registry.owners["learning.{ident}"] == "{name}"
'''

README = """\
# {distribution}

A plugin for [fivestar-assess](https://pypi.org/project/fivestar-assess/)
(“五星示范、双优引领”考核): {name}.

```sh
python3 -m venv .venv && . .venv/bin/activate
pip install -e ".[test]"
python -m pytest          # scores a sample organisation with the plugin
assess plugins            # lists {name}, entry point ({distribution})
```

The plugin is `src/{module}/__init__.py`: one example item,
`learning.{ident}`, worth 1 point in 学习星 when the evidence says

```toml
[learning]
{ident} = true
```

Change the example into your own items (see docs/plugins.md of
fivestar-assess: a department's item, a new edition, a new section), and
import only from `fivestar`. Every command of `assess` loads the plugin once
it is installed; a run config disables it with `[plugins] disable = ["{name}"]`.
"""


@click.group("plugin")
def plugin() -> None:
    """Write plugins: `assess plugin new NAME`."""


@plugin.command("new")
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The folder to create (default ./assess-NAME).",
)
def new(name: str, directory: Path | None) -> None:
    """Scaffold an installable plugin package NAME: pyproject with the `assess`
    entry point, one example item, a test and a README."""
    if not NAME.fullmatch(name):
        fail(
            [
                Problem.error(
                    "<command line>",
                    key="NAME",
                    expected="a name of lowercase letters, digits, - and _, starting with a letter",
                    found=f'"{name}"',
                )
            ]
        )
    module = "assess_" + name.replace("-", "_")
    target = directory if directory is not None else Path(f"assess-{name}")
    if target.exists() and any(target.iterdir()):
        fail([Problem.error(str(target), key="--dir", expected="a new or empty folder", found="a folder with files")])
    values = {
        "name": name,
        "ident": name.replace("-", "_"),
        "module": module,
        "distribution": f"assess-{name}",
        "engine": __version__,
    }
    files = {
        Path("pyproject.toml"): PYPROJECT.format(**values),
        Path("src") / module / "__init__.py": PLUGIN.format(**values),
        Path("tests") / f"test_{module}.py": TEST.format(**values),
        Path("README.md"): README.format(**values),
    }
    for relative, text in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    say(
        f"已创建插件包 {target}：cd {target} && pip install -e '.[test]' && python -m pytest",
        f"created the plugin package {target}: cd {target} && pip install -e '.[test]' && python -m pytest",
    )
