"""The catalogue's versions in the store (SPEC §3): every published version, read in order of
effect, and one publication at a time appended under a lock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from socialcredit.store import schema
from socialcredit.store.urls import StoreURL

CATALOGUE_PUBLICATION_LOCK = 7469003  # advisory lock key around a publication on PostgreSQL


@dataclass(frozen=True, slots=True)
class CatalogueRow:
    version: int
    catalog: str
    effective_from: dt.date
    published_at: dt.datetime
    document: str
    source_text: str
    sha256: str
    jurisdiction: str = "default"  # SPEC §11


class CataloguePublication:
    """The store's side of one publication, inside its locked transaction."""

    def __init__(self, connection: Connection):
        self._connection = connection

    def rows(self) -> list[CatalogueRow]:
        """Every version stored, every jurisdiction's, as read under the lock."""
        return _rows(self._connection)

    def append(self, row: CatalogueRow) -> None:
        self._connection.execute(sa.insert(schema.catalogue_versions).values(**asdict(row)))


def _rows(connection: Connection) -> list[CatalogueRow]:
    table = schema.catalogue_versions
    query = sa.select(table).order_by(table.c.effective_from, table.c.jurisdiction)
    return [CatalogueRow(**row._mapping) for row in connection.execute(query)]


def catalogue_rows(engine: Engine) -> list[CatalogueRow]:
    """Every published version of every jurisdiction, in order of effect."""
    with engine.connect() as connection:
        return _rows(connection)


@contextmanager
def publication(url: StoreURL, engine: Engine) -> Iterator[CataloguePublication]:
    """One publication at a time: the latest version read inside stays the latest until
    the new one is stored (SQLite: the write lock, taken at BEGIN; PostgreSQL: an advisory
    lock held to the end of the transaction). Nothing is stored unless `append` is called
    and the block ends without an exception."""
    with engine.connect() as connection:
        if url.dialect == "sqlite":
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
