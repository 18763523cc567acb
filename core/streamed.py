"""A large cohort on every core, in bounded memory.

:func:`fivestar.pipeline.run_cohort` keeps every organisation and ledger of
a cohort in memory; at 100,000 organisations that is gigabytes. From
:data:`fivestar.pipeline.STREAM_FROM` files on, a run goes this way instead:

1. *read*: worker processes (:class:`fivestar.workers.Workers`, forked
   once for the whole run) read and check the files a chunk at a time, keep
   the organisations they read, and send back each one packed into a few
   hundred bytes (:class:`Packer`), never a pickled object graph;
2. *cohort*: this process computes the cohort's figures, unpacking each
   valid organisation as the ``assess_cohort`` hooks iterate over them, and
   of its facts only the sections a hook reads (:class:`SectionFacts`); the
   figures are sent to the workers (or, where they cannot be pickled, a
   hook changed the run's context otherwise, or a plugin not built in has
   a cohort hook, which may keep what it computed in its own module, the
   workers are forked again and inherit them);
3. *score and write*: each worker scores the chunks it read, from the
   organisations it kept (a chunk this process changed since, or one an idle
   worker takes over, is sent packed), and writes each one's part of the
   outputs that can be written organisation by organisation (a renderer's
   ``pieces``, e.g. the JSON result) into a spill file, sending back only
   (index, total) pairs;
4. the ranking is made from those pairs, and the renderers stream the
   spilled pieces in order with each organisation's rank.

Every step is the one :mod:`fivestar.pipeline` runs (the same functions);
only where the objects live changes, so the output has the same bytes
whatever the size of the cohort and the number of processes (tests compare
them). With ``jobs`` = 1, or where fork is not available, the same steps
run in this process.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import itertools
import mmap
import os
import pickle
import queue
import shutil
import struct
import sys
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from typing import Any

from fivestar.context import RunContext
from fivestar.faults import PLUGIN_FAULT
from fivestar.leftovers import new_spill_folder
from fivestar.logs import get_logger
from fivestar.manager import PluginManager
from fivestar.model import Cohort, InputError, Ledger, Organisation, Problem
from fivestar.pipeline import (
    RunResult,
    can_fork,
    cohort_figures_of,
    combine_facts_summaries,
    facts_summary_of,
    load_organisation,
    mark_duplicates,
    score,
    score_or_fail,
)
from fivestar.registry import Registry
from fivestar.workers import DEPTH, Prepare, WorkerDied, Workers

log = get_logger(__name__)

CHUNK = 250
"""The most organisations a worker scores and writes at a time (one spill
file each): a worker holds a chunk's pieces until the chunk is written
(some 25 kB an organisation for the JSON), so this bounds its memory."""

CHUNKS_PER_WORKER = 16
"""Chunks each worker gets, at least, where the cohort is small enough that
:data:`CHUNK` would make fewer. The workers take the chunks as they finish
the last, so the phase ends up to one chunk after the first worker runs out
of work: with 250 organisations a chunk, 2,000 organisations were 8 chunks
over 2 workers, and one worker sat idle for up to 12 % of the score phase
(median 4 %); 16 chunks a worker, 63 organisations each, keep it within 4 %
(median 2 %), and the phase took 0.94× the time (medians of 15 rounds:
``python benchmarks/bench_score_phase.py --per-worker 4 8 16 --rounds 15``).
Chunks are never smaller than :data:`MIN_CHUNK`; a large cohort keeps
chunks of :data:`CHUNK` (100,000 organisations: 400 chunks, 200 a worker,
one spill file each an output, as before)."""

WRITERS_REMADE_AFTER = 2_000
"""Organisations a process writes with the same pieces functions before it
makes them again (:meth:`_Stream.pieces_for`). A writer remembers texts that
recur (an item's common lines, numbers); what it remembers grows with the
organisations it writes, some 0.6 MB a thousand for the JSON after the
first. Made again every 250 organisations, its texts were rendered again
as often: the JSON took 138 µs an organisation against 128 when made once
for 2,000."""

MIN_CHUNK = 25
"""The fewest organisations a chunk holds (unless :data:`CHUNK` is lower):
each chunk costs a spill file for each output and a message each way."""

PROBLEM_FIELDS = tuple(field.name for field in fields(Problem))
"""A problem's fields, in the order :meth:`Packer.pack` writes their values."""
PROBLEM_KEYS = dict.fromkeys(PROBLEM_FIELDS).keys()
PROBLEM_FILE = PROBLEM_FIELDS.index("file")

KEPT_WHOLE_UP_TO = 20_000
"""The organisations a process keeps as it read them, to score them itself
(some 9 kB each: 180 MB); the chunks it reads beyond these it keeps packed
(some 1.2 kB each) and unpacks each
organisation as it scores it. A kept organisation is scored without being
unpacked (some 30 µs, and the memory it takes). Each worker of a run of
100,000 with both cores peaks at 313 MB, the run takes 25.9–26.2 s
against 27.4–27.6 s keeping 10,000 (30,000: 400 MB, 26.4 s, no faster).
A run in one process, which holds the whole cohort
packed besides, keeps them only where the cohort has no more than this
many: 100,000 organisations with ``--jobs 1`` peaked at 371 MB keeping
10,000, 337 MB before."""

KEPT_FOR_COHORT = 5_000
"""Up to this many valid organisations, each is glanced at once for the
cohort step and kept, with what its hooks read of it, while they go over
the cohort (each hook goes over it once: three times for the 2020
edition); above, every pass glances at them again, in bounded memory.
Kept as glanced (each part unpacked when a hook first reads it), the
cohort step of 2,000 took 12.8–16.4 ms, against 24.6–27.1 ms with each
organisation's name, decisions and the like unpacked when glanced at and
15.5–16.4 ms glanced at again for each hook (main process's clock, four
and two runs)."""

Pieces = Callable[[Organisation, Ledger | None], str | bytes]
"""One organisation's part of an output (without its rank), as text (written as UTF-8) or bytes."""

PieceMaker = Callable[[PluginManager, RunContext], Pieces]
"""Makes a run's :data:`Pieces` function (in each worker)."""

Progress = Callable[[str, int, int], None]

PackedFacts = tuple[bytes, tuple[int, ...], int]
"""An organisation packed, where its parts end and its flags: its facts, read from it."""


SOURCES_REMEMBERED = 1_000
"""The most sets of facts' sources a :class:`Packer` remembers, each way."""

BULKY = ("problems", "sources", "derived", "extras")
"""What an organisation holds that the cohort step and the run's summary do
not read: packed apart, unpacked only when asked for."""


def chunk_size(count: int, jobs: int) -> int:
    """Organisations in each chunk of the score phase for a cohort of
    ``count`` (see :data:`CHUNKS_PER_WORKER`); with one process the chunks
    only bound memory, and the largest cost the least."""
    if jobs <= 1:
        return CHUNK
    return min(CHUNK, max(MIN_CHUNK, -(-count // (jobs * CHUNKS_PER_WORKER))))


def chunk_bounds(count: int, jobs: int) -> list[Bounds]:
    """The chunks of a cohort of ``count`` (see :func:`chunk_size`), the
    last ones (at least :data:`fivestar.workers.DEPTH` chunks' worth for each
    worker) a quarter of the others: a phase ends when the last worker
    finishes, and each worker has up to :data:`fivestar.workers.DEPTH`
    chunks sent to it, which another worker gone idle cannot take."""
    size = chunk_size(count, jobs)
    whole = max(count - DEPTH * jobs * size, 0) // size * size if jobs > 1 else count
    small = max(1, -(-size // 4))
    bounds = [(start, min(start + size, whole)) for start in range(0, whole, size)]
    bounds += [(start, min(start + small, count)) for start in range(whole, count, small)]
    return bounds


def _section_pickle(values: tuple[Any, ...]) -> bytes:
    """A section's values pickled, without the header of its first frame
    (9 bytes of a pickle of some 30-100, kept in memory for every
    organisation of the cohort): frames are optional, the unpickler reads
    a pickle with or without them."""
    data = pickle.dumps(values, pickle.HIGHEST_PROTOCOL)
    return data[:2] + data[11:] if data[2:3] == pickle.FRAME else data


PACKED_PREFIX = struct.Struct("<BH4I")
"""A packed organisation's first bytes: its flags (:data:`PACKED_VALID`,
:data:`PACKED_FACTS_WHOLE`, :data:`PACKED_COUNTS`), how many pickles its
facts are, and its :meth:`~fivestar.model.Organisation.decision_counts`
(the run's summary reads them, every organisation's, in the cohort step)."""
PACKED_VALID = 1
PACKED_FACTS_WHOLE = 2
"""The facts are one pickle of the whole dict (not the registry's sections and facts in its order)."""
PACKED_COUNTS = 4
"""The decision counts are in the header (not where a plugin made them other than counts)."""


@functools.lru_cache(maxsize=16)
def packed_ends(parts: int) -> struct.Struct:
    """Where a packed organisation's id, state, bulky parts and each facts
    pickle end (offsets from its start), after :data:`PACKED_PREFIX`."""
    return struct.Struct(f"<{3 + parts}I")


class Packer:
    """An organisation to compact bytes and back.

    The facts, the bulk of an organisation, are packed as bare values in the
    registry's order of facts (the names are the registry's), each section's
    pickled apart (the cohort step unpacks only the sections its hooks read:
    :class:`SectionFacts`), and their sources as bare values too; whatever else the organisation holds is pickled as it
    is, so that an attribute another part of the engine adds is kept too.
    The raw evidence is not kept (it is let go after validation anyway), nor
    the path (the run has the list of files).

    An organisation's problems and its facts' sources, most of what it holds
    besides its facts, are packed as bare values too (:meth:`_bulky`): a
    problem as its fields' values, its file left out where it is the
    organisation's own; the sources as the one most of them share and the
    others by position. Some 400 bytes an organisation of the generated
    cohort where they were 770 pickled as they are, and 420 compressed with
    zlib's fastest level, which a cohort of 50,000 or more paid some 20 µs
    an organisation to pack and unpack.

    The parts lie one after another behind a header that says where each
    ends (:data:`PACKED_PREFIX`, :func:`packed_ends`), not in one pickle:
    a glance (:meth:`glance`) reads the header and the id and unpickles
    nothing until an attribute is read, so that each of the cohort step's
    hooks, which read one thing each (the decisions, one section's facts,
    the id), pays for that alone. The cohort step of 100,000 organisations
    took 1.3–1.4 s with one pickle, every part unpickled for each hook."""

    def __init__(self, registry: Registry) -> None:
        self.tables = [(section, tuple(types)) for section, types in registry.schema.items()]
        self.sections = tuple(section for section, _names in self.tables)
        self.positions = {section: (position, names) for position, (section, names) in enumerate(self.tables)}
        keys = registry.fact_keys
        self.source_keys = tuple(keys[section][name] for section, names in self.tables for name in names)
        apart = {"raw", "path", "id", "facts", *BULKY}
        self.state_names = tuple(field.name for field in fields(Organisation) if field.name not in apart)
        self.packed_sources: dict[tuple[Any, ...], tuple[Any, tuple[tuple[int, Any], ...]]] = {}
        self.restored_sources: dict[tuple[Any, tuple[tuple[int, Any], ...]], tuple[Any, ...]] = {}
        """The sources of each set of facts' sources met, packed and restored:
        a cohort's organisations have few (the facts each leaves out)."""

    def pack(self, organisation: Organisation) -> bytes:
        """The organisation packed; InputError (the plugin's fault) if a
        plugin put into it a value that cannot be pickled."""
        try:
            return self._pack(organisation)
        except (pickle.PicklingError, TypeError, AttributeError) as error:
            raise InputError([_not_packed(organisation, error)]) from None

    def _pack(self, organisation: Organisation) -> bytes:
        if isinstance(organisation, _Glanced):
            organisation.restore()
            organisation.realise_facts()
        state = dict(vars(organisation))
        for name in ("raw", "path", "id", "facts"):
            state.pop(name, None)
        bulky = {name: state.pop(name) for name in BULKY if name in state}
        facts = organisation.facts
        if tuple(facts) == self.sections and all(tuple(facts[section]) == names for section, names in self.tables):
            packed_facts: Any = tuple([_section_pickle(tuple(facts[section].values())) for section in self.sections])
        else:
            packed_facts = pickle.dumps(facts, pickle.HIGHEST_PROTOCOL)
        rest = pickle.dumps(self._bulky(bulky, str(organisation.path)), pickle.HIGHEST_PROTOCOL)
        kept: Any = state
        if len(state) == len(self.state_names) and all(name in state for name in self.state_names):
            kept = tuple([state[name] for name in self.state_names])
        flags = PACKED_VALID if organisation.valid else 0
        counts = _counts(organisation)
        if counts is None:
            counts = (0, 0, 0, 0)
        else:
            flags |= PACKED_COUNTS
        if type(packed_facts) is not tuple:
            flags |= PACKED_FACTS_WHOLE
            packed_facts = (packed_facts,)
        parts = [organisation.id.encode("utf-8", "surrogatepass"), _section_pickle(kept), rest, *packed_facts]
        ends = packed_ends(len(packed_facts))
        offsets = itertools.accumulate(map(len, parts), initial=PACKED_PREFIX.size + ends.size)
        next(offsets)
        prefix = PACKED_PREFIX.pack(flags, len(packed_facts), *counts)
        return b"".join([prefix, ends.pack(*offsets), *parts])

    def _layout(self, packed: bytes) -> tuple[int, list[int], tuple[int, ...]]:
        """The flags of a packed organisation, its decision counts and where its parts end."""
        flags, parts, *counts = PACKED_PREFIX.unpack_from(packed)
        return flags, counts, packed_ends(parts).unpack_from(packed, PACKED_PREFIX.size)

    @staticmethod
    def _id(packed: bytes, ends: tuple[int, ...]) -> str:
        """A packed organisation's id (its first part, after the header)."""
        return packed[PACKED_PREFIX.size + 4 * len(ends) : ends[0]].decode("utf-8", "surrogatepass")

    def _bulky(self, bulky: dict[str, Any], file: str) -> dict[str, Any] | tuple[Any, ...]:
        """What :meth:`_restore` makes the organisation's :data:`BULKY`
        attributes from: bare values where they are the usual kinds
        (a tuple), else the attributes as they are (a dict)."""
        if tuple(bulky) != BULKY:
            return bulky
        problems, sources, derived, extras = bulky.values()
        if type(problems) is not list or type(sources) is not dict or tuple(sources) != self.source_keys:
            return bulky
        packed_problems = []
        for problem in problems:
            if problem.__class__ is not Problem or (attributes := vars(problem)).keys() != PROBLEM_KEYS:
                return bulky
            values = [attributes[name] for name in PROBLEM_FIELDS]
            if values[PROBLEM_FILE] is None:  # None stands for the organisation's own file
                return bulky
            if values[PROBLEM_FILE] == file:
                values[PROBLEM_FILE] = None
            packed_problems.append(tuple(values))
        values = tuple(sources.values())
        try:
            packed_sources = self.packed_sources.get(values)
        except TypeError:  # a source that is not a text
            return bulky
        if packed_sources is None:
            usual = max(set(values), key=values.count) if values else None
            others = tuple([(position, value) for position, value in enumerate(values) if value != usual])
            packed_sources = (usual, others)
            if len(self.packed_sources) < SOURCES_REMEMBERED:
                self.packed_sources[values] = packed_sources
        return tuple(packed_problems), *packed_sources, derived, extras

    def _state(self, state: Any) -> dict[str, Any]:
        return dict(zip(self.state_names, state, strict=True)) if type(state) is tuple else state

    def glance(self, packed: bytes, path: Path, by_section: bool = False) -> Organisation:
        """The organisation with its id and decision counts; its name,
        decisions and the like are unpacked when one of them is first read,
        its facts when first read (``by_section``: as :class:`SectionFacts`,
        a section when it is read), and its problems, sources, derived
        facts and extras only if something asks for them (the cohort step's
        hooks go over the cohort one after another, and most read little)."""
        flags, counts, ends = self._layout(packed)
        organisation = _Glanced.__new__(_Glanced)
        attributes = vars(organisation)
        attributes["_state"] = (self, packed, ends)
        if flags & PACKED_COUNTS:
            attributes["_counts"] = tuple(counts)
        attributes["id"] = self._id(packed, ends)
        attributes["path"], attributes["raw"] = path, {}
        attributes["_facts"] = (self, (packed, ends, flags), by_section)
        attributes["_rest"] = (self, packed[ends[1] : ends[2]], bool(flags & PACKED_VALID))
        return organisation

    def unpack(self, packed: bytes, path: Path) -> Organisation:
        flags, _counts, ends = self._layout(packed)
        organisation = Organisation.__new__(Organisation)
        attributes = vars(organisation)
        attributes.update(self._state(pickle.loads(packed[ends[0] : ends[1]])))
        attributes["id"] = self._id(packed, ends)
        attributes["path"], attributes["raw"] = path, {}
        attributes["facts"] = self._facts((packed, ends, flags))
        self._restore(organisation, packed[ends[1] : ends[2]])
        return organisation

    def _facts(self, facts: PackedFacts) -> dict[str, dict[str, Any]]:
        packed, ends, flags = facts
        if flags & PACKED_FACTS_WHOLE:
            return pickle.loads(packed[ends[2] : ends[3]])  # type: ignore[no-any-return]
        loads = pickle.loads
        return {
            section: dict(zip(names, loads(packed[start:end]), strict=True))
            for (section, names), start, end in zip(self.tables, ends[2:-1], ends[3:], strict=True)
        }

    def _section(self, facts: PackedFacts, section: str) -> dict[str, Any]:
        """One section of packed facts; KeyError if the registry has no such section."""
        packed, ends, _flags = facts
        position, names = self.positions[section]
        return dict(zip(names, pickle.loads(packed[ends[2 + position] : ends[3 + position]]), strict=True))

    def _restore(self, organisation: Organisation, rest: bytes) -> None:
        bulky = pickle.loads(rest)
        if type(bulky) is dict:
            vars(organisation).update(bulky)
            return
        problems, usual, others, derived, extras = bulky
        file = str(organisation.path)
        restored = []
        for values in problems:
            problem = object.__new__(Problem)
            attributes = vars(problem)
            attributes.update(zip(PROBLEM_FIELDS, values, strict=True))
            if values[PROBLEM_FILE] is None:
                attributes["file"] = file
            restored.append(problem)
        values = self.restored_sources.get((usual, others))
        if values is None:
            restoring = [usual] * len(self.source_keys)
            for position, value in others:
                restoring[position] = value
            values = tuple(restoring)
            if len(self.restored_sources) < SOURCES_REMEMBERED:
                self.restored_sources[usual, others] = values
        vars(organisation).update(
            problems=restored, sources=dict(zip(self.source_keys, values, strict=True)), derived=derived, extras=extras
        )


class SectionFacts(MutableMapping[str, dict[str, Any]]):
    """An organisation's facts as the cohort step reads them: a section's
    values are unpickled and its dict built when that section is first read,
    so that a hook that reads one section (the performance plugin reads
    ``facts["performance"]``) pays for that one, not for all seven.

    Reading gives what the dict of every section would give (``[]``,
    ``get``, ``in``, iteration in the registry's order, ``len``, ``items``,
    ``==``, ``copy``, ``|``, pickling and copying give a dict). An
    ``assess_cohort`` hook returns figures and has no business changing an
    organisation; if one does, the whole dict is built first and the change
    made to it, as it was when the facts were a dict (and, as then, it
    reaches no score: the organisation scored is unpacked again)."""

    __slots__ = ("_built", "_packed", "_packer")

    def __init__(self, packer: Packer, packed: PackedFacts) -> None:
        self._packer: Packer = packer
        self._packed: PackedFacts | None = packed
        self._built: dict[str, dict[str, Any]] = {}

    def __getitem__(self, section: str) -> dict[str, Any]:
        built = self._built
        if section in built or self._packed is None:
            return built[section]
        table = built[section] = self._packer._section(self._packed, section)
        return table

    def __contains__(self, section: object) -> bool:
        return section in self._built if self._packed is None else section in self._packer.positions

    def __iter__(self) -> Iterator[str]:
        return iter(self._built if self._packed is None else self._packer.sections)

    def __len__(self) -> int:
        return len(self._built if self._packed is None else self._packer.sections)

    def realised(self) -> dict[str, dict[str, Any]]:
        """Every section as a dict (the sections read so far are the same
        dicts), the order the registry's; from now on this mapping stands
        for that dict."""
        if self._packed is not None:
            self._built = {section: self[section] for section in self._packer.sections}
            self._packed = None
        return self._built

    def __setitem__(self, section: str, table: dict[str, Any]) -> None:
        self.realised()[section] = table

    def __delitem__(self, section: str) -> None:
        del self.realised()[section]

    def copy(self) -> dict[str, dict[str, Any]]:
        return dict(self.items())

    def __or__(self, other: Any) -> Any:
        return self.copy() | other if isinstance(other, Mapping) else NotImplemented

    def __ror__(self, other: Any) -> Any:
        return dict(other) | self.copy() if isinstance(other, Mapping) else NotImplemented

    def __reduce__(self) -> tuple[Any, ...]:
        return dict, (self.copy(),)

    def __reversed__(self) -> Iterator[str]:
        return reversed(tuple(self))

    def __repr__(self) -> str:
        return repr(self.copy())


DECISION_NAMES = ("conflicts", "unverified", "findings", "appeals")
"""What :meth:`~fivestar.model.Organisation.decision_counts` counts: one
of them set on a glanced organisation (by a hook) makes the header's counts stale."""


class _Glanced(Organisation):
    """An organisation whose parts are unpacked when first asked for: its
    name, decisions and the like, its facts, and its problems, sources,
    derived facts and extras (whether it is valid is known before)."""

    _state: tuple[Packer, bytes, tuple[int, ...]]
    _rest: tuple[Packer, bytes, bool]
    _facts: tuple[Packer, PackedFacts, bool]

    def decision_counts(self) -> tuple[int, int, int, int]:
        attributes = vars(self)
        if "_state" in attributes and "_counts" in attributes and attributes.keys().isdisjoint(DECISION_NAMES):
            return attributes["_counts"]  # type: ignore[no-any-return]
        return super().decision_counts()

    def __delattr__(self, name: str) -> None:
        if name not in vars(self):
            self.realise_state()  # else the packed value would come back when next read
        super().__delattr__(name)

    def realise_state(self) -> None:
        """Its attributes but the facts and the bulky parts, as packed (those set since it was glanced at kept)."""
        attributes = vars(self)
        attributes.pop("_counts", None)
        state = attributes.pop("_state", None)
        if state is not None:
            packer, packed, ends = state
            values = packer._state(pickle.loads(packed[ends[0] : ends[1]]))
            for name in values.keys() & attributes.keys():
                del values[name]
            attributes.update(values)

    def restore(self) -> None:
        self.realise_state()
        rest = vars(self).pop("_rest", None)
        if rest is not None:
            rest[0]._restore(self, rest[1])

    def realise_facts(self) -> None:
        """The facts as a dict of every section (as :meth:`Packer.pack` and the renderers want them)."""
        packed = vars(self).pop("_facts", None)
        if packed is not None:
            self.facts = packed[0]._facts(packed[1])
        elif isinstance(self.facts, SectionFacts):
            self.facts = self.facts.realised()

    def __getattr__(self, name: str) -> Any:
        attributes = vars(self)
        if name == "facts" and "_facts" in attributes:
            packer, facts, by_section = attributes["_facts"]
            if by_section and not facts[2] & PACKED_FACTS_WHOLE:
                del attributes["_facts"]
                self.facts = SectionFacts(packer, facts)  # type: ignore[assignment]
            else:
                self.realise_facts()
            return self.facts
        if "_state" in attributes:
            self.realise_state()
            return getattr(self, name)
        if "_rest" not in attributes:
            raise AttributeError(name)
        self.restore()
        return getattr(self, name)

    @property
    def valid(self) -> bool:
        rest = vars(self).get("_rest")
        return rest[2] if rest is not None else not self.errors


class PackedOrganisations(Sequence[Organisation]):
    """The organisations of a streamed run, in the files' order, each
    unpacked when it is asked for (its bulky parts only if they are read)
    and let go afterwards."""

    def __init__(
        self,
        packer: Packer,
        packed: list[bytes],
        paths: Sequence[Path],
        indices: Sequence[int] | None = None,
        by_section: bool = False,
    ) -> None:
        self.packer = packer
        self.packed = packed
        self.paths = paths
        self.indices = range(len(packed)) if indices is None else indices
        self.by_section = by_section
        """Whether the facts are unpacked a section at a time (:class:`SectionFacts`: the cohort step)."""

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, position: Any) -> Any:
        if isinstance(position, slice):
            return [self[index] for index in range(len(self.indices))[position]]
        index = self.indices[position]
        return self.packer.glance(self.packed[index], self.paths[index], self.by_section)

    def __iter__(self) -> Iterator[Organisation]:
        glance, packed, paths, by_section = self.packer.glance, self.packed, self.paths, self.by_section
        for index in self.indices:
            yield glance(packed[index], paths[index], by_section)


class ScoredOnDemand(Mapping[str, Ledger]):
    """The ledgers of a streamed run, scored again when one is asked for
    (scoring is deterministic: the same ledger the workers wrote)."""

    def __init__(self, organisations: PackedOrganisations, totals: dict[int, Decimal], ids: list[str]) -> None:
        self.organisations = organisations
        self.pm: PluginManager | None = None
        self.context: RunContext | None = None
        self.index = {ids[index]: index for index in totals}

    def __getitem__(self, org_id: str) -> Ledger:
        assert self.pm is not None and self.context is not None
        index = self.index[org_id]
        return score(self.organisations[index], self.pm, self.context)

    def __iter__(self) -> Iterator[str]:
        return iter(self.index)

    def __len__(self) -> int:
        return len(self.index)


@dataclass
class Spilled:
    """The pieces of one output, written by the workers into spill files
    (one per chunk), in the organisations' order."""

    chunks: list[tuple[Path, list[int]]]
    keys: list[str | None]
    """Each organisation's id if it was scored (its rank is looked up by it), else None."""
    read_once: bool = False
    """Whether :meth:`by_chunk` removes each chunk's file once it has read it:
    set where that read is the last (``assess run`` without ``--save``, whose
    output is the pieces' only reader). The kernel then finds the output's
    pages of memory among those just freed instead of new ones: writing the
    JSON of 100,000 organisations (2.5 GB) took 2.4–2.6 s of which 1.2–1.4 s
    of CPU, against 6.6 s (6.3 s of CPU) with the spill files kept until the
    run ends, whose removal then took 0.75–1.05 s more."""

    def __iter__(self) -> Iterator[bytes]:
        """Each organisation's piece, in order, read a piece at a time (what
        reads the pieces beside a report, as a save does, holds one piece)."""
        for path, lengths in self.chunks:
            with path.open("rb") as stream:
                for length in lengths:
                    yield stream.read(length)

    def by_chunk(self) -> Iterator[tuple[int, bytes, list[int]]]:
        """Each chunk: the position of its first organisation, its bytes, and
        where each organisation's piece begins (and, last, the end); its file
        removed once read where the pieces are :attr:`read_once`, by
        :class:`Remover`."""
        first = 0
        remover = Remover() if self.read_once else None
        read = False
        try:
            for path, lengths in self.chunks:
                data = _mapped(path)
                if remover is not None:
                    remover.remove(path)
                yield first, data, list(itertools.accumulate(lengths, initial=0))
                first += len(lengths)
            read = True
        finally:
            if remover is not None:
                remover.finish(wait=read)

    def piece(self, position: int) -> bytes:
        """The piece of the organisation at ``position`` (for an output in another order)."""
        chunk = bisect.bisect_right(self._firsts, position) - 1
        path, lengths = self.chunks[chunk]
        offsets = self._offsets[chunk]
        within = position - self._firsts[chunk]
        with path.open("rb") as stream:
            return os.pread(stream.fileno(), lengths[within], offsets[within])

    @functools.cached_property
    def _firsts(self) -> list[int]:
        return list(itertools.accumulate((len(lengths) for _path, lengths in self.chunks[:-1]), initial=0))

    @functools.cached_property
    def _offsets(self) -> list[list[int]]:
        return [list(itertools.accumulate(lengths[:-1], initial=0)) for _path, lengths in self.chunks]


class Remover:
    """Spill files removed beside the output's writing, a few chunks after
    they were read (a thread that waits on the system, not on Python).

    A spill file the kernel has already written to the disk (a large run's
    early chunks, once the run's unwritten pages pass a tenth of the memory)
    has its blocks freed when it is removed, and on a file system that
    discards freed blocks (``-o discard``) the removal waits for the disk:
    writing the JSON of 100,000 organisations spent some 1.2 s of its 2.2 s
    waiting so. Removed by this thread, the disk's wait is beside the
    writing; each file is removed :data:`REMOVED_AFTER` chunks after it was
    mapped, by when the output has written its pieces and let go of its
    pages (else the last of its pages would be freed in this process)."""

    def __init__(self) -> None:
        self.pending: deque[Path] = deque()
        self.queue: queue.SimpleQueue[Path | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._work, name="fivestar-spill-remover", daemon=True)
        self.thread.start()

    def remove(self, path: Path) -> None:
        self.pending.append(path)
        if len(self.pending) > REMOVED_AFTER:
            self.queue.put(self.pending.popleft())

    def finish(self, wait: bool = True) -> None:
        """Every file handed to the thread, and with ``wait`` removed when
        this returns. Where the output stopped half-way (an error, an
        interrupt) or Python is ending, it does not wait: the thread goes on
        as long as the process does, and the spill folder is removed at exit
        with what is left in it."""
        while self.pending:
            self.queue.put(self.pending.popleft())
        self.queue.put(None)
        if wait and not sys.is_finalizing():
            self.thread.join()

    def _work(self) -> None:
        while (path := self.queue.get()) is not None:
            with contextlib.suppress(OSError):
                os.unlink(path)


REMOVED_AFTER = 4
"""Chunks of a run's output read after a spill file before :class:`Remover` removes it."""


MAPPED_FLAGS = mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0) if os.name == "posix" else 0
"""A spill file is mapped with its pages mapped at once (Linux), not one
fault a page as the output reads them."""


def _mapped(path: Path) -> bytes | mmap.mmap:
    """A spill file's bytes, mapped where the system lets a mapped file be
    removed (not Windows): the output is written from the file's own pages,
    and this process makes no copy of them."""
    if os.name != "posix":
        return path.read_bytes()
    with path.open("rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        if not size:
            return b""
        try:
            return mmap.mmap(stream.fileno(), size, MAPPED_FLAGS, mmap.PROT_READ)
        except (OSError, ValueError):  # a file system that does not map files
            return stream.read()


@dataclass
class _Stream:
    """What the workers inherit, and what each keeps."""

    pm: PluginManager
    context: RunContext
    packer: Packer
    files: Sequence[Path]
    makers: Mapping[str, PieceMaker]
    spill: Path
    whole_left: int = 0
    """The organisations this process may still keep as read (see :data:`KEPT_WHOLE_UP_TO`)."""
    kept: dict[int, list[Organisation] | list[bytes]] = field(default_factory=dict)
    """The organisations this process read, by the first index of their
    chunk, until it scores them."""
    pieces: dict[str, Pieces] | None = None
    """The makers' pieces functions, in the process that scores, made again
    (:meth:`pieces_for`) once they have written :data:`WRITERS_REMADE_AFTER`
    organisations, so that what they remember stays bounded."""
    written: int = 0
    """Organisations the pieces functions have written."""

    def forget(self) -> None:
        """Let go of the organisations kept and the pieces functions: the
        cohort is scored again (a plugin failed), from the organisations
        sent packed and with the figures computed again."""
        self.kept.clear()
        self.pieces = None

    def pieces_for(self, count: int) -> dict[str, Pieces]:
        """The pieces functions to write ``count`` more organisations with."""
        if self.pieces is None or self.written >= WRITERS_REMADE_AFTER:
            self.pieces = {name: maker(self.pm, self.context) for name, maker in self.makers.items()}
            self.written = 0
        self.written += count
        return self.pieces


_STREAM: _Stream | None = None

Bounds = tuple[int, int]
"""A chunk of the run's files: the first index and the one after the last."""

ScoreTask = tuple[int, int, frozenset[int], list[bytes] | None]
"""A chunk to score: its bounds, the indices of its valid organisations, and
the chunk packed where the process that scores it does not keep it."""


def _serve(kind: str, argument: Any) -> Any:
    """A worker's task (:class:`fivestar.workers.Workers`), or this process's own."""
    assert _STREAM is not None
    if kind == "read":
        return _read(argument)
    if kind == "score":
        return _score(argument)
    if kind == "cohort":
        _STREAM.context.cohort = argument
    elif kind == "forget":
        _STREAM.forget()
    return None


def _read(bounds: Bounds) -> list[tuple[str, str, bool, bytes]]:
    """Read and check a chunk's files, keep them, and send them back packed."""
    assert _STREAM is not None
    stream = _STREAM
    start, end = bounds
    organisations = [load_organisation(stream.files[index], stream.pm, stream.context) for index in range(start, end)]
    rows = [
        (organisation.id, organisation.name, organisation.valid, stream.packer.pack(organisation))
        for organisation in organisations
    ]
    if len(organisations) <= stream.whole_left:
        stream.kept[start] = organisations
        stream.whole_left -= len(organisations)
    else:
        stream.kept[start] = [row[3] for row in rows]
    return rows


Row = tuple[Decimal | None, bytes | None, tuple[list[str], dict[str, int]] | None]
"""A worker's answer for one organisation: its total (None: not scored),
the organisation packed again where scoring failed, and its part of the
run's facts summary (see :func:`fivestar.pipeline.facts_summary_of`)."""


def _score(task: ScoreTask) -> tuple[int, list[Row], dict[str, list[int]]]:
    """Score and write the organisations ``start`` to ``end`` (the valid ones
    are scored), those this process keeps or those the task carries
    packed; returns a :data:`Row` for each."""
    assert _STREAM is not None
    start, end, valid, sent = task
    stream = _STREAM
    kept = stream.kept.pop(start, None)
    organisations: list[Organisation] | list[bytes] = sent if sent is not None else kept  # type: ignore[assignment]
    pieces = stream.pieces_for(end - start)
    written: dict[str, list[bytes]] = {name: [] for name in pieces}
    rows: list[Row] = []
    required = stream.context.registry.required_facts
    suppliers = stream.context.suppliers
    for index, organisation in zip(range(start, end), organisations, strict=True):
        if organisation.__class__ is bytes:
            organisation = stream.packer.unpack(organisation, stream.files[index])  # type: ignore[arg-type]
        ledger = None
        repacked = None
        if index in valid:
            ledger = score_or_fail(organisation, stream.pm, stream.context)  # type: ignore[arg-type]
            if ledger is None:
                repacked = stream.packer.pack(organisation)  # type: ignore[arg-type]
        for name, piece in pieces.items():
            text = piece(organisation, ledger)  # type: ignore[arg-type]
            written[name].append(text if text.__class__ is bytes else text.encode("utf-8"))  # type: ignore[union-attr]
        summary = facts_summary_of(organisation, required, suppliers) if ledger else None  # type: ignore[arg-type]
        rows.append((ledger.total if ledger else None, repacked, summary))
    lengths = {}
    for name, texts in written.items():
        _spill_file(stream.spill, name, start).write_bytes(b"".join(texts))
        lengths[name] = [len(text) for text in texts]
    return start, rows, lengths


def _spill_file(spill: Path, name: str, start: int) -> Path:
    """The spill file of one output's pieces of the chunk that starts at ``start``."""
    return spill / f"{name}-{start:09d}"


def _forks(jobs: int, count: int) -> bool:
    """Whether the run is shared among forked workers (else done in this process)."""
    return jobs > 1 and count > 1 and can_fork()


def _run(
    workers: Workers | None, kind: str, queues: Sequence[Sequence[Any]], prepare: Prepare | None = None
) -> Iterator[tuple[int, Any, Any]]:
    """:meth:`fivestar.workers.Workers.run`, or the tasks done in this process, in order."""
    if workers is not None:
        yield from workers.run(kind, queues, prepare)
        return
    for task in itertools.chain.from_iterable(queues):
        yield 0, task, _serve(kind, prepare(task, 0, False) if prepare else task)


def run_streamed(
    files: Sequence[Path],
    pm: PluginManager,
    context: RunContext,
    makers: Mapping[str, PieceMaker],
    progress: Progress | None = None,
    jobs: int = 1,
) -> RunResult:
    """:func:`fivestar.pipeline.run_cohort` for a large cohort (see the module's text)."""
    global _STREAM
    count = len(files)
    packer = Packer(context.registry)
    spill = new_spill_folder()
    workers: Workers | None = None
    try:
        processes = jobs if _forks(jobs, count) else 1
        # A run in this process holds the whole cohort packed as well: it
        # keeps organisations as read only where the cohort is small.
        budget = KEPT_WHOLE_UP_TO if processes > 1 or count <= KEPT_WHOLE_UP_TO else 0
        stream = _STREAM = _Stream(pm, context, packer, files, makers, spill, whole_left=budget)
        workers = Workers(jobs, _serve) if processes > 1 else None
        chunks = chunk_bounds(count, processes)
        ids: list[str] = [""] * count
        names: list[str] = [""] * count
        valid: list[bool] = [False] * count
        packed: list[bytes] = [b""] * count
        owner: dict[int, int] = {}
        done = 0
        for worker, (start, _end), rows in _run(workers, "read", [chunks]):
            owner[start] = worker
            for index, (org_id, name, ok, blob) in enumerate(rows, start):
                ids[index], names[index], valid[index], packed[index] = org_id, name, ok, blob
            done += len(rows)
            if progress:
                progress("read", done, count)
        naming_nobody = context.office.naming_nobody(ids, names, context.limits)
        if naming_nobody:
            raise InputError(naming_nobody)
        organisations = PackedOrganisations(stream.packer, packed, files)
        stale = _mark_duplicates(organisations, ids, names, valid)
        while True:
            scoring = _Scoring(stream, workers, chunks, owner, stale, packed, valid)
            try:
                totals, pieces, failed, summaries = scoring.run(progress)
            finally:
                workers = scoring.workers  # those forked again are ended too
            if not failed:
                break
            for index, repacked in failed.items():
                packed[index] = repacked
                valid[index] = False
            stale = set(range(count))
            if workers:
                workers.broadcast("forget", None)
            else:
                stream.forget()
        if workers:
            workers.terminate()
        ledgers = ScoredOnDemand(organisations, totals, ids)
        ledgers.pm, ledgers.context = pm, context
        result = RunResult(context, pm, organisations, ledgers)  # type: ignore[arg-type]
        result.totals = {ids[index]: total for index, total in totals.items()}
        keys = [ids[index] if index in totals else None for index in range(count)]
        result.pieces = {name: Spilled(entries, keys) for name, entries in pieces.items()}
        result.failed_indices = [index for index, ok in enumerate(valid) if not ok]
        parts = ((ids[index], *summaries[index]) for index in sorted(summaries))
        vars(result)["facts_summary"] = combine_facts_summaries(parts, context.suppliers)
        weakref.finalize(result, shutil.rmtree, spill, True)
    except BaseException as error:
        # Until the result owns the spill folder, a Ctrl-C or SIGTERM anywhere removes it;
        # the workers are ended first: one still writing would leave the folder behind.
        if workers:
            workers.terminate()
        shutil.rmtree(spill, True)
        if isinstance(error, WorkerDied):
            raise InputError([_worker_died(error)]) from None
        raise
    finally:
        _STREAM = None
    log.info("cohort_scored", organisations=count, scored=len(totals), failed=count - len(totals))
    return result


@dataclass
class _Scoring:
    """One attempt at scoring the cohort: the cohort figures of the valid
    organisations, then every organisation scored and written, each chunk
    by the worker that read it where it keeps it as read. As in memory, if
    any failed, the caller has the figures computed again without them and
    everything scored again."""

    stream: _Stream
    workers: Workers | None
    chunks: list[Bounds]
    owner: dict[int, int]
    """The worker that read each chunk (by its first index)."""
    stale: set[int]
    """Organisations whose kept copy is no longer what the run holds packed
    (marked failed since they were read, or scored once already)."""
    packed: list[bytes]
    valid: list[bool]

    def run(
        self, progress: Progress | None
    ) -> tuple[
        dict[int, Decimal],
        dict[str, list[tuple[Path, list[int]]]],
        dict[int, bytes],
        dict[int, tuple[list[str], dict[str, int]]],
    ]:
        """The totals by index, the spilled pieces, the organisations that
        failed while scored (packed again with their problem), and the
        scored ones' parts of the facts summary."""
        stream, packed, valid = self.stream, self.packed, self.valid
        context = stream.context
        chosen = [index for index, ok in enumerate(valid) if ok]
        cohort = PackedOrganisations(stream.packer, packed, stream.files, chosen, by_section=True)
        before = dict(vars(context))
        context.cohort = cohort_figures(cohort, stream.pm, context)
        if self.workers is not None and not self._figures_sent(before):
            jobs = len(self.workers)
            self.workers.terminate()
            self.workers = Workers(jobs, _serve)
            self.owner = {}
        count = len(packed)
        totals: dict[int, Decimal] = {}
        chunks: dict[str, list[tuple[Path, list[int]]]] = {name: [] for name in stream.makers}
        failed: dict[int, bytes] = {}
        summaries: dict[int, tuple[list[str], dict[str, int]]] = {}
        queues: list[list[Bounds]]
        if self.workers is not None and len(self.owner) == len(self.chunks):
            queues = [
                [bounds for bounds in self.chunks if self.owner[bounds[0]] == worker]
                for worker in range(len(self.workers))
            ]
        else:
            queues = [self.chunks]
        done = 0
        finished = []
        for _worker, _bounds, (start, rows, lengths) in _run(self.workers, "score", queues, self._task):
            for index, (total, repacked, summary) in enumerate(rows, start):
                if total is not None:
                    totals[index] = total
                if repacked is not None:
                    failed[index] = repacked
                if summary is not None:
                    summaries[index] = summary
            finished.append((start, lengths))
            done += len(rows)
            if progress:
                progress("scored", done, count)
        for start, lengths in sorted(finished, key=lambda chunk: chunk[0]):
            for name, sizes in lengths.items():
                chunks[name].append((_spill_file(stream.spill, name, start), sizes))
        return totals, chunks, failed, summaries

    def _figures_sent(self, before: dict[str, Any]) -> bool:
        """Whether the workers now have the cohort figures, sent to them:
        not if the figures cannot be pickled, a hook changed the run's
        context otherwise, or a cohort hook is not the core's or a built-in
        plugin's (then the workers are forked again, with all of it)."""
        assert self.workers is not None
        context = self.stream.context
        if not _cohort_hooks_built_in(self.stream.pm):
            return False
        if any(name != "cohort" and before.get(name, before) is not value for name, value in vars(context).items()):
            return False
        try:
            self.workers.broadcast("cohort", context.cohort)
        except (pickle.PicklingError, TypeError, AttributeError):
            return False
        return True

    def _task(self, bounds: Bounds, worker: int, taken: bool) -> ScoreTask:
        start, end = bounds
        indices = range(start, end)
        fresh = taken or self.owner.get(start) != worker or not self.stale.isdisjoint(indices)
        return (
            start,
            end,
            frozenset(index for index in indices if self.valid[index]),
            self.packed[start:end] if fresh else None,
        )


def _counts(organisation: Organisation) -> tuple[int, int, int, int] | None:
    """An organisation's decision counts, where they are counts that fit the header."""
    try:
        counts = organisation.decision_counts()
    except Exception:  # a plugin made a decision list into something else: counted when glanced at
        return None
    if all(type(count) is int and 0 <= count < 1 << 32 for count in counts) and len(counts) == 4:
        return counts
    return None


def _not_packed(organisation: Organisation, error: BaseException) -> Problem:
    """A value a plugin put into an organisation that cannot be pickled, as
    the plugin's error: a streamed run cannot score it (the same run in
    memory may, where no output needs the value)."""
    shown = f"{type(error).__name__}: {error}"
    log.error("organisation_not_packed", organisation=organisation.id, error=shown)
    return Problem(
        "error",
        str(organisation.path),
        "",
        "",
        "",
        "",
        f"插件错误：插件放入本单位数据的值无法在进程之间传递（{shown}）。这是插件的缺陷，不是本单位证据的问题",
        fault=PLUGIN_FAULT,
    )


def _worker_died(error: WorkerDied) -> Problem:
    """A worker process that ended in the middle of the run stops it, said as an error, not a traceback."""
    return Problem(
        "error",
        "<workers>",
        "",
        "",
        "every worker process to finish its tasks",
        str(error),
        "a worker process ended: a plugin may have ended its process (os._exit), or it was killed",
    )


def _cohort_hooks_built_in(pm: PluginManager) -> bool:
    """Whether every ``assess_cohort`` hook is the core's or a built-in
    plugin's, which give all they computed in their figures. Another
    plugin's hook may also keep it in its module or its plugin object, which
    only the workers forked after the hook ran have."""
    infos = pm.infos
    return all(
        impl.plugin_name in infos and infos[impl.plugin_name].source in ("core", "built-in")
        for impl in pm.hook.assess_cohort.get_hookimpls()
    )


def cohort_figures(organisations: PackedOrganisations, pm: PluginManager, context: RunContext) -> dict[str, Any]:
    """The figures the ``assess_cohort`` hooks compute over these (valid)
    organisations, each glanced at (see :data:`KEPT_FOR_COHORT`)."""
    glanced: Sequence[Organisation] = organisations
    if len(organisations) <= KEPT_FOR_COHORT:
        glanced = list(organisations)
    return cohort_figures_of(Cohort(glanced), pm, context)  # type: ignore[arg-type]


def _mark_duplicates(
    organisations: PackedOrganisations, ids: list[str], names: list[str], valid: list[bool]
) -> set[int]:
    """:func:`fivestar.pipeline.mark_duplicates` on the ids and names; only
    an organisation that is changed is unpacked. Failed ones are logged.
    Returns the indices of those marked failed here (packed again)."""
    changed: set[int] = set()
    seen: dict[str, int] = {}
    repeated = [index for index, org_id in enumerate(ids) if seen.setdefault(org_id, index) != index]
    named: dict[str, list[int]] = {}
    for index, name in enumerate(names):
        if name and seen[ids[index]] == index:
            named.setdefault(name, []).append(index)
    groups = [[seen[ids[index]], index] for index in repeated]
    groups += [same for same in named.values() if len(same) > 1]
    for group in groups:
        unpacked = [organisations[index] for index in group]
        mark_duplicates(unpacked)
        for index, organisation in zip(group, unpacked, strict=True):
            if not organisation.valid:
                organisations.packed[index] = organisations.packer.pack(organisation)
                valid[index] = False
                changed.add(index)
    for index, ok in enumerate(valid):
        if not ok:
            organisation = organisations[index]
            log.warning(
                "organisation_failed",
                organisation=organisation.id,
                file=str(organisation.path),
                errors=len(organisation.errors),
            )
    return changed
