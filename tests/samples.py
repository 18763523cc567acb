"""Evidence shared by the tests, written from rules-2020.md: an organisation that earns every point of each
section, and the fact tables of the 2020 rules.

The names of the yes/no facts and of the grades come from benchmarks/generate.py (test data, not engine code),
imported the way test_agreement.py imports it; test_properties.py checks them against every declared fact.
Import this module as ``from samples import ...``: pytest puts tests/ on sys.path (there is no tests/__init__.py).
"""

from __future__ import annotations

import importlib
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import tomlkit

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

sys.path.insert(0, str(BENCHMARKS))
try:
    generate = importlib.import_module("generate")
finally:
    sys.path.remove(str(BENCHMARKS))

FLAGS: dict[str, list[str]] = generate.FLAGS
"""section → its yes/no facts"""
CHOICES: dict[str, dict[str, tuple[str, ...]]] = generate.CHOICES
"""section → {grade fact: its grades, lowest first}"""

STAR_SECTIONS = ("learning", "norms", "service", "democracy", "innovation")

# The best value of every count and grade: a count that earns points at its cap (1.5 × 2, min(n, 2), 1 × 4), a
# count of deductions at 0, the top grade.
BEST: dict[str, dict[str, Any]] = {
    "learning": {
        "halfyear_reports": 2,
        "unimplemented": 0,
        "thought_analyses": 2,
        "quarterly_reports": 4,
        "study_criticisms": 0,
        "training_misses": 0,
    },
    "norms": {"reports_heard": 2},
    "service": {"top_ten_brand": "selected", "three_best": "selected", "four_seasons_misses": 0},
    "democracy": {
        "conduct_criticisms": 0,
        "violations_main_leader": 0,
        "violations_city_cadre": 0,
        "violations_section_cadre": 0,
        "violations_other": 0,
    },
    "innovation": {"station_activities": 2, "clean_organ": "named"},
    "performance": {"target_grade": "excellent"},
}


def complete(section: str) -> dict[str, Any]:
    """Every yes/no fact true and every count and grade at its best."""
    return {**dict.fromkeys(FLAGS[section], True), **BEST[section]}


LEARNING = complete("learning")
NORMS = complete("norms")
SERVICE = complete("service")
DEMOCRACY = complete("democracy")
INNOVATION = complete("innovation")
PERFORMANCE = complete("performance")
"""15 of 20 by its facts; 20 when the organisation is not rated (the default unrated = "full")"""

FULL: dict[str, dict[str, Any]] = {
    "learning": LEARNING,
    "norms": NORMS,
    "service": SERVICE,
    "democracy": DEMOCRACY,
    "innovation": INNOVATION,
    "performance": PERFORMANCE,
    "bonus": {},
}
"""Every section at its maximum (25 + 25 + 20 + 15 + 15, performance 20 unrated), no bonus."""

# One file not implemented: 1 + 1 + 2 + (1.5×2 − 0.2×1) + 2 + 1 + 4 + 3 + 2 + 6 = 24.8, a star at the default 0.8
# but short of the maximum.
NEAR_FULL_LEARNING = {**LEARNING, "unimplemented": 1}
NEAR_FULL_LEARNING_SCORE = Decimal("24.8")


def toml_literal(text: str) -> Any:
    """The value of a TOML literal written exactly as ``text``: a decimal (tomlkit cannot write a Decimal), a
    date-time."""
    return tomlkit.parse(f"value = {text}")["value"]
