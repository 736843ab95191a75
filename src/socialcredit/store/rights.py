"""The store's side of the subject's file and rights (SPEC §7): the subjects an identifier
names, their records, objections and answers, statements, and the looks at their files.

Facts only: which objections were filed, which answered and how, which statements made. What
they mean on a given day (open, overdue, upheld …) is decided in `domain/objections.py`. An
answer by correction or revocation is not written anywhere: it is the revision that supersedes
the one objected to, and its day is the day its batch was received.

Subjects are named by key here, as everywhere in the main store (SPEC §7.5). A reading turns
the identifier into its keys once (`subjects_named`, one look in the identity store) and hands
the `SubjectRef`s to every other read and write of the request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from socialcredit.domain.file import CHECK_CHANNEL, FileView, Statement, ViewsPage, ViewSummary
from socialcredit.domain.identifiers import SUBJECT_KINDS, SubjectKind, SubjectRef
from socialcredit.domain.objections import (
    OBJECTION_ANSWER_DAYS,
    Answer,
    Objection,
    answer_by_revision,
)
from socialcredit.domain.records import LedgerRecord
from socialcredit.domain.subject_state import SubjectState
from socialcredit.store import schema, subject_states
from socialcredit.store.identities import IdentityStore
from socialcredit.store.view_log import GroupCommitLog

OBJECTION_LOCK_PREFIX = "scs-objection:"


class AlreadyAnswered(LookupError):
    """The objection was answered meanwhile (by another process): at most one answer each."""


def _objection_query(subjects: bool = False) -> sa.Select:
    """Every objection with the subject its revision names and its answer; with `subjects`,
    only those whose revision names one of the keys bound as `subjects`."""
    objections, records, answers = schema.objections, schema.records, schema.objection_answers
    objected = records.alias("objected")
    newer = records.alias("newer")  # the revision that replaced the one objected to, if any
    batches = schema.ingest_batches
    query = (
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
    if subjects:  # through the index on the subject's key: its revisions first
        query = query.where(objected.c.subject.in_(sa.bindparam("subjects", expanding=True)))
    return query


@cache
def _objection_queries() -> dict[str, sa.Select]:
    """Built once: building a select with its aliases costs more Python than running it."""
    objections = schema.objections
    base = _objection_query()
    return {
        "all": base,
        "number": base.where(objections.c.number == sa.bindparam("number")),
        "source": base.where(objections.c.source == sa.bindparam("source")),
        "record": base.where(
            objections.c.source == sa.bindparam("source"),
            objections.c.record_id == sa.bindparam("record_id"),
        ),
        "subjects": _objection_query(subjects=True),
    }


def _objection(row: sa.Row, names: dict[int, tuple[SubjectKind, str]], as_of: dt.date) -> Objection:
    answer = None
    # An upholding answer can only be given while no newer revision exists, so when both are
    # there the upholding answer came first and is the answer.
    if row.answered_on is not None:
        answer = Answer("upheld", row.answered_on, row.note)
    elif row.newer_received_on is not None:
        answer = answer_by_revision(row.newer_status, row.newer_received_on)
    return Objection(
        number=row.number,
        source=row.source,
        record_id=row.record_id,
        revision=row.revision,
        subject_kind=row.subject_kind,
        subject_id=names[row.subject][1],
        filed_on=row.filed_on,
        reason=row.reason,
        answer=answer,
        as_of=as_of,
    )


def _lock_record(connection: Connection, source: str, record_id: str) -> None:
    """Serialize filings on one record (PostgreSQL; SQLite's writer lock does it there)."""
    if connection.dialect.name == "postgresql":
        connection.execute(
            sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"{OBJECTION_LOCK_PREFIX}{source}\x1f{record_id}"},
        )


class ObjectionFiling:
    """The store's side of filing one objection, inside its transaction: the record is locked
    (no other filing on it runs meanwhile), the earlier objections read, the new one appended.
    Nothing is stored unless `append` is called and the block ends without an exception."""

    def __init__(self, tables: RightsTables, connection: Connection, record: LedgerRecord):
        self._tables = tables
        self._connection = connection
        self._record = record

    def earlier(self, as_of: dt.date) -> list[Objection]:
        """The objections filed to this record before (to any of its revisions)."""
        return self._tables.objections(
            source=self._record.source,
            record_id=self._record.record_id,
            as_of=as_of,
            connection=self._connection,
        )

    def append(self, filed_on: dt.date, reason: str, registered_at: dt.datetime) -> int:
        """Append the objection to the record's revision; its number. The subject's file
        state is no longer valid (it will be overdue from its due day)."""
        table = schema.objections
        subject_states.invalidate_record(
            self._connection, self._record.source, self._record.record_id
        )
        return self._connection.execute(
            sa.insert(table)
            .values(
                source=self._record.source,
                record_id=self._record.record_id,
                revision=self._record.revision,
                filed_on=filed_on,
                reason=reason,
                registered_at=registered_at,
            )
            .returning(table.c.number)
        ).scalar_one()


class RightsTables:
    """Reads and appends for one subject's file and for the rights of SPEC §7; subjects by key.
    A read-only store logs no look at a file: it counts them in `unlogged_looks`, for the
    caller to say so (README: "A read-only store")."""

    def __init__(self, engine: Engine, identities: IdentityStore, read_only: bool = False):
        self.engine = engine
        self.identities = identities
        self.read_only = read_only
        self.unlogged_looks = 0
        self.view_log = GroupCommitLog(engine)

    # -- subjects and their records -------------------------------------------------------------

    def subjects_named(self, subject_id: str) -> list[SubjectRef]:
        """The subjects a (normalized) identifier names, one per kind it is known as (nearly
        always one; none when no record ever named it), in the order of SUBJECT_KINDS."""
        keys = self.identities.keys_of(subject_id)
        return [SubjectRef(kind, subject_id, keys[kind]) for kind in SUBJECT_KINDS if kind in keys]

    def records_naming(self, subjects: list[SubjectRef]) -> list[LedgerRecord]:
        """The current revisions of every record whose current revision names one of
        `subjects`, found through the index on the subject's key."""
        if not subjects:
            return []
        named = {subject.key: subject for subject in subjects}
        records = schema.records
        ever_named = (
            sa.select(records.c.source, records.c.record_id)
            .where(records.c.subject.in_(sorted(named)))
            .distinct()
            .subquery()
        )
        query = (
            sa.select(records)
            .join(
                ever_named,
                sa.and_(
                    records.c.source == ever_named.c.source,
                    records.c.record_id == ever_named.c.record_id,
                ),
            )
            .order_by(records.c.source, records.c.record_id, records.c.revision)
        )
        with self.engine.connect() as connection:
            rows = list(connection.execute(query))
        current: dict[tuple[str, str], sa.Row] = {}
        for row in rows:  # ordered by revision, so the last one wins
            current[(row.source, row.record_id)] = row
        return [
            schema.ledger_record(row, named[row.subject].subject_id)
            for row in current.values()
            if row.subject in named
        ]

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
        as_of: dt.date,
        number: int | None = None,
        source: str | None = None,
        record_id: str | None = None,
        subjects: list[SubjectRef] | None = None,
        connection: Connection | None = None,
    ) -> list[Objection]:
        """Objections as they stand on `as_of`, in filing order: all, or of one number, of one
        source, of one record, or to revisions that name one of `subjects`."""
        queries = _objection_queries()
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
            _objection(row, names, as_of)
            for row in rows
            if (source is None or row.source == source)
            and (record_id is None or row.record_id == record_id)
        ]

    @contextmanager
    def objection_filing(self, record: LedgerRecord) -> Iterator[ObjectionFiling]:
        """One filing on `record` (its current revision) at a time; see `ObjectionFiling`."""
        with self.engine.begin() as connection:
            _lock_record(connection, record.source, record.record_id)
            yield ObjectionFiling(self, connection, record)

    def append_answer(
        self, number: int, answered_on: dt.date, note: str | None, registered_at: dt.datetime
    ) -> None:
        """The source's upholding answer; AlreadyAnswered when one was stored meanwhile."""
        try:
            with self.engine.begin() as connection:
                objection = schema.objections
                source, record_id = connection.execute(
                    sa.select(objection.c.source, objection.c.record_id).where(
                        objection.c.number == number
                    )
                ).one()
                subject_states.invalidate_record(connection, source, record_id)
                connection.execute(
                    sa.insert(schema.objection_answers).values(
                        number=number,
                        answered_on=answered_on,
                        note=note,
                        registered_at=registered_at,
                    )
                )
        except sa.exc.IntegrityError:
            raise AlreadyAnswered(f"objection {number} was already answered") from None

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

    # -- each file's state for the check (`store/subject_states.py`) ----------------------------

    def states(self, keys: list[int]) -> dict[int, subject_states.StoredState]:
        return subject_states.read(self.engine, keys) if keys else {}

    def ensure_states(self, keys: list[int]) -> dict[int, subject_states.StoredState]:
        return subject_states.ensure(self.engine, keys)

    def write_state(self, key: int, generation: int, rulebook: int, state: SubjectState) -> bool:
        return subject_states.write(self.engine, key, generation, rulebook, state)

    def subjects_changed(self, keys: list[int]) -> None:
        """These subjects' file states are no longer valid (a change committed elsewhere)."""
        with self.engine.begin() as connection:
            subject_states.invalidate(connection, keys)

    # -- statements --------------------------------------------------------------------------

    def append_statement(self, subject: SubjectRef, text: str, made_at: dt.datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                sa.insert(schema.statements).values(subject=subject.key, text=text, made_at=made_at)
            )

    def latest_statement(self, subject: SubjectRef) -> Statement | None:
        table = schema.statements
        query = (
            sa.select(table.c.text, table.c.made_at)
            .where(table.c.subject == subject.key)
            .order_by(table.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        return Statement(subject.kind, subject.subject_id, row.text, row.made_at)

    # -- who looked --------------------------------------------------------------------------

    def append_file_view(self, subject: SubjectRef, view: FileView) -> None:
        """Log a look at a file (on a read-only store: count it in `unlogged_looks`); return
        once it is durable."""
        self.append_file_views([(subject, view)])

    def append_file_views(self, looks: list[tuple[SubjectRef, FileView]], checks: int = 0) -> None:
        """Log `looks` and count `checks` (a check of a subject without a file gives no look
        but is counted all the same), by group commit with other requests' (`store.view_log`);
        return once they are durable. A read-only store counts them in `unlogged_looks`."""
        if self.read_only:
            self.unlogged_looks += len(looks)
            return
        self.view_log.write(
            [
                {
                    "subject": subject.key,
                    "viewed_at": view.viewed_at,
                    "viewer": view.viewer,
                    "purpose": view.purpose,
                    "channel": view.channel,
                    "applies": view.applies,
                }
                for subject, view in looks
            ],
            checks,
        )

    def views_page(self, subject: SubjectRef, page: int, rows: int, repeated: int) -> ViewsPage:
        """Page `page` (1: the latest) of the looks at a file, newest first, `rows` a page;
        and the `repeated` most frequent (viewer, purpose, channel) looked more than once."""
        table = schema.file_views
        columns = (table.c.viewed_at, table.c.viewer, table.c.purpose, table.c.channel)
        looks = sa.func.count().label("looks")
        summary = (
            sa.select(
                table.c.viewer,
                table.c.purpose,
                table.c.channel,
                looks,
                sa.func.min(table.c.viewed_at).label("first_at"),
                sa.func.max(table.c.viewed_at).label("last_at"),
                sa.func.sum(sa.case((table.c.applies.is_(True), 1), else_=0)).label("applied"),
            )
            .where(table.c.subject == subject.key)
            .group_by(table.c.viewer, table.c.purpose, table.c.channel)
            .having(sa.func.count() > 1)
            .order_by(looks.desc(), table.c.viewer, table.c.purpose, table.c.channel)
            .limit(repeated)
        )
        with self.engine.connect() as connection:
            total = connection.execute(
                sa.select(sa.func.count()).where(table.c.subject == subject.key)
            ).scalar_one()
            views = [
                FileView(*row)
                for row in connection.execute(
                    sa.select(*columns, table.c.applies)
                    .where(table.c.subject == subject.key)
                    .order_by(table.c.id.desc())
                    .limit(rows)
                    .offset((page - 1) * rows)
                )
            ]
            summed = [
                ViewSummary(
                    row.viewer,
                    row.purpose,
                    row.channel,
                    row.looks,
                    row.first_at,
                    row.last_at,
                    int(row.applied) if row.channel == CHECK_CHANNEL else None,
                )
                for row in connection.execute(summary)
            ]
        pages = max(1, -(-total // rows))
        return ViewsPage(page, pages, total, views, summed)

    def file_views(self, subject: SubjectRef) -> list[FileView]:
        table = schema.file_views
        query = (
            sa.select(
                table.c.viewed_at, table.c.viewer, table.c.purpose, table.c.channel, table.c.applies
            )
            .where(table.c.subject == subject.key)
            .order_by(table.c.id)
        )
        with self.engine.connect() as connection:
            return [FileView(*row) for row in connection.execute(query)]
