"""Numbers at and beyond the scorer's bounds, on both stores: beyond them a catalogue is
refused at publication (it once bricked the store: every later ingest and score crashed);
at them, `scs score` and `scs show` give the exact integer score."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from socialcredit.cli.app import app
from socialcredit.domain.catalogue import MAX_COUNTS_FOR_DAYS, MAX_ITEM_POINTS, MAX_SCORE_MAGNITUDE
from tests.helpers import PERSON, catalogue_document, catalogue_yaml, record, write_records

MAX_QUANTITY = 2**31 - 1


@pytest.fixture
def scs(store_url: str):
    runner = CliRunner()

    def run(*arguments: str):
        return runner.invoke(app, [*arguments, "--db", store_url], catch_exceptions=False)

    return run


def publish(scs, path: Path, document: dict):
    path.write_text(catalogue_yaml(document))
    return scs("catalog", "publish", str(path))


@pytest.mark.parametrize(
    ("field", "value"),
    [("counts_for_days", 2**31), ("points", 2**63 - 10), ("cap_per_year", 2**63)],
)
def test_a_number_the_scorer_cannot_hold_is_refused_and_the_store_keeps_working(
    scs, tmp_path: Path, field: str, value: int
) -> None:
    assert publish(scs, tmp_path / "v1.yaml", catalogue_document()).exit_code == 0
    document = catalogue_document(version=2, effective_from="2025-01-01")
    document["items"][1][field] = value
    refused = publish(scs, tmp_path / "v2.yaml", document)
    assert refused.exit_code == 1
    assert f"item 'court.judgment_default' (items[1]): {field}:" in refused.stderr
    rows = [record("a", "court.judgment_default", PERSON, "2025-02-01", quantity=MAX_QUANTITY)]
    ingested = scs("ingest", str(write_records(tmp_path / "r.csv", rows)), "--source", "court")
    assert (
        ingested.exit_code == 0
        and ingested.stdout.strip() == "accepted 1, duplicates 0, rejected 0"
    )
    out = tmp_path / "scores.csv"
    assert scs("score", "--as-of", "2025-06-01", "--out", str(out)).exit_code == 0
    assert pl.read_csv(out)["score"].to_list() == [1000 - 100 * MAX_QUANTITY]


def test_scoring_at_the_bounds_is_exact_on_the_store(scs, tmp_path: Path) -> None:
    document = catalogue_document(base_score=MAX_SCORE_MAGNITUDE)
    document["items"][1]["points"] = MAX_ITEM_POINTS  # court.judgment_default, made a merit
    del document["items"][1]["severity"]
    document["items"][1]["counts_for_days"] = MAX_COUNTS_FOR_DAYS
    assert publish(scs, tmp_path / "v1.yaml", document).exit_code == 0
    rows = [
        record(f"r{number}", "court.judgment_default", PERSON, "2025-01-01", quantity=MAX_QUANTITY)
        for number in range(5)
    ]
    assert (
        scs("ingest", str(write_records(tmp_path / "r.jsonl", rows)), "--source", "court").exit_code
        == 0
    )
    expected = MAX_SCORE_MAGNITUDE + 5 * MAX_ITEM_POINTS * MAX_QUANTITY
    assert expected > 2**63  # beyond a 64-bit integer
    csv_out = tmp_path / "scores.csv"
    assert scs("score", "--as-of", "2025-06-01", "--out", str(csv_out)).exit_code == 0
    assert (
        csv_out.read_text().splitlines()[1] == f"{PERSON},person,{expected},AAA,blacklist;redlist"
    )
    parquet_out = tmp_path / "scores.parquet"
    assert scs("score", "--as-of", "2025-06-01", "--out", str(parquet_out)).exit_code == 0
    assert pl.read_parquet(parquet_out)["score"].to_list() == [expected]
    shown = scs("show", PERSON, "--as-of", "2025-06-01", "--json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["score"] == expected
