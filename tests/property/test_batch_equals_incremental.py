"""SPEC §5: the batch scorer and the per-subject (incremental) path give identical results,
objections overdue at T (§5.2, §7.1), repairs (§10.2), repeats (§10.4) and acts recorded by
several sources (§10.3) included."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcredit.domain.objections import OBJECTION_ANSWER_DAYS, Answer, Objection
from socialcredit.domain.records import LedgerRecord
from socialcredit.domain.scoring import score_subject
from socialcredit.scoring.batch import score_ledger
from tests.helpers import ledger_frame, rulebook_of
from tests.property.strategies import catalogue_histories, ledgers_and_days


@st.composite
def objections_to(draw, records: list[LedgerRecord], as_of: dt.date) -> list[Objection]:
    """Random objections to random records, filed around `as_of` so that many are overdue
    then; some unanswered, some answered before, on or after their due day."""
    if not records:
        return []
    objections = []
    for number in range(1, draw(st.integers(0, 8)) + 1):
        target = draw(st.sampled_from(records))
        filed_on = as_of - dt.timedelta(days=draw(st.integers(-5, 90)))
        answer = None
        if draw(st.booleans()):
            answered_after = draw(st.integers(0, 2 * OBJECTION_ANSWER_DAYS + 10))
            kind = draw(st.sampled_from(["upheld", "corrected", "revoked"]))
            answer = Answer(kind, filed_on + dt.timedelta(days=answered_after))
        objections.append(
            Objection(
                number,
                target.source,
                target.record_id,
                target.revision,
                target.subject_kind,
                target.subject_id,
                filed_on,
                "why",
                answer,
                as_of,
            )
        )
    return objections


@st.composite
def repairs_to(draw, records: list[LedgerRecord], as_of: dt.date) -> dict[tuple[str, str], dt.date]:
    """Repairs granted to random records, before, on or after `as_of` (SPEC §10.2)."""
    if not records:
        return {}
    chosen = draw(st.lists(st.sampled_from(records), max_size=6))
    return {
        (record.source, record.record_id): max(
            record.decided_on, as_of + dt.timedelta(days=draw(st.sampled_from([-40, -1, 0, 1, 9])))
        )
        for record in chosen
    }


def repairs_frame(
    records: list[LedgerRecord], repairs: dict[tuple[str, str], dt.date]
) -> pl.DataFrame:
    """What the store will hand the batch scorer: each repaired record's row id, the grant day."""
    row_id = {(record.source, record.record_id): number for number, record in enumerate(records, 1)}
    return pl.DataFrame(
        [(row_id[key], granted_on) for key, granted_on in repairs.items()],
        schema={"id": pl.Int64, "granted_on": pl.Date},
        orient="row",
    )


def overdue_frame(records: list[LedgerRecord], objections: list[Objection]) -> pl.DataFrame:
    """What the store hands the batch scorer: each objection's record row id and interval."""
    row_id = {(record.source, record.record_id): number for number, record in enumerate(records, 1)}
    return pl.DataFrame(
        [
            (
                row_id[(objection.source, objection.record_id)],
                objection.overdue_from,
                objection.overdue_until,
            )
            for objection in objections
        ],
        schema={"id": pl.Int64, "overdue_from": pl.Date, "overdue_until": pl.Date},
        orient="row",
    )


@settings(max_examples=300, deadline=None)
@given(catalogue_histories(), ledgers_and_days(), st.data())
def test_batch_and_incremental_scores_are_identical(documents, ledger_and_day, data) -> None:
    records, as_of = ledger_and_day
    objections = data.draw(objections_to(records, as_of))
    repairs = data.draw(repairs_to(records, as_of))
    rulebook = rulebook_of(*documents)
    ledger = ledger_frame(records).with_row_index("id", offset=1).cast({"id": pl.Int64})
    overdue, repaired = overdue_frame(records, objections), repairs_frame(records, repairs)
    batch = {
        (row["kind"], row["subject_id"]): (row["score"], row["tier"], row["lists"])
        for row in score_ledger(ledger, rulebook, as_of, overdue, repairs=repaired).iter_rows(
            named=True
        )
    }
    incremental = {}
    for key in {(record.subject_kind, record.subject_id) for record in records}:
        mine = [record for record in records if (record.subject_kind, record.subject_id) == key]
        score = score_subject(mine, rulebook, as_of, objections, repairs)
        if score is not None:
            incremental[key] = (score.score, score.tier, ";".join(score.lists))
    assert batch == incremental
