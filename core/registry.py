"""The rule registry of a run: every section, item, heavy item and policy the
enabled plugins declare for the edition, checked for consistency."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

import pluggy
from fivestar.facts import OWNERS, FactSpec, FactType
from fivestar.model import HeavyItem, InputError, Item, Policy, Problem, Section
from fivestar.numbers import ZERO
from fivestar.rules import AllFlags, Flag
from fivestar.suggest import did_you_mean

CORE_TABLES = ("organisation", "review")


class RegistryError(InputError):
    """The plugins' declarations contradict each other, or the config names
    something no plugin declares."""


def call_each(hook: pluggy.HookCaller, kind: type, **kwargs: Any) -> Iterator[tuple[str, list[Any]]]:
    """Call every implementation of a hook on its own, in registration order
    (built-ins first, so that a later plugin's ``overrides`` wins), yielding
    which plugin gave which answer (pluggy's normal call merges the answers).

    A plugin that raises, or answers with anything but a list of ``kind``,
    stops the run with an error naming the plugin and the hook."""
    for impl in hook.get_hookimpls():
        arguments = {name: kwargs[name] for name in impl.argnames}
        try:
            answer = list(impl.function(**arguments) or ())
        except Exception as error:
            raise _hook_error(impl, hook.name, kind, f"{type(error).__name__}: {error}") from None
        wrong = [entry for entry in answer if not isinstance(entry, kind)]
        if wrong:
            raise _hook_error(impl, hook.name, kind, f"{type(wrong[0]).__name__} {wrong[0]!r:.80}")
        yield impl.plugin_name, answer


def _hook_error(impl: pluggy.HookImpl, hook: str, kind: type, found: str) -> RegistryError:
    plugin = impl.plugin_name
    where = getattr(impl.plugin, "__file__", None) or f"plugin {plugin}"
    return RegistryError(
        [Problem("error", where, "", hook, f"a list of {kind.__name__}", found, f"plugin {plugin} failed in {hook}")]
    )


@dataclass
class Registry:
    edition: str
    sections: dict[str, Section] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    heavy: dict[str, HeavyItem] = field(default_factory=dict)
    policies: dict[str, Policy] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()
    extra_tables: frozenset[str] = frozenset()

    @property
    def enabled_items(self) -> list[Item]:
        return [item for item in self.items.values() if item.id not in self.disabled]

    def section_items(self, section_id: str) -> list[Item]:
        return [item for item in self.items.values() if item.section == section_id]

    def section_max(self, section_id: str) -> Decimal:
        return self.section_maxima[section_id]

    @cached_property
    def section_maxima(self) -> dict[str, Decimal]:
        """Each section's maximum: its cap, or the points of its enabled items."""
        maxima = {}
        for section_id, section in self.sections.items():
            enabled = (item.points or ZERO for item in self.section_items(section_id) if item.id not in self.disabled)
            maxima[section_id] = section.cap if section.cap is not None else sum(enabled, ZERO)
        return maxima

    @cached_property
    def scoring_plan(self) -> list[tuple[str, list[tuple[str, Item, str | None, Any, Decimal | None]]]]:
        """Per section, for every item in order: (id, item, flag fact,
        evaluate, ceiling). A plain flag item is scored inline, without a call
        (most items are flags, and this is the hot loop of a large cohort);
        ``evaluate`` is None for a disabled item."""
        plan: dict[str, list[tuple[str, Item, str | None, Any, Decimal | None]]] = {}
        for item in self.items.values():
            disabled = item.id in self.disabled
            fast = isinstance(item.rule, Flag) and item.points is not None and not disabled
            flag = item.rule.fact if fast else None  # type: ignore[attr-defined]
            evaluate = None if disabled else item.rule.evaluate
            plan.setdefault(item.section, []).append((item.id, item, flag, evaluate, item.points))
        return list(plan.items())

    @cached_property
    def section_item_ids(self) -> dict[str, tuple[str, ...]]:
        return {section_id: tuple(item.id for item in self.section_items(section_id)) for section_id in self.sections}

    @cached_property
    def schema(self) -> dict[str, dict[str, FactType]]:
        """table → fact name → type, over every registered item."""
        tables: dict[str, dict[str, FactType]] = {section: {} for section in self.sections}
        for item in self.items.values():
            for spec in item.facts:
                tables[item.section][spec.name] = spec.type
        return tables

    @cached_property
    def fact_owners(self) -> dict[str, str]:
        """ "table.name" → who provides the fact: department, derived or office."""
        return {
            key: spec.owner
            for item in self.items.values()
            for spec, key in zip(item.facts, item.fact_keys(), strict=True)
        }

    def owner_of(self, key: str) -> str:
        """Who provides a fact ("table.name"): department, derived or office."""
        return self.fact_owners[key]

    @cached_property
    def department_facts(self) -> dict[str, dict[str, FactSpec]]:
        """table → fact name → declaration, for the facts a department fills
        in (its evidence template); derived and office-owned facts are left out."""
        tables: dict[str, dict[str, FactSpec]] = {section: {} for section in self.sections}
        for item in self.items.values():
            for spec in item.facts:
                if spec.department_fills_in:
                    tables[item.section].setdefault(spec.name, spec)
        return tables

    @cached_property
    def fact_keys(self) -> dict[str, dict[str, str]]:
        """table → fact name → "table.name", one shared string per fact."""
        return {section: {name: f"{section}.{name}" for name in types} for section, types in self.schema.items()}

    @cached_property
    def required_facts(self) -> set[str]:
        """The fact keys that enabled items read (missing ones get a warning)."""
        return {key for item in self.enabled_items for key in item.fact_keys()}

    @cached_property
    def known_tables(self) -> set[str]:
        return set(self.sections) | set(CORE_TABLES) | set(self.extra_tables)


def _problem(key: str, expected: str, found: str, message: str, source: str) -> Problem:
    return Problem("error", source, "", key, expected, found, message)


def build_registry(
    pm: pluggy.PluginManager,
    edition: str,
    disabled_items: Iterable[str] = (),
    source: str = "<plugins>",
) -> Registry:
    """Ask every plugin for its declarations and check them together."""
    registry = Registry(edition)
    problems: list[Problem] = []

    declared_sections: list[Section] = []
    for plugin, sections in call_each(pm.hook.assess_sections, Section, edition=edition):
        for section in sections:
            if section.id in registry.owners:
                problems.append(
                    _problem(
                        section.id,
                        "a new section id",
                        f"also declared by {registry.owners[section.id]}",
                        f"plugin {plugin} declares section {section.id} twice",
                        source,
                    )
                )
                continue
            registry.owners[section.id] = plugin
            declared_sections.append(section)
    for section in sorted(declared_sections, key=lambda section: section.order):
        registry.sections[section.id] = section

    declared_items: dict[str, Item] = {}
    overriding: list[tuple[str, Item]] = []
    for plugin, items in call_each(pm.hook.assess_items, Item, edition=edition):
        for item in items:
            if item.section not in registry.sections:
                problems.append(
                    _problem(
                        item.id,
                        "a registered section",
                        item.section,
                        f"plugin {plugin} declares item {item.id} in an unknown section",
                        source,
                    )
                )
            elif isinstance(item.rule, (Flag, AllFlags)) and item.points is None:
                problems.append(
                    _problem(
                        item.id,
                        "points for a flag item",
                        "points=None",
                        f"plugin {plugin} declares flag item {item.id} without points",
                        source,
                    )
                )
            elif item.overrides:
                overriding.append((plugin, item))
            elif item.id in declared_items:
                problems.append(
                    _problem(
                        item.id,
                        "overrides=True to replace an item",
                        f"also declared by {registry.owners[item.id]}",
                        f"plugin {plugin} declares item {item.id} again",
                        source,
                    )
                )
            else:
                registry.owners[item.id] = plugin
                declared_items[item.id] = item
    for plugin, item in overriding:
        if item.id not in declared_items:
            problems.append(
                _problem(
                    item.id,
                    "an item declared by another plugin",
                    "no such item",
                    f"plugin {plugin} overrides item {item.id}, which no plugin declares",
                    source,
                )
            )
            continue
        registry.owners[item.id] = plugin
        declared_items[item.id] = item
    section_order = {section_id: index for index, section_id in enumerate(registry.sections)}
    for item in sorted(declared_items.values(), key=lambda item: section_order[item.section]):
        registry.items[item.id] = item

    fact_types: dict[str, tuple[str, FactSpec]] = {}
    for item in registry.items.values():
        for spec, key in zip(item.facts, item.fact_keys(), strict=False):
            first_item, known = fact_types.setdefault(key, (item.id, spec))
            if spec.owner not in OWNERS:
                problems.append(
                    _problem(
                        key,
                        "an owner: " + ", ".join(OWNERS),
                        f'"{spec.owner}"',
                        f"item {item.id} declares fact {key} with an unknown owner",
                        source,
                    )
                )
            if known.type != spec.type:
                problems.append(
                    _problem(
                        key,
                        f"the type {first_item} declares",
                        item.id,
                        f"fact {key} is declared with two different types",
                        source,
                    )
                )
            elif known.owner != spec.owner:
                problems.append(
                    _problem(
                        key,
                        f"the owner {first_item} declares ({known.owner})",
                        f"{item.id} ({spec.owner})",
                        f"fact {key} is declared with two different owners",
                        source,
                    )
                )

    for plugin, heavy_items in call_each(pm.hook.assess_heavy_items, HeavyItem, edition=edition):
        for heavy in heavy_items:
            if heavy.section not in registry.sections or heavy.id in registry.heavy:
                problems.append(
                    _problem(
                        heavy.id,
                        "a new heavy item of a registered section",
                        heavy.section,
                        f"plugin {plugin} declares heavy item {heavy.id} twice or in an unknown section",
                        source,
                    )
                )
                continue
            registry.heavy[heavy.id] = heavy
            registry.owners[heavy.id] = plugin

    for plugin, policies in call_each(pm.hook.assess_policies, Policy):
        for policy in policies:
            if policy.key in registry.policies:
                problems.append(
                    _problem(
                        policy.key,
                        "a new policy key",
                        f"also declared by {registry.owners['policy:' + policy.key]}",
                        f"plugin {plugin} declares policy {policy.key} again",
                        source,
                    )
                )
                continue
            registry.policies[policy.key] = policy
            registry.owners["policy:" + policy.key] = plugin

    tables: set[str] = set()
    for _plugin, names in call_each(pm.hook.assess_evidence_tables, str):
        tables.update(names)
    registry.extra_tables = frozenset(tables)

    disabled = list(disabled_items)
    for item_id in disabled:
        if item_id not in registry.items:
            problems.append(
                Problem(
                    "error",
                    source,
                    "rules",
                    "disable",
                    "an item id of this edition (see `assess rules`)",
                    f'"{item_id}"',
                    f"unknown item id {item_id}" + did_you_mean(item_id, registry.items),
                )
            )
    registry.disabled = frozenset(disabled)

    if problems:
        raise RegistryError(problems)
    return registry
