"""From the catalogue to the API's model of it (schemas.py)."""

from __future__ import annotations

from socialcredit.domain.catalogue import Catalogue
from socialcredit.service import schemas


def catalogue_public(catalogue: Catalogue) -> schemas.CataloguePublic:
    return schemas.CataloguePublic(
        catalog=catalogue.catalog,
        jurisdiction=catalogue.jurisdiction,
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
                severity=item.severity,
                repairable=item.repairable,
                repeat=None
                if item.repeat is None
                else schemas.RepeatPublic(
                    within_days=item.repeat.within_days, factor=item.repeat.factor
                ),
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
                kind=measure.kind,
                legal_basis=measure.legal_basis,
            )
            for measure in catalogue.measures
        ],
    )
