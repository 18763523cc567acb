"""Which of several plugins' declarations of one thing is in force.

Two plugins that override the same item, or derive the same fact, conflict,
whatever order they happen to be registered in, unless one names the other
as the one it replaces; the declarations then form one chain and the last
of the chain is in force."""

from __future__ import annotations

from collections.abc import Sequence


class Conflict(ValueError):
    """The claims do not form one chain; the text names the plugins."""


def last_of_chain(original: str, claims: Sequence[tuple[str, str | None]]) -> str:
    """The plugin whose claim is in force.

    :param original: who made the declaration being replaced ("" if none).
    :param claims: (plugin, the plugin it replaces, or None for the original).
    """
    claimants = {plugin for plugin, _target in claims}
    replaced_by: dict[str, str] = {}
    for plugin, named in claims:
        target = original if named is None else named
        if named is not None and named not in claimants and named != original:
            raise Conflict(f"plugin {plugin} names {named} as the one it replaces, but {named} makes no such claim")
        if target in replaced_by:
            if target == original:
                raise Conflict(f"plugins {replaced_by[target]} and {plugin} both claim it")
            raise Conflict(f"plugins {replaced_by[target]} and {plugin} both replace {target}")
        replaced_by[target] = plugin
    current = original
    while current in replaced_by:
        current = replaced_by.pop(current)
    if replaced_by:
        raise Conflict("plugins " + " and ".join(sorted(replaced_by.values())) + " each name the other")
    return current
