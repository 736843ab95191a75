"""Store URLs (SPEC §6): `sqlite:///PATH` for the embedded store, `postgresql://…` for PostgreSQL.

The one place that knows how each driver wants the URL spelled.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal
from urllib.request import pathname2url

DEFAULT_STORE_URL = "sqlite:///scs.db"
STORE_URL_VARIABLE = "SCS_DB"

Dialect = Literal["sqlite", "postgresql"]
# How a SQLite store is opened: read-write; read-only (the file or its folder may not be
# written, SQLite keeps its shared-memory index beside it); immutable (not even that: the
# folder is read-only and holds no index, so SQLite reads the file as it lies, unlocked).
SQLiteAccess = Literal["read-write", "read-only", "immutable"]
_POSTGRESQL_PREFIXES = ("postgresql://", "postgres://", "postgresql+psycopg://")


class BadStoreURL(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class StoreURL:
    given: str
    dialect: Dialect
    sqlalchemy_url: str  # for SQLAlchemy and Alembic (psycopg 3 on PostgreSQL)
    adbc_uri: str  # PostgreSQL: the URI ADBC takes; SQLite: the file's path
    access: SQLiteAccess = "read-write"

    @property
    def sqlite_path(self) -> Path | None:
        return Path(self.adbc_uri) if self.dialect == "sqlite" else None

    def sqlite_read_uri(self) -> str:
        """A URI that opens the SQLite store for reading only (`sqlite3.connect(…, uri=True)`)."""
        assert self.sqlite_path is not None
        mode = "immutable=1" if self.access == "immutable" else "mode=ro"
        return f"file:{pathname2url(str(self.sqlite_path.resolve()))}?{mode}"

    def with_access(self, access: SQLiteAccess) -> StoreURL:
        if access == "read-write":
            return replace(self, access=access, sqlalchemy_url=f"sqlite:///{self.adbc_uri}")
        reading = replace(self, access=access)
        return replace(reading, sqlalchemy_url=f"sqlite:///{reading.sqlite_read_uri()}&uri=true")

    def display(self) -> str:
        """The URL without a password, for messages."""
        if "@" in self.given and ":" in self.given.split("@", 1)[0].split("//", 1)[-1]:
            scheme, rest = self.given.split("//", 1)
            user = rest.split("@", 1)[0].split(":", 1)[0]
            return f"{scheme}//{user}:***@{rest.split('@', 1)[1]}"
        return self.given


def parse_store_url(text: str | None) -> StoreURL:
    text = (text or os.environ.get(STORE_URL_VARIABLE) or DEFAULT_STORE_URL).strip()
    if text.startswith("sqlite:///"):
        path = text[len("sqlite:///") :]
        if not path or path == ":memory:":
            raise BadStoreURL("the embedded store needs a file: sqlite:///PATH")
        return StoreURL(text, "sqlite", f"sqlite:///{path}", path)
    for prefix in _POSTGRESQL_PREFIXES:
        if text.startswith(prefix):
            rest = text[len(prefix) :]
            return StoreURL(
                text, "postgresql", f"postgresql+psycopg://{rest}", f"postgresql://{rest}"
            )
    raise BadStoreURL(
        f"unsupported store URL {text!r}: use sqlite:///PATH or postgresql://USER@HOST[:PORT]/DB"
    )
