"""The scoring plan (fivestar.plan): items decided by the values of their facts
are scored from results remembered by those values and their classes, and
those results are exactly what the rule itself gives."""

from __future__ import annotations

import dataclasses
import itertools
import linecache
import traceback
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fivestar import AllFlags, Levels, Linear, Text, choice, count, hookimpl, item, records, yes_no
from fivestar import plan as plan_module
from fivestar.faults import PluginFault
from fivestar.model import Item, ItemResult, Section, SectionResult
from fivestar.numbers import ZERO
from fivestar.pipeline import RunResult
from fivestar.plan import Remembered, clamp, plan_entry
from fivestar.rules import Custom, Flag, Values


def counted(rule: Linear, points: int | None = 3) -> Item:
    return item("learning.counted", points=points, title="计数", facts=count("n"), rule=rule)


def test_a_remembered_result_is_the_rules_own_clamped_to_the_items_points() -> None:
    declared = counted(Linear.of(("-0.5", "n"), start=6), points=6)
    _, _, fact, how, _ = plan_entry(declared, None)
    assert fact == ("n",)
    assert how.key({"n": 3, "other": True}) == (int, 3)
    for value in (0, 3, 12, 20):
        raw, trace = declared.rule.evaluate(declared, {"n": value}, None)  # type: ignore[arg-type]
        assert how[int, value] == (raw, clamp(raw, Decimal(6)), tuple(trace))
        assert str(how[int, value][0]) == str(raw)
    assert how[int, 20][:2] == (Decimal(-4), Decimal(0))


def test_equal_values_of_other_classes_are_scored_apart() -> None:
    """True == 1 == Decimal("1.0"), but each reads differently in the basis
    (true, 1, 1.0), and a decimal's exponent is kept: none shares another's result."""
    declared = counted(Linear.of((1, "n")))
    how = plan_entry(declared, None)[3]
    assert how[int, 1][2] == (1,) and how[int, 1][2][0].__class__ is int
    assert how[bool, True][2][0] is True
    assert str(how[Decimal, Decimal("1.0")][0]) == "1.0"
    assert str(how[Decimal, Decimal("1")][0]) == "1"
    assert set(how) == {(int, 1), (bool, True)}


def test_remembered_values_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_module, "REMEMBERED_LIMIT", 2)
    how = plan_entry(counted(Linear.of((1, "n"))), None)[3]
    assert [how[int, value][0] for value in range(5)] == [Decimal(value) for value in range(5)]
    assert len(how) == 2


def test_levels_are_remembered_and_an_unknown_level_still_fails() -> None:
    declared = item(
        "bonus.graded",
        points=2,
        title="等次",
        facts=choice("grade", ("good", "excellent"), "grade"),
        rule=Levels.of("grade", good=1, excellent=3),
    )
    how = plan_entry(declared, None)[3]
    assert isinstance(how, Remembered)
    assert how[str, "excellent"] == (Decimal(3), Decimal(2), "excellent")
    with pytest.raises(KeyError):
        how[str, "poor"]


def test_several_facts_are_remembered_by_their_values_and_classes() -> None:
    declared = counted(Linear.of(("1.5", "n"), ("-0.2", "m")))
    _, _, facts, how, _ = plan_entry(declared, None)
    assert facts == ("n", "m")
    assert how.key({"n": 2, "m": 1, "other": 9}) == (int, 2, int, 1)
    assert how[int, 2, int, 1] == (Decimal("2.8"), Decimal("2.8"), (2, 1))
    assert how[bool, True, int, 1][2][0] is True
    assert str(how[Decimal, Decimal("2.0"), int, 1][0]) == "2.80"
    assert set(how) == {(int, 2, int, 1), (bool, True, int, 1)}


def test_values_without_a_hash_are_evaluated() -> None:
    declared = item(
        "norms.both",
        points=1,
        title="两项",
        facts=(yes_no("a", "a"), yes_no("b", "b")),
        rule=AllFlags(("a", "b")),
    )
    how = plan_entry(declared, None)[3]
    assert how.evaluated((list, ["x"], bool, True)) == (Decimal(1), Decimal(1), (["x"], True))
    with pytest.raises(TypeError):
        how[list, ["x"], bool, True]


class Doubled(Linear):
    """A rule that evaluates otherwise than the shape it extends."""

    def evaluate(self, item: Item, values: Values, context: Any) -> tuple[Decimal, Any]:
        raw, trace = super().evaluate(item, values, context)
        return 2 * raw, trace


def test_only_rules_decided_by_their_facts_are_remembered() -> None:
    overridden = counted(Doubled.of((1, "n")))
    assert overridden.rule.deciding_facts() == ()
    _, _, fact, how, _ = plan_entry(overridden, None)
    assert (fact, how({"n": 2}, None)) == (None, (Decimal(4), [2]))
    assert plan_entry(counted(Linear.of((1, "n"))), "disabled")[2:4] == (None, "disabled")


class Inverted(Flag):
    """A flag whose own evaluate gives its points when the fact is false."""

    def evaluate(self, item: Item, values: Values, context: Any) -> tuple[Decimal, Any]:
        value = values[self.fact]
        return (ZERO if value else item.points or ZERO), value


def test_a_flag_whose_evaluate_is_its_own_is_evaluated_by_it() -> None:
    done = yes_no("done", "done")
    inverted = item("learning.inverted", points=2, title="反向", facts=done, rule=Inverted("done"))
    plain = item("learning.plain", points=2, title="正向", facts=done, rule=Flag("done"))
    _, _, fact, how, _ = plan_entry(inverted, None)
    assert fact is None
    assert how({"done": False}, None) == (Decimal(2), False)
    assert plan_entry(plain, None)[2:4] == ("done", None)


class ListedItem:
    """An item decided by a list fact (a list has no hash) and a flag."""

    name = "listed"

    @hookimpl
    def assess_items(self, edition: str) -> list[Item]:
        return [
            item(
                "learning.listed",
                points=1,
                title="有记录且已报",
                facts=(records("entries", {"name": Text()}), yes_no("reported", "reported")),
                rule=AllFlags(("entries", "reported")),
            )
        ]


def test_an_item_decided_by_a_list_is_scored(write_org: Callable[..., Path], assess: Callable[..., RunResult]) -> None:
    write_org("a", learning={"entries": [{"name": "x"}], "reported": True})
    write_org("b", learning={"entries": [], "reported": True})
    result = assess((ListedItem(),))
    lines = {org_id: ledger.items["learning.listed"] for org_id, ledger in result.ledgers.items()}
    assert (lines["a"].points, lines["b"].points) == (Decimal(1), Decimal(0))
    assert lines["a"].trace == ([{"name": "x"}], True)


def line_values(line: Any) -> tuple[Any, ...]:
    return (line.points, line.raw, line.trace, line.status, line.note, line.scored_points)


def test_the_compiled_plan_gives_each_entrys_own_line() -> None:
    """Every kind of entry, with values on both sides of each boundary: a
    flag, one and several deciding facts, a custom rule below its floor,
    above its ceiling and without one, a disabled item, and an item with a
    scope that applies to one organisation and not to another (不适用)."""
    ticked = item("learning.ticked", points=2, title="勾选", facts=yes_no("done", "done"), rule=Flag("done"))
    counted_up = item("learning.counted", points=3, title="计数", facts=count("n"), rule=Linear.of(("1.5", "n")))
    pair = item(
        "learning.pair", points=4, title="两项", facts=(count("n"), count("m")), rule=Linear.of((1, "n"), ("-1", "m"))
    )
    custom = item("norms.custom", points=5, title="自定", facts=count("n"), rule=Doubled.of((1, "n"), start=-3))
    unbounded = item("norms.open", points=None, title="不封顶", facts=count("n"), rule=Doubled.of((1, "n")))
    disabled = item("norms.off", points=1, title="停用", facts=count("n"), rule=Linear.of((1, "n")))
    scoped = item(
        "norms.scoped", points=1, title="适用", facts=count("n"), rule=Linear.of((1, "n")), organisations=("x",)
    )
    entries = [
        plan_entry(ticked, None),
        plan_entry(counted_up, None),
        plan_entry(pair, None),
    ]
    others = [
        plan_entry(custom, None),
        plan_entry(unbounded, None),
        plan_entry(disabled, "disabled"),
        plan_entry(scoped, None),
    ]
    plan = [("learning", entries), ("norms", others)]
    scorer = plan_module.compile_plan(plan, ItemResult, {})
    loop = plan_module.interpreted_plan(plan, ItemResult, {})
    cases = [(True, 0, 0), (False, 1, 0), (True, 2, 1), (False, 3, 5), (True, 9, 0), (False, 100, 2)]
    for (done, n, m), not_applicable in itertools.product(cases, (frozenset(), frozenset({"norms.scoped", "x.y"}))):
        facts = {"learning": {"done": done, "n": n, "m": m}, "norms": {"n": n}}
        lines: dict[str, ItemResult] = {}
        scorer(facts, lines, None, not_applicable)
        looped: dict[str, ItemResult] = {}
        loop(facts, looped, None, not_applicable)
        assert (lines["norms.scoped"].status == "not_applicable") == bool(not_applicable)
        assert list(lines) == list(looped) == [entry[0] for entry in entries + others]
        assert {item_id: line_values(line) for item_id, line in lines.items()} == {
            item_id: line_values(line) for item_id, line in looped.items()
        }
        assert all(line.item is looped[item_id].item for item_id, line in lines.items())
    lines = {}
    scorer({"learning": {"done": True, "n": 9, "m": 0}, "norms": {"n": 0}}, lines, None, frozenset({"norms.scoped"}))
    assert (lines["learning.counted"].points, lines["learning.counted"].raw) == (Decimal(3), Decimal("13.5"))
    assert (lines["norms.custom"].points, lines["norms.custom"].raw) == (ZERO, Decimal(-6))
    assert lines["norms.open"].points == ZERO
    assert lines["norms.off"].status == "disabled"
    assert lines["norms.scoped"].note == scoped.scope.describe() != ""  # type: ignore[union-attr]


def test_the_compiled_plan_and_the_loop_give_the_rules_own_result_whatever_the_values_class() -> None:
    """Organisation after organisation, values of equal value and other
    classes (true, 1, 1.0, 1), none and a list: the compiled plan and the
    loop, each with results of its own to remember, give the rule's own
    raw value and trace (the decimal's exponent, the value's class), or the
    same fault where the rule cannot take the value."""
    declared = [
        counted(Linear.of(("1.5", "n"))),
        item(
            "learning.pair", points=4, title="两项", facts=(count("n"), count("m")), rule=Linear.of((1, "n"), (1, "m"))
        ),
        item(
            "learning.both",
            points=1,
            title="都做",
            facts=(yes_no("n", "n"), yes_no("m", "m")),
            rule=AllFlags(("n", "m")),
        ),
    ]
    compiled = plan_module.compile_plan([("learning", [plan_entry(each, None) for each in declared])], ItemResult, {})
    loop = plan_module.interpreted_plan([("learning", [plan_entry(each, None) for each in declared])], ItemResult, {})
    kinds = [True, 1, Decimal("1.0"), Decimal(1), 1, True, None, [1], 0, False, Decimal("0.0")]
    faults = []
    for n, m in itertools.product(kinds, repeat=2):
        values = {"n": n, "m": m}
        failing = []
        for each in declared:
            try:
                each.rule.evaluate(each, values, None)  # type: ignore[arg-type]
            except TypeError:
                failing.append(each.id)
        for scorer in (compiled, loop):
            lines: dict[str, ItemResult] = {}
            try:
                scorer({"learning": values}, lines, None, frozenset())
            except PluginFault as fault:
                assert fault.item == failing[0]
                faults.append(fault.item)
                continue
            assert not failing
            for each in declared:
                raw, trace = each.rule.evaluate(each, values, None)  # type: ignore[arg-type]
                line = lines[each.id]
                assert (str(line.raw), str(line.points)) == (str(raw), str(clamp(raw, each.points))), (n, m)
                assert [(value.__class__, str(value)) for value in line.trace] == [
                    (value.__class__, str(value)) for value in trace
                ]
    assert set(faults) == {"learning.counted", "learning.pair"}


def test_a_rule_that_raises_in_the_compiled_plan_names_its_item_and_plugin() -> None:
    def broken(values: Values, context: Any) -> tuple[Decimal, Any]:
        raise ZeroDivisionError("a plugin's bug")

    fine = item("learning.fine", points=1, title="正常", facts=yes_no("done", "done"), rule=Flag("done"))
    failing = item("learning.failing", points=1, title="出错", facts=count("n"), rule=Custom(broken, "bug"))
    plan = [("learning", [plan_entry(fine, None), plan_entry(failing, None)])]
    for make in (plan_module.compile_plan, plan_module.interpreted_plan):
        scorer = make(plan, ItemResult, {"learning.failing": "buggy-plugin"})
        with pytest.raises(PluginFault) as raised:
            scorer({"learning": {"done": True, "n": 1}}, {}, None, frozenset())
        assert (raised.value.plugin, raised.value.item) == ("buggy-plugin", "learning.failing")
        assert isinstance(raised.value.__cause__, ZeroDivisionError)


def test_the_plan_is_compiled_once_the_process_has_scored_enough_organisations(
    monkeypatch: pytest.MonkeyPatch, write_org: Callable[..., Path], assess: Callable[..., RunResult]
) -> None:
    """The loop scores the first organisations, the compiled plan the
    others, once for the run, and their lines are the same."""
    monkeypatch.setattr(plan_module, "COMPILE_AFTER", 3)
    compiled = []
    real = plan_module.compile_plan

    def counted(*arguments: Any) -> Any:
        compiled.append(arguments)
        return real(*arguments)

    monkeypatch.setattr(plan_module, "compile_plan", counted)
    for index in range(5):
        write_org(f"org{index}", learning={"halfyear_reports": 2, "political_priority": True})
    result = assess()
    assert len(compiled) == 1
    lines = [
        {item_id: (line.points, line.raw, line.status, line.note, line.basis) for item_id, line in ledger.items.items()}
        for ledger in result.ledgers.values()
    ]
    assert len(lines) == 5 and all(scored == lines[0] for scored in lines)


def test_the_compiled_text_names_no_id_or_fact() -> None:
    """Ids and fact names are constants of the function, never its text: a
    name no Python identifier could be still compiles and scores."""
    odd = 'x"]\nimport os  # '
    declared = item("learning.odd", points=1, title="怪名", facts=yes_no(odd, odd), rule=Flag(odd))
    scorer = plan_module.compile_plan([("learning", [plan_entry(declared, None)])], ItemResult, {})
    lines: dict[str, ItemResult] = {}
    scorer({"learning": {odd: True}}, lines, None, frozenset())
    assert lines["learning.odd"].points == Decimal(1)


def test_the_compiled_section_sums_add_in_order_from_zero_under_each_maximum() -> None:
    """The same decimals as a loop from zero (exponents too: 1.0 + 2 is 3.0,
    and a lone 1E+1 is written 10), each section under its own maximum."""

    class Section:
        def __init__(self, section_id: str) -> None:
            self.id = section_id

    learning, norms, empty = Section("learning"), Section("norms"), Section("empty")
    plan = [(learning, ("a", "b", "c")), (norms, ("d",)), (empty, ())]
    sums = plan_module.compile_section_sums(plan, lambda *parts: parts)

    class Line:
        def __init__(self, points: str) -> None:
            self.points = Decimal(points)

    for a, b, c, d in [("1.0", "2", "0.5", "1E+1"), ("0", "0", "0", "0"), ("3", "4.5", "-1", "2.25")]:
        lines = {key: Line(points) for key, points in zip("abcd", (a, b, c, d), strict=True)}
        sections: dict[str, Any] = {}
        maxima = {"learning": Decimal(5), "norms": Decimal(3), "empty": Decimal(0)}
        sums(lines, sections, maxima)
        for section, item_ids in plan:
            claimed = ZERO
            for item_id in item_ids:
                claimed += lines[item_id].points
            maximum = maxima[section.id]
            expected = (section, claimed, min(claimed, maximum), maximum, item_ids, lines)
            assert sections[section.id] == expected
            assert str(sections[section.id][1]) == str(claimed)
    assert str(sections["norms"][1]) == "2.25"


def test_a_traceback_through_the_compiled_plan_shows_the_line_that_called_the_rule() -> None:
    """A plugin author reading the traceback sees the generated function's
    line (the call of the rule), then the rule's own frames."""

    def broken(values: Values, context: Any) -> tuple[Decimal, Any]:
        raise ZeroDivisionError("a plugin's bug")

    failing = item("learning.failing", points=1, title="出错", facts=count("n"), rule=Custom(broken, "bug"))
    scorer = plan_module.compile_plan([("learning", [plan_entry(failing, None)])], ItemResult, {})
    with pytest.raises(PluginFault) as raised:
        scorer({"learning": {"n": 1}}, {}, None, frozenset())
    shown = "".join(traceback.format_exception(raised.value.__cause__))
    assert "raw, trace = c" in shown and "(values, scoring)" in shown
    assert 'raise ZeroDivisionError("a plugin\'s bug")' in shown


def test_the_compiled_section_sums_take_a_section_of_thousands_of_items() -> None:
    """A province whose departments each have an own item (个性项目) puts
    thousands of items in one section: one expression of as many terms
    would be nested too deep to compile."""

    class Section:
        id = "innovation"

    item_ids = tuple(f"innovation.own_{index}" for index in range(5000))
    sums = plan_module.compile_section_sums([(Section(), item_ids)], lambda *parts: parts)

    class Line:
        points = Decimal("0.1")

    sections: dict[str, Any] = {}
    sums(dict.fromkeys(item_ids, Line()), sections, {"innovation": Decimal(600)})
    assert sections["innovation"][1:4] == (Decimal("500.0"), Decimal("500.0"), Decimal(600))


def test_a_dataclass_is_made_without_its_call_only_where_that_is_the_same_object() -> None:
    """A line made field by field is equal to the line the call makes, the
    defaults included; a class that does more in its making (a
    ``__post_init__``, frozen fields, a default factory, no dataclass at
    all) is called."""

    @dataclasses.dataclass
    class Checked:
        value: int

        def __post_init__(self) -> None:
            if self.value < 0:
                raise ValueError("negative")

    @dataclasses.dataclass(frozen=True)
    class Frozen:
        value: int

    @dataclasses.dataclass
    class Listed:
        values: list[int] = dataclasses.field(default_factory=list)

    @dataclasses.dataclass
    class Converted:
        value: int

        def __init__(self, value: Any) -> None:  # kept by dataclass: it converts
            self.value = int(value)

    @dataclasses.dataclass
    class Noted:
        value: int

        def __init__(self, value: int) -> None:
            self.value = value
            self.noted = True

    @dataclasses.dataclass
    class Plain:
        value: int

    for cls in (Checked, Frozen, Listed, Converted, Noted, dict):
        assert plan_module.made_by_fields(cls) is None
        function = plan_module.GeneratedFunction()
        assert plan_module.instance_statements("made", cls, ["1"], function.constant) == ["made = c0(1)"]
    assert [field.name for field in plan_module.made_by_fields(Plain) or ()] == ["value"]

    function = plan_module.GeneratedFunction()
    too_few = plan_module.instance_statements("made", ItemResult, ["item", "points"], function.constant)
    assert too_few == ["made = c0(item, points)"]  # raw has no default: the call says what is missing
    function = plan_module.GeneratedFunction()
    arguments = ["item", "points", "raw", "trace"]
    statements = plan_module.instance_statements("made", ItemResult, arguments, function.constant)
    assert statements[0].startswith("made = new(c") and len(statements) == 1 + len(dataclasses.fields(ItemResult))
    function.body = [*statements, "return made"]
    make = function.make("make_line", "item, points, raw, trace", new=object.__new__)
    declared = counted(Linear.of((1, "n")))
    made = make(declared, Decimal(2), Decimal("2.5"), [2])
    assert made == ItemResult(declared, Decimal(2), Decimal("2.5"), [2])
    assert (made.status, made.note, made.scored_points, made.note_phrase, made.unverified) == (
        "scored",
        "",
        ZERO,
        None,
        (),
    )


def test_the_compiled_section_sums_make_the_sections_result() -> None:
    declared = counted(Linear.of((1, "n")))
    section = Section(id="learning", title="学习星", title_en="Learning star", group="party_building", order=1)
    sums = plan_module.compile_section_sums([(section, ("a", "b"))], SectionResult)
    lines = {"a": ItemResult(declared, Decimal("2.5"), ZERO, None), "b": ItemResult(declared, Decimal(1), ZERO, None)}
    sections: dict[str, Any] = {}
    sums(lines, sections, {"learning": Decimal(3)})
    assert sections["learning"] == SectionResult(section, Decimal("3.5"), Decimal(3), Decimal(3), ("a", "b"), lines)


def test_a_plan_of_many_items_calls_the_line_class(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above INLINE_LINES_UP_TO items a line is made by calling its class (a
    shorter function): the same lines as the loop's."""
    ticked = item("learning.ticked", points=2, title="勾选", facts=yes_no("done", "done"), rule=Flag("done"))
    counted_up = item("learning.counted", points=3, title="计数", facts=count("n"), rule=Linear.of(("1.5", "n")))
    plan = [("learning", [plan_entry(ticked, None), plan_entry(counted_up, None)])]
    loop = plan_module.interpreted_plan(plan, ItemResult, {})
    for limit, made_by_call in ((2, False), (1, True)):
        monkeypatch.setattr(plan_module, "INLINE_LINES_UP_TO", limit)
        scorer = plan_module.compile_plan(plan, ItemResult, {})
        source = "".join(linecache.getlines(scorer.__code__.co_filename))
        assert ("new(" not in source) is made_by_call
        for done, n in ((True, 1), (False, 3)):
            facts = {"learning": {"done": done, "n": n}}
            lines: dict[str, ItemResult] = {}
            looped: dict[str, ItemResult] = {}
            scorer(facts, lines, None, frozenset())
            loop(facts, looped, None, frozenset())
            assert lines == looped
