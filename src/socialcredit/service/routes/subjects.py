"""A subject's file: the subject itself and the operator may read it; each read is logged."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from socialcredit.domain.identifiers import normalize_identifier
from socialcredit.domain.rules import AsOfBeforeCatalogue
from socialcredit.keys import Principal
from socialcredit.registry import InvalidIdentifier, Refused
from socialcredit.service import schemas
from socialcredit.service.auth import RegistryDependency, require_roles
from socialcredit.service.convert import subject_file_public
from socialcredit.service.errors import ERROR_RESPONSES, ApiError

router = APIRouter(prefix="/v1", tags=["subjects"], responses=ERROR_RESPONSES)

SubjectId = Annotated[
    str, Path(max_length=64, description="resident identity number or credit code")
]
PURPOSE_MAX_LENGTH = 200


def own_subject(principal: Principal, subject_id: str) -> None:
    """A subject reaches only its own file; the answer for another's does not say if it exists."""
    if principal.role == "subject" and normalize_identifier(subject_id) != principal.who:
        raise ApiError(403, "a subject's key reaches only that subject's own file")


@router.get(
    "/subjects/{subject_id}",
    response_model=schemas.SubjectFilePublic | list[schemas.SubjectFilePublic],
    summary="A subject's file, as `scs show --json`",
)
def subject_file(
    registry: RegistryDependency,
    principal: Annotated[Principal, Depends(require_roles("subject", "operator"))],
    subject_id: SubjectId,
    as_of: Annotated[dt.date | None, Query(description="YYYY-MM-DD; default today")] = None,
    purpose: Annotated[
        str | None,
        Query(max_length=PURPOSE_MAX_LENGTH, description="why the file is read (logged)"),
    ] = None,
) -> schemas.SubjectFilePublic | list[schemas.SubjectFilePublic]:
    own_subject(principal, subject_id)
    viewer = "subject" if principal.role == "subject" else (principal.who or "operator")
    reason = purpose or ("own file" if principal.role == "subject" else "inspection")
    day = as_of or registry.today()
    try:
        files = registry.subject_files(subject_id, day, viewer, reason, channel="api")
    except InvalidIdentifier as error:
        raise ApiError(422, f"path parameter subject_id: not a valid identifier: {error}") from None
    except Refused as error:  # the purpose holds a control or bidirectional character
        raise ApiError(422, f"query parameter purpose: {error}") from None
    except AsOfBeforeCatalogue as error:
        raise ApiError(422, f"query parameter as_of: {error}") from None
    if not files:
        raise ApiError(404, f"no credit file for this subject as of {day}")
    documents = [subject_file_public(subject_file) for subject_file in files]
    return documents[0] if len(documents) == 1 else documents
