"""The `scs` command line (SPEC §6): outputs and exit codes, on both stores."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from socialcredit.cli.app import app
from tests.helpers import PERSON, catalogue_document, catalogue_yaml, record, write_records


@pytest.fixture
def scs(store_url: str):
    runner = CliRunner()

    def run(*arguments: str):
        return runner.invoke(app, [*arguments, "--db", store_url], catch_exceptions=False)

    return run


@pytest.fixture
def published(scs, tmp_path: Path):
    path = tmp_path / "catalogue.yaml"
    path.write_text(catalogue_yaml(catalogue_document()))
    result = scs("catalog", "publish", str(path))
    assert result.exit_code == 0, result.output
    return scs


def test_publish_prints_every_problem_and_exits_1(scs, tmp_path: Path) -> None:
    document = catalogue_document()
    document["items"][0]["points"] = "many"
    document["items"][1]["issuers"] = ["ghost"]
    path = tmp_path / "bad.yaml"
    path.write_text(catalogue_yaml(document))
    result = scs("catalog", "publish", str(path))
    assert result.exit_code == 1
    assert "the catalogue is invalid (2 problems)" in result.stderr
    assert "item 'traffic.red_light' (items[0]): points" in result.stderr
    assert "issuer 'ghost' is not a declared source" in result.stderr


def test_publish_refuses_an_older_version(published, tmp_path: Path) -> None:
    path = tmp_path / "again.yaml"
    path.write_text(catalogue_yaml(catalogue_document()))
    result = published("catalog", "publish", str(path))
    assert result.exit_code == 1
    assert "version: 1 is not higher than the published version 1" in result.stderr
    versions = published("catalog", "versions")
    assert versions.exit_code == 0 and "test-city" in versions.stdout


def test_publish_of_a_missing_file_exits_2(scs, tmp_path: Path) -> None:
    assert scs("catalog", "publish", str(tmp_path / "none.yaml")).exit_code == 2


def test_ingest_exit_codes(published, tmp_path: Path) -> None:
    good = write_records(tmp_path / "r.csv", [record("a", "traffic.red_light", PERSON, "2025-01-01")])
    result = published("ingest", str(good), "--source", "traffic-police")
    assert result.exit_code == 0
    assert result.stdout.strip() == "accepted 1, duplicates 0, rejected 0"
    assert published("ingest", str(tmp_path / "missing.csv"), "--source", "court").exit_code == 2
    odd = tmp_path / "r.xlsx"
    odd.write_text("x")
    unknown_format = published("ingest", str(odd), "--source", "court")
    assert unknown_format.exit_code == 2 and "unknown format" in unknown_format.stderr
    unknown_source = published("ingest", str(good), "--source", "nobody")
    assert unknown_source.exit_code == 2 and "unknown source 'nobody'" in unknown_source.stderr


def test_ingest_with_every_row_rejected_still_exits_0(published, tmp_path: Path) -> None:
    bad = write_records(tmp_path / "bad.jsonl", [record("a", "nope", PERSON, "2025-01-01")])
    rejects = tmp_path / "out" / "rejects.csv"
    result = published("ingest", str(bad), "--source", "court", "--rejects", str(rejects))
    assert result.exit_code == 0
    assert result.stdout.strip() == "accepted 0, duplicates 0, rejected 1"
    assert "unknown item 'nope'" in rejects.read_text()
    batches = published("batches")
    assert "bad.jsonl" in batches.stdout
    listed = published("rejected", "1")
    assert "unknown item" in listed.stdout
    assert published("rejected", "99").exit_code == 1


def test_score_writes_csv_or_parquet(published, tmp_path: Path) -> None:
    path = write_records(tmp_path / "r.csv", [record("a", "court.judgment_default", PERSON, "2025-01-01")])
    published("ingest", str(path), "--source", "court")
    csv_out, parquet_out = tmp_path / "s.csv", tmp_path / "s.parquet"
    assert published("score", "--as-of", "2025-06-01", "--out", str(csv_out)).exit_code == 0
    assert csv_out.read_bytes() == (
        b"subject_id,kind,score,tier,lists\r\n" + f"{PERSON},person,900,B,blacklist\r\n".encode()
    )
    assert published("score", "--as-of", "2025-06-01", "--out", str(parquet_out)).exit_code == 0
    assert pl.read_parquet(parquet_out).rows() == [(PERSON, "person", 900, "B", "blacklist")]


def test_score_before_the_first_catalogue_and_bad_dates(published, tmp_path: Path) -> None:
    early = published("score", "--as-of", "2023-12-31", "--out", str(tmp_path / "s.csv"))
    assert early.exit_code == 1 and "no catalogue version is in effect on 2023-12-31" in early.stderr
    bad = published("score", "--as-of", "31/12/2024", "--out", str(tmp_path / "s.csv"))
    assert bad.exit_code == 2 and "is not a date" in bad.stderr


def test_show_prints_the_file_and_logs_the_look(published, tmp_path: Path) -> None:
    path = write_records(tmp_path / "r.csv", [record("a", "court.judgment_default", PERSON, "2025-01-01")])
    published("ingest", str(path), "--source", "court")
    text = published("show", PERSON.lower(), "--as-of", "2025-06-01", "--viewer", "clerk-7")
    assert text.exit_code == 0, text.output
    assert "score 900" in text.stdout and "court.judgment_default" in text.stdout
    shown = published("show", PERSON, "--as-of", "2025-06-01", "--json", "--viewer", "bank-desk", "--purpose", "loan")
    document = json.loads(shown.stdout)
    assert document["score"] == 900 and document["lists"] == ["blacklist"]
    assert document["counting_records"][0]["legal_basis"] == "Civil Procedure Law art. 262"
    assert document["counting_records"][0]["reference"] == "DOC-a"
    assert [view["viewer"] for view in document["views"]] == ["clerk-7", "bank-desk"]
    assert document["views"][1]["purpose"] == "loan"


def test_show_without_a_file_or_with_a_bad_identifier(published) -> None:
    missing = published("show", PERSON, "--as-of", "2025-06-01")
    assert missing.exit_code == 1 and "no credit file" in missing.stderr
    invalid = published("show", "12345", "--as-of", "2025-06-01")
    assert invalid.exit_code == 1 and "not a valid identifier" in invalid.stderr


def test_a_bad_store_url_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["catalog", "versions", "--db", "mysql://x"])
    assert result.exit_code == 2 and "unsupported store URL" in result.stderr
