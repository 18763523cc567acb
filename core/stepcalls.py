"""The per-organisation steps (score, penalise, cap, rate) called without
pluggy's machinery when it would only add time.

A cohort calls each of these hooks once per organisation; pluggy's call
(its hook-executing chain and the core's wrapper generator) costs more than
the core's work of some steps. Where a step's implementations are the
core's own wrapper (:mod:`fivestar.steps`, which does its work and then
yields) and plain implementations, calling the core's function and then
each plain implementation in pluggy's order is the same call. Anything
else (another plugin's wrapper, an old-style hookwrapper, a monitor such as
``assess whatif``'s) is left to pluggy. A test compares the two on plugins
with ordering marks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

Step = Callable[..., None]


class StepCaller:
    """Calls one step hook with ``ledger`` and ``context``."""

    def __init__(self, pm: Any, name: str) -> None:
        self.pm = pm
        self.hook = getattr(pm.hook, name)
        self.generation = -1
        self.calls: list[tuple[Step, tuple[int, ...]]] | None = None

    def __call__(self, ledger: Any, context: Any) -> None:
        pm = self.pm
        if pm.generation != self.generation:
            self.calls, self.generation = direct_calls(self.hook.get_hookimpls()), pm.generation
        calls = self.calls
        if calls is None or pm.monitors:
            self.hook(ledger=ledger, context=context)
            return
        for function, positions in calls:
            if positions is BOTH:
                function(ledger, context)
            else:
                arguments = (ledger, context)
                function(*[arguments[position] for position in positions])


ARGUMENTS = ("ledger", "context")
BOTH = (0, 1)


def direct_calls(impls: list[pluggy.HookImpl]) -> list[tuple[Step, tuple[int, ...]]] | None:
    """The functions pluggy would call, in its order, each with the
    positions of its arguments among (ledger, context); or None where a
    wrapper other than the core's own takes part."""
    calls: list[tuple[Step, tuple[int, ...]]] = []
    plain = []
    for impl in reversed(impls):
        if impl.hookwrapper or (impl.wrapper and getattr(impl.function, "core_step", None) is None):
            return None
        if impl.wrapper:
            calls.append((impl.function.core_step, BOTH))
        else:
            positions = tuple(ARGUMENTS.index(name) for name in impl.argnames)
            plain.append((impl.function, BOTH if positions == BOTH else positions))
    return calls + plain
