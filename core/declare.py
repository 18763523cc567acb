"""Shorthands for declaring items: most items of the standard are a
true/false fact worth a fixed number of points."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fivestar import hookimpl
from fivestar.facts import DEPARTMENT, Count, FactSpec, YesNo
from fivestar.model import HeavyItem, Item, Section
from fivestar.numbers import dec
from fivestar.rules import Flag, Rule


def flag_item(
    item_id: str,
    title: str,
    title_en: str,
    points: str | int,
    fact: str,
    subtotal: str = "",
    standard: str = "",
    owner: str = DEPARTMENT,
) -> Item:
    """An item worth ``points`` when the true/false ``fact`` is true; ``owner``
    says who provides the fact (see :class:`~fivestar.facts.FactSpec`)."""
    return Item(
        id=item_id,
        section=item_id.split(".", 1)[0],
        title=title,
        title_en=title_en,
        points=dec(points),
        facts=(FactSpec(fact, YesNo(), title_en, owner),),
        rule=Flag(fact),
        subtotal=subtotal,
        standard=standard,
    )


def item(
    item_id: str,
    title: str,
    title_en: str,
    points: str | int | None,
    facts: tuple[FactSpec, ...],
    rule: Rule,
    subtotal: str = "",
    standard: str = "",
    policies: tuple[str, ...] = (),
) -> Item:
    """Any other item; the section is the id's first part."""
    return Item(
        id=item_id,
        section=item_id.split(".", 1)[0],
        title=title,
        title_en=title_en,
        points=None if points is None else dec(points),
        facts=facts,
        rule=rule,
        subtotal=subtotal,
        standard=standard,
        policies=policies,
    )


def yes_no(name: str, doc: str = "") -> FactSpec:
    return FactSpec(name, YesNo(), doc)


def count(name: str, doc: str = "", maximum: int | None = None) -> FactSpec:
    return FactSpec(name, Count(0, maximum), doc)


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
