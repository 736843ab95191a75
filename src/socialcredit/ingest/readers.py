"""Reading record files (SPEC §4.1) in bounded chunks: CSV, JSON Lines, Parquet.

Every reader yields the same shape: a frame of at most `INGEST_CHUNK_ROWS` rows with `row`
(the 1-based row number the rejects file reports), the submitted fields as raw text (null when
absent), and `malformed` (why the row could not even be split into fields, or null). Nothing is
judged here; `checks` does that.

Row numbers: the n-th data row of a CSV file (the header is row 0), the line number in a JSON
Lines file, the row index + 1 in a Parquet file. Blank rows keep their number but are skipped.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import orjson
import polars as pl

from socialcredit.domain.records import SUBMITTED_FIELDS

INGEST_CHUNK_ROWS = 100_000
HASH_BLOCK_BYTES = 1 << 20
FORMAT_OF_SUFFIX = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}

CHUNK_SCHEMA: dict[str, pl.DataType] = {
    "row": pl.Int64(),
    **{name: pl.String() for name in SUBMITTED_FIELDS},
    "malformed": pl.String(),
}


class UnreadableFile(Exception):
    """The file cannot be ingested at all: missing, unknown format, not parseable."""


@dataclass
class RecordFile:
    path: Path
    format: str
    unknown_columns: set[str] = field(default_factory=set)

    @classmethod
    def open(cls, path: Path) -> RecordFile:
        file_format = FORMAT_OF_SUFFIX.get(path.suffix.lower())
        if file_format is None:
            known = ", ".join(sorted(FORMAT_OF_SUFFIX))
            raise UnreadableFile(f"{path}: unknown format {path.suffix!r}; use one of {known}")
        if not path.is_file():
            raise UnreadableFile(f"{path}: no such file")
        return cls(path, file_format)

    def sha256(self) -> str:
        digest = hashlib.sha256()
        with self.path.open("rb") as handle:
            while block := handle.read(HASH_BLOCK_BYTES):
                digest.update(block)
        return digest.hexdigest()

    def chunks(self) -> Iterator[pl.DataFrame]:
        readers = {"csv": self._csv_chunks, "jsonl": self._jsonl_chunks, "parquet": self._parquet_chunks}
        for chunk in readers[self.format]():
            yield _drop_blank_rows(chunk)

    # -- CSV ---------------------------------------------------------------------------------

    def _csv_chunks(self) -> Iterator[pl.DataFrame]:
        """Polars' reader for speed; Python's csv module from the first malformed row on."""
        rows_read = 0
        try:
            scan = pl.scan_csv(
                self.path,
                infer_schema=False,
                row_index_name="row",
                row_index_offset=1,
                encoding="utf8",
            )
            columns = [name for name in scan.collect_schema() if name != "row"]
            scan = scan.rename({name: name.strip() for name in columns})
            self._note_columns(name.strip() for name in columns)
            for batch in scan.collect_batches(chunk_size=INGEST_CHUNK_ROWS):
                chunk = _conform(batch)
                rows_read += chunk.height
                yield chunk
        except pl.exceptions.PolarsError:
            yield from self._csv_chunks_in_python(skip=rows_read)

    def _csv_chunks_in_python(self, skip: int) -> Iterator[pl.DataFrame]:
        with self.path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
            reader = csv.reader(handle)
            try:
                header = [name.strip() for name in next(reader)]
            except StopIteration:
                return
            except csv.Error as error:
                raise UnreadableFile(f"{self.path}: the header cannot be read: {error}") from error
            self._note_columns(header)
            rows = _python_csv_rows(reader, header)
            for _ in islice(rows, skip):
                pass
            while batch := list(islice(rows, INGEST_CHUNK_ROWS)):
                yield _conform(pl.from_dicts(batch, schema=CHUNK_SCHEMA))

    # -- JSON Lines --------------------------------------------------------------------------

    def _jsonl_chunks(self) -> Iterator[pl.DataFrame]:
        with self.path.open("rb") as handle:
            lines = enumerate(handle, start=1)
            while batch := list(islice(lines, INGEST_CHUNK_ROWS)):
                rows = [self._json_row(number, line) for number, line in batch if line.strip()]
                if rows:
                    yield _conform(pl.from_dicts(rows, schema=CHUNK_SCHEMA))

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
            scan = pl.scan_parquet(self.path).with_row_index("row", offset=1)
            columns = [name for name in scan.collect_schema() if name != "row"]
        except pl.exceptions.PolarsError as error:
            raise UnreadableFile(f"{self.path}: not a readable Parquet file: {error}") from error
        self._note_columns(columns)
        for batch in scan.collect_batches(chunk_size=INGEST_CHUNK_ROWS):
            yield _conform(batch)

    def _note_columns(self, names) -> None:
        self.unknown_columns.update(name for name in names if name not in SUBMITTED_FIELDS)


def _python_csv_rows(reader, header: list[str]) -> Iterator[dict[str, object]]:
    """Rows as dicts, numbered; a row the csv module cannot split is reported, not fatal."""
    positions = {name: header.index(name) for name in SUBMITTED_FIELDS if name in header}
    row_number = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            row_number += 1
            yield {"row": row_number, "malformed": f"unreadable CSV: {error}"}
            continue
        row_number += 1
        yield _csv_row(row_number, values, header, positions)


def _csv_row(
    row_number: int, values: list[str], header: list[str], positions: dict[str, int]
) -> dict[str, object]:
    row: dict[str, object] = {"row": row_number}
    if len(values) > len(header):
        row["malformed"] = f"the row has {len(values)} fields, the header {len(header)}"
        return row
    for name, position in positions.items():
        if position < len(values):
            row[name] = values[position]
    if any("\ufffd" in value for value in values):
        row["malformed"] = "not valid UTF-8"
    return row


def _conform(frame: pl.DataFrame) -> pl.DataFrame:
    """Any reader's frame in the common chunk shape: text fields, missing columns as nulls."""
    return frame.select(
        pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in CHUNK_SCHEMA.items()
    )


def _drop_blank_rows(chunk: pl.DataFrame) -> pl.DataFrame:
    blank = pl.all_horizontal(
        (pl.col(name).is_null() | (pl.col(name).str.strip_chars() == "")) for name in SUBMITTED_FIELDS
    ) & pl.col("malformed").is_null()
    return chunk.filter(~blank)
