"""The store's side of credit repair (SPEC §10.2): applications and the sources' decisions,
append-only (migration 0010), on SQLite and PostgreSQL.

Facts only: which applications were made, which decided and how. What they mean on a given
day (pending, granted, refused) and who may apply or decide is `domain/repairs.py`. An
application names the revision that was current when the subject applied; its subject is the
one that revision names, through the subject's key (SPEC §7.5). A grant holds for the record
(source, record_id) whatever its later revisions: the batch scorer gets it on the row id of the
record's current revision (`granted_frame`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from socialcredit.domain.identifiers import SubjectKind, SubjectRef
from socialcredit.domain.records import LedgerRecord
from socialcredit.domain.repairs import Decision, DecisionKind, Repair
from socialcredit.store import schema
from socialcredit.store.identities import IdentityStore

REPAIR_LOCK_PREFIX = "scs-repair:"


class AlreadyDecided(LookupError):
    """The application was decided meanwhile (by another process): at most one decision."""


def _repair_query(subjects: bool = False) -> sa.Select:
    """Every application with the subject its revision names and its decision; with
    `subjects`, only those whose revision names one of the keys bound as `subjects`."""
    repairs, decisions = schema.repairs, schema.repair_decisions
    applied_to = schema.records.alias("applied_to")
    query = (
        sa.select(
            repairs.c.number,
            repairs.c.source,
            repairs.c.record_id,
            repairs.c.revision,
            applied_to.c.subject_kind,
            applied_to.c.subject,
            repairs.c.applied_on,
            repairs.c.evidence,
            decisions.c.decision,
            decisions.c.decided_on,
            decisions.c.reason,
        )
        .select_from(repairs)
        .join(
            applied_to,
            sa.and_(
                applied_to.c.source == repairs.c.source,
                applied_to.c.record_id == repairs.c.record_id,
                applied_to.c.revision == repairs.c.revision,
            ),
        )
        .outerjoin(decisions, decisions.c.number == repairs.c.number)
        .order_by(repairs.c.number)
    )
    if subjects:
        query = query.where(applied_to.c.subject.in_(sa.bindparam("subjects", expanding=True)))
    return query


@cache
def _repair_queries() -> dict[str, sa.Select]:
    repairs = schema.repairs
    base = _repair_query()
    return {
        "all": base,
        "number": base.where(repairs.c.number == sa.bindparam("number")),
        "source": base.where(repairs.c.source == sa.bindparam("source")),
        "record": base.where(
            repairs.c.source == sa.bindparam("source"),
            repairs.c.record_id == sa.bindparam("record_id"),
        ),
        "subjects": _repair_query(subjects=True),
    }


def _repair(row: sa.Row, names: dict[int, tuple[SubjectKind, str]], as_of: dt.date) -> Repair:
    decision = None
    if row.decision is not None:
        decision = Decision(row.decision, row.decided_on, row.reason)
    return Repair(
        number=row.number,
        source=row.source,
        record_id=row.record_id,
        revision=row.revision,
        subject_kind=row.subject_kind,
        subject_id=names[row.subject][1],
        applied_on=row.applied_on,
        evidence=row.evidence,
        decision=decision,
        as_of=as_of,
    )


class RepairApplication:
    """The store's side of one application, inside its transaction: the record is locked (no
    other application for it runs meanwhile), the earlier ones read, the new one appended."""

    def __init__(self, tables: RepairTables, connection: Connection, record: LedgerRecord):
        self._tables = tables
        self._connection = connection
        self._record = record

    def earlier(self, as_of: dt.date) -> list[Repair]:
        """The applications made for this record before (for any of its revisions)."""
        return self._tables.repairs(
            as_of,
            source=self._record.source,
            record_id=self._record.record_id,
            connection=self._connection,
        )

    def append(self, applied_on: dt.date, evidence: str, registered_at: dt.datetime) -> int:
        """Append the application for the record's current revision; its number."""
        table = schema.repairs
        return self._connection.execute(
            sa.insert(table)
            .values(
                source=self._record.source,
                record_id=self._record.record_id,
                revision=self._record.revision,
                applied_on=applied_on,
                evidence=evidence,
                registered_at=registered_at,
            )
            .returning(table.c.number)
        ).scalar_one()


class RepairTables:
    """Reads and appends of applications for repair and their decisions."""

    def __init__(self, engine: Engine, identities: IdentityStore):
        self.engine = engine
        self.identities = identities

    def repairs(
        self,
        as_of: dt.date,
        number: int | None = None,
        source: str | None = None,
        record_id: str | None = None,
        subjects: list[SubjectRef] | None = None,
        connection: Connection | None = None,
    ) -> list[Repair]:
        """Applications as they stand on `as_of`, in order of their numbers: all, or of one
        number, of one source, of one record, or for revisions that name one of `subjects`."""
        queries = _repair_queries()
        if number is not None:
            query, parameters = queries["number"], {"number": number}
        elif subjects is not None:
            keys = sorted(subject.key for subject in subjects)
            query, parameters = queries["subjects"], {"subjects": keys or [-1]}
        elif record_id is not None:
            query, parameters = queries["record"], {"source": source, "record_id": record_id}
        elif source is not None:
            query, parameters = queries["source"], {"source": source}
        else:
            query, parameters = queries["all"], {}
        if connection is None:
            with self.engine.connect() as opened:
                rows = list(opened.execute(query, parameters))
        else:
            rows = list(connection.execute(query, parameters))
        if subjects is not None:  # their names are known: no look in the identity store
            names = {subject.key: (subject.kind, subject.subject_id) for subject in subjects}
        else:
            names = self.identities.identities_of([row.subject for row in rows])
        return [
            _repair(row, names, as_of)
            for row in rows
            if (source is None or row.source == source)
            and (record_id is None or row.record_id == record_id)
        ]

    @contextmanager
    def application(self, record: LedgerRecord) -> Iterator[RepairApplication]:
        """One application for `record` (its current revision) at a time."""
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":  # SQLite's writer lock does it there
                connection.execute(
                    sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                    {"key": f"{REPAIR_LOCK_PREFIX}{record.source}\x1f{record.record_id}"},
                )
            yield RepairApplication(self, connection, record)

    def append_decision(
        self,
        number: int,
        decision: DecisionKind,
        decided_on: dt.date,
        reason: str | None,
        registered_at: dt.datetime,
    ) -> None:
        """The source's decision; AlreadyDecided when one was stored meanwhile."""
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    sa.insert(schema.repair_decisions).values(
                        number=number,
                        decision=decision,
                        decided_on=decided_on,
                        reason=reason,
                        registered_at=registered_at,
                    )
                )
        except sa.exc.IntegrityError:
            raise AlreadyDecided(f"repair {number} was already decided") from None

    def granted_on(self, records: list[tuple[str, str]]) -> dict[tuple[str, str], dt.date]:
        """For the per-subject scorer: (source, record_id) → the day repair was granted (the
        earliest), for those of `records` granted repair, whichever revision is current."""
        if not records:
            return {}
        repairs, decisions = schema.repairs, schema.repair_decisions
        query = (
            sa.select(
                repairs.c.source,
                repairs.c.record_id,
                sa.func.min(decisions.c.decided_on).label("granted_on"),
            )
            .join(decisions, decisions.c.number == repairs.c.number)
            .where(
                decisions.c.decision == "granted",
                sa.tuple_(repairs.c.source, repairs.c.record_id).in_(sorted(set(records))),
            )
            .group_by(repairs.c.source, repairs.c.record_id)
        )
        with self.engine.connect() as connection:
            return {
                (row.source, row.record_id): row.granted_on for row in connection.execute(query)
            }

    def granted_frame(self) -> pl.DataFrame:
        """For the batch scorer and the snapshot: per record granted repair, the row id of its
        current revision (`id`) and the day repair was granted (`granted_on`, the earliest)."""
        repairs, decisions, records = schema.repairs, schema.repair_decisions, schema.records
        superseding = records.alias("superseding")
        query = (
            sa.select(records.c.id, sa.func.min(decisions.c.decided_on).label("granted_on"))
            .select_from(repairs)
            .join(decisions, decisions.c.number == repairs.c.number)
            .join(
                records,
                sa.and_(
                    records.c.source == repairs.c.source,
                    records.c.record_id == repairs.c.record_id,
                    ~sa.exists().where(superseding.c.supersedes == records.c.id),
                ),
            )
            .where(decisions.c.decision == "granted")
            .group_by(records.c.id)
        )
        with self.engine.connect() as connection:
            rows = [tuple(row) for row in connection.execute(query)]
        return pl.DataFrame(rows, schema={"id": pl.Int64, "granted_on": pl.Date}, orient="row")
