from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcredit.ingest import readers
from socialcredit.ingest.readers import RecordFile, UnreadableFile
from tests.helpers import write_records

ROWS = [
    {
        "record_id": "a1",
        "item": "traffic.red_light",
        "subject_id": "x",
        "decided_on": "2024-01-02",
        "quantity": 2,
        "reference": "DOC 1",
    },
    {
        "record_id": "a2",
        "revision": 2,
        "item": "court.judgment_default",
        "subject_id": "y",
        "decided_on": "2024-02-03",
        "reference": 'DOC, "2"',
        "status": "revoked",
    },
]


def read_all(path: Path) -> pl.DataFrame:
    chunks = list(RecordFile.open(path).chunks())
    return pl.concat(chunks) if chunks else pl.DataFrame(schema=readers.CHUNK_SCHEMA)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_every_format_reads_the_same_rows(tmp_path: Path, suffix: str) -> None:
    frame = read_all(write_records(tmp_path / f"records{suffix}", ROWS))
    assert frame["row"].to_list() == [1, 2]
    assert frame["record_id"].to_list() == ["a1", "a2"]
    # An absent value and an empty one are both "absent" (SPEC §4.1); readers may give either.
    assert [value or None for value in frame["quantity"].to_list()] == ["2", None]
    assert frame["reference"].to_list() == ["DOC 1", 'DOC, "2"']
    assert frame["revision"].to_list()[1] == "2"
    assert frame["malformed"].null_count() == 2


def test_unknown_format_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="unknown format"):
        RecordFile.open(tmp_path / "records.xlsx")
    with pytest.raises(UnreadableFile, match="no such file"):
        RecordFile.open(tmp_path / "records.csv")


def test_csv_oddities(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(
        "\ufeffrecord_id , item,subject_id,decided_on,reference,extra\r\n"
        'a,i,s,2024-01-01,"line one\r\nline two",x\r\n'
        "\r\n"
        "b,i,s,2024-01-01,r,x,surplus\r\n"
        "c,i,s\r\n".encode()
    )
    record_file = RecordFile.open(path)
    frame = pl.concat(list(record_file.chunks()))
    assert frame["row"].to_list() == [1, 3, 4]  # the blank row 2 keeps its number
    assert frame["reference"].to_list()[0] == "line one\r\nline two"
    assert frame["malformed"].to_list() == [None, "the row has 7 fields, the header 6", None]
    assert frame["decided_on"].to_list()[2] is None
    assert record_file.unknown_columns == {"extra"}


def test_bytes_that_are_not_utf8_are_reported_per_row(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        b"record_id,item,subject_id,decided_on,reference\na,i,s,2024-01-01,caf\xe9\nb,i,s,2024-01-01,ok\n"
    )
    frame = read_all(path)
    assert frame["malformed"].to_list() == ["not valid UTF-8", None]


def test_json_lines_oddities(tmp_path: Path) -> None:
    path = tmp_path / "odd.jsonl"
    path.write_text(
        '{"record_id": "a", "quantity": 3, "revision": 1.5, "status": true}\n'
        "\n"
        "[1, 2]\n"
        "{not json\n"
        '{"record_id": {"nested": 1}}\n'
    )
    frame = read_all(path)
    assert frame["row"].to_list() == [1, 3, 4, 5]
    first = frame.row(0, named=True)
    assert (first["quantity"], first["revision"], first["status"]) == ("3", "1.5", "true")
    malformed = frame["malformed"].to_list()
    assert malformed[0] is None
    assert malformed[1] == "not a JSON object"
    assert malformed[2].startswith("not valid JSON")
    assert malformed[3] == "record_id must be a single value, not a JSON object"


def test_an_empty_or_header_only_csv_has_no_rows(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert list(RecordFile.open(empty).chunks()) == []
    header_only = tmp_path / "header.csv"
    header_only.write_text("record_id,item,subject_id,decided_on,reference\n")
    assert sum(chunk.height for chunk in RecordFile.open(header_only).chunks()) == 0


csv_values = st.text(alphabet=st.sampled_from('ab,"\n\r x1é'), max_size=8)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(csv_values, min_size=5, max_size=5), max_size=25), st.integers(8, 200))
def test_blocks_of_any_size_read_like_the_csv_module(rows, block_bytes) -> None:
    import tempfile

    header = ["record_id", "item", "subject_id", "decided_on", "reference"]
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "records.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        with path.open(newline="", encoding="utf-8") as handle:
            expected = [
                (number, values)
                for number, values in enumerate(list(csv.reader(handle))[1:], start=1)
                if values  # only an empty line is not a row
            ]
        chunks = list(RecordFile.open(path, csv_block_bytes=block_bytes).chunks())
        frame = pl.concat(chunks) if chunks else pl.DataFrame(schema=readers.CHUNK_SCHEMA)
    got = [
        (row["row"], [row[name] or "" for name in header]) for row in frame.iter_rows(named=True)
    ]
    assert got == [(number, [value for value in values]) for number, values in expected]
