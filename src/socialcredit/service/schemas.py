"""Request and response models of the API, apart from the store's rows and the core's types.

Changing a table or a dataclass does not change the API by accident: each response is built
here, field by field, from what the registry returns.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


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


class SourcePublic(_Public):
    code: str
    name: str


class CataloguePublic(_Public):
    catalog: str
    version: int
    effective_from: dt.date
    base_score: int
    tiers: list[TierPublic]
    lists: list[ListPublic]
    sources: list[SourcePublic]
    items: list[ItemPublic]
    measures: list[MeasurePublic]


class OrganizationLists(_Public):
    subject_id: str
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


# -- subjects' files -------------------------------------------------------------------------


class KeyFactorPublic(_Public):
    item: str
    title: str
    points: int


class RecordName(_Public):
    source: str
    record_id: str


class CountingRecordPublic(_Public):
    source: str
    record_id: str
    revision: int
    item: str
    title: str
    decided_on: dt.date
    quantity: int
    points: int
    value: int  # SPEC §10.4: points × quantity × repeat_factor
    repeat_factor: int
    act: str | None
    counted_once_with: RecordName | None  # SPEC §10.3: the record that scores for the act
    reference: str
    legal_basis: str
    catalogue_version: int
    counts_until: dt.date | None


class ObjectionPublic(_Public):
    number: int
    source: str
    record_id: str
    revision: int
    subject_id: str
    kind: Literal["person", "organization"]
    filed_on: dt.date
    due_on: dt.date
    reason: str
    state: Literal["open", "overdue", "upheld", "corrected", "revoked"]
    answered_on: dt.date | None
    note: str | None


class StatementPublic(_Public):
    text: str
    made_on: dt.date
    made_at: dt.datetime


class ViewPublic(_Public):
    viewed_at: dt.datetime
    viewer: str
    purpose: str
    channel: str


class SubjectFilePublic(_Public):
    subject_id: str
    kind: Literal["person", "organization"]
    as_of: dt.date
    catalogue_version: int
    base_score: int
    score: int
    tier: str
    lists: list[str]
    key_factors: list[KeyFactorPublic]
    counting_records: list[CountingRecordPublic]
    objections: list[ObjectionPublic]
    statement: StatementPublic | None
    views: list[ViewPublic]


# -- the subject's rights and the relying party's check ---------------------------------------


class StatementIn(_Public):
    text: str = Field(min_length=1, max_length=500, description="the subject's own statement")


class StatementOut(_Public):
    subject_id: str
    text: str
    made_on: dt.date
    made_at: dt.datetime


class ObjectionIn(_Public):
    source: str = Field(min_length=1, max_length=128)
    record_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)


class UpholdIn(_Public):
    note: str | None = Field(default=None, max_length=2000)


class ObjectionPage(_Public):
    objections: list[ObjectionPublic]
    next: str | None = Field(description="the next page, or null on the last one")


class CheckOut(_Public):
    measure: str
    as_of: dt.date
    applies: bool
    because: str | None = Field(description='"list:NAME", "tier:NAME", or null')
    catalogue_version: int


# -- health ----------------------------------------------------------------------------------


class Health(_Public):
    status: Literal["ok"]


class Readiness(_Public):
    status: Literal["ready"]
    catalogue_versions: int
