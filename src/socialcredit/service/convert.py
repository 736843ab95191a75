"""From the registry's results to the API's models (schemas.py)."""

from __future__ import annotations

from socialcredit.domain.catalogue import Catalogue
from socialcredit.domain.objections import Objection
from socialcredit.registry import Statement, SubjectFile
from socialcredit.service import schemas


def catalogue_public(catalogue: Catalogue) -> schemas.CataloguePublic:
    return schemas.CataloguePublic(
        catalog=catalogue.catalog,
        version=catalogue.version,
        effective_from=catalogue.effective_from,
        base_score=catalogue.base_score,
        tiers=[schemas.TierPublic(name=tier.name, min=tier.min) for tier in catalogue.tiers],
        lists=[
            schemas.ListPublic(
                name=name,
                title=definition.title,
                score_below=definition.score_below,
                score_at_least=definition.score_at_least,
            )
            for name, definition in catalogue.lists.items()
        ],
        sources=[
            schemas.SourcePublic(code=code, name=source.name)
            for code, source in catalogue.sources.items()
        ],
        items=[
            schemas.ItemPublic(
                code=item.code,
                title=item.title,
                subject=item.subject,
                points=item.points,
                counts_for_days=item.counts_for_days,
                cap_per_year=item.cap_per_year,
                lists=list(item.lists),
                issuers=list(item.issuers),
                legal_basis=item.legal_basis,
            )
            for item in catalogue.items
        ],
        measures=[
            schemas.MeasurePublic(
                code=measure.code,
                title=measure.title,
                applies_to=schemas.AppliesToPublic(
                    list_name=measure.applies_to.list_name,
                    tier=measure.applies_to.tier,
                    tiers=measure.applies_to.tiers,
                ),
                relying_parties=list(measure.relying_parties),
            )
            for measure in catalogue.measures
        ],
    )


def subject_file_public(subject_file: SubjectFile) -> schemas.SubjectFilePublic:
    score = subject_file.score
    return schemas.SubjectFilePublic(
        subject_id=score.subject_id,
        kind=score.subject_kind,
        as_of=score.as_of,
        catalogue_version=score.catalogue_version,
        base_score=score.base_score,
        score=score.score,
        tier=score.tier,
        lists=list(score.lists),
        key_factors=[
            schemas.KeyFactorPublic(item=factor.item, title=factor.title, points=factor.points)
            for factor in score.key_factors
        ],
        counting_records=[
            schemas.CountingRecordPublic(
                source=entry.record.source,
                record_id=entry.record.record_id,
                revision=entry.record.revision,
                item=entry.record.item,
                title=entry.rule.title,
                decided_on=entry.record.decided_on,
                quantity=entry.record.quantity,
                points=entry.points,
                value=entry.value,
                repeat_factor=entry.repeat_factor,
                act=entry.record.act,
                counted_once_with=None
                if entry.counted_once_with is None
                else schemas.RecordName(
                    source=entry.counted_once_with[0], record_id=entry.counted_once_with[1]
                ),
                reference=entry.record.reference,
                legal_basis=entry.rule.legal_basis,
                catalogue_version=entry.rule.version,
                counts_until=entry.counts_until,
            )
            for entry in score.counting_records
        ],
        objections=[objection_public(objection) for objection in subject_file.objections],
        statement=statement_public(subject_file.statement),
        views=[
            schemas.ViewPublic(
                viewed_at=view.viewed_at,
                viewer=view.viewer,
                purpose=view.purpose,
                channel=view.channel,
            )
            for view in subject_file.views
        ],
    )


def objection_public(objection: Objection) -> schemas.ObjectionPublic:
    return schemas.ObjectionPublic(
        number=objection.number,
        source=objection.source,
        record_id=objection.record_id,
        revision=objection.revision,
        subject_id=objection.subject_id,
        kind=objection.subject_kind,
        filed_on=objection.filed_on,
        due_on=objection.due_on,
        reason=objection.reason,
        state=objection.state,
        answered_on=objection.answered_on,
        note=objection.note,
    )


def statement_public(statement: Statement | None) -> schemas.StatementPublic | None:
    if statement is None:
        return None
    return schemas.StatementPublic(
        text=statement.text, made_on=statement.made_on, made_at=statement.made_at
    )
