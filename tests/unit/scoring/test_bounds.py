"""Scoring at the numeric bounds (docs/DECISIONS.md, "Numeric bounds"): points × quantity and
the sums never overflow, and the batch and per-subject scorers agree to the last point."""

from __future__ import annotations

import datetime as dt

from socialcredit.domain.catalogue import (
    MAX_CAP_PER_YEAR,
    MAX_COUNTS_FOR_DAYS,
    MAX_ITEM_POINTS,
    MAX_REPEAT_FACTOR,
    MAX_SCORE_MAGNITUDE,
)
from socialcredit.domain.records import LedgerRecord
from socialcredit.domain.scoring import score_subject
from socialcredit.scoring.batch import score_ledger
from tests.helpers import OTHER_PERSON, PERSON, catalogue_document, ledger_frame, rulebook_of

MAX_QUANTITY = 2**31 - 1
DAY = dt.date(2025, 6, 1)
INT64_MAX = 2**63 - 1


def bounded_rulebook(base_score: int = MAX_SCORE_MAGNITUDE):
    document = catalogue_document(base_score=base_score)
    items = document["items"]
    items[0]["points"] = -MAX_ITEM_POINTS  # traffic.red_light
    items[0]["repeat"] = {"within_days": 365, "factor": MAX_REPEAT_FACTOR}
    items[1]["points"] = MAX_ITEM_POINTS  # court.judgment_default, made a merit
    del items[1]["severity"]
    items[1]["counts_for_days"] = MAX_COUNTS_FOR_DAYS
    items[2]["points"] = MAX_ITEM_POINTS  # charity.volunteer_hour, capped
    items[2]["cap_per_year"] = MAX_CAP_PER_YEAR
    document["tiers"][0]["min"] = MAX_SCORE_MAGNITUDE
    return rulebook_of(document)


def ledger_record(number: int, subject_id: str, item: str, decided_on: dt.date) -> LedgerRecord:
    return LedgerRecord(
        source="court",
        record_id=f"r{number}",
        revision=1,
        item=item,
        subject_kind="person",
        subject_id=subject_id,
        decided_on=decided_on,
        quantity=MAX_QUANTITY,
        reference=f"DOC-{number}",
        status="active",
    )


def test_sums_beyond_64_bits_are_exact_in_both_scorers() -> None:
    rulebook = bounded_rulebook()
    per_record = MAX_ITEM_POINTS * MAX_QUANTITY
    records = [
        *(ledger_record(n, PERSON, "court.judgment_default", DAY) for n in range(6)),
        *(ledger_record(10 + n, OTHER_PERSON, "traffic.red_light", DAY) for n in range(6)),
        # Capped at 10^18 in each of two calendar years.
        *(
            ledger_record(20 + n, OTHER_PERSON, "charity.volunteer_hour", day)
            for n, day in enumerate([dt.date(2024, 12, 31), dt.date(2025, 1, 1)] * 2)
        ),
    ]
    expected = {
        PERSON: MAX_SCORE_MAGNITUDE + 6 * per_record,
        OTHER_PERSON: MAX_SCORE_MAGNITUDE - 6 * per_record + 2 * MAX_CAP_PER_YEAR,
    }
    assert expected[PERSON] > INT64_MAX and -expected[OTHER_PERSON] > INT64_MAX
    scores = score_ledger(ledger_frame(records), rulebook, DAY)
    batch = {row["subject_id"]: row for row in scores.iter_rows(named=True)}
    for subject_id, score in expected.items():
        mine = [record for record in records if record.subject_id == subject_id]
        single = score_subject(mine, rulebook, DAY)
        assert single is not None
        assert single.score == score
        assert batch[subject_id]["score"] == score
        assert batch[subject_id]["tier"] == single.tier
    assert batch[PERSON]["tier"] == "AAA"


def test_a_repeated_record_beyond_64_bits_is_exact_in_both_scorers() -> None:
    """SPEC §10.4: one record's value, × 5, leaves 64 bits at the catalogue's bounds."""
    rulebook = bounded_rulebook(base_score=0)
    records = [
        ledger_record(1, PERSON, "traffic.red_light", DAY - dt.timedelta(days=1)),
        ledger_record(2, PERSON, "traffic.red_light", DAY),
    ]
    per_record = -MAX_ITEM_POINTS * MAX_QUANTITY
    expected = per_record + MAX_REPEAT_FACTOR * per_record
    assert MAX_REPEAT_FACTOR * per_record < -INT64_MAX
    single = score_subject(records, rulebook, DAY)
    assert single is not None and single.score == expected
    assert score_ledger(ledger_frame(records), rulebook, DAY)["score"].to_list() == [expected]


def test_the_longest_period_counts_to_the_end_of_the_calendar() -> None:
    rulebook = bounded_rulebook(base_score=0)
    records = [ledger_record(1, PERSON, "court.judgment_default", dt.date(2025, 1, 1))]
    for as_of in (dt.date(2025, 1, 1), dt.date(9999, 12, 31)):
        single = score_subject(records, rulebook, as_of)
        assert single is not None and single.score == MAX_ITEM_POINTS * MAX_QUANTITY
        assert single.counting_records[0].counts_until is None  # beyond 9999-12-31
        batch = score_ledger(ledger_frame(records), rulebook, as_of)
        assert batch["score"].to_list() == [single.score]
