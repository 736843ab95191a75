"""SPEC §10.2 and §10.1: who may apply for repair and when, how the source decides, and from
which day a granted record stops counting. Pure rules, window edges included."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcredit.domain.catalogue import Severity
from socialcredit.domain.records import LedgerRecord
from socialcredit.domain.repairs import (
    Decision,
    Repair,
    application_refusal,
    decision_refusal,
    evidence_problem,
    refusal_reason_problem,
    repair_from,
    repairs_granted,
    severity_of,
)
from socialcredit.domain.rules import ItemRule

DECIDED = dt.date(2025, 3, 1)
TODAY = dt.date(2026, 12, 1)
PERSON = "11010519491231002X"


def rule(
    points: int = -50,
    severity: Severity | None = "ordinary",
    counts_for_days: int = 365,
    repairable: bool = True,
) -> ItemRule:
    return ItemRule(
        version=1,
        code="late_tax",
        title="Late tax",
        subject_kind="person",
        points=points,
        counts_for_days=counts_for_days,
        cap_per_year=None,
        lists=(),
        issuers=frozenset({"tax"}),
        legal_basis="Tax law",
        severity=severity,
        repairable=repairable,
    )


def record(status: str = "active", decided_on: dt.date = DECIDED) -> LedgerRecord:
    return LedgerRecord(
        "tax",
        "r1",
        1,
        "late_tax",
        "person",
        PERSON,
        decided_on,
        1,
        "ref",
        status,  # type: ignore[arg-type]
    )


def repair(
    decision: Decision | None = None, applied_on: dt.date = dt.date(2025, 6, 1), number: int = 1
) -> Repair:
    return Repair(
        number, "tax", "r1", 1, "person", PERSON, applied_on, "paid", decision, applied_on
    )


@pytest.mark.parametrize(
    ("severity", "first_day"),
    [
        ("minor", DECIDED),
        ("ordinary", DECIDED + dt.timedelta(days=90)),
        ("serious", DECIDED + dt.timedelta(days=365)),
    ],
)
def test_the_window_opens_on_the_severitys_day_not_one_day_before(
    severity: Severity, first_day: dt.date
) -> None:
    scored_by = rule(severity=severity, counts_for_days=90 if severity == "minor" else 400)
    assert repair_from(record(), scored_by) == first_day
    assert application_refusal(record(), scored_by, [], first_day, TODAY) is None
    too_early = application_refusal(
        record(), scored_by, [], first_day - dt.timedelta(days=1), TODAY
    )
    assert too_early is not None
    assert f"may be applied for from {first_day}" in too_early


def test_today_is_the_last_day_one_may_apply_on() -> None:
    assert application_refusal(record(), rule(), [], TODAY, TODAY) is None
    refusal = application_refusal(record(), rule(), [], TODAY + dt.timedelta(days=1), TODAY)
    assert (
        refusal
        == f"the application's day {TODAY + dt.timedelta(days=1)} lies after today ({TODAY})"
    )


def test_only_an_active_negative_repairable_record_can_be_repaired() -> None:
    day = dt.date(2025, 7, 1)
    assert "is revoked" in (application_refusal(record("revoked"), rule(), [], day, TODAY) or "")
    assert "not negative" in (application_refusal(record(), rule(points=0), [], day, TODAY) or "")
    assert "not negative" in (
        application_refusal(record(), rule(points=5, severity=None), [], day, TODAY) or ""
    )
    assert "cannot be repaired" in (
        application_refusal(record(), rule(repairable=False), [], day, TODAY) or ""
    )
    assert "no catalogue version" in (application_refusal(record(), None, [], day, TODAY) or "")


def test_a_pending_or_granted_application_bars_another_a_refused_one_does_not() -> None:
    day = dt.date(2025, 7, 1)
    assert "still pending" in (application_refusal(record(), rule(), [repair()], day, TODAY) or "")
    granted = repair(Decision("granted", dt.date(2025, 6, 5)))
    assert "was granted on 2025-06-05" in (
        application_refusal(record(), rule(), [granted], day, TODAY) or ""
    )
    refused = repair(Decision("refused", dt.date(2025, 6, 5), "not paid"))
    assert application_refusal(record(), rule(), [refused], day, TODAY) is None


def test_a_version_without_severities_waits_as_the_lightest_window_holding_its_days() -> None:
    assert severity_of(rule(severity=None, counts_for_days=90)) == "minor"
    assert severity_of(rule(severity=None, counts_for_days=91)) == "ordinary"
    assert severity_of(rule(severity=None, counts_for_days=365)) == "ordinary"
    assert severity_of(rule(severity=None, counts_for_days=366)) == "serious"
    assert severity_of(rule(severity=None, counts_for_days=5000)) == "serious"


def test_the_decision_lies_between_the_application_and_today_and_is_made_once() -> None:
    pending = repair(applied_on=dt.date(2025, 6, 1))
    assert decision_refusal(pending, dt.date(2025, 6, 1), TODAY) is None
    assert decision_refusal(pending, TODAY, TODAY) is None
    assert decision_refusal(pending, dt.date(2025, 5, 31), TODAY) == (
        "the decision's day 2025-05-31 lies before the application on 2025-06-01"
    )
    assert "lies after today" in (
        decision_refusal(pending, TODAY + dt.timedelta(days=1), TODAY) or ""
    )
    decided = repair(Decision("refused", dt.date(2025, 6, 2), "no proof"))
    assert decision_refusal(decided, dt.date(2025, 6, 3), TODAY) == (
        "repair 1 was already decided: refused on 2025-06-02"
    )


def test_only_the_records_source_decides() -> None:
    assert decision_refusal(repair(), dt.date(2025, 6, 1), TODAY, source="tax") is None
    assert "another source" in (
        decision_refusal(repair(), dt.date(2025, 6, 1), TODAY, source="court") or ""
    )


def test_state_on_a_day_follows_the_decision_day() -> None:
    granted = repair(Decision("granted", dt.date(2025, 6, 10)))
    before, on = granted.on(dt.date(2025, 6, 9)), granted.on(dt.date(2025, 6, 10))
    assert (before.state, before.decided_on) == ("pending", None)
    assert (on.state, on.decided_on, on.reason) == ("granted", dt.date(2025, 6, 10), None)
    refused = repair(Decision("refused", dt.date(2025, 6, 10), "no proof")).on(TODAY)
    assert (refused.state, refused.reason) == ("refused", "no proof")
    assert refused.granted_on is None
    assert granted.granted_on == dt.date(2025, 6, 10)


def test_the_document_names_its_fields_as_the_spec_does() -> None:
    from pydantic import TypeAdapter

    shown = TypeAdapter(Repair).dump_python(
        repair(Decision("granted", dt.date(2025, 6, 10))).on(TODAY), mode="json", by_alias=True
    )
    assert shown == {
        "number": 1,
        "source": "tax",
        "record_id": "r1",
        "revision": 1,
        "kind": "person",
        "subject_id": PERSON,
        "applied_on": "2025-06-01",
        "evidence": "paid",
        "state": "granted",
        "decided_on": "2025-06-10",
        "reason": None,
    }


def test_only_granted_repairs_reach_the_scorer() -> None:
    granted = repair(Decision("granted", dt.date(2025, 6, 10)))
    refused = repair(Decision("refused", dt.date(2025, 6, 10), "no"), number=2)
    assert repairs_granted([refused, repair(number=3), granted]) == {
        ("tax", "r1"): dt.date(2025, 6, 10)
    }


def test_evidence_and_reason_are_kept_up_to_two_thousand_characters() -> None:
    assert evidence_problem("x" * 2000) is None
    assert evidence_problem("x" * 2001) == "the evidence has 2001 characters; at most 2000"
    assert evidence_problem("  ") == "the evidence is empty"
    assert "control character" in (evidence_problem("paid\x00") or "")
    assert refusal_reason_problem("r" * 2000) is None
    assert refusal_reason_problem("r" * 2001) == "the reason has 2001 characters; at most 2000"
    assert refusal_reason_problem(None) == "the reason is empty"


@given(
    severity=st.sampled_from(["minor", "ordinary", "serious"]),
    offset=st.integers(min_value=-400, max_value=800),
)
def test_an_application_is_refused_for_its_day_exactly_outside_the_window(
    severity: Severity, offset: int
) -> None:
    scored_by = rule(severity=severity)
    day = DECIDED + dt.timedelta(days=offset)
    today = DECIDED + dt.timedelta(days=500)
    refusal = application_refusal(record(), scored_by, [], day, today)
    inside = repair_from(record(), scored_by) <= day <= today
    assert (refusal is None) == inside
