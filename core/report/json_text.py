"""The JSON result written straight as text, fast and exact.

:func:`fivestar.report.organisation_document` defines the document of one
organisation as plain values; writing it with ``json.dumps`` for a cohort of
100,000 calls a Python hook for every decimal and renders every item's basis
again for every organisation. This writer gives the same bytes (a test
compares both on the sample and on generated cohorts) at a fraction of the
cost:

- the parts of an item that never change (its id, title, maximum, the names
  of its facts) are encoded once per run;
- an item's whole text is remembered by what decides it (points, status,
  trace, facts and their sources) for the rule shapes whose basis depends on
  nothing else, so that the common lines ("dues = true → 1") are rendered once
  per run, not once per organisation; other rules' basis is rendered when it
  is written, once;
- decimals are written by :func:`number_text`, never through a float
  computation: the text is the decimal's own, as ``json_number`` defines it.
"""

from __future__ import annotations

import json
import secrets
from datetime import date
from decimal import Decimal
from functools import partial
from json.encoder import encode_basestring
from typing import Any

from fivestar.encoding import utf8
from fivestar.facts import Records
from fivestar.model import Awards, Item, ItemResult, Ledger, Organisation
from fivestar.numbers import fmt, json_number
from fivestar.rules import AllFlags, Custom, Flag, Levels, Linear

PURE_RULES = (Flag, AllFlags, Linear, Levels)
"""Rule shapes whose basis is a function of the line's trace and raw value
alone, so that equal lines of two organisations have equal text."""

MEMO_LIMIT = 200_000
"""Remembered texts per kind; past this the memo starts again (bounded memory)."""

_numbers: dict[Decimal, str] = {}


def number_text(value: Decimal) -> str:
    """The JSON text of a decimal, as ``json.dumps`` writes ``json_number``:
    an integer, or the shortest float text when it shows the decimal exactly,
    or else the decimal's own plain text. Equal decimals have equal text
    (``2.80`` and ``2.8`` are both ``2.8``), so the text is remembered by value."""
    text = _numbers.get(value)
    if text is None:
        try:
            number = json_number(value)
        except ValueError:
            text = fmt(value)
        else:
            text = json.dumps(number)
        if len(_numbers) >= MEMO_LIMIT:
            _numbers.clear()
        _numbers[value] = text
    return text


MARKER = "exact-decimal-7c1e0b54-"
"""What stands in the encoder's text for a decimal no JSON number holds (as
the string ``"MARKER0"``, ``"MARKER1"``, …), until :meth:`ExactEncoder.dumps`
puts the decimal's own text in its place."""


class ExactNumbers:
    """The decimals of one ``dumps`` that no JSON number holds, and the
    marker that stands for them in the encoder's text."""

    __slots__ = ("marker", "numbers")

    def __init__(self) -> None:
        self.marker = MARKER
        self.numbers: list[str] = []


def exact_default(exact: ExactNumbers, value: Any) -> Any:
    """The JSON value of what ``json`` cannot encode itself: a decimal that no
    float shows is kept in ``exact`` and stands as a numbered marker."""
    if isinstance(value, Decimal):
        try:
            return json_number(value)
        except ValueError:
            exact.numbers.append(fmt(value))
            return f"{exact.marker}{len(exact.numbers) - 1}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class ExactEncoder:
    """``json.dumps`` for any value of the document (the C encoder), decimals
    written exactly: a decimal no float shows is written as its own text."""

    def __init__(self) -> None:
        self._exact = ExactNumbers()
        self._encode = json.JSONEncoder(ensure_ascii=False, default=partial(exact_default, self._exact)).encode
        """One encoder for every call: ``json.dumps`` with arguments makes
        a new one each time (some 0.7 µs of the 3.7 that a short list of
        records takes). Its hook holds the decimals, not the encoder: no
        reference cycle."""

    def dumps(self, value: Any) -> str:
        exact = self._exact
        try:
            text = self._encode(value)
            numbers = exact.numbers
            if not numbers:
                return text
            if text.count(f'"{exact.marker}') != len(numbers):
                # a text of the value reads as a marker: again, with a marker drawn at random
                exact.marker, exact.numbers = f"exact-decimal-{secrets.token_hex(16)}-", []
                return self.dumps(value)
            for index, number in enumerate(numbers):
                text = text.replace(f'"{exact.marker}{index}"', number)
            return text
        finally:
            exact.numbers.clear()
            exact.marker = MARKER

    def value(self, value: Any) -> str:
        """One scalar fast (the common fact values), anything else by :meth:`dumps`."""
        kind = type(value)
        if kind is bool:
            return "true" if value else "false"
        if kind is int:
            return str(value)
        if kind is Decimal:
            return number_text(value)
        if kind is str:
            return encode_basestring(value)
        if value is None:
            return "null"
        return self.dumps(value)


def frozen_records(values: Any, single: bool) -> Any:
    """An item's facts as a key, its records (lists of tables, which have
    no hash) as tuples of their tables' items."""
    if single:
        return tuple([tuple(entry.items()) for entry in values]) if values.__class__ is list else values
    return tuple([frozen_records(value, True) for value in values])


class ItemWriter:
    """The text of one item's line, its constant parts encoded once."""

    def __init__(self, item: Item, encoder: ExactEncoder) -> None:
        self.item = item
        self.encoder = encoder
        self.head = f'{encode_basestring(item.id)}: {{"title": {encode_basestring(item.title)}, "points": '.encode()
        maximum = "null" if item.points is None else number_text(item.points)
        self.after_points = f', "max": {maximum}, "status": '.encode()
        self.statuses: dict[str, bytes] = {}
        self.fact_texts: dict[tuple[Any, ...], bytes] = {}
        self.source_texts: dict[Any, bytes] = {}
        self.names = [spec.name for spec in item.facts]
        self.keys = item.fact_keys()
        self.fact_labels = [encode_basestring(name) + ": " for name in self.names]
        self.section = item.section
        self.single = len(self.names) == 1
        self.records = any(isinstance(spec.type, Records) for spec in item.facts)
        """Records are lists, which have no hash: such facts are written each time."""
        self.by_facts = isinstance(item.rule, Custom) and item.rule.basis_by_facts
        """A line whose basis its facts' values decide (``Custom(...,
        basis_by_facts=True)``): remembered by them, its trace (the function
        that writes the basis) left out of the key."""
        remembered = self.by_facts or isinstance(item.rule, PURE_RULES)
        self.memo: dict[tuple[Any, ...], bytes] | None = {} if remembered else None
        self.flag = isinstance(item.rule, Flag) and self.single
        """A flag's plain line (as scored, its trace the fact's value) is
        remembered by points, value and source alone: its text depends on
        nothing else."""

    def text(self, line: ItemResult, table: dict[str, Any], sources: dict[str, str]) -> bytes:
        """The line's text in UTF-8; ``table`` is the facts of the item's section."""
        values: Any
        origins: Any
        if self.single:
            values = table.get(self.names[0])
            origins = sources.get(self.keys[0], "default")
        else:
            values = tuple([table.get(name) for name in self.names])
            origins = tuple([sources.get(key, "default") for key in self.keys])
        memo = self.memo
        if memo is None:
            return self._render(line, values, origins)
        points, raw, scored = line.points, line.raw, line.scored_points
        trace = None if self.by_facts else line.trace
        key: tuple[Any, ...]
        if (
            self.flag
            and trace is values
            and raw is points
            and scored is points
            and line.status == "scored"
            and not line.note
        ):
            key = (points, values, origins)
        else:
            if trace.__class__ is list:
                trace = tuple(trace)
            key = (
                points,
                None if raw is points else raw,
                None if scored is points else scored,
                line.status,
                line.note,
                trace,
                frozen_records(values, self.single) if self.records else values,
                origins,
            )
        try:
            text = memo.get(key)
        except TypeError:
            return self._render(line, values, origins)
        if text is None:
            text = self._render(line, values, origins)
            if len(memo) >= MEMO_LIMIT:
                memo.clear()
            memo[key] = text
        return text

    def _render(self, line: ItemResult, values: Any, origins: Any) -> bytes:
        """The line's text; its facts' and sources' parts remembered by their
        values (and classes: ``true`` and ``1`` are equal, not the same text)."""
        status = self.statuses.get(line.status)
        if status is None:
            status = self.statuses[line.status] = f'{encode_basestring(line.status)}, "basis": '.encode()
        return b"".join(
            [
                self.head,
                self.encoder.value(line.points).encode(),
                self.after_points,
                status,
                encode_basestring(line.basis).encode(),
                b', "facts": {',
                self._facts(values),
                b'}, "sources": {',
                self._sources(origins),
                b"}}",
            ]
        )

    def _facts(self, values: Any) -> bytes:
        if self.single:
            values = (values,)
        key: tuple[Any, ...] | None = None
        text = None
        if not self.records:
            try:
                key = (values, tuple([value.__class__ for value in values]))
                text = self.fact_texts.get(key)
            except TypeError:  # a value without a hash (a plugin's list)
                key = None
        if text is None:
            value = self.encoder.value
            labelled = [label + value(fact) for label, fact in zip(self.fact_labels, values, strict=True)]
            text = ", ".join(labelled).encode()
            if key is not None:
                if len(self.fact_texts) >= MEMO_LIMIT:
                    self.fact_texts.clear()
                self.fact_texts[key] = text
        return text

    def _sources(self, origins: Any) -> bytes:
        text = self.source_texts.get(origins)
        if text is None:
            shown = (origins,) if self.single else origins
            text = ", ".join(
                [label + encode_basestring(origin) for label, origin in zip(self.fact_labels, shown, strict=True)]
            ).encode()
            if len(self.source_texts) >= MEMO_LIMIT:
                self.source_texts.clear()
            self.source_texts[origins] = text
        return text


class DocumentWriter:
    """Each organisation's part of the JSON result in UTF-8, the same bytes as
    ``json.dumps(organisation_document(...))`` without the closing ``rank``
    (which is known only once the whole cohort is scored): see :func:`rank_tail`."""

    def __init__(self, plugin_versions: dict[str, str], engine: str) -> None:
        self.encoder = ExactEncoder()
        self.items: dict[str, ItemWriter] = {}
        self.sections: dict[str, tuple[Any, bytes]] = {}
        self.award_texts: dict[tuple[Any, ...], bytes] = {}
        self.provenance = (
            f', "provenance": {{"engine": {encode_basestring(engine)}, '
            f'"plugins": {self.encoder.dumps(plugin_versions)}, "evidence_sha256": '
        ).encode()

    def item(self, item: Item) -> ItemWriter:
        writer = self.items.get(item.id)
        if writer is None or writer.item is not item:
            writer = self.items[item.id] = ItemWriter(item, self.encoder)
        return writer

    def section_head(self, section_id: str, section: Any) -> bytes:
        known = self.sections.get(section_id)
        if known is None or known[0] is not section:
            head = f"{encode_basestring(section_id)}: {{{self._pair('title', section.title)}, " + '"score": '
            known = self.sections[section_id] = (section, head.encode())
        return known[1]

    def problems(self, problems: list[Any]) -> str:
        return self.encoder.dumps([problem.as_dict() for problem in problems]) if problems else "[]"

    def awards(self, awards: Awards) -> bytes:
        """The awards' text, remembered by their values (few combinations)."""
        document = awards_document(awards)
        try:
            key = (
                tuple(awards.stars),
                awards.party_building_excellence,
                awards.performance_excellence,
                awards.five_star,
                tuple(awards.withheld.items()),
            )
            text = self.award_texts.get(key)
        except TypeError:
            return self.encoder.dumps(document).encode()
        if text is None:
            text = self.encoder.dumps(document).encode()
            if len(self.award_texts) >= MEMO_LIMIT:
                self.award_texts.clear()
            self.award_texts[key] = text
        return text

    def _pair(self, key: str, value: Any) -> str:
        return f"{encode_basestring(key)}: {self.encoder.value(value)}"

    def document(self, organisation: Organisation, ledger: Ledger | None) -> bytes:
        """The organisation's document up to, not including, its rank, in
        UTF-8: the parts remembered across organisations (items' lines,
        section heads, awards) are kept encoded, so that only what is the
        organisation's own is encoded (encoding the whole text was a tenth
        of writing it)."""
        encode = self.encoder.value
        dumps = self.encoder.dumps
        parts = [
            utf8(
                f'{{"id": {encode(organisation.id)}, "name": {encode(organisation.name)}, '
                f'"file": {encode_basestring(str(organisation.path))}, '
                f'"status": {SCORED if ledger else PLUGIN_ERROR if organisation.plugin_fault else FAILED}, '
                f'"errors": {self.problems(organisation.errors)}, '
                f'"warnings": {self.problems(organisation.warnings)}, '
            )
        ]
        if ledger is None:
            parts.append(b'"total": null, "heavy_total": null, "sections": {}, "heavy": [], "awards": null')
        else:
            parts.append(
                f'"total": {encode(ledger.total)}, "heavy_total": {encode(ledger.heavy_points())}, '
                f'"sections": {{'.encode()
            )
            facts = ledger.organisation.facts
            sources = organisation.sources
            first_section = True
            for section_id, section in ledger.sections.items():
                if not first_section:
                    parts.append(b", ")
                first_section = False
                parts.append(self.section_head(section_id, section.section))
                parts.append(
                    f'{encode(section.score)}, "max": {encode(section.max)}, '
                    f'"claimed": {encode(section.claimed)}, "items": {{'.encode()
                )
                writers = self.items
                lines = section.lines
                table = facts.get(section_id) or {}
                texts = []
                for item_id in section.item_ids:
                    line = lines[item_id]
                    writer = writers.get(item_id)
                    if writer is None or writer.item is not line.item:
                        writer = self.item(line.item)
                    own = table if writer.section == section_id else facts.get(writer.section) or {}
                    texts.append(writer.text(line, own, sources))
                parts.append(b", ".join(texts))
                parts.append(b"}}")
            parts.append(b'}, "heavy": ')
            parts.append(
                dumps(
                    [
                        {
                            "id": deduction.item.id,
                            "title": deduction.item.title,
                            "points": deduction.points,
                            "source": deduction.source,
                        }
                        for deduction in ledger.heavy
                    ]
                ).encode()
                if ledger.heavy
                else b"[]"
            )
            parts.append(b', "awards": ')
            parts.append(self.awards(ledger.awards))
        parts.append(self.provenance)
        parts.append(encode(organisation.sha256).encode())
        parts.append(b"}")
        for key, value in organisation.decisions().items():
            parts.append(utf8(f", {encode_basestring(key)}: {dumps(value) if value else '[]'}"))
        for key, value in organisation.extras.items():
            if key not in DOCUMENT_KEYS and key != "rank":
                parts.append(utf8(f", {encode_basestring(key)}: {dumps(value)}"))
        return b"".join(parts)


DOCUMENT_KEYS = frozenset(
    (
        "id",
        "name",
        "file",
        "status",
        "errors",
        "warnings",
        "total",
        "heavy_total",
        "sections",
        "heavy",
        "awards",
        "provenance",
        "conflicts",
        "unverified",
        "findings",
        "appeals",
    )
)
"""The keys ``organisation_document`` writes itself; an organisation's extras
add only keys not among these (and ``rank`` follows them all)."""


def awards_document(awards: Awards) -> dict[str, Any]:
    """An organisation's awards as its document holds them."""
    return {
        "stars": awards.stars,
        "party_building_excellence": awards.party_building_excellence,
        "performance_excellence": awards.performance_excellence,
        "five_star": awards.five_star,
        "withheld": awards.withheld,
    }


def rank_tail(rank: int | None) -> str:
    """What follows an organisation's :meth:`DocumentWriter.document`: its rank."""
    return f', "rank": {"null" if rank is None else rank}}}'


SCORED, PLUGIN_ERROR, FAILED = '"scored"', '"plugin_error"', '"failed"'
