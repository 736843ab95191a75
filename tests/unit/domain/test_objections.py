"""SPEC §7.1 and §5.2: an objection's state on a day, and when it holds a record back."""

from __future__ import annotations

import datetime as dt

from socialcredit.domain.objections import Answer, Objection, overdue_at, records_held_back

FILED = dt.date(2025, 1, 31)
DUE = dt.date(2025, 3, 2)  # 30 days later


def objection(answer: Answer | None = None, as_of: dt.date = FILED) -> Objection:
    return Objection(
        1, "court", "r1", 1, "person", "11010519491231002X", FILED, "why", answer, as_of
    )


def test_open_until_the_due_day_then_overdue_until_answered() -> None:
    filed = objection()
    assert filed.due_on == DUE
    assert filed.on(DUE - dt.timedelta(days=1)).state == "open"
    assert filed.on(DUE).state == "overdue"
    answered = objection(Answer("upheld", dt.date(2025, 4, 1), "stands"))
    assert (
        answered.on(dt.date(2025, 3, 31)).state,
        answered.on(dt.date(2025, 3, 31)).answered_on,
    ) == ("overdue", None)
    on_the_day = answered.on(dt.date(2025, 4, 1))
    assert (on_the_day.state, on_the_day.answered_on, on_the_day.note) == (
        "upheld",
        dt.date(2025, 4, 1),
        "stands",
    )


def test_an_answer_before_the_due_day_means_never_overdue() -> None:
    early = objection(Answer("corrected", dt.date(2025, 2, 10)))
    assert [early.on(FILED + dt.timedelta(days=days)).state for days in (0, 9, 10, 30, 400)] == [
        "open",
        "open",
        "corrected",
        "corrected",
        "corrected",
    ]
    assert not any(
        overdue_at(FILED, dt.date(2025, 2, 10), FILED + dt.timedelta(days=days))
        for days in range(500)
    )


def test_records_held_back_on_a_day() -> None:
    revoked = objection(Answer("revoked", dt.date(2025, 3, 5)))
    assert records_held_back([revoked], DUE - dt.timedelta(days=1)) == set()
    assert records_held_back([revoked], DUE) == {("court", "r1")}
    assert records_held_back([revoked], dt.date(2025, 3, 4)) == {("court", "r1")}
    assert records_held_back([revoked], dt.date(2025, 3, 5)) == set()
    assert records_held_back([objection()], dt.date(2030, 1, 1)) == {("court", "r1")}
