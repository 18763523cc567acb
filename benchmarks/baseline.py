"""A plain hand-written Python function computing the 2020 totals, written
straight from ../shared/spec/rules-2020.md with the default policies.

It serves twice: as the speed baseline of the benchmark (the engine's
scoring step should stay within 3× of it) and as an independent second
implementation that the tests compare the engine against on generated
cohorts. It reads the same typed facts the engine's validation produces
(``organisation.facts``: table → fact → value) and knows nothing of the
engine's rules, ledger or plugins.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

D = Decimal
ZERO = D(0)
HEAVY_DEFAULT = D(5)


def clamp(value: Decimal, ceiling: Decimal | int) -> Decimal:
    return max(ZERO, min(D(ceiling), value))


def learning(f: dict[str, Any]) -> Decimal:
    return (
        (1 if f["political_priority"] else 0)
        + (1 if f["initial_mission_system"] else 0)
        + (2 if f["party_regulations"] else 0)
        + clamp(D("1.5") * f["halfyear_reports"] - D("0.2") * f["unimplemented"], 3)
        + min(f["thought_analyses"], 2)
        + (1 if f["talks_visits"] else 0)
        + clamp(D(f["quarterly_reports"]) - D("0.5") * f["study_criticisms"], 4)
        + f["member_hours_met"]
        + f["leader_hours_met"]
        + f["xuexi_promoted"]
        + (2 if f["regular_training"] else 0)
        + clamp(6 - D("0.5") * f["training_misses"], 6)
    )


NORMS_FLAGS = {
    "regulation_meeting": 1,
    "personal_lists_published": 2,
    "secretary_review": 2,
    "lists_fulfilled": 2,
    "annual_plan": 1,
    "timely_election": 1,
    "staffing_complete": 1,
    "branch_standard": 2,
    "pioneer_branch": 1,
    "three_meetings": 2,
    "party_lectures": 1,
    "brand_results": 2,
    "leaders_example": 1,
    "recruitment": 1,
    "dues": 1,
    "annual_statistics": 1,
}


def norms(f: dict[str, Any]) -> Decimal:
    total = D(min(f["reports_heard"], 2))
    for name, points in NORMS_FLAGS.items():
        if f[name]:
            total += points
    if f["theme_day_planned"] and f["theme_day_held"]:
        total += 1
    return total


SERVICE_FLAGS = {
    "vanguard": 1,
    "centre_activities": 1,
    "three_services": 2,
    "rural_pairing": 1,
    "community_pairing": 1,
    "hometown_visits": 1,
    "volunteering": 1,
    "care_visits": 1,
    "mutual_insurance": 1,
    "recuperation": 1,
    "mass_org_elections": 1,
    "mass_org_finance": 1,
}
GRADE = {"none": 0, "participated": 1, "selected": 2, "named": 2}


def service(f: dict[str, Any]) -> Decimal:
    total = D(sum(points for name, points in SERVICE_FLAGS.items() if f[name]))
    total += GRADE[f["top_ten_brand"]] + GRADE[f["three_best"]]
    return total + clamp(3 - D("0.5") * f["four_seasons_misses"], 3)


DEMOCRACY_FLAGS = {
    "life_meeting": D(1),
    "member_appraisal": D("0.5"),
    "discipline_officer": D("0.5"),
    "discipline_list": D("0.5"),
    "deputy_attends": D("0.5"),
    "disclosure": D(1),
    "member_rights": D(1),
    "integrity_education": D(1),
}


def democracy(f: dict[str, Any]) -> Decimal:
    total = sum((points for name, points in DEMOCRACY_FLAGS.items() if f[name]), ZERO)
    total += clamp(3 - D("0.5") * f["conduct_criticisms"], 3)
    violations = (
        f["violations_main_leader"]
        + D("0.8") * f["violations_city_cadre"]
        + D("0.6") * f["violations_section_cadre"]
        + D("0.5") * f["violations_other"]
    )
    return total + clamp(6 - violations, 6)


INNOVATION_FLAGS = {
    "research": 2,
    "info_reports": 1,
    "party_business": 2,
    "physical_position": 1,
    "online_position": 1,
    "platform_use": 2,
    "platform_data": 2,
}


def innovation(f: dict[str, Any]) -> Decimal:
    total = D(sum(points for name, points in INNOVATION_FLAGS.items() if f[name]))
    return total + min(f["station_activities"], 2) + GRADE[f["clean_organ"]]


def performance(f: dict[str, Any], average: Decimal | None) -> Decimal:
    total = D({"excellent": 10, "good": 8, "other": 0}[f["target_grade"]]) + (5 if f["leadership"] else 0)
    rating, previous = f["conduct_rating"], f["conduct_rating_prev"]
    if rating is None:
        return total + 5
    if (average is not None and rating >= average) or (previous is not None and rating - previous >= 1):
        total += 5
    return total


LEVEL = {"central": 3, "national": 3, "provincial": 2, "municipal": 1}


def bonus(f: dict[str, Any], year: int) -> Decimal:
    first, last = dt.date(year - 1, 12, 16), dt.date(year, 12, 15)
    best: dict[str, Decimal] = {}
    for entry in f["commendations"]:
        if first <= entry["date"] <= last:
            best[entry["project"]] = max(best.get(entry["project"], ZERO), D(LEVEL[entry["level"]]))
    recognised: dict[str, Decimal] = {}
    for entry in f["recognitions"]:
        if first <= entry["date"] <= last:
            points = D(LEVEL[entry["level"]])
            if entry["form"] in ("meeting", "publication"):
                points /= 2
            recognised[entry["project"]] = max(recognised.get(entry["project"], ZERO), points)
    total = sum(best.values(), ZERO) + sum(recognised.values(), ZERO)
    total += f["new_stations"] + f["new_demo_sites"] + f["pioneer_branches_named"]
    total += sum((entry["points"] for entry in f["showcase"]), ZERO)
    total += {"excellent": 2, "good": 1, "other": 0}[f["inspection_grade"]]
    total += 1 if f["previous_award"] else 0
    return min(total, D(10))


def cohort_figures(facts: list[dict[str, Any]]) -> tuple[Decimal | None, list[Decimal]]:
    """The average rating and the sorted ratings of the rated organisations."""
    ratings = sorted(
        f["performance"]["conduct_rating"] for f in facts if f["performance"]["conduct_rating"] is not None
    )
    return (sum(ratings, ZERO) / len(ratings) if ratings else None), ratings


def score(
    f: dict[str, Any], heavy: dict[str, Decimal | None], year: int, average: Decimal | None, ratings: list[Decimal]
) -> dict[str, Any]:
    """Sections, total and awards of one organisation, default policies, no falsification."""
    sections = {
        "learning": learning(f["learning"]),
        "norms": norms(f["norms"]),
        "service": service(f["service"]),
        "democracy": democracy(f["democracy"]),
        "innovation": innovation(f["innovation"]),
        "performance": performance(f["performance"], average),
        "bonus": bonus(f["bonus"], year),
    }
    found = {key: (HEAVY_DEFAULT if figure is None else figure) for key, figure in heavy.items()}
    rating = f["performance"]["conduct_rating"]
    if len(ratings) >= 4 and rating is not None and rating <= ratings[2]:
        found["performance.heavy.bottom_three"] = HEAVY_DEFAULT
    heavy_sections = {key.split(".")[0] for key in found}
    maxima = {"learning": 25, "norms": 25, "service": 20, "democracy": 15, "innovation": 15}
    stars = [name for name, top in maxima.items() if sections[name] >= D("0.8") * top and name not in heavy_sections]
    party_building = len(stars) == 5
    performance_excellence = sections["performance"] >= 18 and "performance" not in heavy_sections
    return {
        "sections": sections,
        "total": sum(sections.values(), ZERO) - sum(found.values(), ZERO),
        "stars": stars,
        "party_building_excellence": party_building,
        "performance_excellence": performance_excellence,
        "five_star": party_building and performance_excellence,
    }
