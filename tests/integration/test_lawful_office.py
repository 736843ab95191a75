"""SPEC §4.1's act and §10 on a real store, on both backends: the act through ingest, the
ledger and its cache, the file as `scs show --json` and the API give it; no back-dated
version once the store holds records (§10.6)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from socialcredit.cli.app import app
from socialcredit.registry import Registry
from socialcredit.store.store import Store
from tests.conftest import EXAMPLE_DIRECTORY, fixed_clock
from tests.helpers import PERSON, catalogue_document, catalogue_yaml, record, write_records

# The conformance example's drunk driver: the traffic police (tra-0000040, 2026-09-14) and the
# court (cou-0000040t, 2026-09-16) both recorded act ACT-125521. The court's record is a repeat
# (the police's is two days before it, within 365), so it is worth 2 × -50 and scores for both.
DRIVER = "425109197302262178"
AS_OF = dt.date(2026, 11, 20)


def ingest_example(registry: Registry, tmp_path: Path) -> None:
    for source, name in (("traffic-police", "records-traffic-police.csv"),):
        registry.ingest(EXAMPLE_DIRECTORY / name, source, tmp_path / f"{source}.rejects.csv")
    registry.ingest(EXAMPLE_DIRECTORY / "records-court.jsonl", "court", tmp_path / "c.csv")


def test_one_act_by_two_sources_is_shown_counted_once_in_the_file(
    example_registry: Registry, store_url: str, tmp_path: Path
) -> None:
    ingest_example(example_registry, tmp_path)
    shown = CliRunner().invoke(
        app, ["show", DRIVER, "--as-of", AS_OF.isoformat(), "--json", "--db", store_url]
    )
    assert shown.exit_code == 0, shown.output
    document = json.loads(shown.stdout)
    assert document["score"] == 900
    by_id = {entry["record_id"]: entry for entry in document["counting_records"]}
    court, police = by_id["cou-0000040t"], by_id["tra-0000040"]
    assert (court["act"], court["value"], court["repeat_factor"], court["points"]) == (
        "ACT-125521",
        -100,
        2,
        -100,
    )
    assert court["counted_once_with"] is None
    assert (police["value"], police["points"]) == (-50, 0)
    assert police["counted_once_with"] == {"source": "court", "record_id": "cou-0000040t"}
    text = CliRunner().invoke(
        app, ["show", DRIVER, "--as-of", AS_OF.isoformat(), "--db", store_url]
    )
    assert (
        "traffic-police tra-0000040: act ACT-125521 counted once with court cou-0000040t, "
        "which scores for it" in text.stdout
    )
    assert "court cou-0000040t: a repeat, points × quantity × 2 = -100" in text.stdout
    # The batch scorer agrees, through the ledger cache and without it.
    scores = example_registry.score_all(AS_OF).filter(pl.col("subject_id") == DRIVER)
    assert scores["score"].to_list() == [900]


def test_the_act_is_stored_read_and_judged_as_content(registry: Registry, tmp_path: Path) -> None:
    assert registry.publish_catalogue(catalogue_yaml(catalogue_document())).version == 1
    rows = [
        record("a", "traffic.red_light", PERSON, "2025-01-10", act="  CASE-7 "),
        record("b", "traffic.red_light", PERSON, "2025-01-11", act=""),
        record("c", "traffic.red_light", PERSON, "2025-01-12", act="X" * 65),
        record("d", "traffic.red_light", PERSON, "2025-01-12", act='quote " and, comma'),
    ]
    first = registry.ingest(write_records(tmp_path / "one.csv", rows), "traffic-police")
    assert (first.counts.accepted, first.counts.rejected) == (3, 1)
    rejects = pl.read_csv(first.rejects_path, infer_schema=False)
    assert rejects["reason"].to_list() == ["act is longer than 64 characters"]
    assert rejects["act"].to_list() == ["X" * 65]
    kept = registry.store.rejected_rows(first.batch_id)  # whole, in the identity store
    assert kept["act"].to_list() == ["X" * 65]

    stored = {entry.record_id: entry.act for entry in registry.store.records_naming(PERSON)}
    assert stored == {"a": "CASE-7", "b": None, "d": 'quote " and, comma'}
    ledger = registry.store.current_ledger(with_ids=True).sort("id")
    assert ledger["act"].cast(pl.String).to_list() == ["CASE-7", None, 'quote " and, comma']
    assert ledger["act_source"].cast(pl.String).to_list() == [
        "traffic-police",
        None,
        "traffic-police",
    ]
    assert ledger["act_record_id"].cast(pl.String).to_list() == ["a", None, "d"]

    again = [
        record("a", "traffic.red_light", PERSON, "2025-01-10", act="CASE-7"),  # the same
        record("b", "traffic.red_light", PERSON, "2025-01-11"),  # still none
        record("d", "traffic.red_light", PERSON, "2025-01-12", act="other"),  # a conflict
    ]
    second = registry.ingest(write_records(tmp_path / "two.jsonl", again), "traffic-police")
    assert (second.counts.accepted, second.counts.duplicates, second.counts.rejected) == (0, 2, 1)


def test_the_ledger_cache_and_the_store_read_the_same_acts(
    store_url: str, tmp_path: Path, monkeypatch
) -> None:
    registry = Registry(Store.open(store_url), fixed_clock)
    try:
        assert registry.publish_catalogue(catalogue_yaml(catalogue_document())).version == 1
        rows = [
            record(
                f"r{n}",
                "traffic.red_light",
                PERSON,
                "2025-01-10",
                act=f"A{n % 3}" if n % 2 else None,
            )
            for n in range(12)
        ]
        registry.ingest(write_records(tmp_path / "r.parquet", rows), "traffic-police")
        cached = registry.store.current_ledger(with_ids=True).sort("id")
        monkeypatch.setenv("SCS_LEDGER_CACHE", "off")
        direct = Store.open(store_url)
        try:
            assert direct.current_ledger(with_ids=True).sort("id").equals(cached)
        finally:
            direct.close()
    finally:
        registry.store.close()


class Calendar:
    def __init__(self, day: dt.date):
        self.day = day

    def __call__(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(12), tzinfo=dt.UTC)


def test_no_version_is_back_dated_once_the_store_holds_records(
    store: Store, tmp_path: Path
) -> None:
    calendar = Calendar(dt.date(2025, 3, 1))
    registry = Registry(store, calendar)
    # An empty store may load its history: versions dated before today.
    assert registry.publish_catalogue(catalogue_yaml(catalogue_document(1, "2024-01-01"))).version
    assert registry.publish_catalogue(catalogue_yaml(catalogue_document(2, "2024-06-01"))).version
    registry.ingest(
        write_records(tmp_path / "r.csv", [record("a", "traffic.red_light", PERSON, "2025-02-01")]),
        "traffic-police",
    )
    refused = registry.publish_catalogue(catalogue_yaml(catalogue_document(3, "2025-02-28")))
    assert refused.version is None
    assert refused.report.problems == [
        "effective_from: 2025-02-28 lies before the day of publication (2025-03-01) and the store "
        "holds records: a rule is never back-dated (SPEC §10.6)"
    ]
    today = registry.publish_catalogue(catalogue_yaml(catalogue_document(3, "2025-03-01")))
    assert today.version == 3
    assert today.warnings == [
        "version 3 takes effect today: records decided today are judged and scored by it"
    ]
    calendar.day = dt.date(2025, 3, 2)
    later = registry.publish_catalogue(catalogue_yaml(catalogue_document(4, "2025-04-01")))
    assert (later.version, later.warnings) == (4, [])
    # The record decided before stays scored by the version in effect on its day.
    (subject_file,) = registry.subject_files(PERSON, dt.date(2025, 4, 2), "t", "t", "test")
    assert [entry.rule.version for entry in subject_file.score.counting_records] == [2]


def test_scs_catalog_publish_refuses_a_back_dated_version_with_exit_1(
    store_url: str, tmp_path: Path
) -> None:
    runner = CliRunner()

    def scs(*arguments: str):
        return runner.invoke(app, [*arguments, "--db", store_url])

    first = tmp_path / "v1.yaml"
    first.write_text(catalogue_yaml(catalogue_document(1, "2020-01-01")))
    assert scs("catalog", "publish", str(first)).exit_code == 0
    rows = [record("a", "traffic.red_light", PERSON, "2021-01-01")]
    assert (
        scs(
            "ingest", str(write_records(tmp_path / "r.csv", rows)), "--source", "traffic-police"
        ).exit_code
        == 0
    )
    back_dated = tmp_path / "v2.yaml"
    back_dated.write_text(catalogue_yaml(catalogue_document(2, "2021-06-01")))
    result = scs("catalog", "publish", str(back_dated))
    assert result.exit_code == 1
    assert "a rule is never back-dated (SPEC §10.6)" in result.output
    ahead = tmp_path / "v3.yaml"
    ahead.write_text(catalogue_yaml(catalogue_document(2, "2099-01-01")))
    assert scs("catalog", "publish", str(ahead)).exit_code == 0
