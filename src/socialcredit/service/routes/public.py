"""What anyone may read: the catalogue in effect, an organization's lists, health."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from socialcredit.domain.catalogue import MAX_JURISDICTION_CHARS, NATIONAL
from socialcredit.domain.limits import IDENTIFIER_MAX_CHARS
from socialcredit.domain.rules import AsOfBeforeCatalogue, Rulebook
from socialcredit.registry import InvalidIdentifier, Refused, Registry
from socialcredit.service import schemas
from socialcredit.service.auth import RegistryDependency, public_caller
from socialcredit.service.convert import catalogue_public
from socialcredit.service.errors import ERROR_RESPONSES, ApiError, ErrorBody

router = APIRouter(
    prefix="/v1", tags=["public"], dependencies=[Depends(public_caller)], responses=ERROR_RESPONSES
)
health_router = APIRouter(tags=["operations"])

AsOf = Annotated[dt.date | None, Query(description="YYYY-MM-DD; default today")]
JurisdictionQuery = Annotated[
    str | None,
    Query(
        max_length=MAX_JURISDICTION_CHARS,
        description="SPEC §11: the local jurisdiction; required when the store has several",
    ),
]
NATIONAL_PAGE_MAX = 200


def jurisdiction_refused(error: Refused) -> ApiError:
    return ApiError(422, f"query parameter jurisdiction: {error}")


def rulebook_named(registry: Registry, jurisdiction: str | None) -> Rulebook:
    """A local jurisdiction's rulebook, or the nation's (`national`); 422 naming the parameter."""
    if jurisdiction == NATIONAL:
        return registry.jurisdictions.national
    try:
        return registry.rulebook_of(jurisdiction)
    except Refused as error:
        raise jurisdiction_refused(error) from None


@router.get("/catalogue", response_model=schemas.CataloguePublic, summary="The catalogue in effect")
def catalogue(
    registry: RegistryDependency, as_of: AsOf = None, jurisdiction: JurisdictionQuery = None
) -> schemas.CataloguePublic:
    day = as_of or registry.today()
    rulebook = rulebook_named(registry, jurisdiction)
    if not rulebook:
        raise ApiError(404, "no catalogue is published")
    try:
        return catalogue_public(rulebook.scoring_version(day))
    except AsOfBeforeCatalogue as error:
        raise ApiError(422, f"query parameter as_of: {error}") from None


@router.get(
    "/organizations/{code}",
    response_model=schemas.OrganizationLists,
    summary="An organization's lists today",
)
def organization(
    registry: RegistryDependency,
    code: Annotated[
        str, Path(max_length=IDENTIFIER_MAX_CHARS, description="unified social credit code")
    ],
    jurisdiction: JurisdictionQuery = None,
) -> schemas.OrganizationLists:
    """Its lists today in the jurisdiction (in a store of several cities, without one: the
    national lists), and for each list entered through records the deciding source, the
    decision's reference and date and the last day it is published."""
    try:
        found = registry.organization_record(code, registry.today(), jurisdiction)
    except InvalidIdentifier as error:
        raise ApiError(
            422, f"path parameter code: not an organization's credit code: {error}"
        ) from None
    except AsOfBeforeCatalogue:
        found = None
    except Refused as error:
        raise jurisdiction_refused(error) from None
    if found is None:
        raise ApiError(404, "this organization has no credit file")
    return schemas.OrganizationLists(
        subject_id=found.subject_id,
        lists=found.lists,
        jurisdiction=found.jurisdiction,
        listings=[
            schemas.ListingPublic(
                list=entry.list,
                source=entry.source,
                reference=entry.reference,
                decided_on=entry.decided_on,
                published_until=entry.published_until,
            )
            for entry in found.listings
        ],
    )


@router.get(
    "/jurisdictions",
    response_model=list[schemas.JurisdictionPublic],
    summary="Every jurisdiction with a published catalogue",
)
def jurisdictions(registry: RegistryDependency) -> list[schemas.JurisdictionPublic]:
    return [
        schemas.JurisdictionPublic(
            jurisdiction=summary.jurisdiction,
            national=summary.national,
            catalog=summary.catalog,
            version=summary.version,
            sources=summary.sources,
            lists=summary.lists,
        )
        for summary in registry.jurisdiction_summaries()
    ]


@router.get(
    "/national-lists/{name}",
    response_model=schemas.NationalListPage,
    summary="The organizations on a national list today (persons are never listed)",
)
def national_list(
    registry: RegistryDependency,
    name: Annotated[str, Path(max_length=128, description="a national list, without `national.`")],
    search: Annotated[
        str | None, Query(max_length=IDENTIFIER_MAX_CHARS, description="part of a credit code")
    ] = None,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    limit: Annotated[int, Query(ge=1, le=NATIONAL_PAGE_MAX)] = 50,
) -> schemas.NationalListPage:
    day = registry.today()
    try:
        total, page = registry.national_list_members(name, day, search, offset, limit)
    except Refused as error:
        raise ApiError(404, str(error)) from None
    return schemas.NationalListPage(
        list=name, as_of=day, search=search, total=total, offset=offset, organizations=page
    )


@health_router.get("/healthz", response_model=schemas.Health, summary="The process answers")
def healthz() -> schemas.Health:
    return schemas.Health(status="ok")


@health_router.get(
    "/readyz",
    response_model=schemas.Readiness,
    responses={503: {"model": ErrorBody, "description": "not ready"}},
)
def readyz(registry: RegistryDependency) -> schemas.Readiness:
    """Ready when the store answers."""
    try:
        versions = registry.readiness()
    except Exception as error:  # any failure of the store means: not ready
        raise ApiError(503, f"the store does not answer: {type(error).__name__}") from None
    return schemas.Readiness(status="ready", catalogue_versions=versions)
