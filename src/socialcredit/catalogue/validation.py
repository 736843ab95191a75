"""Validating a catalogue for publication (SPEC §3): every problem at once, each one named.

Structure (types, required fields, bounds) is checked by the pydantic models item by item, so
that one broken item does not hide the problems of the others; then the rules that relate the
parts: unique codes, declared issuers and lists, tier order, prohibited grounds (of items,
lists and measures), and the order of versions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import ryaml
from pydantic import ValidationError

from socialcredit.catalogue.prohibited import find_prohibited_ground, find_prohibited_in_measure
from socialcredit.domain.catalogue import (
    NO_CONTROL_CHARACTERS,
    NO_CONTROL_CHARACTERS_OR_BREAKS,
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


def validate_catalogue(document: Any, previous: Catalogue | None = None) -> CatalogueReport:
    """Check `document` (parsed YAML) for publication after `previous`, the last published."""
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
    problems += _cross_checks(catalogue)
    if previous is not None:
        problems += _order_after(catalogue, previous)
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


def _cross_checks(catalogue: Catalogue) -> list[str]:
    problems = _tier_problems(catalogue)
    for list_name, definition in catalogue.lists.items():
        found = find_prohibited_ground(list_name, definition.title, *definition.titles.values())
        if found:
            problems.append(
                f"list {list_name!r}: names a prohibited ground "
                f"({found.ground.description}): {found.term!r}"
            )
    problems += _measure_problems(catalogue)
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


def _order_after(catalogue: Catalogue, previous: Catalogue) -> list[str]:
    problems = []
    if catalogue.catalog != previous.catalog:
        problems.append(
            f"catalog: this store publishes {previous.catalog!r}, not {catalogue.catalog!r}"
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
