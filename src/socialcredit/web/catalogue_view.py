"""What the public catalogue pages show: items found by a search, an item across versions.

Read-only views over published catalogue versions (the registry's rulebook); nothing here
decides what a record is worth.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from socialcredit.domain.catalogue import Catalogue, Item

SEARCH_MAX_RESULTS = 200  # a page a person can read; narrow the search for more
# The fields of an item whose changes its history shows, in the order a reader cares about.
HISTORY_FIELDS = (
    "title",
    "points",
    "counts_for_days",
    "cap_per_year",
    "lists",
    "issuers",
    "legal_basis",
    "subject",
)


def title_in(thing: object, language: str) -> str:
    """A catalogue title in `language` where the catalogue gives one, else as published."""
    titles = getattr(thing, "titles", None) or {}
    return titles.get(language) or getattr(thing, "title", "") or getattr(thing, "name", "")


def search_items(
    catalogue: Catalogue, query: str, kind: str | None = None
) -> tuple[list[Item], int]:
    """Items whose code, title (any language), description or legal basis holds every word."""
    words = query.casefold().split()
    found = []
    for item in catalogue.items:
        if kind and item.subject != kind:
            continue
        text = " ".join(
            [item.code, item.title, item.description, item.legal_basis, *item.titles.values()]
        ).casefold()
        if all(word in text for word in words):
            found.append(item)
    return found[:SEARCH_MAX_RESULTS], len(found)


@dataclass(frozen=True)
class Change:
    field: str
    before: object
    after: object


@dataclass(frozen=True)
class VersionEntry:
    version: int
    effective_from: dt.date
    state: str  # added | changed | unchanged | removed
    changes: list[Change]


def item_of(catalogue: Catalogue, code: str) -> Item | None:
    return next((item for item in catalogue.items if item.code == code), None)


def _value(item: Item, field: str) -> object:
    value = getattr(item, field)
    return tuple(value) if isinstance(value, list | tuple) else value


def item_history(catalogues: tuple[Catalogue, ...], code: str) -> list[VersionEntry]:
    """How `code` read in every published version, oldest first: what changed and when."""
    history: list[VersionEntry] = []
    previous: Item | None = None
    for catalogue in catalogues:
        item = item_of(catalogue, code)
        if item is None:
            if previous is not None:
                history.append(
                    VersionEntry(catalogue.version, catalogue.effective_from, "removed", [])
                )
            previous = None
            continue
        if previous is None:
            state, changes = "added", []
        else:
            changes = [
                Change(field, _value(previous, field), _value(item, field))
                for field in HISTORY_FIELDS
                if _value(previous, field) != _value(item, field)
            ]
            state = "changed" if changes else "unchanged"
        history.append(VersionEntry(catalogue.version, catalogue.effective_from, state, changes))
        previous = item
    return history


def item_titles(catalogues: tuple[Catalogue, ...], language: str) -> dict[str, str]:
    """Each item's title in `language`, as the latest version that has the item words it."""
    return {
        item.code: title_in(item, language) for catalogue in catalogues for item in catalogue.items
    }


def source_names(catalogues: tuple[Catalogue, ...], language: str) -> dict[str, str]:
    return {
        code: source.names.get(language) or source.name
        for catalogue in catalogues
        for code, source in catalogue.sources.items()
    }


def list_titles(catalogues: tuple[Catalogue, ...], language: str) -> dict[str, str]:
    return {
        name: title_in(definition, language)
        for catalogue in catalogues
        for name, definition in catalogue.lists.items()
    }
