"""The store's side of the subject's rights (SPEC §7): objections, answers, statements.

Facts only: which objections were filed, which answered and how, which statements made. What
they mean on a given day (open, overdue, upheld …) is decided in `domain/objections.py`. An
answer by correction or revocation is not written anywhere: it is the revision that supersedes
the one objected to, and its day is the day its batch was received.

Subjects are named by key here, as everywhere in the main store (SPEC §7.5); identifiers come
from the identity store on the way out and are turned into keys on the way in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from socialcredit.domain.identifiers import SubjectKind
from socialcredit.domain.objections import OBJECTION_ANSWER_DAYS, Answer, answer_by_revision
from socialcredit.domain.records import LedgerRecord
from socialcredit.store import schema
from socialcredit.store.identities import IdentityStore

OBJECTION_LOCK_PREFIX = "scs-objection:"


@dataclass(frozen=True, slots=True)
class ObjectionFacts:
    """An objection as filed, the subject named by the revision objected to, and its answer
    (an upholding one, else the newer revision's) whenever it came."""

    number: int
    source: str
    record_id: str
    revision: int
    subject_kind: SubjectKind
    subject_id: str
    filed_on: dt.date
    reason: str
    answer: Answer | None


@dataclass(frozen=True, slots=True)
class StatementRow:
    subject_kind: SubjectKind
    subject_id: str
    text: str
    made_at: dt.datetime


def _objection_query() -> sa.Select:
    objections, records, answers = schema.objections, schema.records, schema.objection_answers
    objected = records.alias("objected")
    newer = records.alias("newer")  # the revision that replaced the one objected to, if any
    batches = schema.ingest_batches
    return (
        sa.select(
            objections.c.number,
            objections.c.source,
            objections.c.record_id,
            objections.c.revision,
            objected.c.subject_kind,
            objected.c.subject,
            objections.c.filed_on,
            objections.c.reason,
            answers.c.answered_on,
            answers.c.note,
            newer.c.status.label("newer_status"),
            batches.c.submitted_on.label("newer_received_on"),
        )
        .select_from(objections)
        .join(
            objected,
            sa.and_(
                objected.c.source == objections.c.source,
                objected.c.record_id == objections.c.record_id,
                objected.c.revision == objections.c.revision,
            ),
        )
        .outerjoin(answers, answers.c.number == objections.c.number)
        .outerjoin(newer, newer.c.supersedes == objected.c.id)
        .outerjoin(batches, batches.c.id == newer.c.batch_id)
        .order_by(objections.c.number)
    )


@cache
def _objection_queries() -> dict[str, sa.Select]:
    """Built once: building a select with its aliases costs more Python than running it."""
    objections, records = schema.objections, schema.records
    base = _objection_query()
    ever_named = (
        sa.select(records.c.source, records.c.record_id)
        .where(records.c.subject.in_(sa.bindparam("subjects", expanding=True)))
        .distinct()
        .subquery()
    )
    return {
        "all": base,
        "number": base.where(objections.c.number == sa.bindparam("number")),
        "source": base.where(objections.c.source == sa.bindparam("source")),
        "record": base.where(
            objections.c.source == sa.bindparam("source"),
            objections.c.record_id == sa.bindparam("record_id"),
        ),
        # Objections to records that ever named the subject: its records first, by index.
        "subject": base.join(
            ever_named,
            sa.and_(
                ever_named.c.source == objections.c.source,
                ever_named.c.record_id == objections.c.record_id,
            ),
        ),
    }


def _facts(row: sa.Row, names: dict[int, tuple[SubjectKind, str]]) -> ObjectionFacts:
    answer = None
    # An upholding answer can only be given while no newer revision exists, so when both are
    # there the upholding answer came first and is the answer.
    if row.answered_on is not None:
        answer = Answer("upheld", row.answered_on, row.note)
    elif row.newer_received_on is not None:
        answer = answer_by_revision(row.newer_status, row.newer_received_on)
    return ObjectionFacts(
        number=row.number,
        source=row.source,
        record_id=row.record_id,
        revision=row.revision,
        subject_kind=row.subject_kind,
        subject_id=names[row.subject][1],
        filed_on=row.filed_on,
        reason=row.reason,
        answer=answer,
    )


class RightsTables:
    def __init__(self, engine: Engine, identities: IdentityStore):
        self.engine = engine
        self.identities = identities

    # -- records, as the rights need them ----------------------------------------------------

    def current_revision(self, source: str, record_id: str) -> LedgerRecord | None:
        if "\x00" in source or "\x00" in record_id:
            return None  # ingestion stores no NUL (PostgreSQL could not even compare one)
        records = schema.records
        query = (
            sa.select(records)
            .where(records.c.source == source, records.c.record_id == record_id)
            .order_by(records.c.revision.desc())
            .limit(1)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        return schema.ledger_record(
            row, self.identities.identities_of([row.subject])[row.subject][1]
        )

    def records_by_row_ids(self, row_ids: list[int]) -> list[LedgerRecord]:
        """The revisions stored under these row ids (the demo draws records to object to)."""
        records = schema.records
        with self.engine.connect() as connection:
            rows = list(connection.execute(sa.select(records).where(records.c.id.in_(row_ids))))
        names = self.identities.identities_of([row.subject for row in rows])
        return [schema.ledger_record(row, names[row.subject][1]) for row in rows]

    def highest_row_id(self) -> int:
        with self.engine.connect() as connection:
            return connection.execute(sa.select(sa.func.max(schema.records.c.id))).scalar() or 0

    # -- objections --------------------------------------------------------------------------

    def objections(
        self,
        number: int | None = None,
        source: str | None = None,
        record_id: str | None = None,
        subject_id: str | None = None,
        connection: Connection | None = None,
    ) -> list[ObjectionFacts]:
        """Objections, optionally of one number, source, record, or to records that ever
        named `subject_id`; in filing order."""
        queries = _objection_queries()
        if number is not None:
            query, parameters = queries["number"], {"number": number}
        elif subject_id is not None:
            keys = sorted(self.identities.keys_of(subject_id).values())
            query, parameters = queries["subject"], {"subjects": keys or [-1]}
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
        names = self.identities.identities_of([row.subject for row in rows])
        return [
            _facts(row, names)
            for row in rows
            if (source is None or row.source == source)
            and (record_id is None or row.record_id == record_id)
        ]

    def lock_record(self, connection: Connection, source: str, record_id: str) -> None:
        """Serialize filings on one record (PostgreSQL; SQLite's writer lock does it there)."""
        if connection.dialect.name == "postgresql":
            connection.execute(
                sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                {"key": f"{OBJECTION_LOCK_PREFIX}{source}\x1f{record_id}"},
            )

    def insert_objection(
        self,
        connection: Connection,
        record: LedgerRecord,
        filed_on: dt.date,
        reason: str,
        registered_at: dt.datetime,
    ) -> int:
        table = schema.objections
        return connection.execute(
            sa.insert(table)
            .values(
                source=record.source,
                record_id=record.record_id,
                revision=record.revision,
                filed_on=filed_on,
                reason=reason,
                registered_at=registered_at,
            )
            .returning(table.c.number)
        ).scalar_one()

    def insert_answer(
        self,
        connection: Connection,
        number: int,
        answered_on: dt.date,
        note: str | None,
        registered_at: dt.datetime,
    ) -> None:
        connection.execute(
            sa.insert(schema.objection_answers).values(
                number=number, answered_on=answered_on, note=note, registered_at=registered_at
            )
        )

    def overdue_intervals(self) -> pl.DataFrame:
        """For the batch scorer: per objection with a non-empty overdue interval, the row id of
        its record's current revision (`id`), `overdue_from` and `overdue_until` (exclusive,
        null while unanswered)."""
        records = schema.records
        current = records.alias("current")
        superseding = records.alias("superseding")
        facts_query = _objection_query().subquery()
        query = (
            sa.select(
                current.c.id,
                facts_query.c.filed_on,
                facts_query.c.answered_on,
                facts_query.c.newer_received_on,
            )
            .select_from(facts_query)
            .join(
                current,
                sa.and_(
                    current.c.source == facts_query.c.source,
                    current.c.record_id == facts_query.c.record_id,
                    ~sa.exists().where(superseding.c.supersedes == current.c.id),
                ),
            )
        )
        with self.engine.connect() as connection:
            rows = [tuple(row) for row in connection.execute(query)]
        frame = pl.DataFrame(
            rows,
            schema={
                "id": pl.Int64,
                "filed_on": pl.Date,
                "answered_on": pl.Date,
                "newer_received_on": pl.Date,
            },
            orient="row",
        )
        return frame.select(
            "id",
            (pl.col("filed_on") + pl.duration(days=OBJECTION_ANSWER_DAYS)).alias("overdue_from"),
            pl.coalesce("answered_on", "newer_received_on").alias("overdue_until"),
        ).filter(
            pl.col("overdue_until").is_null() | (pl.col("overdue_from") < pl.col("overdue_until"))
        )

    # -- statements --------------------------------------------------------------------------

    def insert_statement(
        self, kind: SubjectKind, subject_id: str, text: str, made_at: dt.datetime
    ) -> None:
        """Only a subject with a file (so with a key) may leave a statement."""
        subject = self.identities.key_of(kind, subject_id)
        if subject is None:
            raise LookupError(f"no {kind} with a file has this identifier")
        with self.engine.begin() as connection:
            connection.execute(
                sa.insert(schema.statements).values(subject=subject, text=text, made_at=made_at)
            )

    def latest_statement(self, kind: SubjectKind, subject_id: str) -> StatementRow | None:
        subject = self.identities.key_of(kind, subject_id)
        if subject is None:
            return None
        table = schema.statements
        query = (
            sa.select(table.c.text, table.c.made_at)
            .where(table.c.subject == subject)
            .order_by(table.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else StatementRow(kind, subject_id, row.text, row.made_at)
