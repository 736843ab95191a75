"""SPEC §5: the batch scorer and the per-subject (incremental) path give identical results."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings

from socialcredit.domain.scoring import score_subject
from socialcredit.scoring.batch import score_ledger
from tests.property.strategies import catalogue_histories, ledgers_and_days, rulebook_of


def as_frame(records) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "subject_kind": [record.subject_kind for record in records],
            "subject_id": [record.subject_id for record in records],
            "item": [record.item for record in records],
            "decided_on": [record.decided_on for record in records],
            "quantity": [record.quantity for record in records],
            "status": [record.status for record in records],
        },
        schema={
            "subject_kind": pl.String,
            "subject_id": pl.String,
            "item": pl.String,
            "decided_on": pl.Date,
            "quantity": pl.Int32,
            "status": pl.String,
        },
    )


@settings(max_examples=300, deadline=None)
@given(catalogue_histories(), ledgers_and_days())
def test_batch_and_incremental_scores_are_identical(documents, ledger_and_day) -> None:
    records, as_of = ledger_and_day
    rulebook = rulebook_of(documents)
    batch = {
        (row["kind"], row["subject_id"]): (row["score"], row["tier"], row["lists"])
        for row in score_ledger(as_frame(records), rulebook, as_of).iter_rows(named=True)
    }
    incremental = {}
    for key in {(record.subject_kind, record.subject_id) for record in records}:
        mine = [record for record in records if (record.subject_kind, record.subject_id) == key]
        score = score_subject(mine, rulebook, as_of)
        if score is not None:
            incremental[key] = (score.score, score.tier, ";".join(score.lists))
    assert batch == incremental
