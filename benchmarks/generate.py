"""Synthetic cohorts in the spec's evidence format, for the benchmark and for
the tests that compare the engine with the hand-written baseline.

Every fact of the 2020 rules is drawn at random (seeded, so a cohort can be
made again), around and beyond the items' boundaries: counts past their caps
and floors, dates just inside and just outside the bonus window, ratings
with ties. ``python benchmarks/generate.py N DIR`` writes a cohort.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

YEAR = 2020

FLAGS = {
    "learning": [
        "political_priority",
        "initial_mission_system",
        "party_regulations",
        "talks_visits",
        "member_hours_met",
        "leader_hours_met",
        "xuexi_promoted",
        "regular_training",
    ],
    "norms": [
        "regulation_meeting",
        "personal_lists_published",
        "secretary_review",
        "lists_fulfilled",
        "annual_plan",
        "timely_election",
        "staffing_complete",
        "branch_standard",
        "pioneer_branch",
        "three_meetings",
        "party_lectures",
        "theme_day_planned",
        "theme_day_held",
        "brand_results",
        "leaders_example",
        "recruitment",
        "dues",
        "annual_statistics",
    ],
    "service": [
        "vanguard",
        "centre_activities",
        "three_services",
        "rural_pairing",
        "community_pairing",
        "hometown_visits",
        "volunteering",
        "care_visits",
        "mutual_insurance",
        "recuperation",
        "mass_org_elections",
        "mass_org_finance",
    ],
    "democracy": [
        "life_meeting",
        "member_appraisal",
        "discipline_officer",
        "discipline_list",
        "deputy_attends",
        "disclosure",
        "member_rights",
        "integrity_education",
    ],
    "innovation": [
        "research",
        "info_reports",
        "party_business",
        "physical_position",
        "online_position",
        "platform_use",
        "platform_data",
    ],
    "performance": ["leadership"],
    "bonus": ["previous_award"],
}
COUNTS = {
    "learning": {
        "halfyear_reports": 2,
        "unimplemented": 16,
        "thought_analyses": 4,
        "quarterly_reports": 4,
        "study_criticisms": 9,
        "training_misses": 14,
    },
    "norms": {"reports_heard": 4},
    "service": {"four_seasons_misses": 7},
    "democracy": {
        "conduct_criticisms": 7,
        "violations_main_leader": 3,
        "violations_city_cadre": 4,
        "violations_section_cadre": 5,
        "violations_other": 6,
    },
    "innovation": {"station_activities": 4},
    "bonus": {"new_stations": 3, "new_demo_sites": 3, "pioneer_branches_named": 3},
}
CHOICES = {
    "service": {
        "top_ten_brand": ("none", "participated", "selected"),
        "three_best": ("none", "participated", "selected"),
    },
    "innovation": {"clean_organ": ("none", "participated", "named")},
    "performance": {"target_grade": ("other", "good", "excellent")},
    "bonus": {"inspection_grade": ("other", "good", "excellent")},
}
HEAVY = [
    "learning.heavy.spirit_not_conveyed",
    "norms.heavy.secretary_vacancy",
    "service.heavy.complaints",
    "democracy.heavy.eight_rules",
    "innovation.heavy.platform_error",
]
EDGE_DATES = [
    dt.date(YEAR - 1, 12, 15),
    dt.date(YEAR - 1, 12, 16),
    dt.date(YEAR, 6, 30),
    dt.date(YEAR, 12, 15),
    dt.date(YEAR, 12, 16),
]
PROJECTS = ["红色引擎", "清廉机关", "党建+业务", "先锋工程"]


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def records(rng: random.Random, table: str, fields: dict[str, object]) -> list[str]:
    lines = [f"[[bonus.{table}]]"]
    lines += [f"{key} = {toml_value(value)}" for key, value in fields.items()]
    return lines


def organisation_text(index: int, rng: random.Random, complete: float = 0.6) -> str:
    """One organisation's evidence; ``complete`` is the chance that a fact
    takes its best value (so that stars and awards happen)."""
    lines = ["[organisation]", f'id = "org-{index:06d}"', f'name = "测试单位{index:06d}党委"', ""]
    for section in ("learning", "norms", "service", "democracy", "innovation", "performance", "bonus"):
        lines.append(f"[{section}]")
        for name in FLAGS.get(section, []):
            lines.append(f"{name} = {toml_value(rng.random() < complete + 0.25)}")
        for name, top in COUNTS.get(section, {}).items():
            good = (
                0
                if ("misses" in name or "criticisms" in name or "violations" in name or "unimplemented" in name)
                else top
            )
            value = good if rng.random() < complete else rng.randint(0, top)
            lines.append(f"{name} = {value}")
        for name, options in CHOICES.get(section, {}).items():
            value = options[-1] if rng.random() < complete else rng.choice(options)
            lines.append(f"{name} = {toml_value(value)}")
        if section == "performance":
            if rng.random() < 0.9:
                lines.append(f"conduct_rating = {rng.randint(700, 960) / 10}")
            if rng.random() < 0.5:
                lines.append(f"conduct_rating_prev = {rng.randint(700, 960) / 10}")
        if section == "bonus":
            lines.append("")
            for _ in range(rng.randint(0, 2)):
                lines += records(
                    rng,
                    "commendations",
                    {
                        "project": rng.choice(PROJECTS),
                        "level": rng.choice(("central", "provincial", "municipal")),
                        "date": rng.choice(EDGE_DATES),
                        "document": "绍市委〔2020〕1号",
                    },
                )
            for _ in range(rng.randint(0, 2)):
                lines += records(
                    rng,
                    "recognitions",
                    {
                        "project": rng.choice(PROJECTS),
                        "level": rng.choice(("national", "provincial", "municipal")),
                        "form": rng.choice(("commendation", "instruction", "meeting", "publication")),
                        "date": rng.choice(EDGE_DATES),
                    },
                )
            for _ in range(rng.randint(0, 1)):
                lines += records(
                    rng, "showcase", {"name": "晒比优胜", "points": Decimal(rng.choice(("0.5", "1", "1.5")))}
                )
        lines.append("")
    return "\n".join(lines) + "\n"


def review_text(index: int, rng: random.Random) -> str:
    """The assessor's findings of heavy items for one organisation (a few
    organisations in a hundred), as entries of the office's reviews file."""
    lines = []
    for item in HEAVY:
        if rng.random() < 0.03:
            lines += [f'[[organisations."org-{index:06d}".findings]]', f'item = "{item}"']
            points = rng.choice((None, 5, 7, 10))
            if points is not None:
                lines.append(f"points = {points}")
    return "".join(line + "\n" for line in lines)


def write_cohort(count: int, folder: Path, seed: int = 2020) -> Path:
    """Write ``count`` organisations and a run config into ``folder``;
    returns the config's path."""
    rng = random.Random(seed)
    orgs = folder / "orgs"
    orgs.mkdir(parents=True, exist_ok=True)
    reviews = []
    for index in range(count):
        (orgs / f"org-{index:06d}.toml").write_text(organisation_text(index, rng), encoding="utf-8")
        reviews.append(review_text(index, rng))
    (folder / "reviews.toml").write_text("".join(reviews), encoding="utf-8")
    config = folder / "config.toml"
    config.write_text(
        f'[assessment]\nyear = {YEAR}\norganisations = ["orgs/*.toml"]\n\n[office]\nreviews = ["reviews.toml"]\n',
        encoding="utf-8",
    )
    return config


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python benchmarks/generate.py", description="Write a synthetic cohort and its run config."
    )
    parser.add_argument("size", type=int, help="how many organisations")
    parser.add_argument("folder", type=Path, help="where to write config.toml and orgs/")
    arguments = parser.parse_args()
    print(write_cohort(arguments.size, arguments.folder))
