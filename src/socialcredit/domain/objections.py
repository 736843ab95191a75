"""Objections to records and when they stop a record counting (SPEC §7.1, §5.2). Pure rules.

An objection is filed on day F against the current revision of a record. The source answers it
by upholding the record (on the day it says) or by a newer revision (on the day that revision is
received). From F + 30 days until the answer the objection is overdue, and while it is overdue
the record does not count. Everything here is a function of the facts and of a day: no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

from socialcredit.domain.identifiers import SubjectKind

OBJECTION_ANSWER_DAYS = 30  # SPEC §7.1: overdue from the filing day + 30 days

ObjectionState = Literal["open", "overdue", "upheld", "corrected", "revoked"]
AnswerKind = Literal["upheld", "corrected", "revoked"]
OBJECTION_STATES: tuple[ObjectionState, ...] = ("open", "overdue", "upheld", "corrected", "revoked")
UNANSWERED_STATES: tuple[ObjectionState, ...] = ("open", "overdue")


@dataclass(frozen=True, slots=True)
class Answer:
    """How and when the source answered: an upholding answer (with its note) or the newer
    revision that corrected or revoked the record."""

    kind: AnswerKind
    answered_on: dt.date
    note: str | None = None


def answer_by_revision(status: str, received_on: dt.date) -> Answer:
    """A newer revision answers: `revoked` when it revokes the record, else `corrected`."""
    return Answer("revoked" if status == "revoked" else "corrected", received_on)


@dataclass(frozen=True, slots=True)
class Objection:
    """An objection as it stands on the day `as_of`: its state, and its answer if given by then.

    The facts (filing, answer) never change; `on(day)` looks at the same objection another day.
    """

    number: int
    source: str
    record_id: str
    revision: int  # the revision objected to
    subject_kind: SubjectKind
    subject_id: str
    filed_on: dt.date
    reason: str
    answer: Answer | None  # the answer whenever given, even after `as_of`
    as_of: dt.date

    def on(self, day: dt.date) -> Objection:
        return replace(self, as_of=day)

    @property
    def due_on(self) -> dt.date:
        """The day from which the objection is overdue unless answered by then."""
        return self.filed_on + dt.timedelta(days=OBJECTION_ANSWER_DAYS)

    @property
    def answered(self) -> Answer | None:
        """The answer, if it was given on or before `as_of`."""
        if self.answer is not None and self.answer.answered_on <= self.as_of:
            return self.answer
        return None

    @property
    def answered_on(self) -> dt.date | None:
        answered = self.answered
        return answered.answered_on if answered else None

    @property
    def note(self) -> str | None:
        answered = self.answered
        return answered.note if answered else None

    @property
    def state(self) -> ObjectionState:
        answered = self.answered
        if answered is not None:
            return answered.kind
        return "overdue" if self.as_of >= self.due_on else "open"

    @property
    def is_overdue(self) -> bool:
        return self.state == "overdue"

    @property
    def overdue_from(self) -> dt.date:
        return self.due_on

    @property
    def overdue_until(self) -> dt.date | None:
        """The first day it is no longer overdue (the answer's day), None while unanswered."""
        return self.answer.answered_on if self.answer else None


def overdue_at(filed_on: dt.date, answered_on: dt.date | None, day: dt.date) -> bool:
    """SPEC §5.2: filed on F, no answer by `day`, and F + 30 days ≤ `day`."""
    return filed_on + dt.timedelta(days=OBJECTION_ANSWER_DAYS) <= day and (
        answered_on is None or day < answered_on
    )


def records_held_back(objections: Iterable[Objection], day: dt.date) -> set[tuple[str, str]]:
    """(source, record_id) of every record with an objection overdue on `day`: they do not
    count on that day, whichever revision the objection was filed against."""
    return {
        (objection.source, objection.record_id)
        for objection in objections
        if overdue_at(objection.filed_on, objection.overdue_until, day)
    }
