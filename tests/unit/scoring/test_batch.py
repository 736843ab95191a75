"""The batch scorer on small ledgers whose scores are worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from socialcredit.domain.rules import AsOfBeforeCatalogue
from socialcredit.scoring.batch import SCORE_COLUMNS, score_ledger
from tests.helpers import ORGANIZATION, OTHER_PERSON, PERSON, ledger_frame
from tests.unit.domain.test_scoring import RULES


def test_scores_tiers_and_lists_for_every_subject_with_a_file() -> None:
    day = dt.date(2025, 6, 1)
    frame = ledger_frame(
        [
            ("person", PERSON, "court.judgment_default", dt.date(2025, 1, 1), 2, "active"),
            ("person", OTHER_PERSON, "charity.volunteer_hour", dt.date(2025, 1, 1), 50, "active"),
            ("person", OTHER_PERSON, "traffic.red_light", dt.date(2020, 1, 1), 1, "active"),
            ("organization", ORGANIZATION, "tax.arrears_major", dt.date(2024, 1, 1), 1, "revoked"),
            ("person", "110105194912310021", "traffic.red_light", dt.date(2026, 1, 1), 1, "active"),
        ]
    )
    scores = score_ledger(frame, RULES, day)
    assert scores.columns == list(SCORE_COLUMNS)
    assert scores.rows() == [
        ("11010519491231002X", "person", 800, "D", "blacklist;low_score"),
        ("440524188001010014", "person", 1030, "AA", ""),
        ("91350100M000100Y43", "organization", 1000, "AA", ""),
    ]


def test_scoring_before_the_first_catalogue_is_an_error() -> None:
    with pytest.raises(AsOfBeforeCatalogue):
        score_ledger(ledger_frame([]), RULES, dt.date(2020, 1, 1))


def test_an_empty_ledger_scores_nobody() -> None:
    assert score_ledger(ledger_frame([]), RULES, dt.date(2025, 1, 1)).height == 0
