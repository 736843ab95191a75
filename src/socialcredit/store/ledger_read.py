"""The current ledger read straight from the store, for the batch scorer: every record's current
revision (the rows no later revision supersedes), subjects by key, in one consistent snapshot
however many chunks it comes in. What the ledger cache falls back on (`store.cached_read`), and
what the scorer reads when the cache is off.

Millions of rows come out here, so not through SQLAlchemy (`store.connections`): SQLite renders
each chunk of record ids as CSV text that Polars parses in one call; PostgreSQL streams Arrow
batches over ADBC.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator

import polars as pl

from socialcredit.store import connections
from socialcredit.store.ledger_cache import LEDGER_COLUMNS, LEDGER_COLUMNS_WITH_IDS
from socialcredit.store.urls import StoreURL

SQLITE_READ_IDS = 200_000  # record ids per chunk of the current ledger read from SQLite
POSTGRESQL_READ_BATCH_BYTES = 16 * 1024 * 1024  # per Arrow batch of the ledger read over ADBC


def typed(frame: pl.DataFrame, columns: dict[str, pl.DataType]) -> pl.DataFrame:
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
        pl.lit(None, pl.String).alias(name) for name in ACT_TEXT_TYPES if name not in frame.columns
    )
    return typed(frame.select(list(LEDGER_COLUMNS)), LEDGER_COLUMNS)


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
    " || '\",' || decided_on || ',' || quantity || ',' || status || {act} || {source},"
    " char(10))"
    " FROM records WHERE id BETWEEN :first AND :last AND id NOT IN (SELECT supersedes"
    " FROM records WHERE supersedes BETWEEN :first AND :last AND supersedes IS NOT NULL)"
)
# The act and its tie-break (source, record id) as three quoted CSV fields after a comma, or
# three empty ones for a record without an act (SPEC §10.3; see `ledger_cache.LEDGER_COLUMNS`).
SQLITE_ACT_AS_CSV = (
    "coalesce(',\"' || replace(act, '\"', '\"\"') || '\",\"' || replace(source, '\"', '\"\"')"
    " || '\",\"' || replace(record_id, '\"', '\"\"') || '\"', ',,,')"
)
# The record's source (SPEC §11), quoted, after a comma.
SQLITE_SOURCE_AS_CSV = "',\"' || replace(source, '\"', '\"\"') || '\"'"
ACT_TEXT_TYPES = {
    "act": pl.String(),
    "act_source": pl.String(),
    "act_record_id": pl.String(),
    "source": pl.String(),
}
# The same three columns read from PostgreSQL.
_POSTGRESQL_SELECTED = {
    "act_source": "CASE WHEN r.act IS NOT NULL THEN r.source END AS act_source",
    "act_record_id": "CASE WHEN r.act IS NOT NULL THEN r.record_id END AS act_record_id",
}


def postgresql_columns(columns: dict[str, pl.DataType]) -> str:
    """The SELECT list (table alias `r`) that reads these ledger columns from PostgreSQL."""
    return ", ".join(_POSTGRESQL_SELECTED.get(name, f"r.{name}") for name in columns)


def _current_ledger_chunks_sqlite(
    url: StoreURL, columns: dict[str, pl.DataType]
) -> Iterator[pl.DataFrame]:
    """The current ledger, SQLITE_READ_IDS record ids at a time, in id order; each chunk
    finds the superseded ids of its own range in the index on `supersedes`.

    Every chunk is read in one read transaction: in WAL mode its snapshot is fixed by its
    first SELECT and holds to the end, so a file committed meanwhile is not half seen (its
    new revisions beyond the range, the rows they supersede already gone)."""
    connection = connections.sqlite_read_connection(url)
    try:
        connection.execute("BEGIN")
        text_types = {
            "subject": pl.Int64(),
            "item": pl.String(),
            "decided_on": pl.Date(),
            **ACT_TEXT_TYPES,
        }
        query = _SQLITE_LEDGER_CHUNK_AS_CSV.format(
            id="id || ',' || " if "id" in columns else "",
            act=SQLITE_ACT_AS_CSV,
            source=SQLITE_SOURCE_AS_CSV,
        )
        yield from sqlite_csv_chunks(connection, query, {}, columns, text_types)
    finally:
        connection.close()  # ends the read transaction


def sqlite_csv_chunks(
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


def _current_ledger_batches(
    url: StoreURL, columns: dict[str, pl.DataType]
) -> Iterator[pl.DataFrame]:
    if url.dialect == "sqlite":
        yield from _current_ledger_chunks_sqlite(url, columns)
        return
    # One statement, so one snapshot on PostgreSQL, however many batches it streams in. Through
    # the DB-API module, which streams batch by batch (with pyarrow); reads taken whole go
    # through `PostgreSQLReader`, which does not import pyarrow.
    with connections.postgresql_bulk_connection(url) as connection, connection.cursor() as cursor:
        # NOT EXISTS, not NOT IN: PostgreSQL plans it as an anti-join, which may spill to
        # disk; a NOT IN subplan too large for work_mem would be re-scanned for every row.
        cursor.adbc_statement.set_options(
            **{"adbc.postgresql.batch_size_hint_bytes": str(POSTGRESQL_READ_BATCH_BYTES)}
        )
        cursor.execute(
            f"SELECT {postgresql_columns(columns)} FROM records r "
            "WHERE NOT EXISTS (SELECT 1 FROM records s "
            "WHERE s.supersedes = r.id AND s.supersedes IS NOT NULL)"
        )
        for batch in cursor.fetch_record_batch():
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            yield typed(frame, columns)
