"""Running a generated case through the reference model, and reading the project's answers
in the model's terms."""

from __future__ import annotations

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
    )
