"""The store: the ledger behind one narrow interface, on SQLite or PostgreSQL (SPEC §6).

`Store` is what the registry holds. It keeps no rule of its own: each of its jobs lives in a
module of this package, and its methods hand the work over.
- `store.opening`: opening a store, bringing its schema up to date, naming its own errors;
  `store.connections`: every connection, and how each database is reached.
- `store.catalogue_versions`: the catalogue's published versions.
- `store.ingest_sessions`: the write path, one file in one transaction.
- `store.cached_read` and `store.ledger_read`: the read path of the batch scorer, the current
  ledger through the ledger cache (`store.ledger_cache`) or straight from the store.
- `store.rights`: the subject's file and rights by subject key (records, objections,
  statements, who looked), each identifier turned into its keys once.
- `store.ingest_batches`: the ingested files and their rejected rows.
- `store.identities`: the identity store (SPEC §7.5), the only part that names subjects.
API keys (`store.api_keys`) are read and written through the engine and identity store a
`Store` holds. What differs between the two databases
lives in this package and nowhere else.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from socialcredit.domain.file import FileView
from socialcredit.domain.identifiers import SubjectKind, SubjectRef
from socialcredit.domain.records import LedgerRecord
from socialcredit.store import (
    cached_read,
    catalogue_versions,
    ingest_batches,
    ingest_sessions,
    ledger_read,
    opening,
)
from socialcredit.store.catalogue_versions import CataloguePublication, CatalogueRow
from socialcredit.store.identities import IdentityStore
from socialcredit.store.ingest_batches import IngestBatch
from socialcredit.store.ingest_sessions import IngestSession, NewBatch
from socialcredit.store.ledger_cache import LedgerCache
from socialcredit.store.opening import StoreUnavailable
from socialcredit.store.rights import RightsTables
from socialcredit.store.urls import StoreURL, parse_store_url

# Callers name these through this module, as they did when it defined them.
__all__ = ["CatalogueRow", "IngestBatch", "NewBatch", "Store", "StoreUnavailable"]


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
            store_url = opening.sqlite_access(store_url)
        store = cls(store_url, opening.open_engine(store_url))
        try:
            store.migrate()
        except sa.exc.DBAPIError as error:  # "file is not a database": not Operational
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
        return opening.store_problem(self.url, error)

    def close(self) -> None:
        self.identities.close()
        self.engine.dispose()

    # -- schema ----------------------------------------------------------------------------

    def schema_revision(self, connection: Connection) -> str | None:
        return opening.schema_revision(connection)

    def migrate(self) -> None:
        """Bring an empty or older store to the current schema (SPEC §6); a store made before
        the identity store existed is converted (SPEC §7.5)."""
        opening.migrate(self.url, self.engine, self.identities)

    # -- catalogue -------------------------------------------------------------------------

    def catalogue_rows(self) -> list[CatalogueRow]:
        return catalogue_versions.catalogue_rows(self.engine)

    @contextmanager
    def publication(self) -> Iterator[CataloguePublication]:
        """One publication at a time (`store.catalogue_versions.publication`)."""
        with catalogue_versions.publication(self.url, self.engine) as locked:
            yield locked

    # -- records ---------------------------------------------------------------------------

    @contextmanager
    def ingest_session(self, batch: NewBatch) -> Iterator[IngestSession]:
        """One file, one transaction: everything in it lands, or nothing does."""
        with ingest_sessions.ingest_session(
            self.url, batch, self.identities, self.ledger_cache
        ) as session:
            yield session

    def refresh_statistics(self, rows_added: int) -> None:
        """After a large load, refresh PostgreSQL's planner statistics at once
        (`store.ingest_sessions.refresh_statistics`)."""
        ingest_sessions.refresh_statistics(self.url, self.engine, rows_added)

    def current_ledger(self, with_ids: bool = False) -> pl.DataFrame:
        """The current revision of every record, as the batch scorer reads it, subjects by key
        (with `with_ids`, each with its row id, by which objections name records). Read through
        the ledger cache unless it is off; the same rows and types either way."""
        if self.ledger_cache is None:
            return ledger_read.read_current_ledger(self.url, with_ids)
        return cached_read.read_current_ledger_cached(self.url, self.ledger_cache, with_ids)

    def subjects(self) -> pl.DataFrame:
        """Every subject's key, kind and identifier, to name the batch scorer's output. Read
        after the ledger, it holds every key the ledger read used (identities are committed
        before the records that use them)."""
        return self.identities.subjects_frame()

    def current_ledger_and_subjects(
        self, with_ids: bool = False
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        """`current_ledger` and `subjects`, the subjects read after the ledger's snapshot is
        fixed; through the ledger cache, while its segments are read (`store.cached_read`)."""
        if self.ledger_cache is None:
            ledger = ledger_read.read_current_ledger(self.url, with_ids)
            return ledger, self.subjects()
        return cached_read.read_ledger_and_subjects_cached(
            self.url, self.ledger_cache, self.identities, with_ids
        )

    def holds_records(self, sources: Collection[str] | None = None) -> bool:
        """Whether any record was ever accepted (SPEC §10.6: a store with records publishes no
        back-dated version); with `sources`, any record of one of these."""
        return ingest_batches.holds_records(self.engine, sources)

    def records_naming(self, subject_id: str) -> list[LedgerRecord]:
        """The current revisions of every record whose current revision names `subject_id`:
        identifier → keys (identity store) → records (through the index on the key)."""
        return self.rights.records_naming(self.rights.subjects_named(subject_id))

    # -- batches and rejected rows ---------------------------------------------------------

    def batches(
        self, source: str | None = None, limit: int = 100, before: int | None = None
    ) -> list[IngestBatch]:
        """At most `limit` batches, latest first; only those with an id below `before`."""
        return ingest_batches.batches(self.engine, source, limit, before)

    def batch(self, batch_id: int) -> IngestBatch | None:
        return ingest_batches.batch(self.engine, batch_id)

    def rejected_rows(self, batch_id: int) -> pl.DataFrame:
        """A batch's rejected rows as the rejects file gave them: row, reason, fields."""
        return ingest_batches.rejected_rows(self.engine, self.identities, batch_id)

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
