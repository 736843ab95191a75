"""The one shape every reader yields, and the error that refuses a whole file.

A chunk is a frame of at most a bounded number of rows with `row` (the 1-based row number the
rejects file reports), the submitted fields as raw text (null when absent) and `malformed` (why
the row could not even be split into fields, or null). Nothing is judged here; `checks` does
that.
"""

from __future__ import annotations

import polars as pl

from socialcredit.domain.records import REQUIRED_FIELDS, SUBMITTED_FIELDS

CHUNK_SCHEMA: dict[str, pl.DataType] = {
    "row": pl.Int64(),
    **{name: pl.String() for name in SUBMITTED_FIELDS},
    "malformed": pl.String(),
}


NUL_CHARACTER = "a field holds a NUL character"


class UnreadableFile(Exception):
    """The file cannot be read as records at all: it is refused whole and nothing is stored."""


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """Any reader's frame in the common chunk shape: text fields, missing columns as nulls.

    A NUL character cannot be stored (PostgreSQL's text refuses it): its row is rejected, and
    the kept fields show it as U+FFFD.
    """
    frame = frame.select(
        pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in CHUNK_SCHEMA.items()
    )
    has_nul = pl.any_horizontal(
        pl.col(name).str.contains("\x00", literal=True) for name in SUBMITTED_FIELDS
    )
    if not frame.select(has_nul.any()).item():
        return frame
    return frame.with_columns(
        pl.when(has_nul & pl.col("malformed").is_null())
        .then(pl.lit(NUL_CHARACTER))
        .otherwise(pl.col("malformed"))
        .alias("malformed"),
        *(
            pl.col(name).str.replace_all("\x00", "\ufffd", literal=True)
            for name in SUBMITTED_FIELDS
        ),
    )


def field_columns(names: list[str], where: str) -> dict[str, int]:
    """The position of each record field among a file's column names (CSV header, Parquet).

    Names are matched ignoring case and surrounding spaces. A name given twice, or a required
    field with no column, refuses the file: its rows could not be read as records.
    """
    positions: dict[str, int] = {}
    for position, name in enumerate(names):
        key = name.strip().lower()
        if not key:
            continue
        if key in positions:
            raise UnreadableFile(
                f"{where}: column '{key}' appears twice "
                f"(columns {positions[key] + 1} and {position + 1})"
            )
        positions[key] = position
    missing = [name for name in REQUIRED_FIELDS if name not in positions]
    if missing:
        raise UnreadableFile(
            f"{where} lacks the required column(s) {', '.join(missing)}{_hint(names)}"
        )
    return {name: positions[name] for name in SUBMITTED_FIELDS if name in positions}


def _hint(names: list[str]) -> str:
    if len(names) == 1 and any(separator in names[0] for separator in ";\t|"):
        return f" (it reads as one column, {names[0]!r}: the delimiter must be a comma)"
    if not any(name.strip().lower() in SUBMITTED_FIELDS for name in names):
        return f"; the first row must be the header naming the columns, not {', '.join(names)!r}"
    return f" (it has {', '.join(names)})"
