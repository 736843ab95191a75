"""The subject's file as everyone shows it (SPEC §7.4): one model, built once per reading.

`scs show --json`, `scs show`, `GET /v1/subjects/{id}` (and its OpenAPI schema) and the web
pages all render `FileDocument`; a field added here appears in each of them. The statement,
the objections (`domain/objections.py`) and the looks at the file are the same models from the
store up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass as plain_dataclass
from typing import Annotated

from pydantic import ConfigDict, Field, computed_field
from pydantic.dataclasses import dataclass

from socialcredit.domain.identifiers import SubjectKind, SubjectRef
from socialcredit.domain.objections import Objection
from socialcredit.domain.scoring import CountingRecord, KeyFactor, SubjectScore

CHECK_CHANNEL = "check"  # the channel a relying party's check is logged under (SPEC §7.3)

_DOCUMENT = ConfigDict(extra="forbid")


@dataclass(frozen=True, config=_DOCUMENT)
class FileView:
    """One look at a file: when, by whom, why, through which channel (SPEC §7.4)."""

    viewed_at: dt.datetime
    viewer: str
    purpose: str
    channel: str


@dataclass(frozen=True, config=_DOCUMENT)
class Statement:
    """The subject's own statement (SPEC §7.2). In the file: its text and when it was made."""

    subject_kind: Annotated[SubjectKind, Field(exclude=True)]
    subject_id: Annotated[str, Field(exclude=True)]
    text: str
    made_at: dt.datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def made_on(self) -> dt.date:
        return self.made_at.astimezone().date()


@dataclass(frozen=True, config=_DOCUMENT)
class KeptStatement(Statement):
    """The statement as leaving it answers: the same, naming its subject."""

    subject_id: str


@dataclass(frozen=True, config=_DOCUMENT)
class RecordName:
    """A record as a source names it."""

    source: str
    record_id: str


@dataclass(frozen=True, config=_DOCUMENT)
class FileRecord:
    """A record that counts, as the file shows it: what, when, by whom, on which law, how many
    points, until when (SPEC §1, §7.4); and why its points are not points × quantity (§10)."""

    source: str
    record_id: str
    revision: int
    item: str
    title: str
    decided_on: dt.date
    quantity: int
    points: int  # what it scores before caps: its value, or 0 when counted once with another
    value: int  # SPEC §10.4: points × quantity × repeat_factor
    repeat_factor: int  # 1 unless the record is a repeat
    act: str | None  # SPEC §4.1: the decision that established the act, if named
    counted_once_with: RecordName | None  # SPEC §10.3: the record that scores for the act
    reference: str
    legal_basis: str
    catalogue_version: int  # the version whose rule scores it (that of its decision date)
    counts_until: dt.date | None  # the last day it counts; None: beyond the calendar

    @classmethod
    def of(cls, counting: CountingRecord) -> FileRecord:
        record, rule = counting.record, counting.rule
        return cls(
            source=record.source,
            record_id=record.record_id,
            revision=record.revision,
            item=record.item,
            title=rule.title,
            decided_on=record.decided_on,
            quantity=record.quantity,
            points=counting.points,
            value=counting.value,
            repeat_factor=counting.repeat_factor,
            act=record.act,
            counted_once_with=None
            if counting.counted_once_with is None
            else RecordName(*counting.counted_once_with),
            reference=record.reference,
            legal_basis=rule.legal_basis,
            catalogue_version=rule.version,
            counts_until=counting.counts_until,
        )


@dataclass(frozen=True, config=_DOCUMENT)
class Listing:
    """Why a subject is on a list, as the public record of an organization shows it (what
    Credit China publishes): the list, the deciding source, the decision's reference and date,
    and the last day it is published (the last day the record counts; None: beyond the
    calendar). National lists are named `national.LIST` (SPEC §11)."""

    list: str
    source: str
    reference: str
    decided_on: dt.date
    published_until: dt.date | None

    @classmethod
    def of(cls, counting: CountingRecord, prefix: str = "") -> list[Listing]:
        return [
            cls(
                prefix + name,
                counting.record.source,
                counting.record.reference,
                counting.record.decided_on,
                counting.counts_until,
            )
            for name in counting.rule.lists
        ]


def listings(counting: Iterable[CountingRecord], prefix: str = "") -> list[Listing]:
    """Each list named by a counting record, with that record: sorted by list, then decision."""
    found = [listing for entry in counting for listing in Listing.of(entry, prefix)]
    return sorted(found, key=lambda entry: (entry.list, entry.decided_on, entry.source))


@dataclass(frozen=True, config=_DOCUMENT)
class OrganizationRecord:
    """The public record of an organization (SPEC §8, §11): its lists and, for each list
    entered through records, the record that put it there. Persons have none: their files are
    theirs and those they authorise."""

    subject_id: str
    jurisdiction: str | None
    lists: list[str]
    listings: list[Listing]


@dataclass(frozen=True, config=_DOCUMENT)
class FileDocument:
    """One file (one per kind of subject) at `as_of`: the score and its reasons, the objections
    filed by then as they stood that day, the latest statement, and every look at it."""

    subject_id: str
    kind: SubjectKind
    as_of: dt.date
    catalogue_version: int  # the version whose tiers, thresholds and base score apply
    base_score: int
    score: int
    tier: str
    lists: list[str]
    key_factors: list[KeyFactor]
    counting_records: list[FileRecord]
    objections: list[Objection]
    statement: Statement | None
    views: list[FileView]
    # SPEC §11: the local jurisdiction of the file, and for each list entered through records
    # (national ones as `national.LIST`) the record that put the subject on it.
    jurisdiction: str | None = None
    listings: list[Listing] = Field(default_factory=list)


@plain_dataclass(frozen=True, slots=True)
class SubjectFile:
    """A reading of one file: the scorer's result (each counting record with the rule that
    scores it) and the document every edge shows."""

    subject: SubjectRef
    score: SubjectScore
    document: FileDocument

    @classmethod
    def read(
        cls,
        subject: SubjectRef,
        score: SubjectScore,
        objections: list[Objection],
        statement: Statement | None,
        views: list[FileView],
        national_listings: list[Listing] | None = None,
    ) -> SubjectFile:
        document = FileDocument(
            subject_id=score.subject_id,
            kind=score.subject_kind,
            as_of=score.as_of,
            catalogue_version=score.catalogue_version,
            base_score=score.base_score,
            score=score.score,
            tier=score.tier,
            lists=list(score.lists),
            key_factors=list(score.key_factors),
            counting_records=[FileRecord.of(entry) for entry in score.counting_records],
            objections=objections,
            statement=statement,
            views=views,
            jurisdiction=score.jurisdiction,
            listings=listings(score.counting_records) + (national_listings or []),
        )
        return cls(subject, score, document)

    @property
    def objections(self) -> list[Objection]:
        return self.document.objections

    @property
    def statement(self) -> Statement | None:
        return self.document.statement

    @property
    def views(self) -> list[FileView]:
        return self.document.views
