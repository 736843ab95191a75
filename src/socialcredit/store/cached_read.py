"""The current ledger read through the ledger cache (`store.ledger_cache`), for the batch scorer.

One snapshot of the store (SQLite: a read transaction; PostgreSQL: REPEATABLE READ) lists the
committed batches with their stamps; each batch whose segment is valid is read from the cache,
the others from the store in that same snapshot (then their segments written). The current
revisions are then found in Polars. The frame is the one `store.ledger_read` reads straight
from the store: the same rows and types.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import polars as pl

from socialcredit.store import connections, ledger_read
from socialcredit.store.identities import IdentityStore
from socialcredit.store.ledger_cache import (
    LEDGER_COLUMNS,
    LEDGER_COLUMNS_WITH_IDS,
    SEGMENT_COLUMNS,
    BatchStamp,
    LedgerCache,
    current_revisions,
)
from socialcredit.store.postgresql_read import PostgreSQLReader
from socialcredit.store.urls import StoreURL

# The committed batches, each with what its segment must match. An ingest session reads its own
# batch's stamp back with the same query, so that the segment it writes matches this read.
_BATCH_STAMP_QUERY = "SELECT id, file_sha256, received_at, accepted FROM ingest_batches"


def sqlite_batch_stamps(
    connection: sqlite3.Connection, batch_id: int | None = None
) -> list[BatchStamp]:
    """Every batch's stamp in id order, or only `batch_id`'s."""
    query, parameters = _BATCH_STAMP_QUERY, ()
    if batch_id is not None:
        query, parameters = query + " WHERE id = ?", (batch_id,)
    return [BatchStamp.of(*row) for row in connection.execute(query + " ORDER BY id", parameters)]


def postgresql_batch_stamps(cursor: Any, batch_id: int | None = None) -> list[BatchStamp]:
    """Every batch's stamp in id order, or only `batch_id`'s, through an ADBC DB-API cursor."""
    query, parameters = _BATCH_STAMP_QUERY, None
    if batch_id is not None:
        query, parameters = query + " WHERE id = $1", (batch_id,)
    cursor.execute(query + " ORDER BY id", parameters)
    return [BatchStamp.of(*row) for row in cursor.fetchall()]


# The records a set of batches appended, every revision, as CSV text built by SQLite (see
# `store.ledger_read`); `supersedes` is an empty field where it is NULL.
_SQLITE_BATCH_RECORDS_AS_CSV = (
    "SELECT group_concat(batch_id || ',' || id || ',' || subject"
    " || ',\"' || replace(item, '\"', '\"\"') || '\",' || decided_on || ',' || quantity"
    f" || ',' || status || {ledger_read.SQLITE_ACT_AS_CSV} || {ledger_read.SQLITE_SOURCE_AS_CSV}"
    " || ',' || coalesce(supersedes, '')"
    ", char(10))"
    " FROM records WHERE id BETWEEN :first AND :last"
    " AND batch_id IN (SELECT value FROM json_each(:batches))"
)
_BATCH_RECORD_COLUMNS: dict[str, pl.DataType] = {"batch_id": pl.Int64(), **SEGMENT_COLUMNS}


class _SQLiteSnapshot:
    """One read transaction on SQLite (WAL: its snapshot is fixed by the first SELECT)."""

    def __init__(self, url: StoreURL):
        self._connection = connections.sqlite_read_connection(url)
        self._connection.execute("BEGIN")

    def batch_stamps(self) -> list[BatchStamp]:
        return sqlite_batch_stamps(self._connection)

    def records_of(self, batch_ids: list[int]) -> Iterator[pl.DataFrame]:
        text_types = {"item": pl.String(), "decided_on": pl.Date(), **ledger_read.ACT_TEXT_TYPES}
        yield from ledger_read.sqlite_csv_chunks(
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
            f"SELECT {ledger_read.postgresql_columns(_BATCH_RECORD_COLUMNS)} FROM records r "
            f"WHERE batch_id = ANY('{{{listed}}}'::bigint[])",
            ledger_read.POSTGRESQL_READ_BATCH_BYTES,
        )
        yield ledger_read.typed(frame, _BATCH_RECORD_COLUMNS)

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
