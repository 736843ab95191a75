"""Objections to records and when they stop a record counting (SPEC §7.1, §5.2). Pure rules.

An objection is filed on day F against the current revision of a record. The source answers it
by upholding the record (on the day it says) or by a newer revision (on the day that revision is
received). From F + 30 days until the answer the objection is overdue, and while it is overdue
the record does not count. Everything here is a function of the facts and of a day: no clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, computed_field
from pydantic.dataclasses import dataclass

from socialcredit.domain.identifiers import SubjectKind

OBJECTION_ANSWER_DAYS = 30  # SPEC §7.1: overdue from the filing day + 30 days

ObjectionState = Literal["open", "overdue", "upheld", "corrected", "revoked"]
AnswerKind = Literal["upheld", "corrected", "revoked"]
OBJECTION_STATES: tuple[ObjectionState, ...] = ("open", "overdue", "upheld", "corrected", "revoked")
UNANSWERED_STATES: tuple[ObjectionState, ...] = ("open", "overdue")


@dataclasses.dataclass(frozen=True, slots=True)
class Answer:
    """How and when the source answered: an upholding answer (with its note) or the newer
    revision that corrected or revoked the record."""

    kind: AnswerKind
    answered_on: dt.date
    note: str | None = None


def answer_by_revision(status: str, received_on: dt.date) -> Answer:
    """A newer revision answers: `revoked` when it revokes the record, else `corrected`."""
    return Answer("revoked" if status == "revoked" else "corrected", received_on)


@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class Objection:
    """An objection as it stands on the day `as_of`: its state, and its answer if given by then.

    The facts (filing, answer) never change; `on(day)` looks at the same objection another day.
    This is also the objection as the file, `scs objection list --json` and the API show it
    (SPEC §7.4): its fields serialize as they are, with `kind`, `due_on`, `state`,
    `answered_on` and `note` as of `as_of`; `answer` and `as_of` stay inside.
    """

    number: int
    source: str
    record_id: str
    revision: int  # the revision objected to
    subject_kind: Annotated[SubjectKind, Field(serialization_alias="kind")]
    subject_id: str
    filed_on: dt.date
    reason: str
    # the answer whenever given, even after `as_of`
    answer: Annotated[Answer | None, Field(exclude=True)]
    as_of: Annotated[dt.date, Field(exclude=True)]

    def on(self, day: dt.date) -> Objection:
        return replace(self, as_of=day)

    @computed_field  # type: ignore[prop-decorator]
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

    @computed_field  # type: ignore[prop-decorator]
    @property
    def state(self) -> ObjectionState:
        answered = self.answered
        if answered is not None:
            return answered.kind
        return "overdue" if self.as_of >= self.due_on else "open"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def answered_on(self) -> dt.date | None:
        answered = self.answered
        return answered.answered_on if answered else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def note(self) -> str | None:
        answered = self.answered
        return answered.note if answered else None

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


def filing_refusal(
    earlier: Iterable[Objection], source: str, record_id: str, revision: int
) -> str | None:
    """SPEC §7.1: why a new objection to `revision` of a record cannot be filed, given the
    objections filed to that record before (by any revision); None when it can."""
    for objection in earlier:
        if objection.answer is None:
            return (
                f"objection {objection.number} to record {record_id!r} of {source!r} is still open"
            )
        if objection.revision == revision and objection.answer.kind == "upheld":
            return (
                f"objection {objection.number} to revision {revision} of record {record_id!r} "
                f"of {source!r} was upheld on {objection.answer.answered_on}"
            )
    return None


def upholding_refusal(objection: Objection, day: dt.date, today: dt.date) -> str | None:
    """SPEC §7.1: why the source cannot uphold `objection` on `day`; None when it can."""
    if objection.answer is not None:
        return (
            f"objection {objection.number} was already answered: {objection.answer.kind} on "
            f"{objection.answer.answered_on}"
        )
    if day > today:
        return f"the answer's day {day} lies after today ({today})"
    if day < objection.filed_on:
        return f"the answer's day {day} lies before the filing day {objection.filed_on}"
    return None


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
