"""The reading invariant (issue 8, item 3): every row a standard reader sees comes out once,
with its fields exactly as submitted and its own number, whichever block and whichever parser
(Polars or the csv module, Polars or orjson) reads it.

Files are generated as raw text, not by a CSV writer, so that they hold what real files hold:
quotes inside unquoted fields (`5" pipe`), text after a closing quote, quoted fields over
several lines, CRLF and LF, empty lines and lines of spaces. Blocks are cut far smaller than
the file, so most rows are read by a later block than the first.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcredit.ingest.chunks import CHUNK_SCHEMA
from socialcredit.ingest.readers import RecordFile, UnreadableFile

COLUMNS = ["record_id", "item", "subject_id", "decided_on", "reference"]

plain_text = st.text(alphabet=st.sampled_from('ab x1é"'), max_size=6)  # a quote only inside
quoted_text = st.text(alphabet=st.sampled_from('ab ,\n\r\n"é'), max_size=8).map(
    lambda text: '"' + text.replace('"', '""') + '"'
)
text_after_quote = st.text(alphabet=st.sampled_from('ab "'), min_size=1, max_size=3).filter(
    lambda text: not text.startswith('"')  # that would be an escaped quote, still inside
)
after_quote = st.tuples(quoted_text, text_after_quote).map("".join)
field = st.one_of(
    plain_text.filter(lambda text: not text.startswith('"')), quoted_text, after_quote
)
record = st.lists(field, min_size=1, max_size=6).map(",".join)
line_end = st.sampled_from(["\n", "\r\n"])
line = st.one_of(record, record, record, st.sampled_from(["", "   ", ",,,,"]))
files = st.tuples(st.lists(st.tuples(line, line_end), min_size=1, max_size=30), st.booleans())


def csv_module_rows(text: str) -> list[tuple[int, list[str]]]:
    records = list(csv.reader(io.StringIO(text, newline="")))[1:]
    return [
        (number, (values + [""] * len(COLUMNS))[: len(COLUMNS)])
        for number, values in enumerate(records, start=1)
        if values
    ]


def reader_rows(path: Path, block_bytes: int) -> list[tuple[int, list[str]]]:
    chunks = list(RecordFile.open(path, csv_block_bytes=block_bytes).chunks())
    frame = pl.concat(chunks) if chunks else pl.DataFrame(schema=CHUNK_SCHEMA)
    return [
        (row["row"], [row[name] or "" for name in COLUMNS]) for row in frame.iter_rows(named=True)
    ]


@settings(max_examples=300, deadline=None)
@given(files, st.integers(16, 300))
def test_every_csv_row_is_read_once_as_the_csv_module_reads_it(generated, block_bytes) -> None:
    lines, final_line_end = generated
    text = ",".join(COLUMNS) + "\r\n" + "".join(content + end for content, end in lines)
    if not final_line_end:
        text = text.rstrip("\r\n")
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "records.csv"
        path.write_bytes(text.encode())
        expected = csv_module_rows(text)
        assert reader_rows(path, block_bytes) == expected
        assert reader_rows(path, 1 << 20) == expected  # one block, first block only


@settings(max_examples=100, deadline=None)
@given(files, st.integers(16, 300), st.integers(0, 30))
def test_a_quote_left_open_refuses_the_file_naming_its_row(
    generated, block_bytes, position
) -> None:
    lines, _ = generated
    position = min(position, len(lines))
    text = ",".join(COLUMNS) + "\n" + "".join(content + end for content, end in lines[:position])
    opened_row = len(list(csv.reader(io.StringIO(text, newline="")))) if position else 1
    text += 'x,"never closed\n' + "".join(
        content + end for content, end in lines[position:]
    ).replace('"', "")
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "records.csv"
        path.write_bytes(text.encode())
        try:
            reader_rows(path, block_bytes)
        except UnreadableFile as error:
            assert f"row {opened_row}: a quoted field opens and is never closed" in str(error)
        else:
            raise AssertionError("a file with a quote left open was read")


json_keys = st.sampled_from(
    ["record_id", "item", "quantity", "reference", "status", "note", "Item"]
)
json_values = st.one_of(
    st.text(alphabet=st.sampled_from('ab é"\\/\n\t中'), max_size=5).map(
        lambda text: json.dumps(text, ensure_ascii=False)
    ),
    st.text(alphabet=st.sampled_from("abé中"), max_size=3).map(
        lambda text: json.dumps(text)
    ),  # \\u escapes
    st.sampled_from(
        [
            "2",
            "10",
            "-0",
            "-3",
            "2.0",
            "1e1",
            "1E+2",
            "0.5",
            "123456789012345678901234",
            "true",
            "false",
            "null",
            "{}",
            '{"a": 1}',
            "[]",
            "[1]",
            "NaN",
            "007",
            '"\\u0061"',
            '"\\ud800"',
        ]
    ),
)
json_members = st.lists(st.tuples(json_keys, json_values), max_size=6).map(
    lambda members: "{" + ", ".join(f'"{key}": {value}' for key, value in members) + "}"
)
json_lines = st.lists(
    st.one_of(
        json_members, json_members, json_members, st.sampled_from(["", "  ", "[1]", "{", "1"])
    ),
    min_size=1,
    max_size=20,
)


@settings(max_examples=300, deadline=None)
@given(json_lines)
def test_every_json_line_is_read_alike_by_both_parsers(lines) -> None:
    with tempfile.TemporaryDirectory() as directory:
        plain = Path(directory) / "plain.jsonl"
        plain.write_bytes("\n".join(lines).encode() + b"\n")
        # A line Polars refuses sends the whole chunk to the json module.
        forced = Path(directory) / "forced.jsonl"
        forced.write_bytes("\n".join([*lines, "{not json"]).encode() + b"\n")
        fast = pl.concat(
            list(RecordFile.open(plain).chunks()) or [pl.DataFrame(schema=CHUNK_SCHEMA)]
        )
        slow = pl.concat(list(RecordFile.open(forced).chunks()))
    assert fast.to_dicts() == slow.head(-1).to_dicts()
    assert fast["row"].to_list() == [
        number for number, line in enumerate(lines, start=1) if line.strip()
    ]
