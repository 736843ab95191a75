# ruff: noqa: F811 - the fixtures `city` and `calendar` come from test_rights
"""Each file's state for the check (issue 16), on both stores: a check reads it and never
rescores while it holds for the asked day; ingest, objections, publication and
`Registry.subject_changed` make it stale; a state computed from inputs that changed meanwhile
is not kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from socialcredit.domain.subject_state import SubjectState
from socialcredit.registry import Registry
from socialcredit.registry import rights as registry_rights
from socialcredit.store import schema, subject_states
from tests.helpers import (
    ORGANIZATION,
    OTHER_PERSON,
    PERSON,
    catalogue_document,
    catalogue_yaml,
    record,
    write_records,
)
from tests.integration.test_rights import DEFAULT, MEASURES, Calendar, calendar, city  # noqa: F401

FLY = ("no_air_travel", "civil-aviation", "ticket sale")


def applies(registry: Registry, subject_id: str, day: dt.date | None = None) -> bool:
    return registry.check(subject_id, *FLY, day).applies


def stored(registry: Registry, subject_id: str) -> sa.Row:
    (subject,) = registry.identify(subject_id).subjects
    with registry.store.engine.connect() as connection:
        return connection.execute(
            sa.select(schema.subject_states).where(schema.subject_states.c.subject == subject.key)
        ).one()


def test_a_check_reads_the_state_and_never_rescores_while_it_holds(
    city: Registry, calendar: Calendar, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert applies(city, PERSON) is True
    row = stored(city, PERSON)
    assert (row.valid, row.lists, row.valid_from, row.rulebook) == (
        True,
        "blacklist\x1flow_score",
        calendar.day,
        1,
    )

    def no_scoring(*_arguments, **_keywords):
        raise AssertionError("the check rescored")

    monkeypatch.setattr(registry_rights, "subject_state", no_scoring)
    monkeypatch.setattr(city.store.rights, "records_naming", no_scoring)
    monkeypatch.setattr(city.store.rights, "objections", no_scoring)
    assert applies(city, PERSON) is True
    calendar.day += dt.timedelta(days=30)  # still before the record stops counting
    assert row.valid_until is None or calendar.day < row.valid_until
    assert applies(city, PERSON) is True


def test_ingest_objections_and_their_answers_make_the_state_stale(
    city: Registry, calendar: Calendar, tmp_path: Path
) -> None:
    assert applies(city, OTHER_PERSON) is False
    city.ingest(
        write_records(tmp_path / "more.csv", [record("j2", DEFAULT, OTHER_PERSON, "2025-01-09")]),
        "court",
    )
    assert applies(city, OTHER_PERSON) is True  # a new record
    assert applies(city, PERSON) is True
    objection = city.file_objection("court", "j1", "I paid", on=calendar.day)
    assert stored(city, PERSON).valid is False  # filed: stale at once
    assert applies(city, PERSON) is True  # open: the record still counts
    due = objection.due_on
    assert stored(city, PERSON).valid_until == due  # the state knows when it falls due
    calendar.day = due
    assert applies(city, PERSON) is False  # overdue: it does not count
    city.uphold_objection(objection.number, "stands")
    assert applies(city, PERSON) is True  # upheld: it counts again
    revoked = record("j1", DEFAULT, PERSON, "2025-01-02", revision=2, status="revoked")
    city.ingest(write_records(tmp_path / "revoke.csv", [revoked]), "court")
    assert applies(city, PERSON) is False  # revoked by a new revision


def test_a_publication_or_a_subject_changed_makes_the_state_stale(
    city: Registry, calendar: Calendar
) -> None:
    assert applies(city, PERSON) is True
    first = stored(city, PERSON)
    assert first.rulebook == 1
    document = catalogue_document(
        effective_from=str(calendar.day + dt.timedelta(days=10)), version=2, measures=MEASURES
    )
    document["lists"]["low_score"]["score_below"] = 950
    assert city.publish_catalogue(catalogue_yaml(document)).version == 2
    assert applies(city, PERSON) is True
    again = stored(city, PERSON)
    assert again.rulebook == 2  # recomputed with both versions
    assert again.valid_until == calendar.day + dt.timedelta(days=10)  # version 2 takes effect
    (subject,) = city.identify(PERSON).subjects
    city.subject_changed(subject)  # as a credit repair will
    row = stored(city, PERSON)
    assert (row.valid, row.generation) == (False, again.generation + 1)
    assert applies(city, PERSON) is True
    assert stored(city, PERSON).valid is True


def test_a_state_computed_from_inputs_that_changed_meanwhile_is_not_kept(city: Registry) -> None:
    (subject,) = city.identify(PERSON).subjects
    (before,) = city.store.rights.ensure_states([subject.key]).values()
    city.subject_changed(subject.key)  # a change commits while the check computes
    state = SubjectState(dt.date(2025, 1, 10), None, 1000, "AA", (), 1)
    assert city.store.rights.write_state(subject.key, before.generation, 1, state) is False
    assert subject_states.read(city.store.engine, [subject.key])[subject.key].state is None
    assert applies(city, PERSON) is True  # computed afresh


def test_a_check_of_an_identifier_without_a_file_reads_and_waits_as_one_with_a_file(
    city: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defect 9, the steps (their times are in bench/subject.py): one state read and one
    access-log commit, whether the subject has a file or not."""
    calls: list[tuple[str, object]] = []
    rights = city.store.rights
    read, write = rights.states, rights.append_file_views
    monkeypatch.setattr(
        rights, "states", lambda keys: calls.append(("read", len(keys))) or read(keys)
    )
    monkeypatch.setattr(
        rights,
        "append_file_views",
        lambda looks, checks=0: calls.append(("commit", checks)) or write(looks, checks),
    )
    for subject_id in (PERSON, ORGANIZATION):  # ORGANIZATION: no record, no key
        calls.clear()
        applies(city, subject_id)
        applies(city, subject_id)
        assert calls == [("read", 1), ("commit", 1)] * 2, subject_id
