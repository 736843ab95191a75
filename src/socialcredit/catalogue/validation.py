"""Validating a catalogue for publication (SPEC §3): every problem at once, each one named.

Structure (types, required fields, bounds) is checked by the pydantic models item by item, so
that one broken item does not hide the problems of the others; then the rules that relate the
parts: unique codes, declared issuers and lists, tier order, prohibited grounds (of items,
lists and measures), the rules of a lawful credit office (SPEC §10: severities and their
windows, measures' kind and legal basis, sanctions only on lists entered through items), and the
order of versions, never back-dated.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import ryaml
from pydantic import ValidationError

from socialcredit.catalogue.prohibited import find_prohibited_ground, find_prohibited_in_measure
from socialcredit.domain.catalogue import (
    NATIONAL,
    NO_CONTROL_CHARACTERS,
    NO_CONTROL_CHARACTERS_OR_BREAKS,
    SEVERITY_COUNTS_FOR_DAYS,
    Catalogue,
    Item,
    Measure,
)
from socialcredit.domain.text import shown

MAX_REPORTED_WARNINGS = 20


@dataclass
class CatalogueReport:
    catalogue: Catalogue | None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.catalogue is not None and not self.problems


def parse_catalogue_text(text: str) -> tuple[Any, list[str]]:
    """The YAML document, or the syntax problem."""
    try:
        return ryaml.loads(text), []
    except Exception as error:  # ryaml raises its own InvalidYamlError
        return None, [f"not valid YAML: {error}"]


# The lists of entries that are validated one by one, and what one entry is called.
ENTRY_NOUNS = {"items": "item", "measures": "measure"}


def _where(location: tuple, document: dict) -> str:
    """A pydantic error location as a reader would name it: `item 'x.y' (items[3]): points`."""
    if len(location) >= 2 and location[0] in ENTRY_NOUNS and isinstance(location[1], int):
        entries, index = document.get(location[0]) or [], location[1]
        raw = entries[index] if index < len(entries) else None
        code = raw.get("code") if isinstance(raw, dict) else None
        noun = ENTRY_NOUNS[location[0]]
        head = f"{noun} {code!r} ({location[0]}[{index}])" if code else f"{location[0]}[{index}]"
        rest = ".".join(str(part) for part in location[2:])
        return f"{head}: {rest}" if rest else head
    return ".".join(str(part) for part in location)


CONTROL_PATTERNS = (NO_CONTROL_CHARACTERS, NO_CONTROL_CHARACTERS_OR_BREAKS)


def _describe(error: dict, document: dict) -> str:
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "string_pattern_mismatch" and error["ctx"]["pattern"] in CONTROL_PATTERNS:
        message = "holds a control character"
    if error["type"] == "missing":
        message = "missing field"
    elif "input" in error and error["type"] not in ("model_type", "dict_type"):
        message = f"{message} (got {shown(error['input'])})"
    return f"{_where(tuple(error['loc']), document)}: {message}"


def _validate_entries(
    document: dict, key: str, model: type[Item | Measure]
) -> tuple[list, list[str]]:
    """Each entry of a list on its own, so that one broken entry hides nothing of the others."""
    entries, problems = [], []
    raw_entries = document.get(key) or []
    if not isinstance(raw_entries, list):
        return [], [f"{key}: must be a list"]
    for index, raw in enumerate(raw_entries):
        try:
            entries.append(model.model_validate(raw))
        except ValidationError as error:
            problems += [
                _describe({**entry, "loc": (key, index, *entry["loc"])}, document)
                for entry in error.errors()
            ]
    return entries, problems


@dataclass(frozen=True)
class StoreContext:
    """What a publication is judged against beyond its own jurisdiction's last version (SPEC
    §11): the lists the store's national catalogue declares (any of its versions; None when
    no national version is published), and the sources other jurisdictions declare
    (source code → jurisdiction), since a source code is unique in the store."""

    national_lists: frozenset[str] | None = None
    sources_elsewhere: Mapping[str, str] = field(default_factory=dict)


def validate_catalogue(
    document: Any,
    previous: Catalogue | None = None,
    not_before: dt.date | None = None,
    context: StoreContext | None = None,
) -> CatalogueReport:
    """Check `document` (parsed YAML) for publication after `previous`, the last version its
    jurisdiction published.

    `not_before` is the first day the version may take effect (SPEC §10.6: the day of
    publication, when the store holds records; None when it may load its history). `context`:
    the rest of the store (SPEC §11); None judges the catalogue as if it were alone."""
    if not isinstance(document, dict):
        return CatalogueReport(None, ["the catalogue must be a YAML mapping"])
    problems: list[str] = []
    try:
        # The frame first, without its items and measures; they are checked one by one.
        head = Catalogue.model_validate({**document, "items": [], "measures": []})
    except ValidationError as error:
        head = None
        problems += [_describe(entry, document) for entry in error.errors()]
    if "items" not in document:
        problems.append("items: missing field")
    jurisdiction = document.get("jurisdiction")
    if not (isinstance(jurisdiction, str) and jurisdiction.strip() == NATIONAL):
        # A local catalogue ranks its subjects (SPEC §3); the national one may not (§11).
        problems += [
            f"{key}: missing field" for key in ("base_score", "tiers") if key not in document
        ]
    items, item_problems = _validate_entries(document, "items", Item)
    measures, measure_problems = _validate_entries(document, "measures", Measure)
    problems += item_problems + measure_problems
    if isinstance(document.get("items"), list):
        problems += _duplicate_codes(document["items"])
        problems += _item_reference_problems(document)
    if isinstance(document.get("measures"), list):
        problems += _measure_ground_problems(document["measures"])
    if head is None:
        return CatalogueReport(None, problems)

    catalogue = head.model_copy(update={"items": items, "measures": measures})
    problems += _jurisdiction_problems(catalogue, document, context or StoreContext())
    problems += _cross_checks(catalogue)
    if previous is not None:
        problems += _order_after(catalogue, previous)
    if not_before is not None and catalogue.effective_from < not_before:
        problems.append(
            f"effective_from: {catalogue.effective_from} lies before the day of publication "
            f"({not_before}) and the store holds records: a rule is never back-dated (SPEC §10.6)"
        )
    report = CatalogueReport(catalogue, problems, _unknown_keys(catalogue))
    if problems:
        report.catalogue = None
    return report


def _duplicate_codes(raw_items: list[Any]) -> list[str]:
    codes = Counter(
        raw.get("code").strip()
        for raw in raw_items
        if isinstance(raw, dict) and isinstance(raw.get("code"), str)
    )
    return [
        f"item {code!r}: duplicate item code ({count} items)"
        for code, count in codes.items()
        if count > 1
    ]


def _declared(document: dict, key: str) -> set[str] | None:
    """The names a mapping of the document declares; None when it is not a mapping (a problem
    reported already, and no ground to judge references by)."""
    declared = document.get(key, {})
    if not isinstance(declared, dict):
        return None
    return {name.strip() for name in declared if isinstance(name, str)}


def _texts(value: Any) -> list[str]:
    """The strings of a list field as submitted, trimmed (the model trims them too)."""
    if not isinstance(value, list | tuple):
        return []
    return [entry.strip() for entry in value if isinstance(entry, str)]


def _item_reference_problems(document: dict) -> list[str]:
    """Declared issuers and lists, and prohibited grounds, read from each item as submitted:
    an item with one bad field (which the model refuses) still has these checked."""
    sources, lists = _declared(document, "sources"), _declared(document, "lists")
    problems = []
    for index, raw in enumerate(document["items"]):
        if not isinstance(raw, dict):
            continue
        code = raw.get("code")
        code = code.strip() if isinstance(code, str) else ""
        name = f"item {code!r}" if code else f"items[{index}]"
        for issuer in _texts(raw.get("issuers")) if sources is not None else []:
            if issuer not in sources:
                problems.append(f"{name}: issuer {issuer!r} is not a declared source")
        for list_name in _texts(raw.get("lists")) if lists is not None else []:
            if list_name not in lists:
                problems.append(f"{name}: list {list_name!r} is not declared")
        texts = [raw.get(key) for key in ("code", "title", "description")]
        titles = raw.get("titles")
        texts += list(titles.values()) if isinstance(titles, dict) else []
        found = find_prohibited_ground(*(text for text in texts if isinstance(text, str)))
        if found:
            problems.append(
                f"{name}: scores a prohibited ground ({found.ground.description}): {found.term!r}"
            )
    return problems


def _measure_ground_problems(raw_measures: list[Any]) -> list[str]:
    """SPEC §10.5: a measure's code and titles read against the prohibited grounds and the
    subject's relatives, as submitted, so that a measure with a bad field is still read."""
    problems = []
    for index, raw in enumerate(raw_measures):
        if not isinstance(raw, dict):
            continue
        code = raw.get("code").strip() if isinstance(raw.get("code"), str) else ""
        titles = raw.get("titles")
        texts = [raw.get("code"), raw.get("title")]
        texts += list(titles.values()) if isinstance(titles, dict) else []
        found = find_prohibited_in_measure(*(text for text in texts if isinstance(text, str)))
        if found:
            name = f"measure {code!r}" if code else f"measures[{index}]"
            problems.append(
                f"{name}: reaches a prohibited ground ({found.ground.description}): {found.term!r}"
            )
    return problems


def _jurisdiction_problems(
    catalogue: Catalogue, document: dict, context: StoreContext
) -> list[str]:
    """SPEC §11: the national catalogue scores nothing and ranks nobody (no base score, tiers,
    score thresholds, points or floors); a local one has a base score and tiers, and floors only
    on the national lists the store declares. No source of another jurisdiction."""
    problems = []
    if catalogue.national:
        for key in ("base_score", "tiers", "national_floors"):
            if key in document:
                problems.append(
                    f"{key}: the national catalogue has none (it scores nobody; its lists "
                    "apply in every jurisdiction)"
                )
        for name, definition in catalogue.lists.items():
            if definition.score_below is not None or definition.score_at_least is not None:
                problems.append(
                    f"list {name!r}: a national list has no score threshold (only records "
                    "put a subject on it)"
                )
        for item in catalogue.items:
            if item.points != 0:
                problems.append(
                    f"item {item.code!r}: points {item.points}; every national item has points 0"
                )
    else:
        if "tiers" in document and not catalogue.tiers:
            problems.append("tiers: a local catalogue needs at least one tier")
        known = context.national_lists
        for name in catalogue.national_floors:
            if known is None:
                problems.append(
                    f"national_floors: {name!r}: no national catalogue is published; publish "
                    "it before a local catalogue that sets floors on its lists"
                )
            elif name not in known:
                declared = ", ".join(sorted(known)) or "none"
                problems.append(
                    f"national_floors: {name!r} is not a national list (declared: {declared})"
                )
    for code in catalogue.sources:
        owner = context.sources_elsewhere.get(code)
        if owner is not None and owner != catalogue.jurisdiction:
            problems.append(
                f"source {code!r}: declared by jurisdiction {owner!r}; a source belongs to one "
                "jurisdiction and its code is unique in the store"
            )
    return problems


def _cross_checks(catalogue: Catalogue) -> list[str]:
    problems = _tier_problems(catalogue) if catalogue.tiers else []
    for list_name, definition in catalogue.lists.items():
        found = find_prohibited_ground(list_name, definition.title, *definition.titles.values())
        if found:
            problems.append(
                f"list {list_name!r}: names a prohibited ground "
                f"({found.ground.description}): {found.term!r}"
            )
    problems += _measure_problems(catalogue)
    problems += _severity_problems(catalogue)
    problems += _measure_law_problems(catalogue)
    return problems


def _tier_problems(catalogue: Catalogue) -> list[str]:
    problems = []
    tiers = catalogue.tiers
    for name, count in Counter(tier.name for tier in tiers).items():
        if count > 1:
            problems.append(f"tier {name!r}: duplicate tier name")
    for tier in tiers[:-1]:
        if tier.min is None:
            problems.append(f"tier {tier.name!r}: every tier but the last needs a min")
    if tiers[-1].min is not None:
        problems.append(f"tier {tiers[-1].name!r}: the last tier must have no min")
    minimums = [tier for tier in tiers[:-1] if tier.min is not None]
    for higher, lower in zip(minimums, minimums[1:]):
        if not higher.min > lower.min:
            problems.append(
                f"tier {lower.name!r}: tiers must be strictly descending "
                f"({lower.min} is not below {higher.name}'s {higher.min})"
            )
    return problems


def _measure_problems(catalogue: Catalogue) -> list[str]:
    problems = []
    tier_names = {tier.name for tier in catalogue.tiers}
    for code, count in Counter(measure.code for measure in catalogue.measures).items():
        if count > 1:
            problems.append(f"measure {code!r}: duplicate measure code")
    for measure in catalogue.measures:
        applies_to = measure.applies_to
        if applies_to.list_name is not None and applies_to.list_name not in catalogue.lists:
            problems.append(
                f"measure {measure.code!r}: list {applies_to.list_name!r} is not declared"
            )
        for tier in applies_to.tier_names():
            if tier not in tier_names:
                problems.append(f"measure {measure.code!r}: tier {tier!r} is not declared")
    return problems


def _severity_problems(catalogue: Catalogue) -> list[str]:
    """SPEC §10.1: a negative item names its severity and counts within that severity's window;
    an item with points ≥ 0 names none. (An unknown severity the model refuses already.)"""
    problems = []
    for item in catalogue.items:
        name = f"item {item.code!r}"
        if item.points < 0 and item.severity is None:
            problems.append(
                f"{name}: points {item.points} are negative, so it needs a severity "
                "(minor, ordinary or serious)"
            )
        elif item.points >= 0 and item.severity is not None:
            problems.append(
                f"{name}: severity {item.severity!r} on an item with points {item.points}; "
                "only items with negative points have a severity"
            )
        elif item.severity is not None:
            shortest, longest = SEVERITY_COUNTS_FOR_DAYS[item.severity]
            if not shortest <= item.counts_for_days <= longest:
                problems.append(
                    f"{name}: counts_for_days {item.counts_for_days} lies outside the "
                    f"{item.severity} window ({shortest}–{longest} days)"
                )
    return problems


def _measure_law_problems(catalogue: Catalogue) -> list[str]:
    """SPEC §10.5: every measure names its kind and legal basis, and a sanction applies only to
    a list entered through items, never to tiers or a list a score defines: nobody is
    sanctioned for a score alone."""
    problems = []
    score_lists = catalogue.score_defined_lists()
    for measure in catalogue.measures:
        name = f"measure {measure.code!r}"
        if measure.kind is None:
            problems.append(f"{name}: kind: missing field (sanction or reward)")
        if measure.legal_basis is None:
            problems.append(f"{name}: legal_basis: missing field")
        if measure.kind != "sanction":
            continue
        applies_to = measure.applies_to
        if applies_to.tier_names():
            problems.append(
                f"{name}: a sanction may not apply to tiers ({', '.join(applies_to.tier_names())})"
                ": a score alone is no ground for a sanction; apply it to a list entered "
                "through items"
            )
        elif applies_to.list_name in score_lists:
            problems.append(
                f"{name}: a sanction may not apply to list {applies_to.list_name!r}, which a "
                "score defines: a score alone is no ground for a sanction; apply it to a list "
                "entered through items"
            )
    return problems


def _order_after(catalogue: Catalogue, previous: Catalogue) -> list[str]:
    problems = []
    if catalogue.catalog != previous.catalog:
        hint = (
            "; name another jurisdiction (`jurisdiction: ...`) to publish another catalogue"
            if catalogue.jurisdiction != NATIONAL
            else ""
        )
        problems.append(
            f"catalog: jurisdiction {catalogue.jurisdiction!r} publishes {previous.catalog!r}, "
            f"not {catalogue.catalog!r}{hint}"
        )
    if catalogue.version <= previous.version:
        problems.append(
            f"version: {catalogue.version} is not higher than the published version "
            f"{previous.version}"
        )
    if catalogue.effective_from <= previous.effective_from:
        problems.append(
            f"effective_from: {catalogue.effective_from} is not later than version "
            f"{previous.version}'s {previous.effective_from}"
        )
    return problems


def _unknown_keys(catalogue: Catalogue) -> list[str]:
    warnings = [
        f"unknown key {key!r} at the top level is ignored" for key in (catalogue.model_extra or {})
    ]
    for index, item in enumerate(catalogue.items):
        for key in item.model_extra or {}:
            warnings.append(f"item {item.code!r} (items[{index}]): unknown key {key!r} is ignored")
            if len(warnings) >= MAX_REPORTED_WARNINGS:
                return warnings + ["(further unknown keys not listed)"]
    return warnings
