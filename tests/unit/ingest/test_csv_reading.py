"""CSV files read row for row as Python's csv module reads them, or refused whole, naming the
row or the column (issue 8, item 3)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
import pytest

from socialcredit.ingest.readers import RecordFile, UnreadableFile

HEADER = "record_id,item,subject_id,decided_on,reference\n"
COLUMNS = HEADER.strip().split(",")


def read_all(path: Path, csv_block_bytes: int | None = None) -> pl.DataFrame:
    record_file = RecordFile.open(path, csv_block_bytes=csv_block_bytes)
    return pl.concat(list(record_file.chunks()))


def csv_module_rows(text: str) -> list[tuple[int, list[str]]]:
    """(row number, fields) as the csv module reads the rows after the header."""
    records = list(csv.reader(io.StringIO(text, newline="")))[1:]
    padded = [values + [""] * (len(COLUMNS) - len(values)) for values in records]
    return [
        (number, values) for number, values in enumerate(padded, start=1) if records[number - 1]
    ]


def fields(frame: pl.DataFrame) -> list[tuple[int, list[str]]]:
    return [
        (row["row"], [row[name] or "" for name in COLUMNS]) for row in frame.iter_rows(named=True)
    ]


def test_an_unterminated_quote_refuses_the_file_naming_its_row(tmp_path: Path) -> None:
    path = tmp_path / "open.csv"
    path.write_text(
        HEADER
        + "a,i,s,2024-01-01,r\n"
        + 'b,i,s,2024-01-01,"never closed\n'
        + "c,i,s,2024-01-01,r\n"
    )
    with pytest.raises(UnreadableFile, match=r"row 2: .*quote"):
        read_all(path)


def test_an_unterminated_quote_in_a_later_block_refuses_the_file(tmp_path: Path) -> None:
    rows = [f"r{n},i,s,2024-01-01,doc {n}\n" for n in range(200)]
    rows[150] = 'r150,i,s,2024-01-01,"never closed\n'
    path = tmp_path / "open.csv"
    path.write_text(HEADER + "".join(rows))
    with pytest.raises(UnreadableFile, match=r"row 151: .*quote"):
        read_all(path, csv_block_bytes=256)


def test_a_quote_inside_an_unquoted_field_does_not_shift_the_cut(tmp_path: Path) -> None:
    # `5" pipe` holds one quote, not a quoted field: counting quotes would take every newline
    # after it for one inside quotes, cut the multi-line field below and renumber the rows.
    rows = [f"r{n},i,s,2024-01-01,doc {n}\n" for n in range(4000)]  # past the first 64 KiB
    rows[3000] = 'r3000,i,s,2024-01-01,5" pipe\n'
    rows[3002] = 'r3002,i,s,2024-01-01,"line one\nline two, ""quoted"""\n'
    text = HEADER + "".join(rows)
    path = tmp_path / "inches.csv"
    path.write_text(text)
    for block_bytes in (64, 100, 150, 256, 1000, 4096, 1 << 20):
        frame = read_all(path, csv_block_bytes=block_bytes)
        assert fields(frame) == csv_module_rows(text), block_bytes
        assert frame["malformed"].null_count() == frame.height


def test_a_leading_blank_line_and_upper_case_names_are_read(tmp_path: Path) -> None:
    path = tmp_path / "upper.csv"
    path.write_text("\n \r\n" + HEADER.upper() + "a,i,s,2024-01-01,r\n")
    frame = read_all(path)
    assert fields(frame) == [(1, ["a", "i", "s", "2024-01-01", "r"])]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEADER.replace(",", ";") + "a;i;s;2024-01-01;r\n", r"delimiter.*comma"),
        ("a,i,s,2024-01-01,r\nb,i,s,2024-01-01,r\n", r"header.*record_id"),
        ("record_id,item,subject_id,decided_on\na,i,s,2024-01-01\n", r"header lacks .*reference"),
        (HEADER.strip() + ",item\na,i,s,2024-01-01,r,j\n", r"column 'item' appears twice"),
        (HEADER.strip() + ",ITEM \na,i,s,2024-01-01,r,j\n", r"column 'item' appears twice"),
    ],
    ids=[
        "semicolons",
        "no header",
        "required column missing",
        "duplicated column",
        "duplicated in other case",
    ],
)
def test_a_header_that_cannot_be_read_refuses_the_file(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(UnreadableFile, match=message):
        read_all(path)


def test_rows_of_empty_fields_are_rows(tmp_path: Path) -> None:
    # Only a line with nothing on it is not a row; the csv module sees `,,,,` and spaces.
    text = HEADER + ",,,,\n\n   \na,i,s,2024-01-01,r\n"
    path = tmp_path / "empty.csv"
    path.write_text(text)
    assert [row for row, _ in fields(read_all(path))] == [1, 3, 4]


def test_a_literal_replacement_character_is_not_taken_for_bad_bytes(tmp_path: Path) -> None:
    path = tmp_path / "fffd.csv"
    path.write_bytes(
        (HEADER + "a,i,s,2024-01-01,\ufffd\n").encode() + b"b,i,s,2024-01-01,caf\xe9\n"
    )
    assert read_all(path)["malformed"].to_list() == [None, "not valid UTF-8"]


def test_a_field_after_a_closing_quote_reads_as_the_csv_module_reads_it(tmp_path: Path) -> None:
    text = HEADER + 'a,i,s,2024-01-01,"DOC"-7\nb,i,s,2024-01-01,x\ry\n'
    path = tmp_path / "odd.csv"
    path.write_text(text, newline="")
    assert fields(read_all(path)) == csv_module_rows(text)
