"""Opening a store: how a SQLite file may be opened (read-write, read-only, immutable), the
schema brought to the current revision on open (SPEC §6; a store made before the identity store
existed is converted, SPEC §7.5), and the one line for an error the store, not the request,
caused.
"""

from __future__ import annotations

import os
import sqlite3
from importlib import resources

import adbc_driver_manager
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from socialcredit.store import connections, schema
from socialcredit.store.identities import IdentityStore
from socialcredit.store.urls import StoreURL

MIGRATION_LOCK = 7469001  # advisory lock key around migrating a store on PostgreSQL


class StoreUnavailable(RuntimeError):
    """The store cannot be opened (bad URL, server down, permissions)."""


# What the drivers raise when the store, not the request, is the problem: locked, read-only,
# full, gone. Anything else (a programming error) keeps its traceback.
_OPERATIONAL_ERRORS: tuple[type[BaseException], ...] = (
    sqlite3.OperationalError,
    sa.exc.OperationalError,
    adbc_driver_manager.OperationalError,
)


def sqlite_access(url: StoreURL) -> StoreURL:
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


def open_engine(url: StoreURL) -> Engine:
    try:
        return connections.create_engine(url)
    except (sa.exc.ArgumentError, ValueError) as error:
        raise StoreUnavailable(f"cannot open the store {url.display()}: {error}") from None


def store_problem(url: StoreURL, error: BaseException) -> str | None:
    """One line for an error the store, not the request, caused (busy, read-only, full,
    gone); None for anything else."""
    if isinstance(error, sa.exc.DataError):  # a value the store cannot hold
        first_line = str(error.orig).strip().splitlines()[0]
        return f"the store {url.display()} refused a value: {first_line}"
    if not isinstance(error, _OPERATIONAL_ERRORS):
        return None
    text = str(getattr(error, "orig", None) or error)
    if "locked" in text or "busy" in text:
        seconds = connections.SQLITE_BUSY_TIMEOUT_MS / 1000
        return (
            f"the store {url.display()} is busy: another process (a long ingest?) has "
            f"held its write lock for the {seconds:g} s we waited; try again later"
        )
    if "readonly" in text or "read-only" in text:
        return f"the store {url.display()} is read-only: it can be scored and shown, not changed"
    return f"the store {url.display()} failed: {text.strip().splitlines()[0]}"


def schema_revision(connection: Connection) -> str | None:
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def migrate(url: StoreURL, engine: Engine, identities: IdentityStore) -> None:
    """Bring an empty or older store to the current schema (SPEC §6); a store made before
    the identity store existed is converted (SPEC §7.5)."""
    with engine.begin() as connection:
        found = schema_revision(connection)
        if found == schema.SCHEMA_REVISION:
            _require_identities(url, identities)
            return
        if url.access != "read-write":
            raise StoreUnavailable(
                f"the store {url.display()} is read-only and at schema revision "
                f"{found}, not {schema.SCHEMA_REVISION}: open it once where it may be "
                "written, to bring it up to date"
            )
        if url.dialect == "postgresql":
            # Two processes opening a new database at once must not both create it.
            connection.execute(sa.text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
            found = schema_revision(connection)
            if found == schema.SCHEMA_REVISION:
                return
        # Identities first: the conversion writes keys there before the ledger uses them.
        identities.create(connection)
        from alembic import command  # not at startup: only a store to migrate needs it
        from alembic.config import Config

        config = Config()
        config.set_main_option(
            "script_location",
            str(resources.files("socialcredit.store").joinpath("migrations")),
        )
        config.attributes["connection"] = connection
        config.attributes["identities"] = identities
        command.upgrade(config, "head")
    if found is not None and url.dialect == "sqlite":
        _purge_sqlite_free_pages(engine)


def _require_identities(url: StoreURL, identities: IdentityStore) -> None:
    if not identities.exists():
        where = identities.path or f"schema {schema.IDENTITY_SCHEMA}"
        raise StoreUnavailable(
            f"cannot open the store {url.display()}: its identity store ({where}) is "
            "missing; restore it from the backup taken with the store (docs/PRIVACY.md)"
        )


def _purge_sqlite_free_pages(engine: Engine) -> None:
    """After a conversion, no page of the main file or its write-ahead log may still hold
    an identifier: rebuild the file (VACUUM writes live rows only, and secure_delete zeroes
    what it frees) and empty the log."""
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA secure_delete = ON")
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.exec_driver_sql("VACUUM")
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
