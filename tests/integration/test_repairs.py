"""SPEC §10.2 on a real store, on both backends: a record granted repair on G stops counting from
G in every scorer the registry runs (the file, the batch score, the check, the score history,
the snapshot for Spark) and counts before G; its history stays, append-only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from socialcredit.cli.render import document_data
from socialcredit.registry import Refused, Registry
from tests.helpers import (
    OTHER_PERSON,
    PERSON,
    catalogue_document,
    catalogue_yaml,
    record,
    write_records,
)

DECIDED = dt.date(2025, 1, 10)  # the court's judgment default: serious, repair from 2026-01-10
APPLIED = dt.date(2026, 2, 1)
GRANTED = dt.date(2026, 3, 1)


@pytest.fixture
def city(registry: Registry, tmp_path: Path) -> Registry:
    assert registry.publish_catalogue(catalogue_yaml(catalogue_document())).version == 1
    rows = [
        record("j1", "court.judgment_default", PERSON, DECIDED.isoformat()),
        record("j2", "court.judgment_default", OTHER_PERSON, DECIDED.isoformat()),
    ]
    registry.ingest(write_records(tmp_path / "court.csv", rows), "court")
    registry.ingest(
        write_records(
            tmp_path / "traffic.csv",
            [
                record("t1", "traffic.red_light", PERSON, "2026-06-01"),
                record("t2", "traffic.red_light", PERSON, "2026-10-01", status="revoked"),
            ],
        ),
        "traffic-police",
    )
    charity = [record("v1", "charity.volunteer_hour", PERSON, "2026-06-01")]
    registry.ingest(write_records(tmp_path / "charity.csv", charity), "charity")
    return registry


def granted(city: Registry) -> int:
    repair = city.apply_repair("court", "j1", "Paid in full; I commit to comply.", on=APPLIED)
    assert (repair.number, repair.state, repair.subject_id) == (1, "pending", PERSON)
    decided = city.grant_repair(repair.number, on=GRANTED)
    assert (decided.state, decided.decided_on) == ("granted", GRANTED)
    return repair.number


def person_file(city: Registry, day: dt.date) -> dict:
    (found,) = city.subject_files(PERSON, day, "operator", "inspection", "cli")
    return document_data(found.document)


def test_a_granted_record_stops_counting_from_the_grant_day_and_counts_before(
    city: Registry,
) -> None:
    granted(city)
    before, on_the_day = GRANTED - dt.timedelta(days=1), GRANTED
    # The file (the per-subject scorer).
    assert (person_file(city, before)["score"], person_file(city, before)["lists"]) == (
        900,
        ["blacklist"],
    )
    assert (person_file(city, on_the_day)["score"], person_file(city, on_the_day)["lists"]) == (
        1000,
        [],
    )
    # The batch scorer, on the same days, and the other subject is untouched.
    for day, expected in ((before, 900), (on_the_day, 1000)):
        scores = city.score_all(day)
        assert scores.filter(pl.col("subject_id") == PERSON)["score"].to_list() == [expected]
        assert scores.filter(pl.col("subject_id") == OTHER_PERSON)["score"].to_list() == [900]
    # The relying party's check follows.
    assert city.check(PERSON, "no_air_travel", "civil-aviation", "ticket", before).applies
    assert not city.check(PERSON, "no_air_travel", "civil-aviation", "ticket", on_the_day).applies
    # The subject's chart and the population.
    assert city.score_history(PERSON, "person", [before, on_the_day]) == [
        (before, 900),
        (on_the_day, 1000),
    ]
    report = city.population(on_the_day)
    assert report.scores.filter(pl.col("subject_id") == PERSON)["score"].to_list() == [1000]


def test_the_history_stays_and_the_file_lists_the_repair(city: Registry) -> None:
    number = granted(city)
    # The record itself is unchanged: same revision, still active, still in the ledger.
    current = city.current_record("court", "j1")
    assert current is not None
    assert (current.revision, current.status) == (1, "active")
    shown = person_file(city, city.today())
    assert shown["repairs"] == [
        {
            "number": number,
            "source": "court",
            "record_id": "j1",
            "revision": 1,
            "kind": "person",
            "subject_id": PERSON,
            "applied_on": APPLIED.isoformat(),
            "evidence": "Paid in full; I commit to comply.",
            "state": "granted",
            "decided_on": GRANTED.isoformat(),
            "reason": None,
        }
    ]
    # As the file stood before: pending then, and not yet applied for before that.
    assert [r["state"] for r in person_file(city, GRANTED - dt.timedelta(days=1))["repairs"]] == [
        "pending"
    ]
    assert person_file(city, APPLIED - dt.timedelta(days=1))["repairs"] == []
    # The other subject's file shows none of it.
    (other,) = city.subject_files(OTHER_PERSON, city.today(), "operator", "inspection", "cli")
    assert other.repairs == []


def test_the_grant_holds_whatever_later_revisions(city: Registry, tmp_path: Path) -> None:
    granted(city)
    corrected = [
        record("j1", "court.judgment_default", PERSON, DECIDED.isoformat(), revision=2, quantity=2)
    ]
    city.ingest(write_records(tmp_path / "court2.csv", corrected), "court")
    assert person_file(city, GRANTED)["score"] == 1000
    assert person_file(city, GRANTED - dt.timedelta(days=1))["score"] == 800
    scores = city.score_all(GRANTED)
    assert scores.filter(pl.col("subject_id") == PERSON)["score"].to_list() == [1000]


def test_the_snapshot_for_spark_carries_the_grants(city: Registry, tmp_path: Path) -> None:
    granted(city)
    summary = city.export_snapshot(tmp_path / "snapshot")
    assert summary.repairs == 1


def test_refusals_each_say_why(city: Registry) -> None:
    def refused(call, *arguments, **options) -> str:  # noqa: ANN001
        with pytest.raises(Refused) as error:
            call(*arguments, **options)
        return str(error.value)

    apply = city.apply_repair
    assert refused(apply, "court", "nope", "paid") == "source 'court' has no record 'nope'"
    assert "is revoked" in refused(apply, "traffic-police", "t2", "paid")
    assert "not negative" in refused(apply, "charity", "v1", "paid")
    assert "may be applied for from 2026-01-10" in refused(
        apply, "court", "j1", "paid", on=dt.date(2026, 1, 9)
    )
    assert "lies after today" in refused(apply, "court", "j1", "paid", on=dt.date(2026, 11, 23))
    assert refused(apply, "court", "j1", "x" * 2001) == (
        "the evidence has 2001 characters; at most 2000"
    )
    assert refused(apply, "court", "j1", " ") == "the evidence is empty"
    first = apply("court", "j1", "paid", on=dt.date(2026, 1, 10))  # the first day it may
    assert "still pending" in refused(apply, "court", "j1", "again")
    assert refused(city.refuse_repair, first.number, " ") == "the reason is empty"
    assert "lies before the application" in refused(
        city.grant_repair, first.number, on=dt.date(2026, 1, 9)
    )
    assert "another source" in refused(city.grant_repair, first.number, source="traffic-police")
    refusal = city.refuse_repair(first.number, "No proof of payment.", on=dt.date(2026, 1, 20))
    assert (refusal.state, refusal.reason) == ("refused", "No proof of payment.")
    assert "already decided: refused on 2026-01-20" in refused(city.grant_repair, first.number)
    second = apply("court", "j1", "Receipt attached.")  # refused before: may apply again
    city.grant_repair(second.number, source="court")
    assert "was granted on" in refused(apply, "court", "j1", "once more")
    assert refused(city.grant_repair, 99) == "there is no repair 99"
    # A refused repair changes nothing; the store kept both applications.
    assert [r.state for r in city.repairs(source="court")] == ["refused", "granted"]


def test_repairs_are_listed_by_source_subject_and_pendingness(city: Registry) -> None:
    one = city.apply_repair("court", "j1", "paid", on=APPLIED)
    two = city.apply_repair("court", "j2", "paid too", on=APPLIED)
    city.grant_repair(one.number, on=GRANTED)
    assert [r.number for r in city.repairs()] == [one.number, two.number]
    assert [r.number for r in city.repairs(pending_only=True)] == [two.number]
    assert [r.number for r in city.repairs(subject_id=OTHER_PERSON)] == [two.number]
    assert city.repairs(source="traffic-police") == []


def test_applications_and_decisions_are_append_only(city: Registry) -> None:
    granted(city)
    for table in ("repairs", "repair_decisions"):
        for statement in (f"UPDATE {table} SET number = number", f"DELETE FROM {table}"):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                with city.store.engine.begin() as connection:
                    connection.execute(sa.text(statement))


def test_a_grant_makes_the_kept_state_of_the_check_stale(city: Registry) -> None:
    """The check reads a kept file state (issue 16); a grant today must end it at once."""
    fly = ("no_air_travel", "civil-aviation", "ticket sale")
    assert city.check(PERSON, *fly).applies  # computed today, and kept
    assert city.check(PERSON, *fly).applies  # read from the kept state
    repair = city.apply_repair("court", "j1", "Paid in full; I commit to comply.")
    city.grant_repair(repair.number)
    assert not city.check(PERSON, *fly).applies
    assert city.check(OTHER_PERSON, *fly).applies
