"""The department's form, described once from the registry for the TOML
template, the workbook and the conversion between them: which facts a
department fills in, what each means in Chinese (English with ``lang="en"``),
how its allowed values read, and the record lists and list forms.

Office-owned and derived facts are the office's, not the department's: they
are left out of what a department is asked for (:func:`department_fills`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fivestar.facts import Amount, Choice, Count, Day, FactSpec, FactType, Records, Text, YesNo
from fivestar.model import Item
from fivestar.registry import Registry

FIELD_LABELS = {
    "project": ("项目名称", "project"),
    "level": ("级别", "level"),
    "date": ("日期", "date"),
    "document": ("表彰文件", "document"),
    "form": ("形式", "form"),
    "name": ("名称", "name"),
    "points": ("分值", "points"),
}
"""The Chinese label of the record fields the standard's lists share."""

YES, NO = "是", "否"


def department_fills(spec: FactSpec) -> bool:
    """Whether the department states this fact (not the office, not derived)."""
    return spec.department_fills_in


def fact_meaning(item: Item, spec: FactSpec, lang: str = "zh") -> str:
    """What a fact means, for the person filling it in: its Chinese meaning,
    or, for the one fact of a flag item, the item's own title."""
    if lang == "en":
        return spec.doc or item.title_en
    if spec.doc_zh:
        return spec.doc_zh
    if len(item.facts) == 1 and isinstance(spec.type, YesNo):
        return item.title
    return spec.doc or spec.name


def field_label(name: str, lang: str = "zh") -> str:
    zh, en = FIELD_LABELS.get(name, (name, name))
    return en if lang == "en" else zh


def allowed_values(fact_type: FactType, lang: str = "zh", cell: bool = False) -> str:
    """The allowed values in words: ``中央 central / 省委 provincial / 市委 municipal``
    in a TOML comment, ``中央 / 省委 / 市委`` for a workbook's cell (``cell``)."""
    if isinstance(fact_type, YesNo):
        if cell:
            return f"{YES} / {NO}"
        return "true 是 / false 否" if lang == "zh" else "true / false"
    if isinstance(fact_type, Choice):
        if lang == "en":
            return " / ".join(fact_type.options)
        if cell:
            return " / ".join(fact_type.option_labels.values())
        return " / ".join(f"{label} {option}" for option, label in fact_type.option_labels.items())
    if lang == "en":
        return fact_type.expected
    if isinstance(fact_type, Count):
        if fact_type.maximum is None:
            return f"整数，≥ {fact_type.minimum}"
        return f"整数，{fact_type.minimum}–{fact_type.maximum}"
    if isinstance(fact_type, Amount):
        low = "" if fact_type.minimum is None else f"≥ {fact_type.minimum}"
        high = "" if fact_type.maximum is None else f"≤ {fact_type.maximum}"
        return "数值" + ("，" + "，".join(part for part in (low, high) if part) if low or high else "")
    if isinstance(fact_type, Day):
        return "日期，如 2020-06-30"
    if isinstance(fact_type, Text):
        return "文字，不能为空"
    if isinstance(fact_type, Records):
        return "记录列表"
    return fact_type.expected


@dataclass(frozen=True)
class FactPlace:
    """One fact of an item row: where the department states it, if anywhere.

    ``shared_with`` is the earlier item whose row holds a fact two items read."""

    item: Item
    spec: FactSpec
    fills: bool
    shared_with: str = ""

    @property
    def records(self) -> bool:
        return isinstance(self.spec.type, Records)


def section_rows(registry: Registry, section_id: str) -> Iterator[tuple[Item, list[FactPlace]]]:
    """Every item of a section in order, with its facts placed."""
    seen: dict[str, str] = {}
    for item in registry.section_items(section_id):
        places = []
        for spec in item.facts:
            shared = seen.get(spec.name, "")
            seen.setdefault(spec.name, item.id)
            places.append(FactPlace(item, spec, department_fills(spec), shared))
        yield item, places


def record_lists(registry: Registry) -> list[FactPlace]:
    """Every record list, in the standard's order."""
    return [
        place
        for section_id in registry.sections
        for _item, places in section_rows(registry, section_id)
        for place in places
        if place.records and not place.shared_with
    ]


def record_title(section_title: str, item: Item, spec: FactSpec) -> str:
    """A record list's sheet title: the Chinese meaning's first phrase
    (``表彰：…`` → ``表彰``), or the section and the fact's name."""
    head = spec.doc_zh.split("：", 1)[0] if "：" in spec.doc_zh else ""
    title = head if head and len(head) <= 12 else f"{section_title}-{spec.name}"
    for character in "[]:*?/\\":
        title = title.replace(character, "-")
    return title[:31]
