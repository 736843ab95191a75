"""What anyone may read: the catalogue in effect, an organization's lists, health."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from socialcredit.domain.identifiers import normalize_identifier
from socialcredit.domain.limits import IDENTIFIER_MAX_CHARS
from socialcredit.domain.rules import AsOfBeforeCatalogue
from socialcredit.registry import InvalidIdentifier
from socialcredit.service import schemas
from socialcredit.service.auth import RegistryDependency, public_caller
from socialcredit.service.convert import catalogue_public
from socialcredit.service.errors import ERROR_RESPONSES, ApiError, ErrorBody

router = APIRouter(
    prefix="/v1", tags=["public"], dependencies=[Depends(public_caller)], responses=ERROR_RESPONSES
)
health_router = APIRouter(tags=["operations"])

AsOf = Annotated[dt.date | None, Query(description="YYYY-MM-DD; default today")]


@router.get("/catalogue", response_model=schemas.CataloguePublic, summary="The catalogue in effect")
def catalogue(registry: RegistryDependency, as_of: AsOf = None) -> schemas.CataloguePublic:
    day = as_of or registry.today()
    rulebook = registry.rulebook
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
) -> schemas.OrganizationLists:
    try:
        lists = registry.organization_lists(code, registry.today())
    except InvalidIdentifier as error:
        raise ApiError(
            422, f"path parameter code: not an organization's credit code: {error}"
        ) from None
    except AsOfBeforeCatalogue:
        lists = None
    if lists is None:
        raise ApiError(404, "this organization has no credit file")
    return schemas.OrganizationLists(subject_id=normalize_identifier(code), lists=list(lists))


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
