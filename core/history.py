"""Between a run and the history store: saving a run's results, an
organisation's years, and the comparison of two years."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat
from typing import Any

from fivestar.numbers import ZERO
from fivestar.pipeline import RunResult
from fivestar.report import ENGINE, plugin_versions, ranks
from fivestar.report.json_text import DocumentWriter, awards_document, rank_tail
from fivestar.store import HistoryStore, SavedRow, dumps, stored_run


def results_from_run(result: RunResult) -> Iterator[SavedRow]:
    """Each organisation's row, once per id (a second file that reuses an
    id failed validation and is not stored), one at a time: a large cohort
    is saved without holding its documents in memory. The stored document is
    the organisation's text in the JSON result (the same bytes as
    ``json.dumps`` of :func:`fivestar.report.organisation_document` with its
    rank), taken from a streamed run's pieces when it has them."""
    writer = DocumentWriter(plugin_versions(result.plugin_manager), ENGINE)
    ranked = ranks(result.totals_by_id())
    year = result.context.year
    spilled = result.pieces.get("json")
    pieces: Iterator[bytes | None] = (
        iter(spilled) if spilled is not None and len(spilled.keys) == len(result.organisations) else repeat(None)
    )
    seen: set[str] = set()
    for organisation, piece in zip(result.organisations, pieces, strict=False):
        if organisation.id in seen:
            continue
        seen.add(organisation.id)
        ledger = result.ledgers.get(organisation.id) if organisation.valid else None
        head = piece.decode("utf-8") if piece is not None else writer.text(organisation, ledger)
        document = head + rank_tail(ranked.get(organisation.id) if ledger else None)
        yield SavedRow(
            year,
            organisation.id,
            organisation.name,
            "scored" if ledger else "plugin_error" if organisation.plugin_fault else "failed",
            organisation.sha256,
            ledger.total if ledger else None,
            ledger.heavy_points() if ledger else None,
            dumps(awards_document(ledger.awards)) if ledger else None,
            organisation.facts,
            document,
            {key: (section.score, section.max) for key, section in ledger.sections.items()} if ledger else {},
        )


def save_run(result: RunResult, store: HistoryStore, replace: bool = False) -> int:
    """Record a scored run in one transaction; returns how many organisations were saved."""
    context = result.context
    run = stored_run(context.year, context.edition, context.policies, plugin_versions(result.plugin_manager))
    saved = 0

    def counted() -> Iterator[SavedRow]:
        nonlocal saved
        for row in results_from_run(result):
            saved += 1
            yield row

    store.save(run, counted(), replace=replace)
    return saved


def award_labels(awards: dict[str, Any]) -> list[str]:
    labels = list(awards.get("stars", []))
    for key in ("party_building_excellence", "performance_excellence", "five_star"):
        if awards.get(key):
            labels.append(key)
    return labels


@dataclass(frozen=True)
class Movement:
    """One organisation's change between two stored years."""

    org_id: str
    name: str
    total_a: Decimal | None
    total_b: Decimal | None
    sections: dict[str, tuple[Decimal | None, Decimal | None]]
    heavy: tuple[Decimal | None, Decimal | None]

    @property
    def change(self) -> Decimal | None:
        if self.total_a is None or self.total_b is None:
            return None
        return self.total_b - self.total_a

    def section_change(self, section: str) -> Decimal | None:
        return difference(*self.sections[section])

    @property
    def heavy_change(self) -> Decimal | None:
        """How much more (positive) or less was deducted for heavy items."""
        return difference(*self.heavy)


def difference(before: Decimal | None, after: Decimal | None) -> Decimal | None:
    return None if before is None or after is None else after - before


def compare_years(store: HistoryStore, year_a: int, year_b: int) -> tuple[list[str], list[Movement]]:
    """Every organisation of either year, largest movers first (by the size
    of the change in total; organisations in only one year last)."""
    before, after = store.summaries(year_a), store.summaries(year_b)
    sections: list[str] = []
    for result in [*before.values(), *after.values()]:
        sections += [section for section in result.sections if section not in sections]
    movements = []
    for org_id in sorted(set(before) | set(after)):
        a, b = before.get(org_id), after.get(org_id)
        movements.append(
            Movement(
                org_id,
                (b or a).name,  # type: ignore[union-attr]
                a.total if a else None,
                b.total if b else None,
                {
                    section: (a.sections.get(section) if a else None, b.sections.get(section) if b else None)
                    for section in sections
                },
                (a.heavy if a else None, b.heavy if b else None),
            )
        )
    movements.sort(key=lambda move: (move.change is None, -abs(move.change or ZERO), move.org_id))
    return sections, movements
