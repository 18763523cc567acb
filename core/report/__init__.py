"""Views of the ledger. Nothing is computed here: a renderer only shows what
the steps wrote. This module holds the JSON document (the public contract)
that every other renderer reads; each renderer module is a plugin of the
report step, so that other formats can be added by any plugin."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fivestar.context import RunContext
from fivestar.encoding import Piece, piece_bytes
from fivestar.manager import PluginManager
from fivestar.markers import hookimpl
from fivestar.model import Ledger, Organisation
from fivestar.numbers import fmt, json_number
from fivestar.pipeline import RunResult
from fivestar.report.json_text import DocumentWriter, rank_tail
from fivestar.version import __version__

if TYPE_CHECKING:
    from fivestar.streamed import PieceMaker

ENGINE = f"fivestar-assess {__version__}"


@dataclass(frozen=True)
class RenderOptions:
    """What the user asked of a report: the language of titles (``zh`` or
    ``en``) and, for a scorecard, one organisation's id."""

    lang: str = "zh"
    org: str | None = None


@dataclass(frozen=True)
class Renderer:
    """An output format: ``render(result, options)`` returns text, bytes, or
    an iterable of pieces (:data:`fivestar.encoding.Piece`: text, or UTF-8
    bytes or a memoryview of them), written one after another (so that a
    large cohort's output is never held whole in memory); ``suffix`` names
    the file it writes into ``--output-dir``."""

    name: str
    description: str
    suffix: str
    render: Callable[[RunResult, RenderOptions], str | bytes | Iterable[Piece]]
    pieces: PieceMaker | None = None
    """For a large cohort: makes the function that writes one organisation's
    part of this output while it is scored (in a worker process), for
    ``render`` to stream from ``result.pieces[name]`` (see :mod:`fivestar.streamed`)."""


def joined(pieces: Iterable[Piece]) -> str:
    """A report's pieces as one text (a renderer yields text or UTF-8 bytes),
    as a file of them reads (:func:`fivestar.encoding.piece_bytes`)."""
    return b"".join(map(piece_bytes, pieces)).decode("utf-8")


def exact_number(value: Decimal) -> int | float | Decimal:
    """``json_number``, or the decimal itself when no float shows it exactly
    (more than 15 significant digits, e.g. a sum of two decimal facts drawn
    as floats): such a value is written as its own text, never refused, so
    that one organisation's figures cannot stop the report of a cohort."""
    try:
        return json_number(value)
    except ValueError:
        return value


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return exact_number(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: jsonable(entry) for key, entry in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(entry) for entry in value]
    return value


def ranks(totals: Mapping[str, Decimal]) -> dict[str, int]:
    """Each scored organisation's rank, from (id, total) pairs alone: by
    total, highest first, then by id; equal totals share a rank."""
    ranked: dict[str, int] = {}
    previous: Decimal | None = None
    rank = 0
    for position, (org_id, total) in enumerate(sorted(totals.items(), key=lambda pair: (-pair[1], pair[0])), 1):
        if total != previous:
            rank, previous = position, total
        ranked[org_id] = rank
    return ranked


def ranking(result: RunResult) -> Sequence[tuple[int, Ledger]]:
    """Scored organisations by total, highest first (then by id); equal
    totals share a rank. Made from the (id, total) pairs: each ledger is
    looked up as it is reached, so that a streamed run's ledgers are scored
    one at a time and never all held."""
    return Ranked(result.ledgers, ranks(result.totals_by_id()))


class Ranked(Sequence[tuple[int, Ledger]]):
    """(rank, ledger) pairs in rank order, each ledger looked up when reached."""

    def __init__(self, ledgers: Mapping[str, Ledger], ranked: dict[str, int]) -> None:
        self.ledgers = ledgers
        self.order = sorted(ranked, key=lambda org_id: (ranked[org_id], org_id))
        self.ranked = ranked

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, position: Any) -> Any:
        if isinstance(position, slice):
            return [self[index] for index in range(len(self.order))[position]]
        org_id = self.order[position]
        return self.ranked[org_id], self.ledgers[org_id]

    def __iter__(self) -> Iterator[tuple[int, Ledger]]:
        for org_id in self.order:
            yield self.ranked[org_id], self.ledgers[org_id]


def organisation_document(
    organisation: Organisation, ledger: Ledger | None, plugin_versions: dict[str, str]
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": organisation.id,
        "name": organisation.name,
        "file": str(organisation.path),
        "status": "scored" if ledger else "plugin_error" if organisation.plugin_fault else "failed",
        "errors": [problem.as_dict() for problem in organisation.errors],
        "warnings": [problem.as_dict() for problem in organisation.warnings],
        "total": None,
        "heavy_total": None,
        "sections": {},
        "heavy": [],
        "awards": None,
        "provenance": {
            "engine": ENGINE,
            "plugins": plugin_versions,
            "evidence_sha256": organisation.sha256,
        },
    }
    document.update(organisation.decisions())
    for key, value in organisation.extras.items():
        document.setdefault(key, value)
    if ledger is None:
        return document
    document["total"] = ledger.total
    document["heavy_total"] = ledger.heavy_points()
    for section_id, section in ledger.sections.items():
        items = {}
        for item_id, line in section.items.items():
            items[item_id] = {
                "title": line.item.title,
                "points": line.points,
                "max": line.max,
                "status": line.status,
                "basis": line.basis,
                "facts": ledger.item_facts(line.item),
                "sources": {
                    spec.name: organisation.sources.get(f"{line.item.section}.{spec.name}", "default")
                    for spec in line.item.facts
                },
            }
        document["sections"][section_id] = {
            "title": section.section.title,
            "score": section.score,
            "max": section.max,
            "claimed": section.claimed,
            "items": items,
        }
    document["heavy"] = [
        {"id": deduction.item.id, "title": deduction.item.title, "points": deduction.points, "source": deduction.source}
        for deduction in ledger.heavy
    ]
    awards = ledger.awards
    document["awards"] = {
        "stars": awards.stars,
        "party_building_excellence": awards.party_building_excellence,
        "performance_excellence": awards.performance_excellence,
        "five_star": awards.five_star,
        "withheld": awards.withheld,
    }
    return document


def plugin_versions(pm: PluginManager) -> dict[str, str]:
    return {info.name: info.version for info in pm.infos.values() if not info.blocked}


def shown_figure(value: Any) -> Any:
    """A cohort figure as JSON shows it: a decimal no JSON number holds exactly
    (the mean of a run, 81.5545…) as its text."""
    if isinstance(value, Decimal) and isinstance(exact_number(value), Decimal):
        return fmt(value)
    return value


def run_header(result: RunResult) -> dict[str, Any]:
    """What the JSON result says of the run as a whole: the cohort figures
    the plugins computed (those a person can read: numbers and words, such as
    the 行风评议 average and whether it is the official one), the office's
    files and how many claims went unverified or conflicted."""
    context = result.context
    office = context.office
    return {
        "year": context.year,
        "edition": context.edition,
        "award_year": context.award_year,
        "policies": context.policies,
        "command_line_policies": list(context.command_line_policies),
        "disabled_items": sorted(context.registry.disabled),
        "cohort": {
            key: shown_figure(value)
            for key, value in sorted(context.cohort.items())
            if value is None or isinstance(value, (str, int, Decimal))
        },
        "office": {"records": office.record_files, "reviews": office.review_files},
        "summary": context.cohort.get("summary", {}),
        "facts": result.facts_summary,
    }


def scored_documents(result: RunResult) -> Iterator[tuple[Organisation, Ledger | None, dict[str, Any]]]:
    """Each organisation, its ledger (None: failed) and its part of the JSON
    result, in the run's order, one at a time, with decimals and dates not
    yet converted (see :func:`jsonable`)."""
    versions = plugin_versions(result.plugin_manager)
    ranked = ranks(result.totals_by_id())
    for organisation in result.organisations:
        ledger = result.ledgers.get(organisation.id) if organisation.valid else None
        document = organisation_document(organisation, ledger, versions)
        document["rank"] = ranked.get(organisation.id) if ledger else None
        yield organisation, ledger, document


def organisation_documents(result: RunResult) -> Iterator[dict[str, Any]]:
    """Each organisation's part of the JSON result (see :func:`scored_documents`)."""
    for _organisation, _ledger, document in scored_documents(result):
        yield document


def result_document(result: RunResult) -> dict[str, Any]:
    """The JSON result contract (see docs/json-result.md), as plain JSON values."""
    return jsonable({**run_header(result), "organisations": list(organisation_documents(result))})


def json_pieces(pm: PluginManager, context: RunContext) -> Callable[[Organisation, Ledger | None], bytes]:
    """One organisation's JSON document without its rank (a large run's pieces)."""
    return DocumentWriter(plugin_versions(pm), ENGINE).document


def render_json(result: RunResult, options: RenderOptions) -> Iterator[Piece]:
    """The JSON result, one organisation a line, written piece by piece:
    valid JSON, greppable, and never whole in memory on a cohort of 100,000.
    The text is written directly (see :mod:`fivestar.report.json_text`), the
    same bytes as ``json.dumps`` of :func:`organisation_documents`; a large
    run's documents were written while it was scored and only get their rank."""
    writer = DocumentWriter(plugin_versions(result.plugin_manager), ENGINE)
    ranked = ranks(result.totals_by_id())
    yield writer.encoder.dumps(run_header(result))[:-1] + ', "organisations": ['
    spilled = result.pieces.get("json")
    if spilled is not None:
        keys = spilled.keys
        for first, data, offsets in spilled.by_chunk():
            view = memoryview(data)
            for position, (begin, end) in enumerate(itertools.pairwise(offsets), first):
                org_id = keys[position]
                yield b",\n" if position else b"\n"
                yield view[begin:end]
                yield rank_tail(ranked[org_id] if org_id is not None else None).encode()
    else:
        separator = b"\n"
        for organisation in result.organisations:
            ledger = result.ledgers.get(organisation.id) if organisation.valid else None
            rank = ranked.get(organisation.id) if ledger else None
            yield separator + writer.document(organisation, ledger) + rank_tail(rank).encode()
            separator = b",\n"
    yield "\n]}\n"


@hookimpl
def assess_renderers() -> list[Renderer]:
    return [Renderer("json", "the JSON result contract", ".json", render_json, json_pieces)]
