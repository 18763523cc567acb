"""The reports' vocabulary: every label exists in both languages."""

from __future__ import annotations

from fivestar.report.labels import LABELS, labels_for


def test_both_languages_have_every_label() -> None:
    assert set(LABELS["zh"]) == set(LABELS["en"])
    assert all(text.strip() for language in LABELS.values() for text in language.values())


def test_chinese_is_the_default() -> None:
    assert labels_for("zh") is LABELS["zh"]
    assert labels_for("en") is LABELS["en"]
    assert labels_for("fr") is LABELS["zh"]
