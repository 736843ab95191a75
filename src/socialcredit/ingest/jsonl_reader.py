"""JSON Lines record files: one rule for every line, whichever parser reads it.

The rule (the README states it): each line that is not blank is one row, judged on its own.
It must be one JSON object (RFC 8259: no NaN, no trailing comma, no raw control character in a
string); a record field given as a string, a number or a boolean is taken as its text exactly
as written (`2.0` stays `2.0`, `1e1` stays `1e1`, so the checks refuse them as quantities
instead of rounding them), null is absent, and an object or array is refused. A record field
named twice refuses the row. An object with none of the record fields is a rejected row, named
as such. A byte order mark may open the file and is ignored.

Python's json module reads a line exactly by that rule and can say what is wrong with it.
Polars reads plain lines about twenty times faster, but rounds numbers and keeps the first of
two equal keys; so it reads only the lines where it cannot differ from the json module (no
number other than a non-negative integer, every record field given once and not null, no
escaped ASCII character, no control character), and every other line goes to the json module.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from itertools import islice

import polars as pl

from socialcredit.domain.records import SUBMITTED_FIELDS
from socialcredit.ingest.chunks import CHUNK_SCHEMA, conform

BYTE_ORDER_MARK = b"\xef\xbb\xbf"
JSON_WHITESPACE = b" \t\r\n"
FIELD_KEY = '"(?:' + "|".join(SUBMITTED_FIELDS) + r')"\s*:'
# Anything on which Polars could read a line otherwise than the json module: a number with a
# sign, a fraction or an exponent; an escaped ASCII character (a key could be spelled so) or
# surrogate; a control character (raw in a string is invalid JSON, which Polars lets pass).
NOT_FOR_POLARS = r":\s*-|:\s*\d+[.eE]|:\s*0\d|\\u00[0-7]|\\u[dD][89a-fA-F]|[\x00-\x1f]"


def jsonl_chunks(path, chunk_lines: int, note_columns) -> Iterator[pl.DataFrame]:
    with path.open("rb") as handle:
        lines = enumerate(handle, start=1)
        first = True
        while batch := list(islice(lines, chunk_lines)):
            if first and batch[0][1].startswith(BYTE_ORDER_MARK):
                batch[0] = (1, batch[0][1][len(BYTE_ORDER_MARK) :])
            first = False
            numbers = [number for number, line in batch if line.strip(JSON_WHITESPACE)]
            texts = [line.rstrip(b"\r\n") for _, line in batch if line.strip(JSON_WHITESPACE)]
            if numbers:
                yield _chunk(numbers, texts, note_columns)


def _chunk(numbers: list[int], texts: list[bytes], note_columns) -> pl.DataFrame:
    lines = pl.DataFrame(
        {"row": pl.Series(numbers, dtype=pl.Int64), "raw": pl.Series(texts, dtype=pl.Binary)}
    )
    # Polars refuses a whole column when one value is not UTF-8: such a line is blank text here,
    # so only the json module's path reads it (and rejects it as not UTF-8, naming its row).
    utf8 = _utf8_lines(texts)
    readable = texts if utf8 is None else [t if ok else b"" for t, ok in zip(texts, utf8)]
    lines = lines.with_columns(text=pl.Series(readable, dtype=pl.Binary).cast(pl.String))
    text = pl.col("text")
    candidates = lines.filter(
        text.str.starts_with("{")
        & (text.str.count_matches("{", literal=True) == 1)
        & ~text.str.contains("[", literal=True)
        & ~text.str.contains(NOT_FOR_POLARS)
    )
    fast = _polars_rows(candidates)
    slow_lines = lines if fast is None else lines.join(fast.select("row"), on="row", how="anti")
    slow = [
        _json_row(number, raw, note_columns)
        for number, raw in slow_lines.select("row", "raw").iter_rows()
    ]
    frames = [conform(pl.from_dicts(slow, schema=CHUNK_SCHEMA))]
    if fast is not None and fast.height:
        note_columns(_keys(fast["text"][0]))
        frames.append(conform(fast))
    return pl.concat(frames).sort("row")


def _utf8_lines(texts: list[bytes]) -> list[bool] | None:
    """Which lines are UTF-8; None when all are (nearly always: one check of the whole chunk)."""
    try:
        b"\n".join(texts).decode("utf-8")
    except UnicodeDecodeError:
        return [_decodes(text) for text in texts]
    return None


def _decodes(text: bytes) -> bool:
    try:
        text.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _polars_rows(candidates: pl.DataFrame) -> pl.DataFrame | None:
    """Polars' reading of the candidate lines, keeping those where each record field it found
    was written once and not as null: then the json module would read the same."""
    if candidates.height == 0:
        return candidates.with_columns(
            pl.lit(None, pl.String).alias(name) for name in SUBMITTED_FIELDS
        )
    try:
        parsed = pl.read_ndjson(
            io.BytesIO(b"\n".join(candidates["raw"].to_list())),
            schema=dict.fromkeys(SUBMITTED_FIELDS, pl.String()),
        )
    except pl.exceptions.PolarsError:
        return None
    if parsed.height != candidates.height:
        return None
    found = pl.sum_horizontal(pl.col(name).is_not_null() for name in SUBMITTED_FIELDS)
    written = pl.col("text").str.count_matches(FIELD_KEY)
    return pl.concat([candidates, parsed], how="horizontal").filter(
        (found == written) & (found > 0)
    )


def _json_row(number: int, raw: bytes, note_columns) -> dict[str, object]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return {"row": number, "malformed": "not valid UTF-8"}
    try:
        document = json.loads(
            text,
            parse_int=str,
            parse_float=str,
            parse_constant=_refuse_constant,
            object_pairs_hook=_Pairs,
        )
    except ValueError as error:
        return {"row": number, "malformed": f"not valid JSON: {error}"}
    if not isinstance(document, _Pairs):
        return {"row": number, "malformed": "not a JSON object"}
    keys = [key for key, _ in document]
    note_columns(keys)
    row: dict[str, object] = {"row": number}
    problems = []
    seen: set[str] = set()
    for key, value in document:
        if key not in SUBMITTED_FIELDS:
            continue
        if key in seen:
            problems.append(f"{key} is given twice")
        seen.add(key)
        if isinstance(value, (_Pairs, list)):
            kind = "object" if isinstance(value, _Pairs) else "array"
            problems.append(f"{key} must be a single value, not a JSON {kind}")
        elif isinstance(value, bool):
            row[key] = "true" if value else "false"
        elif isinstance(value, str) and not _encodable(value):
            problems.append(f"{key} holds an unpaired surrogate escape, which is not text")
        elif value is not None:
            row[key] = value
    if not seen:
        listed = ", ".join(keys[:5]) + (", …" if len(keys) > 5 else "")
        problems.append(f"none of the record fields is given (keys: {listed or 'none'})")
    if problems:
        row["malformed"] = "; ".join(dict.fromkeys(problems))
    return row


class _Pairs(list):
    """A JSON object as its (key, value) pairs in order, so that a repeated key is seen."""


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _keys(text: str) -> list[str]:
    try:
        document = json.loads(text)
    except ValueError:
        return []
    return list(document) if isinstance(document, dict) else []
