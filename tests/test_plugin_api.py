"""Plugins for a department and for next year: editions built on editions,
scoped items, explicit conflicts, the core's steps as wrappers, and a
plugin's own bug reported as the plugin's fault."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fivestar import (
    Custom,
    DerivedFact,
    Edition,
    Section,
    count,
    dec,
    flag_item,
    heavy_item,
    hookimpl,
    item,
    scope,
)
from fivestar.config import load_config
from fivestar.model import InputError
from fivestar.pipeline import RunResult, run
from fivestar.plugins.learning import ITEMS as LEARNING_ITEMS
from fivestar.report import result_document

ROOT = Path(__file__).resolve().parent.parent
EDITION_2021 = ROOT / "examples" / "editions" / "shaoxing-2021" / "config.toml"
DEPARTMENT_PLUGIN = ROOT / "examples" / "plugins" / "config.toml"
SAMPLE_2020 = ROOT / "examples" / "shaoxing-2020" / "config.toml"
LEARNING_MAX = sum((entry.points or Decimal(0) for entry in LEARNING_ITEMS), Decimal(0))


def json_of(result: RunResult) -> dict[str, Any]:
    return json.loads(json.dumps(result_document(result)), parse_float=Decimal)


def run_without_history(path: Path) -> RunResult:
    config = load_config(path)
    config.history = False
    return run(config)


def problems_of(raised: pytest.ExceptionInfo[InputError]) -> str:
    return "\n".join(str(problem) for problem in raised.value.problems)


# --------------------------------------------------------------------------
# an edition built on another
# --------------------------------------------------------------------------


def test_the_2021_edition_inherits_2020_and_changes_two_items_removes_one_adds_one() -> None:
    result = run_without_history(EDITION_2021)
    registry = result.context.registry
    assert registry.lineage == ("shaoxing-2020", "shaoxing-2021")
    assert "learning.talks_visits" not in registry.items
    assert registry.owners["learning.reading_club"] == "shaoxing_2021"
    assert registry.owners["learning.committee_training"] == "shaoxing_2021"
    assert registry.owners["norms.reports_heard"] == "shaoxing_2021"
    assert registry.owners["learning.political_priority"] == "learning"
    assert registry.section_max("learning") == LEARNING_MAX
    assert [organisation.id for organisation in result.failed] == []

    civil = result.ledgers["sx-civil-affairs"]
    assert civil.items["learning.committee_training"].points == Decimal(1)
    assert civil.items["learning.committee_training"].basis == "6 − 1×5 = 1"
    assert civil.items["norms.reports_heard"].basis == "0.5×1 = 0.5"
    assert civil.items["learning.reading_club"].points == Decimal(0)
    finance = result.ledgers["sx-finance"]
    assert finance.items["learning.reading_club"].points == Decimal(1)
    for ledger in result.ledgers.values():
        assert (
            ledger.total
            == sum((section.score for section in ledger.sections.values()), Decimal(0)) - ledger.heavy_points()
        )
        assert ledger.organisation.warnings == []


def test_the_2021_edition_keeps_the_duty_lists_forms() -> None:
    base = run_without_history(SAMPLE_2020).context.registry.forms
    assert base
    assert run_without_history(EDITION_2021).context.registry.forms == base


def test_the_2021_edition_keeps_the_cohort_rule_and_the_duty_lists() -> None:
    """Behaviour follows the registered items, not the edition's name: the
    行风评议 average and the facts derived from the duty lists still apply."""
    result = run_without_history(EDITION_2021)
    assert result.context.cohort["performance.conduct_rated"] == 3
    finance = result.ledgers["sx-finance"]
    assert "average" in finance.items["performance.conduct_rating"].basis
    assert finance.organisation.sources["norms.personal_lists_published"].startswith("derived from duty lists")
    assert finance.items["norms.personal_lists"].points == Decimal(2)
    assert finance.items["norms.lists_fulfilled"].points == Decimal(2)


class Editions:
    name = "editions"

    def __init__(self, *editions: Edition) -> None:
        self.editions = list(editions)

    @hookimpl
    def assess_editions(self) -> list[Edition]:
        return self.editions


@pytest.mark.parametrize(
    ("editions", "found"),
    [
        pytest.param(
            (Edition("x-2021", extends="shaoxing-2020", removes=("learning.nothing",)),),
            "edition x-2021 removes learning.nothing, which it does not have",
            id="removes-unknown",
        ),
        pytest.param(
            (Edition("x-2021", extends="x-2022"), Edition("x-2022", extends="x-2021")),
            "a circle of editions",
            id="circle",
        ),
    ],
)
def test_edition_mistakes_are_errors(
    write_org: Callable[..., Path], assess: Callable[..., RunResult], editions: tuple[Edition, ...], found: str
) -> None:
    write_org("a")
    with pytest.raises(InputError) as raised:
        assess(extra_plugins=(Editions(*editions),), assessment={"edition": "x-2021"})
    assert found in problems_of(raised)


def test_an_edition_without_removals_scores_like_its_base(
    write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    write_org("a", learning={"halfyear_reports": 2, "training_misses": 3})
    base = assess()
    built = assess(
        extra_plugins=(Editions(Edition("x-2021", extends="shaoxing-2020")),), assessment={"edition": "x-2021"}
    )
    assert list(built.context.registry.items) == list(base.context.registry.items)
    assert built.ledgers["a"].total == base.ledgers["a"].total


# --------------------------------------------------------------------------
# scoped items: named organisations and tags
# --------------------------------------------------------------------------


class OwnItem:
    """A department's own item in the learning star."""

    name = "own_item"

    def __init__(self, **scoped: Any) -> None:
        self.scoped = scoped

    @hookimpl
    def assess_items(self, edition: str) -> list[Any]:
        return [flag_item("learning.own", points=2, title="个性项目", title_en="Own item", **self.scoped)]


def test_an_item_for_one_organisation_is_not_applicable_to_the_others(
    write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    write_org("a", learning={"own": True})
    write_org("b")
    result = assess(extra_plugins=(OwnItem(organisations=["a"]),))
    own_a, own_b = (result.ledgers[org_id].items["learning.own"] for org_id in "ab")
    assert (own_a.status, own_a.points) == ("scored", Decimal(2))
    assert (own_b.status, own_b.points) == ("not_applicable", Decimal(0))
    assert own_b.basis == "不适用：仅适用于a"
    assert result.ledgers["a"].sections["learning"].max == LEARNING_MAX + 2
    assert result.ledgers["b"].sections["learning"].max == LEARNING_MAX
    warned = [problem.key for problem in result.ledgers["b"].organisation.warnings]
    assert "own" not in warned
    entry = next(entry for entry in json_of(result)["organisations"] if entry["id"] == "b")
    assert entry["sections"]["learning"]["items"]["learning.own"]["status"] == "not_applicable"


def test_an_organisation_in_scope_missing_the_fact_is_warned(
    write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    write_org("a")
    result = assess(extra_plugins=(OwnItem(organisations=["a"]),))
    assert "own" in [problem.key for problem in result.ledgers["a"].organisation.warnings]


def test_an_item_for_a_tag_applies_to_the_organisations_tagged_so(
    write_org: Callable[..., Path], assess: Callable[..., RunResult], tmp_path: Path
) -> None:
    write_org("a", learning={"own": True})
    path = write_org("b", learning={"own": True})
    text = path.read_text(encoding="utf-8").replace("[organisation]\n", '[organisation]\ntags = ["离退休党支部"]\n', 1)
    path.write_text(text, encoding="utf-8")
    result = assess(extra_plugins=(OwnItem(tags=["离退休党支部"]),))
    assert result.ledgers["a"].items["learning.own"].status == "not_applicable"
    assert "标签为离退休党支部的组织" in result.ledgers["a"].items["learning.own"].basis
    assert result.ledgers["b"].items["learning.own"].points == Decimal(2)


def test_tags_must_be_a_list_of_texts(write_org: Callable[..., Path], assess: Callable[..., RunResult]) -> None:
    path = write_org("a")
    path.write_text(path.read_text(encoding="utf-8").replace("[organisation]\n", "[organisation]\ntags = 3\n", 1))
    result = assess()
    (error,) = result.failed[0].errors
    assert (error.table, error.key, error.expected) == ("organisation", "tags", "a list of texts")


def test_the_star_threshold_is_on_the_organisations_own_maximum(
    write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    """Learning is 25 for b and 27 for a: 20 points earn b's star (0.8 × 25)
    and not a's (0.8 × 27 = 21.6)."""
    facts = {"thought_analyses": 0, "halfyear_reports": 0, "unimplemented": 0}
    write_org("a", learning={**facts, **all_learning_true()})
    write_org("b", learning={**facts, **all_learning_true()})
    result = assess(extra_plugins=(OwnItem(organisations=["a"]),))
    a, b = result.ledgers["a"], result.ledgers["b"]
    assert a.sections["learning"].score == b.sections["learning"].score == Decimal(20)
    assert "learning" in b.awards.stars
    assert a.awards.withheld["learning"] == "20 < 21.6"


def all_learning_true() -> dict[str, Any]:
    return {
        "political_priority": True,
        "initial_mission_system": True,
        "party_regulations": True,
        "talks_visits": True,
        "quarterly_reports": 4,
        "member_hours_met": True,
        "leader_hours_met": True,
        "xuexi_promoted": True,
        "regular_training": True,
        "training_misses": 0,
    }


class TaggedSection:
    """A whole plugin for one organisation: its own party-building star."""

    name = "tagged_section"
    SCOPE = scope(organisations=["a"])

    @hookimpl
    def assess_sections(self, edition: str) -> list[Section]:
        return [Section("safety", "安全星", "Safety star", "party_building", order=55)]

    @hookimpl
    def assess_items(self, edition: str) -> list[Any]:
        return [flag_item("safety.plan", points=2, title="制定年度安全工作计划", title_en="A safety plan")]


def test_a_whole_plugin_scoped_to_one_organisation_asks_no_star_of_the_others(
    write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    write_org("a", safety={"plan": False})
    write_org("b")
    result = assess(extra_plugins=(TaggedSection(),))
    a, b = result.ledgers["a"], result.ledgers["b"]
    assert b.items["safety.plan"].status == "not_applicable"
    assert "safety" not in b.awards.withheld
    assert a.awards.withheld["safety"] == "0 < 1.6"


def where(problems: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    return [(problem["table"], problem["key"], problem["found"]) for problem in problems]


def test_the_department_plugin_example_changes_only_the_finance_bureau() -> None:
    sample = json_of(run_without_history(SAMPLE_2020))
    with_plugin = json_of(run_without_history(DEPARTMENT_PLUGIN))
    before = {entry["id"]: entry for entry in sample["organisations"]}
    after = {entry["id"]: entry for entry in with_plugin["organisations"]}
    assert set(before) == set(after) and len(after) == 12
    own = "innovation.budget_party_building"
    for org_id, entry in after.items():
        if org_id == "sx-finance":
            continue
        assert entry["total"] == before[org_id]["total"]
        assert entry["awards"] == before[org_id]["awards"]
        assert where(entry["warnings"]) == where(before[org_id]["warnings"])
        for section_id, section in entry["sections"].items():
            assert (section["score"], section["max"]) == (
                before[org_id]["sections"][section_id]["score"],
                before[org_id]["sections"][section_id]["max"],
            )
        assert entry["sections"]["innovation"]["items"][own]["status"] == "not_applicable"
    finance, finance_before = after["sx-finance"], before["sx-finance"]
    assert finance["sections"]["innovation"]["items"][own]["points"] == 2
    assert finance["sections"]["innovation"]["max"] == finance_before["sections"]["innovation"]["max"] + 2
    assert finance["total"] == finance_before["total"] + 2


# --------------------------------------------------------------------------
# conflicts are explicit
# --------------------------------------------------------------------------


class Override:
    def __init__(self, name: str, overrides: bool | str = True, weight: str = "-1") -> None:
        self.name = name
        self.overrides = overrides
        self.weight = weight

    @hookimpl
    def assess_items(self, edition: str) -> list[Any]:
        return [
            item(
                "learning.committee_training",
                points=6,
                subtotal="加强学习教育培训",
                title=f"培训（{self.name}）",
                facts=count("training_misses"),
                rule=Custom(lambda values, context: (dec(6) + dec(self.weight) * values["training_misses"], "x"), "x"),
                overrides=self.overrides,
            )
        ]


def test_two_plugins_overriding_one_item_is_an_error_naming_both(
    write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    write_org("a")
    with pytest.raises(InputError) as raised:
        assess(extra_plugins=(Override("first"), Override("second")))
    text = problems_of(raised)
    assert "plugins first and second both claim it" in text
    assert "learning.committee_training" in text


@pytest.mark.parametrize("order", ["named-last", "named-first"])
def test_an_override_naming_the_one_it_replaces_wins_in_any_order(
    write_org: Callable[..., Path], assess: Callable[..., RunResult], order: str
) -> None:
    write_org("a", learning={"training_misses": 2})
    plugins = [Override("first", weight="-1"), Override("second", overrides="first", weight="-2")]
    if order == "named-first":
        plugins.reverse()
    result = assess(extra_plugins=tuple(plugins))
    assert result.context.registry.owners["learning.committee_training"] == "second"
    assert result.ledgers["a"].items["learning.committee_training"].points == Decimal(2)


def test_an_override_keeps_the_items_place_in_its_section(
    write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    write_org("a")
    result = assess(extra_plugins=(Override("first"),))
    assert list(result.ledgers["a"].sections["learning"].items) == [entry.id for entry in LEARNING_ITEMS]


class NewItem:
    name = "new_item"

    @hookimpl
    def assess_items(self, edition: str) -> list[Any]:
        return [flag_item("learning.club", points=1, title="读书会")]


class ClubOverride:
    name = "club_override"

    @hookimpl
    def assess_items(self, edition: str) -> list[Any]:
        return [flag_item("learning.club", points=2, title="读书会（2分）", overrides=True)]


def test_an_override_registered_before_the_original_still_applies(
    write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    write_org("a", learning={"club": True})
    result = assess(extra_plugins=(ClubOverride(), NewItem()))
    assert result.ledgers["a"].items["learning.club"].points == Decimal(2)
    assert result.context.registry.owners["learning.club"] == "club_override"


class Deriving:
    def __init__(self, name: str, value: bool, replaces: str | None = None) -> None:
        self.name = name
        self.value = value
        self.replaces = replaces

    @hookimpl
    def assess_collect(self, organisation: Any) -> dict[str, DerivedFact]:
        return {"learning.talks_visits": DerivedFact(self.value, f"derived by {self.name}", replaces=self.replaces)}


def test_two_plugins_deriving_one_fact_is_a_plugin_error_naming_both(
    write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    write_org("a")
    result = assess(extra_plugins=(Deriving("one", True), Deriving("two", False)))
    (error,) = result.failed[0].errors
    assert error.fault == "plugin"
    assert "plugins one and two both claim it" in str(error)
    assert "learning.talks_visits" in str(error)


def test_a_derivation_naming_the_one_it_replaces_wins(
    write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    write_org("a")
    result = assess(extra_plugins=(Deriving("two", False, replaces="one"), Deriving("one", True)))
    assert result.ledgers["a"].organisation.sources["learning.talks_visits"] == "derived by two"
    assert result.ledgers["a"].items["learning.talks_visits"].points == Decimal(0)


# --------------------------------------------------------------------------
# the core goes first: its steps are wrappers
# --------------------------------------------------------------------------


class EarlyCap:
    """A tryfirst assess_cap: it still runs after the core's, sees every
    section, and its change stays."""

    name = "early_cap"

    def __init__(self) -> None:
        self.seen: list[str] = []

    @hookimpl(tryfirst=True)
    def assess_cap(self, ledger: Any) -> None:
        self.seen = list(ledger.sections)
        ledger.sections["learning"].score -= 1


def test_a_tryfirst_plugin_sees_and_changes_the_cores_work(
    write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    write_org("a", learning={"halfyear_reports": 2})
    plain = assess().ledgers["a"]
    early = EarlyCap()
    changed = assess(extra_plugins=(early,)).ledgers["a"]
    assert "learning" in early.seen and "bonus" in early.seen
    assert changed.sections["learning"].score == plain.sections["learning"].score - 1
    assert changed.total == plain.total - 1


class MarkedRegistration:
    name = "marked"

    @hookimpl(tryfirst=True)
    def assess_items(self, edition: str) -> list[Any]:
        return []


class WrappedRegistration:
    name = "wrapped"

    @hookimpl(wrapper=True)
    def assess_sections(self, edition: str) -> Any:
        return (yield)


@pytest.mark.parametrize(
    ("plugin", "found"),
    [
        (MarkedRegistration(), "plugin marked: assess_items is marked tryfirst=True"),
        (WrappedRegistration(), "plugin wrapped: assess_sections is marked wrapper=True"),
    ],
    ids=["tryfirst", "wrapper"],
)
def test_registration_hooks_refuse_ordering_marks(
    write_org: Callable[..., Path], assess: Callable[..., RunResult], plugin: object, found: str
) -> None:
    write_org("a")
    with pytest.raises(InputError) as raised:
        assess(extra_plugins=(plugin,))
    assert found in problems_of(raised)
    assert "each plugin is asked on its own" in problems_of(raised)


# --------------------------------------------------------------------------
# a plugin's bug is the plugin's fault
# --------------------------------------------------------------------------


def broken_rule(values: Any, context: Any) -> Any:
    return values["bug"] / 0, "never"


class BuggyItem:
    name = "buggy"

    @hookimpl
    def assess_items(self, edition: str) -> list[Any]:
        return [item("learning.bug", points=1, title="缺陷", facts=count("bug"), rule=Custom(broken_rule, "bug"))]


def test_a_rule_that_raises_names_the_plugin_the_item_and_the_step(
    write_org: Callable[..., Path], invoke: Callable[..., Any], write_config: Callable[..., Path]
) -> None:
    write_org("a", learning={"bug": 1})
    config = write_config()
    result = run(load_config(config), plugins=(BuggyItem(),))
    (error,) = result.failed[0].errors
    assert error.fault == "plugin"
    assert error.key == "learning.bug"
    text = str(error)
    assert "插件错误：插件 buggy 在 score 步骤计算项目 learning.bug 时出错" in text
    assert "ZeroDivisionError" in text
    assert "-vv" in text
    assert "不是本单位证据的问题" in text


BUGGY_FILE = """
from fivestar import Custom, count, hookimpl, item


def broken(values, context):
    return values["bug"] / 0, "never"


@hookimpl
def assess_items(edition):
    return [item("learning.bug", points=1, title="缺陷", facts=count("bug"), rule=Custom(broken, "bug"))]
"""


@pytest.mark.parametrize(("verbosity", "traceback"), [((), False), (("-vv",), True)], ids=["quiet", "-vv"])
def test_the_traceback_of_a_plugins_bug_is_shown_with_vv(
    write_org: Callable[..., Path],
    write_config: Callable[..., Path],
    invoke: Callable[..., Any],
    tmp_path: Path,
    verbosity: tuple[str, ...],
    traceback: bool,
) -> None:
    (tmp_path / "buggy.py").write_text(BUGGY_FILE, encoding="utf-8")
    write_org("a", learning={"bug": 1})
    config = write_config(plugins={"paths": ["buggy.py"]})
    result = invoke(*verbosity, "run", config)
    assert result.exit_code == 1
    assert "插件错误 (1):" in result.stdout
    assert "未通过校验" not in result.stdout
    assert "1 个党组织因插件错误未计分：" in result.stderr
    assert ("Traceback (most recent call last)" in result.stderr) is traceback
    assert ('buggy.py", line 6, in broken' in result.stderr) is traceback


def test_explain_and_rules_say_whom_a_scoped_item_applies_to(invoke: Callable[..., Any]) -> None:
    explained = invoke("explain", "innovation.budget_party_building", "--config", DEPARTMENT_PLUGIN)
    assert explained.exit_code == 0, explained.output
    assert "applies to: 仅适用于sx-finance（其他单位不适用）" in explained.stdout
    rules = invoke("rules", "--config", DEPARTMENT_PLUGIN, "--format", "json")
    innovation = next(section for section in json.loads(rules.stdout)["sections"] if section["id"] == "innovation")
    scoped = {entry["id"]: entry.get("applies_to") for entry in innovation["items"] if "applies_to" in entry}
    assert scoped == {"innovation.budget_party_building": "仅适用于sx-finance"}


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_streamed_run_scores_scoped_items_as_the_in_memory_run(monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    """A large cohort is streamed (organisations packed and unpacked): the
    scope and the tags survive, and the JSON has the in-memory run's bytes."""
    import fivestar.pipeline
    import fivestar.streamed
    from fivestar.pipeline import prepare, run_cohort
    from fivestar.report import RenderOptions, json_pieces, render_json

    def as_json(streamed: bool) -> bytes:
        monkeypatch.setattr(fivestar.pipeline, "STREAM_FROM", 1 if streamed else 10**9)
        monkeypatch.setattr(fivestar.pipeline, "PARALLEL_FROM", 1)
        monkeypatch.setattr(fivestar.streamed, "CHUNK", 5)
        config = load_config(DEPARTMENT_PLUGIN)
        config.history = False
        pm, context = prepare(config)
        result = run_cohort(config.organisation_files(), pm, context, jobs=jobs, pieces={"json": json_pieces})
        result.config = config
        rendered = render_json(result, RenderOptions())
        return b"".join(piece.encode() if isinstance(piece, str) else piece for piece in rendered)

    expected = as_json(streamed=False)
    assert expected.count(b'"status": "not_applicable"') == 11
    assert as_json(streamed=True) == expected


class ScopedHeavy:
    """A department's own item and heavy item, for organisation a only."""

    name = "scoped_heavy"
    SCOPE = scope(organisations=["a"])

    @hookimpl
    def assess_items(self, edition: str) -> list[Any]:
        return [flag_item("learning.own", points=2, title="个性项目")]

    @hookimpl
    def assess_heavy_items(self, edition: str) -> list[Any]:
        return [heavy_item("learning.heavy.own", title="个性重扣项")]


def test_a_finding_on_an_item_that_does_not_apply_is_ignored_with_a_warning(
    write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    review = {"falsified": ["learning.own"], "heavy": {"learning.heavy.own": True}}
    write_org("a", learning={"own": True}, review=review)
    write_org("b", review=review)
    result = assess(extra_plugins=(ScopedHeavy(),))
    a, b = result.ledgers["a"], result.ledgers["b"]
    assert a.items["learning.own"].status == "falsified"
    assert [deduction.item.id for deduction in a.heavy] == ["learning.heavy.own"]
    assert b.items["learning.own"].status == "not_applicable"
    assert b.heavy == []
    ignored = [str(problem) for problem in b.organisation.warnings if "不适用于本单位" in str(problem)]
    assert len(ignored) == 2
    assert all("仅适用于a" in text for text in ignored)


BUGGY_COHORT_FILE = """
from fivestar import hookimpl


@hookimpl
def assess_cohort(cohort, context):
    return {"share": 1 / (len(cohort.organisations) - len(cohort.organisations))}
"""


@pytest.mark.parametrize(
    ("streamed", "jobs", "verbosity"),
    [(False, "1", ()), (True, "1", ()), (True, "2", ()), (True, "2", ("-vv",))],
    ids=["in-memory", "streamed", "streamed-2", "streamed-2-vv"],
)
def test_a_plugin_whose_cohort_hook_raises_stops_the_run_with_an_error_naming_it(
    write_org: Callable[..., Path],
    write_config: Callable[..., Path],
    invoke: Callable[..., Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    streamed: bool,
    jobs: str,
    verbosity: tuple[str, ...],
) -> None:
    """Every score may read what the hook did not compute: the run stops, exit
    2, with the plugin named and no traceback (unless -vv), no output written
    and no spill folder left."""
    import tempfile

    import fivestar.pipeline

    monkeypatch.setattr(fivestar.pipeline, "STREAM_FROM", 1 if streamed else 10**9)
    temporary = tmp_path / "temporary"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    (tmp_path / "buggy_cohort.py").write_text(BUGGY_COHORT_FILE, encoding="utf-8")
    write_org("a")
    write_org("b")
    config = write_config(plugins={"paths": ["buggy_cohort.py"]})
    output = tmp_path / "out.json"
    result = invoke(*verbosity, "run", config, "--format", "json", "-o", output, "--jobs", jobs)
    assert result.exit_code == 2, result.output
    assert "插件错误：插件 buggy_cohort 在 cohort 步骤出错（ZeroDivisionError: division by zero）" in result.stderr
    assert ("Traceback (most recent call last)" in result.stderr) is bool(verbosity)
    assert not output.exists()
    assert list(temporary.iterdir()) == []
