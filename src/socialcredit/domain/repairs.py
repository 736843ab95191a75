"""Credit repair (SPEC §10.2, §10.1): who may apply for it, when, and how the source decides.
Pure rules.

The subject applies on day A for repair of a negative record (its current revision active, its
item repairable in the version that scores it), no earlier than the day its severity allows and
no later than today, while no other application for the record is pending or granted. The
record's source grants or refuses it on a day D with A ≤ D ≤ today. A record granted repair on G
does not count at any T ≥ G, whatever its later revisions (`repairs_granted`); before G it counts
as usual. Applications and decisions are facts that never change: `on(day)` looks at the same
application another day, as the objections do (`domain/objections.py`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, computed_field
from pydantic.dataclasses import dataclass

from socialcredit.domain.catalogue import REPAIR_AFTER_DAYS, SEVERITY_COUNTS_FOR_DAYS, Severity
from socialcredit.domain.identifiers import SubjectKind
from socialcredit.domain.limits import EVIDENCE_MAX_CHARS, REFUSAL_MAX_CHARS
from socialcredit.domain.records import LedgerRecord
from socialcredit.domain.rules import ItemRule
from socialcredit.domain.text import text_problem

RepairState = Literal["pending", "granted", "refused"]
DecisionKind = Literal["granted", "refused"]
REPAIR_STATES: tuple[RepairState, ...] = ("pending", "granted", "refused")

# A record as a source names it: (source, record_id).
RecordKey = tuple[str, str]


@dataclasses.dataclass(frozen=True, slots=True)
class Decision:
    """The source's decision on an application: granted or refused (with its reason), and on
    which day."""

    kind: DecisionKind
    decided_on: dt.date
    reason: str | None = None


@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class Repair:
    """An application for repair as it stands on the day `as_of`, with its decision if given by
    then. This is also the repair as the file, `scs repair list --json` and the API show it
    (SPEC §10.2): `state`, `decided_on` and `reason` as of `as_of`; `decision` and `as_of` stay
    inside."""

    number: int
    source: str
    record_id: str
    revision: int  # the revision current when the subject applied
    subject_kind: Annotated[SubjectKind, Field(serialization_alias="kind")]
    subject_id: str
    applied_on: dt.date
    evidence: str
    # the decision whenever given, even after `as_of`
    decision: Annotated[Decision | None, Field(exclude=True)]
    as_of: Annotated[dt.date, Field(exclude=True)]

    def on(self, day: dt.date) -> Repair:
        return replace(self, as_of=day)

    @property
    def decided(self) -> Decision | None:
        """The decision, if it was given on or before `as_of`."""
        if self.decision is not None and self.decision.decided_on <= self.as_of:
            return self.decision
        return None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def state(self) -> RepairState:
        decided = self.decided
        return "pending" if decided is None else decided.kind

    @computed_field  # type: ignore[prop-decorator]
    @property
    def decided_on(self) -> dt.date | None:
        decided = self.decided
        return decided.decided_on if decided else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def reason(self) -> str | None:
        """Why the source refused (None unless refused by `as_of`)."""
        decided = self.decided
        return decided.reason if decided else None

    @property
    def granted_on(self) -> dt.date | None:
        """The day repair was granted, whenever (None: not granted, or not yet decided)."""
        if self.decision is not None and self.decision.kind == "granted":
            return self.decision.decided_on
        return None


def severity_of(rule: ItemRule) -> Severity:
    """The item's severity (SPEC §10.1). A version published before severities existed names
    none: its item is taken to be of the lightest severity whose window holds its
    `counts_for_days` (serious beyond every window), so that its repair waits as long as a
    published version would make it wait."""
    if rule.severity is not None:
        return rule.severity
    for severity, (_shortest, longest) in SEVERITY_COUNTS_FOR_DAYS.items():
        if rule.counts_for_days <= longest:
            return severity
    return "serious"


def repair_from(record: LedgerRecord, rule: ItemRule) -> dt.date:
    """The first day on which repair of `record` may be applied for (SPEC §10.1)."""
    try:
        return record.decided_on + dt.timedelta(days=REPAIR_AFTER_DAYS[severity_of(rule)])
    except OverflowError:
        return dt.date.max


def application_refusal(
    record: LedgerRecord,
    rule: ItemRule | None,
    earlier: Iterable[Repair],
    day: dt.date,
    today: dt.date,
) -> str | None:
    """SPEC §10.2: why the subject cannot apply on `day` for repair of `record` (its current
    revision), scored by `rule`, given the applications for that record made before; None when
    it can."""
    name = f"record {record.record_id!r} of {record.source!r}"
    if record.status != "active":
        return f"{name} is {record.status}: only an active record can be repaired"
    if rule is None:
        return f"no catalogue version scores {name} (item {record.item!r})"
    if rule.points >= 0:
        return (
            f"{name} is not negative (item {rule.code!r} scores {rule.points}): nothing to repair"
        )
    if not rule.repairable:
        return (
            f"item {rule.code!r} of {name} cannot be repaired (version {rule.version} says "
            "repairable: false)"
        )
    if day > today:
        return f"the application's day {day} lies after today ({today})"
    first = repair_from(record, rule)
    if day < first:
        return (
            f"repair of {name} may be applied for from {first} ({severity_of(rule)}: decided on "
            f"{record.decided_on} + {REPAIR_AFTER_DAYS[severity_of(rule)]} days), not on {day}"
        )
    for repair in earlier:
        if repair.decision is None:
            return f"repair {repair.number} of {name} is still pending"
        if repair.decision.kind == "granted":
            return f"repair {repair.number} of {name} was granted on {repair.decision.decided_on}"
    return None


def evidence_problem(evidence: str | None) -> str | None:
    """Why `evidence` cannot be kept as an application's (SPEC §10.2: at most 2,000
    characters), or None."""
    return text_problem(evidence, "the evidence", EVIDENCE_MAX_CHARS)


def refusal_reason_problem(reason: str | None) -> str | None:
    """Why `reason` cannot be kept as the source's reason to refuse, or None."""
    return text_problem(reason, "the reason", REFUSAL_MAX_CHARS)


def decision_refusal(
    repair: Repair, day: dt.date, today: dt.date, source: str | None = None
) -> str | None:
    """SPEC §10.2: why `repair` cannot be decided on `day`, and by `source` when one is named
    (only the record's source decides); None when it can."""
    if source is not None and source != repair.source:
        return f"repair {repair.number} is for a record of another source: only it decides"
    if repair.decision is not None:
        return (
            f"repair {repair.number} was already decided: {repair.decision.kind} on "
            f"{repair.decision.decided_on}"
        )
    if day > today:
        return f"the decision's day {day} lies after today ({today})"
    if day < repair.applied_on:
        return f"the decision's day {day} lies before the application on {repair.applied_on}"
    return None


def repairs_granted(repairs: Iterable[Repair]) -> dict[RecordKey, dt.date]:
    """(source, record_id) → the day repair was granted, for the scorer (`score_subject`): from
    that day on the record does not count, whichever revision is current."""
    granted: dict[RecordKey, dt.date] = {}
    for repair in repairs:
        day = repair.granted_on
        if day is not None:
            key = (repair.source, repair.record_id)
            granted[key] = min(day, granted.get(key, day))
    return granted
