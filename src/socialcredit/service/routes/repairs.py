"""Credit repair (SPEC §10.2, §8): the subject applies for repair of its record, the record's
source grants or refuses it. Who may do what is decided here, before the registry is asked; a
key never reaches another principal's application, nor learns whether it exists."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request

from socialcredit.domain.limits import ROW_ID_MAX
from socialcredit.registry import Principal, Refused, Registry, Repair
from socialcredit.service import schemas
from socialcredit.service.auth import RegistryDependency, require_roles
from socialcredit.service.errors import ERROR_RESPONSES, ApiError
from socialcredit.service.settings import OBJECTIONS_PAGE_MAX_ROWS, OBJECTIONS_PAGE_ROWS

router = APIRouter(prefix="/v1", tags=["repairs"], responses=ERROR_RESPONSES)

NumberPath = Annotated[int, Path(ge=1, le=ROW_ID_MAX)]


def refused(error: Refused) -> ApiError:
    field = f"body field {error.field}: " if error.field else ""
    return ApiError(422, f"{field}{error}")


@router.post("/repairs", status_code=201, response_model=Repair, summary="Apply for repair")
def apply_repair(
    registry: RegistryDependency,
    principal: Annotated[Principal, Depends(require_roles("subject"))],
    body: schemas.RepairIn,
) -> Repair:
    """The subject's application for repair of its record (SPEC §10.2): the evidence is the
    proof that the duty is performed and its written commitment."""
    record = registry.current_record(body.source, body.record_id)
    # Another's record and no record at all get the same answer: nothing is learnt either way.
    if record is None or record.subject_id != principal.who:
        raise ApiError(404, "body field record_id: you have no such record from this source")
    try:
        return registry.apply_repair(body.source, body.record_id, body.evidence)
    except Refused as error:
        raise refused(error) from None


@router.get(
    "/repairs",
    response_model=schemas.RepairPage,
    summary="Applications for repair: a source's, a subject's, or all",
)
def list_repairs(
    request: Request,
    registry: RegistryDependency,
    principal: Annotated[Principal, Depends(require_roles("source", "subject", "operator"))],
    pending: Annotated[bool, Query(description="only those not yet decided")] = False,
    limit: Annotated[int, Query(ge=1, le=OBJECTIONS_PAGE_MAX_ROWS)] = OBJECTIONS_PAGE_ROWS,
    after: Annotated[
        int, Query(ge=0, le=ROW_ID_MAX, description="the last number of the previous page")
    ] = 0,
) -> schemas.RepairPage:
    if principal.role == "source":
        found = registry.repairs(source=principal.who, pending_only=pending)
    elif principal.role == "subject":
        found = registry.repairs(subject_id=principal.who, pending_only=pending)
    else:
        found = registry.repairs(pending_only=pending)
    page = [repair for repair in found if repair.number > after][: limit + 1]
    next_link = None
    if len(page) > limit:
        page = page[:limit]
        query = {"limit": limit, "after": page[-1].number} | (
            {"pending": "true"} if pending else {}
        )
        next_link = f"{request.url.path}?{urlencode(query)}"
    return schemas.RepairPage(repairs=page, next=next_link)


def _sources_own(registry: Registry, principal: Principal, number: int) -> None:
    """404 unless application `number` is for a record of this source: another source's
    application and none at all get the same answer."""
    try:
        repair = registry.repair(number)
    except Refused:
        repair = None
    if repair is None or repair.source != principal.who:
        raise ApiError(404, f"path parameter number: you have no repair {number}")


@router.post("/repairs/{number}/grant", response_model=Repair, summary="The source grants repair")
def grant_repair(
    registry: RegistryDependency,
    principal: Annotated[Principal, Depends(require_roles("source"))],
    number: NumberPath,
) -> Repair:
    _sources_own(registry, principal, number)
    try:
        return registry.grant_repair(number, source=principal.who)
    except Refused as error:
        raise refused(error) from None


@router.post("/repairs/{number}/refuse", response_model=Repair, summary="The source refuses repair")
def refuse_repair(
    registry: RegistryDependency,
    principal: Annotated[Principal, Depends(require_roles("source"))],
    number: NumberPath,
    body: schemas.RepairRefusalIn,
) -> Repair:
    _sources_own(registry, principal, number)
    try:
        return registry.refuse_repair(number, body.reason, source=principal.who)
    except Refused as error:
        raise refused(error) from None
