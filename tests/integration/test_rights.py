"""SPEC §7.1–7.4 through the registry, on both stores: objections and their answers, overdue
objections in both scorers, statements, the relying party's check, measures, the file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from socialcredit.registry import Refused, Registry
from socialcredit.store.store import Store
from tests.helpers import (
    ORGANIZATION,
    OTHER_PERSON,
    PERSON,
    catalogue_document,
    catalogue_yaml,
    record,
    write_records,
)

DEFAULT = "court.judgment_default"  # -100 points, puts the subject on the black list


class Calendar:
    """A clock the test moves: the registry's today is `day` at noon UTC."""

    def __init__(self, day: dt.date):
        self.day = day

    def __call__(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(12), tzinfo=dt.UTC)


MEASURES = [
    {
        "code": "no_air_travel",
        "title": "May not buy air tickets",
        "kind": "sanction",
        "legal_basis": "Opinions on joint punishment of dishonest judgment debtors",
        "applies_to": {"list": "blacklist"},
        "relying_parties": ["civil-aviation"],
    },
    {
        "code": "fast_track",
        "title": "Fast-track approvals",
        "kind": "reward",
        "legal_basis": "Opinions on joint rewards for the trustworthy",
        "applies_to": {"tiers": ["AAA", "AA"]},
        "relying_parties": ["city-hall", "civil-aviation"],
    },
    {
        "code": "light_touch",
        "title": "Fewer routine inspections",
        "kind": "reward",
        "legal_basis": "Opinions on joint rewards for the trustworthy",
        "applies_to": {"tier": "A"},
        "relying_parties": ["market-regulator"],
    },
]


@pytest.fixture
def calendar() -> Calendar:
    return Calendar(dt.date(2025, 1, 10))


@pytest.fixture
def city(store: Store, calendar: Calendar, tmp_path: Path) -> Registry:
    """A person with a judgment default (2025-01-02, record "j1") and a red light ("t1"),
    another person with a red light ("t2"); the low-score list starts below 950 here."""
    registry = Registry(store, clock=calendar)
    document = catalogue_document(effective_from="2020-01-01", measures=MEASURES)
    document["lists"]["low_score"]["score_below"] = 950
    assert registry.publish_catalogue(catalogue_yaml(document)).version == 1
    registry.ingest(
        write_records(tmp_path / "court.csv", [record("j1", DEFAULT, PERSON, "2025-01-02")]),
        "court",
    )
    registry.ingest(
        write_records(
            tmp_path / "traffic.csv",
            [
                record("t1", "traffic.red_light", PERSON, "2025-01-03"),
                record("t2", "traffic.red_light", OTHER_PERSON, "2025-01-03"),
            ],
        ),
        "traffic-police",
    )
    return registry


def score_of(registry: Registry, subject_id: str, day: dt.date) -> int:
    """The per-subject score, checked against the batch scorer's on the same day."""
    (subject_file,) = registry.subject_files(subject_id, day, "tester", "test", "test")
    batch = registry.score_all(day).filter(subject_id=subject_id)
    assert batch["score"].to_list() == [subject_file.score.score]
    return subject_file.score.score


def test_an_overdue_objection_stops_the_record_counting_until_upheld(
    city: Registry, calendar: Calendar
) -> None:
    filed = city.file_objection("court", "j1", "I paid", on=dt.date(2025, 1, 5))
    assert (filed.number, filed.state, filed.due_on, filed.revision) == (
        1,
        "open",
        dt.date(2025, 2, 4),
        1,
    )
    assert (filed.subject_kind, filed.subject_id) == ("person", PERSON)
    assert score_of(city, PERSON, dt.date(2025, 2, 3)) == 895  # 1000 - 100 - 5
    assert score_of(city, PERSON, dt.date(2025, 2, 4)) == 995  # overdue: j1 does not count
    calendar.day = dt.date(2025, 3, 20)
    assert [objection.state for objection in city.objections()] == ["overdue"]
    upheld = city.uphold_objection(1, note="the judgment stands", on=dt.date(2025, 3, 1))
    assert (upheld.state, upheld.answered_on, upheld.note) == (
        "upheld",
        dt.date(2025, 3, 1),
        "the judgment stands",
    )
    assert score_of(city, PERSON, dt.date(2025, 2, 28)) == 995
    assert score_of(city, PERSON, dt.date(2025, 3, 1)) == 895
    (subject_file,) = city.subject_files(PERSON, dt.date(2025, 2, 28), "tester", "test", "test")
    assert [(o.state, o.answered_on) for o in subject_file.objections] == [("overdue", None)]
    assert "blacklist" not in subject_file.score.lists
    (subject_file,) = city.subject_files(PERSON, dt.date(2025, 3, 1), "tester", "test", "test")
    assert [(o.state, o.answered_on) for o in subject_file.objections] == [
        ("upheld", dt.date(2025, 3, 1))
    ]
    assert "blacklist" in subject_file.score.lists


def test_an_answer_before_the_due_day_means_the_record_never_stops_counting(city: Registry) -> None:
    city.file_objection("court", "j1", "I paid", on=dt.date(2025, 1, 5))
    city.uphold_objection(1, on=dt.date(2025, 1, 10))
    assert score_of(city, PERSON, dt.date(2025, 2, 4)) == 895


def test_a_newer_revision_answers_on_the_day_it_is_received(
    city: Registry, calendar: Calendar, tmp_path: Path
) -> None:
    city.file_objection("court", "j1", "wrong amount", on=dt.date(2025, 1, 5))
    city.file_objection("traffic-police", "t1", "not my car", on=dt.date(2025, 1, 5))
    calendar.day = dt.date(2025, 3, 10)
    city.ingest(
        write_records(
            tmp_path / "fix.csv",
            [record("j1", DEFAULT, PERSON, "2025-01-02", revision=2, quantity=2)],
        ),
        "court",
    )
    city.ingest(
        write_records(
            tmp_path / "revoke.csv",
            [record("t1", "traffic.red_light", PERSON, "2025-01-03", revision=2, status="revoked")],
        ),
        "traffic-police",
    )
    corrected, revoked = city.objections()
    assert (corrected.state, corrected.answered_on) == ("corrected", dt.date(2025, 3, 10))
    assert (revoked.state, revoked.answered_on) == ("revoked", dt.date(2025, 3, 10))
    # Overdue from 2025-02-04 until the revisions came: neither record counts then.
    assert score_of(city, PERSON, dt.date(2025, 3, 9)) == 1000
    assert score_of(city, PERSON, dt.date(2025, 3, 10)) == 800  # the corrected j1, twice
    with pytest.raises(Refused, match="already answered: corrected on 2025-03-10"):
        city.uphold_objection(corrected.number)
    # The corrected revision may be objected to afresh.
    again = city.file_objection("court", "j1", "still wrong", on=dt.date(2025, 3, 10))
    assert (again.number, again.revision) == (3, 2)


def test_filing_refusals(city: Registry, calendar: Calendar) -> None:
    refusals = {
        "has no record": lambda: city.file_objection("court", "nope", "x"),
        "lies after today": lambda: city.file_objection(
            "court", "j1", "x", on=dt.date(2025, 1, 11)
        ),
        "before the record's decision": lambda: city.file_objection(
            "court", "j1", "x", on=dt.date(2025, 1, 1)
        ),
        "the reason is empty": lambda: city.file_objection("court", "j1", "  "),
    }
    for message, attempt in refusals.items():
        with pytest.raises(Refused, match=message):
            attempt()
    city.file_objection("court", "j1", "first")
    with pytest.raises(Refused, match="objection 1 to record 'j1' of 'court' is still open"):
        city.file_objection("court", "j1", "second")
    city.uphold_objection(1)
    with pytest.raises(Refused, match="was upheld on 2025-01-10"):
        city.file_objection("court", "j1", "third")
    assert len(city.objections()) == 1


def test_uphold_refusals(city: Registry) -> None:
    with pytest.raises(Refused, match="there is no objection 7"):
        city.uphold_objection(7)
    city.file_objection("court", "j1", "x", on=dt.date(2025, 1, 6))
    with pytest.raises(Refused, match="before the filing day"):
        city.uphold_objection(1, on=dt.date(2025, 1, 5))
    with pytest.raises(Refused, match="after today"):
        city.uphold_objection(1, on=dt.date(2025, 1, 11))
    city.uphold_objection(1)
    with pytest.raises(Refused, match="already answered: upheld on 2025-01-10"):
        city.uphold_objection(1)


def test_objections_listed_by_source_subject_and_openness(
    city: Registry, calendar: Calendar
) -> None:
    city.file_objection("court", "j1", "a", on=dt.date(2025, 1, 5))
    city.file_objection("traffic-police", "t1", "b", on=dt.date(2025, 1, 6))
    city.file_objection("traffic-police", "t2", "c", on=dt.date(2025, 1, 7))
    city.uphold_objection(2)

    def numbers(found: list) -> list[int]:
        return [objection.number for objection in found]

    assert numbers(city.objections()) == [1, 2, 3]
    assert numbers(city.objections(source="traffic-police")) == [2, 3]
    assert numbers(city.objections(subject_id=PERSON.lower())) == [1, 2]
    assert numbers(city.objections(open_only=True)) == [1, 3]
    assert numbers(city.objections(source="court", subject_id=OTHER_PERSON)) == []
    with pytest.raises(Refused, match="not a valid identifier"):
        city.objections(subject_id="12345")


def test_the_file_shows_objections_filed_by_its_day(city: Registry) -> None:
    city.file_objection("court", "j1", "a", on=dt.date(2025, 1, 5))
    city.file_objection("traffic-police", "t1", "b", on=dt.date(2025, 1, 8))
    (on_the_sixth,) = city.subject_files(PERSON, dt.date(2025, 1, 6), "v", "p", "cli")
    assert [objection.number for objection in on_the_sixth.objections] == [1]
    (other,) = city.subject_files(OTHER_PERSON, dt.date(2025, 1, 9), "v", "p", "cli")
    assert other.objections == []


def test_statements_are_kept_and_the_latest_shown(city: Registry, calendar: Calendar) -> None:
    assert city.subject_files(PERSON, dt.date(2025, 1, 9), "v", "p", "cli")[0].statement is None
    first = city.leave_statement(PERSON, "I paid on time.")
    assert (first.subject_kind, first.text, first.made_on) == (
        "person",
        "I paid on time.",
        dt.date(2025, 1, 10),
    )
    calendar.day = dt.date(2025, 1, 12)
    city.leave_statement(PERSON, "The court has my receipt.")
    (subject_file,) = city.subject_files(PERSON, dt.date(2025, 1, 9), "v", "p", "cli")
    assert subject_file.statement is not None
    assert (subject_file.statement.text, subject_file.statement.made_on) == (
        "The court has my receipt.",
        dt.date(2025, 1, 12),
    )
    assert city.leave_statement(PERSON, "x" * 500).text == "x" * 500
    with pytest.raises(Refused, match="501 characters; at most 500"):
        city.leave_statement(PERSON, "x" * 501)
    with pytest.raises(Refused, match="has no credit file"):
        city.leave_statement(ORGANIZATION, "We object.")
    with pytest.raises(Refused, match="not a valid identifier"):
        city.leave_statement("12345", "Hello.")


def test_the_check_answers_yes_or_no_and_is_logged(city: Registry) -> None:
    day = dt.date(2025, 1, 10)
    blacklisted = city.check(PERSON, "no_air_travel", "civil-aviation", "ticket sale", day)
    assert (blacklisted.applies, blacklisted.because, blacklisted.catalogue_version) == (
        True,
        "list:blacklist",
        1,
    )
    clean = city.check(OTHER_PERSON, "no_air_travel", "civil-aviation", "ticket sale", day)
    assert (clean.applies, clean.because) == (False, None)
    assert (
        city.check(OTHER_PERSON, "light_touch", "market-regulator", "audit", day).because
        == "tier:A"
    )
    assert city.check(PERSON, "fast_track", "city-hall", "permit", day).applies is False
    nobody = city.check(ORGANIZATION, "no_air_travel", "civil-aviation", "ticket sale", day)
    assert nobody.applies is False
    (subject_file,) = city.subject_files(PERSON, day, "subject", "own file", "cli")
    # SPEC §10.5: each check's answer is in the access log; other looks carry none.
    assert [(v.viewer, v.purpose, v.channel, v.applies) for v in subject_file.views] == [
        ("civil-aviation", "ticket sale", "check", True),
        ("city-hall", "permit", "check", False),
        ("subject", "own file", "cli", None),
    ]
    (other,) = city.subject_files(OTHER_PERSON, day, "subject", "own file", "cli")
    assert [(v.viewer, v.applies) for v in other.views] == [
        ("civil-aviation", False),
        ("market-regulator", True),
        ("subject", None),
    ]
    shown = other.document.views[0]
    assert shown.applies is False  # and so in `scs show --json`, the API and the web page


def test_check_refusals(city: Registry) -> None:
    with pytest.raises(Refused, match="unknown measure 'fly' in catalogue version 1"):
        city.check(PERSON, "fly", "civil-aviation", "x")
    with pytest.raises(
        Refused, match="'bank' may not rely on measure 'no_air_travel'; who may: civil-aviation"
    ):
        city.check(PERSON, "no_air_travel", "bank", "x")
    with pytest.raises(Refused, match="no catalogue version is in effect on 2019-12-31"):
        city.check(PERSON, "no_air_travel", "civil-aviation", "x", dt.date(2019, 12, 31))
    with pytest.raises(Refused, match="not a valid identifier"):
        city.check("12345", "no_air_travel", "civil-aviation", "x")
    (subject_file,) = city.subject_files(PERSON, dt.date(2025, 1, 10), "v", "p", "cli")
    assert len(subject_file.views) == 1  # refused checks are not logged


def test_an_overdue_objection_changes_the_check(city: Registry) -> None:
    city.file_objection("court", "j1", "I paid", on=dt.date(2025, 1, 5))
    answer = city.check(
        PERSON, "no_air_travel", "civil-aviation", "ticket sale", dt.date(2025, 2, 4)
    )
    assert answer.applies is False


def test_measures_count_the_subjects_they_apply_to(city: Registry) -> None:
    coverage = {measure.code: measure for measure in city.measures(dt.date(2025, 1, 10))}
    assert {code: measure.subjects for code, measure in coverage.items()} == {
        "no_air_travel": 1,
        "fast_track": 0,
        "light_touch": 1,
    }
    assert coverage["fast_track"].relying_parties == ("city-hall", "civil-aviation")
    assert coverage["fast_track"].applies_to == "tiers AAA, AA"
    assert coverage["no_air_travel"].applies_to == "list blacklist"
