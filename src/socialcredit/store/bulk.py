"""Bulk paths: a whole file into the ledger, the whole ledger out to the batch scorer.

Millions of rows move here, so neither goes through the ORM:
- PostgreSQL: ADBC moves Arrow batches with binary COPY, both ways.
- SQLite: Python's own `sqlite3` module, with prepared statements run over all rows at once
  (`executemany`). Not ADBC: its driver carries a second, static copy of SQLite, and two
  copies of SQLite in one process corrupt a database (each drops the other's POSIX locks;
  see sqlite.org/howtocorrupt.html §2.2.1). We saw exactly that in testing.

Each ingest holds one transaction for the whole file. Every SQL difference between the two
stores lives in this module and in `store.identities`.

Identifiers never reach the main store (SPEC §7.5): the session hands each chunk's subjects to
the identity store, which assigns their keys and commits, and only then appends the records
with the keys; rejected rows go to the identity store whole, and to the main store with their
submitted values taken out of the reason.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import polars as pl

from socialcredit.store.identities import IdentityStore, IdentityWriter, redacted_reason
from socialcredit.store.ledger_cache import (
    LEDGER_COLUMNS,
    LEDGER_COLUMNS_WITH_IDS,
    SEGMENT_COLUMNS,
    BatchStamp,
    LedgerCache,
    SegmentWriter,
    current_revisions,
)
from socialcredit.store.postgresql_read import PostgreSQLReader
from socialcredit.store.schema import REJECTED_RAW_FIELDS
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
    """Any frame of the ledger's columns in the types the batch scorer reads; a frame without
    the act's columns names no act."""
    frame = frame.with_columns(
        pl.lit(None, pl.String).alias(name) for name in _ACT_TEXT_TYPES if name not in frame.columns
    )
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
    `socialcredit.ingest.pipeline.LedgerSession`). Identities go through `identities`, which
    commits each call before the main transaction writes what depends on it."""

    batch_id: int

    def __init__(self, source: str, identities: IdentityWriter, segment: SegmentWriter | None):
        self.source = source
        self.identities = identities
        self.segment = segment  # the batch's segment of the ledger cache, if there is a cache
        self.stamp: BatchStamp | None = None  # the batch as committed, once finished

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
            stored = _typed(stored, STORED_REVISION_COLUMNS).filter(
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
        return _typed(stored.select(list(STORED_REVISION_COLUMNS)), STORED_REVISION_COLUMNS)

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
        if self.segment is not None:
            self.segment.append(frame)

    def append_rejections(self, frame: pl.DataFrame) -> None:
        """Rejected rows: whole in the identity store, committed first; in the main store only
        the row number and the reason with every submitted value taken out."""
        if frame.height == 0:
            return
        ids = self.identities.append_submitted(frame)
        fields = list(REJECTED_RAW_FIELDS)
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
        self._finish(accepted, duplicates, rejected)
        (self.stamp,) = self._batch_stamps(self.batch_id)

    @abstractmethod
    def _finish(self, accepted: int, duplicates: int, rejected: int) -> None: ...

    @abstractmethod
    def _batch_stamps(self, batch_id: int) -> list[BatchStamp]:
        """The stamp of this batch, read back as the scorer will read it."""


class _SQLiteIngestSession(_IngestSession):
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
        return pl.DataFrame(rows, schema=list(STORED_REVISION_COLUMNS), orient="row")

    def _stored_revisions_between(self, first: str, last: str, limit: int) -> pl.DataFrame:
        rows = self._connection.execute(
            f"SELECT {_STORED_REVISION_COLUMNS_SQL} FROM records r WHERE r.source = ? "
            "AND r.record_id BETWEEN ? AND ? ORDER BY r.record_id, r.revision LIMIT ?",
            (self.source, first, last, limit),
        ).fetchall()
        return pl.DataFrame(rows, schema=list(STORED_REVISION_COLUMNS), orient="row")

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
        return _sqlite_batch_stamps(self._connection, batch_id)


class _PostgreSQLIngestSession(_IngestSession):
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
        return _postgresql_batch_stamps(self._cursor, batch_id)


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
def ingest_session(
    url: StoreURL, batch: NewBatch, identity_store: IdentityStore, cache: LedgerCache | None
) -> Iterator[_IngestSession]:
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
) -> Iterator[_IngestSession]:
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
            yield session_type(connection, batch, identities, segment)
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
    "SELECT group_concat({id}subject || ',\"' || replace(item, '\"', '\"\"')"
    " || '\",' || decided_on || ',' || quantity || ',' || status || {act}, char(10))"
    " FROM records WHERE id BETWEEN :first AND :last AND id NOT IN (SELECT supersedes"
    " FROM records WHERE supersedes BETWEEN :first AND :last AND supersedes IS NOT NULL)"
)
# The act and its tie-break (source, record id) as three quoted CSV fields after a comma, or
# three empty ones for a record without an act (SPEC §10.3; see `ledger_cache.LEDGER_COLUMNS`).
_SQLITE_ACT_AS_CSV = (
    "coalesce(',\"' || replace(act, '\"', '\"\"') || '\",\"' || replace(source, '\"', '\"\"')"
    " || '\",\"' || replace(record_id, '\"', '\"\"') || '\"', ',,,')"
)
_ACT_TEXT_TYPES = {"act": pl.String(), "act_source": pl.String(), "act_record_id": pl.String()}
# The same three columns read from PostgreSQL.
_POSTGRESQL_SELECTED = {
    "act_source": "CASE WHEN r.act IS NOT NULL THEN r.source END AS act_source",
    "act_record_id": "CASE WHEN r.act IS NOT NULL THEN r.record_id END AS act_record_id",
}


def _postgresql_columns(columns: dict[str, pl.DataType]) -> str:
    return ", ".join(_POSTGRESQL_SELECTED.get(name, f"r.{name}") for name in columns)


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
        text_types = {
            "subject": pl.Int64(),
            "item": pl.String(),
            "decided_on": pl.Date(),
            **_ACT_TEXT_TYPES,
        }
        query = _SQLITE_LEDGER_CHUNK_AS_CSV.format(
            id="id || ',' || " if "id" in columns else "", act=_SQLITE_ACT_AS_CSV
        )
        yield from _sqlite_csv_chunks(connection, query, {}, columns, text_types)
    finally:
        connection.close()  # ends the read transaction


def _sqlite_csv_chunks(
    connection: sqlite3.Connection,
    query: str,
    parameters: dict[str, object],
    columns: dict[str, pl.DataType],
    text_types: dict[str, pl.DataType],
) -> Iterator[pl.DataFrame]:
    """`query` (CSV text rendered by SQLite for the record ids :first to :last) run over every
    range of SQLITE_READ_IDS ids, each chunk parsed by Polars in one call."""
    first, last = connection.execute("SELECT min(id), max(id) FROM records").fetchone()
    if first is None:
        return
    for start in range(first, last + 1, SQLITE_READ_IDS):
        bounds = {**parameters, "first": start, "last": start + SQLITE_READ_IDS - 1}
        (text,) = connection.execute(query, bounds).fetchone()
        if text is not None:
            chunk = pl.read_csv(
                text.encode(),
                has_header=False,
                new_columns=list(columns),
                schema_overrides=text_types,
            )
            yield chunk.cast(columns)


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
    # One statement, so one snapshot on PostgreSQL, however many batches it streams in. Through
    # the DB-API module, which streams batch by batch (with pyarrow); reads taken whole go
    # through `PostgreSQLReader`, which does not import pyarrow.
    with _postgresql_connection(url) as connection, connection.cursor() as cursor:
        # NOT EXISTS, not NOT IN: PostgreSQL plans it as an anti-join, which may spill to
        # disk; a NOT IN subplan too large for work_mem would be re-scanned for every row.
        cursor.adbc_statement.set_options(
            **{"adbc.postgresql.batch_size_hint_bytes": str(POSTGRESQL_READ_BATCH_BYTES)}
        )
        cursor.execute(
            f"SELECT {_postgresql_columns(columns)} FROM records r "
            "WHERE NOT EXISTS (SELECT 1 FROM records s "
            "WHERE s.supersedes = r.id AND s.supersedes IS NOT NULL)"
        )
        for batch in cursor.fetch_record_batch():
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            yield _typed(frame, columns)


# -- the current ledger through the ledger cache -----------------------------------------------

_BATCH_STAMP_QUERY = "SELECT id, file_sha256, received_at, accepted FROM ingest_batches"


def _sqlite_batch_stamps(
    connection: sqlite3.Connection, batch_id: int | None = None
) -> list[BatchStamp]:
    query, parameters = _BATCH_STAMP_QUERY, ()
    if batch_id is not None:
        query, parameters = query + " WHERE id = ?", (batch_id,)
    return [BatchStamp.of(*row) for row in connection.execute(query + " ORDER BY id", parameters)]


def _postgresql_batch_stamps(cursor: Any, batch_id: int | None = None) -> list[BatchStamp]:
    query, parameters = _BATCH_STAMP_QUERY, None
    if batch_id is not None:
        query, parameters = query + " WHERE id = $1", (batch_id,)
    cursor.execute(query + " ORDER BY id", parameters)
    return [BatchStamp.of(*row) for row in cursor.fetchall()]


# The records a set of batches appended, every revision, as CSV text built by SQLite (see
# _SQLITE_LEDGER_CHUNK_AS_CSV); `supersedes` is an empty field where it is NULL.
_SQLITE_BATCH_RECORDS_AS_CSV = (
    "SELECT group_concat(batch_id || ',' || id || ',' || subject || ',\"' || replace(item, '\"', '\"\"')"
    f" || '\",' || decided_on || ',' || quantity || ',' || status || {_SQLITE_ACT_AS_CSV}"
    " || ',' || coalesce(supersedes, ''), char(10)) FROM records WHERE id BETWEEN :first AND :last"
    " AND batch_id IN (SELECT value FROM json_each(:batches))"
)
_BATCH_RECORD_COLUMNS: dict[str, pl.DataType] = {"batch_id": pl.Int64(), **SEGMENT_COLUMNS}


class _SQLiteSnapshot:
    """One read transaction on SQLite (WAL: its snapshot is fixed by the first SELECT)."""

    def __init__(self, url: StoreURL):
        self._connection = sqlite_read_connection(url)
        self._connection.execute("BEGIN")

    def batch_stamps(self) -> list[BatchStamp]:
        return _sqlite_batch_stamps(self._connection)

    def records_of(self, batch_ids: list[int]) -> Iterator[pl.DataFrame]:
        text_types = {"item": pl.String(), "decided_on": pl.Date(), **_ACT_TEXT_TYPES}
        yield from _sqlite_csv_chunks(
            self._connection,
            _SQLITE_BATCH_RECORDS_AS_CSV,
            {"batches": str(batch_ids)},
            _BATCH_RECORD_COLUMNS,
            text_types,
        )

    def subjects(self, identities: IdentityStore) -> pl.DataFrame:
        """From the identity file, read once this snapshot is fixed: so every key of its
        batches is named (identities are committed before the records that use them)."""
        return identities.subjects_frame()

    def close(self) -> None:
        self._connection.close()  # ends the read transaction


class _PostgreSQLSnapshot:
    """One REPEATABLE READ transaction: every statement sees the same snapshot."""

    def __init__(self, url: StoreURL):
        self._reader = PostgreSQLReader(url)
        try:
            self._reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        except BaseException:
            self._reader.close()
            raise

    def batch_stamps(self) -> list[BatchStamp]:
        stamps = self._reader.frame(_BATCH_STAMP_QUERY + " ORDER BY id")
        return [BatchStamp.of(*row) for row in stamps.rows()]

    def records_of(self, batch_ids: list[int]) -> Iterator[pl.DataFrame]:
        listed = ",".join(str(int(batch_id)) for batch_id in batch_ids)
        frame = self._reader.frame(
            f"SELECT {_postgresql_columns(_BATCH_RECORD_COLUMNS)} FROM records r "
            f"WHERE batch_id = ANY('{{{listed}}}'::bigint[])",
            POSTGRESQL_READ_BATCH_BYTES,
        )
        yield _typed(frame, _BATCH_RECORD_COLUMNS)

    def subjects(self, identities: IdentityStore) -> pl.DataFrame:
        """In the same snapshot, so every key of its batches is named (identities are
        committed before the records that use them)."""
        return identities.subjects_frame(self._reader)

    def close(self) -> None:
        try:
            self._reader.execute("COMMIT")
        finally:
            self._reader.close()


def read_current_ledger_cached(
    url: StoreURL,
    cache: LedgerCache,
    with_ids: bool = False,
    between_batches: Callable[[], None] | None = None,
) -> pl.DataFrame:
    """The same frame as `read_current_ledger`, from the cache's segments where they are valid.

    The batches come from the store in one snapshot, and a batch whose segment is missing or
    does not match is read from the store in that same snapshot (then its segment written), so
    a file committed meanwhile is wholly in the read or wholly out of it. `between_batches`
    runs after each batch is found (tests commit an ingest there)."""
    ledger, _ = _read_cached(url, cache, with_ids, between_batches, None)
    return ledger


def read_ledger_and_subjects_cached(
    url: StoreURL, cache: LedgerCache, identities: IdentityStore, with_ids: bool = False
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`read_current_ledger_cached`, and every subject (`IdentityStore.subjects_frame`) read
    once the snapshot is fixed, so that they name every key of the ledger. The subjects are
    read in a thread while the segments are read and checked: the store producing and
    sending them overlaps with decompressing the segments (issue 12)."""
    ledger, subjects = _read_cached(url, cache, with_ids, None, identities)
    assert subjects is not None
    return ledger, subjects


def _read_cached(
    url: StoreURL,
    cache: LedgerCache,
    with_ids: bool,
    between_batches: Callable[[], None] | None,
    identities: IdentityStore | None,
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    snapshot = _SQLiteSnapshot(url) if url.dialect == "sqlite" else _PostgreSQLSnapshot(url)
    segments: list[pl.DataFrame] = []
    missing: list[BatchStamp] = []
    subjects: Future[pl.DataFrame] | None = None
    try:
        # The pool's end waits for the subjects' read, so the snapshot closes after it.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="scs-subjects") as pool:
            stamps = snapshot.batch_stamps()
            if identities is not None:
                subjects = pool.submit(snapshot.subjects, identities)
            for batch in stamps:
                if batch.rows:
                    segment = cache.segment(batch)
                    if segment is None:
                        missing.append(batch)
                    else:
                        segments.append(segment)
                if between_batches is not None:
                    between_batches()
            rebuilt = None
            if missing:
                if subjects is not None:
                    subjects.result()  # one read at a time on the snapshot's connection
                rebuilt = pl.concat(
                    [
                        pl.DataFrame(schema=_BATCH_RECORD_COLUMNS),
                        *snapshot.records_of([b.id for b in missing]),
                    ]
                )
    finally:
        snapshot.close()
    if rebuilt is not None:
        parts = rebuilt.partition_by("batch_id", as_dict=True, include_key=False)
        for batch in missing:
            part = parts.get((batch.id,), pl.DataFrame(schema=SEGMENT_COLUMNS))
            if part.height == batch.rows:  # else the batch's count is off: no segment would match
                cache.store(batch, part)
            segments.append(part)
    columns = LEDGER_COLUMNS_WITH_IDS if with_ids else LEDGER_COLUMNS
    return current_revisions(segments, columns), (
        subjects.result() if subjects is not None else None
    )
