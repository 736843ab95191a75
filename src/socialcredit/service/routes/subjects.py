"""A subject's file: the subject itself and the operator may read it; each read is logged."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from socialcredit.domain.catalogue import MAX_JURISDICTION_CHARS
from socialcredit.domain.limits import IDENTIFIER_MAX_CHARS, PURPOSE_MAX_CHARS, ROW_ID_MAX
from socialcredit.domain.rules import AsOfBeforeCatalogue
from socialcredit.registry import (
    FileDocument,
    IdentifiedSubjects,
    InvalidIdentifier,
    Principal,
    Refused,
    Registry,
    ViewsPage,
)
from socialcredit.service.auth import RegistryDependency, require_roles
from socialcredit.service.errors import ERROR_RESPONSES, ApiError

router = APIRouter(prefix="/v1", tags=["subjects"], responses=ERROR_RESPONSES)

SubjectId = Annotated[
    str,
    Path(max_length=IDENTIFIER_MAX_CHARS, description="resident identity number or credit code"),
]
NOT_YOURS = "a subject's key reaches only that subject's own file"


def own_subject(registry: Registry, principal: Principal, subject_id: str) -> IdentifiedSubjects:
    """The subject a request names, identified once (normalized, checked, its keys found) for
    the rest of the request. A subject reaches only its own file; the answer for another's
    does not say if it exists (nor whether the identifier is valid: its own is)."""
    try:
        identified = registry.identify(subject_id)
    except InvalidIdentifier as error:
        if principal.role == "subject":
            raise ApiError(403, NOT_YOURS) from None
        raise ApiError(422, f"path parameter subject_id: not a valid identifier: {error}") from None
    if principal.role == "subject" and identified.subject_id != principal.who:
        raise ApiError(403, NOT_YOURS)
    return identified


@router.get(
    "/subjects/{subject_id}",
    response_model=FileDocument | list[FileDocument],
    summary="A subject's file, as `scs show --json`",
)
def subject_file(
    registry: RegistryDependency,
    principal: Annotated[Principal, Depends(require_roles("subject", "operator"))],
    subject_id: SubjectId,
    as_of: Annotated[dt.date | None, Query(description="YYYY-MM-DD; default today")] = None,
    purpose: Annotated[
        str | None,
        Query(max_length=PURPOSE_MAX_CHARS, description="why the file is read (logged)"),
    ] = None,
    jurisdiction: Annotated[
        str | None,
        Query(
            max_length=MAX_JURISDICTION_CHARS,
            description="SPEC §11: that jurisdiction's file only; default every local file",
        ),
    ] = None,
) -> FileDocument | list[FileDocument]:
    identified = own_subject(registry, principal, subject_id)
    viewer = "subject" if principal.role == "subject" else (principal.who or "operator")
    reason = purpose or ("own file" if principal.role == "subject" else "inspection")
    day = as_of or registry.today()
    if jurisdiction is not None:
        try:
            registry.rulebook_of(jurisdiction)
        except Refused as error:
            raise ApiError(422, f"query parameter jurisdiction: {error}") from None
    try:
        files = registry.subject_files(
            identified, day, viewer, reason, channel="api", jurisdiction=jurisdiction
        )
    except Refused as error:  # the purpose holds a control or invisible formatting character
        raise ApiError(422, f"query parameter purpose: {error}") from None
    except AsOfBeforeCatalogue as error:
        raise ApiError(422, f"query parameter as_of: {error}") from None
    if not files:
        raise ApiError(404, f"no credit file for this subject as of {day}")
    documents = [subject_file.document for subject_file in files]
    return documents[0] if len(documents) == 1 else documents


@router.get(
    "/subjects/{subject_id}/views",
    response_model=ViewsPage | list[ViewsPage],
    summary="Who looked at a subject's file, a page at a time, repeated looks summed up",
)
def subject_views(
    registry: RegistryDependency,
    principal: Annotated[Principal, Depends(require_roles("subject", "operator"))],
    subject_id: SubjectId,
    page: Annotated[int, Query(ge=1, le=ROW_ID_MAX, description="1: the latest looks")] = 1,
) -> ViewsPage | list[ViewsPage]:
    identified = own_subject(registry, principal, subject_id)
    pages = [views for _subject, views in registry.views_pages(identified, page)]
    if not pages:
        raise ApiError(404, "no credit file for this subject")
    return pages[0] if len(pages) == 1 else pages
