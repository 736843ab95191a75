"""SPEC §7.1 and §5.2 on a real store, against a model kept by the test: random days of filing,
upholding and newer revisions. Each objection's answer and state are as the model says, and the
batch scorer (objections from one query) and each file (from another) give the same scores."""

from __future__ import annotations

import datetime as dt
import itertools
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialcredit.domain.objections import OBJECTION_ANSWER_DAYS
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
ITEMS = {"court.judgment_default": "court", "traffic.red_light": "traffic-police"}
RECORDS = 4
examples = itertools.count()


class Calendar:
    def __init__(self, day: dt.date):
        self.day = day

    def __call__(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(12), tzinfo=dt.UTC)


steps = st.lists(
    st.tuples(
        st.integers(0, 40),  # days that pass first
        st.sampled_from(["file", "file", "uphold", "revise"]),
        st.integers(0, RECORDS - 1),  # which record (or objection)
        st.integers(0, 60),  # how many days back the letter or answer is dated
        st.booleans(),  # a revision revokes
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps)
def test_objections_answers_and_scores_follow_the_model(backend: str, steps) -> None:
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
    records = {}  # number -> [source, record id, item, subject, decided on, revision]
    for number in range(RECORDS):
        item = list(ITEMS)[number % 2]
        subject = (PERSON, OTHER_PERSON)[number // 2]
        records[number] = [
            ITEMS[item],
            f"r{number}",
            item,
            subject,
            dt.date(2025, 1, 1 + number),
            1,
        ]
        ingest(registry, directory, next(files), records[number], "active")
    # objection number -> {"record", "revision", "filed_on", "answer": (kind, day) | None}
    model = {}
    for days, action, which, back, revokes in steps:
        calendar.day += dt.timedelta(days=days)
        today = calendar.day
        if action == "file":
            source, record_id, _, _, decided_on, revision = records[which]
            on = max(decided_on, today - dt.timedelta(days=back))
            try:
                filed = registry.file_objection(source, record_id, "why", on)
            except Refused:
                assert any(
                    entry["record"] == which
                    and (
                        entry["answer"] is None
                        or (entry["answer"][0] == "upheld" and entry["revision"] == revision)
                    )
                    for entry in model.values()
                )
                continue
            model[filed.number] = {
                "record": which,
                "revision": revision,
                "filed_on": on,
                "answer": None,
            }
        elif action == "uphold" and model:
            number = sorted(model)[which % len(model)]
            entry = model[number]
            on = max(entry["filed_on"], today - dt.timedelta(days=back))
            try:
                registry.uphold_objection(number, on=on)
                assert entry["answer"] is None
                entry["answer"] = ("upheld", on)
            except Refused:
                assert entry["answer"] is not None
        elif action == "revise":
            records[which][5] += 1
            ingest(
                registry, directory, next(files), records[which], "revoked" if revokes else "active"
            )
            for entry in model.values():  # the new revision answers what is still open, today
                if entry["record"] == which and entry["answer"] is None:
                    entry["answer"] = ("revoked" if revokes else "corrected", today)
    found = {objection.number: objection for objection in registry.objections()}
    assert set(found) == set(model)
    for number, entry in model.items():
        objection = found[number]
        assert objection.filed_on == entry["filed_on"]
        expected_state = (
            entry["answer"][0]
            if entry["answer"]
            else (
                "overdue"
                if calendar.day >= entry["filed_on"] + dt.timedelta(days=OBJECTION_ANSWER_DAYS)
                else "open"
            )
        )
        assert (objection.state, objection.answered_on) == (
            expected_state,
            entry["answer"][1] if entry["answer"] else None,
        )
    # The days on which something changes: each due day, each answer, and the days before.
    days = {START, calendar.day + dt.timedelta(days=OBJECTION_ANSWER_DAYS)}
    for entry in model.values():
        for day in (
            entry["filed_on"] + dt.timedelta(days=OBJECTION_ANSWER_DAYS),
            *(entry["answer"] or ())[1:],
        ):
            days |= {day - dt.timedelta(days=1), day}
    for day in sorted(days):
        batch = {
            row["subject_id"]: row["score"] for row in registry.score_all(day).iter_rows(named=True)
        }
        for subject in (PERSON, OTHER_PERSON):
            # A day before the subject's first decision: no file in either (SPEC §5.8).
            files = registry.subject_files(subject, day, "test", "test", "test")
            assert len(files) <= 1
            assert batch.get(subject) == (files[0].score.score if files else None), (subject, day)


def ingest(
    registry: Registry, directory: Path, file_number: int, fields: list, status: str
) -> None:
    source, record_id, item, subject, decided_on, revision = fields
    path = write_records(
        directory / f"f{file_number}.csv",
        [
            record(
                record_id, item, subject, decided_on.isoformat(), revision=revision, status=status
            )
        ],
    )
    assert registry.ingest(path, source).counts.accepted == 1
