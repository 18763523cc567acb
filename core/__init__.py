"""fivestar-assess: the engine, and the one module a plugin imports from.

The engine knows the steps of an assessment, not the rules; every section of
the standard is a plugin. A plugin needs nothing but this module::

    from fivestar import flag_item, hookimpl, item, count, Linear, Section

Everything listed in ``__all__`` is the plugin API (see docs/plugins.md);
other modules of the package are internal and may change.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fivestar.version import __version__

if TYPE_CHECKING:
    from fivestar.context import RunContext, ScoringContext
    from fivestar.declare import (
        amount,
        choice,
        count,
        edition_hooks,
        fact,
        flag_item,
        heavy_item,
        item,
        records,
        yes_no,
    )
    from fivestar.facts import (
        DEPARTMENT,
        DERIVED,
        OFFICE,
        Amount,
        Choice,
        Count,
        Day,
        FactSpec,
        FactType,
        Records,
        Text,
        YesNo,
    )
    from fivestar.markers import hookimpl
    from fivestar.model import (
        Cohort,
        DerivedFact,
        Edition,
        FormField,
        HeavyDeduction,
        HeavyItem,
        Item,
        ItemResult,
        Ledger,
        ListForm,
        OfficeFigure,
        Organisation,
        Policy,
        Problem,
        Scope,
        Section,
        SectionResult,
        scope,
    )
    from fivestar.numbers import ZERO, dec, fmt, fmt_signed
    from fivestar.pipeline import RunResult
    from fivestar.policies import choice_policy, number_policy
    from fivestar.rules import AllFlags, Basis, Custom, Flag, Levels, Linear, Rule, Values, Words, show

_WHERE = {
    "RunContext": "fivestar.context",
    "ScoringContext": "fivestar.context",
    "amount": "fivestar.declare",
    "choice": "fivestar.declare",
    "count": "fivestar.declare",
    "edition_hooks": "fivestar.declare",
    "fact": "fivestar.declare",
    "flag_item": "fivestar.declare",
    "heavy_item": "fivestar.declare",
    "item": "fivestar.declare",
    "records": "fivestar.declare",
    "yes_no": "fivestar.declare",
    "DEPARTMENT": "fivestar.facts",
    "DERIVED": "fivestar.facts",
    "OFFICE": "fivestar.facts",
    "Amount": "fivestar.facts",
    "Choice": "fivestar.facts",
    "Count": "fivestar.facts",
    "Day": "fivestar.facts",
    "FactSpec": "fivestar.facts",
    "FactType": "fivestar.facts",
    "Records": "fivestar.facts",
    "Text": "fivestar.facts",
    "YesNo": "fivestar.facts",
    "hookimpl": "fivestar.markers",
    "Cohort": "fivestar.model",
    "DerivedFact": "fivestar.model",
    "Edition": "fivestar.model",
    "FormField": "fivestar.model",
    "HeavyDeduction": "fivestar.model",
    "HeavyItem": "fivestar.model",
    "Item": "fivestar.model",
    "ItemResult": "fivestar.model",
    "Ledger": "fivestar.model",
    "ListForm": "fivestar.model",
    "OfficeFigure": "fivestar.model",
    "Organisation": "fivestar.model",
    "Policy": "fivestar.model",
    "Problem": "fivestar.model",
    "Scope": "fivestar.model",
    "Section": "fivestar.model",
    "SectionResult": "fivestar.model",
    "scope": "fivestar.model",
    "ZERO": "fivestar.numbers",
    "dec": "fivestar.numbers",
    "fmt": "fivestar.numbers",
    "fmt_signed": "fivestar.numbers",
    "choice_policy": "fivestar.policies",
    "number_policy": "fivestar.policies",
    "AllFlags": "fivestar.rules",
    "Basis": "fivestar.rules",
    "Custom": "fivestar.rules",
    "Flag": "fivestar.rules",
    "Levels": "fivestar.rules",
    "Linear": "fivestar.rules",
    "Rule": "fivestar.rules",
    "Values": "fivestar.rules",
    "Words": "fivestar.rules",
    "show": "fivestar.rules",
}
"""Where each public name lives: the API is imported name by name when a
plugin first asks for it, so that ``import fivestar`` (and with it the
command line's start, ``assess --help``) costs nearly nothing."""


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'fivestar' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def score(config: str | PathLike[str], *, plugins: Sequence[object] = (), load_entry_points: bool = True) -> RunResult:
    """Score the cohort a run config names, as ``assess run`` does, and return
    the result (``result.ledgers[org_id].items[item_id].points``, ...).

    :param plugins: plugin objects registered after every other (a test's own).
    :param load_entry_points: False to leave out installed plugins.
    """
    from fivestar.config import load_config
    from fivestar.pipeline import run

    return run(load_config(Path(config)), plugins=plugins, load_entry_points=load_entry_points)


__all__ = [
    "DEPARTMENT",
    "DERIVED",
    "OFFICE",
    "ZERO",
    "AllFlags",
    "Amount",
    "Basis",
    "Choice",
    "Cohort",
    "Count",
    "Custom",
    "Day",
    "DerivedFact",
    "Edition",
    "FactSpec",
    "FactType",
    "Flag",
    "FormField",
    "HeavyDeduction",
    "HeavyItem",
    "Item",
    "ItemResult",
    "Ledger",
    "Levels",
    "Linear",
    "ListForm",
    "OfficeFigure",
    "Organisation",
    "Policy",
    "Problem",
    "Records",
    "Rule",
    "RunContext",
    "Scope",
    "ScoringContext",
    "Section",
    "SectionResult",
    "Text",
    "Values",
    "Words",
    "YesNo",
    "__version__",
    "amount",
    "choice",
    "choice_policy",
    "count",
    "dec",
    "edition_hooks",
    "fact",
    "flag_item",
    "fmt",
    "fmt_signed",
    "heavy_item",
    "hookimpl",
    "item",
    "number_policy",
    "records",
    "scope",
    "score",
    "show",
    "yes_no",
]
