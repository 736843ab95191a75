"""The ledger cache: a columnar copy of the append-only ledger, one Parquet segment per batch.

Reading five million records out of a store row by row took most of `scs score`'s time (issue
12); reading them from Parquet takes a fraction of it. The ledger never changes, so a batch's
records, once committed, can be copied once and read many times. `scs ingest` writes the
segment of its batch after its transaction commits; the scorer reads every batch's segment and
works out the current revisions itself (an anti-join on `supersedes`).

The copy is only a cache, and the store is always the authority:
- Which batches exist comes from the store, in the scorer's read transaction. A segment belongs
  to one batch, never to an id range (on PostgreSQL ids of concurrent transactions commit out
  of order), so a snapshot of the batch list is a snapshot of the ledger.
- A segment's name carries its batch's id, a stamp of the batch as the store has it (file
  digest, arrival time, accepted count: a store recreated at the same path or URL never matches
  an old segment) and the SHA-256 of its own bytes. A segment is used only if all three match
  and it holds exactly the batch's accepted rows in the expected columns. Anything else — a
  missing, truncated, tampered or stale file — is read from the store again, in the same
  transaction, and its segment rewritten.
- A store that may not be written (or a cache folder that cannot be) reads what valid segments
  there are and the rest from the store, and writes nothing.

Where it lives: beside a SQLite store (`X.db.ledger/`); for PostgreSQL under
`$XDG_CACHE_HOME/scs/` (else `~/.cache/scs/`), one folder per server and database. The
environment variable SCS_LEDGER_CACHE names another base folder, or `off` to read the store
directly. Deleting the folder is always safe. Segments name subjects by key only (SPEC §7.5).
"""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from socialcredit.domain.records import RECORD_STATUSES
from socialcredit.store.urls import StoreURL

CACHE_VARIABLE = "SCS_LEDGER_CACHE"
CACHE_OFF = "off"
SQLITE_CACHE_SUFFIX = ".ledger"
SEGMENT_SUFFIX = ".parquet"
SEGMENT_COMPRESSION = "lz4"  # read speed first; zstd saved little on these columns
STAMP_HEX_DIGITS = 16
DIGEST_HEX_DIGITS = 32

# What the batch scorer reads: the current revision of every record, in compact types (the
# subject an integer key, an item code a 4-byte category, a status one byte), so ten million
# records fit in about a third of a gigabyte. SPEC §10.3 needs, of a record that names an act,
# the act and the tie-break (its source, its record id): categories too, null for a record
# without an act (a null text column would still cost 16 bytes a row).
LEDGER_COLUMNS: dict[str, pl.DataType] = {
    "subject": pl.Int64(),
    "item": pl.Categorical(),
    "decided_on": pl.Date(),
    "quantity": pl.Int32(),
    "status": pl.Enum(RECORD_STATUSES),
    "act": pl.Categorical(),
    "act_source": pl.Categorical(),
    "act_record_id": pl.Categorical(),
    # SPEC §11: who submitted the record, so that each jurisdiction scores its own sources'.
    "source": pl.Categorical(),
}
# The columns a record's act brings, and what fills them where the record names an act.
ACT_TIEBREAK_COLUMNS = {"act_source": "source", "act_record_id": "record_id"}
# The same with each record's row id first: read only when an objection is overdue on the
# scoring day, for the scorer names the records it holds back by it (`scoring.batch`).
LEDGER_COLUMNS_WITH_IDS: dict[str, pl.DataType] = {"id": pl.Int64(), **LEDGER_COLUMNS}
# A segment: every revision a batch appended, with what finding the current ones needs.
SEGMENT_COLUMNS: dict[str, pl.DataType] = {**LEDGER_COLUMNS_WITH_IDS, "supersedes": pl.Int64()}
# Part of every segment's name: a segment written in another layout (before records had an
# act, format 1) never matches a batch, so it is read from the store again and rewritten.
SEGMENT_FORMAT = 3


def with_act_tiebreak(frame: pl.DataFrame) -> pl.DataFrame:
    """Records as ingest appends them (with `source` and `record_id`) with the act's tie-break
    columns: filled only where the record names an act."""
    has_act = pl.col("act").is_not_null()
    return frame.with_columns(
        pl.when(has_act).then(pl.col(column)).alias(name)
        for name, column in ACT_TIEBREAK_COLUMNS.items()
    )


@dataclass(frozen=True, slots=True)
class BatchStamp:
    """A committed batch as the store describes it: what its segment must match."""

    id: int
    stamp: str
    rows: int

    @classmethod
    def of(cls, batch_id: int, file_sha256: str, received_at: object, accepted: int) -> BatchStamp:
        text = f"{file_sha256}|{received_at}|{accepted}|format {SEGMENT_FORMAT}"
        return cls(batch_id, hashlib.sha256(text.encode()).hexdigest()[:STAMP_HEX_DIGITS], accepted)

    @property
    def prefix(self) -> str:
        return f"{self.id:012d}.{self.stamp}."


def current_revisions(
    segments: Iterable[pl.DataFrame], columns: dict[str, pl.DataType]
) -> pl.DataFrame:
    """The rows of all these segments that no row of them supersedes, in `columns`."""
    ledger = pl.concat([pl.DataFrame(schema=SEGMENT_COLUMNS), *segments], rechunk=False)
    superseded = ledger.get_column("supersedes").drop_nulls()
    if superseded.len():
        ledger = ledger.filter(~pl.col("id").is_in(superseded.implode()))
    return ledger.select(list(columns))


class LedgerCache:
    """The segments of one store in one folder."""

    def __init__(self, directory: Path, writable: bool):
        self.directory = directory
        self.writable = writable

    @classmethod
    def for_store(cls, url: StoreURL) -> LedgerCache | None:
        """The store's cache, or None when SCS_LEDGER_CACHE is `off`."""
        base = os.environ.get(CACHE_VARIABLE, "").strip()
        if base == CACHE_OFF:
            return None
        if base:
            directory = Path(base) / _store_folder_name(url)
        elif url.dialect == "sqlite":
            assert url.sqlite_path is not None
            path = url.sqlite_path.resolve()
            directory = path.with_name(path.name + SQLITE_CACHE_SUFFIX)
        else:
            home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
            directory = Path(home) / "scs" / _store_folder_name(url)
        return cls(directory, url.access == "read-write" and _can_write(directory))

    # -- reading ---------------------------------------------------------------------------

    def segment(self, batch: BatchStamp) -> pl.DataFrame | None:
        """The batch's segment if a valid one is here, else None."""
        for path in sorted(self.directory.glob(batch.prefix + "*" + SEGMENT_SUFFIX)):
            frame = _verified(path, batch)
            if frame is not None:
                return frame
        return None

    # -- writing ---------------------------------------------------------------------------

    def store(self, batch: BatchStamp, frame: pl.DataFrame) -> None:
        """Write a batch's segment (from the store's rows) unless the cache is read-only."""
        if not self.writable:
            return
        writer = SegmentWriter(self)
        try:
            writer.append(frame)
            writer.publish(batch)
        finally:
            writer.discard()

    def temporary_path(self) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        return self.directory / f".writing-{os.getpid()}-{uuid.uuid4().hex}{SEGMENT_SUFFIX}"

    def publish(self, temporary: Path, batch: BatchStamp) -> None:
        """Give a finished segment its name; older files of the same batch go (stale, or the
        same content written twice by a scorer and an ingest racing)."""
        digest = hashlib.sha256(temporary.read_bytes()).hexdigest()[:DIGEST_HEX_DIGITS]
        final = self.directory / f"{batch.prefix}{digest}{SEGMENT_SUFFIX}"
        os.replace(temporary, final)
        for other in self.directory.glob(f"{batch.id:012d}.*{SEGMENT_SUFFIX}"):
            if other != final:
                other.unlink(missing_ok=True)


class SegmentWriter:
    """A batch's segment written chunk by chunk while it is ingested, named only after the
    store committed it. Any failure (disk full, folder gone) leaves no segment, never a
    failed ingest: the scorer then reads that batch from the store."""

    def __init__(self, cache: LedgerCache):
        self._cache = cache
        self._writer = None
        self._path: Path | None = None
        try:
            self._path = cache.temporary_path()
        except OSError:
            pass

    @property
    def _failed(self) -> bool:
        return self._path is None

    def append(self, frame: pl.DataFrame) -> None:
        if self._failed or frame.height == 0:
            return
        try:
            from pyarrow import parquet

            if "act_source" not in frame.columns:
                frame = with_act_tiebreak(frame)
            table = frame.select(
                pl.col(name).cast(dtype) for name, dtype in SEGMENT_COLUMNS.items()
            ).to_arrow()
            if self._writer is None:
                self._writer = parquet.ParquetWriter(
                    self._path, table.schema, compression=SEGMENT_COMPRESSION
                )
            self._writer.write_table(table)
        except (OSError, ValueError):  # pyarrow's errors are OSError or ValueError
            self._give_up()

    def publish(self, batch: BatchStamp) -> None:
        if self._failed or self._writer is None:
            return
        try:
            self._writer.close()
            self._writer = None
            self._cache.publish(self._path, batch)
        except (OSError, ValueError):
            self._give_up()

    def _give_up(self) -> None:
        self.discard()
        self._path = None

    def discard(self) -> None:
        if self._writer is not None:
            try:
                self._writer.close()
            except (OSError, ValueError):
                pass
            self._writer = None
        if self._path is not None:
            try:
                self._path.unlink(missing_ok=True)
            except OSError:
                pass


def _verified(path: Path, batch: BatchStamp) -> pl.DataFrame | None:
    """The segment's rows if its bytes match the digest in its name and it holds the batch's
    rows in the segment's columns; None for anything else (a cache is never believed)."""
    digest = path.name.removesuffix(SEGMENT_SUFFIX).rsplit(".", 1)[-1]
    try:
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest()[:DIGEST_HEX_DIGITS] != digest:
            return None
        frame = pl.read_parquet(io.BytesIO(data))
    except (OSError, pl.exceptions.PolarsError):
        return None
    if frame.height != batch.rows or frame.schema != SEGMENT_COLUMNS:
        return None
    return frame


def _store_folder_name(url: StoreURL) -> str:
    """One folder per store: a digest of where it is (no password in it)."""
    where = str(url.sqlite_path.resolve()) if url.sqlite_path is not None else url.display()
    return "ledger-" + hashlib.sha256(where.encode()).hexdigest()[:STAMP_HEX_DIGITS]


def _can_write(directory: Path) -> bool:
    """Whether the folder, or the nearest folder above it that exists, may be written (the
    folder itself is made only when a segment is written)."""
    for folder in (directory, *directory.parents):
        if folder.exists():
            return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)
    return False
