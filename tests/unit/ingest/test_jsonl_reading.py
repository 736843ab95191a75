"""JSON Lines: one rule for every line, whichever parser reads it (issue 8, items 3 and 4)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from socialcredit.ingest.readers import RecordFile

GOOD = (
    '"record_id": "a", "item": "i", "subject_id": "s", "decided_on": "2024-01-01", "reference": "r"'
)
# A line Polars cannot parse: the chunk around it was read by the other parser before.
UNPARSEABLE = "{not json"


def read_all(path: Path) -> pl.DataFrame:
    return pl.concat(list(RecordFile.open(path).chunks()))


def rows_of(tmp_path: Path, lines: list[str], name: str) -> list[dict]:
    path = tmp_path / f"{name}.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode())
    return read_all(path).to_dicts()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("{" + GOOD + ', "quantity": 2.0}', {"quantity": "2.0", "malformed": None}),
        ("{" + GOOD + ', "quantity": 1e1}', {"quantity": "1e1", "malformed": None}),
        (
            "{" + GOOD + ', "quantity": 12345678901234567890123}',
            {"quantity": "12345678901234567890123"},
        ),
        ("{" + GOOD + ', "quantity": -0}', {"quantity": "-0"}),
        ("{" + GOOD + ', "quantity": 3}', {"quantity": "3", "malformed": None}),
        ("{" + GOOD + ', "record_id": "b"}', {"malformed": "record_id is given twice"}),
        (
            "{" + GOOD + ', "quantity": null, "quantity": 2}',
            {"malformed": "quantity is given twice"},
        ),
        (
            "{" + GOOD + ', "quantity": 2, "quantity": null}',
            {"malformed": "quantity is given twice"},
        ),
        (
            '{"RECORD_ID": "a", "note": 1}',
            {"malformed": "none of the record fields is given (keys: RECORD_ID, note)"},
        ),
        ("{}", {"malformed": "none of the record fields is given (keys: none)"}),
        ("{" + GOOD + ', "status": true}', {"status": "true", "malformed": None}),
        (
            '{"record_id": "\\u0061", "it\\u0065m": "i", "item": "j"}',
            {"malformed": "item is given twice"},
        ),
        (
            '{"record_id": "a\tb"}',
            {
                "malformed": (
                    "not valid JSON: Invalid control character at: line 1 column 17 (char 16)"
                )
            },
        ),
        ('{"record_id": NaN}', {"malformed": "not valid JSON: NaN is not a JSON value"}),
        (
            '{"record_id": 007}',
            {"malformed": "not valid JSON: Expecting ',' delimiter: line 1 column 16 (char 15)"},
        ),
    ],
    ids=[
        "2.0",
        "1e1",
        "big integer",
        "minus zero",
        "integer",
        "duplicate key",
        "null then value",
        "value then null",
        "only unknown keys",
        "empty object",
        "boolean",
        "escaped key",
        "raw tab",
        "NaN",
        "leading zero",
    ],
)
def test_both_parsers_read_a_line_alike(tmp_path: Path, line: str, expected: dict) -> None:
    alone = rows_of(tmp_path, [line], "alone")
    beside_a_bad_line = rows_of(tmp_path, [line, UNPARSEABLE], "beside")
    assert len(alone) == 1 and alone[0] == beside_a_bad_line[0]
    assert {key: alone[0][key] for key in expected} == expected


def test_a_byte_order_mark_opens_the_file_and_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(
        b"\xef\xbb\xbf{" + GOOD.encode() + b"}\n\xef\xbb\xbf{" + GOOD.encode() + b"}\n"
    )
    frame = read_all(path)
    assert frame["record_id"].to_list() == ["a", None]
    assert frame["malformed"][0] is None
    assert frame["malformed"][1].startswith("not valid JSON")


def test_blank_lines_are_skipped_and_keep_their_number(tmp_path: Path) -> None:
    rows = rows_of(tmp_path, ["{" + GOOD + "}", "", "  \t", "{" + GOOD + "}"], "blank")
    assert [row["row"] for row in rows] == [1, 4]
