"""Ingesting one record file: read in chunks, check, judge revisions, append, report rejects.

The store's side is a `LedgerSession` (implemented by `store.ingest_sessions.IngestSession`)
that holds one transaction for the whole file: a crash mid-file leaves nothing behind, and
ingesting the same file again gives the same ledger (every row a duplicate).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

import polars as pl

from socialcredit.domain.rules import Rulebook
from socialcredit.ingest.checks import check_chunk
from socialcredit.ingest.readers import RecordFile
from socialcredit.ingest.rejects import REJECTS_COLUMNS, RejectsFile
from socialcredit.ingest.revisions import ACCEPTED, DUPLICATE, REJECTED, judge_revisions

__all__ = ["IngestCounts", "LedgerSession", "RejectsFile", "ingest_chunks"]


class LedgerSession(Protocol):
    batch_id: int

    def subject_keys(self, kinds: pl.Series, identifiers: pl.Series) -> pl.DataFrame: ...
    def stored_revisions(self, record_ids: pl.Series) -> pl.DataFrame: ...
    def reserve_record_ids(self, count: int) -> pl.Series: ...
    def append_records(self, frame: pl.DataFrame) -> None: ...
    def append_rejections(self, frame: pl.DataFrame) -> None: ...
    def finish(self, accepted: int, duplicates: int, rejected: int) -> None: ...


@dataclass
class IngestCounts:
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0

    def summary(self) -> str:
        """The line SPEC §6 fixes."""
        return f"accepted {self.accepted}, duplicates {self.duplicates}, rejected {self.rejected}"


def _record_rows(
    accepted: pl.DataFrame, ids: pl.Series, batch_id: int, source: str
) -> pl.DataFrame:
    frame = accepted.with_columns(ids.alias("id"))
    # A revision superseding one accepted earlier in this chunk names that row's new id.
    id_of_row = frame.select(pl.col("row").alias("supersedes_row"), pl.col("id").alias("row_id"))
    frame = frame.join(id_of_row, on="supersedes_row", how="left")
    return frame.select(
        "id",
        pl.lit(batch_id).alias("batch_id"),
        pl.col("row").alias("row_number"),
        pl.lit(source).alias("source"),
        pl.col("record_id_value").alias("record_id"),
        pl.col("revision_number").alias("revision"),
        pl.col("item_value").alias("item"),
        "subject_kind",
        pl.col("subject_id_value").alias("subject_id"),
        "subject",
        pl.col("decided_on_date").alias("decided_on"),
        pl.col("quantity_number").alias("quantity"),
        pl.col("reference_value").alias("reference"),
        pl.col("status_value").alias("status"),
        pl.coalesce("supersedes", "row_id").alias("supersedes"),
        pl.col("act_value").alias("act"),
    )


def _keyed(checked: pl.DataFrame, session: LedgerSession) -> pl.DataFrame:
    """The checked chunk with each valid row's subject key (`subject`), assigned by the
    identity store and committed there before any record uses it (SPEC §7.5)."""
    valid = checked.filter(pl.col("reason").is_null())
    keys = session.subject_keys(valid["subject_kind"], valid["subject_id_value"])
    return (
        checked.with_columns(pl.col("subject_kind").cast(pl.String).alias("kind"))
        .join(
            keys.rename({"identifier": "subject_id_value"}),
            on=["kind", "subject_id_value"],
            how="left",
        )
        .drop("kind")
    )


def _checked_chunks(
    record_file: RecordFile,
    rulebook: Rulebook,
    source: str,
    submitted_on: dt.date,
    session: LedgerSession,
) -> Iterator[pl.DataFrame]:
    """Read, check and key the next chunk in a worker thread while the caller writes this one.

    Reading and checking are Polars and NumPy work that releases the GIL, and so are the bulk
    append and the identity store's writes (another connection, another file or schema): on
    two cores they overlap. At most two chunks are in memory at once. A row judged a
    duplicate or a conflicting revision afterwards has had its subject keyed all the same:
    the identity store then holds a key no record uses, as it does after a failed file.
    """
    chunks = record_file.chunks()

    def read_check_and_key() -> pl.DataFrame | None:
        chunk = next(chunks, None)
        if chunk is None:
            return None
        return _keyed(check_chunk(chunk, rulebook, source, submitted_on), session)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="scs-check") as worker:
        pending = worker.submit(read_check_and_key)
        while (checked := pending.result()) is not None:
            pending = worker.submit(read_check_and_key)
            yield checked


def ingest_chunks(
    record_file: RecordFile,
    session: LedgerSession,
    rulebook: Rulebook,
    source: str,
    submitted_on: dt.date,
    rejects: RejectsFile,
) -> IngestCounts:
    counts = IngestCounts()
    for checked in _checked_chunks(record_file, rulebook, source, submitted_on, session):
        candidates = checked.filter(pl.col("reason").is_null())
        stored = session.stored_revisions(candidates["record_id_value"])
        judged = candidates.join(judge_revisions(candidates, stored), on="row", how="left")

        accepted = judged.filter(pl.col("outcome") == ACCEPTED)
        ids = session.reserve_record_ids(accepted.height)
        session.append_records(_record_rows(accepted, ids, session.batch_id, source))

        rejected = pl.concat(
            [
                checked.filter(pl.col("reason").is_not_null()).select(REJECTS_COLUMNS),
                judged.filter(pl.col("outcome") == REJECTED)
                .with_columns(pl.col("revision_reason").alias("reason"))
                .select(REJECTS_COLUMNS),
            ]
        ).sort("row")
        session.append_rejections(
            rejected.rename({"row": "row_number"}).with_columns(
                pl.lit(session.batch_id).alias("batch_id")
            )
        )
        rejects.append(rejected)

        counts.accepted += accepted.height
        counts.duplicates += judged.filter(pl.col("outcome") == DUPLICATE).height
        counts.rejected += rejected.height
    session.finish(counts.accepted, counts.duplicates, counts.rejected)
    return counts
