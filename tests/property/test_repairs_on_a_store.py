"""SPEC §10.2 on a real store, against a model kept by the test: random days of applying for
repair, granting, refusing and newer revisions. Each application's refusal and state are as the
model says; the batch scorer (grants by the row id of the current revision) and each file
(grants by record) give the same scores; a granted record does not count from its grant day
and counts the day before, whatever its later revisions."""

from __future__ import annotations

import datetime as dt
import itertools
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from socialcredit.registry import Refused, Registry
from socialcredit.store.store import Store
from tests.conftest import fresh_store_url
from tests.helpers import (
    OTHER_PERSON,
    PERSON,
    catalogue_document,
    catalogue_yaml,
    record,
    write_records,
)

START = dt.date(2025, 1, 10)
# item → (source, days until repair may be applied for, counts_for_days), as the test catalogue
ITEMS = {
    "court.judgment_default": ("court", 365, 1095),
    "traffic.red_light": ("traffic-police", 90, 365),
}
RECORDS = 4


class Calendar:
    def __init__(self, day: dt.date):
        self.day = day

    def __call__(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(12), tzinfo=dt.UTC)


steps = st.lists(
    st.tuples(
        st.integers(0, 60),  # days that pass first
        st.sampled_from(["apply", "apply", "grant", "grant", "refuse", "revise"]),
        st.integers(0, RECORDS - 1),  # which record (or application)
        st.integers(0, 100),  # how many days back the letter or decision is dated
        st.booleans(),  # a revision revokes
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps)
def test_repairs_and_scores_follow_the_model(backend: str, steps) -> None:
    with (
        tempfile.TemporaryDirectory() as directory,
        fresh_store_url(backend, Path(directory)) as url,
    ):
        calendar = Calendar(START)
        registry = Registry(Store.open(url), clock=calendar)
        try:
            run(registry, calendar, Path(directory), steps)
        finally:
            registry.store.close()


def run(registry: Registry, calendar: Calendar, directory: Path, steps) -> None:
    assert registry.publish_catalogue(
        catalogue_yaml(catalogue_document(effective_from="2020-01-01"))
    ).version
    files = itertools.count()
    # number -> {"source", "record_id", "item", "subject", "decided_on", "revision", "status"}
    records = {}
    for number in range(RECORDS):
        item = list(ITEMS)[number % 2]
        records[number] = {
            "source": ITEMS[item][0],
            "record_id": f"r{number}",
            "item": item,
            "subject": (PERSON, OTHER_PERSON)[number // 2],
            # Court judgments repairable from the start, red lights a few weeks into it.
            "decided_on": dt.date(2024, 1 if number % 2 == 0 else 11, 1 + number),
            "revision": 1,
            "status": "active",
        }
        ingest(registry, directory, next(files), records[number])
    model = {}  # application number -> {"record", "applied_on", "decision": (kind, day) | None}
    for days, action, which, back, revokes in steps:
        calendar.day += dt.timedelta(days=days)
        today = calendar.day
        if action == "apply":
            fields = records[which]
            on = today - dt.timedelta(days=back)
            opens = fields["decided_on"] + dt.timedelta(days=ITEMS[fields["item"]][1])
            barred = (
                fields["status"] != "active"
                or on < opens
                or any(
                    entry["record"] == which
                    and (entry["decision"] is None or entry["decision"][0] == "granted")
                    for entry in model.values()
                )
            )
            try:
                applied = registry.apply_repair(fields["source"], fields["record_id"], "paid", on)
            except Refused:
                assert barred, (which, on)
                continue
            assert not barred, (which, on)
            model[applied.number] = {"record": which, "applied_on": on, "decision": None}
        elif action in ("grant", "refuse") and model:
            number = sorted(model)[which % len(model)]
            entry = model[number]
            on = max(entry["applied_on"], today - dt.timedelta(days=back))
            try:
                if action == "grant":
                    registry.grant_repair(number, on)
                else:
                    registry.refuse_repair(number, "no proof", on)
            except Refused:
                assert entry["decision"] is not None
                continue
            assert entry["decision"] is None
            entry["decision"] = ("granted" if action == "grant" else "refused", on)
        elif action == "revise":
            records[which]["revision"] += 1
            records[which]["status"] = "revoked" if revokes else "active"
            ingest(registry, directory, next(files), records[which])
    event(f"granted: {bool(granted_records(model))}")
    found = {repair.number: repair for repair in registry.repairs()}
    assert set(found) == set(model)
    for number, entry in model.items():
        repair = found[number]
        assert (repair.applied_on, repair.state, repair.decided_on) == (
            entry["applied_on"],
            entry["decision"][0] if entry["decision"] else "pending",
            entry["decision"][1] if entry["decision"] else None,
        )
    granted = granted_records(model)
    days = {START, calendar.day}
    for day in granted.values():
        days |= {day - dt.timedelta(days=1), day}
    for day in sorted(days):
        batch = {
            row["subject_id"]: row["score"] for row in registry.score_all(day).iter_rows(named=True)
        }
        counting = set()
        for subject in (PERSON, OTHER_PERSON):
            files = registry.subject_files(subject, day, "test", "test", "test")
            assert len(files) <= 1
            assert batch.get(subject) == (files[0].score.score if files else None), (subject, day)
            if files:
                counting |= {entry.record_id for entry in files[0].document.counting_records}
        for which, granted_on in granted.items():
            fields = records[which]
            counts_for_days = ITEMS[fields["item"]][2]
            would_count = fields["status"] == "active" and fields["decided_on"] <= day < fields[
                "decided_on"
            ] + dt.timedelta(days=counts_for_days)
            assert (fields["record_id"] in counting) == (would_count and day < granted_on), (
                which,
                day,
            )


def granted_records(model: dict) -> dict[int, dt.date]:
    """Record → the day repair of it was granted, in the model."""
    return {
        entry["record"]: entry["decision"][1]
        for entry in model.values()
        if entry["decision"] and entry["decision"][0] == "granted"
    }


def ingest(registry: Registry, directory: Path, file_number: int, fields: dict) -> None:
    path = write_records(
        directory / f"f{file_number}.csv",
        [
            record(
                fields["record_id"],
                fields["item"],
                fields["subject"],
                fields["decided_on"].isoformat(),
                revision=fields["revision"],
                status=fields["status"],
            )
        ],
    )
    assert registry.ingest(path, fields["source"]).counts.accepted == 1
