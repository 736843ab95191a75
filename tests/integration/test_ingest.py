"""Ingesting files into a real store (SQLite and PostgreSQL): counts, the ledger, rejects,
retries, and a file as one transaction."""

from __future__ import annotations

import csv
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl
import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from socialcredit.cli.app import app
from socialcredit.ingest import pipeline
from socialcredit.ingest.readers import UnreadableFile
from socialcredit.registry import Registry, UnknownSource
from socialcredit.store import schema
from tests.helpers import (
    ORGANIZATION,
    OTHER_PERSON,
    PERSON,
    catalogue_document,
    catalogue_yaml,
    record,
    write_records,
)


@pytest.fixture
def city(registry: Registry) -> Registry:
    assert registry.publish_catalogue(catalogue_yaml(catalogue_document())).version == 1
    return registry


def ledger_rows(registry: Registry) -> list[tuple]:
    """The ledger's rows, subjects named through the identity store."""
    records = schema.records
    with registry.store.engine.connect() as connection:
        rows = list(
            connection.execute(
                sa.select(
                    records.c.source,
                    records.c.record_id,
                    records.c.revision,
                    records.c.subject,
                    records.c.quantity,
                    records.c.status,
                ).order_by(records.c.source, records.c.record_id, records.c.revision)
            )
        )
    names = registry.store.identities.identities_of([row.subject for row in rows])
    return [(*row[:3], names[row.subject][1], *row[4:]) for row in rows]


ROWS = [
    record("t1", "traffic.red_light", PERSON, "2025-01-10"),
    record("t2", "traffic.red_light", OTHER_PERSON, "2025-02-10", quantity=2),
    record("t1", "traffic.red_light", PERSON, "2025-01-10"),  # duplicate of row 1
    record("t3", "traffic.red_light", ORGANIZATION, "2025-02-10"),  # wrong kind
    record("t2", "traffic.red_light", OTHER_PERSON, "2025-02-10", revision=2, status="revoked"),
    record("t4", "traffic.red_light", PERSON, "2099-01-01"),  # future
]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_a_file_is_checked_and_appended(city: Registry, tmp_path: Path, suffix: str) -> None:
    path = write_records(tmp_path / f"traffic{suffix}", ROWS)
    result = city.ingest(path, "traffic-police")
    assert result.counts.summary() == "accepted 3, duplicates 1, rejected 2"
    assert ledger_rows(city) == [
        ("traffic-police", "t1", 1, PERSON, 1, "active"),
        ("traffic-police", "t2", 1, OTHER_PERSON, 2, "active"),
        ("traffic-police", "t2", 2, OTHER_PERSON, 1, "revoked"),
    ]
    with result.rejects_path.open(newline="") as handle:
        rejects = list(csv.DictReader(handle))
    assert [row["row"] for row in rejects] == ["4", "6"]
    assert rejects[0]["record_id"] == "t3" and "concerns persons" in rejects[0]["reason"]
    stored = city.store.rejected_rows(result.batch_id)
    assert stored["row"].to_list() == [4, 6]
    batch = city.store.batches("traffic-police")[0]
    assert (batch.accepted, batch.duplicates, batch.rejected) == (3, 1, 2)


def test_ingesting_the_same_file_again_changes_nothing(city: Registry, tmp_path: Path) -> None:
    path = write_records(tmp_path / "traffic.csv", ROWS)
    city.ingest(path, "traffic-police")
    once = ledger_rows(city)
    again = city.ingest(path, "traffic-police")
    assert again.counts.summary() == "accepted 0, duplicates 4, rejected 2"
    assert ledger_rows(city) == once


def test_a_crash_mid_file_leaves_nothing_and_a_retry_counts_once(
    city: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [record(f"r{n}", "traffic.red_light", PERSON, "2025-01-10") for n in range(50)]
    path = write_records(tmp_path / "big.jsonl", rows)
    monkeypatch.setattr("socialcredit.ingest.readers.INGEST_CHUNK_ROWS", 10)
    original = pipeline.judge_revisions
    calls = {"count": 0}

    def crash_on_third_chunk(*arguments):
        calls["count"] += 1
        if calls["count"] == 3:
            raise RuntimeError("power cut")
        return original(*arguments)

    monkeypatch.setattr(pipeline, "judge_revisions", crash_on_third_chunk)
    with pytest.raises(RuntimeError, match="power cut"):
        city.ingest(path, "traffic-police")
    assert ledger_rows(city) == []
    assert city.store.batches() == []
    assert not path.with_suffix(".rejects.csv").exists()

    monkeypatch.setattr(pipeline, "judge_revisions", original)
    assert (
        city.ingest(path, "traffic-police").counts.summary()
        == "accepted 50, duplicates 0, rejected 0"
    )
    assert len(ledger_rows(city)) == 50


def test_revisions_across_chunks_and_files(
    city: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("socialcredit.ingest.readers.INGEST_CHUNK_ROWS", 2)
    first = [record(f"r{n}", "traffic.red_light", PERSON, "2025-01-10") for n in range(5)]
    chain = [
        record("r0", "traffic.red_light", PERSON, "2025-01-10", revision=2, quantity=2),
        record("r0", "traffic.red_light", PERSON, "2025-01-10", revision=3, quantity=3),
        record("r0", "traffic.red_light", PERSON, "2025-01-10", revision=2, quantity=9),
    ]
    city.ingest(write_records(tmp_path / "a.jsonl", first), "traffic-police")
    result = city.ingest(write_records(tmp_path / "b.jsonl", chain), "traffic-police")
    assert result.counts.summary() == "accepted 2, duplicates 0, rejected 1"
    current = [r for r in city.store.records_naming(PERSON) if r.record_id == "r0"]
    assert [(r.revision, r.quantity) for r in current] == [(3, 3)]
    ledger = city.store.current_ledger()
    assert ledger.height == 5
    assert ledger.filter(pl.col("quantity") == 3).height == 1


@pytest.mark.parametrize(
    ("second", "summary", "probed"),
    [
        # New ids beyond the stored ones, and the last stored id resubmitted: one range read.
        (
            [record(f"r{n:02}", "traffic.red_light", PERSON, "2025-01-10") for n in range(9, 20)],
            "accepted 10, duplicates 1, rejected 0",
            False,
        ),
        # Corrections spread over the stored ids: the range holds too many, so each key is probed.
        (
            [
                record("r02", "traffic.red_light", PERSON, "2025-01-10", revision=2, quantity=2),
                record("r07", "traffic.red_light", PERSON, "2025-01-10", revision=2, quantity=3),
                record("r05", "traffic.red_light", PERSON, "2025-01-10", quantity=3),
            ],
            "accepted 2, duplicates 0, rejected 1",
            True,
        ),
    ],
)
def test_stored_revisions_are_found_by_range_or_by_probe(
    city: Registry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    second: list[dict],
    summary: str,
    probed: bool,
) -> None:
    """The revision lookup reads the file's id range when it holds few stored rows, and probes
    key by key otherwise; both judge the same way."""
    from socialcredit.store import ingest_sessions

    first = [record(f"r{n:02}", "traffic.red_light", PERSON, "2025-01-10") for n in range(10)]
    city.ingest(write_records(tmp_path / "a.jsonl", first), "traffic-police")
    probes: list[int] = []
    for session in (
        ingest_sessions._SQLiteIngestSession,
        ingest_sessions._PostgreSQLIngestSession,
    ):
        original = session._stored_revisions

        def spied(self, keys, original=original):
            probes.append(keys.len())
            return original(self, keys)

        monkeypatch.setattr(session, "_stored_revisions", spied)
    result = city.ingest(write_records(tmp_path / "b.jsonl", second), "traffic-police")
    assert result.counts.summary() == summary
    assert bool(probes) is probed
    stored = {(row[1], row[2]): row[4] for row in ledger_rows(city)}
    expected = {(f"r{n:02}", 1): 1 for n in range(10 if probed else 20)}
    if probed:
        expected |= {("r02", 2): 2, ("r07", 2): 3}
    assert stored == expected


def test_files_and_sources_that_cannot_be_ingested(city: Registry, tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile):
        city.ingest(tmp_path / "missing.csv", "traffic-police")
    path = write_records(tmp_path / "ok.csv", ROWS[:1])
    with pytest.raises(UnknownSource, match="declared sources: charity, court"):
        city.ingest(path, "nobody")


def test_a_source_sees_its_rejects_even_without_a_rejects_path(
    city: Registry, tmp_path: Path
) -> None:
    path = write_records(tmp_path / "traffic.jsonl", ROWS)
    result = city.ingest(path, "traffic-police")
    assert result.rejects_path == tmp_path / "traffic.rejects.csv"
    assert result.rejects_path.read_text().startswith("row,reason,record_id")


CSV_HEADER = "record_id,item,subject_id,decided_on,reference\n"


def good_csv_rows(count: int) -> str:
    return "".join(f"g{n},traffic.red_light,{PERSON},2025-01-10,DOC {n}\n" for n in range(count))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            CSV_HEADER
            + good_csv_rows(300)
            + 'late,traffic.red_light,x,2025-01-10,"open\n'
            + good_csv_rows(5),
            "row 301: a quoted field opens and is never closed",
        ),
        (
            CSV_HEADER.strip() + ",reference\n" + good_csv_rows(3),
            "column 'reference' appears twice",
        ),
        (
            "record_id,item,subject_id,decided_on\n" + good_csv_rows(3),
            "lacks the required column(s) reference",
        ),
        (
            CSV_HEADER.replace(",", ";") + good_csv_rows(3).replace(",", ";"),
            "the delimiter must be a comma",
        ),
    ],
    ids=["quote left open in a later block", "duplicated column", "missing column", "semicolons"],
)
def test_a_file_that_cannot_be_read_as_records_is_refused_whole(
    city: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    monkeypatch.setattr("socialcredit.ingest.csv_reader.CSV_BLOCK_BYTES", 512)  # many blocks
    path = tmp_path / "records.csv"
    path.write_text(text)
    with pytest.raises(UnreadableFile, match=re.escape(message)):
        city.ingest(path, "traffic-police")
    assert ledger_rows(city) == []
    assert city.store.batches() == []
    assert not any(tmp_path.glob("records.rejects.csv*"))
    result = CliRunner().invoke(
        app,
        ["ingest", str(path), "--source", "traffic-police", "--db", city.store.url.given],
        catch_exceptions=False,
    )
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert ledger_rows(city) == []


def cli_ingest(city: Registry, *arguments: str):
    return CliRunner().invoke(
        app,
        ["ingest", *arguments, "--source", "traffic-police", "--db", city.store.url.given],
        catch_exceptions=False,
    )


def read_only_folder(tmp_path: Path) -> Path:
    """A folder this process cannot write in: a chmod'ed one, or for root, who writes in any
    of those, /proc/self."""
    if os.geteuid() == 0:
        return Path("/proc/self")
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


@pytest.mark.parametrize("where", ["a folder", "under /dev/null", "in a read-only folder"])
def test_a_rejects_path_that_cannot_be_written_is_refused_before_anything_is_stored(
    city: Registry, tmp_path: Path, where: str
) -> None:
    rejects = {
        "a folder": tmp_path,
        "under /dev/null": Path("/dev/null/rejects.csv"),
        "in a read-only folder": read_only_folder(tmp_path) / "rejects.csv",
    }[where]
    path = write_records(tmp_path / "traffic.csv", ROWS)
    result = cli_ingest(city, str(path), "--rejects", str(rejects))
    assert result.exit_code == 2, result.output
    assert f"rejects file {rejects}:" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert ledger_rows(city) == [] and city.store.batches() == []


def test_rejects_can_go_to_a_device(city: Registry, tmp_path: Path) -> None:
    # Written through, never renamed over: an ingest that renamed its file over /dev/null
    # would leave the machine without one.
    assert Path("/dev/null").is_char_device()
    path = write_records(tmp_path / "traffic.csv", ROWS)
    result = cli_ingest(city, str(path), "--rejects", "/dev/null")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "accepted 3, duplicates 1, rejected 2"
    assert Path("/dev/null").is_char_device()


@contextmanager
def ingests_held_back(city: Registry) -> Iterator[None]:
    """Ingests of traffic-police wait inside their transaction until this ends: on SQLite
    for the write lock, on PostgreSQL for the source's advisory lock."""
    url = city.store.url
    if url.dialect == "sqlite":
        blocker = sqlite3.connect(url.sqlite_path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        return
    with psycopg.connect(url.given, autocommit=True) as blocker:
        blocker.execute("SELECT pg_advisory_lock(hashtext('scs-ingest:traffic-police'))")
        yield


def rejects_file_opened(process: subprocess.Popen, folder: Path, before: set[str]) -> bool:
    """Whether the process has made its rejects file: a new name in the folder, or an open
    file in it (an unnamed temporary file has no name to see)."""
    if {entry.name for entry in folder.iterdir()} - before:
        return True
    descriptors = Path(f"/proc/{process.pid}/fd")
    try:
        targets = [os.readlink(descriptor) for descriptor in descriptors.iterdir()]
    except OSError:
        return False
    return any(target.startswith(str(folder)) and "traffic.csv" not in target for target in targets)


def test_a_killed_ingest_leaves_no_partial_rejects_file(city: Registry, tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    path = write_records(folder / "traffic.csv", ROWS)
    before = {entry.name for entry in folder.iterdir()}
    with ingests_held_back(city):
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "socialcredit",
                "ingest",
                str(path),
                "--source",
                "traffic-police",
            ],
            env={**os.environ, "SCS_DB": city.store.url.given},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while not rejects_file_opened(process, folder, before) and process.poll() is None:
            assert time.monotonic() < deadline, "the ingest never opened its rejects file"
            time.sleep(0.02)
        assert process.poll() is None, "the ingest ended before it could be killed"
        process.kill()
        process.wait()
    assert {entry.name for entry in folder.iterdir()} == before
    assert ledger_rows(city) == [] and city.store.batches() == []


def test_a_folder_given_as_the_file_is_named_as_a_folder(city: Registry, tmp_path: Path) -> None:
    folder = tmp_path / "records.csv"
    folder.mkdir()
    result = cli_ingest(city, str(folder))
    assert result.exit_code == 2
    assert "is a folder, not a file" in result.stderr


@pytest.mark.parametrize(
    ("column", "message"),
    [
        (
            pa.array([["DOC-1", "DOC-2"]] * 2, pa.list_(pa.string())),
            "column 'reference' holds list<",
        ),
        (pa.array([b"DOC-1", b"DOC-2"], pa.binary()), "column 'reference' holds binary values"),
    ],
    ids=["list", "binary"],
)
def test_a_parquet_record_field_that_is_not_a_single_value_refuses_the_file(
    city: Registry, tmp_path: Path, column: pa.Array, message: str
) -> None:
    rows = [
        record("p1", "traffic.red_light", PERSON, "2025-01-10"),
        record("p2", "traffic.red_light", PERSON, "2025-01-10"),
    ]
    table = pa.table(
        {
            name: [row[name] for row in rows]
            for name in ("record_id", "item", "subject_id", "decided_on")
        }
    )
    table = table.append_column("reference", column).append_column("extra", pa.array([[1], [2]]))
    path = tmp_path / "records.parquet"
    pq.write_table(table, path)
    result = cli_ingest(city, str(path))
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.stderr
    assert ledger_rows(city) == []
    # An unknown column of any type is ignored, with a warning.
    pq.write_table(
        table.drop_columns(["reference"]).append_column("reference", pa.array(["D1", "D2"])), path
    )
    result = cli_ingest(city, str(path))
    assert result.exit_code == 0, result.output
    assert "ignored columns: extra" in result.stderr
    assert result.stdout.strip() == "accepted 2, duplicates 0, rejected 0"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (
            "nul.csv",
            CSV_HEADER.encode() + f"n1,traffic.red_light,{PERSON},2025-01-10,DOC\x001\n".encode(),
        ),
        (
            "nul.jsonl",
            (
                '{"record_id": "n1", "item": "traffic.red_light", "subject_id": "'
                + PERSON
                + '", "decided_on": "2025-01-10", "reference": "DOC\\u00001"}\n'
            ).encode(),
        ),
    ],
    ids=["csv", "jsonl"],
)
def test_a_nul_character_rejects_its_row_on_every_store(
    city: Registry, tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(
        content
        + content.splitlines(keepends=True)[-1]
        .replace(b"n1", b"n2")
        .replace(b"\\u0000", b"")
        .replace(b"\x00", b"")
    )
    result = city.ingest(path, "traffic-police")
    assert result.counts.summary() == "accepted 1, duplicates 0, rejected 1"
    rejected = city.store.rejected_rows(result.batch_id)
    assert rejected["reason"].to_list() == ["a field holds a NUL character"]
    assert rejected["reference"].to_list() == ["DOC\ufffd1"]


def test_revisions_of_many_records_of_which_only_late_ones_name_an_act(
    city: Registry, tmp_path: Path
) -> None:
    """The stored revisions read back for a file are typed from every row, not the first
    hundred: a drunk-driving case (with its act) after 150 red lights (without) once broke the
    ingest of the demo nation's traffic files."""
    first = [
        record(f"R{number:04d}", "traffic.red_light", PERSON, "2024-03-01") for number in range(150)
    ]
    first.append(record("R9999", "traffic.red_light", PERSON, "2024-03-02", act="CASE/1"))
    path = write_records(tmp_path / "first.jsonl", first)
    assert city.ingest(path, "traffic-police").counts.accepted == 151
    again = write_records(
        tmp_path / "again.jsonl",
        [{**row, "revision": 2, "reference": row["reference"] + "-2"} for row in first],
    )
    counts = city.ingest(again, "traffic-police").counts
    assert (counts.accepted, counts.rejected) == (151, 0)
