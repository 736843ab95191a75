"""Running a generated case through the reference model, and reading the project's answers
in the model's terms."""

from __future__ import annotations

import datetime as dt

import polars as pl

from socialcredit.domain.objections import OBJECTION_ANSWER_DAYS, Answer
from socialcredit.domain.objections import Objection as ProjectObjection
from socialcredit.domain.records import LedgerRecord
from tests.reference import model
from tests.reference.cases import Case


def model_ledger(case: Case) -> tuple[model.Ledger, list[list[str]]]:
    """The model's ledger after every file, and each file's verdicts row by row."""
    ledger = model.Ledger([model.read_version(document) for document in case.catalogues])
    verdicts = [
        [ledger.judge(file.source, row, file.submitted_on) for row in file.rows]
        for file in case.files
    ]
    return ledger, verdicts


def ledger_record(record: model.Record) -> LedgerRecord:
    return LedgerRecord(
        source=record.source,
        record_id=record.record_id,
        revision=record.revision,
        item=record.item,
        subject_kind=record.kind,
        subject_id=record.subject_id,
        decided_on=record.decided_on,
        quantity=record.quantity,
        reference=record.reference,
        status=record.status,
        act=record.act,
    )


def score_row(score: model.Score) -> tuple:
    """A model score as a row of `scs score`."""
    return (score.subject_id, score.kind, score.score, score.tier, ";".join(score.lists))


def subject_view(score) -> tuple:
    """A `SubjectScore` of the project in the model's terms."""
    return (
        score.subject_id,
        score.subject_kind,
        score.score,
        score.tier,
        tuple(score.lists),
        tuple((factor.item, factor.points) for factor in score.key_factors),
        frozenset(
            (entry.record.source, entry.record.record_id, entry.record.revision)
            for entry in score.counting_records
        ),
        frozenset(
            (entry.record.source, entry.record.record_id, entry.points)
            for entry in score.counting_records
        ),
        frozenset(
            (entry.key, entry.counted_once_with)
            for entry in score.counting_records
            if entry.counted_once_with is not None
        ),
    )


def model_view(score: model.Score) -> tuple:
    return (
        score.subject_id,
        score.kind,
        score.score,
        score.tier,
        score.lists,
        score.key_factors,
        score.counting,
        score.scored,
        score.counted_once,
    )


def project_objections(
    objections: tuple[model.Objection, ...], current: list[model.Record], as_of: dt.date
) -> list[ProjectObjection]:
    """The model's objections as the per-subject scorer takes them (filed against the current
    revision; an answer, when there is one, is an upholding one)."""
    revision_of = {(record.source, record.record_id): record for record in current}
    result = []
    for number, objection in enumerate(objections, start=1):
        record = revision_of[(objection.source, objection.record_id)]
        answer = None if objection.answered_on is None else Answer("upheld", objection.answered_on)
        result.append(
            ProjectObjection(
                number,
                record.source,
                record.record_id,
                record.revision,
                record.kind,
                record.subject_id,
                objection.filed_on,
                "generated",
                answer,
                as_of,
            )
        )
    return result


def overdue_frame(
    objections: tuple[model.Objection, ...], current: list[model.Record]
) -> pl.DataFrame:
    """The model's objections as the batch scorer takes them: the ledger row (its position in
    `current`) and the days between which the objection is overdue."""
    position = {(record.source, record.record_id): index for index, record in enumerate(current)}
    return pl.DataFrame(
        {
            "id": [position[(o.source, o.record_id)] for o in objections],
            "overdue_from": [
                o.filed_on + dt.timedelta(days=OBJECTION_ANSWER_DAYS) for o in objections
            ],
            "overdue_until": [o.answered_on for o in objections],
        },
        schema={"id": pl.Int64, "overdue_from": pl.Date, "overdue_until": pl.Date},
    )


def repairs_frame(
    repairs: dict[tuple[str, str], dt.date], current: list[model.Record]
) -> pl.DataFrame:
    """The model's repairs as the batch scorer takes them: the ledger row (its position in
    `current`) and the day repair was granted."""
    position = {(record.source, record.record_id): index for index, record in enumerate(current)}
    return pl.DataFrame(
        {
            "id": [position[key] for key in repairs],
            "granted_on": list(repairs.values()),
        },
        schema={"id": pl.Int64, "granted_on": pl.Date},
    )
