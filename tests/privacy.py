"""What SPEC §7.5 promises, checked on the bytes: a copy of the ledger names nobody.

SQLite: the main file, with its write-ahead log and journal, must not contain an identifier.
PostgreSQL: every table of every schema but `identities`, dumped to text, must not either.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import sqlalchemy as sa

from socialcredit.store import schema
from socialcredit.store.store import Store

SQLITE_COMPANIONS = ("", "-wal", "-journal")


def main_store_text(store: Store) -> bytes:
    """Everything outside the identity store, as bytes."""
    if store.url.dialect == "sqlite":
        path = store.url.sqlite_path
        assert path is not None
        return b"".join(
            Path(f"{path}{suffix}").read_bytes()
            for suffix in SQLITE_COMPANIONS
            if Path(f"{path}{suffix}").exists()
        )
    dump = []
    with psycopg.connect(store.url.adbc_uri) as connection:
        tables = connection.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN (%s, 'pg_catalog', 'information_schema') "
            "AND table_type = 'BASE TABLE'",
            (schema.IDENTITY_SCHEMA,),
        ).fetchall()
        assert tables, "the dump found no tables"
        for table_schema, table_name in tables:
            with connection.cursor().copy(
                f'COPY "{table_schema}"."{table_name}" TO STDOUT'
            ) as copy:
                dump.append(b"".join(bytes(block) for block in copy))
    return b"\n".join(dump)


def identifiers_found(store: Store, identifiers: list[str]) -> list[str]:
    """The identifiers (valid or not) that the main store still holds anywhere."""
    text = main_store_text(store)
    return [identifier for identifier in identifiers if identifier.encode() in text]


def unknown_keys(store: Store) -> set[int]:
    """Keys that records or file views use but the identity store does not have: what the
    write order must make impossible."""
    with store.engine.connect() as connection:
        used = {
            key
            for table in (schema.records, schema.file_views)
            for (key,) in connection.execute(sa.select(table.c.subject).distinct())
        }
    return used - set(store.identities.identities_of(sorted(used)))
