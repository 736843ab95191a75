"""The identity store (SPEC §7.5): the one part of the store that knows who a subject is.

It maps a subject key, a plain integer it assigns, to (kind, identifier), and keeps what
rejected rows submitted (any field of which may hold an identifier, valid or not). Everything
else in the store refers to a subject by key only. On SQLite it is a second database file
beside the store (`scs.db` → `scs.identities.db`); on PostgreSQL the schema `identities` of
the same database, which can be granted and backed up apart.

Write order: identities are written and committed first, in transactions of their own, and
only then the records that use them. A crash between the two can leave a key that no record
uses, never a record whose key is missing. A key, once assigned, is never changed or reused.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.request import pathname2url

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from socialcredit.domain.identifiers import SUBJECT_KINDS, SubjectKind
from socialcredit.store import connections, schema
from socialcredit.store.postgresql_read import PostgreSQLReader
from socialcredit.store.urls import StoreURL

IDENTITIES_SUFFIX = ".identities"
SUBJECTS_READ_KEYS = 500_000  # subject keys per chunk of the identity map read from SQLite
# Keys a writer remembers across the chunks of one file (a subject recurs in a file): about
# 60 bytes each, so the memory stays bounded whatever the file's size.
KNOWN_KEYS_MAX = 2_000_000
PAIRS_TABLE = "scs_subject_pairs"
KEYS_TABLE = "scs_subject_keys"

# The identity map as the batch scorer joins it back to its output.
SUBJECT_COLUMNS: dict[str, pl.DataType] = {
    "subject": pl.Int64(),
    "kind": pl.Enum(SUBJECT_KINDS),
    "subject_id": pl.String(),
}
SUBMITTED_COLUMNS: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "reason": pl.String(),
    **{field: pl.String() for field in schema.REJECTED_RAW_FIELDS},
}

REDACTED = "…"
# A submitted value shorter than this is not taken out of a reason: no identifier is that
# short, and taking out "1" or "a" would make the reason unreadable.
REDACTED_VALUE_MIN_LENGTH = 4
_QUOTED = re.compile(r"'[^']*'")
# Runs of letters and digits as long as an identifier's body, whatever quoted them.
_IDENTIFIER_LIKE = re.compile(r"[0-9A-Za-z]{15,}")


class IdentityStoreMissing(RuntimeError):
    """The store has a ledger but its identity store is not where it should be."""


def identity_path(main: Path) -> Path:
    """`scs.db` → `scs.identities.db` (SPEC §7.5)."""
    return main.with_name(f"{main.stem}{IDENTITIES_SUFFIX}{main.suffix}")


def redacted_reason(reason: str, submitted: list[str | None]) -> str:
    """The reason with every value the row submitted taken out, for the main store."""
    for value in submitted:
        value = (value or "").strip()
        if len(value) >= REDACTED_VALUE_MIN_LENGTH:
            reason = reason.replace(value, REDACTED)
    reason = _QUOTED.sub(f"'{REDACTED}'", reason)
    return _IDENTIFIER_LIKE.sub(REDACTED, reason)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {connections.SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.close()


class IdentityStore:
    """Small lookups through SQLAlchemy; bulk work through `writer()`."""

    def __init__(self, url: StoreURL, main_engine: Engine):
        self.url = url
        if url.dialect == "sqlite":
            assert url.sqlite_path is not None
            self.path: Path | None = identity_path(url.sqlite_path)
            if url.access == "read-write":
                self._own_engine: Engine | None = sa.create_engine(f"sqlite:///{self.path}")
                sa.event.listen(self._own_engine, "connect", _sqlite_pragmas)
            else:
                # A store opened read-only (or immutable) reads its identities the same way.
                mode = "immutable=1" if url.access == "immutable" else "mode=ro"
                uri = f"file:{pathname2url(str(self.path.resolve()))}?{mode}"
                self._own_engine = sa.create_engine(
                    "sqlite://", creator=lambda: sqlite3.connect(uri, uri=True)
                )
            # The tables are declared in the schema `identities`; the file is a database alone.
            self.engine: Engine = self._own_engine.execution_options(
                schema_translate_map={schema.IDENTITY_SCHEMA: None}
            )
        else:
            self.path = None
            self._own_engine = None
            self.engine = main_engine

    def close(self) -> None:
        if self._own_engine is not None:
            self._own_engine.dispose()

    # -- schema ----------------------------------------------------------------------------

    def exists(self) -> bool:
        if self.path is not None:
            return self.path.exists()
        with self.engine.connect() as connection:
            return sa.inspect(connection).has_table("subjects", schema=schema.IDENTITY_SCHEMA)

    def create(self, connection: Connection | None = None) -> None:
        """Create what is missing. On PostgreSQL inside the caller's transaction (the one that
        migrates the ledger, under its lock); on SQLite in the identity file's own."""
        if self.url.dialect == "sqlite":
            with self.engine.begin() as own:
                schema.identity_metadata.create_all(own)
                for table in schema.IDENTITY_APPEND_ONLY_TABLES:
                    for operation in ("UPDATE", "DELETE"):
                        own.execute(
                            sa.text(
                                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{operation.lower()} "
                                f"BEFORE {operation} ON {table} BEGIN SELECT RAISE(ABORT, "
                                f"'{table} is append-only: {operation} refused'); END"
                            )
                        )
            return
        assert connection is not None
        if sa.inspect(connection).has_table("subjects", schema=schema.IDENTITY_SCHEMA):
            return
        connection.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {schema.IDENTITY_SCHEMA}"))
        schema.identity_metadata.create_all(connection)
        connection.execute(
            sa.text(
                f"""
                CREATE OR REPLACE FUNCTION {schema.IDENTITY_SCHEMA}.scs_refuse_change()
                RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
                END $$
                """
            )
        )
        for table in schema.IDENTITY_APPEND_ONLY_TABLES:
            connection.execute(
                sa.text(
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
                    f"ON {schema.IDENTITY_SCHEMA}.{table} FOR EACH STATEMENT "
                    f"EXECUTE FUNCTION {schema.IDENTITY_SCHEMA}.scs_refuse_change()"
                )
            )

    # -- lookups ---------------------------------------------------------------------------

    def keys_of(self, identifier: str) -> dict[SubjectKind, int]:
        """The keys of `identifier`, one per kind it is known as (nearly always one)."""
        table = schema.subjects
        query = sa.select(table.c.kind, table.c.subject).where(table.c.identifier == identifier)
        with self.engine.connect() as connection:
            return {row.kind: row.subject for row in connection.execute(query)}

    def key_of(self, kind: SubjectKind, identifier: str) -> int | None:
        return self.keys_of(identifier).get(kind)

    def identities_of(self, keys: list[int]) -> dict[int, tuple[SubjectKind, str]]:
        if not keys:
            return {}
        table = schema.subjects
        query = sa.select(table.c.subject, table.c.kind, table.c.identifier).where(
            table.c.subject.in_(sorted(set(keys)))
        )
        with self.engine.connect() as connection:
            return {row.subject: (row.kind, row.identifier) for row in connection.execute(query)}

    def submitted_rows(self, ids: list[int]) -> pl.DataFrame:
        table = schema.submitted_rows
        rows: list[tuple] = []
        with self.engine.connect() as connection:
            for start in range(0, len(ids), 10_000):
                chunk = ids[start : start + 10_000]
                rows += [
                    tuple(row)
                    for row in connection.execute(sa.select(table).where(table.c.id.in_(chunk)))
                ]
        return pl.DataFrame(rows, schema=SUBMITTED_COLUMNS, orient="row")

    def subjects_frame(self, reader: PostgreSQLReader | None = None) -> pl.DataFrame:
        """Every subject: key, kind, identifier. What `scs score` joins its output to. On
        PostgreSQL through `reader` when given (a connection already open, in its snapshot)."""
        if self.path is None:
            if reader is None:
                with PostgreSQLReader(self.url) as own:
                    return self.subjects_frame(own)
            return reader.frame(
                "SELECT subject, kind, identifier AS subject_id "
                f"FROM {schema.IDENTITY_SCHEMA}.subjects"
            ).cast(SUBJECT_COLUMNS)
        return pl.concat(
            [pl.DataFrame(schema=SUBJECT_COLUMNS), *self._sqlite_subject_chunks()], rechunk=False
        )

    def _sqlite_subject_chunks(self) -> Iterator[pl.DataFrame]:
        assert self.path is not None
        # As the ledger read does: SQLite renders each chunk as CSV text that Polars parses
        # at once (identifiers and kinds hold no commas or quotes: they were validated).
        connection = (
            sqlite3.connect(self.path)
            if self.url.access == "read-write"
            else sqlite3.connect(
                f"file:{pathname2url(str(self.path.resolve()))}?"
                + ("immutable=1" if self.url.access == "immutable" else "mode=ro"),
                uri=True,
            )
        )
        try:
            first, last = connection.execute(
                "SELECT min(subject), max(subject) FROM subjects"
            ).fetchone()
            if first is None:
                return
            for start in range(first, last + 1, SUBJECTS_READ_KEYS):
                (text,) = connection.execute(
                    "SELECT group_concat(subject || ',' || kind || ',' || identifier, "
                    "char(10)) FROM subjects WHERE subject BETWEEN ? AND ?",
                    (start, start + SUBJECTS_READ_KEYS - 1),
                ).fetchone()
                if text is not None:
                    chunk = pl.read_csv(
                        text.encode(),
                        has_header=False,
                        new_columns=list(SUBJECT_COLUMNS),
                        schema_overrides={"kind": pl.String(), "subject_id": pl.String()},
                    )
                    yield chunk.cast(SUBJECT_COLUMNS)
        finally:
            connection.close()

    @contextmanager
    def writer(self) -> Iterator[IdentityWriter]:
        """A connection of its own for bulk work; every call commits before it returns."""
        if self.path is not None:
            writer: IdentityWriter = _SQLiteIdentityWriter(self.path)
        else:
            writer = _PostgreSQLIdentityWriter(self.url)
        try:
            yield writer
        finally:
            writer.close()


class IdentityWriter(ABC):
    """Bulk writes to the identity store, each committed before the call returns, so that
    whatever the main store writes next can rely on it. An ingest calls it from two threads
    (keys from its worker, identifiers and rejected rows from the writer): one call at a time."""

    def __init__(self) -> None:
        self._known: pl.DataFrame | None = None  # keys this writer has seen (a key never changes)
        self._lock = threading.Lock()

    def subject_keys(self, kinds: pl.Series, identifiers: pl.Series) -> pl.DataFrame:
        """The key of each distinct (kind, identifier), assigning keys to the new ones:
        columns kind, identifier (strings) and subject."""
        with self._lock:
            return self._keys_of(kinds, identifiers)

    def _keys_of(self, kinds: pl.Series, identifiers: pl.Series) -> pl.DataFrame:
        pairs = pl.DataFrame({"kind": kinds.cast(pl.String), "identifier": identifiers}).unique()
        known = self._known
        if known is not None:
            pairs = pairs.join(known, on=["kind", "identifier"], how="anti")
        # Sorted probes walk the unique index in order.
        pairs = pairs.sort("identifier", "kind")
        fetched = (
            self._subject_keys(pairs).select(
                pl.col("kind").cast(pl.String),
                pl.col("identifier").cast(pl.String),
                pl.col("subject").cast(pl.Int64),
            )
            if pairs.height
            else pairs.with_columns(pl.lit(None, pl.Int64).alias("subject"))
        )
        if known is None:
            known = fetched
        elif known.height + fetched.height <= KNOWN_KEYS_MAX:
            known = pl.concat([known, fetched])
        else:
            return pl.concat([known, fetched])
        self._known = known
        return known

    def identifiers(self, keys: pl.Series) -> pl.DataFrame:
        """subject → identifier for these keys (columns subject, identifier)."""
        keys = keys.drop_nulls().unique().sort().cast(pl.Int64)
        if keys.len() == 0:
            return pl.DataFrame(schema={"subject": pl.Int64, "identifier": pl.String})
        with self._lock:
            found = self._identifiers(keys)
        return found.cast({"subject": pl.Int64, "identifier": pl.String})

    def append_submitted(self, frame: pl.DataFrame) -> pl.Series:
        """Store these rejected rows as submitted (reason and fields); their ids, in order."""
        if frame.height == 0:
            return pl.Series("id", [], dtype=pl.Int64)
        with self._lock:
            ids = self._append_submitted(frame.select(list(SUBMITTED_COLUMNS)[1:]))
        return ids.cast(pl.Int64).alias("id")

    @abstractmethod
    def _subject_keys(self, pairs: pl.DataFrame) -> pl.DataFrame: ...

    @abstractmethod
    def _identifiers(self, keys: pl.Series) -> pl.DataFrame: ...

    @abstractmethod
    def _append_submitted(self, frame: pl.DataFrame) -> pl.Series: ...

    @abstractmethod
    def close(self) -> None: ...


class _SQLiteIdentityWriter(IdentityWriter):
    def __init__(self, path: Path):
        super().__init__()
        # mode=rw: the file must exist; a store whose identity file went missing is an error,
        # not a fresh start with every record pointing nowhere. Used from two threads, one
        # call at a time (the writer's lock).
        self._connection = sqlite3.connect(
            f"file:{path}?mode=rw", uri=True, isolation_level=None, check_same_thread=False
        )
        self._connection.execute(f"PRAGMA busy_timeout = {connections.SQLITE_BUSY_TIMEOUT_MS}")
        self._connection.execute("PRAGMA synchronous = FULL")
        # Lookup tables stay in memory: identifiers are never spilled to a temporary file.
        self._connection.execute("PRAGMA temp_store = MEMORY")
        self._connection.execute(f"CREATE TEMP TABLE {KEYS_TABLE} (subject INTEGER)")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._connection.execute("BEGIN IMMEDIATE")
        try:
            yield self._connection
        except BaseException:
            self._connection.execute("ROLLBACK")
            raise
        self._connection.execute("COMMIT")

    def _subject_keys(self, pairs: pl.DataFrame) -> pl.DataFrame:
        # One JSON array in, one CSV text out: no Python object per pair (identifiers and kinds
        # were validated, so they need no escaping in either).
        document = pairs.select(pl.format('["{}","{}"]', "kind", "identifier").str.join(",")).item()
        pairs_sql = (
            "SELECT value ->> 0 AS kind, value ->> 1 AS identifier FROM json_each('[' || ? || ']')"
        )
        with self._transaction() as connection:
            connection.execute(
                f"INSERT OR IGNORE INTO subjects (kind, identifier) {pairs_sql}", (document,)
            )
            (text,) = connection.execute(
                "SELECT group_concat(s.kind || ',' || s.identifier || ',' || s.subject, char(10)) "
                f"FROM ({pairs_sql}) p CROSS JOIN subjects s "
                "ON s.identifier = p.identifier AND s.kind = p.kind",
                (document,),
            ).fetchone()
        return pl.read_csv(
            (text or "").encode(),
            has_header=False,
            new_columns=["kind", "identifier", "subject"],
            schema={"kind": pl.String, "identifier": pl.String, "subject": pl.Int64},
        )

    def _identifiers(self, keys: pl.Series) -> pl.DataFrame:
        connection = self._connection
        connection.execute(f"DELETE FROM {KEYS_TABLE}")
        connection.executemany(
            f"INSERT INTO {KEYS_TABLE} VALUES (?)", ((key,) for key in keys.to_list())
        )
        rows = connection.execute(
            f"SELECT s.subject, s.identifier FROM {KEYS_TABLE} k CROSS JOIN subjects s "
            "ON s.subject = k.subject"
        ).fetchall()
        return pl.DataFrame(rows, schema=["subject", "identifier"], orient="row")

    def _append_submitted(self, frame: pl.DataFrame) -> pl.Series:
        columns = list(SUBMITTED_COLUMNS)
        with self._transaction() as connection:
            (highest,) = connection.execute(
                "SELECT coalesce(max(id), 0) FROM submitted_rows"
            ).fetchone()
            ids = pl.int_range(highest + 1, highest + 1 + frame.height, eager=True)
            connection.executemany(
                f"INSERT INTO submitted_rows ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})",
                frame.with_columns(ids.alias("id")).select(columns).iter_rows(),
            )
        return ids

    def keep_submitted(self, frame: pl.DataFrame) -> None:
        """Rows as submitted under ids chosen by the caller (converting a store whose rejected
        rows already have ids); a row kept before, by a conversion that did not finish, stays.
        Fields the converted store never had (`act`, before migration 0008) stay empty."""
        columns = [name for name in SUBMITTED_COLUMNS if name in frame.columns]
        with self._transaction() as connection:
            connection.executemany(
                f"INSERT OR IGNORE INTO submitted_rows ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})",
                frame.select(columns).iter_rows(),
            )

    def close(self) -> None:
        self._connection.close()


class _PostgreSQLIdentityWriter(IdentityWriter):
    def __init__(self, url: StoreURL):
        import adbc_driver_postgresql.dbapi as driver

        super().__init__()
        # Autocommit: each statement is committed when it returns (identities first).
        self._connection: Any = driver.connect(url.adbc_uri, autocommit=True)
        self._cursor = self._connection.cursor()
        self._cursor.execute(
            f'CREATE TEMP TABLE {PAIRS_TABLE} (kind text COLLATE "C", identifier text COLLATE "C")'
        )
        self._cursor.execute(f"CREATE TEMP TABLE {KEYS_TABLE} (subject bigint)")

    def _fetch(self) -> pl.DataFrame:
        frame = pl.from_arrow(self._cursor.fetch_arrow_table())
        assert isinstance(frame, pl.DataFrame)
        return frame

    def _subject_keys(self, pairs: pl.DataFrame) -> pl.DataFrame:
        self._cursor.execute(f"TRUNCATE {PAIRS_TABLE}")
        self._cursor.adbc_ingest(PAIRS_TABLE, pairs.to_arrow(), mode="append", temporary=True)
        known_keys = (
            f"SELECT p.kind, p.identifier, s.subject FROM {PAIRS_TABLE} p "
            f"JOIN {schema.IDENTITY_SCHEMA}.subjects s "
            "ON s.identifier = p.identifier AND s.kind = p.kind"
        )
        # One round trip: the new pairs' keys from RETURNING, the others' from the join, which
        # sees the table as it was when the statement began. Sorted inserts: two sessions
        # adding overlapping subjects take row locks in one order.
        self._cursor.execute(
            f"WITH added AS (INSERT INTO {schema.IDENTITY_SCHEMA}.subjects (kind, identifier) "
            f"SELECT kind, identifier FROM {PAIRS_TABLE} ORDER BY identifier, kind "
            "ON CONFLICT DO NOTHING RETURNING kind, identifier, subject) "
            f"SELECT kind, identifier, subject FROM added UNION ALL {known_keys}"
        )
        keys = self._fetch()
        if keys.height == pairs.height:
            return keys
        # A pair another session added after this statement began is in neither part.
        self._cursor.execute(known_keys)
        return self._fetch()

    def _identifiers(self, keys: pl.Series) -> pl.DataFrame:
        self._cursor.execute(f"TRUNCATE {KEYS_TABLE}")
        self._cursor.adbc_ingest(
            KEYS_TABLE, pl.DataFrame({"subject": keys}).to_arrow(), mode="append", temporary=True
        )
        self._cursor.execute(
            f"SELECT s.subject, s.identifier FROM {KEYS_TABLE} k "
            f"JOIN {schema.IDENTITY_SCHEMA}.subjects s ON s.subject = k.subject"
        )
        return self._fetch()

    def _append_submitted(self, frame: pl.DataFrame) -> pl.Series:
        self._cursor.execute(
            f"SELECT nextval('{schema.IDENTITY_SCHEMA}.submitted_rows_id_seq') "
            "FROM generate_series(1, $1)",
            (frame.height,),
        )
        ids = self._fetch().to_series().sort()
        rows = frame.with_columns(ids.alias("id")).select(
            pl.col(name).cast(dtype) for name, dtype in SUBMITTED_COLUMNS.items()
        )
        self._cursor.adbc_ingest(
            "submitted_rows", rows.to_arrow(), mode="append", db_schema_name=schema.IDENTITY_SCHEMA
        )
        return ids

    def close(self) -> None:
        self._cursor.close()
        self._connection.close()
