"""What the steps of a run see: the run's context (year, edition, policies,
registry, cohort figures) and, while scoring one organisation, the
organisation with it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fivestar.limits import Limits

if TYPE_CHECKING:
    from fivestar.model import Organisation
    from fivestar.office import Office
    from fivestar.registry import Registry
    from fivestar.store import PreviousResult, PreviousYear


@dataclass
class RunContext:
    """What every step may read: the year, edition, policies in force, the
    rule registry and, from the cohort step on, the cohort's figures."""

    year: int
    edition: str
    award_year: bool
    policies: dict[str, Any]
    registry: Registry
    cohort: dict[str, Any] = field(default_factory=dict)
    previous: PreviousYear | None = None
    command_line_policies: tuple[str, ...] = ()
    """The policy keys set by ``--policy`` for this run, not by the config."""
    office: Office = field(default_factory=lambda: _empty_office())
    """The office's records and reviews (``[office]`` in the run config)."""
    limits: Limits = field(default_factory=Limits)
    """The bounds on evidence in force (see :mod:`fivestar.limits`)."""
    suppliers: dict[str, str] = field(default_factory=dict)
    """Who besides the evidence may supply facts, and from which file:
    ``{"history store": "examples/history.sqlite3"}``. A derived fact whose
    source text starts with a supplier's name counts as supplied by it (see
    ``RunResult.facts_summary``); a supplier registers itself here when the
    run consults it, whether or not it supplies anything."""

    def policy(self, key: str) -> Any:
        return self.policies[key]

    @property
    def lineage(self) -> tuple[str, ...]:
        """The edition and the editions it is built on, the base first."""
        return self.registry.lineage or (self.edition,)

    def previous_result(self, org_id: str) -> PreviousResult | None:
        """The organisation's saved result of the year before, if the history
        store has one (plugins derive last year's facts from it)."""
        return self.previous.get(org_id) if self.previous is not None else None


@dataclass(slots=True)
class ScoringContext:
    """What a rule sees while scoring one organisation."""

    run: RunContext
    organisation: Organisation

    def policy(self, key: str) -> Any:
        return self.run.policies[key]


def _empty_office() -> Office:
    from fivestar.office import Office

    return Office()
