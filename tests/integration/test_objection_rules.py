"""The rules of objections (SPEC §7.1, §5.2), one test each, on both stores, through the
registry: the due day is the filing day + 30; an overdue objection stops the record counting;
an upholding answer lets it count again from the answer's day; a newer revision answers open
objections on the day its file is received; and each refusal of a filing. Scores are read both
from the subject's file and from the batch scorer, which must agree."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from socialcredit.registry import Refused, Registry
from socialcredit.store.store import Store
from tests.helpers import PERSON, catalogue_document, catalogue_yaml, record, write_records

DECIDED = dt.date(2025, 1, 2)  # the judgment default j1: -100 points, on the black list
FILED = dt.date(2025, 1, 5)
DUE = dt.date(2025, 2, 4)  # FILED + 30 days
WITH_J1 = 895  # 1000 - 100 (j1) - 5 (the red light t1, never objected to)
WITHOUT_J1 = 995
DAY = dt.timedelta(days=1)


class Calendar:
    """A clock the test moves: the registry's today is `day` at noon UTC."""

    def __init__(self, day: dt.date):
        self.day = day

    def __call__(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(12), tzinfo=dt.UTC)


@pytest.fixture
def calendar() -> Calendar:
    return Calendar(dt.date(2025, 1, 10))


@pytest.fixture
def city(store: Store, calendar: Calendar, tmp_path: Path) -> Registry:
    """A person with a judgment default (j1, decided 2025-01-02) and a red light (t1)."""
    registry = Registry(store, clock=calendar)
    document = catalogue_document(effective_from="2020-01-01")
    assert registry.publish_catalogue(catalogue_yaml(document)).version == 1
    for source, row in {
        "court": record("j1", "court.judgment_default", PERSON, DECIDED.isoformat()),
        "traffic-police": record("t1", "traffic.red_light", PERSON, "2025-01-03"),
    }.items():
        result = registry.ingest(write_records(tmp_path / f"{source}.csv", [row]), source)
        assert result.counts.accepted == 1
    return registry


def score_on(registry: Registry, day: dt.date) -> int:
    """PERSON's score on `day` in its file, which the batch scorer must give too."""
    (subject_file,) = registry.subject_files(PERSON, day, "tester", "test", "test")
    batch = registry.score_all(day).filter(subject_id=PERSON)["score"].to_list()
    assert batch == [subject_file.score.score], day
    return subject_file.score.score


def state_today(registry: Registry) -> tuple[str, dt.date]:
    (objection,) = registry.objections(source="court")
    return objection.state, objection.due_on


def test_the_due_day_is_the_filing_day_plus_30(city: Registry, calendar: Calendar) -> None:
    city.file_objection("court", "j1", "I paid", on=FILED)
    calendar.day = DUE - DAY
    assert state_today(city) == ("open", DUE)
    calendar.day = DUE
    assert state_today(city) == ("overdue", DUE)
    assert score_on(city, DUE - DAY) == WITH_J1
    assert score_on(city, DUE) == WITHOUT_J1


def test_an_overdue_objection_stops_the_record_counting(city: Registry, calendar: Calendar) -> None:
    city.file_objection("court", "j1", "I paid", on=FILED)
    later = DUE + dt.timedelta(days=200)
    calendar.day = later
    (subject_file,) = city.subject_files(PERSON, later, "tester", "test", "test")
    assert [entry.record.record_id for entry in subject_file.score.counting_records] == ["t1"]
    assert [factor.item for factor in subject_file.score.key_factors] == ["traffic.red_light"]
    assert "blacklist" not in subject_file.score.lists
    assert score_on(city, later) == WITHOUT_J1
    batch = city.score_all(later).filter(subject_id=PERSON)
    assert batch["lists"].to_list() == [""]


def test_an_upholding_answer_lets_the_record_count_again_from_its_day(
    city: Registry, calendar: Calendar
) -> None:
    city.file_objection("court", "j1", "I paid", on=FILED)
    answered = DUE + dt.timedelta(days=10)
    calendar.day = answered + dt.timedelta(days=5)
    upheld = city.uphold_objection(1, note="the judgment stands", on=answered)
    assert (upheld.state, upheld.answered_on) == ("upheld", answered)
    assert score_on(city, answered - DAY) == WITHOUT_J1
    assert score_on(city, answered) == WITH_J1
    (subject_file,) = city.subject_files(PERSON, answered, "tester", "test", "test")
    assert "blacklist" in subject_file.score.lists


def test_a_newer_revision_answers_on_the_day_its_file_is_received(
    city: Registry, calendar: Calendar, tmp_path: Path
) -> None:
    city.file_objection("court", "j1", "the amount is wrong", on=FILED)
    received = DUE + dt.timedelta(days=20)
    calendar.day = received
    # The correction keeps the decision's day: the answer's day is the day it arrived.
    correction = record("j1", "court.judgment_default", PERSON, DECIDED.isoformat(), revision=2)
    correction["quantity"] = 2
    city.ingest(write_records(tmp_path / "correction.csv", [correction]), "court")
    (answered,) = city.objections(source="court")
    assert (answered.state, answered.answered_on) == ("corrected", received)
    assert score_on(city, received - DAY) == WITHOUT_J1  # still overdue: neither revision
    assert score_on(city, received) == 1000 - 200 - 5  # the corrected revision counts


def test_filing_before_the_record_was_decided_is_refused(city: Registry) -> None:
    with pytest.raises(Refused, match="before the record's decision on 2025-01-02"):
        city.file_objection("court", "j1", "x", on=DECIDED - DAY)
    assert city.objections() == []
    assert city.file_objection("court", "j1", "x", on=DECIDED).filed_on == DECIDED


def test_filing_after_today_is_refused(city: Registry, calendar: Calendar) -> None:
    with pytest.raises(Refused, match="lies after today"):
        city.file_objection("court", "j1", "x", on=calendar.day + DAY)
    assert city.objections() == []
    assert city.file_objection("court", "j1", "x", on=calendar.day).filed_on == calendar.day


def test_filing_while_an_objection_to_the_record_is_open_is_refused(
    city: Registry, calendar: Calendar
) -> None:
    city.file_objection("court", "j1", "first", on=FILED)
    calendar.day = DUE + DAY  # overdue: still unanswered
    with pytest.raises(Refused, match="objection 1 to record 'j1' of 'court' is still open"):
        city.file_objection("court", "j1", "second")
    assert [o.number for o in city.objections()] == [1]
    city.file_objection("traffic-police", "t1", "another record may be objected to")


def test_filing_after_an_upheld_objection_is_refused_for_that_revision_only(
    city: Registry, calendar: Calendar, tmp_path: Path
) -> None:
    city.file_objection("court", "j1", "first", on=FILED)
    city.uphold_objection(1, on=FILED)
    with pytest.raises(Refused, match="objection 1 to revision 1 of record 'j1'.* was upheld"):
        city.file_objection("court", "j1", "again")
    assert [o.number for o in city.objections()] == [1]
    calendar.day += DAY
    correction = record("j1", "court.judgment_default", PERSON, DECIDED.isoformat(), revision=2)
    city.ingest(write_records(tmp_path / "correction.csv", [correction]), "court")
    again = city.file_objection("court", "j1", "the new revision is wrong too")
    assert (again.number, again.revision) == (2, 2)
