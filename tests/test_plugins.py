"""The plugin engine: throwaway plugins registered per run, blocking, entry
points, trusted local plugin files, item overrides, and the hooks' docs.

Every test builds its own plugin manager (through ``run``/``prepare``);
nothing is registered on a module global.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import fivestar.manager
import pytest
import structlog
from click.testing import CliRunner
from fivestar import hookimpl, hookspecs
from fivestar.cli import main
from fivestar.config import load_config
from fivestar.declare import count, item
from fivestar.manager import PluginInfo, PluginManager
from fivestar.model import InputError, Item, Section
from fivestar.pipeline import RunResult, prepare
from fivestar.plugins.learning import ITEMS as LEARNING_ITEMS
from fivestar.report import result_document
from fivestar.rules import Linear

REPO = Path(__file__).resolve().parent.parent
LEARNING_POINTS = Decimal(25)
CONVEYED = next(declared for declared in LEARNING_ITEMS if declared.id == "learning.conveyed")


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    """Local plugin modules never leak into the next test (the CLI's logging is reset in conftest.py)."""
    yield
    for name in [name for name in sys.modules if name.startswith("assess_local_")]:
        del sys.modules[name]


def reading_club_item() -> Item:
    return item(
        "learning.reading_club",
        points=1,
        title="开展读书分享活动（每次0.5分，最高1分）",
        title_en="Reading club sessions",
        facts=count("reading_sessions", "reading club sessions held"),
        rule=Linear.of(("0.5", "reading_sessions")),
    )


class ReadingClub:
    """A department's own item, added to the learning section."""

    name = "reading_club"

    @hookimpl
    def assess_items(self, edition: str) -> list[Item]:
        return [reading_club_item()]


class ReadingSection:
    """A plugin with a section of its own."""

    name = "reading_section"

    @hookimpl
    def assess_sections(self, edition: str) -> list[Section]:
        return [Section("reading", "读书星", "Reading star", "bonus", order=99)]

    @hookimpl
    def assess_items(self, edition: str) -> list[Item]:
        return [
            item(
                "reading.sessions",
                points=2,
                title="读书活动（每次0.5分，最高2分）",
                title_en="Reading sessions",
                facts=count("sessions", "sessions held"),
                rule=Linear.of(("0.5", "sessions")),
            )
        ]


def json_of(result: RunResult) -> dict[str, Any]:
    text = json.dumps(result_document(result))
    return json.loads(text, parse_float=Decimal)


def organisation_json(result: RunResult, org_id: str) -> dict[str, Any]:
    return next(entry for entry in json_of(result)["organisations"] if entry["id"] == org_id)


# --------------------------------------------------------------------------
# plugins passed programmatically
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sessions", "points"),
    [(0, "0"), (1, "0.5"), (2, "1"), (3, "1")],
)
def test_throwaway_plugin_item_is_scored_and_in_the_json(
    write_org: Callable[..., Path], assess: Callable[..., RunResult], sessions: int, points: str
) -> None:
    write_org("a", learning={"reading_sessions": sessions})
    result = assess(extra_plugins=(ReadingClub(),))

    assert result.plugin_manager.infos["reading_club"].source == "registered"
    assert result.context.registry.owners["learning.reading_club"] == "reading_club"
    line = result.ledgers["a"].items["learning.reading_club"]
    assert line.points == Decimal(points)
    assert line.max == Decimal(1)
    section = result.ledgers["a"].sections["learning"]
    assert "learning.reading_club" in section.items
    assert section.max == LEARNING_POINTS + 1
    assert section.claimed == sum((entry.points for entry in section.items.values()), Decimal(0))

    document = organisation_json(result, "a")
    entry = document["sections"]["learning"]["items"]["learning.reading_club"]
    assert entry["points"] == Decimal(points)
    assert entry["max"] == 1
    assert f"0.5×{sessions}" in entry["basis"]
    assert entry["facts"] == {"reading_sessions": sessions}


def test_without_the_plugin_its_fact_is_an_unknown_key(
    write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    write_org("a", learning={"reading_sessions": 1})
    result = assess()

    assert "learning.reading_club" not in result.context.registry.items
    assert [organisation.id for organisation in result.failed] == ["a"]
    (error,) = result.failed[0].errors
    assert (error.table, error.key) == ("learning", "reading_sessions")


def test_throwaway_plugin_with_its_own_section(
    write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    write_org("a", reading={"sessions": 5})
    write_org("b", reading={"sessions": 3})
    result = assess(extra_plugins=(ReadingSection(),))

    assert result.ledgers["a"].sections["reading"].score == Decimal(2)
    assert result.ledgers["b"].sections["reading"].score == Decimal("1.5")
    reading = organisation_json(result, "b")["sections"]["reading"]
    assert reading["title"] == "读书星"
    assert reading["score"] == Decimal("1.5")
    assert reading["max"] == 2
    assert reading["items"]["reading.sessions"]["points"] == Decimal("1.5")


def test_plugins_are_not_shared_between_runs(write_org: Callable[..., Path], assess: Callable[..., RunResult]) -> None:
    write_org("a", learning={"halfyear_reports": 1})
    first = assess(extra_plugins=(ReadingClub(),))
    second = assess()

    assert first.plugin_manager is not second.plugin_manager
    assert "reading_club" in first.plugin_manager.infos
    assert "reading_club" not in second.plugin_manager.infos
    assert "learning.reading_club" not in second.ledgers["a"].items


# --------------------------------------------------------------------------
# blocking a built-in plugin
# --------------------------------------------------------------------------

OWN_SECTION_PLUGIN = """
from fivestar import Linear, Section, count, hookimpl, item


@hookimpl
def assess_sections(edition):
    return [Section("reading", "读书星", "Reading star", "bonus", order=99)]


@hookimpl
def assess_items(edition):
    return [
        item(
            "reading.sessions",
            points=2,
            title="读书活动",
            title_en="Reading sessions",
            facts=count("sessions"),
            rule=Linear.of((1, "sessions")),
        )
    ]
"""


def test_blocked_builtin_section_disappears(write_org: Callable[..., Path], assess: Callable[..., RunResult]) -> None:
    write_org("a", learning={"halfyear_reports": 2}, reading={"sessions": 1})
    result = assess(plugins={"disable": ["learning"]}, extra_plugins=(ReadingSection(),))

    info = result.plugin_manager.infos["learning"]
    assert info.blocked
    assert result.plugin_manager.get_plugin("learning") is None
    assert "learning" not in result.context.registry.sections
    assert not any(item_id.startswith("learning.") for item_id in result.context.registry.items)
    ledger = result.ledgers["a"]
    assert "learning" not in ledger.sections
    assert not any(item_id.startswith("learning.") for item_id in ledger.items)
    assert "study_hours" not in result.context.policies

    document = organisation_json(result, "a")
    assert "learning" not in document["sections"]
    assert "reading" in document["sections"]
    assert "learning" not in document["provenance"]["plugins"]
    warning = next(problem for problem in ledger.organisation.warnings if problem.table == "learning")
    assert "not read by any enabled plugin" in str(warning)


def test_assess_plugins_shows_a_blocked_plugin(tmp_path: Path, write_config: Callable[..., Path]) -> None:
    (tmp_path / "own_section.py").write_text(OWN_SECTION_PLUGIN, encoding="utf-8")
    config = write_config(plugins={"disable": ["learning"], "paths": ["own_section.py"]})

    as_json = CliRunner().invoke(main, ["plugins", "--config", str(config), "--json"])
    assert as_json.exit_code == 0, as_json.output
    documents = {document["name"]: document for document in json.loads(as_json.stdout)}
    assert documents["learning"]["blocked"] is True
    assert documents["learning"]["sections"] == []
    assert documents["learning"]["items"] == []
    assert documents["own_section"]["blocked"] is False
    assert documents["own_section"]["source"] == "local file"
    assert documents["own_section"]["sections"] == ["reading"]

    table = CliRunner().invoke(main, ["plugins", "--config", str(config)])
    assert table.exit_code == 0, table.output
    learning_row = next(line for line in table.stdout.splitlines() if line.split()[:1] == ["learning"])
    assert "blocked" in learning_row.split()


def test_core_steps_cannot_be_disabled(write_org: Callable[..., Path], assess: Callable[..., RunResult]) -> None:
    write_org("a")
    with pytest.raises(InputError) as raised:
        assess(plugins={"disable": ["steps"]})
    (problem,) = raised.value.problems
    assert (problem.table, problem.key) == ("plugins", "disable")
    assert "fivestar.steps" in problem.found


# --------------------------------------------------------------------------
# entry points (faked: nothing is installed)
# --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FakeDistribution:
    name: str
    version: str


@dataclasses.dataclass
class FakeEntryPoint:
    name: str
    value: str
    dist: FakeDistribution | None
    plugin: object = None
    error: Exception | None = None
    loads: int = 0

    def load(self) -> object:
        self.loads += 1
        if self.error is not None:
            raise self.error
        return self.plugin


def fake_entry_points(monkeypatch: pytest.MonkeyPatch, *fakes: FakeEntryPoint) -> None:
    """The installed entry points (the built-ins) plus the fakes."""
    real = fivestar.manager.entry_points

    def entry_points(*, group: str) -> list[Any]:
        return [*real(group=group), *fakes]

    monkeypatch.setattr(fivestar.manager, "entry_points", entry_points)


def test_plugin_from_an_entry_point_is_registered_and_scored(
    monkeypatch: pytest.MonkeyPatch, write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    fake = FakeEntryPoint("acme", "acme_assess.plugin", FakeDistribution("acme-assess", "1.2.3"), ReadingClub())
    fake_entry_points(monkeypatch, fake)
    write_org("a", learning={"reading_sessions": 1})
    result = assess()

    assert fake.loads == 1
    assert result.plugin_manager.infos["acme"] == PluginInfo(
        "acme", "1.2.3", "entry point (acme-assess)", "acme_assess.plugin"
    )
    assert result.plugin_manager.is_registered(fake.plugin)
    assert result.context.registry.owners["learning.reading_club"] == "acme"
    assert result.ledgers["a"].items["learning.reading_club"].points == Decimal("0.5")
    assert organisation_json(result, "a")["provenance"]["plugins"]["acme"] == "1.2.3"


def test_blocked_entry_point_is_never_loaded(
    monkeypatch: pytest.MonkeyPatch, write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    fake = FakeEntryPoint(
        "acme", "acme_assess.plugin", FakeDistribution("acme-assess", "1.2.3"), error=AssertionError("loaded")
    )
    fake_entry_points(monkeypatch, fake)
    write_org("a")
    result = assess(plugins={"disable": ["acme"]})

    assert fake.loads == 0
    assert result.plugin_manager.infos["acme"].blocked
    assert "a" in result.ledgers


def test_entry_point_that_fails_to_load_is_skipped_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    fake = FakeEntryPoint("acme", "acme_assess.plugin", None, error=ImportError("no module acme_assess"))
    fake_entry_points(monkeypatch, fake)
    write_org("a", learning={"halfyear_reports": 2})
    with structlog.testing.capture_logs() as logs:
        result = assess()

    assert fake.loads == 1
    assert "acme" not in result.plugin_manager.infos
    assert result.ledgers["a"].items["learning.conveyed"].points == Decimal(3)
    (warning,) = [entry for entry in logs if entry.get("plugin") == "acme"]
    assert warning["log_level"] == "warning"
    assert "no module acme_assess" in warning["error"]


# --------------------------------------------------------------------------
# trusted local plugin files named in the run config
# --------------------------------------------------------------------------

CITY_LECTURE_PLUGIN = """
from fivestar import hookimpl
from fivestar.declare import flag_item


@hookimpl
def assess_items(edition):
    return [flag_item("learning.city_lecture", points=1, title="参加市级专题讲座", title_en="City lecture attended")]
"""


@pytest.mark.parametrize(("attended", "points"), [(True, "1"), (False, "0")])
def test_local_plugin_file_is_loaded_relative_to_the_config(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    write_org: Callable[..., Path],
    assess: Callable[..., RunResult],
    attended: bool,
    points: str,
) -> None:
    plugin_file = tmp_path / "local" / "city_lecture.py"
    plugin_file.parent.mkdir()
    plugin_file.write_text(CITY_LECTURE_PLUGIN, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    write_org("a", learning={"city_lecture": attended})
    result = assess(plugins={"paths": ["local/city_lecture.py"]})

    info = result.plugin_manager.infos["city_lecture"]
    assert (info.source, Path(info.location)) == ("local file", plugin_file)
    assert result.ledgers["a"].items["learning.city_lecture"].points == Decimal(points)
    assert result.ledgers["a"].sections["learning"].max == LEARNING_POINTS + 1


def test_blocked_local_plugin_file_is_not_imported(
    tmp_path: Path, write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    (tmp_path / "noisy.py").write_text("raise RuntimeError('imported')\n", encoding="utf-8")
    write_org("a")
    result = assess(plugins={"paths": ["noisy.py"], "disable": ["noisy"]})

    assert result.plugin_manager.infos["noisy"].blocked
    assert "a" in result.ledgers


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("raise RuntimeError('city data missing')\n", "RuntimeError: city data missing"),
        ("import assess_no_such_module_anywhere\n", "ModuleNotFoundError"),
        ("def broken(:\n    pass\n", "SyntaxError"),
    ],
)
def test_local_plugin_that_fails_on_import_is_a_clear_error(
    tmp_path: Path, write_org: Callable[..., Path], write_config: Callable[..., Path], source: str, found: str
) -> None:
    plugin_file = tmp_path / "broken_plugin.py"
    plugin_file.write_text(source, encoding="utf-8")
    write_org("a")
    config = write_config(plugins={"paths": ["broken_plugin.py"]})

    with pytest.raises(InputError) as raised:
        prepare(load_config(config))
    (problem,) = raised.value.problems
    assert (Path(problem.file), problem.table, problem.key) == (plugin_file, "plugins", "paths")
    assert found in problem.found
    assert "assess_local_broken_plugin" not in sys.modules

    result = CliRunner().invoke(main, ["run", str(config)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert str(plugin_file) in result.stderr
    assert found in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_local_plugin_file_is_a_clear_error(
    tmp_path: Path, write_org: Callable[..., Path], write_config: Callable[..., Path]
) -> None:
    write_org("a")
    config = write_config(plugins={"paths": ["nowhere/plugin.py"]})

    result = CliRunner().invoke(main, ["run", str(config)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert str(tmp_path / "nowhere" / "plugin.py") in result.stderr
    assert "no such file" in result.stderr


# --------------------------------------------------------------------------
# item ids: duplicates and overrides
# --------------------------------------------------------------------------


class DuplicateConveyed:
    name = "duplicate_conveyed"

    def __init__(self, overrides: bool) -> None:
        self.overrides = overrides

    @hookimpl
    def assess_items(self, edition: str) -> list[Item]:
        return [
            dataclasses.replace(
                CONVEYED,
                title="及时学习上级精神（每半年报送1次，每次1分）",
                points=Decimal(2),
                rule=Linear.of((1, "halfyear_reports")),
                overrides=self.overrides,
            )
        ]


def test_duplicate_item_id_without_overrides_is_an_error(
    write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    write_org("a")
    with pytest.raises(InputError) as raised:
        assess(extra_plugins=(DuplicateConveyed(overrides=False),))
    (problem,) = raised.value.problems
    assert problem.key == "learning.conveyed"
    assert "also declared by learning" in problem.found
    assert "duplicate_conveyed" in problem.message


def test_duplicate_item_id_from_a_local_plugin_fails_the_cli_cleanly(
    tmp_path: Path, write_org: Callable[..., Path], write_config: Callable[..., Path]
) -> None:
    plugin = (
        "from fivestar import hookimpl\n"
        "from fivestar.declare import flag_item\n\n\n"
        "@hookimpl\n"
        "def assess_items(edition):\n"
        '    return [flag_item("learning.talks_visits", points=1, title="谈心谈话", title_en="Talks")]\n'
    )
    (tmp_path / "again.py").write_text(plugin, encoding="utf-8")
    write_org("a")
    config = write_config(plugins={"paths": ["again.py"]})

    result = CliRunner().invoke(main, ["run", str(config)])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "learning.talks_visits" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("reports", "points"), [(0, "0"), (1, "1"), (2, "2")])
def test_override_replaces_the_earlier_item(
    write_org: Callable[..., Path], assess: Callable[..., RunResult], reports: int, points: str
) -> None:
    write_org("a", learning={"halfyear_reports": reports, "unimplemented": 1})
    result = assess(extra_plugins=(DuplicateConveyed(overrides=True),))

    registry = result.context.registry
    assert registry.owners["learning.conveyed"] == "duplicate_conveyed"
    assert [declared.id for declared in registry.section_items("learning")].count("learning.conveyed") == 1
    assert registry.section_max("learning") == LEARNING_POINTS - CONVEYED.points + 2
    line = result.ledgers["a"].items["learning.conveyed"]
    assert line.item.title == "及时学习上级精神（每半年报送1次，每次1分）"
    assert line.points == Decimal(points)
    assert line.max == Decimal(2)


# --------------------------------------------------------------------------
# every hook is documented (datasette's test_docs)
# --------------------------------------------------------------------------


def hook_names() -> list[str]:
    return sorted(
        name for name, function in inspect.getmembers(hookspecs, inspect.isfunction) if hasattr(function, "assess_spec")
    )


def test_hook_names_come_from_the_specs() -> None:
    names = hook_names()
    registered = {name for name in vars(PluginManager().hook) if not name.startswith("_")}
    assert "assess_score" in names
    assert set(names) == registered


HOOKS_DOC = REPO / "docs" / "hooks.md"


def read_hooks_doc() -> str:
    assert HOOKS_DOC.is_file(), f"{HOOKS_DOC} is missing: every hook in core/hookspecs.py must be documented there"
    return HOOKS_DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("hook", hook_names())
def test_hook_is_documented(hook: str) -> None:
    text = read_hooks_doc()
    heading = re.search(rf"^#+ .*\b{hook}\b", text, re.MULTILINE)
    code = re.search(rf"`{hook}\b", text)
    assert heading or code, f"{hook} is not documented in docs/hooks.md"


def test_documented_hooks_exist() -> None:
    headings = set(re.findall(r"^#+ .*?\b(assess_\w+)", read_hooks_doc(), re.MULTILINE))
    assert headings <= set(hook_names())


class PointlessFlag:
    name = "pointless_flag"

    @hookimpl
    def assess_items(self, edition: str) -> list[Item]:
        flagged = dataclasses.replace(LEARNING_ITEMS[0], id="learning.pointless", points=None)
        return [flagged]


def test_a_flag_item_without_points_is_refused(
    write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    write_org("a")
    with pytest.raises(InputError) as raised:
        assess(extra_plugins=(PointlessFlag(),))
    (problem,) = raised.value.problems
    assert problem.key == "learning.pointless"
    assert "without points" in problem.message


class Fragile:
    """A plugin with a bug that shows only for some organisations."""

    name = "fragile"

    @hookimpl
    def assess_collect(self, organisation: Any, context: Any) -> None:
        if organisation.id == "c":
            raise KeyError("collect bug")

    @hookimpl
    def assess_score(self, ledger: Any, context: Any) -> None:
        if ledger.organisation.id == "b":
            raise ZeroDivisionError("score bug")


def test_a_plugin_failing_for_one_organisation_fails_only_that_one(
    write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    for org_id in "abc":
        write_org(org_id, learning={"halfyear_reports": 2})
    result = assess(extra_plugins=(Fragile(),))
    assert set(result.ledgers) == {"a"}
    failed = {organisation.id: organisation.errors for organisation in result.failed}
    assert set(failed) == {"b", "c"}
    assert "插件错误：插件 fragile 在 score 步骤出错" in str(failed["b"][0])
    assert "ZeroDivisionError: score bug" in str(failed["b"][0])
    assert "插件错误：插件 fragile 在 collect 步骤出错" in str(failed["c"][0])
    assert {problem.fault for problems in failed.values() for problem in problems} == {"plugin"}
    statuses = {entry["id"]: entry["status"] for entry in json_of(result)["organisations"]}
    assert statuses == {"a": "scored", "b": "plugin_error", "c": "plugin_error"}


class LosesAnItem:
    """A plugin that drops an item's line, so that the core's own work of
    the next step (summing the sections) fails."""

    name = "loses-an-item"

    @hookimpl(trylast=True)
    def assess_penalise(self, ledger: Any, context: Any) -> None:
        ledger.items.pop(next(iter(ledger.items)))


def test_the_core_step_that_fails_on_a_plugin_s_damage_is_named(
    write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    write_org("a", learning={"halfyear_reports": 2})
    result = assess(extra_plugins=(LosesAnItem(),))
    (failed,) = result.failed
    assert "插件错误：插件 fivestar.steps 在 cap 步骤出错（KeyError" in str(failed.errors[0])


# --------------------------------------------------------------------------
# a plugin author's mistakes: an error naming the plugin, never a traceback
# --------------------------------------------------------------------------

HOOK = "from fivestar import hookimpl\n\n\n@hookimpl\n"


@pytest.mark.parametrize(
    ("files", "file", "key", "found"),
    [
        pytest.param(
            {"learning.py": HOOK + "def assess_policies():\n    return []\n"},
            "learning.py",
            "paths",
            '"learning" (also built-in fivestar.plugins.learning)',
            id="name-of-a-built-in",
        ),
        pytest.param(
            {"typo.py": HOOK + "def assess_itemz(edition):\n    return []\n"},
            "typo.py",
            "",
            "unknown hook assess_itemz in plugin typo",
            id="misspelt-hook",
        ),
        pytest.param(
            {"extra.py": HOOK + "def assess_items(edition, season):\n    return []\n"},
            "extra.py",
            "",
            "Argument(s) {'season'} are declared in the hookimpl but can not be found in the hookspec",
            id="argument-not-in-the-spec",
        ),
        pytest.param(
            {"quits.py": "import sys\n\nsys.exit(3)\n"},
            "quits.py",
            "paths",
            "SystemExit: 3",
            id="exits-on-import",
        ),
    ],
)
def test_a_plugin_file_that_cannot_be_registered_is_a_config_error(
    tmp_path: Path,
    write_org: Callable[..., Path],
    write_config: Callable[..., Path],
    files: dict[str, str],
    file: str,
    key: str,
    found: str,
) -> None:
    for name, source in files.items():
        (tmp_path / name).write_text(source, encoding="utf-8")
    write_org("a")
    config = write_config(plugins={"paths": list(files)})

    with pytest.raises(InputError) as raised:
        prepare(load_config(config))
    (problem,) = raised.value.problems
    assert (Path(problem.file), problem.table, problem.key) == (tmp_path / file, "plugins", key)
    assert found in problem.found

    result = CliRunner().invoke(main, ["run", str(config)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert found in result.stderr


@pytest.mark.parametrize(
    ("source", "hook", "found"),
    [
        pytest.param(
            "def assess_items(edition):\n    raise KeyError('safety')\n", "assess_items", "KeyError", id="raises"
        ),
        pytest.param("def assess_items(edition):\n    return 5\n", "assess_items", "TypeError", id="not-a-list"),
        pytest.param(
            "def assess_sections(edition):\n    return [{'id': 'safety'}]\n",
            "assess_sections",
            "dict {'id': 'safety'}",
            id="not-a-section",
        ),
        pytest.param(
            "def assess_policies():\n    return ['strict']\n", "assess_policies", "str 'strict'", id="not-a-policy"
        ),
    ],
)
def test_a_registration_hook_that_fails_is_an_error_naming_the_plugin(
    tmp_path: Path,
    write_org: Callable[..., Path],
    write_config: Callable[..., Path],
    source: str,
    hook: str,
    found: str,
) -> None:
    (tmp_path / "shaky.py").write_text(HOOK + source, encoding="utf-8")
    write_org("a")
    config = write_config(plugins={"paths": ["shaky.py"]})

    with pytest.raises(InputError) as raised:
        prepare(load_config(config))
    (problem,) = raised.value.problems
    assert (Path(problem.file), problem.key) == (tmp_path / "shaky.py", hook)
    assert problem.message == f"plugin shaky failed in {hook}"
    assert found in problem.found

    result = CliRunner().invoke(main, ["run", str(config)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert f"plugin shaky failed in {hook}" in result.stderr
