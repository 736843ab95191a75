"""SPEC §5: the batch scorer and the per-subject (incremental) path give identical results."""

from __future__ import annotations

from hypothesis import given, settings

from socialcredit.domain.scoring import score_subject
from socialcredit.scoring.batch import score_ledger
from tests.helpers import ledger_frame, rulebook_of
from tests.property.strategies import catalogue_histories, ledgers_and_days


@settings(max_examples=300, deadline=None)
@given(catalogue_histories(), ledgers_and_days())
def test_batch_and_incremental_scores_are_identical(documents, ledger_and_day) -> None:
    records, as_of = ledger_and_day
    rulebook = rulebook_of(*documents)
    batch = {
        (row["kind"], row["subject_id"]): (row["score"], row["tier"], row["lists"])
        for row in score_ledger(ledger_frame(records), rulebook, as_of).iter_rows(named=True)
    }
    incremental = {}
    for key in {(record.subject_kind, record.subject_id) for record in records}:
        mine = [record for record in records if (record.subject_kind, record.subject_id) == key]
        score = score_subject(mine, rulebook, as_of)
        if score is not None:
            incremental[key] = (score.score, score.tier, ";".join(score.lists))
    assert batch == incremental
