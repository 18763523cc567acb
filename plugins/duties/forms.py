"""The duty lists as forms a department fills in: one sheet (or commented
``[[duty_lists]]`` example) per level, with every obligation to record."""

from __future__ import annotations

from fivestar import Count, Day, FormField, ListForm, Text, YesNo
from fivestar.plugins.duties.catalogue import BRANCH, Catalogue, Level
from fivestar.plugins.duties.checks import OBLIGATION_MAXIMUM, TABLE

SHORT_TITLES = {
    "unit_secretary": "单位书记清单",
    "organ_secretary": "机关党组织书记清单",
    "branch_secretary": "支部书记清单",
}
TITLES_EN = {
    "unit_secretary": "Unit secretary's list",
    "organ_secretary": "Organ party secretary's list",
    "branch_secretary": "Branch secretaries' lists",
}
OBLIGATION_COUNT = Count(0, OBLIGATION_MAXIMUM)
BRANCH_COLUMNS = 6
"""A department has several branches: its branch secretaries' lists side by side."""


def level_form(level: Level, catalogue: Catalogue) -> ListForm:
    personal = max(catalogue.min_personal_items + 3, 5)
    fields = [
        FormField("holder", Text(), "书记姓名", "the secretary's name", "必填"),
        FormField("signed", YesNo(), "已签字", "signed"),
        FormField(
            "submitted", Day(), "报送日期", "date submitted", f"{catalogue.deadline[0]}月{catalogue.deadline[1]}日前"
        ),
        FormField("published", YesNo(), "已公示", "published"),
        FormField(
            "personal_items",
            Text(),
            "个性项目",
            "personal item",
            f"至少{catalogue.min_personal_items}项",
            many=personal,
        ),
    ]
    for obligation in level.obligations:
        fields.append(
            FormField(
                f"obligations.{obligation.key}",
                OBLIGATION_COUNT,
                f"{obligation.text}（第{obligation.item}项，次数）",
                obligation.key,
                obligation.required,
            )
        )
    for ratio in level.ratios:
        fields.append(
            FormField(
                f"obligations.{ratio.numerator}",
                OBLIGATION_COUNT,
                f"{ratio.text}：专职党务工作人员数",
                ratio.numerator,
                ratio.required,
            )
        )
        fields.append(
            FormField(
                f"obligations.{ratio.denominator}",
                OBLIGATION_COUNT,
                f"{ratio.text}：机关工作人员总数",
                ratio.denominator,
            )
        )
    notes = tuple(f"{common.number}. 【{common.category}】{common.text}" for common in level.items)
    return ListForm(
        table=TABLE,
        title=SHORT_TITLES.get(level.id, level.id),
        title_en=TITLES_EN.get(level.id, level.id),
        fixed=(("level", level.id),),
        fields=tuple(fields),
        notes=(f"{level.role}（{level.submission}）", *notes),
        entries=BRANCH_COLUMNS if level.id == BRANCH else 1,
    )


def list_forms(catalogue: Catalogue) -> list[ListForm]:
    return [level_form(level, catalogue) for level in catalogue.levels.values()]
