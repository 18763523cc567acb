"""Declarations that read like the standard's table: keyword arguments, the
section taken from the id ("learning.conveyed" is in ``learning``), and the
fact of a true/false item named after the item."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from fivestar.facts import Amount, Choice, Count, FactSpec, FactType, Records, YesNo
from fivestar.markers import hookimpl
from fivestar.model import HeavyItem, Item, Section, scope
from fivestar.numbers import dec
from fivestar.rules import Flag, Rule

Points = str | int | Decimal


def section_of(declared_id: str) -> str:
    """The section an item or heavy item belongs to: its id's first part."""
    return declared_id.split(".", 1)[0]


def flag_item(
    id: str,
    *,
    points: Points,
    title: str,
    title_en: str = "",
    fact: str | None = None,
    subtotal: str = "",
    standard: str = "",
    overrides: bool | str = False,
    organisations: Iterable[str] = (),
    tags: Iterable[str] = (),
    **fact_options: Any,
) -> Item:
    """An item worth ``points`` when a true/false fact is true.

    The fact is named after the item (``learning.talks_visits`` reads
    ``[learning] talks_visits``) unless ``fact`` names another; further
    keyword arguments go to the fact's declaration. ``organisations`` (ids)
    and ``tags`` limit the item to those organisations (see :func:`item`)."""
    name = fact or id.rsplit(".", 1)[-1]
    return Item(
        id=id,
        section=section_of(id),
        title=title,
        title_en=title_en,
        points=dec(points),
        facts=(FactSpec(name, YesNo(), title_en, **fact_options),),
        rule=Flag(name),
        subtotal=subtotal,
        standard=standard,
        overrides=overrides,
        scope=scope(organisations, tags),
    )


def item(
    id: str,
    *,
    points: Points | None,
    title: str,
    title_en: str = "",
    facts: FactSpec | Sequence[FactSpec],
    rule: Rule,
    subtotal: str = "",
    standard: str = "",
    policies: Sequence[str] = (),
    overrides: bool | str = False,
    organisations: Iterable[str] = (),
    tags: Iterable[str] = (),
) -> Item:
    """Any other item: the facts it reads and the rule that scores them.

    ``points=None`` declares an item without a ceiling of its own (a bonus
    item, bounded by its section's cap). ``overrides=True`` replaces an item
    of the same id another plugin declares (``overrides="plugin"``: replaces
    that plugin's override). ``organisations`` (ids) and ``tags`` limit the
    item to the organisations named or tagged so (``[organisation] tags``);
    for the others it is 不适用."""
    return Item(
        id=id,
        section=section_of(id),
        title=title,
        title_en=title_en,
        points=None if points is None else dec(points),
        facts=(facts,) if isinstance(facts, FactSpec) else tuple(facts),
        rule=rule,
        subtotal=subtotal,
        standard=standard,
        policies=tuple(policies),
        overrides=overrides,
        scope=scope(organisations, tags),
    )


def heavy_item(
    id: str,
    *,
    title: str,
    title_en: str = "",
    derived: bool = False,
    organisations: Iterable[str] = (),
    tags: Iterable[str] = (),
) -> HeavyItem:
    """A heavy deduction (重扣分项) of the section its id begins with;
    ``organisations`` and ``tags`` limit it as they limit an item."""
    return HeavyItem(
        id=id,
        section=section_of(id),
        title=title,
        title_en=title_en,
        derived=derived,
        scope=scope(organisations, tags),
    )


def fact(name: str, type: FactType, doc: str = "", **options: Any) -> FactSpec:
    """A fact of any type; further keyword arguments go to its declaration."""
    return FactSpec(name, type, doc, **options)


def yes_no(name: str, doc: str = "", **options: Any) -> FactSpec:
    """true / false; missing means false."""
    return FactSpec(name, YesNo(), doc, **options)


def count(name: str, doc: str = "", *, minimum: int = 0, maximum: int | None = None, **options: Any) -> FactSpec:
    """A whole number in [minimum, maximum]; missing means the minimum."""
    return FactSpec(name, Count(minimum, maximum), doc, **options)


def choice(
    name: str, options: Sequence[str], doc: str = "", *, labels: Sequence[str] = (), **fact_options: Any
) -> FactSpec:
    """One of some words, lowest first; missing means the first. ``labels``
    are the words' Chinese labels where they differ from the shared ones."""
    return FactSpec(name, Choice(tuple(options), tuple(labels)), doc, **fact_options)


def amount(
    name: str, doc: str = "", *, minimum: Points | None = None, maximum: Points | None = None, **options: Any
) -> FactSpec:
    """An exact decimal in [minimum, maximum]; missing means absent (None)."""
    low = None if minimum is None else dec(minimum)
    high = None if maximum is None else dec(maximum)
    return FactSpec(name, Amount(low, high), doc, **options)


def records(name: str, fields: Mapping[str, FactType], doc: str = "", **options: Any) -> FactSpec:
    """A list of tables with the given typed fields; missing means none."""
    return FactSpec(name, Records(dict(fields)), doc, **options)


def edition_hooks(
    edition: str, sections: Sequence[Section], items: Sequence[Item], heavy: Sequence[HeavyItem] = ()
) -> tuple[Callable[[str], list[Section]], Callable[[str], list[Item]], Callable[[str], list[HeavyItem]]]:
    """The three registration hooks of a plugin that declares one edition's
    sections, items and heavy items as data::

        assess_sections, assess_items, assess_heavy_items = edition_hooks(EDITION, [SECTION], ITEMS, HEAVY)

    Each answers only for its own edition, so another year's plugin can
    stand beside it.
    """

    @hookimpl
    def assess_sections(edition: str) -> list[Section]:
        return list(sections) if edition == declared else []

    @hookimpl
    def assess_items(edition: str) -> list[Item]:
        return list(items) if edition == declared else []

    @hookimpl
    def assess_heavy_items(edition: str) -> list[HeavyItem]:
        return list(heavy) if edition == declared else []

    declared = edition
    return assess_sections, assess_items, assess_heavy_items
