"""The Spark job scores a snapshot exactly as the Polars batch scorer scores the store (SPEC §5,
§7.1), and a snapshot names nobody (§7.5).

Spark runs in local mode, one session for the whole module (the JVM takes seconds to start).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from socialcredit.cli.app import app
from socialcredit.domain.objections import OBJECTION_ANSWER_DAYS, Objection
from socialcredit.domain.records import LedgerRecord
from socialcredit.registry import Registry
from socialcredit.scoring import spark_job
from socialcredit.scoring.batch import score_ledger, with_subject_keys
from socialcredit.scoring.snapshot import name_scores, read_scores, write_snapshot
from socialcredit.store.store import Store
from tests.conftest import EXAMPLE_DIRECTORY, TODAY, fixed_clock
from tests.helpers import (
    ORGANIZATION,
    OTHER_PERSON,
    PERSON,
    catalogue_document,
    ledger_frame,
    rulebook_of,
)
from tests.property.strategies import catalogue_histories, ledgers_and_days
from tests.property.test_batch_equals_incremental import (
    objections_to,
    overdue_frame,
    repairs_frame,
    repairs_to,
)

EXAMPLE_FILES = {
    "charity-fed": "records-charity-fed.csv",
    "court": "records-court.jsonl",
    "market-reg": "records-market-reg.csv",
    "tax-office": "records-tax-office.jsonl",
    "traffic-police": "records-traffic-police.csv",
}
AS_OF = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def spark() -> Iterator:
    session = spark_job.local_session(driver_memory="512m")
    yield session
    session.stop()


def spark_scores(spark, snapshot: Path, as_of: dt.date, out: Path) -> pl.DataFrame:
    spark_job.write_scores(spark, str(snapshot), as_of, str(out))
    return read_scores(out)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(catalogue_histories(), ledgers_and_days(), st.data(), st.integers(1, 3))
def test_spark_scores_random_ledgers_as_the_polars_scorer_does(
    spark, tmp_path_factory, documents, ledger_and_day, data, parts
) -> None:
    records, as_of = ledger_and_day
    objections = data.draw(objections_to(records, as_of))
    repairs = repairs_frame(records, data.draw(repairs_to(records, as_of)))
    rulebook = rulebook_of(*documents)
    # Row ids as the store gives them; objections and repairs name records by them.
    ledger, subjects = with_subject_keys(
        ledger_frame(records).with_row_index("id", offset=1).cast({"id": pl.Int64})
    )
    ledger = ledger.collect()
    overdue = overdue_frame(records, objections)
    polars = score_ledger(ledger, rulebook, as_of, overdue, subjects=subjects, repairs=repairs)

    directory = tmp_path_factory.mktemp("spark-property")
    write_snapshot(
        directory / "snapshot",
        ledger,
        subjects,
        overdue,
        rulebook,
        {},
        TODAY,
        parts=parts,
        repairs=repairs,
    )
    scores = spark_scores(spark, directory / "snapshot", as_of, directory / "scores")
    assert name_scores(scores, subjects).to_dicts() == polars.to_dicts()


def _example_store(registry: Registry, tmp_path: Path) -> Registry:
    """The conformance example ingested, with objections: two overdue on `AS_OF`, one upheld
    before, so that records are held back and let count again."""
    for source, name in EXAMPLE_FILES.items():
        registry.ingest(EXAMPLE_DIRECTORY / name, source, tmp_path / f"{source}.rejects.csv")
    court = [
        json.loads(line)
        for line in (EXAMPLE_DIRECTORY / EXAMPLE_FILES["court"]).read_text().splitlines()
    ]
    record_ids = sorted(
        {
            row["record_id"]
            for row in court
            if row["decided_on"] < "2026-10-01"
            and registry.current_record("court", row["record_id"]) is not None
        }
    )[:3]
    numbers = [
        registry.file_objection("court", record_id, "not mine", on=dt.date(2026, 10, 1)).number
        for record_id in record_ids
    ]
    registry.uphold_objection(numbers[-1], "stands", on=dt.date(2026, 11, 5))
    return registry


def _scs(*arguments: str) -> None:
    result = CliRunner().invoke(app, list(arguments), catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_scs_score_on_spark_writes_what_scs_score_writes(spark, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    store = Store.open(url)
    try:
        registry = Registry(store, clock=fixed_clock)
        for name in ("catalog-v1.yaml", "catalog-v2.yaml"):
            assert (
                registry.publish_catalogue((EXAMPLE_DIRECTORY / name).read_text()).version
                is not None
            )
        _example_store(registry, tmp_path)
    finally:
        store.close()
    for engine in ("polars", "spark"):
        out = tmp_path / f"scores-{engine}.csv"
        _scs(
            "score",
            "--engine",
            engine,
            "--as-of",
            AS_OF.isoformat(),
            "--out",
            str(out),
            "--db",
            url,
        )
    polars = (tmp_path / "scores-polars.csv").read_bytes()
    assert (tmp_path / "scores-spark.csv").read_bytes() == polars
    assert polars.count(b"\n") > 50  # the example's subjects, not an empty file


def _exported_text(directory: Path) -> bytes:
    """Every byte written, and every Parquet file's values decoded (its pages are compressed,
    so an identifier could hide from a search of the raw bytes)."""
    chunks = []
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            chunks.append(path.read_bytes())
            if path.suffix == ".parquet":
                chunks.append(repr(pq.read_table(path).to_pylist()).encode())
    return b"\n".join(chunks)


def test_export_names_nobody_and_scores_as_scs_score_on_a_cluster(
    spark, example_registry: Registry, store_url: str, tmp_path: Path
) -> None:
    registry = _example_store(example_registry, tmp_path)
    identifiers = registry.store.subjects()["subject_id"].to_list()
    submitted = {
        row["subject_id"]
        for name in EXAMPLE_FILES.values()
        for row in (
            pl.read_ndjson(EXAMPLE_DIRECTORY / name, infer_schema_length=None)
            if name.endswith(".jsonl")
            else pl.read_csv(EXAMPLE_DIRECTORY / name, infer_schema=False)
        )
        .select(pl.col("subject_id").cast(pl.String))
        .drop_nulls()
        .to_dicts()
    }
    assert set(identifiers) <= submitted and len(identifiers) > 50

    result = CliRunner().invoke(
        app, ["export", "--out", str(tmp_path / "snapshot"), "--parts", "3", "--db", store_url]
    )
    assert result.exit_code == 0, result.output
    snapshot = tmp_path / "snapshot"
    exported = _exported_text(snapshot)
    assert [identifier for identifier in sorted(submitted) if identifier.encode() in exported] == []

    manifest = json.loads((snapshot / spark_job.MANIFEST_FILE).read_text())
    ledger = registry.store.current_ledger(with_ids=True)
    assert manifest["ledger"]["records"] == ledger.height
    assert manifest["subjects"]["count"] == len(identifiers)
    assert manifest["objections"]["overdue_intervals"] == 3
    assert [version["version"] for version in manifest["catalogue"]["versions"]] == [1, 2]
    parts = sorted((snapshot / spark_job.LEDGER_DIRECTORY).glob("*.parquet"))
    assert len(parts) == 3
    assert sum(manifest["files"][f"ledger/{part.name}"]["rows"] for part in parts) == ledger.height
    for part in parts:  # each subject in one part only: parts can be scored apart
        keys = pl.read_parquet(part)["subject"]
        assert (keys % 3).unique().len() <= 1
    for relative, facts in manifest["files"].items():
        assert hashlib.sha256((snapshot / relative).read_bytes()).hexdigest() == facts["sha256"]

    # As on a cluster: the job scores the snapshot by key; `scs name-scores` names them.
    spark_job.write_scores(spark, str(snapshot), AS_OF, str(tmp_path / "by-key"))
    _scs(
        "name-scores",
        str(tmp_path / "by-key"),
        "--out",
        str(tmp_path / "named.csv"),
        "--db",
        store_url,
    )
    _scs(
        "score",
        "--as-of",
        AS_OF.isoformat(),
        "--out",
        str(tmp_path / "polars.csv"),
        "--db",
        store_url,
    )
    assert (tmp_path / "named.csv").read_bytes() == (tmp_path / "polars.csv").read_bytes()

    again = CliRunner().invoke(app, ["export", "--out", str(snapshot), "--db", store_url])
    assert again.exit_code == 2
    assert "exists and is not an empty directory" in again.output
    assert "Traceback" not in again.output


def test_a_day_before_the_first_catalogue_is_refused_by_the_job(spark, tmp_path: Path) -> None:
    """SPEC §5.9 on the cluster too: `spark-submit` exits 2 with one line, writes nothing."""
    rulebook = rulebook_of(catalogue_document(effective_from="2022-01-01"))
    ledger, subjects = with_subject_keys(
        ledger_frame([]).with_row_index("id").cast({"id": pl.Int64})
    )
    overdue = overdue_frame([], [])
    write_snapshot(tmp_path / "snapshot", ledger.collect(), subjects, overdue, rulebook, {}, TODAY)
    with pytest.raises(spark_job.AsOfBeforeCatalogue, match="first takes effect on 2022-01-01"):
        spark_job.score_snapshot(spark, str(tmp_path / "snapshot"), dt.date(2021, 12, 31))
    code = spark_job.main(
        [str(tmp_path / "snapshot"), "--as-of", "2021-12-31", "--out", str(tmp_path / "out")]
    )
    assert code == 2 and not (tmp_path / "out").exists()


def test_name_scores_refuses_keys_the_identity_store_does_not_know(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    scores = tmp_path / "by-key"
    scores.mkdir()
    pl.DataFrame(
        {"subject": [7], "kind": ["person"], "score": [1000], "tier": ["A"], "lists": [""]}
    ).write_parquet(scores / "part-00000.parquet")
    unknown = CliRunner().invoke(
        app, ["name-scores", str(scores), "--out", str(tmp_path / "s.csv"), "--db", url]
    )
    assert unknown.exit_code == 1 and "1 subject keys are unknown" in unknown.output
    empty = CliRunner().invoke(
        app, ["name-scores", str(tmp_path), "--out", str(tmp_path / "s.csv"), "--db", url]
    )
    assert empty.exit_code == 2 and "not a directory of Parquet scores" in empty.output
    assert not (tmp_path / "s.csv").exists()


EDGE_DAY = dt.date(2026, 6, 15)
LAST_PERSON = "371707197601146419"
FOURTH_PERSON = "150104196109233969"


def test_spark_scores_the_edges_of_counting_and_of_overdue_as_the_polars_scorer_does(
    spark, tmp_path: Path
) -> None:
    """The days the random ledgers seldom land on (SPEC §5.2, §7.1): a record decided exactly
    `counts_for_days` before T no longer counts, the day after it still does, one decided on T
    counts (and makes a file); an objection filed exactly 30 days before T is overdue on T,
    one filed 29 days before is not yet."""
    document = catalogue_document()
    rulebook = rulebook_of(document)
    # traffic.red_light, -5 points, counts for this many days
    red_light_days = document["items"][0]["counts_for_days"]
    records = [
        LedgerRecord(
            source="court",
            record_id=f"r{number}",
            revision=1,
            item=item,
            subject_kind=kind,
            subject_id=subject_id,
            decided_on=EDGE_DAY - dt.timedelta(days=days_before),
            quantity=1,
            reference=f"DOC-{number}",
            status="active",
        )
        for number, (subject_id, kind, item, days_before) in enumerate(
            [
                (PERSON, "person", "traffic.red_light", red_light_days),  # expired on T
                (OTHER_PERSON, "person", "traffic.red_light", red_light_days - 1),  # last day
                (LAST_PERSON, "person", "traffic.red_light", 0),  # decided on T
                (FOURTH_PERSON, "person", "court.judgment_default", 100),  # objected to: 30 days
                (ORGANIZATION, "organization", "tax.arrears_major", 100),  # objected to: 29 days
            ],
            1,
        )
    ]
    objections = [
        Objection(
            number,
            target.source,
            target.record_id,
            target.revision,
            target.subject_kind,
            target.subject_id,
            EDGE_DAY - dt.timedelta(days=days_before),
            "not mine",
            None,
            EDGE_DAY,
        )
        for number, (target, days_before) in enumerate(
            [(records[3], OBJECTION_ANSWER_DAYS), (records[4], OBJECTION_ANSWER_DAYS - 1)], 1
        )
    ]
    ledger, subjects = with_subject_keys(
        ledger_frame(records).with_row_index("id", offset=1).cast({"id": pl.Int64})
    )
    ledger = ledger.collect()
    overdue = overdue_frame(records, objections)
    polars = score_ledger(ledger, rulebook, EDGE_DAY, overdue, subjects=subjects)
    expected = {
        PERSON: (1000, ""),
        OTHER_PERSON: (995, ""),
        LAST_PERSON: (995, ""),
        FOURTH_PERSON: (1000, ""),  # held back: neither its points nor its black list
        ORGANIZATION: (850, "tax_arrears"),
    }
    assert {row[0]: (row[2], row[4]) for row in polars.rows()} == expected

    write_snapshot(tmp_path / "snapshot", ledger, subjects, overdue, rulebook, {}, TODAY)
    scores = spark_scores(spark, tmp_path / "snapshot", EDGE_DAY, tmp_path / "scores")
    assert name_scores(scores, subjects).to_dicts() == polars.to_dicts()


def test_spark_scores_the_edges_of_repeats_acts_and_repairs_as_the_polars_scorer_does(
    spark, tmp_path: Path
) -> None:
    """SPEC §10 at the edges the random ledgers seldom reach, one subject per case: a repeat
    exactly D days before and D + 1, the same day; each tie rule of one act (the record that
    loses is of a capped item, so the choice shows in the score); a repair granted on T and the
    day after."""
    from tests.unit.scoring.test_lawful_office_rules import CAPPED, RULES, WITHIN_DAYS, record

    day = dt.date(2025, 6, 1)
    before = lambda days: day - dt.timedelta(days=days)  # noqa: E731
    subjects = [PERSON, OTHER_PERSON, LAST_PERSON, FOURTH_PERSON, "425109197302262178"]
    cases = [
        [record("a", before(WITHIN_DAYS)), record("b", day)],
        [record("a", before(WITHIN_DAYS + 1)), record("b", day), record("c", day)],
        [record("late", day, item=CAPPED, act="X"), record("early", before(100), act="X")],
        [record("p", day, item=CAPPED, act="X"), record("z", day, source="court", act="X")],
        [record("r-2", day, item=CAPPED, act="X"), record("r-10", day, act="X")],
    ]
    records = [
        dataclasses.replace(entry, subject_id=subject_id, record_id=f"{n}-{entry.record_id}")
        for n, (subject_id, case) in enumerate(zip(subjects, cases))
        for entry in case
    ]
    repairs = {(records[0].source, records[0].record_id): day}  # case 1's first: repaired on T
    repaired = repairs_frame(records, repairs)
    ledger, named = with_subject_keys(
        ledger_frame(records).with_row_index("id", offset=1).cast({"id": pl.Int64})
    )
    ledger = ledger.collect()
    empty = overdue_frame(records, [])
    # Worked out by hand (tests/unit/scoring/test_lawful_office_rules.py): case 1 is a repeat
    # (-15) though the earlier record is repaired; case 2 three plain red lights; cases 3–5 the
    # uncapped record wins the tie (-5, where the capped one would give -3).
    expected = dict(zip(subjects, [985, 985, 995, 995, 995]))
    for as_of in (day - dt.timedelta(days=1), day, day + dt.timedelta(days=1)):
        polars = score_ledger(ledger, RULES, as_of, empty, subjects=named, repairs=repaired)
        directory = tmp_path / as_of.isoformat()
        write_snapshot(
            directory / "snapshot", ledger, named, empty, RULES, {}, TODAY, repairs=repaired
        )
        scores = spark_scores(spark, directory / "snapshot", as_of, directory / "scores")
        assert name_scores(scores, named).to_dicts() == polars.to_dicts()
        if as_of >= day:
            assert dict(polars.select("subject_id", "score").rows()) == expected, as_of
        else:  # the day before: case 1's first record counts still, unrepaired
            assert polars.filter(pl.col("subject_id") == PERSON)["score"].to_list() == [995]


def test_repairs_granted_in_the_store_reach_the_spark_job(spark, tmp_path: Path) -> None:
    """SPEC §10.2 through `scs score --engine spark`: a repair granted through the registry is
    in the snapshot, and the job scores the day before the grant and the grant day as the
    Polars scorer does."""
    store = Store.open(f"sqlite:///{tmp_path / 'registry.db'}")
    granted_on = dt.date(2026, 6, 1)
    try:
        registry = Registry(store, clock=fixed_clock)
        for name in ("catalog-v1.yaml", "catalog-v2.yaml"):
            assert registry.publish_catalogue((EXAMPLE_DIRECTORY / name).read_text()).version
        for source, name in EXAMPLE_FILES.items():
            registry.ingest(EXAMPLE_DIRECTORY / name, source, tmp_path / f"{source}.rejects.csv")
        # A judgment default still counting on the grant day, repairable before it.
        row = next(
            row
            for row in map(
                json.loads, (EXAMPLE_DIRECTORY / "records-court.jsonl").read_text().splitlines()
            )
            if row["item"] == "court.judgment_default"
            and row["decided_on"] >= "2024-01-01"
            and (registry.repair_opens("court", row["record_id"]) or dt.date.max) <= granted_on
        )
        repair = registry.apply_repair("court", row["record_id"], "paid", granted_on)
        registry.grant_repair(repair.number, granted_on)
        scores = {}
        for day in (granted_on - dt.timedelta(days=1), granted_on):
            scores[day] = registry.score_all(day)
            assert registry.score_all_on_spark(day).equals(scores[day]), day
        subject = [
            frame.filter(pl.col("subject_id") == row["subject_id"])["score"].to_list()
            for frame in scores.values()
        ]
        assert subject[0] != subject[1]  # the record stopped counting on the grant day
    finally:
        store.close()
