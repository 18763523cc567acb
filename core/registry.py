"""The rule registry of a run: every section, item, heavy item and policy the
enabled plugins declare for the edition, checked for consistency."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property
from typing import Any

import pluggy
from fivestar.conflicts import Conflict, last_of_chain
from fivestar.facts import OWNERS, FactSpec, FactType
from fivestar.model import (
    Edition,
    HeavyItem,
    InputError,
    Item,
    ItemResult,
    ListForm,
    OfficeFigure,
    Organisation,
    Policy,
    Problem,
    Scope,
    Section,
    SectionResult,
)
from fivestar.numbers import ZERO
from fivestar.plan import PlanEntry, PlanScorer, Scorer, SectionSums, compile_section_sums, plan_entry
from fivestar.rules import AllFlags, Flag
from fivestar.suggest import did_you_mean

CORE_TABLES = ("organisation", "review", "materials")


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
    lineage: tuple[str, ...] = ()
    editions: dict[str, Edition] = field(default_factory=dict)
    sections: dict[str, Section] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    heavy: dict[str, HeavyItem] = field(default_factory=dict)
    policies: dict[str, Policy] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)
    office_figures: dict[str, OfficeFigure] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()
    extra_tables: frozenset[str] = frozenset()
    _maxima: dict[frozenset[str], dict[str, Decimal]] = field(default_factory=dict, repr=False)
    forms: tuple[ListForm, ...] = ()

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
        return self.section_maxima_for(frozenset())

    def section_maxima_for(self, not_applicable: frozenset[str]) -> dict[str, Decimal]:
        """Each section's maximum for an organisation to which the items
        ``not_applicable`` do not apply (those count for nothing)."""
        cached = self._maxima.get(not_applicable)
        if cached is not None:
            return cached
        left_out = self.disabled | not_applicable
        maxima = {}
        for section_id, section in self.sections.items():
            enabled = (item.points or ZERO for item in self.section_items(section_id) if item.id not in left_out)
            maxima[section_id] = section.cap if section.cap is not None else sum(enabled, ZERO)
        self._maxima[not_applicable] = maxima
        return maxima

    @cached_property
    def scoped(self) -> dict[str, Scope]:
        """The items that apply to some organisations only, and to which."""
        return {item_id: item.scope for item_id, item in self.items.items() if item.scope is not None}

    @cached_property
    def scope_index(self) -> tuple[frozenset[str], dict[str, set[str]], dict[str, set[str]], dict[str, Scope]]:
        """:attr:`scoped` indexed for :meth:`not_applicable`: every scoped
        item; the items naming each organisation and each tag; and the
        scopes of a class of their own, whose ``applies`` is asked."""
        named: dict[str, set[str]] = {}
        tagged: dict[str, set[str]] = {}
        asked: dict[str, Scope] = {}
        for item_id, scope in self.scoped.items():
            if type(scope).applies is not Scope.applies:
                asked[item_id] = scope
                continue
            for org_id in scope.organisations:
                named.setdefault(org_id, set()).add(item_id)
            for tag in scope.tags:
                tagged.setdefault(tag, set()).add(item_id)
        return frozenset(self.scoped), named, tagged, asked

    def not_applicable(self, organisation: Organisation) -> frozenset[str]:
        """The ids of the items that do not apply to an organisation: found
        through the organisation's id and tags (:attr:`scope_index`), so
        that a cohort whose departments each have an own item does not ask
        every scope for every organisation; an organisation to which none
        applies gets the one set of every scoped item."""
        if not self.scoped:
            return frozenset()
        scoped, named, tagged, asked = self.scope_index
        org_id, tags = organisation.id, organisation.tags
        applying = set(named.get(org_id, ()))
        for tag in tags:
            applying.update(tagged.get(tag, ()))
        applying.update(item_id for item_id, scope in asked.items() if scope.applies(org_id, tags))
        return scoped - applying if applying else scoped

    def scope_refusal(self, organisation: Organisation, declared_id: str) -> str:
        """Why an item or heavy item does not apply to an organisation ("" if it does)."""
        declared = self.items.get(declared_id) or self.heavy.get(declared_id)
        scope = getattr(declared, "scope", None)
        if scope is None or scope.applies(organisation.id, organisation.tags):
            return ""
        return scope.describe()

    def applicable_sections(self, not_applicable: frozenset[str]) -> set[str]:
        """The sections that have an item for the organisation (a section
        whose every item is 不适用 earns no star and asks for none)."""
        return {item.section for item in self.items.values() if item.id not in not_applicable}

    @cached_property
    def scoring_plan(self) -> list[tuple[str, list[PlanEntry]]]:
        """Per section, for every item in order, what the score step does
        (:func:`fivestar.plan.plan_entry`); whether an item with a scope
        applies to an organisation is the scorer's to look up (:attr:`scorer`)."""
        plan: dict[str, list[PlanEntry]] = {}
        for item in self.items.values():
            plan.setdefault(item.section, []).append(plan_entry(item, "disabled" if item.id in self.disabled else None))
        return list(plan.items())

    @cached_property
    def scorer(self) -> Scorer:
        """:attr:`scoring_plan` as one scorer for every organisation (:class:`fivestar.plan.PlanScorer`)."""
        return PlanScorer(self.scoring_plan, ItemResult, self.owners)

    @cached_property
    def section_item_ids(self) -> dict[str, tuple[str, ...]]:
        return {section_id: tuple(item.id for item in self.section_items(section_id)) for section_id in self.sections}

    @cached_property
    def section_plan(self) -> tuple[tuple[Section, tuple[str, ...]], ...]:
        """Each section with the ids of its items, in order (what the cap step goes through)."""
        return tuple((self.sections[section_id], item_ids) for section_id, item_ids in self.section_item_ids.items())

    @cached_property
    def section_sums(self) -> SectionSums:
        """:attr:`section_plan`'s sums and maxima, compiled (:func:`fivestar.plan.compile_section_sums`)."""
        return compile_section_sums(self.section_plan, SectionResult)

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
    def items_reading(self) -> dict[str, tuple[str, ...]]:
        """ "table.name" → the ids of the items that read the fact."""
        readers: dict[str, tuple[str, ...]] = {}
        for item in self.items.values():
            for key in item.fact_keys():
                readers[key] = (*readers.get(key, ()), item.id)
        return readers

    @cached_property
    def fact_keys(self) -> dict[str, dict[str, str]]:
        """table → fact name → "table.name", one shared string per fact."""
        return {section: {name: f"{section}.{name}" for name in types} for section, types in self.schema.items()}

    @cached_property
    def conversion_plan(
        self,
    ) -> tuple[tuple[str, dict[str, FactType], tuple[tuple[str, str, FactType, str], ...]], ...]:
        """For each table: its fact types, and each fact's name, key, type
        and owner, in order (what reading an evidence file goes through)."""
        keys, owners = self.fact_keys, self.fact_owners
        return tuple(
            (
                section,
                types,
                tuple(
                    (name, keys[section][name], fact_type, owners[keys[section][name]])
                    for name, fact_type in types.items()
                ),
            )
            for section, types in self.schema.items()
        )

    @cached_property
    def required_facts(self) -> set[str]:
        """The fact keys that enabled items read (missing ones get a warning)."""
        return {key for item in self.enabled_items for key in item.fact_keys()}

    def required_facts_for(self, organisation: Organisation) -> set[str]:
        """The fact keys the enabled items that apply to an organisation
        read: :attr:`required_facts` without the keys that only items not
        applying to it read, found from those items (a department's own item
        makes every other organisation's set, and every item was gone
        through for each of them)."""
        not_applicable = self.not_applicable(organisation)
        if not not_applicable:
            return self.required_facts
        readers, disabled = self.items_reading, self.disabled
        unread = {
            key
            for item_id in not_applicable
            for key in self.items[item_id].fact_keys()
            if all(reader in not_applicable or reader in disabled for reader in readers[key])
        }
        return self.required_facts - unread if unread else self.required_facts

    def has_facts(self, *keys: str) -> bool:
        """Whether registered items read all these facts ("table.name"): a
        cohort rule, derivation or window of a plugin applies only then."""
        return all(key in self.fact_owners for key in keys)

    @cached_property
    def known_tables(self) -> set[str]:
        return set(self.sections) | set(CORE_TABLES) | set(self.extra_tables)


def _problem(key: str, expected: str, found: str, message: str, source: str) -> Problem:
    return Problem("error", source, "", key, expected, found, message)


def plugin_scope(pm: pluggy.PluginManager, plugin: str) -> Scope | None:
    """A plugin's ``SCOPE``: the organisations all its items apply to."""
    declared = getattr(pm.get_plugin(plugin), "SCOPE", None)
    return declared if isinstance(declared, Scope) else None


def declared_editions(pm: pluggy.PluginManager, problems: list[Problem], source: str) -> dict[str, Edition]:
    editions: dict[str, Edition] = {}
    declared_by: dict[str, str] = {}
    for plugin, answer in call_each(pm.hook.assess_editions, Edition):
        for edition in answer:
            if edition.id in editions and editions[edition.id] != edition:
                problems.append(
                    _problem(
                        edition.id,
                        "one declaration of an edition",
                        f"also declared by {declared_by[edition.id]}",
                        f"plugins {declared_by[edition.id]} and {plugin} both declare edition {edition.id}",
                        source,
                    )
                )
                continue
            editions[edition.id] = edition
            declared_by.setdefault(edition.id, plugin)
    return editions


def lineage(editions: dict[str, Edition], edition: str, problems: list[Problem], source: str) -> tuple[str, ...]:
    """The edition and every edition it is built on, the base first."""
    chain = [edition]
    declared = editions.get(edition)
    while declared is not None and declared.extends:
        base = declared.extends
        if base in chain:
            problems.append(
                _problem(
                    edition, "editions that extend a base", " → ".join([*chain, base]), "a circle of editions", source
                )
            )
            break
        chain.append(base)
        declared = editions.get(base)
    return tuple(reversed(chain))


def declare_layer(
    pm: pluggy.PluginManager, registry: Registry, layer: str, problems: list[Problem], source: str
) -> None:
    """Add one edition's declarations on top of those it inherits."""
    declared_sections: list[Section] = []
    for plugin, sections in call_each(pm.hook.assess_sections, Section, edition=layer):
        for section in sections:
            if section.id in registry.sections or any(known.id == section.id for known in declared_sections):
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
    for section in sorted([*registry.sections.values(), *declared_sections], key=lambda section: section.order):
        registry.sections.pop(section.id, None)
        registry.sections[section.id] = section

    inherited = dict(registry.items)
    declared: dict[str, Item] = {}
    overriding: dict[str, list[tuple[str, Item]]] = {}
    for plugin, items in call_each(pm.hook.assess_items, Item, edition=layer):
        scope = plugin_scope(pm, plugin)
        for item in items:
            if item.scope is None and scope is not None:
                item = replace(item, scope=scope)
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
                overriding.setdefault(item.id, []).append((plugin, item))
            elif item.id in declared or item.id in inherited:
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
                declared[item.id] = item
    items = {**inherited, **declared}
    for item_id, overrides in overriding.items():
        if item_id not in items:
            plugins = " and ".join(plugin for plugin, _item in overrides)
            problems.append(
                _problem(
                    item_id,
                    "an item declared by another plugin",
                    "no such item",
                    f"plugin {plugins} overrides item {item_id}, which no plugin declares",
                    source,
                )
            )
            continue
        winner = last_override(item_id, registry.owners[item_id], overrides, problems, source)
        if winner is not None:
            registry.owners[item_id] = winner[0]
            items[item_id] = winner[1]

    heavy = dict(registry.heavy)
    for plugin, heavy_items in call_each(pm.hook.assess_heavy_items, HeavyItem, edition=layer):
        scope = plugin_scope(pm, plugin)
        for declared_heavy in heavy_items:
            if declared_heavy.scope is None and scope is not None:
                declared_heavy = replace(declared_heavy, scope=scope)
            if declared_heavy.section not in registry.sections or declared_heavy.id in heavy:
                problems.append(
                    _problem(
                        declared_heavy.id,
                        "a new heavy item of a registered section",
                        declared_heavy.section,
                        f"plugin {plugin} declares heavy item {declared_heavy.id} twice or in an unknown section",
                        source,
                    )
                )
                continue
            heavy[declared_heavy.id] = declared_heavy
            registry.owners[declared_heavy.id] = plugin

    edition = registry.editions.get(layer)
    for removed in edition.removes if edition else ():
        if items.pop(removed, None) is None and heavy.pop(removed, None) is None:
            problems.append(
                _problem(
                    removed,
                    "an item or heavy item the edition inherits",
                    f'"{removed}"',
                    f"edition {layer} removes {removed}, which it does not have",
                    source,
                )
            )
    section_order = {section_id: index for index, section_id in enumerate(registry.sections)}
    registry.items = dict(sorted(items.items(), key=lambda entry: section_order[entry[1].section]))
    registry.heavy = heavy


def last_override(
    item_id: str, original: str, overrides: list[tuple[str, Item]], problems: list[Problem], source: str
) -> tuple[str, Item] | None:
    """The override in force when several plugins override one item:
    ``overrides=True`` replaces the item's declaration, ``overrides="name"``
    the override of plugin ``name``."""
    claims = [(plugin, None if item.overrides is True else str(item.overrides)) for plugin, item in overrides]
    try:
        winner = last_of_chain(original, claims)
    except Conflict as conflict:
        problems.append(
            _problem(
                item_id,
                'one override, or overrides="<plugin>" naming the override it replaces',
                str(conflict),
                f"item {item_id} is overridden by " + " and ".join(plugin for plugin, _item in overrides),
                source,
            )
        )
        return None
    return winner, dict(overrides)[winner]


def build_registry(
    pm: pluggy.PluginManager,
    edition: str,
    disabled_items: Iterable[str] = (),
    source: str = "<plugins>",
) -> Registry:
    """Ask every plugin for its declarations and check them together.

    The registration hooks are asked once per edition of the run's lineage,
    the base edition first (``shaoxing-2021`` extends ``shaoxing-2020``: the
    2020 declarations, then the 2021 ones on top)."""
    registry = Registry(edition)
    problems: list[Problem] = []
    registry.editions = declared_editions(pm, problems, source)
    registry.lineage = lineage(registry.editions, edition, problems, source)
    for layer in registry.lineage:
        declare_layer(pm, registry, layer, problems, source)

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

    layers = [
        (layer, answer)
        for layer in registry.lineage
        for answer in call_each(pm.hook.assess_office_figures, OfficeFigure, edition=layer)
    ]
    for _layer, (plugin, figures) in layers:
        for figure in figures:
            if figure.key in fact_types or registry.owners.get("figure:" + figure.key, plugin) != plugin:
                problems.append(
                    _problem(
                        figure.key,
                        "a new office figure (not a fact id)",
                        f"also declared by {registry.owners.get('figure:' + figure.key, 'an item')}",
                        f"plugin {plugin} declares office figure {figure.key} twice",
                        source,
                    )
                )
                continue
            registry.office_figures[figure.key] = figure
            registry.owners["figure:" + figure.key] = plugin

    tables: set[str] = set()
    for _plugin, names in call_each(pm.hook.assess_evidence_tables, str):
        tables.update(names)
    registry.extra_tables = frozenset(tables)
    forms: dict[tuple[str, tuple[tuple[str, str], ...]], ListForm] = {}
    for layer in registry.lineage:
        for _plugin, answer in call_each(pm.hook.assess_evidence_forms, ListForm, edition=layer):
            forms.update(((form.table, form.fixed), form) for form in answer)
    registry.forms = tuple(forms.values())

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
