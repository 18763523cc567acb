"""The history store as the printed reports show it: each organisation's
total over the stored years and this run's, and its movement against last
year."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fivestar.logs import get_logger
from fivestar.model import InputError
from fivestar.pipeline import RunResult

log = get_logger(__name__)


def history_totals(result: RunResult) -> dict[str, Any]:
    """``{"years": [...], "totals": {org_id: [(year, total)]}, "movements":
    {org_id: change}}`` over the store's years before this run's and this
    run; empty when there is no store or nothing stored before this year. A
    store that cannot be read leaves the charts out (and says so in the log)
    rather than the report."""
    config = result.config
    if config is None or not getattr(config, "history", True) or not config.history_path.exists():
        return {}
    from fivestar.store import HistoryStore

    year = result.context.year
    store = HistoryStore(config.history_path)
    try:
        years = [stored for stored in store.years() if stored < year]
        stored = {stored_year: store.summaries(stored_year) for stored_year in years}
    except InputError as error:
        log.warning("history_unreadable", store=str(config.history_path), error=str(error.problems[0]))
        return {}
    if not years:
        return {}
    totals: dict[str, list[tuple[int, Decimal | None]]] = {}
    movements: dict[str, Decimal | None] = {}
    for org_id, ledger in result.ledgers.items():
        line = [
            (stored_year, stored[stored_year][org_id].total if org_id in stored[stored_year] else None)
            for stored_year in years
        ]
        line.append((year, ledger.total))
        totals[org_id] = line
        last = stored.get(year - 1, {}).get(org_id)
        movements[org_id] = ledger.total - last.total if last is not None and last.total is not None else None
    return {"years": [*years, year], "totals": totals, "movements": movements}
