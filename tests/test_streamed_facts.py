"""The cohort step of a streamed run reads an organisation's facts a section
at a time (fivestar.streamed.SectionFacts): every way of reading them gives
what the dict gave, and a hook that reads one section unpacks that one."""

from __future__ import annotations

import collections
import copy
import itertools
import pickle
from pathlib import Path
from typing import Any

import fivestar.pipeline
import fivestar.streamed
import pytest
from fivestar import Cohort, RunContext, hookimpl
from fivestar.config import load_config
from fivestar.model import Organisation, Problem
from fivestar.pipeline import load_organisation, prepare, run_cohort
from fivestar.streamed import CHUNK, CHUNKS_PER_WORKER, MIN_CHUNK, Packer, SectionFacts, chunk_bounds, chunk_size
from fivestar.workers import DEPTH


@pytest.fixture
def packed(sample_config: Path) -> tuple[Packer, Organisation, bytes]:
    """The packer of the 2020 sample's registry, the sample's first organisation, and it packed."""
    config = load_config(sample_config)
    pm, context = prepare(config)
    organisation = load_organisation(config.organisation_files()[0], pm, context)
    packer = Packer(context.registry)
    return packer, organisation, packer.pack(organisation)


def bulky_part(packer: Packer, blob: bytes) -> bytes:
    """The pickle of a packed organisation's problems, sources, derived facts and extras."""
    _flags, _counts, ends = packer._layout(blob)
    return blob[ends[1] : ends[2]]


def unpacked_sections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sections unpacked one at a time from now on, in order."""
    seen: list[str] = []
    section = Packer._section

    def watched(packer: Packer, facts: tuple[bytes, ...], name: str) -> dict[str, Any]:
        table = section(packer, facts, name)
        seen.append(name)
        return table

    monkeypatch.setattr(Packer, "_section", watched)
    return seen


def glanced_facts(packer: Packer, blob: bytes, path: Path) -> Any:
    facts = packer.glance(blob, path, by_section=True).facts
    assert isinstance(facts, SectionFacts)
    return facts


def test_reading_section_facts_gives_what_the_dict_gave(
    packed: tuple[Packer, Organisation, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    packer, organisation, blob = packed
    expected = organisation.facts
    assert list(expected) == list(packer.sections)
    seen = unpacked_sections(monkeypatch)
    facts = glanced_facts(packer, blob, organisation.path)

    assert facts["performance"] == expected["performance"]
    assert facts["performance"] is facts["performance"]
    assert facts.get("performance", {}).get("conduct_rating") == expected["performance"]["conduct_rating"]
    assert seen == ["performance"]
    assert "learning" in facts and "nothing" not in facts and 3 not in facts
    assert facts.get("nothing") is None and facts.get("nothing", {}) == {}
    with pytest.raises(KeyError, match="nothing"):
        facts["nothing"]
    assert len(facts) == len(expected)
    assert list(facts) == list(expected) == list(facts.keys())
    assert list(reversed(facts)) == list(reversed(expected))
    assert seen == ["performance"]

    assert list(facts.items()) == list(expected.items())
    assert list(facts.values()) == list(expected.values())
    assert facts.keys() == expected.keys()
    assert facts == expected and expected == facts
    assert facts != {**expected, "learning": {}} and {**expected, "learning": {}} != facts
    assert dict(facts) == expected
    assert facts.copy() == expected and type(facts.copy()) is dict
    assert facts | {"x": {}} == {**expected, "x": {}}
    assert {"x": {}} | facts == {"x": {}, **expected}
    assert repr(facts) == repr(expected)
    assert pickle.loads(pickle.dumps(facts)) == expected
    assert copy.deepcopy(facts) == expected and type(copy.deepcopy(facts)) is dict
    assert sorted(seen) == sorted(packer.sections), "each section unpacked once"


def test_a_change_to_section_facts_is_made_to_the_whole_dict(packed: tuple[Packer, Organisation, bytes]) -> None:
    """A cohort hook has no business changing facts; if it does, it behaves
    as it did when the facts were a dict."""
    packer, organisation, blob = packed
    expected = copy.deepcopy(organisation.facts)
    facts = glanced_facts(packer, blob, organisation.path)
    performance = facts["performance"]
    facts["extra"] = {"a": 1}
    assert facts["performance"] is performance
    assert list(facts) == [*expected, "extra"] and len(facts) == len(expected) + 1 and "extra" in facts
    del facts["bonus"]
    assert "bonus" not in facts
    with pytest.raises(KeyError):
        facts["bonus"]
    assert facts.setdefault("more", {}) == {} and facts.pop("more") == {}
    expected["extra"] = {"a": 1}
    del expected["bonus"]
    assert facts == expected and list(facts) == list(expected)


def test_a_glanced_organisation_packed_again_keeps_what_was_read_and_changed(
    packed: tuple[Packer, Organisation, bytes],
) -> None:
    packer, organisation, blob = packed
    untouched = packer.glance(blob, organisation.path, by_section=True)
    assert packer.unpack(packer.pack(untouched), organisation.path).facts == organisation.facts

    glanced = packer.glance(blob, organisation.path, by_section=True)
    glanced.facts["learning"]["quarterly_reports"] = 99
    again = packer.unpack(packer.pack(glanced), organisation.path)
    assert type(glanced.facts) is dict
    assert again.facts["learning"]["quarterly_reports"] == 99
    assert {**again.facts, "learning": {}} == {**organisation.facts, "learning": {}}

    plain = packer.glance(blob, organisation.path)
    assert type(plain.facts) is dict and plain.facts == organisation.facts


def test_facts_not_of_the_registry_are_packed_whole_and_read_as_a_dict(
    packed: tuple[Packer, Organisation, bytes],
) -> None:
    packer, organisation, _blob = packed
    organisation.facts["extra"] = {"a": 1}
    glanced = packer.glance(packer.pack(organisation), organisation.path, by_section=True)
    assert type(glanced.facts) is dict and glanced.facts == organisation.facts


def problems_and_sources(organisation: Organisation) -> tuple[list[tuple[type, dict[str, Any]]], dict[str, str]]:
    return [(type(problem), vars(problem)) for problem in organisation.problems], organisation.sources


def test_problems_and_sources_are_packed_as_bare_values_and_unpacked_as_they_were(
    packed: tuple[Packer, Organisation, bytes],
) -> None:
    packer, organisation, _blob = packed
    elsewhere = Problem.warning("reviews.toml", "organisations", "x", expected="a finding", found="nothing")
    organisation.problems = [
        Problem.warning(str(organisation.path), "bonus", "showcase", expected="a list", found="3").at_line(7),
        elsewhere,
        Problem.error(str(organisation.path), message="问题", found="\u5b66"),
    ]
    keys = list(organisation.sources)
    organisation.sources = {key: "evidence" for key in keys} | {keys[0]: "default", keys[-1]: "office records"}
    expected = problems_and_sources(organisation)

    blob = packer.pack(organisation)
    plain = bulky_part(packer, blob)
    assert type(pickle.loads(plain)) is tuple
    assert plain.count(str(organisation.path).encode()) == 0
    again = packer.unpack(blob, organisation.path)
    assert problems_and_sources(again) == expected
    assert list(again.sources) == keys and again.problems[1].file == "reviews.toml"
    assert str(again.problems[0]) == str(organisation.problems[0])
    glanced = packer.glance(blob, organisation.path)
    assert problems_and_sources(glanced) == expected


class PluginProblem(Problem):
    """A plugin's own kind of problem."""


class PluginProblems(list[Problem]):
    """A plugin's own list of problems."""


@pytest.mark.parametrize("change", ["subclass", "attribute", "sources", "tuple", "list", "no file", "mapping"])
def test_problems_or_sources_of_another_shape_are_packed_as_they_are(
    packed: tuple[Packer, Organisation, bytes], change: str
) -> None:
    packer, organisation, _blob = packed
    problem = Problem.warning(str(organisation.path), "learning", "x", expected="a flag", found="nothing")
    if change == "subclass":
        problem = PluginProblem(*(getattr(problem, name) for name in fivestar.streamed.PROBLEM_FIELDS))
    elif change == "attribute":
        object.__setattr__(problem, "hint", "看这里")
    elif change == "no file":
        object.__setattr__(problem, "file", None)
    elif change == "sources":
        organisation.sources = {"learning.extra": "evidence", **organisation.sources}
    elif change == "mapping":
        organisation.sources = collections.OrderedDict(organisation.sources)
    organisation.problems = {"tuple": tuple, "list": PluginProblems}.get(change, list)([problem])
    expected = problems_and_sources(organisation)

    blob = packer.pack(organisation)
    assert type(pickle.loads(bulky_part(packer, blob))) is dict
    again = packer.unpack(blob, organisation.path)
    assert problems_and_sources(again) == expected
    assert type(again.problems) is type(organisation.problems)
    assert type(again.sources) is type(organisation.sources)


class ReadsLearning:
    """A cohort hook that reads one fact of the learning section of every organisation."""

    name = "reads_learning"

    def __init__(self) -> None:
        self.kinds: set[type] = set()

    @hookimpl
    def assess_cohort(self, cohort: Cohort, context: RunContext) -> dict[str, Any]:
        held = 0
        for organisation in cohort.organisations:
            self.kinds.add(type(organisation.facts))
            held += organisation.facts["learning"].get("quarterly_reports") or 0
        return {"reads_learning.held": held}


@pytest.mark.parametrize("kept_for_cohort", [5_000, 0])
def test_the_cohort_step_of_a_streamed_run_unpacks_only_the_sections_its_hooks_read(
    generate: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept_for_cohort: int
) -> None:
    """Each section is unpacked once an organisation, whether the
    organisations are kept for every hook's pass or (above
    KEPT_FOR_COHORT) unpacked again for each."""
    config = load_config(generate.write_cohort(12, tmp_path, seed=3))
    files = config.organisation_files()

    def cohort_figures(streamed: bool) -> tuple[dict[str, Any], ReadsLearning]:
        monkeypatch.setattr(fivestar.pipeline, "STREAM_FROM", 1 if streamed else 10**9)
        monkeypatch.setattr(fivestar.streamed, "KEPT_FOR_COHORT", kept_for_cohort)
        hook = ReadsLearning()
        pm, context = prepare(config, plugins=(hook,))
        run_cohort(files, pm, context, jobs=1)
        return context.cohort, hook

    expected, in_memory = cohort_figures(streamed=False)
    assert in_memory.kinds == {dict}
    seen = unpacked_sections(monkeypatch)
    figures, hook = cohort_figures(streamed=True)
    assert hook.kinds == {SectionFacts}
    assert figures == expected and figures["reads_learning.held"] > 0
    assert sorted(set(seen)) == ["learning", "performance"]
    assert seen.count("learning") == seen.count("performance") == len(files)


def test_chunks_are_balanced_over_the_workers_within_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    assert chunk_size(2_000, 1) == CHUNK, "one process: the largest chunks"
    assert chunk_size(100_000, 2) == CHUNK, "a large cohort: as many spill files as before"
    for count, jobs in [(2_000, 2), (5_000, 4), (1_000, 2)]:
        size = chunk_size(count, jobs)
        assert MIN_CHUNK <= size < CHUNK
        assert -(-count // size) >= jobs * CHUNKS_PER_WORKER
    assert chunk_size(10, 2) == MIN_CHUNK
    monkeypatch.setattr(fivestar.streamed, "CHUNK", 7)
    assert chunk_size(60, 2) == chunk_size(60, 1) == 7


@pytest.mark.parametrize(
    ("count", "jobs"), [(2_000, 2), (100_000, 2), (999, 3), (200, 2), (201, 2), (10, 2), (2_000, 1), (1, 2)]
)
def test_the_chunks_cover_the_cohort_and_the_last_are_a_quarter(count: int, jobs: int) -> None:
    bounds = chunk_bounds(count, jobs)
    assert bounds[0][0] == 0 and bounds[-1][1] == count
    assert all(end == next_start for (_start, end), (next_start, _end) in itertools.pairwise(bounds))
    size = chunk_size(count, jobs)
    sizes = [end - start for start, end in bounds]
    assert all(0 < each <= size for each in sizes)
    if jobs == 1:
        assert sizes[:-1] == [size] * (len(sizes) - 1)
        return
    small = -(-size // 4)
    whole = [each for each in itertools.takewhile(lambda each: each == size, sizes)] if size > small else []
    rest = sizes[len(whole) :]
    assert all(each == small for each in rest[:-1]) and rest[-1] <= small, "after the whole chunks, small ones"
    assert sum(rest) >= min(count, DEPTH * jobs * size), "the last chunks' worth of each worker is in small chunks"
    assert sum(rest) < DEPTH * jobs * size + size, "no more small chunks than that"


def test_sources_round_trip_each_set_remembered_once(packed: tuple[Packer, Organisation, bytes]) -> None:
    """Organisations with the same facts' sources share one packed and one
    restored form; another set of sources, or a source that is not a text
    (a plugin's), still comes back as it was."""
    packer, organisation, blob = packed
    path = organisation.path
    same = packer.unpack(packer.pack(packer.unpack(blob, path)), path)
    assert same.sources == organisation.sources
    assert len(packer.packed_sources) == 1 and len(packer.restored_sources) == 1
    first_key = next(iter(organisation.sources))
    other = packer.unpack(blob, path)
    other.sources[first_key] = "office records (reviews.toml)"
    assert packer.unpack(packer.pack(other), path).sources == other.sources
    assert len(packer.packed_sources) == 2
    odd = packer.unpack(blob, path)
    odd.sources[first_key] = ["not", "a", "text"]
    assert packer.unpack(packer.pack(odd), path).sources == odd.sources
    assert len(packer.packed_sources) == 2


def test_a_glanced_organisation_unpacks_its_name_and_decisions_when_read(
    packed: tuple[Packer, Organisation, bytes],
) -> None:
    """A glance unpickles nothing but on demand: what is read is what was packed,
    an attribute set before they were unpacked stays as set, and packed
    again it is kept."""
    packer, organisation, blob = packed
    glanced = packer.glance(blob, organisation.path, by_section=True)
    assert "_state" in vars(glanced)
    assert glanced.id == organisation.id
    glanced.name = "改名后的单位"
    assert glanced.unverified == organisation.unverified
    assert glanced.decision_counts() == organisation.decision_counts()
    assert "_state" not in vars(glanced)
    assert glanced.name == "改名后的单位" and glanced.sha256 == organisation.sha256
    again = packer.unpack(packer.pack(glanced), organisation.path)
    assert again.name == "改名后的单位"
    assert {**vars(again), "name": organisation.name} == vars(packer.unpack(blob, organisation.path))
    assert again.valid is organisation.valid


def test_the_run_s_summary_reads_the_decision_counts_without_unpacking(
    packed: tuple[Packer, Organisation, bytes],
) -> None:
    """The counts the run's summary adds up (conflicts, unverified claims,
    findings standing, appeals upheld) are in the packed header: read
    without unpickling the decisions, and once these are read (and changed),
    counted from them."""
    packer, organisation, _blob = packed
    organisation.unverified = {"performance.conduct_rating": "accept", "bonus.showcase": "ignore"}
    blob = packer.pack(organisation)
    glanced = packer.glance(blob, organisation.path, by_section=True)
    assert glanced.decision_counts() == organisation.decision_counts() == (0, 2, 0, 0)
    assert "_state" in vars(glanced)
    glanced.unverified["learning.extra"] = "accept"
    assert "_state" not in vars(glanced)
    assert glanced.decision_counts()[1] == organisation.decision_counts()[1] + 1


def test_a_glanced_organisation_counts_the_decisions_a_hook_set_before_reading_them(
    packed: tuple[Packer, Organisation, bytes],
) -> None:
    """A cohort hook that assigns a decision list (not reading the packed
    state first) changes the counts the run's summary adds up: the header's
    counts are those of the organisation as packed, not as it now is."""
    packer, organisation, blob = packed
    glanced = packer.glance(blob, organisation.path, by_section=True)
    glanced.unverified = {"learning.study_hours": "accept", "learning.xuexi_promoted": "accept"}
    unpacked = packer.unpack(blob, organisation.path)
    unpacked.unverified = dict(glanced.unverified)
    assert glanced.decision_counts() == unpacked.decision_counts()


def test_an_attribute_deleted_from_a_glanced_organisation_stays_deleted(
    packed: tuple[Packer, Organisation, bytes],
) -> None:
    packer, organisation, blob = packed
    unpacked = packer.unpack(blob, organisation.path)
    del unpacked.name
    glanced = packer.glance(blob, organisation.path, by_section=True)
    del glanced.name
    assert hasattr(glanced, "name") is hasattr(unpacked, "name") is False
