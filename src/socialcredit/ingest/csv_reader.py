"""CSV record files, read in blocks of whole records, row for row as Python's csv module reads them.

The file is cut into blocks of about `CSV_BLOCK_BYTES` that end on a record boundary
(`csv_layout`). Polars parses a block when the layout says it reads it exactly as the csv
module does, and when it finds as many records as the layout; any other block goes through the
csv module itself, which can also say what is wrong with a row. Either way the same row gets
the same fields and the same number.

Rows: the header is row 0 (blank lines before it are skipped); the n-th record after it is row
n. A line with nothing on it is not a row but keeps its number; anything else the csv module
sees, `,,,,` or a line of spaces included, is a row and gets a verdict.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from socialcredit.ingest.chunks import CHUNK_SCHEMA, UnreadableFile, conform, field_columns
from socialcredit.ingest.csv_layout import CARRIAGE_RETURN, BlockLayout, block_layout

CSV_BLOCK_BYTES = 8 << 20  # about 100,000 typical rows
# A record longer than this is taken for a quote left open rather than read into memory whole.
CSV_RECORD_MAX_BYTES = 64 << 20
CSV_HEADER_BYTES = 64 << 10
NOT_UTF8 = "not valid UTF-8"
# Decoded with surrogateescape, each byte that is not UTF-8 becomes a lone surrogate.
UNDECODABLE_BYTE = re.compile("[\udc80-\udcff]")

# The csv module refuses fields over 128 KiB by default, Polars does not: one limit for both
# paths, so that a row's verdict does not depend on which one reads it.
csv.field_size_limit(max(csv.field_size_limit(), CSV_RECORD_MAX_BYTES))


@dataclass(frozen=True)
class CsvHeader:
    names: list[str]
    positions: dict[str, int]  # record field -> column index
    data_offset: int  # where the first data row begins


def read_header(path: Path, block_bytes: int) -> CsvHeader | None:
    """The header record, checked; None for a file with nothing in it (no rows to read)."""
    with path.open("rb") as handle:
        offset = 0
        for block, layout in _record_blocks(handle, min(block_bytes, CSV_HEADER_BYTES)):
            if layout.open_quote_at is not None:
                raise UnreadableFile("the header: a quoted field opens and is never closed")
            starts = np.concatenate(([0], layout.record_ends + 1))
            for start, end in zip(starts, [*layout.record_ends.tolist(), len(block)]):
                record = block[start : end + 1]
                if record.strip():
                    return _header(record, offset + int(end) + 1)
            offset += len(block)
    return None


def _header(record: bytes, data_offset: int) -> CsvHeader:
    text = record.decode("utf-8-sig", errors="replace")
    names = next(csv.reader(io.StringIO(text, newline="")), [])
    return CsvHeader(names, field_columns(names, "the header"), data_offset)


class _RecordTooLong(Exception):
    pass


def csv_chunks(path: Path, header: CsvHeader | None, block_bytes: int) -> Iterator[pl.DataFrame]:
    if header is None:
        return
    rows_before = 0
    with path.open("rb") as handle:
        handle.seek(header.data_offset)
        try:
            for block, layout in _record_blocks(handle, block_bytes):
                if layout.open_quote_at is not None:
                    row = rows_before + _row_at(block, layout.open_quote_at)
                    raise UnreadableFile(f"row {row}: a quoted field opens and is never closed")
                chunk, records = _parse_block(block, layout, header, rows_before)
                rows_before += records
                yield chunk
        except _RecordTooLong:
            raise UnreadableFile(
                f"row {rows_before + 1}: longer than {CSV_RECORD_MAX_BYTES >> 20} MiB; "
                "is a quoted field left open?"
            ) from None


def _record_blocks(handle, block_bytes: int) -> Iterator[tuple[bytes, BlockLayout]]:
    """Blocks that end on a record boundary, with their layout. Only the last block of the
    file can end inside quotes (`open_quote_at`): a quote opened and never closed."""
    carry = b""
    while True:
        data = handle.read(block_bytes)
        block = carry + data
        if not block:
            return
        layout = block_layout(block)
        if not data:  # the end of the file
            yield block, layout
            return
        if layout.record_ends.size == 0:
            if len(block) > CSV_RECORD_MAX_BYTES:
                raise _RecordTooLong
            carry = block
            continue
        cut = int(layout.record_ends[-1]) + 1
        yield block[:cut], BlockLayout(layout.record_ends, None, layout.plain)
        carry = block[cut:]


def _row_at(block: bytes, offset: int) -> int:
    """The number, within the block, of the record that holds `offset`, counted as the csv
    module counts (a lone carriage return ends a record too)."""
    before = block[:offset].decode("utf-8", errors="replace")
    records = sum(1 for _ in csv.reader(io.StringIO(before, newline="")))
    return records + 1 if before == "" or before[-1] in "\r\n" else records


def _parse_block(
    block: bytes, layout: BlockLayout, header: CsvHeader, rows_before: int
) -> tuple[pl.DataFrame, int]:
    """The block's rows in the chunk shape, and how many records (blank ones too) it held."""
    records = layout.records_in(len(block))
    if layout.plain:
        frame = _polars_rows(block, header, records)
        if frame is not None:
            kept = ~_blank_records(block, layout, records)
            numbers = np.flatnonzero(kept) + rows_before + 1
            return conform(
                frame.filter(pl.Series(kept)).with_columns(row=pl.Series(numbers))
            ), records
    rows, records = _csv_module_rows(block, header)
    frame = pl.from_dicts(
        [{**row, "row": row["row"] + rows_before} for row in rows], schema=CHUNK_SCHEMA
    )
    return conform(frame), records


def _polars_rows(block: bytes, header: CsvHeader, records: int) -> pl.DataFrame | None:
    """Polars' reading of the block, or None when it refuses it or finds other records."""
    columns = [f"column_{position}" for position in range(len(header.names))]
    try:
        frame = pl.read_csv(
            io.BytesIO(block),
            has_header=False,
            schema=dict.fromkeys(columns, pl.String()),
            encoding="utf8",
        )
    except pl.exceptions.PolarsError:
        return None
    if frame.height != records:
        return None
    # A quoted empty field comes out as "", an unquoted one as null: both are absent, and the
    # csv module's path gives null for both, so this one does too.
    return frame.select(
        pl.when(pl.col(columns[position]) != "").then(pl.col(columns[position])).alias(name)
        for name, position in header.positions.items()
    )


def _blank_records(block: bytes, layout: BlockLayout, records: int) -> np.ndarray:
    """Which records hold nothing at all: an empty line, CRLF or not."""
    data = np.frombuffer(block, dtype=np.uint8)
    ends = np.append(layout.record_ends, len(block))[:records]  # each at its line feed
    starts = np.concatenate(([0], layout.record_ends + 1))[:records]
    lengths = ends - starts
    blank = lengths == 0
    one_byte = np.flatnonzero(lengths == 1)
    blank[one_byte] = data[starts[one_byte]] == CARRIAGE_RETURN
    return blank


def _csv_module_rows(block: bytes, header: CsvHeader) -> tuple[list[dict[str, object]], int]:
    """Rows as the csv module reads them, numbered from 1; a row it cannot split is reported."""
    text = block.decode("utf-8", errors="surrogateescape")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[dict[str, object]] = []
    number = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return rows, number
        except csv.Error as error:
            number += 1
            rows.append({"row": number, "malformed": f"unreadable CSV: {error}"})
            continue
        number += 1
        if values:
            rows.append(_csv_row(number, values, header))


def _csv_row(number: int, values: list[str], header: CsvHeader) -> dict[str, object]:
    row: dict[str, object] = {"row": number}
    if len(values) > len(header.names):
        row["malformed"] = f"the row has {len(values)} fields, the header {len(header.names)}"
    for name, position in header.positions.items():
        if position < len(values) and values[position]:
            row[name] = _valid_text(values[position])
    if any(_has_undecodable_bytes(value) for value in values):
        row["malformed"] = NOT_UTF8
    return row


def _has_undecodable_bytes(value: str) -> bool:
    return UNDECODABLE_BYTE.search(value) is not None


def _valid_text(value: str) -> str:
    """The value with undecodable bytes shown as U+FFFD: the rejects file is UTF-8."""
    return value.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")
