"""Between a run and the history store: saving a run's results, an
organisation's years, and the comparison of two years."""

from __future__ import annotations

import pickle
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat
from threading import Event, Thread
from typing import Any

from fivestar.context import RunContext
from fivestar.manager import PluginManager
from fivestar.model import Ledger, Organisation
from fivestar.numbers import ZERO, fmt
from fivestar.pipeline import RunResult
from fivestar.report import ENGINE, json_pieces, plugin_versions, ranks
from fivestar.report.json_text import DocumentWriter, awards_document, rank_tail
from fivestar.store import HistoryStore, RowFields, SavedRow, dumps, stored_run

ROW = "history-row"
"""The pieces (see :mod:`fivestar.streamed`) that hold each organisation's
row for the store, written by the process that scored it: a streamed run
asked for them is saved without scoring anything again."""


def row_fields(organisation: Organisation, ledger: Ledger | None) -> RowFields:
    if ledger is None:
        status = "plugin_error" if organisation.plugin_fault else "failed"
        return RowFields(organisation.id, organisation.name, status, organisation.sha256, None, None, None, [])
    return RowFields(
        organisation.id,
        organisation.name,
        "scored",
        organisation.sha256,
        fmt(ledger.total),
        fmt(ledger.heavy_points()),
        dumps(awards_document(ledger.awards)),
        [(key, fmt(section.score), fmt(section.max)) for key, section in ledger.sections.items()],
    )


HEAD_SIZE = struct.Struct("<I")


def row_pieces(pm: PluginManager, context: RunContext) -> Callable[[Organisation, Ledger | None], bytes]:
    """One organisation's row as a piece: the size of its head, its head
    (its :class:`RowFields` pickled: the piece is read back by the run that
    wrote it, twice as fast as JSON, and a plugin's text of a ``str``
    subclass is kept as it is), then its facts' JSON."""

    def piece(organisation: Organisation, ledger: Ledger | None) -> bytes:
        head = pickle.dumps(tuple(row_fields(organisation, ledger)), pickle.HIGHEST_PROTOCOL)
        return HEAD_SIZE.pack(len(head)) + head + dumps(organisation.facts).encode("utf-8")

    return piece


def row_from_piece(piece: bytes) -> tuple[RowFields, bytes]:
    """The fields and the facts' JSON (UTF-8) of a row piece."""
    (size,) = HEAD_SIZE.unpack_from(piece)
    start = HEAD_SIZE.size
    return RowFields(*pickle.loads(piece[start : start + size])), piece[start + size :]


SAVE_PIECES: dict[str, Any] = {"json": json_pieces, ROW: row_pieces}
"""What a run that is saved asks its workers to write while they score:
each organisation's document (the JSON result's piece) and its row."""


def _spilled(result: RunResult, name: str) -> Iterator[bytes | None]:
    spilled = result.pieces.get(name)
    if spilled is not None and len(spilled.keys) == len(result.organisations):
        return iter(spilled)
    return repeat(None)


def results_from_run(result: RunResult) -> Iterator[SavedRow]:
    """Each organisation's row, once per id (a second file that reuses an
    id failed validation and is not stored), one at a time: a large cohort
    is saved without holding its documents in memory. The stored document is
    the organisation's text in the JSON result (the same bytes as
    ``json.dumps`` of :func:`fivestar.report.organisation_document` with its
    rank). A streamed run's documents and rows are taken from its pieces
    (:data:`SAVE_PIECES`) when it has them; what it lacks is made here, an
    organisation scored again for it."""
    writer = DocumentWriter(plugin_versions(result.plugin_manager), ENGINE)
    ranked = ranks(result.totals_by_id())
    year = result.context.year
    seen: set[str] = set()
    documents, rows = _spilled(result, "json"), _spilled(result, ROW)
    for position, document, row in zip(range(len(result.organisations)), documents, rows, strict=False):
        fields, facts = row_from_piece(row) if row is not None else (None, b"")
        org_id = fields.org_id if fields is not None else result.organisations[position].id
        if org_id in seen:
            continue
        seen.add(org_id)
        if fields is None or document is None:
            organisation = result.organisations[position]
            ledger = result.ledgers.get(org_id) if organisation.valid else None
            if fields is None:
                fields, facts = row_fields(organisation, ledger), dumps(organisation.facts).encode("utf-8")
            if document is None:
                document = writer.document(organisation, ledger)
        rank = ranked.get(org_id) if fields.status == "scored" else None
        yield SavedRow(year, fields, facts, document + rank_tail(rank).encode("utf-8"))


class SaveStopped(BaseException):
    """A save in the background was asked to stop (the run was interrupted):
    its transaction is rolled back."""


def save_run(result: RunResult, store: HistoryStore, replace: bool = False, stop: Event | None = None) -> int:
    """Record a scored run in one transaction; returns how many organisations
    were saved. Once ``stop`` is set, the save stops and is rolled back."""
    context = result.context
    run = stored_run(context.year, context.edition, context.policies, plugin_versions(result.plugin_manager))
    saved = 0

    def counted() -> Iterator[SavedRow]:
        nonlocal saved
        for row in results_from_run(result):
            if stop is not None and stop.is_set():
                raise SaveStopped
            saved += 1
            yield row

    store.save(run, counted(), replace=replace)
    return saved


class SaveInBackground:
    """:func:`save_run` in a thread of its own, while the run's reports are
    written. SQLite lets go of the interpreter while it writes, so on a large
    cohort most of the save is done beside the reports rather than after
    them (at 20,000 organisations it writes some 560 MB).

    :meth:`finish` waits for the save and gives its count or raises its
    error; an interrupted run stops the save (rolled back) before it unwinds."""

    def __init__(self, result: RunResult, store: HistoryStore, replace: bool) -> None:
        self._stop = Event()
        self._outcome: int | BaseException = 0
        self._thread = Thread(target=self._save, args=(result, store, replace), name="history-save", daemon=True)
        self._thread.start()

    def _save(self, result: RunResult, store: HistoryStore, replace: bool) -> None:
        try:
            self._outcome = save_run(result, store, replace, self._stop)
        except BaseException as error:  # handed to the main thread by finish()
            self._outcome = error

    def finish(self, stop: bool = False) -> int | None:
        """How many organisations were saved, once the save is over; with
        ``stop``, the save is stopped first and rolled back: None, unless it
        had already committed (the store then holds the whole run)."""
        if stop:
            self._stop.set()
        try:
            self._thread.join()
        except BaseException:
            self._stop.set()
            self._thread.join()
            raise
        outcome = self._outcome
        if isinstance(outcome, SaveStopped):
            return None
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


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
