"""The write path: ingesting one file into the ledger, in one transaction (SPEC §4.3).

The store's side of `socialcredit.ingest.pipeline.LedgerSession`: the stored revisions a file is
judged against, record ids reserved in order, accepted records and rejected rows appended in
bulk, the batch's counts. One session class per store, for the SQL that differs: on SQLite
prepared statements run over all rows at once through `sqlite3`; on PostgreSQL binary COPY of
Arrow batches through ADBC (`store.connections`).

Identifiers never reach the main store (SPEC §7.5): the session hands each chunk's subjects to
the identity store, which assigns their keys and commits, and only then appends the records
with the keys; rejected rows go to the identity store whole, and to the main store with their
submitted values taken out of the reason. The batch's segment of the ledger cache is written as
the records are appended and named once the transaction has committed.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from socialcredit.store import connections, schema, subject_states
from socialcredit.store.cached_read import postgresql_batch_stamps, sqlite_batch_stamps
from socialcredit.store.identities import IdentityStore, IdentityWriter, redacted_reason
from socialcredit.store.ledger_cache import BatchStamp, LedgerCache, SegmentWriter
from socialcredit.store.ledger_read import typed
from socialcredit.store.urls import StoreURL

INGEST_KEYS_TABLE = "scs_ingest_keys"
RECORD_ID_LOCK = 7469002  # advisory lock key around a record-id reservation on PostgreSQL
# A load of at least this many records refreshes PostgreSQL's statistics (`refresh_statistics`).
POSTGRESQL_ANALYZE_AFTER_ROWS = 10_000

# Types of the records table, in column order; PostgreSQL's COPY wants them to match exactly.
RECORD_COLUMNS: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "batch_id": pl.Int64(),
    "row_number": pl.Int32(),
    "source": pl.String(),
    "record_id": pl.String(),
    "revision": pl.Int32(),
    "item": pl.String(),
    "subject_kind": pl.String(),
    "subject": pl.Int64(),
    "decided_on": pl.Date(),
    "quantity": pl.Int32(),
    "reference": pl.String(),
    "status": pl.String(),
    "supersedes": pl.Int64(),
    "act": pl.String(),  # last: added by migration 0008
}
REJECTED_COLUMNS: dict[str, pl.DataType] = {
    "batch_id": pl.Int64(),
    "row_number": pl.Int32(),
    "reason": pl.String(),  # with the submitted values taken out
    "submitted": pl.Int64(),  # the row as submitted, in the identity store
}
# What the ingest checks compare a resubmitted revision with.
STORED_REVISION_COLUMNS: dict[str, pl.DataType] = {
    "stored_id": pl.Int64(),
    "record_id": pl.String(),
    "stored_revision": pl.Int32(),
    "stored_item": pl.String(),
    "stored_subject_id": pl.String(),
    "stored_decided_on": pl.Date(),
    "stored_quantity": pl.Int32(),
    "stored_reference": pl.String(),
    "stored_status": pl.String(),
    "stored_act": pl.String(),
}
_STORED_REVISION_COLUMNS_SQL = (
    "r.id, r.record_id, r.revision, r.item, r.subject, r.decided_on, r.quantity, r.reference, "
    "r.status, r.act"
)
_BATCH_COLUMNS = "source, file_name, file_format, file_sha256, submitted_on, received_at"


@dataclass(frozen=True, slots=True)
class NewBatch:
    source: str
    file_name: str
    file_format: str
    file_sha256: str
    submitted_on: dt.date
    received_at: dt.datetime


def _rows(frame: pl.DataFrame, columns: dict[str, pl.DataType]) -> Iterator[tuple]:
    """Rows for sqlite3, in column order; dates as ISO text, as SQLAlchemy stores them."""
    return frame.select(
        pl.col(name).cast(dtype).dt.to_string("%Y-%m-%d")
        if dtype == pl.Date()
        else pl.col(name).cast(dtype)
        for name, dtype in columns.items()
    ).iter_rows()


class IngestSession(ABC):
    """The store's side of ingesting one file, inside one transaction (see
    `socialcredit.ingest.pipeline.LedgerSession`). Identities go through `identities`, which
    commits each call before the main transaction writes what depends on it."""

    batch_id: int

    def __init__(self, source: str, identities: IdentityWriter, segment: SegmentWriter | None):
        self.source = source
        self.identities = identities
        self.segment = segment  # the batch's segment of the ledger cache, if there is a cache
        self.stamp: BatchStamp | None = None  # the batch as committed, once finished
        self._subjects: set[int] = set()  # the keys of the subjects of its records

    def stored_revisions(self, record_ids: pl.Series) -> pl.DataFrame:
        """Every stored revision of these record ids of this source."""
        keys = record_ids.unique().sort()
        if keys.len() == 0:
            return pl.DataFrame(schema=STORED_REVISION_COLUMNS)
        # Sources number their records: a file of new records names ids that all lie beyond
        # what the store holds of that source. One range read of the unique index then finds
        # the few stored revisions, if any, instead of one probe per key. Where the range
        # holds more than a quarter as many rows as there are keys (corrections, or ids in
        # no order), the keys are probed one by one: the range read stops at that bound, so
        # it never costs more than a quarter of the probes.
        bound = keys.len() // 4 + 1
        stored = self._stored_revisions_between(keys[0], keys[-1], bound)
        if stored.height < bound:
            stored = typed(stored, STORED_REVISION_COLUMNS).filter(
                pl.col("record_id").is_in(keys.implode())
            )
        else:
            # Sorted keys walk the unique index in order: each probe lands near the last one.
            stored = self._stored_revisions(keys)
        stored = stored.rename(dict(zip(stored.columns, STORED_REVISION_COLUMNS)))
        # The checks compare what a source resubmits with what it submitted: the identifier.
        subject = stored.get_column("stored_subject_id").cast(pl.Int64)
        identifiers = self.identities.identifiers(subject)
        stored = stored.with_columns(subject.alias("stored_subject_id")).join(
            identifiers.rename({"subject": "stored_subject_id", "identifier": "stored_identifier"}),
            on="stored_subject_id",
            how="left",
        )
        stored = stored.with_columns(pl.col("stored_identifier").alias("stored_subject_id"))
        return typed(stored.select(list(STORED_REVISION_COLUMNS)), STORED_REVISION_COLUMNS)

    def subject_keys(self, kinds: pl.Series, identifiers: pl.Series) -> pl.DataFrame:
        """The key of each (kind, identifier), committed to the identity store before this
        returns; called from the ingest's worker thread, ahead of the records that use them."""
        return self.identities.subject_keys(kinds, identifiers)

    def append_records(self, frame: pl.DataFrame) -> None:
        """Records with their subjects' keys (`subject`, from `subject_keys`): the main store
        gets the keys alone; the identifiers stay in the identity store."""
        if frame.height == 0:
            return
        assert frame["subject"].null_count() == 0, "every subject has a key"
        self._append_records(frame.select(list(RECORD_COLUMNS)))
        self._subjects.update(frame["subject"].unique().to_list())
        if self.segment is not None:
            self.segment.append(frame)

    def append_rejections(self, frame: pl.DataFrame) -> None:
        """Rejected rows: whole in the identity store, committed first; in the main store only
        the row number and the reason with every submitted value taken out."""
        if frame.height == 0:
            return
        ids = self.identities.append_submitted(frame)
        fields = list(schema.REJECTED_RAW_FIELDS)
        reasons = [
            redacted_reason(reason, list(values))
            for reason, *values in frame.select("reason", *fields).iter_rows()
        ]
        self._append_rejections(
            frame.select("batch_id", "row_number").with_columns(
                pl.Series("reason", reasons, dtype=pl.String), ids.alias("submitted")
            )
        )

    @abstractmethod
    def _stored_revisions(self, keys: pl.Series) -> pl.DataFrame:
        """The stored revisions of these record ids (sorted, distinct) of this source."""

    @abstractmethod
    def _stored_revisions_between(self, first: str, last: str, limit: int) -> pl.DataFrame:
        """The stored revisions of this source whose record id lies between `first` and `last`
        (byte order, as the unique index sorts them), at most `limit` of them."""

    def reserve_record_ids(self, count: int) -> pl.Series:
        """`count` fresh record ids, in order."""
        if count == 0:
            return pl.Series("id", [], dtype=pl.Int64)
        first = self._reserve(count)
        return pl.int_range(first, first + count, dtype=pl.Int64, eager=True)

    @abstractmethod
    def _reserve(self, count: int) -> int:
        """Reserve `count` consecutive ids; the first of them."""

    @abstractmethod
    def _append_records(self, frame: pl.DataFrame) -> None: ...

    @abstractmethod
    def _append_rejections(self, frame: pl.DataFrame) -> None: ...

    def finish(self, accepted: int, duplicates: int, rejected: int) -> None:
        if self._subjects:  # their files' states are stale once this commits
            self._invalidate_states(subject_states.keys_json(self._subjects))
        self._finish(accepted, duplicates, rejected)
        (self.stamp,) = self._batch_stamps(self.batch_id)

    @abstractmethod
    def _finish(self, accepted: int, duplicates: int, rejected: int) -> None: ...

    @abstractmethod
    def _invalidate_states(self, keys_json: str) -> None:
        """`store.subject_states.invalidate` in this transaction, for these subjects' keys."""

    @abstractmethod
    def _batch_stamps(self, batch_id: int) -> list[BatchStamp]:
        """The stamp of this batch, read back as the scorer will read it."""


class _SQLiteIngestSession(IngestSession):
    def __init__(
        self,
        connection: sqlite3.Connection,
        batch: NewBatch,
        identities: IdentityWriter,
        segment: SegmentWriter | None,
    ):
        super().__init__(batch.source, identities, segment)
        self._connection = connection
        self._connection.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {INGEST_KEYS_TABLE} (record_id TEXT)"
        )
        cursor = self._connection.execute(
            f"INSERT INTO ingest_batches ({_BATCH_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (
                batch.source,
                batch.file_name,
                batch.file_format,
                batch.file_sha256,
                batch.submitted_on.isoformat(),
                # SQLAlchemy's SQLite DateTime: naive text; the registry's instants are UTC.
                batch.received_at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" "),
            ),
        )
        (self.batch_id,) = cursor.fetchone()

    def _stored_revisions(self, keys: pl.Series) -> pl.DataFrame:
        self._connection.execute(f"DELETE FROM {INGEST_KEYS_TABLE}")
        self._connection.executemany(
            f"INSERT INTO {INGEST_KEYS_TABLE} (record_id) VALUES (?)",
            ((key,) for key in keys.to_list()),
        )
        # CROSS JOIN fixes SQLite's join order: walk the keys, probe the unique index.
        query = (
            f"SELECT {_STORED_REVISION_COLUMNS_SQL} FROM {INGEST_KEYS_TABLE} k "
            "CROSS JOIN records r ON r.source = ? AND r.record_id = k.record_id"
        )
        rows = self._connection.execute(query, (self.source,)).fetchall()
        return pl.DataFrame(
            rows, schema=list(STORED_REVISION_COLUMNS), orient="row", infer_schema_length=None
        )

    def _stored_revisions_between(self, first: str, last: str, limit: int) -> pl.DataFrame:
        rows = self._connection.execute(
            f"SELECT {_STORED_REVISION_COLUMNS_SQL} FROM records r WHERE r.source = ? "
            "AND r.record_id BETWEEN ? AND ? ORDER BY r.record_id, r.revision LIMIT ?",
            (self.source, first, last, limit),
        ).fetchall()
        return pl.DataFrame(
            rows, schema=list(STORED_REVISION_COLUMNS), orient="row", infer_schema_length=None
        )

    def _reserve(self, count: int) -> int:
        # The transaction holds SQLite's write lock: nobody else can take ids meanwhile.
        (highest,) = self._connection.execute("SELECT coalesce(max(id), 0) FROM records").fetchone()
        return highest + 1

    def _append_records(self, frame: pl.DataFrame) -> None:
        self._insert("records", frame, RECORD_COLUMNS)

    def _append_rejections(self, frame: pl.DataFrame) -> None:
        self._insert("rejected_rows", frame, REJECTED_COLUMNS)

    def _insert(self, table: str, frame: pl.DataFrame, columns: dict[str, pl.DataType]) -> None:
        if frame.height:
            placeholders = ", ".join("?" for _ in columns)
            self._connection.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
                _rows(frame, columns),
            )

    def _finish(self, accepted: int, duplicates: int, rejected: int) -> None:
        self._connection.execute(
            "UPDATE ingest_batches SET accepted = ?, duplicates = ?, rejected = ? WHERE id = ?",
            (accepted, duplicates, rejected, self.batch_id),
        )

    def _batch_stamps(self, batch_id: int) -> list[BatchStamp]:
        return sqlite_batch_stamps(self._connection, batch_id)

    def _invalidate_states(self, keys_json: str) -> None:
        for statement in subject_states.invalidate_sql("sqlite"):
            self._connection.execute(statement, (keys_json,))


class _PostgreSQLIngestSession(IngestSession):
    def __init__(
        self,
        connection: Any,
        batch: NewBatch,
        identities: IdentityWriter,
        segment: SegmentWriter | None,
    ):
        super().__init__(batch.source, identities, segment)
        self._cursor = connection.cursor()
        # Byte-order collation, as records.record_id has: with any other, the index could not
        # serve the lookup.
        self._cursor.execute(
            f'CREATE TEMP TABLE {INGEST_KEYS_TABLE} (record_id text COLLATE "C") ON COMMIT DROP'
        )
        self._cursor.execute(
            f"INSERT INTO ingest_batches ({_BATCH_COLUMNS}) "
            "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            (
                batch.source,
                batch.file_name,
                batch.file_format,
                batch.file_sha256,
                batch.submitted_on,
                batch.received_at,
            ),
        )
        (self.batch_id,) = self._cursor.fetchone()
        # Two files of one source are judged one after the other, never interleaved.
        self._execute("SELECT pg_advisory_xact_lock(hashtext($1))", (f"scs-ingest:{self.source}",))
        # The lookups' cost estimates are large (stale statistics on a growing table); compiling
        # them with JIT costs more than running them.
        self._cursor.execute("SET LOCAL jit = off")

    def _execute(self, statement: str, parameters: tuple) -> None:
        self._cursor.execute(statement, parameters)
        self._cursor.fetchall()

    def _stored_revisions(self, keys: pl.Series) -> pl.DataFrame:
        self._cursor.execute(f"TRUNCATE {INGEST_KEYS_TABLE}")
        table = pl.DataFrame({"record_id": keys}).to_arrow()
        self._cursor.adbc_ingest(INGEST_KEYS_TABLE, table, mode="append", temporary=True)
        # One index probe per key, whatever the statistics say: LATERAL with OFFSET 0 is not
        # flattened into a join the planner could turn into a scan of the source's records,
        # which grow with the ledger.
        query = (
            f"SELECT {_STORED_REVISION_COLUMNS_SQL} FROM {INGEST_KEYS_TABLE} k CROSS JOIN LATERAL "
            "(SELECT * FROM records s WHERE s.source = $1 AND s.record_id = k.record_id OFFSET 0) r"
        )
        self._cursor.execute(query, (self.source,))
        frame = pl.from_arrow(self._cursor.fetch_arrow_table())
        assert isinstance(frame, pl.DataFrame)
        return frame

    def _stored_revisions_between(self, first: str, last: str, limit: int) -> pl.DataFrame:
        # ORDER BY the index's own order: PostgreSQL walks the index and stops at the limit,
        # whatever its statistics of a growing table say.
        self._cursor.execute(
            f"SELECT {_STORED_REVISION_COLUMNS_SQL} FROM records r WHERE r.source = $1 "
            "AND r.record_id BETWEEN $2 AND $3 ORDER BY r.source, r.record_id, r.revision "
            "LIMIT $4",
            (self.source, first, last, limit),
        )
        frame = pl.from_arrow(self._cursor.fetch_arrow_table())
        assert isinstance(frame, pl.DataFrame)
        return frame

    def _reserve(self, count: int) -> int:
        """The sequence advanced by `count` at once. nextval + setval is two steps, so every
        reservation takes the same (session-level, momentary) lock around them."""
        self._execute("SELECT pg_advisory_lock($1)", (RECORD_ID_LOCK,))
        try:
            self._cursor.execute(
                "SELECT setval('records_id_seq', nextval('records_id_seq') + $1 - 1)", (count,)
            )
            (last,) = self._cursor.fetchone()
        finally:
            self._execute("SELECT pg_advisory_unlock($1)", (RECORD_ID_LOCK,))
        return last - count + 1

    def _append_records(self, frame: pl.DataFrame) -> None:
        self._copy("records", frame, RECORD_COLUMNS)

    def _append_rejections(self, frame: pl.DataFrame) -> None:
        self._copy("rejected_rows", frame, REJECTED_COLUMNS)

    def _copy(self, table: str, frame: pl.DataFrame, columns: dict[str, pl.DataType]) -> None:
        if frame.height:
            rows = frame.select(pl.col(name).cast(dtype) for name, dtype in columns.items())
            self._cursor.adbc_ingest(table, rows.to_arrow(), mode="append")

    def _finish(self, accepted: int, duplicates: int, rejected: int) -> None:
        self._cursor.execute(
            "UPDATE ingest_batches SET accepted = $1, duplicates = $2, rejected = $3 WHERE id = $4",
            (accepted, duplicates, rejected, self.batch_id),
        )

    def _batch_stamps(self, batch_id: int) -> list[BatchStamp]:
        return postgresql_batch_stamps(self._cursor, batch_id)

    def _invalidate_states(self, keys_json: str) -> None:
        lock, update = subject_states.invalidate_sql("postgresql")
        self._cursor.execute(lock)
        self._cursor.execute(update, (keys_json,))


@contextmanager
def ingest_session(
    url: StoreURL, batch: NewBatch, identity_store: IdentityStore, cache: LedgerCache | None
) -> Iterator[IngestSession]:
    """One file, one transaction: everything in it lands, or nothing does (in the main store;
    the identities it needed stay, used by nothing). Its segment of the ledger cache is named
    once the transaction has committed, so the cache never holds a batch the store lacks."""
    segment = SegmentWriter(cache) if cache is not None and cache.writable else None
    try:
        with (
            identity_store.writer() as identities,
            _ingest_session(url, batch, identities, segment) as session,
        ):
            yield session
        if segment is not None and session.stamp is not None:
            segment.publish(session.stamp)
    finally:
        if segment is not None:
            segment.discard()


@contextmanager
def _ingest_session(
    url: StoreURL, batch: NewBatch, identities: IdentityWriter, segment: SegmentWriter | None
) -> Iterator[IngestSession]:
    if url.dialect == "sqlite":
        connection = connections.sqlite_write_connection(url)
        # IMMEDIATE: take the write lock now, so that the stored revisions the file is judged
        # against cannot change under it.
        begin, session_type = "BEGIN IMMEDIATE", _SQLiteIngestSession
    else:
        connection = connections.postgresql_bulk_connection(url)
        begin, session_type = "BEGIN", _PostgreSQLIngestSession
    try:
        control = connection.cursor()
        control.execute(begin)
        try:
            yield session_type(connection, batch, identities, segment)
        except BaseException:
            control.execute("ROLLBACK")
            raise
        control.execute("COMMIT")
    finally:
        connection.close()


def refresh_statistics(url: StoreURL, engine: Engine, rows_added: int) -> None:
    """After a large load, refresh PostgreSQL's planner statistics at once. Autovacuum does
    it only later, and until then the per-subject read behind `scs show` and `scs check`
    was planned as a scan of the whole ledger (13 s against 4 ms on the demo city)."""
    if url.dialect != "postgresql" or rows_added < POSTGRESQL_ANALYZE_AFTER_ROWS:
        return
    with engine.begin() as connection:
        connection.execute(sa.text("ANALYZE records"))
        connection.execute(sa.text(f"ANALYZE {schema.IDENTITY_SCHEMA}.subjects"))
