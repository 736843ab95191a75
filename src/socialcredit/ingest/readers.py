"""Reading record files (SPEC §4.1) in bounded chunks: CSV, JSON Lines, Parquet.

Every reader yields chunks of the shape `chunks.CHUNK_SCHEMA`. Row numbers: the n-th data row
of a CSV file (the header is row 0), the line number in a JSON Lines file, the row index + 1 in
a Parquet file. Only lines with nothing on them are skipped (they keep their number); every
other row a standard reader sees (Python's csv module, json line by line, pyarrow) is yielded
and gets a verdict. A file that cannot be read as records is refused whole when opened or,
for faults found further in, while read (`UnreadableFile`), before anything of it is kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from socialcredit.domain.records import SUBMITTED_FIELDS
from socialcredit.ingest import csv_reader
from socialcredit.ingest.chunks import CHUNK_SCHEMA, UnreadableFile, conform, field_columns
from socialcredit.ingest.csv_reader import CsvHeader, csv_chunks, read_header
from socialcredit.ingest.jsonl_reader import jsonl_chunks

__all__ = ["CHUNK_SCHEMA", "INGEST_CHUNK_ROWS", "RecordFile", "UnreadableFile"]

INGEST_CHUNK_ROWS = 100_000
HASH_BLOCK_BYTES = 1 << 20
FORMAT_OF_SUFFIX = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


@dataclass
class RecordFile:
    path: Path
    format: str
    unknown_columns: set[str] = field(default_factory=set)
    csv_block_bytes: int | None = None  # None: csv_reader.CSV_BLOCK_BYTES; tests cut finer
    csv_header: CsvHeader | None = None

    @classmethod
    def open(cls, path: Path, csv_block_bytes: int | None = None) -> RecordFile:
        file_format = FORMAT_OF_SUFFIX.get(path.suffix.lower())
        if file_format is None:
            known = ", ".join(sorted(FORMAT_OF_SUFFIX))
            raise UnreadableFile(f"{path}: unknown format {path.suffix!r}; use one of {known}")
        if path.is_dir():
            raise UnreadableFile(f"{path}: is a folder, not a file")
        if not path.exists():
            raise UnreadableFile(f"{path}: no such file")
        record_file = cls(path, file_format, csv_block_bytes=csv_block_bytes)
        try:
            path.open("rb").close()  # unreadable (permissions): say so now, not mid-ingest
            if file_format == "csv":
                record_file.csv_header = read_header(
                    path, csv_block_bytes or csv_reader.CSV_BLOCK_BYTES
                )
                record_file._note_columns(
                    record_file.csv_header.names if record_file.csv_header else []
                )
            elif file_format == "parquet":
                _parquet_fields(_open_parquet(path).schema_arrow)
        except OSError as error:
            raise UnreadableFile(f"{path}: cannot be read: {error.strerror or error}") from error
        except UnreadableFile as error:
            raise UnreadableFile(f"{path}: {error}") from error
        return record_file

    def sha256(self) -> str:
        digest = hashlib.sha256()
        with self.path.open("rb") as handle:
            while block := handle.read(HASH_BLOCK_BYTES):
                digest.update(block)
        return digest.hexdigest()

    def chunks(self) -> Iterator[pl.DataFrame]:
        readers = {
            "csv": self._csv_chunks,
            "jsonl": self._jsonl_chunks,
            "parquet": self._parquet_chunks,
        }
        try:
            yield from readers[self.format]()
        except UnreadableFile as error:
            raise UnreadableFile(f"{self.path}: {error}") from error

    # -- CSV ---------------------------------------------------------------------------------

    def _csv_chunks(self) -> Iterator[pl.DataFrame]:
        return csv_chunks(
            self.path, self.csv_header, self.csv_block_bytes or csv_reader.CSV_BLOCK_BYTES
        )

    # -- JSON Lines --------------------------------------------------------------------------

    def _jsonl_chunks(self) -> Iterator[pl.DataFrame]:
        return jsonl_chunks(self.path, INGEST_CHUNK_ROWS, self._note_columns)

    # -- Parquet -----------------------------------------------------------------------------

    def _parquet_chunks(self) -> Iterator[pl.DataFrame]:
        parquet = _open_parquet(self.path)
        positions = _parquet_fields(parquet.schema_arrow)
        self._note_columns(parquet.schema_arrow.names)
        names = parquet.schema_arrow.names
        rows_before = 0
        batches = parquet.iter_batches(
            batch_size=INGEST_CHUNK_ROWS, columns=[names[p] for p in positions.values()]
        )
        try:
            for batch in batches:
                frame = pl.from_arrow(batch)
                assert isinstance(frame, pl.DataFrame)
                frame = frame.select(
                    pl.col(names[position]).cast(pl.String).alias(name)
                    for name, position in positions.items()
                )
                yield conform(frame.with_row_index("row", offset=rows_before + 1))
                rows_before += batch.num_rows
        except (pa.ArrowException, OSError) as error:
            raise UnreadableFile(
                f"row {rows_before + 1} or after cannot be read: {error}"
            ) from error

    def _note_columns(self, names) -> None:
        self.unknown_columns.update(
            name for name in names if name.strip() and name.strip().lower() not in SUBMITTED_FIELDS
        )


# Arrow types whose values are single texts, numbers, booleans or dates: they read as text.
def _scalar(arrow_type: pa.DataType) -> bool:
    return (
        pa.types.is_string(arrow_type)
        or pa.types.is_large_string(arrow_type)
        or pa.types.is_integer(arrow_type)
        or pa.types.is_floating(arrow_type)
        or pa.types.is_decimal(arrow_type)
        or pa.types.is_boolean(arrow_type)
        or pa.types.is_date(arrow_type)
        or pa.types.is_null(arrow_type)
        or (pa.types.is_dictionary(arrow_type) and _scalar(arrow_type.value_type))
    )


def _open_parquet(path: Path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as error:
        raise UnreadableFile(f"not a readable Parquet file: {error}") from error


def _parquet_fields(schema: pa.Schema) -> dict[str, int]:
    """Record field -> column, checked: a record field must hold single values, not lists,
    structures or raw bytes, or no row of the file could be read as a record."""
    positions = field_columns(schema.names, "the Parquet schema")
    for name, position in positions.items():
        arrow_type = schema.field(position).type
        if not _scalar(arrow_type):
            raise UnreadableFile(
                f"column '{schema.names[position]}' holds {arrow_type} values; "
                "record fields must be text, numbers, booleans or dates"
            )
    return positions
