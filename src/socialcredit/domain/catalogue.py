"""The published catalogue (SPEC §3): a typed model of one version.

Structural rules (types, required fields, bounds) live on the models; rules that relate one
part of the catalogue to another (declared issuers, tier order, prohibited grounds, version
order) live in `socialcredit.catalogue.validation`, which reports every problem at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)

from socialcredit.domain.identifiers import SubjectKind

# No control characters in published text (tab and line breaks aside in titles): they mean
# nothing to a reader, and PostgreSQL cannot store a NUL.
NO_CONTROL_CHARACTERS = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
NO_CONTROL_CHARACTERS_OR_BREAKS = r"^[^\x00-\x1f\x7f]*$"
NonEmptyText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, pattern=NO_CONTROL_CHARACTERS)
]
# A title in other languages, keyed by language code (`titles: {zh: 闯红灯}`); the web pages
# show and search them. The published `title` stays the one of record.
Translations = dict[Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")], NonEmptyText]
Code = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=128, pattern=NO_CONTROL_CHARACTERS_OR_BREAKS
    ),
]

# The numbers the scorers represent (SPEC §3 is silent; the README states them). With these,
# points × quantity (quantity ≤ 2,147,483,647) stays below 2^61, so one record never leaves a
# 64-bit integer, and the batch scorer widens its sums when a ledger could (scoring/batch.py).
MAX_ITEM_POINTS = 1_000_000_000
# Every day of the calendar from 0001-01-01 to 9999-12-31: a longer period means nothing.
MAX_COUNTS_FOR_DAYS = dt.date.max.toordinal()
MAX_CAP_PER_YEAR = 10**18
# base_score, tier minimums and list thresholds.
MAX_SCORE_MAGNITUDE = 10**18


def _calendar_day(value: object) -> object:
    """A day as YYYY-MM-DD (or the date YAML already read), never a time, a number or a
    looser spelling: pydantic alone would take `2024-01-01T00:00:00` and drop the time."""
    if isinstance(value, dt.datetime):
        raise ValueError("a time, not a day: give YYYY-MM-DD")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError("not a day as YYYY-MM-DD")


CalendarDay = Annotated[dt.date, BeforeValidator(_calendar_day)]

ItemPoints = Annotated[StrictInt, Field(ge=-MAX_ITEM_POINTS, le=MAX_ITEM_POINTS)]

# SPEC §10.1: every negative item names its severity; how long its records may count, and from
# which day after the decision its subject may apply for repair, follow from it.
Severity = Literal["minor", "ordinary", "serious"]
SEVERITIES: tuple[Severity, ...] = ("minor", "ordinary", "serious")
SEVERITY_COUNTS_FOR_DAYS: dict[Severity, tuple[int, int]] = {
    "minor": (1, 90),
    "ordinary": (90, 365),
    "serious": (365, 1095),
}
REPAIR_AFTER_DAYS: dict[Severity, int] = {"minor": 0, "ordinary": 90, "serious": 365}
# SPEC §10.4: a repeat multiplies a record's value by an integer from 2 to 5.
MIN_REPEAT_FACTOR = 2
MAX_REPEAT_FACTOR = 5
# SPEC §10.5: what a measure does to its subject.
MeasureKind = Literal["sanction", "reward"]
MEASURE_KINDS: tuple[MeasureKind, ...] = ("sanction", "reward")
ScoreNumber = Annotated[StrictInt, Field(ge=-MAX_SCORE_MAGNITUDE, le=MAX_SCORE_MAGNITUDE)]

# SPEC §11: every catalogue names its jurisdiction; `national` is the nation's, whose lists apply
# in every jurisdiction; a catalogue that names none belongs to `default` (stores made before
# §11 keep working as that one jurisdiction).
NATIONAL = "national"
DEFAULT_JURISDICTION = "default"
JURISDICTION_PATTERN = r"^[a-z0-9-]+$"
MAX_JURISDICTION_CHARS = 64
# A national list as every jurisdiction's output names it: `national.LIST`.
NATIONAL_LIST_PREFIX = "national."
JurisdictionName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=MAX_JURISDICTION_CHARS,
        pattern=JURISDICTION_PATTERN,
    ),
]


def national_list_name(name: str) -> str:
    """A national list as a jurisdiction's output shows it (SPEC §11)."""
    return NATIONAL_LIST_PREFIX + name


class _Model(BaseModel):
    # Unknown keys are kept (and reported as warnings by the validator) rather than refused:
    # a catalogue may carry annotations the registry does not use.
    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)


class Tier(_Model):
    name: Code
    min: ScoreNumber | None = None


class ListDefinition(_Model):
    title: NonEmptyText
    titles: Translations = {}
    score_below: ScoreNumber | None = None
    score_at_least: ScoreNumber | None = None

    @model_validator(mode="after")
    def _one_threshold(self) -> ListDefinition:
        if self.score_below is not None and self.score_at_least is not None:
            raise ValueError("give score_below or score_at_least, not both")
        return self


class Source(_Model):
    name: NonEmptyText
    names: Translations = {}


class Repeat(_Model):
    """SPEC §10.4: a record's value is multiplied by `factor` when the same subject has another
    active record of the item decided in the `within_days` days before it."""

    within_days: Annotated[StrictInt, Field(ge=1, le=MAX_COUNTS_FOR_DAYS)]
    factor: Annotated[StrictInt, Field(ge=MIN_REPEAT_FACTOR, le=MAX_REPEAT_FACTOR)]


class Item(_Model):
    code: Code
    title: NonEmptyText
    titles: Translations = {}
    description: Annotated[str, StringConstraints(pattern=NO_CONTROL_CHARACTERS)] = ""
    subject: SubjectKind
    points: ItemPoints
    counts_for_days: Annotated[StrictInt, Field(ge=1, le=MAX_COUNTS_FOR_DAYS)]
    cap_per_year: Annotated[StrictInt, Field(ge=1, le=MAX_CAP_PER_YEAR)] | None = None
    issuers: Annotated[list[Code], Field(min_length=1)]
    legal_basis: NonEmptyText
    lists: tuple[Code, ...] = ()
    # Optional here, so that versions published before SPEC §10 still load and score as they
    # did; publication requires them where §10 does (`catalogue.validation`).
    severity: Severity | None = None
    repairable: StrictBool = True
    repeat: Repeat | None = None


class AppliesTo(_Model):
    # `list` is the YAML key; the attribute has another name so it does not shadow the type.
    list_name: Code | None = Field(default=None, alias="list")
    tier: Code | None = None
    tiers: Annotated[list[Code], Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> AppliesTo:
        given = [name for name in ("list_name", "tier", "tiers") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("applies_to takes exactly one of list, tier, tiers")
        return self

    def tier_names(self) -> tuple[str, ...]:
        if self.tier is not None:
            return (self.tier,)
        return tuple(self.tiers or ())


class Measure(_Model):
    code: Code
    title: NonEmptyText
    titles: Translations = {}
    applies_to: AppliesTo
    relying_parties: list[Code] = []
    # Required at publication (SPEC §10.5); optional here for versions published before it.
    kind: MeasureKind | None = None
    legal_basis: NonEmptyText | None = None


class Catalogue(_Model):
    catalog: Code
    jurisdiction: JurisdictionName = DEFAULT_JURISDICTION  # SPEC §11
    version: Annotated[StrictInt, Field(ge=1)]
    effective_from: CalendarDay
    # Required of a local catalogue, refused on the national one (SPEC §11): the validator
    # (`catalogue.validation`) says which; the model takes both shapes.
    base_score: ScoreNumber | None = None
    tiers: list[Tier] = []
    lists: dict[Code, ListDefinition] = {}
    sources: dict[Code, Source]
    items: list[Item]
    measures: list[Measure] = []
    # SPEC §11: while the subject is on national list LIST at T, its local score is at most
    # SCORE (a local catalogue only).
    national_floors: dict[Code, ScoreNumber] = {}

    @property
    def national(self) -> bool:
        """Whether this is the nation's catalogue (SPEC §11)."""
        return self.jurisdiction == NATIONAL

    @property
    def base(self) -> int:
        """The base score of a local catalogue (0 for the national one, which scores nothing)."""
        return self.base_score or 0

    def floor_for(self, national_lists: Iterable[str]) -> int | None:
        """SPEC §11: the lowest floor among the national lists the subject is on (bare names),
        or None when none of them has a floor here."""
        floors = [
            self.national_floors[name] for name in national_lists if name in self.national_floors
        ]
        return min(floors) if floors else None

    def tier_for(self, score: int) -> str:
        """SPEC §5.5: the first tier whose min the score reaches, else the last tier."""
        for tier in self.tiers:
            if tier.min is not None and score >= tier.min:
                return tier.name
        return self.tiers[-1].name

    def score_defined_lists(self) -> set[str]:
        """The lists a score alone puts a subject on (`score_below`, `score_at_least`)."""
        return {
            name
            for name, definition in self.lists.items()
            if definition.score_below is not None or definition.score_at_least is not None
        }

    def threshold_lists(self, score: int) -> set[str]:
        """SPEC §5.6, first half: the lists a score alone puts a subject on."""
        return {
            name
            for name, definition in self.lists.items()
            if (definition.score_below is not None and score < definition.score_below)
            or (definition.score_at_least is not None and score >= definition.score_at_least)
        }
