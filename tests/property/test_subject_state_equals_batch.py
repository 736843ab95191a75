"""Issue 16: a file's state, computed on one day, is the batch scorer's answer on every day
for which it says it holds, over random ledgers, days and events (objections filed and
answered, repairs granted, catalogue versions taking effect). A check that reads the state
never rescores; this is why it may."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcredit.domain.subject_state import subject_state
from socialcredit.scoring.batch import score_ledger
from tests.helpers import ledger_frame, rulebook_of
from tests.property.strategies import catalogue_histories, ledgers_and_days
from tests.property.test_batch_equals_incremental import (
    objections_to,
    overdue_frame,
    repairs_frame,
    repairs_to,
)


@settings(max_examples=200, deadline=None)
@given(catalogue_histories(), ledgers_and_days(), st.data())
def test_the_state_is_the_batch_scorer_s_answer_on_every_day_it_holds(
    documents, ledger_and_day, data
) -> None:
    records, computed_on = ledger_and_day
    objections = data.draw(objections_to(records, computed_on))
    repairs = data.draw(repairs_to(records, computed_on))
    rulebook = rulebook_of(*documents)
    if rulebook.version_on(computed_on) is None:
        return
    ledger = ledger_frame(records).with_row_index("id", offset=1).cast({"id": pl.Int64})
    overdue, repaired = overdue_frame(records, objections), repairs_frame(records, repairs)
    subjects = sorted({(record.subject_kind, record.subject_id) for record in records})
    states = {
        key: subject_state(
            [r for r in records if (r.subject_kind, r.subject_id) == key],
            rulebook,
            computed_on,
            [o.on(computed_on) for o in objections],
            repairs,
        )
        for key in subjects
    }
    # Days the states hold: the day computed, the last day each holds, and random ones.
    days = {computed_on}
    for state in states.values():
        if state.valid_until is not None:
            days.add(state.valid_until - dt.timedelta(days=1))
    offsets = data.draw(st.lists(st.integers(0, 1500), max_size=4))
    days |= {computed_on + dt.timedelta(days=offset) for offset in offsets}
    for day in sorted(days):
        batch = {
            (row["kind"], row["subject_id"]): (row["score"], row["tier"], row["lists"])
            for row in score_ledger(ledger, rulebook, day, overdue, repairs=repaired).iter_rows(
                named=True
            )
        }
        for key, state in states.items():
            if not state.valid_on(day):
                assert state.valid_until is not None and day >= state.valid_until
                continue
            expected = batch.get(key)
            if state.has_file:
                assert expected == (state.score, state.tier, ";".join(state.lists)), (key, day)
            else:
                assert expected is None, (key, day)
