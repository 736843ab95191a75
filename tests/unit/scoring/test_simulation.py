"""SPEC §10.6: what a candidate catalogue version would change, worked out by hand, and the
invariant that simulating the version in effect changes nothing."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from hypothesis import assume, given, settings

from socialcredit.catalogue.validation import validate_catalogue
from socialcredit.domain.catalogue import Catalogue
from socialcredit.domain.rules import AsOfBeforeCatalogue
from socialcredit.scoring.batch import score_ledger
from socialcredit.scoring.simulation import replaced_rulebook, simulate
from tests.helpers import OTHER_PERSON, PERSON, catalogue_document, ledger_frame, rulebook_of
from tests.property.strategies import catalogue_histories, ledgers_and_days

THIRD_PERSON = "371707197601146419"
AS_OF = dt.date(2026, 11, 22)


def catalogue_of(document: dict) -> Catalogue:
    report = validate_catalogue(document)
    assert report.valid, report.problems
    assert report.catalogue is not None
    return report.catalogue


def with_points(document: dict, **points: int) -> dict:
    changed = copy.deepcopy(document)
    for item in changed["items"]:
        if item["code"] in points:
            item["points"] = points[item["code"]]
    return changed


LEDGER = ledger_frame(
    [
        # 995, tier A
        ("person", PERSON, "traffic.red_light", dt.date(2026, 6, 1), 1, "active"),
        # 900, tier B, on the black list
        ("person", OTHER_PERSON, "court.judgment_default", dt.date(2026, 3, 1), 1, "active"),
        # 1030 (40 hours, capped at 30), tier AA
        ("person", THIRD_PERSON, "charity.volunteer_hour", dt.date(2026, 5, 1), 40, "active"),
    ]
)


def test_a_candidate_that_changes_points_is_counted_exactly() -> None:
    current = catalogue_document()
    candidate = with_points(
        catalogue_document(version=2, effective_from="2027-01-01"),
        **{"traffic.red_light": -60, "court.judgment_default": -200},
    )
    candidate["measures"].append(
        {
            "code": "fast_track",
            "title": "Fast-track approvals",
            "kind": "reward",
            "legal_basis": "Opinions on joint rewards (2016)",
            "applies_to": {"tier": "AA"},
            "relying_parties": ["permits-office"],
        }
    )
    report = simulate(LEDGER, rulebook_of(current), catalogue_of(candidate), AS_OF)
    assert report.document() == {
        "as_of": "2026-11-22",
        "subjects": 3,
        "subjects_changed": 2,
        # 995 → 940 (B); 900 → 800 (D, and below the low-score line of 850)
        "tier_changes": {"A>B": 1, "B>D": 1},
        "lists": {
            "blacklist": {"enter": 0, "leave": 0},
            "low_score": {"enter": 1, "leave": 0},
            "redlist": {"enter": 0, "leave": 0},
            "tax_arrears": {"enter": 0, "leave": 0},
        },
        "measures": {
            "fast_track": {"start": 1, "stop": 0},
            "no_air_travel": {"start": 0, "stop": 0},
        },
        "items": [
            {"item": "court.judgment_default", "points_before": -100, "points_after": -200},
            {"item": "traffic.red_light", "points_before": -5, "points_after": -60},
        ],
    }
    assert (report.replaced_version, report.candidate_version) == (1, 2)


def test_only_the_records_of_the_version_in_effect_take_the_candidates_points() -> None:
    first = catalogue_document()
    second = catalogue_document(version=2, effective_from="2025-06-01")
    ledger = ledger_frame(
        [
            # decided under version 1: keeps its -100
            ("person", PERSON, "court.judgment_default", dt.date(2025, 1, 1), 1, "active"),
            # decided under version 2: takes the candidate's -60
            ("person", PERSON, "traffic.red_light", dt.date(2026, 1, 1), 1, "active"),
        ]
    )
    candidate = with_points(
        catalogue_document(version=3, effective_from="2027-01-01"),
        **{"traffic.red_light": -60, "court.judgment_default": -300},
    )
    report = simulate(ledger, rulebook_of(first, second), catalogue_of(candidate), AS_OF)
    assert report.replaced_version == 2
    assert [(c.item, c.points_before, c.points_after) for c in report.items] == [
        ("traffic.red_light", -5, -60)
    ]
    # 895 (C) → 840 (D), below the low-score line of 850; -300 would have made it 640
    assert report.tier_changes == {"C>D": 1}
    assert report.lists["low_score"] == {"enter": 1, "leave": 0}
    assert report.lists["blacklist"] == {"enter": 0, "leave": 0}


def test_tiers_lists_and_base_score_come_from_the_candidate() -> None:
    candidate = catalogue_document(version=2, effective_from="2027-01-01", base_score=1100)
    candidate["lists"]["redlist"]["score_at_least"] = 1100
    report = simulate(LEDGER, rulebook_of(catalogue_document()), catalogue_of(candidate), AS_OF)
    # Every score rises by 100: 1095 (AAA), 1000 (AA), 1130 (AAA, and on the red list)
    assert report.subjects_changed == 3
    assert report.tier_changes == {"A>AAA": 1, "AA>AAA": 1, "B>AA": 1}
    assert report.lists["redlist"] == {"enter": 1, "leave": 0}
    assert report.items == ()  # no item's summed value moved: the base score did


def test_a_measure_the_candidate_drops_stops_for_everyone_it_applied_to() -> None:
    candidate = catalogue_document(version=2, effective_from="2027-01-01", measures=[])
    report = simulate(LEDGER, rulebook_of(catalogue_document()), catalogue_of(candidate), AS_OF)
    assert report.measures == {"no_air_travel": {"start": 0, "stop": 1}}
    assert report.subjects_changed == 0


def test_no_version_in_effect_is_an_error() -> None:
    candidate = catalogue_of(catalogue_document(version=2))
    with pytest.raises(AsOfBeforeCatalogue):
        simulate(LEDGER, rulebook_of(catalogue_document()), candidate, dt.date(2020, 1, 1))


def test_at_most_ten_items_the_largest_change_first() -> None:
    document = catalogue_document()
    template = document["items"][0]
    document["items"] = [
        {**template, "code": f"traffic.rule_{n:02}", "title": f"Broke rule {n}"} for n in range(12)
    ]
    candidate = copy.deepcopy(document)
    candidate.update(version=2, effective_from="2027-01-01")
    for n, item in enumerate(candidate["items"]):
        item["points"] = -5 - n
    ledger = ledger_frame(
        [
            ("person", PERSON, f"traffic.rule_{n:02}", dt.date(2026, 6, 1), 1, "active")
            for n in range(12)
        ]
    )
    report = simulate(ledger, rulebook_of(document), catalogue_of(candidate), AS_OF)
    assert [change.item for change in report.items] == [
        f"traffic.rule_{n:02}" for n in range(11, 1, -1)
    ]
    assert report.items[0].points_after == -16


@settings(max_examples=60, deadline=None)
@given(catalogue_histories(), ledgers_and_days())
def test_simulating_the_version_in_effect_changes_nothing(documents, ledger_and_day) -> None:
    records, as_of = ledger_and_day
    rulebook = rulebook_of(*documents)
    current = rulebook.version_on(as_of)
    assume(current is not None)
    assert current is not None
    # The same rules as a new version would carry them: a higher number, a later day.
    candidate = current.model_copy(
        update={"version": 99, "effective_from": as_of + dt.timedelta(days=30)}
    )
    report = simulate(ledger_frame(records), rulebook, candidate, as_of)
    assert report.subjects == score_ledger(ledger_frame(records), rulebook, as_of).height
    assert report.subjects_changed == 0
    assert report.tier_changes == {}
    assert report.items == ()
    assert all(moves == {"enter": 0, "leave": 0} for moves in report.lists.values())
    assert all(moves == {"start": 0, "stop": 0} for moves in report.measures.values())


@settings(max_examples=40, deadline=None)
@given(catalogue_histories(), ledgers_and_days(), catalogue_histories())
def test_the_report_agrees_with_scoring_under_the_replaced_rules(
    documents, ledger_and_day, others
) -> None:
    """Whatever the candidate, the report's counts are those of the two scorings compared."""
    records, as_of = ledger_and_day
    rulebook = rulebook_of(*documents)
    assume(rulebook.version_on(as_of) is not None)
    candidate = rulebook_of(others[-1]).catalogues[0]
    ledger = ledger_frame(records)
    report = simulate(ledger, rulebook, candidate, as_of)
    before = {
        (row[0], row[1]): row[2:] for row in score_ledger(ledger, rulebook, as_of).iter_rows()
    }
    after = {
        (row[0], row[1]): row[2:]
        for row in score_ledger(
            ledger, replaced_rulebook(rulebook, candidate, as_of), as_of
        ).iter_rows()
    }
    assert before.keys() == after.keys()
    assert report.subjects_changed == sum(before[key] != after[key] for key in before)
    tier_moves = sum(before[key][1] != after[key][1] for key in before)
    assert sum(report.tier_changes.values()) == tier_moves
    for name, moves in report.lists.items():
        entered = sum(
            name not in before[key][2].split(";") and name in after[key][2].split(";")
            for key in before
        )
        assert moves["enter"] == entered
    assert len(report.items) <= 10
    assert all(change.points_before != change.points_after for change in report.items)
