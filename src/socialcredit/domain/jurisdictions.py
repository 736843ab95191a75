"""Several jurisdictions, one nation (SPEC §11): every published version grouped by the
jurisdiction its catalogue names, a rulebook per jurisdiction, and which jurisdiction each
source belongs to.

A store made before §11 holds one jurisdiction, `default`; the registry then behaves as it
always did. The national catalogue (`national`) scores nobody: its records put subjects on the
national lists that every local jurisdiction's output shows as `national.LIST`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import cached_property

from socialcredit.domain.catalogue import NATIONAL, Catalogue
from socialcredit.domain.refusals import Refused
from socialcredit.domain.rules import Rulebook


class UnknownJurisdiction(Refused):
    """A jurisdiction the store has no catalogue for."""


class JurisdictionRequired(Refused):
    """The store has several local jurisdictions and the request named none."""


class Jurisdictions:
    """Every published version, by jurisdiction."""

    def __init__(self, catalogues: Sequence[Catalogue]):
        grouped: dict[str, list[Catalogue]] = defaultdict(list)
        for catalogue in catalogues:
            grouped[catalogue.jurisdiction].append(catalogue)
        self.rulebooks: dict[str, Rulebook] = {
            name: Rulebook(versions) for name, versions in sorted(grouped.items())
        }

    def __bool__(self) -> bool:
        return bool(self.rulebooks)

    @property
    def national(self) -> Rulebook:
        """The national rulebook (empty when no national catalogue is published)."""
        return self.rulebooks.get(NATIONAL) or Rulebook([])

    @cached_property
    def local_names(self) -> tuple[str, ...]:
        """Every local jurisdiction with a published catalogue, sorted."""
        return tuple(name for name in self.rulebooks if name != NATIONAL)

    @cached_property
    def names(self) -> tuple[str, ...]:
        """Every jurisdiction with a published catalogue, the national one included, sorted."""
        return tuple(self.rulebooks)

    def latest(self, jurisdiction: str) -> Catalogue | None:
        """The last version `jurisdiction` published, or None."""
        rulebook = self.rulebooks.get(jurisdiction)
        return rulebook.latest if rulebook else None

    def choose(self, jurisdiction: str | None) -> str | None:
        """The local jurisdiction a request means: the one it names (UnknownJurisdiction when the
        store has none of that name), else the store's only local one (None when it has none;
        JurisdictionRequired when it has several)."""
        if jurisdiction is not None:
            if jurisdiction not in self.local_names:
                known = ", ".join(self.local_names) or "none"
                raise UnknownJurisdiction(
                    f"unknown jurisdiction {jurisdiction!r}; local jurisdictions: {known}"
                )
            return jurisdiction
        if len(self.local_names) > 1:
            raise JurisdictionRequired(
                "the store has several local jurisdictions "
                f"({', '.join(self.local_names)}): name one"
            )
        return self.local_names[0] if self.local_names else None

    def local(self, jurisdiction: str | None) -> Rulebook:
        """The rulebook of `choose(jurisdiction)` (an empty one when there is none)."""
        chosen = self.choose(jurisdiction)
        return self.rulebooks[chosen] if chosen is not None else Rulebook([])

    @cached_property
    def source_jurisdiction(self) -> dict[str, str]:
        """Each source and the jurisdiction whose catalogue declares it (a source code is unique
        in the store: publication refuses another jurisdiction's)."""
        return {
            code: name
            for name, rulebook in self.rulebooks.items()
            for code in rulebook.source_codes
        }

    @cached_property
    def source_codes(self) -> frozenset[str]:
        """Every source declared by any jurisdiction: who may submit at all."""
        return frozenset(self.source_jurisdiction)

    def sources_of(self, jurisdiction: str) -> frozenset[str]:
        rulebook = self.rulebooks.get(jurisdiction)
        return rulebook.source_codes if rulebook else frozenset()

    def rulebook_of_source(self, source: str) -> Rulebook:
        """The rulebook that judges `source`'s records (an empty one for an unknown source)."""
        jurisdiction = self.source_jurisdiction.get(source)
        return self.rulebooks[jurisdiction] if jurisdiction else Rulebook([])

    @cached_property
    def national_lists(self) -> frozenset[str] | None:
        """The lists any national version declares; None when none is published."""
        national = self.rulebooks.get(NATIONAL)
        if national is None:
            return None
        return frozenset(name for catalogue in national.catalogues for name in catalogue.lists)
