"""Every connection the store opens, and the settings they share.

Two routes to each database, one for small work and one for bulk:
- SQLite, only ever through Python's own `sqlite3` module: SQLAlchemy's engine (the schema, the
  migrations, the small transactional queries) and the bulk paths alike, which run prepared
  statements over all rows at once (`executemany`) and have SQLite render large reads as CSV
  text. Never through ADBC: its SQLite driver carries a second, static copy of SQLite, and two
  copies of SQLite in one process corrupt a database (each drops the other's POSIX locks; see
  sqlite.org/howtocorrupt.html §2.2.1). We saw exactly that in testing.
- PostgreSQL: SQLAlchemy with psycopg 3 for the small work; ADBC for the bulk paths, which move
  Arrow data. Its DB-API module (here) writes with binary COPY and streams the ledger batch by
  batch; reads taken whole go through ADBC's own API (`store.postgresql_read`), which does not
  import pyarrow.

The identity store opens its own connections likewise (`store.identities`).
"""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from socialcredit.store.urls import StoreURL

# How long a SQLite connection waits for another writer (a long ingest) before it gives up
# with "busy". Read at connection time, so that a test may shorten it.
SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_INGEST_CACHE_KIB = 262_144  # page cache while ingesting: index pages stay in memory
SQLITE_WAL_CHECKPOINT_PAGES = 65_536  # 256 MiB of 4 KiB pages


def create_engine(url: StoreURL) -> Engine:
    """SQLAlchemy's engine for the store's small work; ArgumentError or ValueError when the URL
    cannot name a database."""
    engine = sa.create_engine(url.sqlalchemy_url)
    if url.dialect == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas(url))
    return engine


def _sqlite_pragmas(url: StoreURL):
    def apply(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if url.access == "read-write":
            # WAL lets readers go on while a file is ingested; FULL makes an acknowledged
            # commit survive a power cut, not just a crash of the process.
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
        # Temporary tables (a conversion's key map) stay in memory, never in a file on disk.
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.close()

    return apply


def sqlite_write_connection(url: StoreURL) -> sqlite3.Connection:
    """A connection for ingesting a file, without implicit transactions (the session opens and
    closes its own)."""
    assert url.sqlite_path is not None
    connection = sqlite3.connect(url.sqlite_path, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute(f"PRAGMA cache_size = -{SQLITE_INGEST_CACHE_KIB}")
    # Checkpoint the write-ahead log less often than after every file: index pages that
    # successive files touch are then copied back into the database once, not once per file.
    connection.execute(f"PRAGMA wal_autocheckpoint = {SQLITE_WAL_CHECKPOINT_PAGES}")
    return connection


def sqlite_read_connection(url: StoreURL) -> sqlite3.Connection:
    """A read-only connection without implicit transactions (the caller opens its own).
    Read-only, so that a store in a file or folder we may not write can still be read."""
    connection = sqlite3.connect(url.sqlite_read_uri(), uri=True, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    return connection


def postgresql_bulk_connection(url: StoreURL) -> Any:
    """ADBC's DB-API connection, in autocommit (the caller opens its own transaction)."""
    import adbc_driver_postgresql.dbapi as driver  # imports pyarrow: only when bulk work runs

    return driver.connect(url.adbc_uri, autocommit=True)
