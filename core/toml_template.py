"""The TOML evidence template a department fills in, written with tomlkit:
in Chinese (English with ``lang="en"``), every fact with its meaning and
allowed values (the Chinese label next to the machine value), each item's
points and the standard's text above its facts, and the record lists and
duty lists as commented ``[[…]]`` examples that work when uncommented."""

from __future__ import annotations

import datetime as dt
from typing import Any

import tomlkit
from fivestar.facts import Amount, Choice, Count, Day, FactType, Records, Text, YesNo
from fivestar.forms import allowed_values, fact_meaning, field_label, section_rows
from fivestar.model import ListForm
from fivestar.numbers import fmt
from fivestar.registry import Registry
from fivestar.report.labels import labels_for
from fivestar.tomldoc import toml_value

WORDS = {
    "zh": {
        "heading": "{year}年度“五星示范、双优引领”考评佐证材料（评分标准 {edition}）",
        "howto": "填写本单位的实际情况：是/否 填 true 或 false，日期写作 2020-06-30。"
        "填好后检查：assess template --check 本文件；assess validate 本文件",
        "id": "组织编号（可不填，默认为文件名）",
        "name": "党组织全称，如 中共绍兴市财政局机关委员会（必填）",
        "section": "{title}（满分 {max} 分）",
        "points": "{points} 分",
        "no_points": "不定分值",
        "absent": "（不适用则不填）",
        "records": "{meaning}。每条一段，去掉行首的 # 后填写；没有则不填",
        "see_records": "{name}：见本节末尾的 [[{table}]] 示例",
        "form": "{title}：每份一段，去掉行首的 # 后填写",
        "required": "要求",
    },
    "en": {
        "heading": "Evidence for the {year} '五星示范、双优引领' assessment (edition {edition})",
        "howto": "State your organisation's facts: true or false, dates as 2020-06-30. "
        "Check it: assess template --check THIS_FILE; assess validate THIS_FILE",
        "id": "organisation id (optional: the file name when left out)",
        "name": "the organisation's full name, e.g. 中共绍兴市财政局机关委员会 (required)",
        "section": "{title} (up to {max} points)",
        "points": "{points} points",
        "no_points": "no fixed points",
        "absent": " (leave out when it does not apply)",
        "records": "{meaning}: one block each, remove the leading # to fill in; leave out when none",
        "see_records": "{name}: see the [[{table}]] example at the end of this section",
        "form": "{title}: one block per list, remove the leading # to fill in",
        "required": "required",
    },
}


def example_value(fact_type: FactType, year: int) -> Any:
    if isinstance(fact_type, YesNo):
        return False
    if isinstance(fact_type, Choice):
        return fact_type.options[0]
    if isinstance(fact_type, Count):
        return fact_type.minimum
    if isinstance(fact_type, Day):
        return dt.date(year, 6, 30)
    if isinstance(fact_type, Amount):
        return fact_type.minimum if fact_type.minimum is not None else 0
    if isinstance(fact_type, Text):
        return ""
    return fact_type.default


def value_line(key: str, value: Any, comment: str) -> str:
    """``key = value  # comment`` as TOML text (for the commented examples)."""
    line = tomlkit.dumps({key: toml_value(value)}).rstrip("\n")
    return f"{line}  # {comment}"


def commented(value: Any, comment: str) -> Any:
    entry = tomlkit.item(toml_value(value))
    entry.comment(comment)
    return entry


def fact_comment(meaning: str, fact_type: FactType, lang: str) -> str:
    return (
        f"{meaning}：{allowed_values(fact_type, lang)}"
        if lang == "zh"
        else f"{meaning}: {allowed_values(fact_type, lang)}"
    )


def toml_template(
    registry: Registry,
    year: int,
    lang: str = "zh",
    header: dict[str, Any] | None = None,
    previous: dict[str, dict[str, Any]] | None = None,
) -> str:
    """The template; ``header`` fills in id and name, ``previous`` gives
    last year's values (shown in the comments, never as this year's)."""
    words = WORDS[lang]
    header = header or {}
    previous = previous or {}
    document = tomlkit.document()
    document.add(tomlkit.comment(words["heading"].format(year=year, edition=registry.edition)))
    document.add(tomlkit.comment(words["howto"]))
    document.add(tomlkit.nl())
    organisation = tomlkit.table()
    if header.get("id"):
        organisation.add("id", commented(header["id"], words["id"]))
    else:
        organisation.add(tomlkit.comment(f'id = "sx-example"  # {words["id"]}'))
    organisation.add("name", commented(header.get("name", ""), words["name"]))
    document.add("organisation", organisation)

    for section_id, section in registry.sections.items():
        table = tomlkit.table()
        title = section.title if lang == "zh" else section.title_en
        table.add(tomlkit.comment(words["section"].format(title=title, max=fmt(registry.section_max(section_id)))))
        examples: list[str] = []
        last_year = previous.get(section_id, {})
        for item, places in section_rows(registry, section_id):
            asked = [place for place in places if place.fills and not place.shared_with]
            provided = [place for place in places if not place.fills and not place.shared_with]
            for place in provided:
                who = labels_for(lang)["provided_by_" + place.spec.owner]
                table.add(tomlkit.comment(f"{place.spec.name}: {who}"))
            if not asked:
                continue
            points = words["no_points"] if item.points is None else words["points"].format(points=fmt(item.points))
            text = (item.standard or item.title) if lang == "zh" else item.title_en
            table.add(tomlkit.nl())
            table.add(
                tomlkit.comment(f"{item.id}（{points}）{text}" if lang == "zh" else f"{item.id} ({points}) {text}")
            )
            for place in asked:
                spec = place.spec
                meaning = fact_meaning(item, spec, lang)
                if isinstance(spec.type, Records):
                    examples += record_example(section_id, spec.name, meaning, spec.type, year, lang)
                    table.add(
                        tomlkit.comment(words["see_records"].format(name=spec.name, table=f"{section_id}.{spec.name}"))
                    )
                    continue
                comment = fact_comment(meaning, spec.type, lang)
                if spec.name in last_year and last_year[spec.name] is not None:
                    shown = tomlkit.dumps({"v": toml_value(last_year[spec.name])}).split("=", 1)[1].strip()
                    comment += f"（上年 {shown}）" if lang == "zh" else f" (last year {shown})"
                if spec.type.default is None:
                    table.add(
                        tomlkit.comment(
                            value_line(spec.name, example_value(spec.type, year), comment + words["absent"])
                        )
                    )
                    continue
                table.add(spec.name, commented(example_value(spec.type, year), comment))
        for line in examples:
            table.add(tomlkit.comment(line) if line else tomlkit.nl())
        document.add(section_id, table)

    for form in registry.forms:
        document.add(tomlkit.nl())
        for line in form_example(form, year, lang):
            document.add(tomlkit.comment(line) if line else tomlkit.nl())
    return tomlkit.dumps(document)


def record_example(section_id: str, name: str, meaning: str, records: Records, year: int, lang: str) -> list[str]:
    lines = ["", WORDS[lang]["records"].format(meaning=meaning), f"[[{section_id}.{name}]]"]
    for field_name, field_type in records.fields.items():
        label = field_label(field_name, lang)
        lines.append(value_line(field_name, example_value(field_type, year), fact_comment(label, field_type, lang)))
    return lines


def form_example(form: ListForm, year: int, lang: str) -> list[str]:
    """A list form as a commented ``[[table]]`` entry: fixed values, fields,
    then the nested tables (obligations), so that it parses when uncommented."""
    title = form.title if lang == "zh" else form.title_en
    role = f"  # {form.notes[0]}" if form.notes else ""
    lines = [WORDS[lang]["form"].format(title=title), f"[[{form.table}]]{role}"]
    lines += [tomlkit.dumps({key: value}).rstrip("\n") for key, value in form.fixed]
    nested: dict[str, list[str]] = {}
    for form_field in form.fields:
        label = form_field.label if lang == "zh" else (form_field.label_en or form_field.key)
        comment = fact_comment(label, form_field.type, lang)
        if form_field.required and lang == "zh":
            comment += f"（{WORDS[lang]['required']} {form_field.required}）"
        value = example_value(form_field.type, year)
        if form_field.many:
            value = [value] * 2 if isinstance(form_field.type, Text) else [value]
        table, _, key = form_field.key.rpartition(".")
        line = value_line(key, value, comment)
        if table:
            nested.setdefault(table, []).append(line)
        else:
            lines.append(line)
    for table, entries in nested.items():
        lines += [f"[{form.table}.{table}]", *entries]
    return lines
