"""Bulk paths: Arrow in and out of the ledger through ADBC.

Ingesting a file and reading the whole ledger move millions of rows; row-by-row inserts through
an ORM would take minutes. ADBC moves Arrow batches directly: binary COPY on PostgreSQL,
prepared statements run in C on SQLite. Every SQL difference between the two lives here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import polars as pl

from socialcredit.store.urls import StoreURL

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_INGEST_CACHE_KIB = 262_144  # page cache while ingesting: index pages stay in memory
INGEST_KEYS_TABLE = "scs_ingest_keys"
RECORD_ID_LOCK = 7469002  # advisory lock key around a record-id reservation on PostgreSQL

# Arrow types of the records table, in column order; COPY wants them to match exactly.
RECORD_COLUMNS: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "batch_id": pl.Int64(),
    "row_number": pl.Int32(),
    "source": pl.String(),
    "record_id": pl.String(),
    "revision": pl.Int32(),
    "item": pl.String(),
    "subject_kind": pl.String(),
    "subject_id": pl.String(),
    "decided_on": pl.Date(),
    "quantity": pl.Int32(),
    "reference": pl.String(),
    "status": pl.String(),
    "supersedes": pl.Int64(),
}
REJECTED_COLUMNS: dict[str, pl.DataType] = {
    "batch_id": pl.Int64(),
    "row_number": pl.Int32(),
    "reason": pl.String(),
    **{
        field: pl.String()
        for field in (
            "record_id",
            "revision",
            "item",
            "subject_id",
            "decided_on",
            "quantity",
            "reference",
            "status",
        )
    },
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
}
# What the batch scorer reads.
LEDGER_COLUMNS: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "subject_kind": pl.String(),
    "subject_id": pl.String(),
    "item": pl.String(),
    "decided_on": pl.Date(),
    "quantity": pl.Int32(),
    "status": pl.String(),
}


@dataclass(frozen=True, slots=True)
class NewBatch:
    source: str
    file_name: str
    file_format: str
    file_sha256: str
    submitted_on: dt.date
    received_at: dt.datetime


def _connect(url: StoreURL):
    """A connection in autocommit mode: transactions are opened and closed by `_transaction`."""
    if url.dialect == "sqlite":
        import adbc_driver_sqlite.dbapi as driver

        connection = driver.connect(url.adbc_uri, autocommit=True)
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_INGEST_CACHE_KIB}")
        return connection
    import adbc_driver_postgresql.dbapi as driver

    return driver.connect(url.adbc_uri, autocommit=True)


@contextmanager
def _transaction(url: StoreURL, connection) -> Iterator[None]:
    # IMMEDIATE: SQLite takes its write lock now, so the stored revisions a file is judged
    # against cannot change under it.
    begin = "BEGIN IMMEDIATE" if url.dialect == "sqlite" else "BEGIN"
    with connection.cursor() as cursor:
        cursor.execute(begin)
        try:
            yield
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")


def _frame(table: Any, columns: dict[str, pl.DataType]) -> pl.DataFrame:
    """An Arrow result as a Polars frame of exactly these types (SQLite hands back dates as text)."""
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    if frame.height == 0:
        return pl.DataFrame(schema=columns)
    return frame.select(
        pl.col(name).str.to_date("%Y-%m-%d")
        if dtype == pl.Date() and frame.schema[name] == pl.String()
        else pl.col(name).cast(dtype)
        for name, dtype in columns.items()
    )


class IngestSession:
    """The store's side of ingesting one file, inside one transaction."""

    def __init__(self, url: StoreURL, connection, batch: NewBatch):
        self._url = url
        self._connection = connection
        self._cursor = connection.cursor()
        self.source = batch.source
        self._keys_table_ready = False
        self.batch_id = self._insert_batch(batch)

    @property
    def _sqlite(self) -> bool:
        return self._url.dialect == "sqlite"

    def _placeholder(self, position: int) -> str:
        return "?" if self._sqlite else f"${position}"

    def _bind(self, value: Any) -> Any:
        """SQLite stores dates as text, in the form SQLAlchemy reads back."""
        if not self._sqlite:
            return value
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(
                sep=" ", timespec="microseconds"
            )
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    def _insert_batch(self, batch: NewBatch) -> int:
        values = (
            batch.source,
            batch.file_name,
            batch.file_format,
            batch.file_sha256,
            batch.submitted_on,
            batch.received_at,
        )
        placeholders = ", ".join(self._placeholder(i) for i in range(1, len(values) + 1))
        self._cursor.execute(
            "INSERT INTO ingest_batches "
            "(source, file_name, file_format, file_sha256, submitted_on, received_at) "
            f"VALUES ({placeholders}) RETURNING id",
            tuple(self._bind(value) for value in values),
        )
        (batch_id,) = self._cursor.fetchone()
        if not self._sqlite:
            # Two files of one source are judged one after the other, never interleaved.
            self._cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext($1))", (f"scs-ingest:{batch.source}",)
            )
            self._cursor.fetchall()
            # The revision lookups probe the unique index once per key. Left to itself, the
            # planner reads statistics that do not yet count this transaction's rows and picks
            # a hash join over every record of the source, which grows with the ledger.
            for setting in ("enable_hashjoin", "enable_mergejoin", "enable_bitmapscan", "jit"):
                self._cursor.execute(f"SET LOCAL {setting} = off")
        return int(batch_id)

    def stored_revisions(self, record_ids: pl.Series) -> pl.DataFrame:
        """Every stored revision of these record ids of this source."""
        # Sorted keys walk the unique index in order: each probe lands near the last one.
        keys = pl.DataFrame({"record_id": record_ids.unique().sort()}).to_arrow()
        if self._keys_table_ready:
            self._cursor.execute(f"DELETE FROM {INGEST_KEYS_TABLE}")
            self._cursor.adbc_ingest(INGEST_KEYS_TABLE, keys, mode="append", temporary=True)
        else:
            self._cursor.adbc_ingest(INGEST_KEYS_TABLE, keys, mode="replace", temporary=True)
            self._keys_table_ready = True
        columns = (
            "r.id, r.record_id, r.revision, r.item, r.subject_id, r.decided_on, r.quantity, "
            "r.reference, r.status"
        )
        if self._sqlite:
            # CROSS JOIN fixes SQLite's join order: walk the keys, probe the unique index.
            query = (
                f"SELECT {columns} FROM {INGEST_KEYS_TABLE} k CROSS JOIN records r "
                "ON r.source = ? AND r.record_id = k.record_id"
            )
        else:
            query = (
                f"SELECT {columns} FROM {INGEST_KEYS_TABLE} k JOIN records r "
                "ON r.source = $1 AND r.record_id = k.record_id"
            )
        self._cursor.execute(query, (self.source,))
        table = self._cursor.fetch_arrow_table()
        return _frame(
            table.rename_columns(list(STORED_REVISION_COLUMNS)), STORED_REVISION_COLUMNS
        )

    def reserve_record_ids(self, count: int) -> pl.Series:
        """`count` fresh record ids, in order."""
        if count == 0:
            return pl.Series("id", [], dtype=pl.Int64)
        if self._sqlite:
            # This transaction holds SQLite's write lock: nobody else can take ids meanwhile.
            self._cursor.execute("SELECT coalesce(max(id), 0) FROM records")
            (highest,) = self._cursor.fetchone()
        else:
            # Advance the sequence by `count` at once. nextval + setval is two steps, so every
            # reservation takes the same (session-level, momentary) lock around them.
            self._cursor.execute("SELECT pg_advisory_lock($1)", (RECORD_ID_LOCK,))
            self._cursor.fetchall()
            try:
                self._cursor.execute(
                    "SELECT setval('records_id_seq', nextval('records_id_seq') + $1 - 1)",
                    (count,),
                )
                (last,) = self._cursor.fetchone()
            finally:
                self._cursor.execute("SELECT pg_advisory_unlock($1)", (RECORD_ID_LOCK,))
                self._cursor.fetchall()
            highest = last - count
        return pl.int_range(highest + 1, highest + 1 + count, dtype=pl.Int64, eager=True)

    def append_records(self, frame: pl.DataFrame) -> None:
        if frame.height:
            rows = frame.select(pl.col(name).cast(dtype) for name, dtype in RECORD_COLUMNS.items())
            self._cursor.adbc_ingest("records", rows.to_arrow(), mode="append")

    def append_rejections(self, frame: pl.DataFrame) -> None:
        if frame.height:
            rows = frame.select(
                pl.col(name).cast(dtype) for name, dtype in REJECTED_COLUMNS.items()
            )
            self._cursor.adbc_ingest("rejected_rows", rows.to_arrow(), mode="append")

    def finish(self, accepted: int, duplicates: int, rejected: int) -> None:
        p = self._placeholder
        self._cursor.execute(
            f"UPDATE ingest_batches SET accepted = {p(1)}, duplicates = {p(2)}, "
            f"rejected = {p(3)} WHERE id = {p(4)}",
            (accepted, duplicates, rejected, self.batch_id),
        )

    def close(self) -> None:
        self._cursor.close()


@contextmanager
def ingest_session(url: StoreURL, batch: NewBatch) -> Iterator[IngestSession]:
    with _connect(url) as connection, _transaction(url, connection):
        session = IngestSession(url, connection, batch)
        try:
            yield session
        finally:
            session.close()


def read_current_ledger(url: StoreURL) -> pl.DataFrame:
    """The current revision of every record: rows that no later revision supersedes."""
    with _connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(LEDGER_COLUMNS)} FROM records")
        ledger = _frame(cursor.fetch_arrow_table(), LEDGER_COLUMNS)
        cursor.execute("SELECT supersedes FROM records WHERE supersedes IS NOT NULL")
        superseded = pl.from_arrow(cursor.fetch_arrow_table())
    assert isinstance(superseded, pl.DataFrame)
    if superseded.height:
        ledger = ledger.join(
            superseded.select(pl.col("supersedes").cast(pl.Int64).alias("id")),
            on="id",
            how="anti",
        )
    return ledger
