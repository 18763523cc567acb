"""What the human-readable reports (terminal, HTML, Excel) share: the
cohort in rank order, the words of a language, and text made safe to show.

Nothing is computed here that the ledger does not already say; this module
only decides how it reads.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from fivestar.evidence import OFFICE_RECORDS
from fivestar.model import Ledger, Organisation
from fivestar.numbers import fmt
from fivestar.pipeline import RunResult
from fivestar.registry import Registry
from fivestar.report import jsonable, organisation_document, plugin_versions, ranking, run_header
from fivestar.report.labels import LABELS, language, word
from fivestar.report.text import clean
from fivestar.rules import Words, show

AWARD_FLAGS = (("party_building_excellence", "pbe"), ("performance_excellence", "pe"), ("five_star", "five"))


def display_width(text: str) -> int:
    """Columns a text takes on a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def truncate(text: str, width: int) -> str:
    """At most ``width`` columns, an ellipsis where something was cut."""
    if display_width(text) <= width:
        return text
    kept = ""
    for char in text:
        if display_width(kept + char) > width - 1:
            break
        kept += char
    return kept + "…"


NO_BREAK_BEFORE = frozenset("，。、；：？！）》」』〕】”’…,.;:?!)")


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns; Chinese breaks anywhere (never
    before a closing mark), other text at spaces where it can."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in re.findall(r"[^\s\u2e80-\u9fff\uff00-\uffef]+\s*|[\u2e80-\u9fff\uff00-\uffef]|\s+", paragraph):
            if display_width(line + token.rstrip()) <= width or not line.strip():
                line += token
            elif token in NO_BREAK_BEFORE and len(line.rstrip()) > 1:
                kept = line.rstrip()
                lines.append(kept[:-1])
                line = kept[-1] + token
            else:
                lines.append(line.rstrip())
                line = token.lstrip()
            while display_width(line.rstrip()) > width:
                cut = truncate(line, width + 1)[:-1]
                lines.append(cut)
                line = line[len(cut) :]
        lines.append(line.rstrip())
    return lines or [""]


PREFIXES = ("中国共产党", "中共")
SUFFIXES = ("机关委员会", "机关总支部委员会", "机关总支委员会", "机关支部委员会", "机关党委", "委员会", "党委")


def short_name(name: str) -> str:
    """An organisation's name without what every name of the cohort says
    ("中共绍兴市…机关委员会" → "财政局"): the party's prefix, a city before
    its 市, and the kind of committee."""
    text = name.strip()
    for prefix in PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    city = text.find("市")
    if 0 < city <= 4 and len(text) > city + 2:
        text = text[city + 1 :]
    for suffix in SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            text = text[: -len(suffix)]
            break
    return text or name


def figure(value: Any) -> str:
    """A number of the JSON document as text, exactly as its decimal
    (``json_number`` makes the float's shortest text the decimal's own)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, (int, float)):
        return fmt(Decimal(str(value)))
    return str(value)


def signed(value: Any) -> str:
    """A change: +1.5, −2, 0."""
    if value is None:
        return "—"
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    text = fmt(number).replace("-", "−")
    return "+" + text if number > 0 else text


class ReportWords(Words):
    """The basis of a point in the words of a report's language: facts by
    their names in the vocabulary, values as words, phrases translated."""

    def __init__(self, labels: dict[str, str]) -> None:
        self.labels = labels

    def fact(self, name: str) -> str:
        return word(self.labels, "fact", name)

    def value(self, value: object) -> str:
        if isinstance(value, bool):
            return self.labels["yes"] if value else self.labels["no"]
        if isinstance(value, str):
            return word(self.labels, "value", value, fallback=show(value))
        return show(value)

    def figure(self, name: str, value: object) -> str:
        return f"{value}{self.aside(self.fact(name))}"

    def term(self, word_: str) -> str:
        return word(self.labels, "value", word_)

    def aside(self, text: str) -> str:
        return self.labels["aside"].format(text=text)

    def then(self, text: str) -> str:
        return self.labels["then"].format(text=text)

    def phrase(self, key: str, default: str, **values: Any) -> str:
        return word(self.labels, "phrase", key, fallback=default.format(**values) if values else default, **values)


def source_words(labels: dict[str, str], source: str) -> str | None:
    """A source (who found a heavy item, who gave a fact) in words: the first
    pattern of the vocabulary's ``source.`` entries the whole text matches."""
    for key, text in labels.items():
        if key.startswith("source.") and (found := re.fullmatch(key[len("source.") :], source)):
            return text.format(**found.groupdict())
    return None


@dataclass
class Cohort:
    """A run as the reports read it, in one language: the JSON document's
    entries of the scored organisations in rank order, the failed ones, and
    the ledgers behind them."""

    result: RunResult
    lang: str
    labels: dict[str, str]
    words: ReportWords
    document: dict[str, Any]
    scored: Sequence[dict[str, Any]]
    failed: list[dict[str, Any]]
    ledgers: Mapping[str, Ledger] = field(default_factory=dict)

    @property
    def registry(self) -> Registry:
        return self.result.context.registry

    @property
    def section_ids(self) -> list[str]:
        return list(self.registry.sections)

    def section_title(self, section_id: str) -> str:
        section = self.registry.sections.get(section_id)
        if section is None:
            return section_id
        return clean(section.title if self.lang == "zh" else section.title_en, one_line=True)

    def section_short(self, section_id: str) -> str:
        title = self.section_title(section_id)
        fallback = title[:2] if self.lang == "zh" else title.split()[0][:5]
        return word(self.labels, "short", section_id, fallback=fallback)

    def item_title(self, item_id: str) -> str:
        item = self.registry.items.get(item_id)
        if item is None:
            return item_id
        return clean(item.title if self.lang == "zh" else item.title_en)

    def heavy_title(self, heavy_id: str) -> str:
        heavy = self.registry.heavy.get(heavy_id)
        if heavy is None:
            return heavy_id
        return clean(heavy.title if self.lang == "zh" else heavy.title_en)

    def stars(self, awards: dict[str, Any]) -> str:
        return self.labels["separator"].join(self.section_title(star) for star in awards["stars"])

    def star_marks(self, stars: list[str]) -> str:
        """One character per star section, the earned ones by their first
        character (学规服民创), the others as a dot."""
        earned = set(stars)
        marks = []
        for section_id, section in self.registry.sections.items():
            if section.group != "party_building":
                continue
            title = section.title if self.lang == "zh" else section.title_en
            marks.append(word(self.labels, "star", section_id, fallback=title[:1]) if section_id in earned else "·")
        return "".join(marks)

    def honours(self, awards: dict[str, Any], short: bool = False) -> str:
        """The awards earned (a JSON ``awards`` table, or a ledger's
        :class:`Awards`); ``short`` for a narrow table: 五星双优 alone
        stands for the two it includes, and the short names."""
        earned = awards if isinstance(awards, dict) else vars(awards)
        if short:
            if earned["five_star"]:
                return self.labels["five_star"]
            return " ".join(self.labels[flag] for flag, _label in AWARD_FLAGS if earned[flag])
        return self.labels["separator"].join(self.labels[label] for flag, label in AWARD_FLAGS if earned[flag])

    def withheld(self, org_id: str, withheld: dict[str, str]) -> list[tuple[str, str]]:
        """(what was withheld, why) in this language."""
        ledger = self.ledgers.get(org_id)
        reasons = ledger.awards.reasons if ledger else {}
        return [(self.award_name(key), self.withheld_reason(text, reasons.get(key))) for key, text in withheld.items()]

    def award_name(self, key: str) -> str:
        """A star (its section's title) or award (``five_star``) withheld."""
        return self.labels["five"] if key == "five_star" else self.section_title(key)

    def withheld_reason(self, text: str, reason: tuple[str, dict[str, str]] | None) -> str:
        """Why a star or award is withheld, in this language: the phrase of
        the vocabulary, else the plain text the rate step wrote."""
        if reason is None:
            return clean(text)
        phrase, values = reason
        template = self.labels.get(f"withheld_{phrase}")
        if template is None:
            return clean(text)
        values = dict(values)
        if "item" in values:
            values["item"] = self.finding_title(values["item"])
        return template.format(**values)

    def finding_title(self, item_id: str) -> str:
        title = self.heavy_title(item_id) if item_id in self.registry.heavy else self.item_title(item_id)
        return title + self.words.aside(item_id)

    def basis(self, org_id: str, item_id: str, fallback: str) -> str:
        ledger = self.ledgers.get(org_id)
        line = ledger.items.get(item_id) if ledger else None
        return clean(line.explain(self.words) if line is not None else fallback)

    def warnings(self, problems: list[dict[str, Any]], file: str) -> list[str]:
        """An organisation's warnings as a report shows them: the facts its
        file leaves out, by their names (scored as their defaults); how many
        others there are and the command that lists them (their text is the
        validator's, not the vocabulary's)."""
        missing = [problem for problem in problems if is_missing_fact(problem)]
        shown = []
        if missing:
            names = self.labels["separator"].join(self.fact_with_name(problem["key"]) for problem in missing)
            shown.append(self.labels["missing_facts"] + self.labels["colon"] + names)
        others = len(problems) - len(missing)
        if others:
            shown.append(self.labels["other_warnings"].format(count=others, file=clean(file, one_line=True)))
        return shown

    def decisions(self, entry: dict[str, Any]) -> list[str]:
        """Who said what of an organisation (see :func:`decision_lines`)."""
        return decision_lines(entry, self.labels, self.finding_title)

    def fact_with_name(self, name: str) -> str:
        """A fact's name in the vocabulary, then its key (once, if they are the same)."""
        shown = self.words.fact(name)
        return name if shown == name else f"{shown} {name}"

    def policy_text(self, key: str) -> str:
        policy = self.registry.policies.get(key)
        return clean(word(self.labels, "policy", key, fallback=policy.doc if policy else ""))

    def policy_value(self, value: Any) -> str:
        if isinstance(value, bool):
            return self.labels["yes"] if value else self.labels["no"]
        if isinstance(value, str):
            return word(self.labels, "value", value, fallback=value)
        if isinstance(value, (list, tuple)):
            return self.labels["separator"].join(self.policy_value(entry) for entry in value)
        return figure(value)

    def source(self, source: str) -> str:
        """Who found a heavy item, in words."""
        return source_words(self.labels, source) or clean(source)

    def award_counts(self) -> dict[str, int]:
        counts = {label: sum(1 for entry in self.scored if entry["awards"][flag]) for flag, label in AWARD_FLAGS}
        counts["stars"] = sum(len(entry["awards"]["stars"]) for entry in self.scored)
        return counts

    def entries(self, org: str | None = None) -> Iterator[dict[str, Any]]:
        """The scored organisations' whole JSON entries in rank order, or only
        ``org``'s, each built when it is reached and not kept."""
        versions = plugin_versions(self.result.plugin_manager)
        for summary in self.scored:
            if org is not None and summary["id"] != org:
                continue
            ledger = self.ledgers[summary["id"]]
            document = organisation_document(ledger.organisation, ledger, versions)
            document["rank"] = summary["rank"]
            yield jsonable(document)


HISTORY_STORE = "history store: "
"""How a derived fact's source names the history store (the built-in plugins)."""


def decision_lines(
    entry: dict[str, Any], labels: dict[str, str], item_title: Callable[[str], str] | None = None
) -> list[str]:
    """Who said what of an organisation, in the labels' language: its
    conflicts (申报与核实不一致), unverified claims, the assessor's findings and
    the appeals. ``entry`` is the JSON entry (or ``Organisation.decisions``
    made JSON); ``item_title`` names an item (its id when not given)."""
    words = ReportWords(labels)
    title = item_title or (lambda item_id: item_id)

    def fact(key: str) -> str:
        name = key.split(".", 1)[-1]
        shown = words.fact(name)
        return key if shown == name else f"{shown} {key}"

    def value(found: Any) -> str:
        if isinstance(found, (bool, str)):
            return words.value(found) if isinstance(found, bool) else word(labels, "value", found, fallback=found)
        if isinstance(found, list):
            entries = [" ".join(value(field) for field in entry.values()) for entry in found if isinstance(entry, dict)]
            return labels["separator"].join(entries) or labels["none"]
        return figure(found) if isinstance(found, (int, float, Decimal)) else show(found)

    def source(text: str) -> str:
        if (shown := source_words(labels, text)) is not None:
            return shown
        if text.startswith(OFFICE_RECORDS):
            return labels["source_office_records"].format(where=text.removeprefix(OFFICE_RECORDS))
        if text.startswith(HISTORY_STORE):
            return labels["source_history_store"].format(where=text.removeprefix(HISTORY_STORE))
        return word(labels, "source", text, fallback=text)

    lines = []
    for conflict in entry.get("conflicts", []):
        lines.append(
            labels["decision_conflict"].format(
                fact=fact(conflict["fact"]),
                claimed=value(conflict["claimed"]),
                used=value(conflict["used"]),
                source=source(conflict["source"]),
            )
        )
    for claim in entry.get("unverified", []):
        lines.append(labels["decision_unverified"].format(fact=fact(claim["fact"]), policy=value(claim["policy"])))
    for finding in entry.get("findings", []):
        points = labels["decision_points"].format(points=figure(finding["points"])) if finding.get("points") else ""
        reason = labels["then"].format(text=finding["reason"]) if finding.get("reason") else ""
        found = " ".join(str(part) for part in (finding.get("found_by"), finding.get("found_on")) if part)
        text = labels["decision_finding"].format(
            item=title(finding["item"]), points=points, reason=reason, found=words.aside(found) if found else ""
        )
        lines.append(text + (labels["decision_withdrawn"] if finding.get("withdrawn") else ""))
    for appeal in entry.get("appeals", []):
        reason = labels["then"].format(text=appeal["reason"]) if appeal.get("reason") else ""
        lines.append(
            labels["decision_appeal"].format(
                item=title(appeal["item"]), outcome=value(appeal["outcome"]), date=appeal["decided_on"], reason=reason
            )
        )
    return [clean(line) for line in lines]


class Summaries(Sequence[dict[str, Any]]):
    """What the league table, the charts and the cover read of each of a
    cohort's scored organisations (the JSON entry's figures without its
    items), in little memory: each is kept as a tuple of its own figures and
    references to section and award tables shared by every organisation that
    has the same ones (a few hundred bytes, not some 4 kB: 100,000 fit in
    about 50 MB), and is made a dict again when it is read. The shared
    tables are read, never changed, by the reports."""

    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []
        self.shared: dict[Any, Any] = {}

    def add(self, ledger: Ledger, rank: int) -> None:
        shared = self.shared
        sections = tuple(ledger.sections)
        sections = shared.setdefault(sections, sections)
        tables = []
        for section in ledger.sections.values():
            key = ("section", section.score, section.max, section.claimed)
            table = shared.get(key)
            if table is None:
                table = shared[key] = jsonable({"score": section.score, "max": section.max, "claimed": section.claimed})
            tables.append(table)
        awards = ledger.awards
        key = (
            "awards",
            tuple(awards.stars),
            awards.party_building_excellence,
            awards.performance_excellence,
            awards.five_star,
            tuple(awards.withheld.items()),
        )
        try:
            honours = shared.get(key)
        except TypeError:
            key, honours = None, None
        if honours is None:
            honours = jsonable(
                {
                    "stars": awards.stars,
                    "party_building_excellence": awards.party_building_excellence,
                    "performance_excellence": awards.performance_excellence,
                    "five_star": awards.five_star,
                    "withheld": awards.withheld,
                }
            )
            if key is not None:
                shared[key] = honours
        organisation = ledger.organisation
        figures = jsonable([ledger.total, ledger.heavy_points()])
        self.rows.append((organisation.id, organisation.name, rank, *figures, sections, tuple(tables), honours))

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, position: Any) -> Any:
        if isinstance(position, slice):
            return [self._entry(row) for row in self.rows[position]]
        return self._entry(self.rows[position])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        entry = self._entry
        for row in self.rows:
            yield entry(row)

    @staticmethod
    def _entry(row: tuple[Any, ...]) -> dict[str, Any]:
        org_id, name, rank, total, heavy, sections, tables, honours = row
        return {
            "id": org_id,
            "name": name,
            "rank": rank,
            "total": total,
            "heavy_total": heavy,
            "sections": dict(zip(sections, tables, strict=True)),
            "awards": honours,
        }


def is_missing_fact(problem: dict[str, Any]) -> bool:
    return problem.get("found") == "nothing" and bool(problem.get("key")) and problem.get("table") != "organisation"


def cohort_view(result: RunResult, lang: str, documents: bool = True, keep_ledgers: bool = True) -> Cohort:
    """The run in ``lang``: the run's header, a summary of each scored
    organisation in rank order and the failed organisations' entries;
    without ``documents`` only the ledgers (the terminal reads them).
    Without ``keep_ledgers`` each ledger is let go once summed up, and
    looked up in the run again when asked for (a streamed run scores it
    again): a large cohort's view holds its summaries, not its ledgers."""
    lang = language(lang)
    labels = LABELS[lang]
    ranks: dict[str, int] = {}
    kept: dict[str, Ledger] = {}
    scored = Summaries()
    for rank, ledger in ranking(result):
        org_id = ledger.organisation.id
        ranks[org_id] = rank
        if keep_ledgers or not documents:
            kept[org_id] = ledger
        if documents:
            scored.add(ledger, rank)
    ledgers: Mapping[str, Ledger] = kept if keep_ledgers or not documents else result.ledgers
    if not documents:
        return Cohort(result, lang, labels, ReportWords(labels), {}, Summaries(), [], ledgers)
    versions = plugin_versions(result.plugin_manager)
    failed = [
        jsonable(organisation_document(organisation, None, versions))
        for organisation in result.organisations
        if organisation.id not in ranks or not organisation.valid
    ]
    return Cohort(result, lang, labels, ReportWords(labels), jsonable(run_header(result)), scored, failed, ledgers)


def run_date() -> str:
    """The date of the run, as every printed page shows it."""
    return date.today().isoformat()


def organisation_of(result: RunResult, org_id: str) -> Organisation | None:
    return next((organisation for organisation in result.organisations if organisation.id == org_id), None)
