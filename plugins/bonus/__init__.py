"""加分项目 (bonus, capped at 10 points) of the Shaoxing 2020 standard.

Dated bonuses count only inside the window [previous year-12-16, this
year-12-15], both ends included ("起止时间上年度的12月16日至本年度12月15日，
下同"); entries outside it score 0 and say so in the basis. Bonus items have
no fixed points: the core caps the section at 10.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import cache
from typing import Any

from fivestar import (
    OFFICE,
    ZERO,
    Amount,
    Basis,
    Choice,
    Custom,
    Day,
    DerivedFact,
    Item,
    Levels,
    Linear,
    Organisation,
    Policy,
    Problem,
    RunContext,
    ScoringContext,
    Section,
    Text,
    Values,
    Words,
    choice,
    choice_policy,
    count,
    dec,
    edition_hooks,
    fmt,
    hookimpl,
    item,
    records,
    yes_no,
)

EDITION = "shaoxing-2020"
SHOWCASE_MAXIMUM = Decimal(10)
"""The points of one showcase entry: at most the bonus section's cap."""
OUTSIDE = "outside window 窗口外"

SECTION = Section(
    id="bonus",
    title="加分项目",
    title_en="Bonus points",
    group="bonus",
    order=70,
    cap=Decimal(10),
)

COMMENDATION_POINTS = {"central": dec(3), "provincial": dec(2), "municipal": dec(1)}
RECOGNITION_POINTS = {"national": dec(3), "provincial": dec(2), "municipal": dec(1)}
HALVED_FORMS = ("meeting", "publication")
ONE = dec(1)
DATED_RECORDS = ("commendations", "recognitions")
PREVIOUS_AWARD_FACT = "bonus.previous_award"


@cache
def window(year: int) -> tuple[dt.date, dt.date]:
    """The bonus window of an assessment year, both ends included."""
    return dt.date(year - 1, 12, 16), dt.date(year, 12, 15)


def no_entries(words: Words) -> str:
    return words.phrase("no_entries", "no entries → 0")


def per_project(
    entries: Iterable[dict[str, Any]],
    context: ScoringContext,
    points_of: Callable[[dict[str, Any]], tuple[Decimal, str]],
    described: Callable[[dict[str, Any], Words], str],
    highest: bool,
) -> tuple[Decimal, Basis]:
    """Score dated entries per project: each entry inside the window by
    ``points_of`` (its points, and how they arise), then per distinct
    project the highest entry, or the sum. The basis (each entry as
    ``described`` says, its day, its points) is written when somebody reads
    it: every organisation of a cohort is scored, few bases are read."""
    if not entries:
        return ZERO, no_entries
    start, end = window(context.run.year)
    by_project: dict[str, Decimal] = {}
    scored = []
    for entry in entries:
        project, day = entry["project"].strip(), entry["date"]
        points, how = points_of(entry)
        inside = start <= day <= end
        scored.append((project, entry, day, inside, points, how))
        if inside:
            so_far = by_project.get(project)
            if so_far is None:
                by_project[project] = points if highest else ZERO + points
            elif highest:
                if points > so_far:
                    by_project[project] = points
            else:
                by_project[project] = so_far + points
    kept = list(by_project.items())
    raw = sum(by_project.values(), ZERO)

    def basis(words: Words) -> str:
        outside = words.phrase(
            "outside_window", OUTSIDE + " {start}..{end}", start=start.isoformat(), end=end.isoformat()
        )
        lines = [
            f"{project} {described(entry, words)} {day.isoformat()} → {how}{fmt(points)}"
            if inside
            else f"{project} {described(entry, words)} {day.isoformat()} → 0{words.aside(outside)}"
            for project, entry, day, inside, points, how in scored
        ]
        terms = " + ".join(f"{project} {fmt(points)}" for project, points in kept) or "0"
        rule = (
            words.phrase("highest_per_project", "highest per project")
            if highest
            else words.phrase("sum_per_project", "sum per project")
        )
        separator = words.phrase("semicolon", "；")
        return separator.join(lines) + separator + rule + words.phrase("colon", ": ") + f"{terms} = {fmt(raw)}"

    return raw, basis


def commendation_points(entry: dict[str, Any]) -> tuple[Decimal, str]:
    return COMMENDATION_POINTS[entry["level"]], ""


def described_commendation(entry: dict[str, Any], words: Words) -> str:
    return words.phrase(
        "commendation", "{level} ({document})", level=words.term(entry["level"]), document=entry["document"]
    )


def commendations(values: Values, context: ScoringContext) -> tuple[Decimal, Basis]:
    """发文表彰: per project the highest level only (the standard says so for this item)."""
    return per_project(values["commendations"], context, commendation_points, described_commendation, highest=True)


def recognition_points(entry: dict[str, Any]) -> tuple[Decimal, str]:
    points = RECOGNITION_POINTS[entry["level"]]
    if entry["form"] in HALVED_FORMS:
        return points / 2, f"{fmt(points)} ÷ 2 = "
    return points, ""


def described_recognition(entry: dict[str, Any], words: Words) -> str:
    return words.phrase(
        "recognition", "{level} {form}", level=words.term(entry["level"]), form=words.term(entry["form"])
    )


def innovation_recognition(values: Values, context: ScoringContext) -> tuple[Decimal, Basis]:
    """创新经验做法受表彰、批示肯定, per project under ``recognition_same_project``."""
    highest = context.policy("recognition_same_project") == "highest"
    return per_project(values["recognitions"], context, recognition_points, described_recognition, highest)


def showcase(values: Values, context: ScoringContext) -> tuple[Decimal, Basis]:
    entries = values["showcase"]
    if not entries:
        return ZERO, lambda words: words.phrase("no_showcase", "no showcase entries → 0")
    raw = sum((entry["points"] for entry in entries), ZERO)
    return raw, lambda: " + ".join(f"{entry['name']} {fmt(entry['points'])}" for entry in entries) + f" = {fmt(raw)}"


def previous_award(values: Values, context: ScoringContext) -> tuple[Decimal, Basis]:
    """上一年度"五星双优": the basis names the year before the run."""
    awarded = values["previous_award"]
    raw = ONE if awarded else ZERO
    year = context.run.year - 1

    def basis(words: Words) -> str:
        return words.phrase(
            "previous_award",
            "previous_award（{year}年度五星双优）= {value} → {points}",
            year=year,
            value=words.value(awarded),
            points=fmt(raw),
        )

    return raw, basis


ITEMS: list[Item] = [
    item(
        "bonus.commendations",
        points=None,
        title="因党建工作成绩显著，受到中央、省委、市委发文表彰（分别加3分、2分、1分，同一项目受到不同层级表彰的不能累计，以最高分计）",
        title_en="Commendation by a central, provincial or municipal document (3/2/1; per project the highest only)",
        facts=records(
            "commendations",
            {
                "project": Text(),
                "level": Choice(("central", "provincial", "municipal"), labels=("中央", "省委", "市委")),
                "date": Day(),
                "document": Text(),
            },
            "commendations, each with the project, level, date and the document that confers it",
            doc_zh="表彰：因党建工作成绩显著受到的发文表彰，每条写明项目、级别、日期和表彰文件",
        ),
        rule=Custom(
            commendations,
            "per distinct project inside the window: central 3, provincial 2, municipal 1, highest",
            basis_by_facts=True,
        ),
        standard="因党建工作成绩显著，受到中央、省委、市委发文表彰（分别加3分、2分、1分，同一项目受到不同层级表彰的不能累计，"
        "以最高分计，确认表彰的项目以文件为准，起止时间上年度的12月16日至本年度12月15日，下同）",
    ),
    item(
        "bonus.innovation_recognition",
        points=None,
        title="部门（单位）机关基层党建工作的创新经验、做法受到市级及以上表彰、领导批示肯定的"
        "（国家级加3分、省级加2分、市级加1分，会议交流或刊物发表的各减半加分）",
        title_en="Innovative practice commended or endorsed by leaders (national 3, provincial 2, municipal 1; "
        "meeting or publication halved)",
        facts=records(
            "recognitions",
            {
                "project": Text(),
                "level": Choice(("national", "provincial", "municipal")),
                "form": Choice(("commendation", "instruction", "meeting", "publication")),
                "date": Day(),
            },
            "recognitions, each with the project, level, form and date",
            doc_zh="创新经验：创新经验做法受表彰、领导批示肯定或会议交流、刊物发表，每条写明项目、级别、形式和日期",
        ),
        rule=Custom(
            innovation_recognition,
            "per entry inside the window: national 3, provincial 2, municipal 1, halved for meeting or publication; "
            "per distinct project the highest (recognition_same_project)",
            basis_by_facts=True,
        ),
        policies=("recognition_same_project",),
    ),
    item(
        "bonus.new_sites",
        points=None,
        title="新建机关党员驿站单位、党建示范点，命名\u201c先锋支部\u201d的每个加1分",
        title_en="Each new members' station, demonstration site or named 'pioneer branch' (1 each)",
        facts=(
            count("new_stations", "new members' stations", doc_zh="新建机关党员驿站的个数", maximum=100),
            count(
                "new_demo_sites", "new party-building demonstration sites", doc_zh="新建党建示范点的个数", maximum=100
            ),
            count(
                "pioneer_branches_named", "branches named 'pioneer branch'", doc_zh="命名“先锋支部”的个数", maximum=100
            ),
        ),
        rule=Linear.of((1, "new_stations"), (1, "new_demo_sites"), (1, "pioneer_branches_named")),
    ),
    item(
        "bonus.showcase",
        points=None,
        title="在市直机关工委组织的各类晒比活动中的优胜项目酌情加分",
        title_en="Winning projects of the working committee's showcase contests (points set by the assessor)",
        facts=records(
            "showcase",
            {"name": Text(), "points": Amount(ZERO, SHOWCASE_MAXIMUM)},
            "winning projects, each with its name and the points the assessor awards",
            doc_zh="晒比：工委组织的晒比活动中的优胜项目，每条写明名称和工委给定的分值",
            owner=OFFICE,
        ),
        rule=Custom(showcase, "sum of the points of the showcase entries", basis_by_facts=True),
    ),
    item(
        "bonus.inspection",
        points=None,
        title="调研式督查年度综合评价为优秀和良好的，分别加2-1分",
        title_en="Annual inspection appraisal (excellent 2, good 1)",
        facts=choice(
            "inspection_grade",
            ("other", "good", "excellent"),
            "the inspection's annual grade",
            doc_zh="调研式督查年度综合评价等次",
            owner=OFFICE,
            aliases=("调研式督查评价", "调研式督查等次", "督查评价等次"),
        ),
        rule=Levels.of("inspection_grade", other=0, good=1, excellent=2),
    ),
    item(
        "bonus.previous_award",
        points=None,
        title="上一年度\u201c五星双优\u201d党组织加1分",
        title_en="A 'five stars, two excellences' organisation of the previous year",
        facts=yes_no("previous_award", "awarded 五星双优 the previous year", owner=OFFICE, aliases=("上年度五星双优",)),
        rule=Custom(previous_award, "1 if previous_award, else 0", basis_by_facts=True),
    ),
]


assess_sections, assess_items, _ = edition_hooks(EDITION, [SECTION], ITEMS)


@hookimpl
def assess_policies() -> list[Policy]:
    return [
        choice_policy(
            "recognition_same_project",
            "highest",
            ("highest", "sum"),
            "创新经验做法受表彰: several recognitions of one project count the highest only, or all of them.",
        )
    ]


@hookimpl
def assess_collect(organisation: Organisation, context: RunContext) -> dict[str, DerivedFact] | None:
    """上一年度"五星双优": last year's award from the history store, when the
    evidence does not say."""
    if not context.registry.has_facts(PREVIOUS_AWARD_FACT):
        return None
    previous = context.previous_result(organisation.id)
    if previous is None or previous.status != "scored":
        return None
    awarded = bool(previous.awards.get("five_star"))
    source = f"history store: {previous.year} five_star = {'true' if awarded else 'false'}"
    return {PREVIOUS_AWARD_FACT: DerivedFact(awarded, source)}


@hookimpl
def assess_validate(organisation: Organisation, context: RunContext) -> list[Problem]:
    """Dated entries outside the bonus window, for the registered items that read them."""
    registry = context.registry
    dated = [name for name in DATED_RECORDS if registry.has_facts(f"bonus.{name}")]
    if not dated:
        return []
    start, end = window(context.year)
    table = organisation.facts.get("bonus", {})
    problems = []
    for name in dated:
        for index, entry in enumerate(table.get(name) or ()):
            day = entry["date"]
            if not start <= day <= end:
                problems.append(
                    Problem(
                        "warning",
                        str(organisation.path),
                        "bonus",
                        f"{name}[{index}].date",
                        f"a date {start.isoformat()}..{end.isoformat()}",
                        day.isoformat(),
                        f"{OUTSIDE}: this entry scores 0",
                    )
                )
    return problems
