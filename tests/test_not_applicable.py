"""Which items do not apply to an organisation (Registry.not_applicable),
found through the organisation's id and tags rather than by asking every
scope: the same sets as asking them."""

from __future__ import annotations

import dataclasses
import itertools
from types import SimpleNamespace

import pytest
from fivestar import Linear, count, flag_item, item
from fivestar.model import Item, Scope
from fivestar.registry import Registry


class FirstLetter(Scope):
    """A scope of a class of its own: its applies is asked."""

    def applies(self, org_id: str, tags: frozenset[str]) -> bool:
        return org_id.startswith("x")


def own(name: str, **scoped: list[str]) -> Item:
    return flag_item(f"innovation.{name}", points=1, title=name, fact="done", **scoped)


ITEMS = [
    own("everyone"),
    own("only_a", organisations=["a"]),
    own("a_or_b", organisations=["a", "b"]),
    own("retired", tags=["离退休"]),
    own("b_or_youth", organisations=["b"], tags=["青年"]),
    dataclasses.replace(own("by_letter"), scope=FirstLetter()),
]
REGISTRY = Registry("shaoxing-2020", items={declared.id: declared for declared in ITEMS})


def asked(org_id: str, tags: frozenset[str]) -> frozenset[str]:
    return frozenset(
        declared.id for declared in ITEMS if declared.scope is not None and not declared.scope.applies(org_id, tags)
    )


@pytest.mark.parametrize(
    ("org_id", "tags"),
    list(itertools.product(["a", "b", "c", "xa"], [frozenset(), frozenset({"离退休"}), frozenset({"青年", "离退休"})])),
)
def test_the_items_that_do_not_apply_are_those_whose_scope_refuses(org_id: str, tags: frozenset[str]) -> None:
    assert REGISTRY.not_applicable(SimpleNamespace(id=org_id, tags=tags)) == asked(org_id, tags)  # type: ignore[arg-type]


def test_the_scopes_naming_others_are_not_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cohort in which every department has an own item would otherwise
    ask every scope for every organisation (some 900,000 calls for 300 own
    items and 1,500 organisations, twice over)."""
    registry = Registry("shaoxing-2020", items={declared.id: declared for declared in ITEMS[:5]})

    def refused(self: Scope, org_id: str, tags: frozenset[str]) -> bool:
        raise AssertionError("asked")

    nobody = registry.not_applicable(SimpleNamespace(id="c", tags=frozenset()))  # type: ignore[arg-type]
    monkeypatch.setattr(Scope, "applies", refused)
    assert registry.not_applicable(SimpleNamespace(id="a", tags=frozenset())) == {  # type: ignore[arg-type]
        "innovation.retired",
        "innovation.b_or_youth",
    }
    assert registry.not_applicable(SimpleNamespace(id="d", tags=frozenset())) is nobody  # type: ignore[arg-type]


def test_a_scopes_reason_is_written_once() -> None:
    """The reason is every not_applicable line of the item (3,000 own items
    over 1,500 organisations wrote it 4.5 million times)."""
    refusal = own("pair", organisations=["b", "a"], tags=["青年"]).scope
    assert refusal is not None
    assert refusal.describe() == "仅适用于a、b及标签为青年的组织"
    assert refusal.describe() is refusal.describe()


def counting(name: str, fact: str, **scoped: list[str]) -> Item:
    return item(f"innovation.{name}", points=1, title=name, facts=count(fact), rule=Linear.of((1, fact)), **scoped)


def test_the_facts_required_of_an_organisation_are_those_its_items_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every enabled item that applies reads its facts; a fact that only
    items not applying (or disabled) read is not required. Worked out from
    the items that do not apply, not from every item."""
    declared = [
        *ITEMS[:5],
        counting("shared", "n"),
        counting("own_n", "n", organisations=["a"]),
        counting("own_m", "m", organisations=["a"]),
        counting("off", "k", organisations=["b"]),
        counting("on", "k", organisations=["c"]),
    ]
    registry = Registry(
        "shaoxing-2020", items={each.id: each for each in declared}, disabled=frozenset({"innovation.off"})
    )
    for org_id in ("a", "b", "c", "d"):
        organisation = SimpleNamespace(id=org_id, tags=frozenset())
        not_applicable = registry.not_applicable(organisation)  # type: ignore[arg-type]
        expected = {
            key
            for each in declared
            if each.id not in not_applicable and each.id not in registry.disabled
            for key in each.fact_keys()
        }
        assert registry.required_facts_for(organisation) == expected  # type: ignore[arg-type]
    assert "innovation.m" not in registry.required_facts_for(SimpleNamespace(id="d", tags=frozenset()))  # type: ignore[arg-type]
    assert "innovation.k" in registry.required_facts_for(SimpleNamespace(id="c", tags=frozenset()))  # type: ignore[arg-type]

    read: list[str] = []
    fact_keys = Item.fact_keys

    def counted(self: Item) -> list[str]:
        read.append(self.id)
        return fact_keys(self)

    monkeypatch.setattr(Item, "fact_keys", counted)
    registry.required_facts_for(SimpleNamespace(id="a", tags=frozenset()))  # type: ignore[arg-type]
    assert set(read) <= registry.not_applicable(SimpleNamespace(id="a", tags=frozenset()))  # type: ignore[arg-type]
