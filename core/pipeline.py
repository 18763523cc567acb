"""Runs one cohort through the steps, in order:
collect → validate → cohort → score → penalise → cap → rate.

An organisation whose evidence fails validation is reported as failed and
left out of the cohort; the others are scored.
"""

from __future__ import annotations

import gc
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from fivestar import signals
from fivestar.config import DEFAULT_EDITION, RunConfig, shown_path
from fivestar.conflicts import Conflict, last_of_chain
from fivestar.context import RunContext
from fivestar.evidence import add_derived, check_year, convert_facts, missing_facts, read_evidence, refuse_review
from fivestar.facts import describe_value
from fivestar.faults import PLUGIN_FAULT, PluginFault, StepFailed, cohort_failure, plugin_failure
from fivestar.limits import capped
from fivestar.logs import get_logger
from fivestar.manager import PluginManager, make_plugin_manager
from fivestar.model import Awards, Cohort, DerivedFact, InputError, Ledger, Organisation, Problem
from fivestar.numbers import ZERO
from fivestar.office import apply_review, load_office
from fivestar.registry import Registry, build_registry
from fivestar.suggest import did_you_mean
from fivestar.tomllines import with_file_lines
from fivestar.workbook_reader import locate

log = get_logger(__name__)

COMMAND_LINE = "<command line> --policy"
"""Where a problem of ``--policy KEY=VALUE`` is said to be."""
HISTORY_STORE = "history store"
"""The supplier of last year's facts (see :attr:`RunContext.suppliers`)."""
OFFICE_RECORDS = "office records"
"""The supplier of the facts the office records (the source texts of
:func:`fivestar.evidence.convert_facts` start with it)."""

PARALLEL_FROM = 200
"""Below this many files, reading in parallel costs more than it saves."""


STREAM_FROM = 1000
"""From this many files on, a run is streamed (see :mod:`fivestar.streamed`)."""

STREAM_PIECES_FROM = PARALLEL_FROM
"""From this many files on, a run with several processes whose every output
is written an organisation at a time (the JSON, the CSV, the history
store's rows: ``pieces_only``) is streamed too: each worker scores and
writes the organisations it read, where a run in memory reads in parallel
but scores and writes in one process. Measured with ``--jobs 2 --format
json`` on generated cohorts (one run each, the same bytes): 999
organisations 0.48 against 0.65 s, 600 0.33 against 0.42 s, 300 0.23
against 0.27 s, 200 the same, 100 0.19–0.21 against 0.16–0.17 s (forking
the workers costs more than they save). A run that also writes the terminal
table, the page or the workbook needs each ledger in this process, which a
streamed run scores again on demand: it stays in memory up to
:data:`STREAM_FROM` (999 organisations, the table: 0.46–0.49 s in memory,
0.53–0.55 s streamed)."""


@dataclass
class RunResult:
    """A scored cohort. ``organisations`` and ``ledgers`` are a list and a
    dict, or, for a streamed run, a sequence and a mapping that unpack and
    score one organisation when it is asked for; ``totals`` then holds the
    scored organisations' totals by id, ``pieces`` the parts of outputs
    written while scoring (by renderer name) and ``failed_indices`` which
    organisations failed."""

    context: RunContext
    plugin_manager: PluginManager
    organisations: Sequence[Organisation]
    ledgers: Mapping[str, Ledger]
    config: RunConfig | None = None
    totals: dict[str, Decimal] | None = None
    pieces: dict[str, Any] = field(default_factory=dict)
    failed_indices: list[int] | None = None

    @property
    def failed(self) -> list[Organisation]:
        if self.failed_indices is not None:
            return [self.organisations[index] for index in self.failed_indices]
        return [organisation for organisation in self.organisations if not organisation.valid]

    def totals_by_id(self) -> dict[str, Decimal]:
        """(id, total) of every scored organisation: all a ranking needs."""
        if self.totals is not None:
            return self.totals
        return {org_id: ledger.total for org_id, ledger in self.ledgers.items()}

    @cached_property
    def facts_summary(self) -> dict[str, Any]:
        """What decided the scored facts besides the evidence, so that nothing
        changes a score silently: the facts nobody gave (scored as their
        default, 0 or no), by organisation, and what each supplier (the
        history store, the office's records) gave, from which file. Read
        once per result, without scoring anything again (a streamed run's
        organisations are unpacked one by one)."""
        required = self.context.registry.required_facts
        suppliers = self.context.suppliers
        scored_ids = self.totals_by_id()
        return combine_facts_summaries(
            (
                (organisation.id, *facts_summary_of(organisation, required, suppliers))
                for organisation in self.organisations
                if organisation.id in scored_ids and organisation.valid
            ),
            suppliers,
        )


def facts_summary_of(
    organisation: Organisation, required: set[str], suppliers: Mapping[str, str]
) -> tuple[list[str], dict[str, int]]:
    """One scored organisation's part of :attr:`RunResult.facts_summary`: its
    missing facts, and how many facts each supplier gave it."""
    by_source = Counter(organisation.sources.values())
    return missing_facts(organisation, required), {
        name: sum(count for source, count in by_source.items() if source.startswith(name)) for name in suppliers
    }


def combine_facts_summaries(
    parts: Iterable[tuple[str, list[str], dict[str, int]]], suppliers: Mapping[str, str]
) -> dict[str, Any]:
    """:attr:`RunResult.facts_summary` from each scored organisation's part, in order."""
    missing: dict[str, list[str]] = {}
    counts = dict.fromkeys(suppliers, 0)
    for org_id, keys, supplied in parts:
        if keys:
            missing[org_id] = keys
        for name, count in supplied.items():
            counts[name] += count
    return {
        "missing": sum(len(keys) for keys in missing.values()),
        "missing_by_organisation": missing,
        "supplied": {name: {"file": file, "facts": counts[name]} for name, file in suppliers.items()},
    }


def parse_policies(
    registry: Registry, values: dict[str, Any], source: str, base: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The policies in force: ``base`` (by default each declared policy's
    default), overridden by ``values`` (the config's ``[policy]`` table, or
    ``--policy`` on the command line), every value checked. A problem names
    ``source`` and the key as ``[policy] KEY``."""
    problems = []
    policies = dict(base) if base is not None else {key: policy.default for key, policy in registry.policies.items()}
    for key, value in values.items():
        policy = registry.policies.get(key)
        if policy is None:
            problems.append(
                Problem(
                    "error",
                    source,
                    "policy",
                    key,
                    "one of " + ", ".join(sorted(registry.policies)),
                    f"unknown policy {key}",
                    f"unknown policy {key}" + did_you_mean(key, registry.policies),
                )
            )
            continue
        try:
            policies[key] = policy.parse(value)
        except (ValueError, TypeError):
            problems.append(Problem("error", source, "policy", key, policy.expected, describe_value(value)))
    if problems:
        raise InputError(problems)
    return policies


def prepare(
    config: RunConfig, plugins: Sequence[object] = (), load_entry_points: bool = True
) -> tuple[PluginManager, RunContext]:
    """The plugin manager and run context for a config; raises InputError
    naming every problem of the config at once (unknown disabled items, an
    unknown edition and bad policies together), so that fixing one never
    only then reveals the next."""
    source = str(config.path)
    pm = make_plugin_manager(
        disable=config.disabled_plugins,
        paths=config.plugin_paths,
        plugins=plugins,
        load_entry_points=load_entry_points,
        config_file=source,
    )
    problems: list[Problem] = []
    try:
        registry = build_registry(pm, config.edition, config.disabled_items, source)
    except InputError as error:
        if any(problem.table != "rules" for problem in error.problems):
            raise
        known = build_registry(pm, config.edition, (), source).items
        registry = build_registry(pm, config.edition, [item for item in config.disabled_items if item in known], source)
        if registry.sections:
            problems += error.problems
    if not registry.sections:
        editions = known_editions(pm)
        problems.append(
            Problem(
                "error",
                source,
                "assessment",
                "edition",
                "an edition some enabled plugin provides: " + (", ".join(editions) or "none is installed"),
                f'"{config.edition}"' + did_you_mean(config.edition, editions),
            )
        )
    policies = {key: policy.default for key, policy in registry.policies.items()}
    for values, where in ((config.policy, source), (config.command_line_policy, COMMAND_LINE)):
        try:
            policies = parse_policies(registry, values, where, base=policies)
        except InputError as error:
            problems += error.problems
    if problems:
        raise InputError(problems)
    context = RunContext(config.year, config.edition, config.award_year, policies, registry)
    context.limits = config.evidence_limits
    context.command_line_policies = tuple(config.command_line_policy)
    records, reviews = config.office_files()
    context.office = load_office(records, reviews, registry, config.limits)
    if records:
        context.suppliers[OFFICE_RECORDS] = ", ".join(str(shown_path(path)) for path in records)
    if records or reviews:
        log.info(
            "office_loaded",
            records=len(records),
            reviews=len(reviews),
            organisations=len(set(context.office.records) | set(context.office.findings)),
        )
    if config.history:
        if config.history_path.exists():  # else there is no year before to read: the store is not imported
            from fivestar.store import HistoryStore

            context.previous = HistoryStore(config.history_path).previous_year(config.year - 1)
        context.suppliers[HISTORY_STORE] = str(shown_path(config.history_path))
    if context.previous:
        log.info(
            "history_loaded",
            store=str(shown_path(config.history_path)),
            year=config.year - 1,
            organisations=len(context.previous),
        )
    return pm, context


def known_editions(pm: PluginManager) -> list[str]:
    """The editions the enabled plugins provide: those declared by
    ``assess_editions``, and each plugin's ``EDITION`` (the convention of
    :func:`fivestar.declare.edition_hooks`) when some plugin declares
    sections for it."""
    names = {DEFAULT_EDITION}
    names.update(edition for plugin in pm.get_plugins() if isinstance(edition := getattr(plugin, "EDITION", None), str))
    declared = {edition.id for answer in pm.hook.assess_editions() for edition in answer or ()}
    return sorted(declared | {name for name in names if any(pm.hook.assess_sections(edition=name))})


def collect(organisation: Organisation, pm: PluginManager, context: RunContext) -> None:
    """The derived facts of every plugin's ``assess_collect``. Two plugins
    deriving the same fact is a plugin error naming both, unless one says
    which it replaces (``DerivedFact(..., replaces="plugin")``)."""
    claims: dict[str, list[tuple[str, DerivedFact]]] = {}
    arguments = {"organisation": organisation, "context": context}
    for impl in pm.hook.assess_collect.get_hookimpls():
        try:
            answer = impl.function(**{name: arguments[name] for name in impl.argnames})
        except Exception as error:
            raise PluginFault(impl.plugin_name, "collect") from error
        for key, fact in (answer or {}).items():
            claims.setdefault(key, []).append((impl.plugin_name, fact))
    derived = {}
    for key, entries in claims.items():
        try:
            winner = last_of_chain("", [(plugin, fact.replaces) for plugin, fact in entries])
        except Conflict as conflict:
            organisation.problems.append(
                Problem(
                    "error",
                    str(organisation.path),
                    key.split(".", 1)[0],
                    key.split(".", 1)[-1],
                    "",
                    "",
                    f"插件错误：事实 {key} 由多个插件推导（{conflict}）；"
                    'one of them must say which it replaces: DerivedFact(..., replaces="<plugin>")',
                    fault=PLUGIN_FAULT,
                )
            )
            continue
        derived[key] = dict(entries)[winner]
    add_derived(organisation, derived)


def load_organisation(path: Path, pm: PluginManager, context: RunContext, content: bytes | None = None) -> Organisation:
    """collect and validate one evidence file (``content``: its bytes, when
    read elsewhere, e.g. from standard input).

    The raw evidence is let go afterwards (only typed facts are scored), so a
    large cohort does not hold every parsed file in memory."""
    registry = context.registry
    organisation = read_evidence(path, content, registry, context.limits)
    if organisation.valid:
        step = "collect"
        try:
            collect(organisation, pm, context)
            office = context.office
            organisation.problems.extend(office.problems_of(organisation))
            convert_facts(organisation, registry, office.records_of(organisation), context.policy("unverified_claims"))
            check_year(organisation, context.year)
            refuse_review(organisation, office.review_files)
            apply_review(organisation, office, registry)
            step = "validate"
            for problems in pm.hook.assess_validate(organisation=organisation, context=context):
                organisation.problems.extend(problems or ())
        except Exception as error:
            organisation.problems.append(plugin_failure(organisation, step, error, pm))
    organisation.problems = capped(organisation.problems, str(path), context.limits)
    if organisation.cells:
        organisation.problems = locate(organisation.problems, organisation.cells, str(path))
    elif organisation.problems:
        locate_problems(organisation, organisation.content or content)
    organisation.raw, organisation.content = {}, b""
    return organisation


def locate_problems(organisation: Organisation, content: bytes | None) -> None:
    """Give each problem of a TOML file (the evidence, the office's records
    and reviews) the line it is about."""
    texts = {str(organisation.path): content.decode("utf-8-sig", errors="replace")} if content is not None else {}
    organisation.problems = with_file_lines(organisation.problems, texts)


def score(organisation: Organisation, pm: PluginManager, context: RunContext) -> Ledger:
    """score → penalise → cap → rate for one organisation of the cohort."""
    ledger = Ledger(organisation)
    step = "score"
    try:
        pm.step("assess_score")(ledger, context)
        step = "penalise"
        pm.step("assess_penalise")(ledger, context)
        step = "cap"
        pm.step("assess_cap")(ledger, context)
        total = ZERO
        for section in ledger.sections.values():
            total += section.score
        ledger.total = total - ledger.heavy_points()
        step = "rate"
        pm.step("assess_rate")(ledger, context)
    except PluginFault:
        raise
    except Exception as error:
        raise StepFailed(step) from error
    return ledger


def score_or_fail(organisation: Organisation, pm: PluginManager, context: RunContext) -> Ledger | None:
    """The organisation's ledger, or None when a plugin failed while scoring
    it (the failure is added to its problems; the cohort goes on)."""
    try:
        return score(organisation, pm, context)
    except StepFailed as failure:
        organisation.problems.append(plugin_failure(organisation, failure.step, failure.__cause__, pm))
    except Exception as error:
        organisation.problems.append(plugin_failure(organisation, "score", error, pm))
    return None


def score_again(before: RunResult, context: RunContext, rescore: set[str], rerate: set[str]) -> RunResult:
    """``before`` under ``context`` with the cohort figures as they were:
    the organisations of ``rescore`` scored again, those of ``rerate`` only
    rated again (their items, sections, heavy deductions and total shared),
    the others' ledgers kept. Right only when what ``context`` changes
    reaches no other organisation and no cohort figure (see :mod:`fivestar.whatif`)."""
    pm = before.plugin_manager
    context.cohort = before.context.cohort
    ledgers: dict[str, Ledger] = {}
    for org_id, ledger in before.ledgers.items():
        if org_id in rescore:
            scored = score_or_fail(ledger.organisation, pm, context)
            if scored is not None:
                ledgers[org_id] = scored
        elif org_id in rerate:
            rated = replace(ledger, awards=Awards())
            try:
                pm.hook.assess_rate(ledger=rated, context=context)
            except Exception as error:
                ledger.organisation.problems.append(plugin_failure(ledger.organisation, "rate", error, pm))
                continue
            ledgers[org_id] = rated
        else:
            ledgers[org_id] = ledger
    return RunResult(context, pm, before.organisations, ledgers, before.config)


def mark_duplicates(organisations: list[Organisation]) -> None:
    """A repeated id fails the later file. A full name under two ids fails
    both: the office's records and reviews may name an organisation by its
    full name, and none may be scored with another one's."""
    seen: dict[str, Organisation] = {}
    for organisation in organisations:
        first = seen.setdefault(organisation.id, organisation)
        if first is not organisation:
            organisation.problems.append(
                Problem(
                    "error",
                    str(organisation.path),
                    "organisation",
                    "id",
                    "an id no other organisation of the run has",
                    f'"{organisation.id}" (also in {first.path})',
                )
            )
    named: dict[str, list[Organisation]] = {}
    for organisation in organisations:
        if organisation.name and seen[organisation.id] is organisation:
            named.setdefault(organisation.name, []).append(organisation)
    for same in named.values():
        for organisation in same if len(same) > 1 else ():
            other = next(each for each in same if each is not organisation)
            organisation.problems.append(
                Problem(
                    "error",
                    str(organisation.path),
                    "organisation",
                    "name",
                    "a full name no other organisation of the run has",
                    f'"{organisation.name}" (also in {other.path})',
                )
            )


_WORKER: tuple[PluginManager, RunContext] | None = None


def _load_in_worker(path: Path) -> Organisation:
    assert _WORKER is not None
    return load_organisation(path, *_WORKER)


def load_cohort(files: Sequence[Path], pm: PluginManager, context: RunContext, jobs: int = 1) -> Iterator[Organisation]:
    """collect and validate every evidence file, in order.

    Reading and checking evidence is most of the time of a large run, and
    each file is independent: with ``jobs`` > 1 the files are read by that
    many forked processes (which inherit the plugins and context; the
    organisations come back in the files' order). Scoring stays in this
    process, where the cohort figures are. Where fork is not available the
    files are read here, one by one.
    """
    global _WORKER
    if jobs <= 1 or len(files) < PARALLEL_FROM or not can_fork():
        for path in files:
            yield load_organisation(path, pm, context)
        return
    _WORKER = (pm, context)
    try:
        with forked_pool(jobs) as pool:
            yield from pool.imap(_load_in_worker, files, chunksize=max(1, min(500, len(files) // (jobs * 8))))
    finally:
        _WORKER = None


def can_fork() -> bool:
    """Whether worker processes can be forked (not on Windows)."""
    return hasattr(os, "fork")


def forked_pool(jobs: int) -> Any:
    """A pool of ``jobs`` forked workers (they inherit the plugins and the
    run's context), to be ended with ``terminate()`` (as ``with`` does).

    Python's pool keeps a thread that wakes whenever a result is waiting to
    be read, and goes round again until the thread that reads results has
    read it: with results coming back all the time, it took the main
    process some 60 ms of CPU a run of 2,000 organisations, CPU that the
    two workers of a two-core machine were waiting for (the run took 6 %
    longer). This pool's thread wakes only when a worker exits or the pool
    is ended; so ``close()`` then ``join()``, which waits for that thread to
    see the last result, is refused."""
    import multiprocessing
    import multiprocessing.pool

    class TerminatedPool(multiprocessing.pool.Pool):
        def _get_sentinels(self) -> list[Any]:
            return [self._change_notifier._reader]  # type: ignore[attr-defined]

        def close(self) -> None:
            raise TypeError("a forked_pool is ended with terminate()")

    return TerminatedPool(jobs, initializer=signals.in_worker, context=multiprocessing.get_context("fork"))


def usable_cores() -> int:
    """The cores this process may run on (``--jobs`` by default): those it
    is allowed on, and no more than its container's CPU quota (a container
    limited to two CPUs of a 64-core host would otherwise start 64 workers
    that share two CPUs)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    quota = cpu_quota()
    if quota is not None:
        cores = min(cores, quota)
    return max(1, min(64, cores))


def cpu_quota(root: Path = Path("/")) -> int | None:
    """The CPUs this process's control group may use, rounded up (cgroup v2
    ``cpu.max``, or v1 ``cpu.cfs_quota_us`` over ``cpu.cfs_period_us``), or
    None without a quota (or on a system without control groups)."""
    try:
        groups = (root / "proc/self/cgroup").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    mounted = root / "sys/fs/cgroup"
    for line in groups:
        _, controllers, path = line.split(":", 2)
        relative = path.lstrip("/")
        if controllers == "":
            figures = _read_first(mounted / relative / "cpu.max", mounted / "cpu.max")
            parts = figures.split() if figures else []
        elif "cpu" in controllers.split(","):
            folders = [mounted / controllers / relative, mounted / "cpu" / relative, mounted / "cpu"]
            quota = _read_first(*(folder / "cpu.cfs_quota_us" for folder in folders))
            period = _read_first(*(folder / "cpu.cfs_period_us" for folder in folders))
            parts = [quota, period] if quota and period else []
        else:
            continue
        if len(parts) == 2 and parts[0].lstrip("-").isdigit() and parts[1].isdigit():
            quota_us, period_us = int(parts[0]), int(parts[1])
            if quota_us > 0 and period_us > 0:
                return -(-quota_us // period_us)
    return None


def _read_first(*paths: Path) -> str | None:
    for path in paths:
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError:
            continue
    return None


@contextmanager
def collector_paused(resume: Callable[[], bool] | None = None) -> Iterator[None]:
    """Python's cyclic garbage collector paused for a run.

    A run makes no reference cycles (a test checks it), so the collector
    frees nothing; but with a large cohort's organisations and ledgers alive,
    each of its passes walks all of them, and scoring took twice as long.
    Memory is still freed as usual, by reference counting.

    It is turned on again afterwards unless ``resume`` says no: where the
    process ends next, its first pass would walk everything the run made
    for nothing (some 100 ms after a run of 100,000 organisations)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled and (resume is None or resume()):
            gc.enable()


def run_cohort(
    files: Sequence[Path],
    pm: PluginManager,
    context: RunContext,
    progress: Callable[[str, int, int], None] | None = None,
    jobs: int = 1,
    pieces: Mapping[str, Any] | None = None,
    pieces_only: bool = False,
) -> RunResult:
    """Score every organisation of a cohort; failures are reported, not raised.

    ``progress(stage, done, total)`` is told of each organisation read and
    each scored; ``jobs`` processes read the evidence (see :func:`load_cohort`).
    From :data:`STREAM_FROM` files on the run is streamed, ``jobs`` processes
    reading and scoring, and each renderer named in ``pieces`` has its parts
    written while the organisations are scored (:mod:`fivestar.streamed`);
    from :data:`STREAM_PIECES_FROM` on already where the outputs are nothing
    but those parts (``pieces_only``) and several processes can share the work."""
    in_pieces = pieces_only and pieces and len(files) >= STREAM_PIECES_FROM and jobs > 1 and can_fork()
    if len(files) >= STREAM_FROM or in_pieces:
        from fivestar.streamed import run_streamed

        return run_streamed(files, pm, context, pieces or {}, progress, jobs)
    return score_cohort(read_cohort(files, pm, context, progress, jobs), pm, context, progress)


def read_cohort(
    files: Sequence[Path],
    pm: PluginManager,
    context: RunContext,
    progress: Callable[[str, int, int], None] | None = None,
    jobs: int = 1,
) -> list[Organisation]:
    """collect and validate every evidence file; duplicates marked failed.

    Raises InputError when the office's reviews name an organisation not in the run."""
    organisations = []
    for index, organisation in enumerate(load_cohort(files, pm, context, jobs), 1):
        organisations.append(organisation)
        if progress:
            progress("read", index, len(files))
    mark_duplicates(organisations)
    naming_nobody = context.office.naming_nobody(
        [organisation.id for organisation in organisations],
        [organisation.name for organisation in organisations],
        context.limits,
    )
    if naming_nobody:
        raise InputError(naming_nobody)
    for organisation in organisations:
        if not organisation.valid:
            log.info(
                "organisation_failed",
                organisation=organisation.id,
                file=str(organisation.path),
                errors=len(organisation.errors),
            )
    return organisations


def score_cohort(
    organisations: list[Organisation],
    pm: PluginManager,
    context: RunContext,
    progress: Callable[[str, int, int], None] | None = None,
) -> RunResult:
    """cohort → score → penalise → cap → rate for organisations already read
    (the same organisations may be scored under several contexts: see
    :mod:`fivestar.whatif`).

    An organisation that fails while being scored counts in no cohort figure:
    the figures are computed again without it and the others scored again
    (rare: a plugin's bug met by one organisation's facts)."""
    scored = [organisation for organisation in organisations if organisation.valid]
    while True:
        ledgers = score_with_figures(scored, pm, context, progress)
        if len(ledgers) == len(scored):
            break
        scored = [organisation for organisation in scored if organisation.id in ledgers]
    log.info(
        "cohort_scored", organisations=len(organisations), scored=len(ledgers), failed=len(organisations) - len(ledgers)
    )
    return RunResult(context, pm, organisations, ledgers)


def score_with_figures(
    organisations: list[Organisation],
    pm: PluginManager,
    context: RunContext,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Ledger]:
    """The cohort figures of these organisations, then each one's ledger
    (an organisation that fails has none, and a problem saying why)."""
    context.cohort = cohort_figures_of(Cohort(organisations), pm, context)
    ledgers: dict[str, Ledger] = {}
    for index, organisation in enumerate(organisations, 1):
        ledger = score_or_fail(organisation, pm, context)
        if ledger is not None:
            ledgers[organisation.id] = ledger
        if progress:
            progress("scored", index, len(organisations))
    return ledgers


def cohort_figures_of(cohort: Cohort, pm: PluginManager, context: RunContext) -> dict[str, Any]:
    """The cohort's figures, each ``assess_cohort`` hook's answer merged in
    call order. A hook that raises stops the run with an error that names its
    plugin (an InputError, never a traceback): every score may read what it
    did not compute."""
    try:
        for figures in pm.hook.assess_cohort(cohort=cohort, context=context):
            cohort.figures.update(figures or {})
    except Exception as error:
        raise InputError([cohort_failure(error, pm)]) from error
    return cohort.figures


def run(config: RunConfig, plugins: Sequence[object] = (), load_entry_points: bool = True) -> RunResult:
    """Prepare and score the cohort a run config names."""
    pm, context = prepare(config, plugins, load_entry_points)
    result = run_cohort(config.organisation_files(), pm, context)
    result.config = config
    return result
