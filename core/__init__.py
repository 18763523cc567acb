"""fivestar-assess: the engine, and the one module a plugin imports from.

The engine knows the steps of an assessment, not the rules; every section of
the standard is a plugin. A plugin needs nothing but this module::

    from fivestar import flag_item, hookimpl, item, count, Linear, Section

Everything listed in ``__all__`` is the plugin API (see docs/plugins.md);
other modules of the package are internal and may change.
"""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

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
from fivestar.policies import choice_policy, number_policy
from fivestar.rules import AllFlags, Basis, Custom, Flag, Levels, Linear, Rule, Values, show
from fivestar.version import __version__

if TYPE_CHECKING:
    from fivestar.pipeline import RunResult


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
