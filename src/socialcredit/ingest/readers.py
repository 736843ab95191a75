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
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import numpy as np
import orjson
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from socialcredit.domain.records import SUBMITTED_FIELDS

INGEST_CHUNK_ROWS = 100_000
CSV_BLOCK_BYTES = 8 << 20  # about 100,000 typical rows
CSV_HEADER_BYTES = 64 << 10
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
        """Blocks of whole records, each parsed by Polars, or by Python's csv module when
        Polars refuses the block (a row with too many fields, bytes that are not UTF-8)."""
        with self.path.open("rb") as handle:
            blocks = _csv_record_blocks(handle)
            header_block = next(blocks, b"")
            header = _csv_header(header_block)
            if header is None:
                return
            self._note_columns(header)
            columns = _unique_names(header)
            rows_before = 0
            for block in blocks:
                chunk = _parse_csv_block(block, header, columns, rows_before)
                rows_before = int(chunk["row"].max() or rows_before) if chunk.height else rows_before
                yield _conform(chunk)

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
                        yield _conform(chunk.with_row_index("row", offset=first).cast({"row": pl.Int64}))
                        continue
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
            parquet = pq.ParquetFile(self.path)
        except (pa.ArrowException, OSError) as error:
            raise UnreadableFile(f"{self.path}: not a readable Parquet file: {error}") from error
        self._note_columns(parquet.schema_arrow.names)
        rows_before = 0
        for batch in parquet.iter_batches(batch_size=INGEST_CHUNK_ROWS):
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            yield _conform(
                frame.with_row_index("row", offset=rows_before + 1).with_columns(
                    pl.col(name).cast(pl.String) for name in frame.columns
                )
            )
            rows_before += batch.num_rows

    def _note_columns(self, names) -> None:
        self.unknown_columns.update(name for name in names if name not in SUBMITTED_FIELDS)


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


def _csv_record_blocks(handle) -> Iterator[bytes]:
    """The file in blocks of about CSV_BLOCK_BYTES that end on a record boundary.

    The first block is the header record. A newline ends a record unless it lies inside a
    quoted field, that is, unless an odd number of quote characters precede it in the block
    (RFC 4180 escapes a quote as two, which keeps the parity).
    """
    carry = b""
    wanted_records = 1  # the header first, then as many as fit
    while True:
        data = handle.read(CSV_BLOCK_BYTES if wanted_records > 1 else CSV_HEADER_BYTES)
        if not data:
            if carry:
                yield carry
            return
        block = carry + data
        cut = _record_boundary(block, first=wanted_records == 1)
        if cut < 0:
            carry = block
            continue
        yield block[:cut]
        carry = block[cut:]
        wanted_records = 2


def _record_boundary(block: bytes, first: bool) -> int:
    """The offset just past the first (or the last) newline outside quotes, or -1."""
    data = np.frombuffer(block, dtype=np.uint8)
    newlines = np.flatnonzero(data == ord("\n"))
    quotes = np.flatnonzero(data == ord('"'))
    outside = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
    if outside.size == 0:
        return -1
    return int(outside[0 if first else -1]) + 1


def _csv_header(block: bytes) -> list[str] | None:
    text = block.decode("utf-8-sig", errors="replace")
    try:
        names = next(csv.reader(io.StringIO(text)), None)
    except csv.Error as error:
        raise UnreadableFile(f"the header cannot be read: {error}") from error
    return [name.strip() for name in names] if names else None


def _unique_names(header: list[str]) -> list[str]:
    """Column names for Polars: a repeated name gets a suffix; the first one is the one used."""
    seen: dict[str, int] = {}
    names = []
    for name in header:
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}__{seen[name]}")
    return names


def _parse_csv_block(
    block: bytes, header: list[str], columns: list[str], rows_before: int
) -> pl.DataFrame:
    try:
        frame = pl.read_csv(
            io.BytesIO(block),
            has_header=False,
            schema=dict.fromkeys(columns, pl.String()),
            encoding="utf8",
        )
        return frame.with_row_index("row", offset=rows_before + 1).cast({"row": pl.Int64})
    except pl.exceptions.PolarsError:
        text = block.decode("utf-8", errors="replace")
        rows = list(_python_csv_rows(csv.reader(io.StringIO(text, newline="")), header))
        return pl.from_dicts(
            [{**row, "row": row["row"] + rows_before} for row in rows], schema=CHUNK_SCHEMA
        )


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
