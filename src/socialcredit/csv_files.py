"""CSV as the registry writes it: RFC 4180, CRLF line ends, empty fields for absent values."""

from __future__ import annotations

from typing import IO

import polars as pl

LINE_TERMINATOR = "\r\n"


def write_csv(frame: pl.DataFrame, target: str | IO[bytes], *, include_header: bool = True) -> None:
    # Polars quotes an empty string ("") but writes null as an empty field; the registry's
    # files say "absent" with an empty field, so empty strings are written as nulls.
    frame.with_columns(
        pl.when(pl.col(name) == "").then(None).otherwise(pl.col(name)).alias(name)
        for name, dtype in frame.schema.items()
        if dtype == pl.String
    ).write_csv(target, include_header=include_header, line_terminator=LINE_TERMINATOR)
