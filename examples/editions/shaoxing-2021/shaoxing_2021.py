"""The 2021 edition: the 2020 standard with two items changed, one removed
and one added. Everything else is inherited from shaoxing-2020."""

from fivestar import Edition, Linear, count, flag_item, hookimpl, item

EDITION = "shaoxing-2021"


@hookimpl
def assess_editions():
    return [Edition(EDITION, extends="shaoxing-2020", removes=("learning.talks_visits",), title="绍兴 2021")]


@hookimpl
def assess_items(edition):
    if edition != EDITION:
        return []
    return [
        item(
            "learning.committee_training",
            points=6,
            subtotal="加强学习教育培训",
            title="积极参加工委组织的培训（不按规定参加或培训考试成绩未达到要求的，每次扣1分）",
            title_en="Training run by the working committee (each miss or failed exam deducts 1)",
            facts=count("training_misses", "trainings missed or exams failed"),
            rule=Linear.of((-1, "training_misses"), start=6),
            overrides=True,
        ),
        item(
            "norms.reports_heard",
            points=2,
            subtotal="责任机制规范",
            title="党组（党委）定期研究机关党建工作（班子每季度听取1次机关党建汇报，每次0.5分）",
            title_en="The leadership hears a report on party building every quarter",
            facts=count("reports_heard", "reports on party building heard by the leadership this year"),
            rule=Linear.of(("0.5", "reports_heard")),
            overrides=True,
        ),
        flag_item(
            "learning.reading_club",
            points=1,
            subtotal="加强学习教育培训",
            title="建立机关读书会，每季度至少活动1次",
            title_en="A reading club that meets every quarter",
        ),
    ]
