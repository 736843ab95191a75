"""Credit repair (SPEC §10.2), behind the facade: the subject applies, the record's source grants
or refuses.

`CreditRepair` is given what it works with: the store's rights tables (to find the record's
current revision), its repair tables (`store.repairs`, which own every transaction), the
rulebook that judges a source's records (a function of the source, SPEC §11: a publication
replaces it) and the clock. The rules are the
domain's (`domain/repairs.py`). Every refusal is a `Refused` with one line saying why.

The edges reach these methods through `Registry` only, whose `apply_repair`, `grant_repair` and
`refuse_repair` are the one place a repair is written: what must follow a write (the
population's cache invalidated) is done there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from socialcredit.domain.identifiers import SubjectRef
from socialcredit.domain.refusals import Refused
from socialcredit.domain.repairs import (
    DecisionKind,
    Repair,
    application_refusal,
    decision_refusal,
    evidence_problem,
    refusal_reason_problem,
    repair_from,
)
from socialcredit.domain.rules import Rulebook
from socialcredit.domain.text import shown, text_problem
from socialcredit.registry.clock import Clock, calendar_day
from socialcredit.store.repairs import AlreadyDecided, RepairTables
from socialcredit.store.rights import RightsTables


def _refuse_on(problem: str | None, field: str | None = None) -> None:
    if problem is not None:
        raise Refused(problem, field)


class CreditRepair:
    def __init__(
        self,
        rights: RightsTables,
        tables: RepairTables,
        rulebook: Callable[[str], Rulebook],
        clock: Clock,
    ):
        self.rights = rights
        self.tables = tables
        self.rulebook = rulebook
        self.clock = clock

    def today(self) -> dt.date:
        return calendar_day(self.clock)

    def apply(
        self, source: str, record_id: str, evidence: str, on: dt.date | None = None
    ) -> Repair:
        """The subject's application for repair of record `record_id` of `source`, received on
        `on` (default today); Refused when §10.2 does not allow it."""
        _refuse_on(evidence_problem(evidence), "evidence")
        for value, what, field in (
            (source, "the source", "source"),
            (record_id, "the record id", "record_id"),
        ):
            _refuse_on(text_problem(value, what, required=False), field)
        today = self.today()
        day = today if on is None else on
        record = self.rights.current_revision(source, record_id)
        if record is None:
            raise Refused(f"source {shown(source)} has no record {shown(record_id)}", "record_id")
        rule = self.rulebook(record.source).rule_for(record.item, record.decided_on)
        with self.tables.application(record) as application:
            problem = application_refusal(record, rule, application.earlier(day), day, today)
            _refuse_on(problem)
            number = application.append(day, evidence, self.clock())
        return self.one(number)

    def decide(
        self,
        number: int,
        decision: DecisionKind,
        reason: str | None = None,
        on: dt.date | None = None,
        source: str | None = None,
    ) -> Repair:
        """The source's decision on application `number` on `on` (default today). `source`,
        when given, is who decides: only the record's source may (the API and the web name
        it; the operator's command line decides for the source)."""
        repair = self.one(number)
        today = self.today()
        day = today if on is None else on
        _refuse_on(decision_refusal(repair, day, today, source))
        if decision == "refused":
            _refuse_on(refusal_reason_problem(reason), "reason")
        else:
            reason = None
        try:
            self.tables.append_decision(number, decision, day, reason, self.clock())
        except AlreadyDecided as error:  # decided meanwhile by someone else
            raise Refused(str(error)) from None
        return self.one(number)

    def list(
        self,
        source: str | None = None,
        subjects: Iterable[SubjectRef] | None = None,
        pending_only: bool = False,
    ) -> list[Repair]:
        """Applications as they stand today, in order of their numbers; `subjects`: those for
        revisions that named one of them; `pending_only`: not yet decided."""
        today = self.today()
        if subjects is not None:
            found = self.tables.repairs(today, source=source, subjects=list(subjects))
        else:
            found = self.tables.repairs(today, source=source)
        if pending_only:
            found = [repair for repair in found if repair.state == "pending"]
        return found

    def opens(self, source: str, record_id: str) -> dt.date | None:
        """The first day repair of the record may be applied for (SPEC §10.1), or None when it
        never may: no such record, its current revision revoked, its item not negative or not
        repairable. (Whether an application is pending or granted is not asked here.)"""
        record = self.rights.current_revision(source, record_id)
        if record is None or record.status != "active":
            return None
        rule = self.rulebook(record.source).rule_for(record.item, record.decided_on)
        if rule is None or rule.points >= 0 or not rule.repairable:
            return None
        return repair_from(record, rule)

    def one(self, number: int) -> Repair:
        found = self.tables.repairs(self.today(), number=number)
        if not found:
            raise Refused(f"there is no repair {number}")
        return found[0]

    def in_files(self, subjects: list[SubjectRef], as_of: dt.date) -> list[Repair]:
        """The applications for revisions that name `subjects`, as they stood on `as_of`."""
        return self.tables.repairs(as_of, subjects=subjects) if subjects else []


def repairs_in_file(repairs: Iterable[Repair], subject: SubjectRef, as_of: dt.date) -> list[Repair]:
    """The applications a file shows at `as_of`: for a revision that named this subject, made
    on or before `as_of`, as they stood that day."""
    return [
        repair
        for repair in repairs
        if repair.subject_kind == subject.kind
        and repair.subject_id == subject.subject_id
        and repair.applied_on <= as_of
    ]
