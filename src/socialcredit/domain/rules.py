"""Compiled rules: every published catalogue version, indexed once for both scorers.

A record is judged and scored by the version in effect on its decision date (SPEC §4.2, §5.1);
tiers, list thresholds and the base score come from the version in effect on the scoring date.
`Rulebook` answers both questions, for one record (`rule_for`) and, as a Polars frame, for a
whole ledger (`item_rules_frame`).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import polars as pl

from socialcredit.domain.catalogue import Catalogue, Repeat, Severity
from socialcredit.domain.identifiers import SubjectKind


class AsOfBeforeCatalogue(ValueError):
    """SPEC §5.9: scoring before the first version's effective date is an error, not a score."""


@dataclass(frozen=True, slots=True)
class ItemRule:
    version: int
    code: str
    title: str
    subject_kind: SubjectKind
    points: int
    counts_for_days: int
    cap_per_year: int | None
    lists: tuple[str, ...]
    issuers: frozenset[str]
    legal_basis: str
    severity: Severity | None = None  # SPEC §10.1
    repairable: bool = True
    repeat: Repeat | None = None  # SPEC §10.4

    @property
    def repeat_factor(self) -> int:
        """What a repeated record's value is multiplied by (1: the item declares no repeat)."""
        return 1 if self.repeat is None else self.repeat.factor


class Rulebook:
    def __init__(self, catalogues: Sequence[Catalogue]):
        self.catalogues: tuple[Catalogue, ...] = tuple(
            sorted(catalogues, key=lambda catalogue: catalogue.effective_from)
        )
        self.effective_dates: tuple[dt.date, ...] = tuple(
            catalogue.effective_from for catalogue in self.catalogues
        )
        self._rules: dict[tuple[int, str], ItemRule] = {
            (catalogue.version, item.code): ItemRule(
                version=catalogue.version,
                code=item.code,
                title=item.title,
                subject_kind=item.subject,
                points=item.points,
                counts_for_days=item.counts_for_days,
                cap_per_year=item.cap_per_year,
                lists=tuple(item.lists),
                issuers=frozenset(item.issuers),
                legal_basis=item.legal_basis,
                severity=item.severity,
                repairable=item.repairable,
                repeat=item.repeat,
            )
            for catalogue in self.catalogues
            for item in catalogue.items
        }

    def __bool__(self) -> bool:
        return bool(self.catalogues)

    @property
    def latest(self) -> Catalogue | None:
        return self.catalogues[-1] if self.catalogues else None

    def version_on(self, day: dt.date) -> Catalogue | None:
        """The version in effect on `day`, or None before the first one."""
        position = bisect.bisect_right(self.effective_dates, day) - 1
        return self.catalogues[position] if position >= 0 else None

    def scoring_version(self, as_of: dt.date) -> Catalogue:
        catalogue = self.version_on(as_of)
        if catalogue is None:
            first = self.effective_dates[0] if self.effective_dates else None
            raise AsOfBeforeCatalogue(
                f"no catalogue version is in effect on {as_of}"
                + (f"; the first takes effect on {first}" if first else "; none is published")
            )
        return catalogue

    def rule(self, version: int, code: str) -> ItemRule | None:
        return self._rules.get((version, code))

    def rule_for(self, item: str, decided_on: dt.date) -> ItemRule | None:
        """The rule that scores a record of `item` decided on `decided_on`, if any."""
        catalogue = self.version_on(decided_on)
        return None if catalogue is None else self.rule(catalogue.version, item)

    @cached_property
    def source_codes(self) -> frozenset[str]:
        """Every source declared by any published version: who may submit at all."""
        return frozenset(code for catalogue in self.catalogues for code in catalogue.sources)

    @cached_property
    def titles(self) -> dict[str, str]:
        """Each item's title, as the latest version that has the item words it."""
        return {rule.code: rule.title for rule in self._rules.values()}

    @cached_property
    def item_list_names(self) -> tuple[str, ...]:
        """Every list that some item of some version puts its subjects on, sorted."""
        return tuple(sorted({name for rule in self._rules.values() for name in rule.lists}))

    @cached_property
    def repeat_item_codes(self) -> tuple[str, ...]:
        """Every item that declares a repeat in some version (SPEC §10.4), sorted."""
        return tuple(sorted({rule.code for rule in self._rules.values() if rule.repeat}))

    @cached_property
    def max_repeat_factor(self) -> int:
        """The most a repeat multiplies a record's value by (1 when no item repeats)."""
        return max((rule.repeat_factor for rule in self._rules.values()), default=1)

    @cached_property
    def item_rules_frame(self) -> pl.DataFrame:
        """One row per (version index, item): the vectorized twin of `rule`.

        `version_index` is the position in effective-date order, which is what a
        `search_sorted` over `effective_dates` yields for a decision date.
        """
        index_of_version = {
            catalogue.version: index for index, catalogue in enumerate(self.catalogues)
        }
        rules = list(self._rules.values())
        return pl.DataFrame(
            {
                "version_index": [index_of_version[rule.version] for rule in rules],
                "version": [rule.version for rule in rules],
                "item": [rule.code for rule in rules],
                "subject_kind": [rule.subject_kind for rule in rules],
                "points": [rule.points for rule in rules],
                "counts_for_days": [rule.counts_for_days for rule in rules],
                "cap_per_year": [rule.cap_per_year for rule in rules],
                "lists": [list(rule.lists) for rule in rules],
                "issuers": [sorted(rule.issuers) for rule in rules],
                "repeat_within_days": [
                    rule.repeat.within_days if rule.repeat else None for rule in rules
                ],
                "repeat_factor": [rule.repeat.factor if rule.repeat else None for rule in rules],
            },
            schema={
                "version_index": pl.Int32,
                "version": pl.Int64,
                "item": pl.String,
                "subject_kind": pl.String,
                "points": pl.Int64,
                "counts_for_days": pl.Int32,
                "cap_per_year": pl.Int64,
                "lists": pl.List(pl.String),
                "issuers": pl.List(pl.String),
                "repeat_within_days": pl.Int32,
                "repeat_factor": pl.Int64,
            },
        )

    def version_index_expr(self, decided_on: pl.Expr) -> pl.Expr:
        """Vectorized `version_on`: the index of the version in effect, or -1 before the first."""
        dates = pl.Series("effective_from", self.effective_dates, dtype=pl.Date)
        return pl.lit(dates).search_sorted(decided_on, side="right").cast(pl.Int32) - 1
