"""Records as the ledger keeps them (SPEC §4).

The record model has exactly the fields of the contract and no others: there is nowhere to
put a political opinion, a religion, a relationship or a location, by construction (SPEC §1).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from socialcredit.domain.identifiers import SubjectKind

RecordStatus = Literal["active", "revoked"]
RECORD_STATUSES: tuple[RecordStatus, ...] = ("active", "revoked")

# The fields a source submits, in the order of SPEC §4.1 (and of the rejects file).
SUBMITTED_FIELDS = (
    "record_id",
    "revision",
    "item",
    "subject_id",
    "decided_on",
    "quantity",
    "reference",
    "status",
)
REQUIRED_FIELDS = ("record_id", "item", "subject_id", "decided_on", "reference")
FIELD_DEFAULTS = {"revision": "1", "quantity": "1", "status": "active"}
# The fields whose equality makes a resubmitted revision a duplicate rather than a conflict.
CONTENT_FIELDS = ("item", "subject_id", "decided_on", "quantity", "reference", "status")

# Quantities and revisions are stored as 32-bit integers; larger values are refused by name
# rather than overflowing silently.
MAX_COUNT = 2**31 - 1


@dataclass(frozen=True, slots=True)
class LedgerRecord:
    """One accepted revision of a record, with the source that submitted it."""

    source: str
    record_id: str
    revision: int
    item: str
    subject_kind: SubjectKind
    subject_id: str
    decided_on: dt.date
    quantity: int
    reference: str
    status: RecordStatus
