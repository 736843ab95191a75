"""The subject's rights and the relying party's check (SPEC §7, §8): statements, objections
and their answers, checks. Who may do what is decided here, before the registry is asked;
a key never reaches another principal's object, nor learns whether it exists."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request

from socialcredit.domain.identifiers import normalize_identifier
from socialcredit.keys import Principal
from socialcredit.registry import Refused
from socialcredit.service import schemas
from socialcredit.service.auth import RegistryDependency, require_roles
from socialcredit.service.convert import objection_public
from socialcredit.service.errors import ERROR_RESPONSES, ApiError
from socialcredit.service.routes.subjects import SubjectId, own_subject
from socialcredit.service.settings import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, ROW_ID_MAX

router = APIRouter(prefix="/v1", tags=["rights"], responses=ERROR_RESPONSES)
TEXT_MAX_LENGTH = 200


def refused(error: Refused) -> ApiError:
    return ApiError(422, str(error))


@router.put(
    "/subjects/{subject_id}/statement",
    response_model=schemas.StatementOut,
    summary="The subject's own statement",
)
def leave_statement(
    registry: RegistryDependency,
    principal: Annotated[Principal, Depends(require_roles("subject"))],
    subject_id: SubjectId,
    body: schemas.StatementIn,
) -> schemas.StatementOut:
    own_subject(principal, subject_id)
    try:
        statement = registry.leave_statement(subject_id, body.text)
    except Refused as error:
        raise refused(error) from None
    return schemas.StatementOut(
        subject_id=statement.subject_id,
        text=statement.text,
        made_on=statement.made_on,
        made_at=statement.made_at,
    )


@router.post(
    "/objections",
    status_code=201,
    response_model=schemas.ObjectionPublic,
    summary="Object to a record",
)
def file_objection(
    registry: RegistryDependency,
    principal: Annotated[Principal, Depends(require_roles("subject"))],
    body: schemas.ObjectionIn,
) -> schemas.ObjectionPublic:
    record = registry.current_record(body.source, body.record_id)
    # Another's record and no record at all get the same answer: nothing is learnt either way.
    if record is None or record.subject_id != principal.who:
        raise ApiError(404, "body field record_id: you have no such record from this source")
    try:
        objection = registry.file_objection(body.source, body.record_id, body.reason)
    except Refused as error:
        raise refused(error) from None
    return objection_public(objection)


@router.get(
    "/objections",
    response_model=schemas.ObjectionPage,
    summary="Objections: a source's, a subject's, or all",
)
def list_objections(
    request: Request,
    registry: RegistryDependency,
    principal: Annotated[Principal, Depends(require_roles("source", "subject", "operator"))],
    open: Annotated[bool, Query(description="only those not yet answered")] = False,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    after: Annotated[
        int, Query(ge=0, le=ROW_ID_MAX, description="the last number of the previous page")
    ] = 0,
) -> schemas.ObjectionPage:
    if principal.role == "source":
        found = registry.objections(source=principal.who, open_only=open)
    elif principal.role == "subject":
        found = registry.objections(subject_id=principal.who, open_only=open)
    else:
        found = registry.objections(open_only=open)
    page = [objection for objection in found if objection.number > after][: limit + 1]
    next_link = None
    if len(page) > limit:
        page = page[:limit]
        query = {"limit": limit, "after": page[-1].number} | ({"open": "true"} if open else {})
        next_link = f"{request.url.path}?{urlencode(query)}"
    return schemas.ObjectionPage(objections=[objection_public(o) for o in page], next=next_link)


@router.post(
    "/objections/{number}/uphold",
    response_model=schemas.ObjectionPublic,
    summary="The source upholds its record",
)
def uphold_objection(
    registry: RegistryDependency,
    principal: Annotated[Principal, Depends(require_roles("source"))],
    number: Annotated[int, Path(ge=1, le=ROW_ID_MAX)],
    body: schemas.UpholdIn | None = None,
) -> schemas.ObjectionPublic:
    if not any(
        objection.number == number for objection in registry.objections(source=principal.who)
    ):
        raise ApiError(404, f"path parameter number: you have no objection {number}")
    try:
        objection = registry.uphold_objection(number, body.note if body else None)
    except Refused as error:
        raise refused(error) from None
    return objection_public(objection)


@router.get(
    "/checks", response_model=schemas.CheckOut, summary="Does a measure apply to a subject?"
)
def check(
    request: Request,
    registry: RegistryDependency,
    principal: Annotated[Principal, Depends(require_roles("party"))],
    subject_id: Annotated[str, Query(min_length=1, max_length=64)],
    measure: Annotated[str, Query(min_length=1, max_length=128)],
    purpose: Annotated[
        str, Query(min_length=1, max_length=TEXT_MAX_LENGTH, description="why (logged)")
    ],
    as_of: Annotated[dt.date | None, Query(description="YYYY-MM-DD; default today")] = None,
) -> schemas.CheckOut:
    day = as_of or registry.today()
    catalogue = registry.rulebook.version_on(day)
    if catalogue is None:
        raise ApiError(422, f"query parameter as_of: no catalogue version is in effect on {day}")
    chosen = next((m for m in catalogue.measures if m.code == measure), None)
    if chosen is None:
        raise ApiError(
            422,
            f"query parameter measure: unknown measure {measure!r} in catalogue version {catalogue.version}",
        )
    if principal.who not in chosen.relying_parties:
        raise ApiError(403, f"{principal.who!r} is not a relying party of measure {measure!r}")
    try:
        answer = registry.check(
            normalize_identifier(subject_id), measure, principal.who or "", purpose, day
        )
    except Refused as error:
        detail = str(error)
        raise ApiError(
            422, f"query parameter subject_id: {detail}" if "identifier" in detail else detail
        ) from None
    request.app.state.metrics.count_check(measure, answer.applies)
    return schemas.CheckOut(
        measure=answer.measure,
        as_of=answer.as_of,
        applies=answer.applies,
        because=answer.because,
        catalogue_version=answer.catalogue_version,
    )
