"""Reading PostgreSQL as Arrow, straight into Polars: the bulk reads taken whole (the ledger
cache's batch list and the batches it lacks, the identity store's subjects).

Through ADBC's own API (`adbc_driver_manager`), not its DB-API module: that module imports
pyarrow and pyarrow.dataset, which cost `scs score` about a fifth of a second before it read a
row (issue 12). Polars takes the driver's Arrow stream through the Arrow PyCapsule interface
without pyarrow. Writing (ingest's COPY of Arrow batches) and the ledger read streamed batch by
batch with the cache off go through the DB-API module (`store.connections`).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from socialcredit.store.urls import StoreURL

BATCH_SIZE_HINT_OPTION = "adbc.postgresql.batch_size_hint_bytes"


class PostgreSQLReader:
    """One connection, in autocommit unless the caller opens a transaction
    (`execute("BEGIN …")`)."""

    def __init__(self, url: StoreURL):
        import adbc_driver_manager
        import adbc_driver_postgresql

        self._database: Any = adbc_driver_postgresql.connect(url.adbc_uri)
        self._connection: Any = None
        self._statement: Any = None
        try:
            self._connection = adbc_driver_manager.AdbcConnection(self._database)
            self._statement = adbc_driver_manager.AdbcStatement(self._connection)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> PostgreSQLReader:
        return self

    def __exit__(self, *_exception: object) -> None:
        self.close()

    def execute(self, sql: str) -> None:
        """A statement that returns no rows."""
        self._statement.set_sql_query(sql)
        self._statement.execute_update()

    def frame(self, sql: str, batch_bytes: int | None = None) -> pl.DataFrame:
        """A query's rows, every Arrow batch the driver streams (about `batch_bytes` each)."""
        if batch_bytes is not None:
            self._statement.set_options(**{BATCH_SIZE_HINT_OPTION: str(batch_bytes)})
        self._statement.set_sql_query(sql)
        stream, _ = self._statement.execute_query()
        return pl.DataFrame(stream)

    def close(self) -> None:
        for handle in (self._statement, self._connection, self._database):
            if handle is not None:
                handle.close()
        self._statement = self._connection = self._database = None
