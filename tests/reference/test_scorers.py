"""The batch scorer and the per-subject scorer, each held to the reference model on
generated cases (SPEC §4–5)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcredit.domain.rules import AsOfBeforeCatalogue
from socialcredit.domain.scoring import score_subject
from socialcredit.scoring.batch import score_ledger
from tests.helpers import ledger_frame, rulebook_of
from tests.reference import model
from tests.reference.cases import (
    FIRST_EFFECTIVE,
    Case,
    cases,
    examples,
    objections_to,
    repairs_to,
)
from tests.reference.replay import (
    ledger_record,
    model_ledger,
    model_view,
    overdue_frame,
    project_objections,
    repairs_frame,
    score_row,
    subject_view,
)

EXAMPLES = examples(120)


@settings(max_examples=EXAMPLES, deadline=None)
@given(case=cases(), data=st.data())
def test_the_batch_scorer_equals_the_model(case: Case, data: st.DataObject) -> None:
    ledger, _ = model_ledger(case)
    current = ledger.current()
    objections = data.draw(objections_to(current, case.as_of))
    repairs = data.draw(repairs_to(current, case.as_of))
    rulebook = rulebook_of(*case.catalogues)
    frame = (
        ledger_frame([ledger_record(record) for record in current])
        .with_row_index("id")
        .with_columns(pl.col("id").cast(pl.Int64))
    )
    overdue = overdue_frame(objections, current)
    repaired = repairs_frame(repairs, current)
    for as_of in case.as_of:
        scores = model.score_all(current, ledger.versions, list(objections), as_of, repairs)
        expected = [score_row(score) for score in scores]
        got = score_ledger(frame, rulebook, as_of, overdue, repairs=repaired)
        assert got.rows() == expected, as_of


@settings(max_examples=EXAMPLES, deadline=None)
@given(case=cases(), data=st.data())
def test_the_per_subject_scorer_equals_the_model(case: Case, data: st.DataObject) -> None:
    ledger, _ = model_ledger(case)
    current = ledger.current()
    objections = data.draw(objections_to(current, case.as_of))
    repairs = data.draw(repairs_to(current, case.as_of))
    rulebook = rulebook_of(*case.catalogues)
    subjects = {(record.kind, record.subject_id) for record in current}
    for as_of in case.as_of:
        for kind, subject_id in sorted(subjects):
            expected = model.score_one(
                kind, subject_id, current, ledger.versions, list(objections), as_of, repairs
            )
            mine = [
                ledger_record(record)
                for record in current
                if record.kind == kind and record.subject_id == subject_id
            ]
            theirs = project_objections(objections, current, as_of)
            score = score_subject(mine, rulebook, as_of, theirs, repairs)
            assert (None if score is None else subject_view(score)) == (
                None if expected is None else model_view(expected)
            ), (kind, subject_id, as_of)


@settings(max_examples=5, deadline=None)
@given(case=cases(max_files=1, max_rows=1))
def test_a_date_before_the_first_version_is_an_error_in_both(case: Case) -> None:
    rulebook = rulebook_of(*case.catalogues)
    day = FIRST_EFFECTIVE - dt.timedelta(days=1)
    with pytest.raises(AsOfBeforeCatalogue):
        score_ledger(ledger_frame([]), rulebook, day)
    with pytest.raises(AsOfBeforeCatalogue):
        score_subject([], rulebook, day)
