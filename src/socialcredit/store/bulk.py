"""Bulk paths: a whole file into the ledger, the whole ledger out to the batch scorer.

Millions of rows move here, so neither goes through the ORM:
- PostgreSQL: ADBC moves Arrow batches with binary COPY, both ways.
- SQLite: Python's own `sqlite3` module, with prepared statements run over all rows at once
  (`executemany`). Not ADBC: its driver carries a second, static copy of SQLite, and two
  copies of SQLite in one process corrupt a database (each drops the other's POSIX locks;
  see sqlite.org/howtocorrupt.html §2.2.1). We saw exactly that in testing.

Each ingest holds one transaction for the whole file. Every SQL difference between the two
stores lives in this module.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import polars as pl

from socialcredit.domain.identifiers import SUBJECT_KINDS
from socialcredit.domain.records import RECORD_STATUSES
from socialcredit.store.urls import StoreURL

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_INGEST_CACHE_KIB = 262_144  # page cache while ingesting: index pages stay in memory
SQLITE_READ_IDS = 200_000  # record ids per chunk of the current ledger read from SQLite
POSTGRESQL_READ_BATCH_BYTES = 16 * 1024 * 1024  # per Arrow batch of the ledger read over ADBC
SQLITE_WAL_CHECKPOINT_PAGES = 65_536  # 256 MiB of 4 KiB pages
INGEST_KEYS_TABLE = "scs_ingest_keys"
RECORD_ID_LOCK = 7469002  # advisory lock key around a record-id reservation on PostgreSQL

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
# What the batch scorer reads: the current revision of every record, in compact types (an
# item code is a 4-byte category, a kind or status one byte), so ten million records fit in
# about half a gigabyte.
LEDGER_COLUMNS: dict[str, pl.DataType] = {
    "subject_kind": pl.Enum(SUBJECT_KINDS),
    "subject_id": pl.String(),
    "item": pl.Categorical(),
    "decided_on": pl.Date(),
    "quantity": pl.Int32(),
    "status": pl.Enum(RECORD_STATUSES),
}
_STORED_REVISION_COLUMNS_SQL = (
    "r.id, r.record_id, r.revision, r.item, r.subject_id, r.decided_on, r.quantity, r.reference, "
    "r.status"
)
# The same with each record's row id first: read only when an objection is overdue on the
# scoring day, for the scorer names the records it holds back by it (`scoring.batch`).
LEDGER_COLUMNS_WITH_IDS: dict[str, pl.DataType] = {"id": pl.Int64(), **LEDGER_COLUMNS}
_BATCH_COLUMNS = "source, file_name, file_format, file_sha256, submitted_on, received_at"


@dataclass(frozen=True, slots=True)
class NewBatch:
    source: str
    file_name: str
    file_format: str
    file_sha256: str
    submitted_on: dt.date
    received_at: dt.datetime


def _typed(frame: pl.DataFrame, columns: dict[str, pl.DataType]) -> pl.DataFrame:
    """A fetched frame with exactly these names and types (SQLite hands dates back as text).
    Applied batch by batch, so the untyped form never exists for a whole ledger at once."""
    frame = frame.rename(dict(zip(frame.columns, columns)))
    return frame.select(
        pl.col(name).str.to_date("%Y-%m-%d")
        if dtype == pl.Date() and frame.schema[name] == pl.String()
        else pl.col(name).cast(dtype)
        for name, dtype in columns.items()
    )


def as_ledger(frame: pl.DataFrame) -> pl.DataFrame:
    """Any frame of the ledger's columns in the types the batch scorer reads."""
    return _typed(frame.select(list(LEDGER_COLUMNS)), LEDGER_COLUMNS)


def _rows(frame: pl.DataFrame, columns: dict[str, pl.DataType]) -> Iterator[tuple]:
    """Rows for sqlite3, in column order; dates as ISO text, as SQLAlchemy stores them."""
    return frame.select(
        pl.col(name).cast(dtype).dt.to_string("%Y-%m-%d")
        if dtype == pl.Date()
        else pl.col(name).cast(dtype)
        for name, dtype in columns.items()
    ).iter_rows()


class _IngestSession(ABC):
    """The store's side of ingesting one file, inside one transaction (see
    `socialcredit.ingest.pipeline.LedgerSession`)."""

    batch_id: int

    def __init__(self, source: str):
        self.source = source

    def stored_revisions(self, record_ids: pl.Series) -> pl.DataFrame:
        """Every stored revision of these record ids of this source."""
        # Sorted keys walk the unique index in order: each probe lands near the last one.
        keys = record_ids.unique().sort()
        return _typed(self._stored_revisions(keys), STORED_REVISION_COLUMNS)

    @abstractmethod
    def _stored_revisions(self, keys: pl.Series) -> pl.DataFrame: ...

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
    def append_records(self, frame: pl.DataFrame) -> None: ...

    @abstractmethod
    def append_rejections(self, frame: pl.DataFrame) -> None: ...

    @abstractmethod
    def finish(self, accepted: int, duplicates: int, rejected: int) -> None: ...


class _SQLiteIngestSession(_IngestSession):
    def __init__(self, connection: sqlite3.Connection, batch: NewBatch):
        super().__init__(batch.source)
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
        return pl.DataFrame(rows, schema=list(STORED_REVISION_COLUMNS), orient="row")

    def _reserve(self, count: int) -> int:
        # The transaction holds SQLite's write lock: nobody else can take ids meanwhile.
        (highest,) = self._connection.execute("SELECT coalesce(max(id), 0) FROM records").fetchone()
        return highest + 1

    def append_records(self, frame: pl.DataFrame) -> None:
        self._insert("records", frame, RECORD_COLUMNS)

    def append_rejections(self, frame: pl.DataFrame) -> None:
        self._insert("rejected_rows", frame, REJECTED_COLUMNS)

    def _insert(self, table: str, frame: pl.DataFrame, columns: dict[str, pl.DataType]) -> None:
        if frame.height:
            placeholders = ", ".join("?" for _ in columns)
            self._connection.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
                _rows(frame, columns),
            )

    def finish(self, accepted: int, duplicates: int, rejected: int) -> None:
        self._connection.execute(
            "UPDATE ingest_batches SET accepted = ?, duplicates = ?, rejected = ? WHERE id = ?",
            (accepted, duplicates, rejected, self.batch_id),
        )


class _PostgreSQLIngestSession(_IngestSession):
    def __init__(self, connection: Any, batch: NewBatch):
        super().__init__(batch.source)
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

    def append_records(self, frame: pl.DataFrame) -> None:
        self._copy("records", frame, RECORD_COLUMNS)

    def append_rejections(self, frame: pl.DataFrame) -> None:
        self._copy("rejected_rows", frame, REJECTED_COLUMNS)

    def _copy(self, table: str, frame: pl.DataFrame, columns: dict[str, pl.DataType]) -> None:
        if frame.height:
            rows = frame.select(pl.col(name).cast(dtype) for name, dtype in columns.items())
            self._cursor.adbc_ingest(table, rows.to_arrow(), mode="append")

    def finish(self, accepted: int, duplicates: int, rejected: int) -> None:
        self._cursor.execute(
            "UPDATE ingest_batches SET accepted = $1, duplicates = $2, rejected = $3 WHERE id = $4",
            (accepted, duplicates, rejected, self.batch_id),
        )

def _sqlite_connection(url: StoreURL) -> sqlite3.Connection:
    # isolation_level=None: no implicit transactions; `ingest_session` opens and closes its own.
    connection = sqlite3.connect(url.adbc_uri, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute(f"PRAGMA cache_size = -{SQLITE_INGEST_CACHE_KIB}")
    # Checkpoint the write-ahead log less often than after every file: index pages that
    # successive files touch are then copied back into the database once, not once per file.
    connection.execute(f"PRAGMA wal_autocheckpoint = {SQLITE_WAL_CHECKPOINT_PAGES}")
    return connection


def _postgresql_connection(url: StoreURL) -> Any:
    import adbc_driver_postgresql.dbapi as driver

    return driver.connect(url.adbc_uri, autocommit=True)


@contextmanager
def ingest_session(url: StoreURL, batch: NewBatch) -> Iterator[_IngestSession]:
    """One file, one transaction: everything in it lands, or nothing does."""
    if url.dialect == "sqlite":
        connection = _sqlite_connection(url)
        # IMMEDIATE: take the write lock now, so that the stored revisions the file is judged
        # against cannot change under it.
        begin, session_type = "BEGIN IMMEDIATE", _SQLiteIngestSession
    else:
        connection = _postgresql_connection(url)
        begin, session_type = "BEGIN", _PostgreSQLIngestSession
    try:
        control = connection.cursor()
        control.execute(begin)
        try:
            yield session_type(connection, batch)
        except BaseException:
            control.execute("ROLLBACK")
            raise
        control.execute("COMMIT")
    finally:
        connection.close()


def read_current_ledger(
    url: StoreURL, with_ids: bool = False, between_chunks: Callable[[], None] | None = None
) -> pl.DataFrame:
    """The current revision of every record: rows that no later revision supersedes; with
    `with_ids`, each with its row id first.

    One consistent snapshot, however many chunks it is read in: a file committed meanwhile is
    wholly in the read or wholly out of it. `between_chunks` runs after each chunk (tests
    commit an ingest there)."""
    columns = LEDGER_COLUMNS_WITH_IDS if with_ids else LEDGER_COLUMNS
    chunks = [pl.DataFrame(schema=columns)]
    for chunk in _current_ledger_batches(url, columns):
        chunks.append(chunk)
        if between_chunks is not None:
            between_chunks()
    return pl.concat(chunks, rechunk=False)


# One chunk of the current ledger from SQLite as CSV text, built by SQLite itself: Python's
# sqlite3 makes an object per value fetched, which made reading 10 million records take 16 s.
# Item codes are quoted (a catalogue may use any text as a code); the other columns are
# identifiers, ISO dates, integers and fixed words, validated on the way in.
_SQLITE_LEDGER_CHUNK_AS_CSV = (
    "SELECT group_concat({id}subject_kind || ',' || subject_id || ',\"' || replace(item, '\"', '\"\"')"
    " || '\",' || decided_on || ',' || quantity || ',' || status, char(10)) FROM records"
    " WHERE id BETWEEN :first AND :last AND id NOT IN (SELECT supersedes FROM records"
    " WHERE supersedes BETWEEN :first AND :last AND supersedes IS NOT NULL)"
)


def _current_ledger_chunks_sqlite(
    url: StoreURL, columns: dict[str, pl.DataType]
) -> Iterator[pl.DataFrame]:
    """The current ledger, SQLITE_READ_IDS record ids at a time, in id order; each chunk
    finds the superseded ids of its own range in the index on `supersedes`.

    Every chunk is read in one read transaction: in WAL mode its snapshot is fixed by its
    first SELECT and holds to the end, so a file committed meanwhile is not half seen (its
    new revisions beyond the range, the rows they supersede already gone)."""
    connection = sqlite_read_connection(url)
    try:
        connection.execute("BEGIN")
        first, last = connection.execute("SELECT min(id), max(id) FROM records").fetchone()
        if first is None:
            return
        text_types = {"subject_id": pl.String(), "item": pl.String(), "decided_on": pl.Date()}
        query = _SQLITE_LEDGER_CHUNK_AS_CSV.format(id="id || ',' || " if "id" in columns else "")
        for start in range(first, last + 1, SQLITE_READ_IDS):
            bounds = {"first": start, "last": start + SQLITE_READ_IDS - 1}
            (text,) = connection.execute(query, bounds).fetchone()
            if text is not None:
                chunk = pl.read_csv(
                    text.encode(),
                    has_header=False,
                    new_columns=list(columns),
                    schema_overrides=text_types,
                )
                yield chunk.cast(columns)
    finally:
        connection.close()  # ends the read transaction


def sqlite_read_connection(url: StoreURL) -> sqlite3.Connection:
    """A read-only connection without implicit transactions (the caller opens its own).
    Read-only, so that a store in a file or folder we may not write can still be read."""
    connection = sqlite3.connect(url.sqlite_read_uri(), uri=True, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    return connection


def _current_ledger_batches(
    url: StoreURL, columns: dict[str, pl.DataType]
) -> Iterator[pl.DataFrame]:
    if url.dialect == "sqlite":
        yield from _current_ledger_chunks_sqlite(url, columns)
        return
    # One statement, so one snapshot on PostgreSQL, however many batches it streams in.
    with _postgresql_connection(url) as connection, connection.cursor() as cursor:
        # NOT EXISTS, not NOT IN: PostgreSQL plans it as an anti-join, which may spill to
        # disk; a NOT IN subplan too large for work_mem would be re-scanned for every row.
        cursor.adbc_statement.set_options(
            **{"adbc.postgresql.batch_size_hint_bytes": str(POSTGRESQL_READ_BATCH_BYTES)}
        )
        cursor.execute(
            f"SELECT {', '.join(f'r.{name}' for name in columns)} FROM records r "
            "WHERE NOT EXISTS (SELECT 1 FROM records s "
            "WHERE s.supersedes = r.id AND s.supersedes IS NOT NULL)"
        )
        for batch in cursor.fetch_record_batch():
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            yield _typed(frame, columns)
