"""fivestar-assess: the engine, and the one module a plugin imports from.

The engine knows the steps of an assessment, not the rules; every section of
the standard is a plugin. A plugin needs nothing but this module::

    from fivestar import flag_item, hookimpl, item, count, Linear, Section

Everything listed in ``__all__`` is the plugin API (see docs/plugins.md);
other modules of the package are internal and may change.
"""

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
    "show",
    "yes_no",
]
