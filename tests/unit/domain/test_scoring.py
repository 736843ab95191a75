"""The scoring rules of SPEC §5, one at a time, on the reference (per-subject) scorer."""

from __future__ import annotations

import datetime as dt

import pytest

from socialcredit.domain.records import LedgerRecord
from socialcredit.domain.rules import AsOfBeforeCatalogue
from socialcredit.domain.scoring import score_subject
from tests.helpers import PERSON, catalogue_document, rulebook_of


def make(
    item: str, decided_on: str, *, quantity: int = 1, status: str = "active", record_id: str = "r1"
) -> LedgerRecord:
    return LedgerRecord(
        source="court",
        record_id=record_id,
        revision=1,
        item=item,
        subject_kind="person",
        subject_id=PERSON,
        decided_on=dt.date.fromisoformat(decided_on),
        quantity=quantity,
        reference="DOC-1",
        status=status,
    )


RULES = rulebook_of(catalogue_document())
DAY = dt.date(2025, 6, 1)


def test_base_score_and_points_times_quantity() -> None:
    score = score_subject([make("traffic.red_light", "2025-01-10", quantity=3)], RULES, DAY)
    assert score is not None
    assert (score.score, score.tier) == (985, "A")
    assert [factor.points for factor in score.key_factors] == [-15]


def test_a_record_counts_from_its_decision_for_counts_for_days() -> None:
    record = make("traffic.red_light", "2024-01-01")  # counts for 365 days
    last_day = dt.date(2024, 1, 1) + dt.timedelta(days=364)
    assert score_subject([record], RULES, last_day).score == 995
    assert score_subject([record], RULES, last_day + dt.timedelta(days=1)).score == 1000
    assert score_subject([record], RULES, dt.date(2024, 1, 1)).score == 995


def test_revoked_records_do_not_count_but_keep_the_file() -> None:
    score = score_subject([make("traffic.red_light", "2025-01-10", status="revoked")], RULES, DAY)
    assert score is not None and score.score == 1000 and score.counting_records == ()


def test_no_file_before_the_first_decision() -> None:
    assert score_subject([make("traffic.red_light", "2025-07-01")], RULES, DAY) is None


def test_a_yearly_cap_clips_each_calendar_year_separately() -> None:
    records = [
        make("charity.volunteer_hour", "2024-11-01", quantity=25, record_id="a"),
        make("charity.volunteer_hour", "2024-12-01", quantity=25, record_id="b"),
        make("charity.volunteer_hour", "2025-01-05", quantity=12, record_id="c"),
    ]
    score = score_subject(records, RULES, DAY)
    assert score.score == 1000 + 30 + 12


def test_item_lists_and_threshold_lists() -> None:
    records = [
        make("court.judgment_default", "2025-01-10", record_id="a"),
        make("court.judgment_default", "2025-02-10", record_id="b"),
    ]
    score = score_subject(records, RULES, DAY)
    assert score.score == 800 and score.tier == "D"
    assert score.lists == ("blacklist", "low_score")
    lucky = [
        make("charity.volunteer_hour", f"2025-0{month}-01", quantity=30, record_id=str(month))
        for month in (1, 2)
    ]
    assert score_subject(lucky, RULES, DAY).lists == ()  # capped at 30: 1030, below 1050


def test_each_record_is_scored_by_the_version_in_effect_on_its_decision() -> None:
    second = catalogue_document(version=2, effective_from="2025-03-01")
    second["items"][0]["points"] = -8
    second["tiers"][1]["min"] = 990  # AA from 990 in version 2
    rules = rulebook_of(catalogue_document(), second)
    records = [
        make("traffic.red_light", "2025-02-28", record_id="old"),
        make("traffic.red_light", "2025-03-01", record_id="new"),
    ]
    score = score_subject(records, rules, DAY)
    assert score.score == 1000 - 5 - 8
    assert score.catalogue_version == 2 and score.tier == "A"
    # Tiers come from the version in effect on T: on 2025-02-28 version 1 applies.
    early = score_subject(records[:1], rules, dt.date(2025, 2, 28))
    assert early.score == 995 and early.tier == "A" and early.catalogue_version == 1


def test_key_factors_most_negative_first_then_most_positive() -> None:
    records = [
        make("traffic.red_light", "2025-01-10", record_id="a"),
        make("court.judgment_default", "2025-01-10", record_id="b"),
        make("charity.volunteer_hour", "2025-01-10", quantity=7, record_id="c"),
    ]
    factors = score_subject(records, RULES, DAY).key_factors
    assert [(factor.item, factor.points) for factor in factors] == [
        ("court.judgment_default", -100),
        ("traffic.red_light", -5),
        ("charity.volunteer_hour", 7),
    ]


def test_scoring_before_the_first_catalogue_is_an_error() -> None:
    with pytest.raises(AsOfBeforeCatalogue):
        score_subject([make("traffic.red_light", "2023-01-01")], RULES, dt.date(2023, 12, 31))
