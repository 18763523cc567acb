"""The per-organisation steps called directly (fivestar.stepcalls) run the
same implementations in the same order as pluggy's call, and leave the call
to pluggy whenever a wrapper or a monitor takes part."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

from fivestar import hookimpl
from fivestar.config import load_config
from fivestar.model import Ledger
from fivestar.pipeline import prepare, read_cohort, score_with_figures
from fivestar.stepcalls import direct_calls

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "examples" / "shaoxing-2020" / "config.toml"
STEPS = ("assess_score", "assess_penalise", "assess_cap", "assess_rate")


def recording_plugins(calls: list[str]) -> list[object]:
    """Plain implementations of every step with every ordering mark, in
    three plugins registered in turn."""

    class First:
        pass

    class Second:
        pass

    class Third:
        pass

    plugins: list[object] = [First(), Second(), Third()]
    for plugin, marks in zip(plugins, ({"tryfirst": True}, {}, {"trylast": True}), strict=True):
        for step in STEPS:

            def implementation(ledger: Ledger, step: str = step, plugin: object = plugin) -> None:
                calls.append(f"{type(plugin).__name__}.{step}:{len(ledger.items)}:{ledger.total}")

            setattr(plugin, step, hookimpl(**marks)(implementation))
    return plugins


def scored(pm: Any, context: Any) -> dict[str, Ledger]:
    """The sample cohort's ledgers."""
    organisations = read_cohort(load_config(SAMPLE).organisation_files(), pm, context)
    return score_with_figures([organisation for organisation in organisations if organisation.valid], pm, context)


def scored_calls(through_pluggy: bool) -> tuple[list[str], dict[str, Ledger]]:
    calls: list[str] = []
    pm, context = prepare(load_config(SAMPLE), plugins=recording_plugins(calls))
    undo = pm.add_hookcall_monitoring(lambda *args: None, lambda *args: None) if through_pluggy else None
    ledgers = scored(pm, context)
    if undo:
        undo()
    return calls, ledgers


def test_the_direct_call_runs_what_pluggy_runs_in_its_order() -> None:
    direct, direct_ledgers = scored_calls(through_pluggy=False)
    pluggy_calls, pluggy_ledgers = scored_calls(through_pluggy=True)
    assert len(direct) == 12 * len(direct_ledgers) > 12
    assert direct == pluggy_calls
    assert [call.split(":")[0] for call in direct[:3]] == [
        "First.assess_score",
        "Second.assess_score",
        "Third.assess_score",
    ]
    for org_id, ledger in direct_ledgers.items():
        assert ledger.total == pluggy_ledgers[org_id].total
        assert ledger.awards == pluggy_ledgers[org_id].awards


def test_the_core_step_runs_before_every_plain_implementation() -> None:
    calls, ledgers = scored_calls(through_pluggy=False)
    items_when_scored = int(calls[0].split(":")[1])
    assert items_when_scored == len(next(iter(ledgers.values())).items) > 0


def test_a_plugins_wrapper_leaves_the_call_to_pluggy() -> None:
    seen: list[str] = []

    class Wrapping:
        @hookimpl(wrapper=True)
        def assess_cap(self, ledger: Ledger) -> Generator[None, None, None]:
            seen.append("before")
            result = yield
            seen.append("after")
            return result

    pm, context = prepare(load_config(SAMPLE), plugins=[Wrapping()])
    assert direct_calls(pm.hook.assess_cap.get_hookimpls()) is None
    assert direct_calls(pm.hook.assess_score.get_hookimpls()) is not None
    ledgers = scored(pm, context)
    assert seen == ["before", "after"] * len(ledgers)


def test_a_monitor_sees_every_step() -> None:
    pm, context = prepare(load_config(SAMPLE))
    hooks: list[str] = []
    undo = pm.add_hookcall_monitoring(lambda name, impls, kwargs: hooks.append(name), lambda *args: None)
    ledgers = scored(pm, context)
    undo()
    assert [name for name in hooks if name in STEPS] == list(STEPS) * len(ledgers)
    hooks.clear()
    scored(pm, context)
    assert [name for name in hooks if name in STEPS] == []
