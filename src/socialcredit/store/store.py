"""The store: the ledger behind a narrow interface, on SQLite or PostgreSQL.

SQLAlchemy Core carries the schema, the migrations and the small transactional queries; the
bulk paths (ingesting a file, reading the whole ledger for the batch scorer) go through ADBC in
`store.bulk`, which moves Arrow data with COPY on PostgreSQL and prepared inserts on SQLite.
Dialect differences live in this package and nowhere else.

Subjects are named only in the identity store (`store.identities`, SPEC §7.5); this module
translates identifiers to keys on the way in and keys to identifiers on the way out.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from importlib import resources

import adbc_driver_manager
import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from socialcredit.domain.file import FileView
from socialcredit.domain.identifiers import SubjectKind, SubjectRef
from socialcredit.domain.records import LedgerRecord
from socialcredit.store import bulk, schema
from socialcredit.store.identities import IdentityStore
from socialcredit.store.ledger_cache import LedgerCache
from socialcredit.store.rights import RightsTables
from socialcredit.store.urls import StoreURL, parse_store_url

CATALOGUE_PUBLICATION_LOCK = 7469003  # advisory lock key around a publication on PostgreSQL

# A load of at least this many records refreshes PostgreSQL's statistics (`refresh_statistics`).
POSTGRESQL_ANALYZE_AFTER_ROWS = 10_000


class StoreUnavailable(RuntimeError):
    """The store cannot be opened (bad URL, server down, permissions)."""


# What the drivers raise when the store, not the request, is the problem: locked, read-only,
# full, gone. Anything else (a programming error) keeps its traceback.
_OPERATIONAL_ERRORS: tuple[type[BaseException], ...] = (
    sqlite3.OperationalError,
    sa.exc.OperationalError,
    adbc_driver_manager.OperationalError,
)


@dataclass(frozen=True, slots=True)
class CatalogueRow:
    version: int
    catalog: str
    effective_from: dt.date
    published_at: dt.datetime
    document: str
    source_text: str
    sha256: str


@dataclass(frozen=True, slots=True)
class IngestBatch:
    id: int
    source: str
    file_name: str
    file_format: str
    file_sha256: str
    submitted_on: dt.date
    received_at: dt.datetime
    accepted: int
    duplicates: int
    rejected: int


def _sqlite_pragmas(url: StoreURL):
    def apply(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        # Wait this long for another writer (a long ingest) before giving up with "busy".
        cursor.execute(f"PRAGMA busy_timeout = {bulk.SQLITE_BUSY_TIMEOUT_MS}")
        if url.access == "read-write":
            # WAL lets readers go on while a file is ingested; FULL makes an acknowledged
            # commit survive a power cut, not just a crash of the process.
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
        # Temporary tables (a conversion's key map) stay in memory, never in a file on disk.
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.close()

    return apply


def _sqlite_access(url: StoreURL) -> StoreURL:
    """Read-write when the file and its folder may be written (or the store is new), else
    read-only, or immutable when SQLite cannot even keep its shared-memory index beside it."""
    path = url.sqlite_path
    assert path is not None
    folder = path.resolve().parent
    if not path.exists() or (os.access(path, os.W_OK) and os.access(folder, os.W_OK | os.X_OK)):
        return url
    try:
        probe = sqlite3.connect(url.with_access("read-only").sqlite_read_uri(), uri=True)
        try:
            probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            probe.close()
        return url.with_access("read-only")
    except sqlite3.Error:
        pass
    log = path.with_name(path.name + "-wal")
    if log.exists() and log.stat().st_size > 0:
        raise StoreUnavailable(
            f"cannot open the store {url.display()}: it is read-only and its write-ahead log "
            f"{log.name} holds commits SQLite cannot read without writing in {folder}"
        )
    return url.with_access("immutable")


class CataloguePublication:
    """The store's side of one publication, inside its locked transaction."""

    def __init__(self, connection: Connection):
        self._connection = connection

    def latest(self) -> CatalogueRow | None:
        table = schema.catalogue_versions
        query = sa.select(table).order_by(table.c.version.desc()).limit(1)
        row = self._connection.execute(query).first()
        return CatalogueRow(**row._mapping) if row else None

    def append(self, row: CatalogueRow) -> None:
        self._connection.execute(sa.insert(schema.catalogue_versions).values(**asdict(row)))


class Store:
    def __init__(self, url: StoreURL, engine: Engine):
        self.url = url
        self.engine = engine
        self.identities = IdentityStore(url, engine)
        self.ledger_cache = LedgerCache.for_store(url)  # None when SCS_LEDGER_CACHE=off
        # The subject's file and rights, by subject key (`store.rights`).
        self.rights = RightsTables(engine, self.identities, read_only=url.access != "read-write")

    @property
    def unlogged_looks(self) -> int:
        """Looks at a file a read-only store could not log."""
        return self.rights.unlogged_looks

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        """Open the store at `url` (or $SCS_DB, or ./scs.db) and bring it to the current schema.
        A SQLite store whose file or folder may not be written is opened read-only."""
        store_url = parse_store_url(url)
        if store_url.dialect == "sqlite":
            store_url = _sqlite_access(store_url)
        try:
            engine = sa.create_engine(store_url.sqlalchemy_url)
        except (sa.exc.ArgumentError, ValueError) as error:
            raise StoreUnavailable(
                f"cannot open the store {store_url.display()}: {error}"
            ) from None
        if store_url.dialect == "sqlite":
            sa.event.listen(engine, "connect", _sqlite_pragmas(store_url))
        store = cls(store_url, engine)
        try:
            store.migrate()
        except sa.exc.DBAPIError as error:  # "file is not a database" is not an OperationalError
            store.close()
            raise StoreUnavailable(
                f"cannot open the store {store_url.display()}: {error.orig}"
            ) from error
        except StoreUnavailable:
            store.close()
            raise
        return store

    @property
    def read_only(self) -> bool:
        return self.url.access != "read-write"

    def problem(self, error: BaseException) -> str | None:
        """One line for an error the store, not the request, caused (busy, read-only, full,
        gone); None for anything else."""
        if isinstance(error, sa.exc.DataError):  # a value the store cannot hold
            first_line = str(error.orig).strip().splitlines()[0]
            return f"the store {self.url.display()} refused a value: {first_line}"
        if not isinstance(error, _OPERATIONAL_ERRORS):
            return None
        text = str(getattr(error, "orig", None) or error)
        if "locked" in text or "busy" in text:
            seconds = bulk.SQLITE_BUSY_TIMEOUT_MS / 1000
            return (
                f"the store {self.url.display()} is busy: another process (a long ingest?) has "
                f"held its write lock for the {seconds:g} s we waited; try again later"
            )
        if "readonly" in text or "read-only" in text:
            return (
                f"the store {self.url.display()} is read-only: it can be scored and shown, "
                "not changed"
            )
        return f"the store {self.url.display()} failed: {text.strip().splitlines()[0]}"

    def close(self) -> None:
        self.identities.close()
        self.engine.dispose()

    # -- schema ----------------------------------------------------------------------------

    def schema_revision(self, connection: Connection) -> str | None:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()

    def migrate(self) -> None:
        """Bring an empty or older store to the current schema (SPEC §6); a store made before
        the identity store existed is converted (SPEC §7.5)."""
        with self.engine.begin() as connection:
            found = self.schema_revision(connection)
            if found == schema.SCHEMA_REVISION:
                self._require_identities()
                return
            if self.read_only:
                raise StoreUnavailable(
                    f"the store {self.url.display()} is read-only and at schema revision "
                    f"{found}, not {schema.SCHEMA_REVISION}: open it once where it may be "
                    "written, to bring it up to date"
                )
            if self.url.dialect == "postgresql":
                # Two processes opening a new database at once must not both create it.
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(7469001)"))
                found = self.schema_revision(connection)
                if found == schema.SCHEMA_REVISION:
                    return
            # Identities first: the conversion writes keys there before the ledger uses them.
            self.identities.create(connection)
            from alembic import command
            from alembic.config import Config

            config = Config()
            config.set_main_option(
                "script_location",
                str(resources.files("socialcredit.store").joinpath("migrations")),
            )
            config.attributes["connection"] = connection
            config.attributes["identities"] = self.identities
            command.upgrade(config, "head")
        if found is not None and self.url.dialect == "sqlite":
            self._purge_sqlite_free_pages()

    def _require_identities(self) -> None:
        if not self.identities.exists():
            where = self.identities.path or f"schema {schema.IDENTITY_SCHEMA}"
            raise StoreUnavailable(
                f"cannot open the store {self.url.display()}: its identity store ({where}) is "
                "missing; restore it from the backup taken with the store (docs/PRIVACY.md)"
            )

    def _purge_sqlite_free_pages(self) -> None:
        """After a conversion, no page of the main file or its write-ahead log may still hold
        an identifier: rebuild the file (VACUUM writes live rows only, and secure_delete zeroes
        what it frees) and empty the log."""
        with self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA secure_delete = ON")
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.exec_driver_sql("VACUUM")
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    # -- catalogue -------------------------------------------------------------------------

    def catalogue_rows(self) -> list[CatalogueRow]:
        table = schema.catalogue_versions
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(table).order_by(table.c.effective_from))
            return [CatalogueRow(**row._mapping) for row in rows]

    @contextmanager
    def publication(self) -> Iterator[CataloguePublication]:
        """One publication at a time: the latest version read inside stays the latest until
        the new one is stored (SQLite: the write lock, taken at BEGIN; PostgreSQL: an advisory
        lock held to the end of the transaction). Nothing is stored unless `append` is called
        and the block ends without an exception."""
        with self.engine.connect() as connection:
            if self.url.dialect == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                connection.execute(
                    sa.text("SELECT pg_advisory_xact_lock(:key)"),
                    {"key": CATALOGUE_PUBLICATION_LOCK},
                )
            try:
                yield CataloguePublication(connection)
            except BaseException:
                connection.rollback()
                raise
            connection.commit()

    # -- records ---------------------------------------------------------------------------

    @contextmanager
    def ingest_session(self, batch: bulk.NewBatch) -> Iterator[bulk.IngestSession]:
        """One file, one transaction: everything in it lands, or nothing does."""
        with bulk.ingest_session(self.url, batch, self.identities, self.ledger_cache) as session:
            yield session

    def refresh_statistics(self, rows_added: int) -> None:
        """After a large load, refresh PostgreSQL's planner statistics at once. Autovacuum does
        it only later, and until then the per-subject read behind `scs show` and `scs check`
        was planned as a scan of the whole ledger (13 s against 4 ms on the demo city)."""
        if self.url.dialect != "postgresql" or rows_added < POSTGRESQL_ANALYZE_AFTER_ROWS:
            return
        with self.engine.begin() as connection:
            connection.execute(sa.text("ANALYZE records"))
            connection.execute(sa.text(f"ANALYZE {schema.IDENTITY_SCHEMA}.subjects"))

    def current_ledger(self, with_ids: bool = False) -> pl.DataFrame:
        """The current revision of every record, as the batch scorer reads it, subjects by key (with
        `with_ids`, each with its row id, by which objections name records). Read through the
        ledger cache (`store.ledger_cache`) unless it is off; the same rows and types either way."""
        if self.ledger_cache is None:
            return bulk.read_current_ledger(self.url, with_ids)
        return bulk.read_current_ledger_cached(self.url, self.ledger_cache, with_ids)

    def subjects(self) -> pl.DataFrame:
        """Every subject's key, kind and identifier, to name the batch scorer's output. Read
        after the ledger, it holds every key the ledger read used (identities are committed
        before the records that use them)."""
        return self.identities.subjects_frame()

    def current_ledger_and_subjects(
        self, with_ids: bool = False
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        """`current_ledger` and `subjects`, the subjects read after the ledger's snapshot is
        fixed; through the ledger cache, while its segments are read (`bulk`)."""
        if self.ledger_cache is None:
            ledger = bulk.read_current_ledger(self.url, with_ids)
            return ledger, self.subjects()
        return bulk.read_ledger_and_subjects_cached(
            self.url, self.ledger_cache, self.identities, with_ids
        )

    def records_naming(self, subject_id: str) -> list[LedgerRecord]:
        """The current revisions of every record whose current revision names `subject_id`:
        identifier → keys (identity store) → records (through the index on the key)."""
        return self.rights.records_naming(self.rights.subjects_named(subject_id))

    # -- batches and rejected rows ---------------------------------------------------------

    def batches(
        self, source: str | None = None, limit: int = 100, before: int | None = None
    ) -> list[IngestBatch]:
        """At most `limit` batches, latest first; only those with an id below `before`."""
        table = schema.ingest_batches
        query = sa.select(table).order_by(table.c.id.desc()).limit(limit)
        if source is not None:
            query = query.where(table.c.source == source)
        if before is not None:
            query = query.where(table.c.id < before)
        with self.engine.connect() as connection:
            return [IngestBatch(**row._mapping) for row in connection.execute(query)]

    def batch(self, batch_id: int) -> IngestBatch | None:
        table = schema.ingest_batches
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(table).where(table.c.id == batch_id)).first()
        return IngestBatch(**row._mapping) if row else None

    def rejected_rows(self, batch_id: int) -> pl.DataFrame:
        """A batch's rejected rows as the rejects file gave them: row, reason, fields. The main
        store has the row numbers; the identity store has what the rows submitted."""
        table = schema.rejected_rows
        query = (
            sa.select(table.c.row_number.label("row"), table.c.submitted)
            .where(table.c.batch_id == batch_id)
            .order_by(table.c.row_number)
        )
        with self.engine.connect() as connection:
            rows = [tuple(row) for row in connection.execute(query)]
        numbers = pl.DataFrame(rows, schema={"row": pl.Int64, "submitted": pl.Int64}, orient="row")
        submitted = self.identities.submitted_rows(numbers["submitted"].to_list())
        columns = ["row", "reason", *schema.REJECTED_RAW_FIELDS]
        return (
            numbers.join(submitted.rename({"id": "submitted"}), on="submitted", how="left")
            .sort("row")
            .select(columns)
        )

    # -- who looked --------------------------------------------------------------------------

    def append_file_view(self, kind: SubjectKind, subject_id: str, view: FileView) -> None:
        """Log a look at a file; only a subject with a file (so with a key) has one."""
        self.rights.append_file_view(self._subject(kind, subject_id), view)

    def file_views(self, kind: SubjectKind, subject_id: str) -> list[FileView]:
        subject = self.identities.key_of(kind, subject_id)
        if subject is None:
            return []
        return self.rights.file_views(SubjectRef(kind, subject_id, subject))

    def _subject(self, kind: SubjectKind, subject_id: str) -> SubjectRef:
        subject = self.identities.key_of(kind, subject_id)
        if subject is None:
            raise LookupError(f"no {kind} with a file has this identifier")
        return SubjectRef(kind, subject_id, subject)
