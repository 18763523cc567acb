"""业绩优 (performance excellence, 20 points) of the Shaoxing 2020 standard.

行风评议 is judged against the official average when the office's records
give it (``[cohort] "performance.conduct_average"``: the official rating
covers the whole city), otherwise against the run's cohort: the
``assess_cohort`` hook computes the average rating and the bottom three once
per run, the ``performance.conduct_rating`` rule and the derived heavy item
``performance.heavy.bottom_three`` read those figures. An organisation whose
records give its official rank (``performance.conduct_rank`` of
``performance.conduct_rated_count``) is in the bottom three by that rank.
"""

from __future__ import annotations

from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from typing import Any

from fivestar import (
    OFFICE,
    ZERO,
    Amount,
    Basis,
    Cohort,
    Count,
    Custom,
    DerivedFact,
    HeavyDeduction,
    Item,
    Ledger,
    Levels,
    OfficeFigure,
    Organisation,
    Policy,
    RunContext,
    ScoringContext,
    Section,
    Values,
    Words,
    amount,
    choice,
    choice_policy,
    dec,
    edition_hooks,
    flag_item,
    fmt,
    fmt_signed,
    heavy_item,
    hookimpl,
    item,
    number_policy,
)

EDITION = "shaoxing-2020"

CONDUCT_AVERAGE = "performance.conduct_average"
"""Cohort figure: the official average (office records), else the exact mean rating of the rated organisations
(None when nobody is rated)."""
AVERAGE_SOURCE = "performance.conduct_average_source"
"""Cohort figure: "office" when the average is the official one, "run" when it is the run's mean."""
CONDUCT_RANK = "performance.conduct_rank"
"""Office figure: an organisation's official 行风评议 rank (1 = best)."""
RATED_COUNT = "performance.conduct_rated_count"
"""Office figure: how many organisations the official 行风评议 ranks (per organisation or in [cohort])."""
OFFICIAL_RANKS = "performance.official_ranks"
"""Cohort figure: organisation id → (official rank, rated count), where the office's records give both."""
CONDUCT_TOTAL = "performance.conduct_total"
"""Cohort figure: the sum of the ratings (the average is compared as rating × rated ≥ total, exactly)."""
CONDUCT_RATED = "performance.conduct_rated"
"""Cohort figure: how many organisations of the cohort have a rating."""
BOTTOM_THREE = "performance.bottom_three"
"""Cohort figure: frozenset of the ids of the organisations among the three lowest ratings."""

RATING_FACT = "performance.conduct_rating"
PREVIOUS_FACT = "performance.conduct_rating_prev"
BOTTOM_THREE_HEAVY = "performance.heavy.bottom_three"
BOTTOM_COUNT = 3
CONDUCT_POINTS = dec(5)
RATING_MAXIMUM = 100
"""行风评议 ratings are marks out of 100."""
DISPLAY_PLACES = Decimal("0.01")
ROUNDING = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
"""Enough precision to show any average to two places, however large."""

SECTION = Section(
    id="performance",
    title="业绩优",
    title_en="Performance excellence",
    group="performance",
    order=60,
)


def shown_average(average: Decimal) -> str:
    """The average as people read it; a long repeating mean is shown rounded
    (the comparison itself is exact)."""
    rounded = average.quantize(DISPLAY_PLACES, context=ROUNDING)
    if average == rounded:
        return fmt(average)
    return "≈" + fmt(rounded)


def signed(value: Decimal) -> str:
    return ("+" if value > 0 else "") + fmt_signed(value)


def conduct_rating(values: Values, context: ScoringContext) -> tuple[Decimal, Basis]:
    """行风评议成绩在平均分以上或有明显提升 (5 points), against the cohort."""
    rating, previous = values["conduct_rating"], values["conduct_rating_prev"]
    if rating is None:
        unrated = context.policy("unrated")
        raw = CONDUCT_POINTS if unrated == "full" else ZERO
        return raw, lambda words: words.phrase(
            "unrated",
            'conduct_rating absent (not rated): unrated = "{unrated}" → {points}',
            unrated=words.term(unrated),
            points=fmt(raw),
        )
    figures = context.run.cohort
    average, total, rated = figures[CONDUCT_AVERAGE], figures[CONDUCT_TOTAL], figures[CONDUCT_RATED]
    official = figures[AVERAGE_SOURCE] == "office"
    # read only where there is an improvement to judge: assess whatif scores
    # again only the organisations that read a changed policy
    threshold = context.policy("conduct_improvement") if previous is not None else ZERO
    above = rating >= average if official else rating * rated >= total
    improved = previous is not None and rating - previous >= threshold
    raw = CONDUCT_POINTS if above or improved else ZERO

    def basis(words: Words) -> str:
        which = (
            words.phrase("conduct_official", "(official, office records)")
            if official
            else words.phrase("conduct_rated", "(of {rated} rated)", rated=rated)
        )
        shown = words.phrase(
            "conduct_average",
            "{fact} = {rating} {compared} average {average} {which}",
            fact=words.fact("conduct_rating"),
            rating=fmt_signed(rating),
            compared="≥" if above else "<",
            average=shown_average(average),
            which=which,
        )
        if previous is None:
            shown += words.phrase("conduct_no_previous", ", conduct_rating_prev absent (no improvement)")
        else:
            shown += words.phrase(
                "conduct_improvement",
                ", {fact} = {previous}, improvement = {change} {compared} conduct_improvement {threshold}",
                fact=words.fact("conduct_rating_prev"),
                previous=fmt_signed(previous),
                change=signed(rating - previous),
                compared="≥" if improved else "<",
                threshold=fmt(threshold),
            )
        return f"{shown} → {fmt(raw)}"

    return raw, basis


ITEMS: list[Item] = [
    item(
        "performance.target_grade",
        points=10,
        title="部门（单位）目标责任制考核为良好以上单位（优秀单位得10分，良好单位得8分）",
        title_en="Target-responsibility appraisal of the department (excellent 10, good 8)",
        facts=choice(
            "target_grade",
            ("other", "good", "excellent"),
            "the department's appraisal grade",
            doc_zh="部门（单位）目标责任制考核等次",
            owner=OFFICE,
            aliases=("目标责任制考核", "目标责任制考核等次", "目标考核等次"),
        ),
        rule=Levels.of("target_grade", other=0, good=8, excellent=10),
    ),
    flag_item(
        "performance.leadership",
        points=5,
        title="领导班子精诚团结，主动担当，带领党员干部职工全面出色完成市委市政府交办的各项任务",
        title_en="A united leadership that completed every task set by the municipal party committee and government",
    ),
    item(
        "performance.conduct_rating",
        points=5,
        title="参与行风评议的部门（单位）评议成绩在平均分以上或有明显提升",
        title_en="Conduct rating at or above the cohort's average, or clearly improved",
        facts=(
            amount(
                "conduct_rating",
                "this year's conduct rating (leave out when not rated)",
                doc_zh="本年度行风评议成绩（未参评的不填）",
                minimum=0,
                maximum=RATING_MAXIMUM,
                owner=OFFICE,
                aliases=("行风评议成绩", "行风评议得分"),
            ),
            amount(
                "conduct_rating_prev",
                "last year's conduct rating (leave out when none)",
                doc_zh="上年度行风评议成绩（没有的不填）",
                minimum=0,
                maximum=RATING_MAXIMUM,
                owner=OFFICE,
                aliases=("上年行风评议成绩", "上年度行风评议成绩"),
            ),
        ),
        rule=Custom(
            conduct_rating,
            "5 if conduct_rating ≥ the official average (office records), else the average of the run's rated "
            "organisations, "
            "or conduct_rating − conduct_rating_prev ≥ conduct_improvement; not rated: by the unrated policy",
            basis_by_facts=True,
        ),
        policies=("conduct_improvement", "unrated"),
    ),
]

HEAVY = [
    heavy_item(
        BOTTOM_THREE_HEAVY,
        title="行风评议末三位",
        title_en="Among the three lowest conduct ratings (official rank, or the run's ratings)",
        derived=True,
    ),
]

OFFICE_FIGURES = [
    OfficeFigure(
        CONDUCT_AVERAGE, Amount(ZERO), "the official 行风评议 average of the city ([cohort])", ("行风评议平均分",)
    ),
    OfficeFigure(CONDUCT_RANK, Count(1), "the official 行风评议 rank, 1 the best", ("行风评议名次", "行风评议排名")),
    OfficeFigure(RATED_COUNT, Count(1), "how many the official 行风评议 ranks", ("参评单位数", "行风评议参评单位数")),
]


def ratings(cohort: Cohort) -> dict[str, Decimal]:
    """Organisation id → rating, for the organisations that have one."""
    found = {}
    for organisation in cohort.organisations:
        rating = organisation.facts.get("performance", {}).get("conduct_rating")
        if rating is not None:
            found[organisation.id] = rating
    return found


def bottom_three(rated: dict[str, Decimal]) -> frozenset[str]:
    """The organisations whose rating is among the three lowest; ties at the
    boundary all count; with fewer than four rated organisations, nobody."""
    if len(rated) <= BOTTOM_COUNT:
        return frozenset()
    boundary = sorted(rated.values())[BOTTOM_COUNT - 1]
    return frozenset(org_id for org_id, rating in rated.items() if rating <= boundary)


assess_sections, assess_items, assess_heavy_items = edition_hooks(EDITION, [SECTION], ITEMS, HEAVY)


@hookimpl
def assess_office_figures(edition: str) -> list[OfficeFigure]:
    return OFFICE_FIGURES if edition == EDITION else []


@hookimpl
def assess_policies() -> list[Policy]:
    return [
        number_policy(
            "conduct_improvement",
            "1.0",
            0,
            None,
            "行风评议 有明显提升: the rise over last year's rating that earns the 5 points.",
        ),
        choice_policy(
            "unrated",
            "full",
            ("full", "zero"),
            "行风评议: an organisation without a rating scores the 5 points (not penalised) or 0.",
        ),
    ]


@hookimpl
def assess_collect(organisation: Organisation, context: RunContext) -> dict[str, DerivedFact] | None:
    """Last year's rating from the history store, when the evidence gives none."""
    if not context.registry.has_facts(PREVIOUS_FACT):
        return None
    previous = context.previous_result(organisation.id)
    if previous is None or previous.status != "scored":
        return None
    rating = previous.fact("performance", "conduct_rating")
    if rating is None:
        return None
    source = f"history store: {previous.year} conduct_rating"
    return {PREVIOUS_FACT: DerivedFact(Decimal(str(rating)), source)}


@hookimpl
def assess_cohort(cohort: Cohort, context: RunContext) -> dict[str, Any]:
    """The cohort's ratings, when an item reads them (whatever the edition)."""
    if not context.registry.has_facts(RATING_FACT):
        return {}
    rated = ratings(cohort)
    total = sum(rated.values(), ZERO)
    office = context.office
    official = office.figure(CONDUCT_AVERAGE)
    if official is not None:
        average, source = official, "office"
    else:
        average, source = (total / len(rated) if rated else None), "run"
    ranked = {}
    for organisation in cohort.organisations:
        rank, count = office.figure(CONDUCT_RANK, organisation), office.figure(RATED_COUNT, organisation)
        if rank is not None and count is not None:
            ranked[organisation.id] = (rank, count)
    by_rank = {org_id for org_id, (rank, count) in ranked.items() if rank > count - BOTTOM_COUNT}
    by_run = bottom_three({org_id: rating for org_id, rating in rated.items() if org_id not in ranked})
    return {
        CONDUCT_AVERAGE: average,
        AVERAGE_SOURCE: source,
        CONDUCT_TOTAL: total,
        CONDUCT_RATED: len(rated),
        BOTTOM_THREE: by_run | by_rank,
        OFFICIAL_RANKS: ranked,
    }


@hookimpl
def assess_penalise(ledger: Ledger, context: RunContext) -> None:
    """The derived bottom three, unless the assessor reported it (a finding with its points)."""
    heavy = context.registry.heavy.get(BOTTOM_THREE_HEAVY)
    org_id = ledger.organisation.id
    if heavy is None or org_id not in context.cohort.get(BOTTOM_THREE, ()):
        return
    if any(deduction.item.id == BOTTOM_THREE_HEAVY for deduction in ledger.heavy):
        return
    ranked = context.cohort[OFFICIAL_RANKS].get(org_id)
    source = "derived: official rank {}/{}".format(*ranked) if ranked else "derived"
    ledger.heavy.append(HeavyDeduction(heavy, context.policy("heavy_default"), source))
