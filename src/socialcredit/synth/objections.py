"""The synthetic city's objections (SPEC §7.1): a share of subjects object to a penalty, the
sources uphold most objections, mostly in time, and leave some to go overdue.

Everything goes through the registry's own `file_objection` and `uphold_objection`, as an
operator registering letters would, so the demo exercises the same rules as the command line.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import numpy as np

from socialcredit.domain.objections import OBJECTION_ANSWER_DAYS, OBJECTION_STATES
from socialcredit.registry import Refused, Registry

OBJECTIONS_PER_1000_SUBJECTS = 1
FILED_WITHIN_DAYS = 120  # objections arrive over the last four months
UPHELD_SHARE = 0.7  # the sources uphold most objections …
LATE_SHARE = 0.2  # … a fifth of those only after the objection went overdue
CANDIDATES_PER_OBJECTION = 4  # draws per wanted objection (some are no penalty, some repeat)


@dataclass(frozen=True)
class ObjectionOutcome:
    filed: int
    by_state: dict[str, int]  # as they stand today, every state named


def object_and_answer(
    registry: Registry, subjects: int, seed: int, per_1000: int = OBJECTIONS_PER_1000_SUBJECTS
) -> ObjectionOutcome:
    """File objections to penalties of about `subjects` × `per_1000` ‰ subjects and answer
    most of them."""
    rng = np.random.default_rng(seed)
    today = registry.today()
    wanted = max(1, subjects * per_1000 // 1000)
    highest = registry.highest_record_row_id()
    if highest == 0:
        return ObjectionOutcome(0, dict.fromkeys(OBJECTION_STATES, 0))
    drawn = (
        rng.choice(highest, size=min(highest, wanted * CANDIDATES_PER_OBJECTION), replace=False) + 1
    )
    candidates = registry.records_by_row_ids(sorted(int(row_id) for row_id in drawn))
    rulebook = registry.rulebook
    filed = 0
    for record in candidates:
        rule = rulebook.rule_for(record.item, record.decided_on)
        if filed == wanted or rule is None or rule.points >= 0:
            continue
        earliest = max(record.decided_on, today - dt.timedelta(days=FILED_WITHIN_DAYS))
        filed_on = earliest + dt.timedelta(days=int(rng.integers(0, (today - earliest).days + 1)))
        try:
            objection = registry.file_objection(
                record.source,
                record.record_id,
                "The decision was wrong; documents enclosed.",
                filed_on,
            )
        except Refused:  # a record drawn twice, or one already objected to
            continue
        filed += 1
        if rng.random() < UPHELD_SHARE:
            late = rng.random() < LATE_SHARE
            days = int(
                rng.integers(OBJECTION_ANSWER_DAYS + 1, 2 * OBJECTION_ANSWER_DAYS)
                if late
                else rng.integers(1, OBJECTION_ANSWER_DAYS)
            )
            answered_on = filed_on + dt.timedelta(days=days)
            if answered_on <= today:
                registry.uphold_objection(objection.number, "The record stands.", answered_on)
    states = Counter(objection.state for objection in registry.objections())
    return ObjectionOutcome(filed, {state: states.get(state, 0) for state in OBJECTION_STATES})
