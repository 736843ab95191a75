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
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import orjson
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from socialcredit.domain.records import SUBMITTED_FIELDS
from socialcredit.ingest import csv_reader
from socialcredit.ingest.chunks import CHUNK_SCHEMA, UnreadableFile, conform
from socialcredit.ingest.csv_reader import CsvHeader, csv_chunks, read_header

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
            if file_format == "csv":
                record_file.csv_header = read_header(path, csv_block_bytes or csv_reader.CSV_BLOCK_BYTES)
                record_file._note_columns(record_file.csv_header.names if record_file.csv_header else [])
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
        readers = {"csv": self._csv_chunks, "jsonl": self._jsonl_chunks, "parquet": self._parquet_chunks}
        try:
            yield from readers[self.format]()
        except UnreadableFile as error:
            raise UnreadableFile(f"{self.path}: {error}") from error

    # -- CSV ---------------------------------------------------------------------------------

    def _csv_chunks(self) -> Iterator[pl.DataFrame]:
        return csv_chunks(self.path, self.csv_header, self.csv_block_bytes or csv_reader.CSV_BLOCK_BYTES)

    # -- JSON Lines --------------------------------------------------------------------------

    def _jsonl_chunks(self) -> Iterator[pl.DataFrame]:
        """Polars parses a chunk of plain lines (one flat object each, no blank line); any
        other chunk goes line by line through orjson, which can say what is wrong with a line."""
        with self.path.open("rb") as handle:
            lines = enumerate(handle, start=1)
            while batch := list(islice(lines, INGEST_CHUNK_ROWS)):
                first = batch[0][0]
                if all(_plain_json_line(line) for _, line in batch):
                    try:
                        chunk = pl.read_ndjson(
                            io.BytesIO(b"".join(line for _, line in batch)),
                            schema=dict.fromkeys(SUBMITTED_FIELDS, pl.String()),
                        )
                    except pl.exceptions.PolarsError:
                        pass
                    else:
                        self._note_columns(_json_keys(batch[0][1]))
                        yield conform(chunk.with_row_index("row", offset=first).cast({"row": pl.Int64}))
                        continue
                rows = [self._json_row(number, line) for number, line in batch if line.strip()]
                if rows:
                    yield conform(pl.from_dicts(rows, schema=CHUNK_SCHEMA))

    def _json_row(self, line_number: int, line: bytes) -> dict[str, object]:
        try:
            document = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            return {"row": line_number, "malformed": f"not valid JSON: {error}"}
        if not isinstance(document, dict):
            return {"row": line_number, "malformed": "not a JSON object"}
        self._note_columns(document)
        row: dict[str, object] = {"row": line_number}
        for name in SUBMITTED_FIELDS:
            value = document.get(name)
            if isinstance(value, (dict, list)):
                row["malformed"] = f"{name} must be a single value, not a JSON {type(value).__name__}"
            elif isinstance(value, bool):
                row[name] = "true" if value else "false"
            elif value is not None:
                row[name] = str(value)
        return row

    # -- Parquet -----------------------------------------------------------------------------

    def _parquet_chunks(self) -> Iterator[pl.DataFrame]:
        try:
            parquet = pq.ParquetFile(self.path)
        except (pa.ArrowException, OSError) as error:
            raise UnreadableFile(f"{self.path}: not a readable Parquet file: {error}") from error
        self._note_columns(parquet.schema_arrow.names)
        rows_before = 0
        for batch in parquet.iter_batches(batch_size=INGEST_CHUNK_ROWS):
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            yield conform(
                frame.with_row_index("row", offset=rows_before + 1).with_columns(
                    pl.col(name).cast(pl.String) for name in frame.columns
                )
            )
            rows_before += batch.num_rows

    def _note_columns(self, names) -> None:
        self.unknown_columns.update(name for name in names if name.strip().lower() not in SUBMITTED_FIELDS)


def _plain_json_line(line: bytes) -> bool:
    """One flat JSON object on its own line: no array, no nested object, nothing else."""
    stripped = line.strip()
    return stripped[:1] == b"{" and stripped.count(b"{") == 1 and b"[" not in stripped


def _json_keys(line: bytes) -> list[str]:
    try:
        document = orjson.loads(line)
    except orjson.JSONDecodeError:
        return []
    return list(document) if isinstance(document, dict) else []
