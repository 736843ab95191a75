"""SPEC §11 from the command line, on both stores: `scs score --jurisdiction`, required with
several cities; `scs show` with the national lists and every local file; `scs check` of a
city's or the nation's measure."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from socialcredit.cli.app import app
from tests.helpers import (
    ORGANIZATION,
    OTHER_PERSON,
    PERSON,
    catalogue_yaml,
    city_document,
    national_document,
    record,
    write_records,
)

DAY = "2025-06-01"


@pytest.fixture
def scs(store_url: str):
    runner = CliRunner()

    def run(*arguments: str):
        return runner.invoke(app, [*arguments, "--db", store_url], catch_exceptions=False)

    return run


@pytest.fixture
def nation(scs, tmp_path: Path):
    floors = {"national_floors": {"dishonest_debtors": 150}}
    for name, document in (
        ("nation", national_document()),
        ("alpha", city_document("alpha")),
        ("beta", city_document("beta", base_score=800, **floors)),
    ):
        path = tmp_path / f"{name}.yaml"
        path.write_text(catalogue_yaml(document))
        result = scs("catalog", "publish", str(path))
        assert result.exit_code == 0, result.output
    files = {
        "alpha-court": [record("a1", "court.judgment_default", PERSON, "2025-01-10")],
        "beta-charity": [record("b1", "charity.volunteer_hour", PERSON, "2025-03-01", quantity=5)],
        "supreme-court": [
            record("n1", "national.judgment_debtor", PERSON, "2025-04-01"),
            record("n2", "national.judgment_debtor", OTHER_PERSON, "2025-04-01"),
        ],
        "state-tax": [record("n3", "national.major_tax_violation", ORGANIZATION, "2025-05-01")],
    }
    for source, rows in files.items():
        path = write_records(tmp_path / f"{source}.csv", rows)
        result = scs("ingest", str(path), "--source", source)
        assert result.exit_code == 0, result.output
    return scs


def test_score_needs_a_jurisdiction_when_the_store_has_several(nation, tmp_path: Path) -> None:
    out = tmp_path / "scores.csv"
    result = nation("score", "--as-of", DAY, "--out", str(out))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: the store has several local jurisdictions (alpha, beta): name one "
        "(--jurisdiction; in the API, jurisdiction=)"
    ]
    result = nation("score", "--as-of", DAY, "--out", str(out), "--jurisdiction", "beta")
    assert result.exit_code == 0, result.output
    assert pl.read_csv(out, infer_schema=False).rows() == [
        (PERSON, "person", "150", "D", "low_score;national.dishonest_debtors")
    ]
    result = nation("score", "--as-of", DAY, "--out", str(out), "--jurisdiction", "wuhan")
    assert result.exit_code == 1
    assert "unknown jurisdiction 'wuhan'; local jurisdictions: alpha, beta" in result.output


def test_show_gives_every_local_file_and_the_national_lists(nation) -> None:
    result = nation("show", PERSON, "--as-of", DAY, "--json")
    assert result.exit_code == 0, result.output
    documents = json.loads(result.output)
    assert [(d["jurisdiction"], d["score"]) for d in documents] == [("alpha", 900), ("beta", 150)]
    assert {
        (entry["list"], entry["source"], entry["reference"], entry["decided_on"])
        for entry in documents[1]["listings"]
    } == {("national.dishonest_debtors", "supreme-court", "DOC-n1", "2025-04-01")}
    result = nation("show", PERSON, "--as-of", DAY, "--jurisdiction", "beta")
    assert result.exit_code == 0, result.output
    assert "in beta as of 2025-06-01: score 150" in " ".join(result.output.split())
    assert "national.dishonest_debtors" in result.output
    # Only nationally listed: no local file, the national lists shown.
    result = nation("show", OTHER_PERSON, "--as-of", DAY)
    assert result.exit_code == 0, result.output
    assert "no local file; on national lists" in result.output
    assert "supreme-court" in result.output


def test_check_finds_the_measure_in_the_city_or_the_nation(nation) -> None:
    common = ("--as-of", DAY, "--json")
    result = nation(
        "check", OTHER_PERSON, "--measure", "no_high_speed_rail", "--party", "railway",
        "--purpose", "ticket", *common,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert (answer["applies"], answer["because"]) == (True, "list:national.dishonest_debtors")
    result = nation(
        "check", PERSON, "--measure", "no_air_travel", "--party", "civil-aviation",
        "--purpose", "ticket", "--jurisdiction", "alpha", *common,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["because"] == "list:blacklist"
    result = nation(
        "check", PERSON, "--measure", "no_air_travel", "--party", "civil-aviation",
        "--purpose", "ticket", *common,
    )  # fmt: skip
    assert result.exit_code == 1
    assert "several local jurisdictions" in result.output


def test_a_store_of_one_jurisdiction_needs_none(scs, tmp_path: Path) -> None:
    path = tmp_path / "alpha.yaml"
    path.write_text(catalogue_yaml(city_document("alpha")))
    assert scs("catalog", "publish", str(path)).exit_code == 0
    rows = [record("a1", "court.judgment_default", PERSON, "2025-01-10")]
    assert (
        scs(
            "ingest", str(write_records(tmp_path / "a.csv", rows)), "--source", "alpha-court"
        ).exit_code
        == 0
    )
    out = tmp_path / "scores.csv"
    result = scs("score", "--as-of", DAY, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert pl.read_csv(out, infer_schema=False).rows() == [
        (PERSON, "person", "900", "B", "blacklist")
    ]


def test_measures_of_a_city(nation) -> None:
    result = nation("measures", "--as-of", DAY, "--json", "--jurisdiction", "alpha")
    assert result.exit_code == 0, result.output
    (measure,) = json.loads(result.output)
    assert (measure["measure"], measure["subjects"]) == ("no_air_travel", 1)
    assert nation("measures", "--as-of", DAY).exit_code == 1
