"""SPEC §10.2–10.4 on hand-made cases, each worked out by hand and scored by both scorers:
repairs, repeats at the edges of their window, one act counted once with every tie rule, and
the order of the rules (which records count, values, one act once, caps)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from socialcredit.domain.objections import OBJECTION_ANSWER_DAYS, Objection
from socialcredit.domain.records import LedgerRecord
from socialcredit.domain.scoring import SubjectScore, score_subject
from socialcredit.scoring.batch import score_ledger
from tests.helpers import PERSON, catalogue_document, ledger_frame, rulebook_of

DAY = dt.date(2025, 6, 1)
WITHIN_DAYS = 30


def rules(**repeat: int):
    document = catalogue_document()
    red_light = document["items"][0]
    red_light["repeat"] = {"within_days": WITHIN_DAYS, "factor": 3, **repeat}
    red_light["issuers"] = ["traffic-police", "court"]
    document["items"][1]["issuers"] = ["court", "traffic-police"]
    # As a red light, but capped at 3 points a year: which of two tied records scores shows.
    document["items"].append(
        {**red_light, "code": "traffic.speeding", "title": "Speeding", "cap_per_year": 3}
    )
    del document["items"][-1]["repeat"]
    return rulebook_of(document)


RULES = rules()


def record(
    record_id: str,
    decided_on: dt.date,
    *,
    item: str = "traffic.red_light",
    source: str = "traffic-police",
    act: str | None = None,
    status: str = "active",
    quantity: int = 1,
) -> LedgerRecord:
    return LedgerRecord(
        source=source,
        record_id=record_id,
        revision=1,
        item=item,
        subject_kind="person",
        subject_id=PERSON,
        decided_on=decided_on,
        quantity=quantity,
        reference=f"DOC-{record_id}",
        status=status,
        act=act,
    )


def both(
    records: list[LedgerRecord],
    as_of: dt.date = DAY,
    repairs: dict[tuple[str, str], dt.date] | None = None,
    objections: list[Objection] = (),
    rulebook=RULES,
) -> SubjectScore:
    """The per-subject score, after checking the batch scorer gives the same score and lists."""
    single = score_subject(records, rulebook, as_of, objections, repairs)
    assert single is not None
    ids = {(entry.source, entry.record_id): number for number, entry in enumerate(records, 1)}
    ledger = ledger_frame(records).with_row_index("id", offset=1).cast({"id": pl.Int64})
    repaired = pl.DataFrame(
        [(ids[key], day) for key, day in (repairs or {}).items()],
        schema={"id": pl.Int64, "granted_on": pl.Date},
        orient="row",
    )
    overdue = pl.DataFrame(
        [(ids[(o.source, o.record_id)], o.overdue_from, o.overdue_until) for o in objections],
        schema={"id": pl.Int64, "overdue_from": pl.Date, "overdue_until": pl.Date},
        orient="row",
    )
    batch = score_ledger(ledger, rulebook, as_of, overdue, repairs=repaired)
    assert batch.select("score", "lists").rows() == [(single.score, ";".join(single.lists))]
    return single


def days_before(days: int) -> dt.date:
    return DAY - dt.timedelta(days=days)


# -- §10.4 repeats ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gap_days", "repeated"),
    [(0, False), (1, True), (WITHIN_DAYS, True), (WITHIN_DAYS + 1, False)],
)
def test_a_repeat_counts_from_the_day_before_to_exactly_d_days_before(
    gap_days: int, repeated: bool
) -> None:
    score = both([record("a", days_before(gap_days)), record("b", DAY)])
    value_of_b = {entry.record.record_id: entry.value for entry in score.counting_records}["b"]
    assert value_of_b == (-15 if repeated else -5)
    assert score.score == 1000 - 5 + value_of_b


def test_a_revoked_earlier_record_is_no_repeat_but_an_expired_or_held_back_one_is() -> None:
    assert both([record("a", days_before(1), status="revoked"), record("b", DAY)]).score == 995
    # The earlier record need not count at T: here an objection holds it back.
    earlier = record("a", days_before(1))
    held_back = Objection(
        1,
        "traffic-police",
        "a",
        1,
        "person",
        PERSON,
        DAY - dt.timedelta(OBJECTION_ANSWER_DAYS),
        "not me",
        None,
        DAY,
    )
    score = both([earlier, record("b", DAY)], objections=[held_back])
    assert score.score == 1000 - 15 and [e.record.record_id for e in score.counting_records] == [
        "b"
    ]
    # ... or it has expired: red lights count 365 days, the repeat looks back 400.
    long_look = rules(within_days=400)
    expired = [record("a", days_before(380)), record("b", DAY)]
    assert both(expired, rulebook=long_look).score == 1000 - 15


def test_a_repeat_multiplies_the_whole_value_and_caps_clip_the_sum_of_values() -> None:
    document = catalogue_document()
    volunteering = document["items"][2]  # +1 a unit, capped at 30 a year
    volunteering["repeat"] = {"within_days": 10, "factor": 5}
    capped = rulebook_of(document)
    records = [
        record("a", days_before(5), item="charity.volunteer_hour", source="charity", quantity=2),
        record("b", DAY, item="charity.volunteer_hour", source="charity", quantity=4),
    ]
    assert both(records, rulebook=capped).score == 1000 + 2 + 4 * 5
    records.append(record("c", DAY, item="charity.volunteer_hour", source="charity", quantity=10))
    assert both(records, rulebook=capped).score == 1000 + 30  # 2 + 20 + 50, capped


# -- §10.3 one act once -----------------------------------------------------------------------


def scoring_record(score: SubjectScore) -> set[str]:
    return {entry.record.record_id for entry in score.counting_records if entry.points}


def test_one_act_scores_once_at_its_lowest_value_and_still_counts_for_lists() -> None:
    records = [
        record("police", DAY, act="CASE-1"),  # -5
        record("court", DAY, item="court.judgment_default", source="court", act="CASE-1"),
    ]
    score = both(records)
    assert score.score == 900 and scoring_record(score) == {"court"}
    assert "blacklist" in score.lists  # the court's record scores; the police's counts still
    police = next(entry for entry in score.counting_records if entry.record.source != "court")
    assert police.counted_once_with == ("court", "court") and police.points == 0
    # With the list on the item that scores nothing, the subject is still on it.
    records = [
        record("court", DAY, item="court.judgment_default", source="court", act="CASE-2"),
        record("court-2", DAY, item="court.judgment_default", source="court", act="CASE-2"),
    ]
    assert both(records).lists == ("blacklist",) and both(records).score == 900


def test_records_of_positive_value_score_the_highest_once() -> None:
    records = [
        record("a", DAY, item="charity.volunteer_hour", source="charity", quantity=3, act="V"),
        record("b", DAY, item="charity.volunteer_hour", source="charity", quantity=7, act="V"),
    ]
    score = both(records)
    assert score.score == 1007 and scoring_record(score) == {"b"}


CAPPED = "traffic.speeding"  # -5, capped at 3 a year: scoring it gives 997, not 995


@pytest.mark.parametrize(
    ("records", "scores"),
    [
        # Equal values: the earliest decision scores.
        (
            [record("late", DAY, item=CAPPED, act="X"), record("early", days_before(100), act="X")],
            "early",
        ),
        # Equal values and days: the lowest source code ("court" < "traffic-police").
        (
            [record("p", DAY, item=CAPPED, act="X"), record("z", DAY, source="court", act="X")],
            "z",
        ),
        # Equal values, days and sources: the lowest record id ("r-10" < "r-2").
        (
            [record("r-2", DAY, item=CAPPED, act="X"), record("r-10", DAY, act="X")],
            "r-10",
        ),
    ],
)
def test_ties_go_to_the_earliest_day_then_the_lowest_source_then_the_lowest_record_id(
    records: list[LedgerRecord], scores: str
) -> None:
    # Both are worth -5 (days_before(100) is past the 30-day repeat); the one that loses the
    # tie is of the capped item, so the batch scorer's choice shows in its score too.
    score = both(records)
    assert score.score == 995 and scoring_record(score) == {scores}
    assert both(list(reversed(records))).score == 995


def test_a_repeat_can_make_a_record_the_one_that_scores() -> None:
    """Values first (§10.4), then one act once (§10.3): the repeated record's value wins."""
    records = [
        record("first", days_before(10)),  # -5, no act
        record("second", DAY, act="X"),  # -15: a repeat
        record("third", DAY, source="court", act="X"),  # -15 too; "court" < "traffic-police"
    ]
    score = both(records)
    assert score.score == 1000 - 5 - 15 and scoring_record(score) == {"first", "third"}


def test_only_counting_records_share_an_act() -> None:
    records = [
        record("old", days_before(400), item="court.judgment_default", source="court", act="X"),
        record("new", DAY, act="X"),
    ]
    # Both count (judgments count 1095 days): the judgment scores.
    assert both(records).score == 900
    # Revoked, the judgment no longer counts; the red light scores for the act.
    records[0] = record(
        "old",
        days_before(400),
        item="court.judgment_default",
        source="court",
        act="X",
        status="revoked",
    )
    assert both(records).score == 995


# -- §10.2 repairs ----------------------------------------------------------------------------


def test_a_repaired_record_stops_counting_on_the_day_of_the_grant() -> None:
    records = [record("a", days_before(200), item="court.judgment_default", source="court")]
    repairs = {("court", "a"): DAY}
    assert both(records, days_before(1), repairs).score == 900
    assert both(records, DAY, repairs).score == 1000
    assert both(records, DAY + dt.timedelta(days=1), repairs).lists == ()


def test_a_repaired_record_still_makes_a_repeat_and_frees_its_act() -> None:
    records = [record("a", days_before(1)), record("b", DAY, act="X")]
    repairs = {("traffic-police", "a"): DAY}
    assert both(records, DAY, repairs).score == 1000 - 15  # a no longer counts, still active
    shared = [
        record("court", DAY, item="court.judgment_default", source="court", act="X"),
        record("police", DAY, act="X"),
    ]
    assert both(shared, DAY, {("court", "court"): DAY}).score == 995
