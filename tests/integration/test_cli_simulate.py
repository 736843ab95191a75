"""`scs catalog simulate` (SPEC §10.6) on both stores: the report, the refusals, and a store
left exactly as it was."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from socialcredit.cli.app import app
from socialcredit.store import schema
from socialcredit.store.store import Store
from tests.helpers import (
    OTHER_PERSON,
    PERSON,
    catalogue_document,
    catalogue_yaml,
    record,
    write_records,
)

AS_OF = "2026-11-20"


@pytest.fixture
def scs(store_url: str):
    runner = CliRunner()

    def run(*arguments: str):
        return runner.invoke(app, [*arguments, "--db", store_url], catch_exceptions=False)

    return run


@pytest.fixture
def city(scs, tmp_path: Path):
    """Version 1 published, two people scored: 995 (A) and 900 (B, black list); one look at a
    file logged."""
    path = tmp_path / "catalogue.yaml"
    path.write_text(catalogue_yaml(catalogue_document()))
    assert scs("catalog", "publish", str(path)).exit_code == 0
    traffic = write_records(
        tmp_path / "traffic.csv", [record("t1", "traffic.red_light", PERSON, "2026-06-01")]
    )
    court = write_records(
        tmp_path / "court.csv", [record("c1", "court.judgment_default", OTHER_PERSON, "2026-03-01")]
    )
    assert scs("ingest", str(traffic), "--source", "traffic-police").exit_code == 0
    assert scs("ingest", str(court), "--source", "court").exit_code == 0
    assert scs("show", PERSON, "--as-of", AS_OF).exit_code == 0
    return scs


def candidate(tmp_path: Path, **points: int) -> Path:
    document = copy.deepcopy(catalogue_document(version=2, effective_from="2030-01-01"))
    for item in document["items"]:
        item["points"] = points.get(item["code"], item["points"])
    path = tmp_path / "candidate.yaml"
    path.write_text(catalogue_yaml(document))
    return path


def row_counts(store_url: str) -> dict[str, int]:
    """Rows of every table, in the store and in its identity store."""
    store = Store.open(store_url)
    try:
        counts = {}
        for engine, metadata in (
            (store.engine, schema.metadata),
            (store.identities.engine, schema.identity_metadata),
        ):
            with engine.connect() as connection:
                for table in metadata.sorted_tables:
                    counts[table.fullname] = connection.execute(
                        sa.select(sa.func.count()).select_from(table)
                    ).scalar_one()
        return counts
    finally:
        store.close()


def test_the_json_report_counts_what_would_change(city, tmp_path: Path) -> None:
    path = candidate(tmp_path, **{"traffic.red_light": -60, "court.judgment_default": -200})
    result = city("catalog", "simulate", str(path), "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "as_of": AS_OF,
        "subjects": 2,
        "subjects_changed": 2,
        "tier_changes": {"A>B": 1, "B>D": 1},
        "lists": {
            "blacklist": {"enter": 0, "leave": 0},
            "low_score": {"enter": 1, "leave": 0},
            "redlist": {"enter": 0, "leave": 0},
            "tax_arrears": {"enter": 0, "leave": 0},
        },
        "measures": {"no_air_travel": {"start": 0, "stop": 0}},
        "items": [
            {"item": "court.judgment_default", "points_before": -100, "points_after": -200},
            {"item": "traffic.red_light", "points_before": -5, "points_after": -60},
        ],
    }


def test_simulating_the_same_rules_changes_nothing(city, tmp_path: Path) -> None:
    result = city("catalog", "simulate", str(candidate(tmp_path)), "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["subjects"], report["subjects_changed"]) == (2, 0)
    assert report["tier_changes"] == {} and report["items"] == []


def test_it_stores_and_logs_nothing(city, store_url: str, tmp_path: Path) -> None:
    before = row_counts(store_url)
    assert before["catalogue_versions"] == 1 and before["file_views"] == 1
    path = candidate(tmp_path, **{"traffic.red_light": -60})
    assert city("catalog", "simulate", str(path), "--as-of", AS_OF).exit_code == 0
    assert city("catalog", "simulate", str(path), "--json").exit_code == 0
    assert row_counts(store_url) == before


def test_the_summary_reads_as_a_report(city, tmp_path: Path) -> None:
    path = candidate(tmp_path, **{"court.judgment_default": -200})
    result = city("catalog", "simulate", str(path), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert "in place of version 1, as of 2026-11-20: 1 of 2 subjects would change" in result.stdout
    assert "Tier changes" in result.stdout and "court.judgment_default" in result.stdout
    assert "-100" in result.stdout and "-200" in result.stdout


def test_an_invalid_catalogue_is_refused_as_publication_refuses_it(city, tmp_path: Path) -> None:
    document = catalogue_document(version=2, effective_from="2030-01-01")
    document["items"][0]["issuers"] = ["ghost"]
    path = tmp_path / "bad.yaml"
    path.write_text(catalogue_yaml(document))
    simulated = city("catalog", "simulate", str(path), "--json")
    published = city("catalog", "publish", str(path))
    assert simulated.exit_code == published.exit_code == 1
    assert simulated.stdout == ""
    assert simulated.stderr == published.stderr
    assert "issuer 'ghost' is not a declared source" in simulated.stderr


def test_a_back_dated_candidate_is_refused_on_a_store_with_records(city, tmp_path: Path) -> None:
    path = tmp_path / "back-dated.yaml"
    path.write_text(catalogue_yaml(catalogue_document(version=2, effective_from="2025-01-01")))
    result = city("catalog", "simulate", str(path), "--as-of", AS_OF)
    assert result.exit_code == 1
    assert result.stderr == city("catalog", "publish", str(path)).stderr


def test_a_day_before_every_version_is_refused(city, tmp_path: Path) -> None:
    result = city("catalog", "simulate", str(candidate(tmp_path)), "--as-of", "2020-01-01")
    assert result.exit_code == 1
    assert "no catalogue version is in effect on 2020-01-01" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_missing_file_or_a_bad_date_cannot_run(city, tmp_path: Path) -> None:
    assert city("catalog", "simulate", str(tmp_path / "none.yaml")).exit_code == 2
    path = candidate(tmp_path)
    assert city("catalog", "simulate", str(path), "--as-of", "20261120").exit_code == 2
