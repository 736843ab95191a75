"""The rejects file: a temporary file of its own per ingest, put in place at commit."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl

from socialcredit.domain.records import SUBMITTED_FIELDS
from socialcredit.ingest.rejects import RejectsFile


def rejected_row(reason: str) -> pl.DataFrame:
    return pl.DataFrame({"row": ["1"], "reason": [reason]}).with_columns(
        pl.lit(None, pl.String).alias(name) for name in SUBMITTED_FIELDS
    )


def reasons(path: Path) -> list[str]:
    with path.open(newline="") as handle:
        return [row["reason"] for row in csv.DictReader(handle)]


def test_two_ingests_with_the_same_rejects_path_do_not_share_a_temporary_file(
    tmp_path: Path,
) -> None:
    rejects = tmp_path / "traffic.rejects.csv"
    # Two ingests of files named alike open their rejects files before either commits.
    first, second = RejectsFile(rejects), RejectsFile(rejects)
    first.append(rejected_row("first"))
    second.append(rejected_row("second"))
    first.commit()
    assert reasons(rejects) == ["first"]
    second.commit()
    assert reasons(rejects) == ["second"]
    assert [path.name for path in tmp_path.iterdir()] == ["traffic.rejects.csv"]


def test_a_discarded_rejects_file_leaves_nothing(tmp_path: Path) -> None:
    rejects = tmp_path / "traffic.rejects.csv"
    rejects_file = RejectsFile(rejects)
    rejects_file.append(rejected_row("gone"))
    rejects_file.discard()
    assert list(tmp_path.iterdir()) == []


def test_an_existing_rejects_file_is_replaced_whole(tmp_path: Path) -> None:
    rejects = tmp_path / "traffic.rejects.csv"
    rejects.write_text("old content that is longer than the new one\n" * 10)
    rejects_file = RejectsFile(rejects)
    rejects_file.commit()
    assert rejects.read_text().splitlines() == ["row,reason," + ",".join(SUBMITTED_FIELDS)]
