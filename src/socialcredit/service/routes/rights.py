"""The subject's rights and the relying party's check (SPEC §7, §8): statements, objections
and their answers, checks. Who may do what is decided here, before the registry is asked;
a key never reaches another principal's object, nor learns whether it exists."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request

from socialcredit.domain.catalogue import MAX_JURISDICTION_CHARS
from socialcredit.domain.limits import (
    IDENTIFIER_MAX_CHARS,
    MEASURE_CODE_MAX_CHARS,
    PURPOSE_MAX_CHARS,
    ROW_ID_MAX,
)
from socialcredit.registry import (
    CheckAnswer,
    CheckRefused,
    KeptStatement,
    Objection,
    Principal,
    Refused,
)
from socialcredit.service import schemas
from socialcredit.service.auth import RegistryDependency, require_roles
from socialcredit.service.errors import ERROR_RESPONSES, ApiError
from socialcredit.service.routes.subjects import SubjectId, own_subject
from socialcredit.service.settings import OBJECTIONS_PAGE_MAX_ROWS, OBJECTIONS_PAGE_ROWS

router = APIRouter(prefix="/v1", tags=["rights"], responses=ERROR_RESPONSES)


def refused(error: Refused) -> ApiError:
    return ApiError(422, str(error))


@router.put(
    "/subjects/{subject_id}/statement",
    response_model=KeptStatement,
    summary="The subject's own statement",
)
def leave_statement(
    registry: RegistryDependency,
    principal: Annotated[Principal, Depends(require_roles("subject"))],
    subject_id: SubjectId,
    body: schemas.StatementIn,
) -> KeptStatement:
    identified = own_subject(registry, principal, subject_id)
    try:
        return registry.leave_statement(identified, body.text)
    except Refused as error:
        raise refused(error) from None


@router.post(
    "/objections",
    status_code=201,
    response_model=Objection,
    summary="Object to a record",
)
def file_objection(
    registry: RegistryDependency,
    principal: Annotated[Principal, Depends(require_roles("subject"))],
    body: schemas.ObjectionIn,
) -> Objection:
    record = registry.current_record(body.source, body.record_id)
    # Another's record and no record at all get the same answer: nothing is learnt either way.
    if record is None or record.subject_id != principal.who:
        raise ApiError(404, "body field record_id: you have no such record from this source")
    try:
        return registry.file_objection(body.source, body.record_id, body.reason)
    except Refused as error:
        raise refused(error) from None


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
    limit: Annotated[int, Query(ge=1, le=OBJECTIONS_PAGE_MAX_ROWS)] = OBJECTIONS_PAGE_ROWS,
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
    return schemas.ObjectionPage(objections=page, next=next_link)


@router.post(
    "/objections/{number}/uphold",
    response_model=Objection,
    summary="The source upholds its record",
)
def uphold_objection(
    registry: RegistryDependency,
    principal: Annotated[Principal, Depends(require_roles("source"))],
    number: Annotated[int, Path(ge=1, le=ROW_ID_MAX)],
    body: schemas.UpholdIn | None = None,
) -> Objection:
    if not any(
        objection.number == number for objection in registry.objections(source=principal.who)
    ):
        raise ApiError(404, f"path parameter number: you have no objection {number}")
    try:
        return registry.uphold_objection(number, body.note if body else None)
    except Refused as error:
        raise refused(error) from None


@router.get("/checks", response_model=CheckAnswer, summary="Does a measure apply to a subject?")
def check(
    request: Request,
    registry: RegistryDependency,
    principal: Annotated[Principal, Depends(require_roles("party"))],
    subject_id: Annotated[str, Query(min_length=1, max_length=IDENTIFIER_MAX_CHARS)],
    measure: Annotated[str, Query(min_length=1, max_length=MEASURE_CODE_MAX_CHARS)],
    purpose: Annotated[
        str, Query(min_length=1, max_length=PURPOSE_MAX_CHARS, description="why (logged)")
    ],
    as_of: Annotated[dt.date | None, Query(description="YYYY-MM-DD; default today")] = None,
    jurisdiction: Annotated[
        str | None,
        Query(
            max_length=MAX_JURISDICTION_CHARS,
            description="SPEC §11: the measure is looked for in this jurisdiction's catalogue, "
            "else in the national one",
        ),
    ] = None,
) -> CheckAnswer:
    """Judged by the registry (`domain/measures.py`); the first problem found is the answer."""
    try:
        answer = registry.check(
            subject_id, measure, principal.who or "", purpose, as_of, jurisdiction=jurisdiction
        )
    except CheckRefused as error:
        raise check_refused(error, principal, measure) from None
    except Refused as error:  # the jurisdiction is unknown, or needed and not named
        raise ApiError(422, f"query parameter jurisdiction: {error}") from None
    request.app.state.metrics.count_check(measure, answer.applies)
    return answer


def check_refused(error: CheckRefused, principal: Principal, measure: str) -> ApiError:
    """A check that cannot be asked: 403 for a party the measure does not name today, else 422
    naming the parameter at fault."""
    problem = error.problems[0]
    if problem.field == "party":
        return ApiError(403, f"{principal.who!r} is not a relying party of measure {measure!r}")
    if problem.field == "purpose":
        return ApiError(422, problem.message)
    return ApiError(422, f"query parameter {problem.field}: {problem.message}")
