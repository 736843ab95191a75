"""Request and response models of the API, apart from the store's rows.

The catalogue and the batch's result are built here, field by field, from what the registry
returns. The subject's file, objections, statements and checks are the registry's documents
themselves, the ones the command line prints: one model each, so the two cannot differ.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from socialcredit.domain.limits import (
    EVIDENCE_MAX_CHARS,
    NOTE_MAX_CHARS,
    REASON_MAX_CHARS,
    RECORD_ID_MAX_CHARS,
    REFUSAL_MAX_CHARS,
    SOURCE_CODE_MAX_CHARS,
    STATEMENT_MAX_CHARS,
)
from socialcredit.registry import Objection, Repair


class _Public(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- catalogue -------------------------------------------------------------------------------


class TierPublic(_Public):
    name: str
    min: int | None


class ListPublic(_Public):
    name: str
    title: str
    score_below: int | None
    score_at_least: int | None


class RepeatPublic(_Public):
    within_days: int
    factor: int


class ItemPublic(_Public):
    code: str
    title: str
    subject: Literal["person", "organization"]
    points: int
    counts_for_days: int
    cap_per_year: int | None
    lists: list[str]
    issuers: list[str]
    legal_basis: str
    # SPEC §10.1, §10.4 (null where a version published before §10 names none).
    severity: Literal["minor", "ordinary", "serious"] | None
    repairable: bool
    repeat: RepeatPublic | None


class AppliesToPublic(_Public):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    # `list` in JSON, as in the catalogue; another name here so it does not shadow the type.
    list_name: str | None = Field(default=None, alias="list")
    tier: str | None = None
    tiers: list[str] | None = None


class MeasurePublic(_Public):
    code: str
    title: str
    applies_to: AppliesToPublic
    relying_parties: list[str]
    kind: Literal["sanction", "reward"] | None  # SPEC §10.5 (null: published before it)
    legal_basis: str | None


class SourcePublic(_Public):
    code: str
    name: str


class CataloguePublic(_Public):
    catalog: str
    jurisdiction: str = Field("default", description="SPEC §11; `national`: the nation's")
    version: int
    effective_from: dt.date
    base_score: int | None = Field(description="null for the national catalogue (SPEC §11)")
    tiers: list[TierPublic]
    lists: list[ListPublic]
    sources: list[SourcePublic]
    items: list[ItemPublic]
    measures: list[MeasurePublic]


class ListingPublic(_Public):
    """Why an organization is on a list: the deciding source, the decision's reference and
    date, and the last day it is published (SPEC §11; what Credit China publishes)."""

    list: str
    source: str
    reference: str
    decided_on: dt.date
    published_until: dt.date | None


class OrganizationLists(_Public):
    subject_id: str
    lists: list[str]
    jurisdiction: str | None = Field(
        None, description="the local jurisdiction read; null: the national lists alone"
    )
    listings: list[ListingPublic] = []


class NationalListPage(_Public):
    """One page of the organizations on a national list (persons are never listed)."""

    list: str
    as_of: dt.date
    search: str | None
    total: int
    offset: int
    organizations: list[str]


class JurisdictionPublic(_Public):
    jurisdiction: str
    national: bool
    catalog: str
    version: int | None = Field(description="the version in effect today; null before the first")
    sources: list[str]
    lists: list[str]


# -- records ---------------------------------------------------------------------------------


class RejectedRow(_Public):
    row: int = Field(description="1-based row number in the body (the CSV header is not a row)")
    reason: str


class BatchResult(_Public):
    batch: int
    accepted: int
    duplicates: int
    rejected: int
    rejects: list[RejectedRow]


# -- subjects' files, objections, statements, checks ------------------------------------------
# The registry's own documents (`domain/file.py`, `domain/objections.py`,
# `domain/measures.py`): the API shows them as `scs show --json` and `scs check --json` do.


class StatementIn(_Public):
    text: str = Field(
        min_length=1, max_length=STATEMENT_MAX_CHARS, description="the subject's own statement"
    )


class ObjectionIn(_Public):
    source: str = Field(min_length=1, max_length=SOURCE_CODE_MAX_CHARS)
    record_id: str = Field(min_length=1, max_length=RECORD_ID_MAX_CHARS)
    reason: str = Field(min_length=1, max_length=REASON_MAX_CHARS)


class UpholdIn(_Public):
    note: str | None = Field(default=None, max_length=NOTE_MAX_CHARS)


class ObjectionPage(_Public):
    objections: list[Objection]
    next: str | None = Field(description="the next page, or null on the last one")


class RepairIn(_Public):
    source: str = Field(min_length=1, max_length=SOURCE_CODE_MAX_CHARS)
    record_id: str = Field(min_length=1, max_length=RECORD_ID_MAX_CHARS)
    evidence: str = Field(
        min_length=1,
        max_length=EVIDENCE_MAX_CHARS,
        description="proof that the duty is performed and the subject's written commitment",
    )


class RepairRefusalIn(_Public):
    reason: str = Field(min_length=1, max_length=REFUSAL_MAX_CHARS)


class RepairPage(_Public):
    repairs: list[Repair]
    next: str | None = Field(description="the next page, or null on the last one")


# -- health ----------------------------------------------------------------------------------


class ListMoves(_Public):
    enter: int
    leave: int


class MeasureMoves(_Public):
    start: int
    stop: int


class ItemPoints(_Public):
    item: str
    points_before: int
    points_after: int


class SimulationReport(_Public):
    """SPEC §10.6: `scs catalog simulate --json`."""

    as_of: dt.date
    subjects: int
    subjects_changed: int = Field(description="subjects whose score, tier or lists differ")
    tier_changes: dict[str, int] = Field(description='"FROM>TO": subjects')
    lists: dict[str, ListMoves]
    measures: dict[str, MeasureMoves]
    items: list[ItemPoints] = Field(description="the ten whose summed value changes most")


class Health(_Public):
    status: Literal["ok"]


class Readiness(_Public):
    status: Literal["ready"]
    catalogue_versions: int
