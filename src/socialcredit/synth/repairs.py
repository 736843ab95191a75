"""The synthetic city's credit repairs (SPEC §10.2): a share of subjects apply for repair of a
penalty once its severity allows, the sources grant most applications, refuse some with a
reason, and leave a few pending.

Everything goes through the registry's own `apply_repair`, `grant_repair` and `refuse_repair`,
as an operator registering letters would, so the demo exercises the same rules as the command
line. `scs demo` calls `apply_and_decide` once per city, after the objections.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import numpy as np

from socialcredit.domain.repairs import REPAIR_STATES
from socialcredit.registry import Refused, Registry

REPAIRS_PER_1000_SUBJECTS = 1
APPLIED_WITHIN_DAYS = 180  # applications arrive over the last six months
GRANTED_SHARE = 0.6  # the sources grant most applications …
REFUSED_SHARE = 0.25  # … refuse a quarter, and leave the rest pending
DECIDED_WITHIN_DAYS = 30
CANDIDATES_PER_REPAIR = 8  # draws per wanted repair (many are no penalty, or not yet repairable)


@dataclass(frozen=True)
class RepairOutcome:
    applied: int
    by_state: dict[str, int]  # as they stand today, every state named


def apply_and_decide(
    registry: Registry, subjects: int, seed: int, per_1000: int = REPAIRS_PER_1000_SUBJECTS
) -> RepairOutcome:
    """Apply for repair of penalties of about `subjects` × `per_1000` ‰ subjects, and decide
    most applications."""
    rng = np.random.default_rng(seed + 10_2)  # apart from the objections' draws
    today = registry.today()
    wanted = max(1, subjects * per_1000 // 1000)
    highest = registry.highest_record_row_id()
    if highest == 0:
        return RepairOutcome(0, dict.fromkeys(REPAIR_STATES, 0))
    drawn = rng.choice(highest, size=min(highest, wanted * CANDIDATES_PER_REPAIR), replace=False)
    candidates = registry.records_by_row_ids(sorted(int(row_id) + 1 for row_id in drawn))
    applied = 0
    for record in candidates:
        if applied == wanted:
            break
        opens = registry.repair_opens(record.source, record.record_id)
        if opens is None or opens > today:
            continue
        earliest = max(opens, today - dt.timedelta(days=APPLIED_WITHIN_DAYS))
        applied_on = earliest + dt.timedelta(days=int(rng.integers(0, (today - earliest).days + 1)))
        try:
            repair = registry.apply_repair(
                record.source,
                record.record_id,
                "The fine is paid and the duty performed; receipt enclosed. I commit to comply.",
                applied_on,
            )
        except Refused:  # a record drawn twice, revoked since, or already applied for
            continue
        applied += 1
        decided_on = applied_on + dt.timedelta(days=int(rng.integers(1, DECIDED_WITHIN_DAYS)))
        if decided_on > today:
            continue
        draw = rng.random()
        if draw < GRANTED_SHARE:
            registry.grant_repair(repair.number, decided_on)
        elif draw < GRANTED_SHARE + REFUSED_SHARE:
            registry.refuse_repair(
                repair.number, "The receipt does not show the whole amount.", decided_on
            )
    states = Counter(repair.state for repair in registry.repairs())
    return RepairOutcome(applied, {state: states.get(state, 0) for state in REPAIR_STATES})
