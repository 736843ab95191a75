"""A file's state (issue 16): what a check needs of one subject (score, tier, lists), and the
first day on which it may change, so that a check reads it and never rescores.

A score is a step function of the day: it changes only on a day when something it depends on
changes. For one subject those days are known in advance (SPEC §5.2, §7.1, §10.2):
- a record's decision day (it starts to count; a first record opens the file) and the day after
  its last counting day (decided_on + counts_for_days);
- an objection's due day (filed_on + 30: overdue, the record stops counting) and the day of its
  answer (the record counts again);
- the day a repair is granted (the record stops counting);
- the day a catalogue version takes effect (tiers, thresholds, base score).
Repeats (§10.4), one act once (§10.3) and caps (§5.3) depend on decision days and years alone,
which are fixed. So the state computed for day D is the answer on every day from D up to, not
including, the first of those days after D (`valid_until`). Anything else that changes (a new
record, an objection filed or answered, a repair, a publication) invalidates the state
(`store/subject_states.py`); a Hypothesis property holds the state to the batch scorer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from socialcredit.domain.objections import Objection
from socialcredit.domain.records import LedgerRecord
from socialcredit.domain.rules import Rulebook
from socialcredit.domain.scoring import RecordKey, score_subject


@dataclass(frozen=True, slots=True)
class SubjectState:
    """One file's answer from `valid_from` up to, not including, `valid_until` (None: until
    something changes). `score` None: no file on those days (no record decided yet)."""

    valid_from: dt.date
    valid_until: dt.date | None
    score: int | None
    tier: str
    lists: tuple[str, ...]
    catalogue_version: int

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)

    @property
    def has_file(self) -> bool:
        return self.score is not None


def change_days(
    records: Iterable[LedgerRecord],
    rulebook: Rulebook,
    objections: Iterable[Objection] = (),
    repairs: Mapping[RecordKey, dt.date] | None = None,
) -> set[dt.date]:
    """Every day on which the score of a file made of `records` may change."""
    days = set(rulebook.effective_dates)
    for record in records:
        days.add(record.decided_on)
        rule = rulebook.rule_for(record.item, record.decided_on)
        if rule is not None:
            try:
                days.add(record.decided_on + dt.timedelta(days=rule.counts_for_days))
            except OverflowError:
                pass
    for objection in objections:
        try:
            days.add(objection.overdue_from)
        except OverflowError:
            pass
        if objection.overdue_until is not None:
            days.add(objection.overdue_until)
    days.update((repairs or {}).values())
    return days


def subject_state(
    records: list[LedgerRecord],
    rulebook: Rulebook,
    day: dt.date,
    objections: Iterable[Objection] = (),
    repairs: Mapping[RecordKey, dt.date] | None = None,
) -> SubjectState:
    """The state of the file made of `records` (one subject's current revisions) on `day`, and
    how long it holds. AsOfBeforeCatalogue when no version is in effect on `day`."""
    objections = list(objections)
    catalogue = rulebook.scoring_version(day)
    later = [d for d in change_days(records, rulebook, objections, repairs) if d > day]
    until = min(later) if later else None
    score = score_subject(records, rulebook, day, objections, repairs) if records else None
    if score is None:
        return SubjectState(day, until, None, "", (), catalogue.version)
    return SubjectState(day, until, score.score, score.tier, score.lists, score.catalogue_version)
