"""An organisation's evidence file: read it (data only, never code), convert
every declared fact to its type, weighed against the office's records and the
derived facts.

Every problem is collected with the file, table and key, what was expected
and what was found; nothing here raises for bad evidence.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fivestar.discovery import is_inside
from fivestar.facts import DECIMAL_PLACES, DEPARTMENT, FactError, Shown, decimal_places, describe_value
from fivestar.limits import (
    Limits,
    TooLarge,
    describe_size,
    document_problems,
    read_limited,
    size_problem,
)
from fivestar.model import Conflict, DerivedFact, Organisation, Problem
from fivestar.registry import Registry
from fivestar.suggest import closest
from fivestar.tomlfile import parse_toml
from fivestar.workbook import workbook_path
from fivestar.workbook_limits import workbook_problem
from fivestar.workbook_reader import read_workbook

HEADER_KEYS = ("id", "name", "tags", "year", "contact", "date")
"""``[organisation]``: id and name; year, contact person and date as the workbook's cover has them."""

if TYPE_CHECKING:
    from fivestar.office import Record


def shown_default(value: object) -> str:
    if value is None:
        return "absent"
    if value == []:
        return "no records"
    return describe_value(value)


CONFIG_TABLE = "assessment"
"""The table that makes a file a run config. Evidence holding it is refused
whole: the file is data, and nothing in it is ever read as a config (its
``[plugins] paths`` could otherwise name code to run)."""


NOT_UTF8 = (
    "the file is not UTF-8 ({encoding}?): open it in an editor and save it as UTF-8"
    " (记事本/WPS: 另存为 → 编码 UTF-8; VS Code: 通过编码保存 → UTF-8)"
)


def undecodable(content: bytes) -> str:
    """Why a file is not UTF-8, and how to re-save it; GBK (GB18030) is the
    usual culprit on Chinese Windows."""
    try:
        content.decode("gb18030")
    except UnicodeDecodeError:
        return NOT_UTF8.format(encoding="unknown encoding")
    return NOT_UTF8.format(encoding="GBK/GB18030")


def read_evidence(
    path: Path, content: bytes | None = None, registry: Registry | None = None, limits: Limits | None = None
) -> Organisation:
    """Parse one evidence file (or ``content`` read elsewhere, e.g. standard
    input): TOML, or an Excel workbook when a registry gives its layout. A
    file that cannot be read, or that goes beyond the ``limits`` (its size,
    entries, texts, a link out of the config's folder), is an organisation
    with an error, so that the rest of the cohort goes on."""
    file = str(path)
    limits = limits or Limits()
    organisation = Organisation(id=path.stem, name=path.stem, path=path, raw={}, sha256="")
    if not is_inside(path, limits.roots):
        organisation.problems.append(
            Problem.error(
                file,
                expected="evidence inside the config's folder or a folder it names (a link out of them is "
                "followed only with [assessment] allow_outside_links = true)",
                found=f"a link to {os.path.realpath(path)}",
                message="a link out of the config's folder: not read",
            )
        )
        return organisation
    try:
        if content is None:
            content = read_limited(path, limits)
        elif len(content) > limits.file_bytes:
            raise TooLarge(describe_size(len(content)))
    except TooLarge as error:
        organisation.problems.append(size_problem(file, limits, str(error)))
        return organisation
    except OSError as error:
        organisation.problems.append(
            Problem("error", file, "", "", "a readable evidence file", error.strerror or str(error))
        )
        return organisation
    organisation.sha256 = hashlib.sha256(content).hexdigest()
    organisation.content = content
    if registry is not None and workbook_path(path):
        bomb = workbook_problem(content, file, limits)
        if bomb is not None:
            organisation.problems.append(bomb)
            return organisation
        evidence = read_workbook(content, file, registry)
        organisation.raw, organisation.cells = evidence.raw, evidence.cells
        organisation.problems += evidence.problems or document_problems(organisation.raw, file, limits)
        if not organisation.valid:
            organisation.raw = {}
            return organisation
        read_header(organisation)
        return organisation
    try:
        organisation.raw = parse_toml(content)
    except UnicodeDecodeError:
        organisation.problems.append(
            Problem("error", file, "", "", "a UTF-8 text file", "undecodable bytes", undecodable(content))
        )
        return organisation
    except tomllib.TOMLDecodeError as error:
        organisation.problems.append(Problem("error", file, "", "", "valid TOML", str(error)))
        return organisation
    oversized = document_problems(organisation.raw, file, limits)
    if oversized:
        organisation.problems += oversized
        organisation.raw = {}
        return organisation

    if CONFIG_TABLE in organisation.raw:
        organisation.problems.append(
            Problem(
                "error",
                file,
                CONFIG_TABLE,
                "",
                "an evidence file (no [assessment] table)",
                Shown("a run config"),
                "this file looks like a run config, not evidence; nothing in it is loaded "
                "(check a run config with `assess validate --config FILE`)",
            )
        )
        organisation.raw = {}
        return organisation
    read_header(organisation)
    return organisation


def owned_elsewhere(problem: Problem, registry: Registry) -> bool:
    """Whether a problem is a missing fact the department does not provide
    (office-owned or derived): its template says "部门无需填写", so the
    department's own checks (``validate EVIDENCE``, ``template --check``) leave
    it out; the assessor's run still reports it."""
    owner = registry.fact_owners.get(f"{problem.table}.{problem.key}", DEPARTMENT)
    return problem.found == "nothing" and owner != DEPARTMENT


def missing_facts(organisation: Organisation, required: set[str]) -> list[str]:
    """The facts a scored item reads that neither the evidence nor any
    supplier gave: each is scored as its type's default (0, no, absent)."""
    return [key for key, source in organisation.sources.items() if source == "default" and key in required]


def read_header(organisation: Organisation) -> None:
    """``[organisation]`` id and name. The table is optional (the rules
    contract knows only the sections' tables): the id is then the file name
    and the name the id, with a warning; a name written but left empty is an
    error, so that a template cannot be filed unfilled."""
    file = str(organisation.path)
    problems = organisation.problems
    header = organisation.raw.get("organisation")
    if header is None:
        problems.append(
            Problem(
                "warning",
                file,
                "organisation",
                "",
                "a table [organisation] with id and name",
                "nothing",
                f"no [organisation] table: id and name taken from the file name ({organisation.id})",
            )
        )
        return
    if not isinstance(header, dict):
        problems.append(Problem("error", file, "organisation", "", "a table with id and name", describe_value(header)))
        return
    read_tags(organisation, header.get("tags"))
    for key in header:
        if key not in HEADER_KEYS:
            problems.append(
                Problem(
                    "warning", file, "organisation", key, "id or name", f"unknown key {key}", "unknown key, ignored"
                )
            )
    for key in ("id", "name"):
        value = header.get(key)
        if value is None:
            if key == "name":
                problems.append(
                    Problem(
                        "warning",
                        file,
                        "organisation",
                        "name",
                        "the organisation's full name",
                        "nothing",
                        f"no name: the id {organisation.id} stands for it",
                    )
                )
            continue
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem("error", file, "organisation", key, "a non-empty text", describe_value(value)))
        else:
            setattr(organisation, key, value.strip())
    if "name" not in header:
        organisation.name = organisation.id


def read_tags(organisation: Organisation, tags: object) -> None:
    """``[organisation] tags``: kinds of organisation (e.g. "离退休党支部")
    that items scoped to a tag apply to."""
    if tags is None:
        return
    if not isinstance(tags, list) or not all(isinstance(tag, str) and tag.strip() for tag in tags):
        organisation.problems.append(
            Problem.error(
                str(organisation.path), "organisation", "tags", expected="a list of texts", found=describe_value(tags)
            )
        )
        return
    organisation.tags = frozenset(tag.strip() for tag in tags)


MISSING = object()
"""A fact the evidence does not state."""


def convert_facts(
    organisation: Organisation,
    registry: Registry,
    records: Mapping[str, Record] | None = None,
    unverified_claims: str = "accept",
) -> None:
    """Fill ``organisation.facts`` with typed values from three sources, the
    highest first: the office's ``records``, the facts derived from data,
    the department's claim in its evidence. A lower source never overrides a
    higher one; a claim that differs from the value used is a conflict
    (申报与核实不一致). A claim of a fact the department does not own, with no
    higher source, is used or scored as absent by ``unverified_claims``
    ("accept" or "ignore"). Missing facts get their type's default (with a
    warning)."""
    records = records or {}
    file = str(organisation.path)
    raw = organisation.raw
    problems = organisation.problems
    known_tables = registry.known_tables
    required = registry.required_facts_for(organisation)
    if not known_tables.intersection(raw):
        required = set()
        problems.append(
            Problem(
                "error",
                file,
                "",
                "",
                "evidence: [organisation] and the sections' tables (see `assess template`)",
                Shown("an empty file") if not raw else Shown("no table any enabled plugin reads"),
                "nothing in this file is evidence",
            )
        )
    for table in raw:
        if table in known_tables:
            continue
        meant = difflib.get_close_matches(table, sorted(known_tables), n=1, cutoff=0.75)
        if meant:
            problems.append(
                Problem(
                    "error",
                    file,
                    table,
                    "",
                    f"[{meant[0]}]",
                    Shown(f"[{table}]"),
                    f"unknown table [{table}]: a misspelling of [{meant[0]}]?",
                )
            )
        else:
            problems.append(
                Problem(
                    "warning",
                    file,
                    table,
                    "",
                    "a table an enabled plugin reads",
                    Shown(f"[{table}]"),
                    f"table [{table}] is not read by any enabled plugin and is ignored",
                )
            )

    derived_facts = organisation.derived
    sources = organisation.sources
    for section, types, plan in registry.conversion_plan:
        table = raw.get(section, {})
        if not isinstance(table, dict):
            problems.append(Problem("error", file, section, "", "a table", describe_value(table)))
            table = {}
        if not table.keys() <= types.keys():
            unknown_keys(table, types, file, section, registry, problems)
        if not records and not derived_facts:
            organisation.facts[section] = claimed_facts(
                organisation, table, plan, required, unverified_claims, file, section
            )
            continue
        values: dict[str, Any] = {}
        for name, key, fact_type, owner in plan:
            claimed = missing = MISSING
            if name in table:
                try:
                    claimed = fact_type.convert(table[name])
                except FactError as error:
                    problems.append(
                        Problem("error", file, section, name + error.where, error.expected, describe_value(error.found))
                    )
            record = records.get(key) if records else None
            derived = derived_facts.get(key) if derived_facts else None
            if record is not None:
                value, source = record.value, OFFICE_RECORDS + record.where
            elif derived is not None:
                source = derived.source
                try:
                    value = fact_type.convert(derived.value)
                except FactError as error:
                    problems.append(
                        Problem("error", file, section, name + error.where, error.expected, describe_value(error.found))
                    )
                    value = fact_type.default
            elif claimed is not missing:
                value, source = claimed, "evidence"
                if owner != DEPARTMENT and claimed != fact_type.default:
                    organisation.unverified[key] = unverified_claims
                    if unverified_claims == "ignore":
                        value, source = fact_type.default, "default"
                        problems.append(unverified_ignored(file, section, name, key, owner, value))
            else:
                values[name] = fact_type.default
                sources[key] = "default"
                if name not in table and key in required:
                    problems.append(missing_fact(file, section, name, fact_type))
                continue
            if claimed is not missing and source != "evidence" and source != "default" and claimed != value:
                organisation.conflicts.append(Conflict(key, claimed, value, source))
            values[name] = value
            sources[key] = source
        organisation.facts[section] = values
    check_materials(organisation, registry)


def unknown_keys(
    table: dict[str, Any],
    types: Mapping[str, Any],
    file: str,
    section: str,
    registry: Registry,
    problems: list[Problem],
) -> None:
    """An error for each key of a section's table that is no fact of it."""
    for key in table:
        if key not in types:
            problems.append(
                Problem(
                    "error",
                    file,
                    section,
                    key,
                    "a fact of this section (see `assess explain`)",
                    f"unknown key {key}",
                    f"unknown key {key}{fact_meant(key, section, registry)}",
                )
            )


def claimed_facts(
    organisation: Organisation,
    table: dict[str, Any],
    plan: Any,
    required: set[str],
    unverified_claims: str,
    file: str,
    section: str,
) -> dict[str, Any]:
    """A section's facts where the evidence is their only source (no office
    record, no derived fact: the usual organisation), by the same rules as
    :func:`convert_facts`'s, in one pass."""
    values: dict[str, Any] = {}
    sources = organisation.sources
    problems = organisation.problems
    for name, key, fact_type, owner in plan:
        raw = table.get(name, MISSING)
        if raw is not MISSING:
            try:
                value = fact_type.convert(raw)
            except FactError as error:
                problems.append(
                    Problem("error", file, section, name + error.where, error.expected, describe_value(error.found))
                )
            else:
                if owner == DEPARTMENT or value == fact_type.default:
                    values[name] = value
                    sources[key] = "evidence"
                    continue
                organisation.unverified[key] = unverified_claims
                if unverified_claims != "ignore":
                    values[name] = value
                    sources[key] = "evidence"
                    continue
                default = fact_type.default
                values[name] = default
                sources[key] = "default"
                problems.append(unverified_ignored(file, section, name, key, owner, default))
                continue
        values[name] = fact_type.default
        sources[key] = "default"
        if raw is MISSING and key in required:
            problems.append(missing_fact(file, section, name, fact_type))
    return values


def unverified_ignored(file: str, section: str, name: str, key: str, owner: str, value: Any) -> Problem:
    return Problem(
        "warning",
        file,
        section,
        name,
        f"a record of the {owner} fact {key}",
        "a claim only",
        f"claim not verified (未经核实), scored as {shown_default(value)} (unverified_claims = ignore)",
    )


def missing_fact(file: str, section: str, name: str, fact_type: Any) -> Problem:
    return Problem(
        "warning",
        file,
        section,
        name,
        fact_type.expected,
        "nothing",
        f"missing fact, scored as {shown_default(fact_type.default)}",
    )


def check_year(organisation: Organisation, year: int) -> None:
    """``[organisation] year`` (a workbook's cover) that is not the run's:
    last year's file filed again, most likely; a warning, the facts are read."""
    header = organisation.raw.get("organisation")
    stated = header.get("year") if isinstance(header, dict) else None
    if stated is None or stated == year:
        return
    organisation.problems.append(
        Problem(
            "warning",
            str(organisation.path),
            "organisation",
            "year",
            f"{year}, the year of this run",
            describe_value(stated),
            f"the evidence says it is for {describe_value(stated)}, this run is {year}: last year's file?",
        )
    )


def check_materials(organisation: Organisation, registry: Registry) -> None:
    """``[materials]``: per item id, the supporting documents (佐证材料) as text."""
    file = str(organisation.path)
    materials = organisation.raw.get("materials", {})
    if not isinstance(materials, dict):
        organisation.problems.append(
            Problem("error", file, "materials", "", "a table of item id = text", describe_value(materials))
        )
        return
    for key, value in dotted(materials).items():
        if key not in registry.items:
            organisation.problems.append(
                Problem(
                    "warning",
                    file,
                    "materials",
                    key,
                    "an item id (see `assess rules`)",
                    f'"{key}"',
                    f"unknown item {key}, ignored",
                )
            )
        elif not isinstance(value, str):
            organisation.problems.append(Problem("error", file, "materials", key, "a text", describe_value(value)))


def fact_meant(key: str, section: str, registry: Registry) -> str:
    """ "; did you mean X?" for a misspelt fact: the nearest fact of the
    section, or of another section (a fact written in the wrong table)."""
    places = {name: name for name in registry.schema.get(section, {})}
    for other, types in registry.schema.items():
        for name in types:
            places.setdefault(name, f"[{other}] {name}")
    match = closest(key, places)
    return f"; did you mean {places[match]}?" if match is not None else ""


def add_derived(organisation: Organisation, facts: dict[str, DerivedFact] | None) -> None:
    for key, fact in (facts or {}).items():
        organisation.derived.setdefault(key, fact)


OFFICE_RECORDS = "office records: "
"""The start of the source of a fact the office's records give."""
HEAVY_MIN = Decimal(5)
HEAVY_MAX = Decimal(10)


def is_heavy_figure(figure: object) -> bool:
    if isinstance(figure, bool) or not isinstance(figure, (int, Decimal)):
        return False
    figure = Decimal(figure)
    return figure.is_finite() and HEAVY_MIN <= figure <= HEAVY_MAX and decimal_places(figure) <= DECIMAL_PLACES


def dotted(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A table whose keys are ids ("table.name", item ids), whether written
    quoted (``"learning.heavy.x" = 8``) or bare (``learning.heavy.x = 8``,
    which TOML reads as nested tables). A list of tables stays as it is."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict) and value:
            flat.update(dotted(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def refuse_review(organisation: Organisation, review_files: list[str]) -> None:
    """A ``[review]`` in a department's evidence is an error: the assessor's
    review lives in the office's reviews files, where resubmitting evidence
    can neither erase nor write it."""
    if "review" not in organisation.raw:
        return
    where = ", ".join(review_files) if review_files else "the reviews files of the run config's [office] reviews"
    organisation.problems.append(
        Problem(
            "error",
            str(organisation.path),
            "review",
            "",
            f"no [review] in a department's evidence: findings belong in {where}",
            Shown("a [review] table"),
            "the assessor's review is kept by the office, not in the evidence",
        )
    )
