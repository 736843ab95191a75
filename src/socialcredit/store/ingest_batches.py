"""The ingested files as the store keeps them (SPEC §4.3): one batch per file with its counts,
listed a page at a time, and each batch's rejected rows as the rejects file gave them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from socialcredit.store import schema
from socialcredit.store.identities import IdentityStore


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


def batches(
    engine: Engine, source: str | None = None, limit: int = 100, before: int | None = None
) -> list[IngestBatch]:
    """At most `limit` batches, latest first; only those with an id below `before`."""
    table = schema.ingest_batches
    query = sa.select(table).order_by(table.c.id.desc()).limit(limit)
    if source is not None:
        query = query.where(table.c.source == source)
    if before is not None:
        query = query.where(table.c.id < before)
    with engine.connect() as connection:
        return [IngestBatch(**row._mapping) for row in connection.execute(query)]


def holds_records(engine: Engine, sources: Collection[str] | None = None) -> bool:
    """Whether any record was ever accepted (SPEC §10.6: a store with records publishes no
    back-dated version); with `sources`, any record of one of these (SPEC §11: a jurisdiction's
    sources)."""
    query = sa.select(schema.records.c.id).limit(1)
    if sources is not None:
        query = query.where(schema.records.c.source.in_(sorted(sources)))
    with engine.connect() as connection:
        return connection.execute(query).first() is not None


def batch(engine: Engine, batch_id: int) -> IngestBatch | None:
    table = schema.ingest_batches
    with engine.connect() as connection:
        row = connection.execute(sa.select(table).where(table.c.id == batch_id)).first()
    return IngestBatch(**row._mapping) if row else None


def rejected_rows(engine: Engine, identities: IdentityStore, batch_id: int) -> pl.DataFrame:
    """A batch's rejected rows as the rejects file gave them: row, reason, fields. The main
    store has the row numbers; the identity store has what the rows submitted."""
    table = schema.rejected_rows
    query = (
        sa.select(table.c.row_number.label("row"), table.c.submitted)
        .where(table.c.batch_id == batch_id)
        .order_by(table.c.row_number)
    )
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(query)]
    numbers = pl.DataFrame(rows, schema={"row": pl.Int64, "submitted": pl.Int64}, orient="row")
    submitted = identities.submitted_rows(numbers["submitted"].to_list())
    columns = ["row", "reason", *schema.REJECTED_RAW_FIELDS]
    return (
        numbers.join(submitted.rename({"id": "submitted"}), on="submitted", how="left")
        .sort("row")
        .select(columns)
    )
