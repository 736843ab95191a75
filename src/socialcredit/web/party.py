"""A relying party's check (SPEC §7.3): does a measure apply to a subject? The answer and
what triggers it, nothing more: never the score or the records."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from socialcredit.domain.identifiers import SUBJECT_KINDS, identifier_problem, normalize_identifier
from socialcredit.registry import Refused
from socialcredit.web.dependencies import registry_of
from socialcredit.web.principal import require
from socialcredit.web.routing import WebRoute
from socialcredit.web.security import csrf_valid
from socialcredit.web.templating import render, translate

PURPOSE_LENGTH_MAX = 200
SUBJECT_ID_LENGTH_MAX = 64

router = APIRouter(route_class=WebRoute)


def _measures(registry, party: str):
    catalogue = registry.rulebook.version_on(registry.today())
    if catalogue is None:
        return []
    return [measure for measure in catalogue.measures if party in measure.relying_parties]


@router.get("/check", include_in_schema=False)
def check_form(request: Request) -> Response:
    principal = require(request, "party")
    registry = registry_of(request)
    return render(
        request,
        "check.html",
        {
            "measures": _measures(registry, principal.who),
            "errors": {},
            "values": {},
            "answer": None,
        },
        json_twin="/v1/checks",
    )


@router.post("/check", include_in_schema=False)
def check(
    request: Request,
    subject_id: str = Form(""),
    measure: str = Form(""),
    purpose: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    principal = require(request, "party")
    registry = registry_of(request)
    _ = translate(request)
    measures = _measures(registry, principal.who)
    subject_id = (
        normalize_identifier(subject_id[:SUBJECT_ID_LENGTH_MAX]) if subject_id.strip() else ""
    )
    purpose = purpose.strip()
    values = {"subject_id": subject_id, "measure": measure, "purpose": purpose}
    errors: dict[str, str] = {}
    if not csrf_valid(request, csrf_token):
        errors["subject_id"] = _("The form had expired. Send it again.")
    if not subject_id:
        errors["subject_id"] = _(
            "Enter the identity number or credit code of the person or organization"
        )
    elif all(identifier_problem(kind, subject_id) for kind in SUBJECT_KINDS):
        errors["subject_id"] = _(
            "Enter a valid 18-character identity number or unified social credit code"
        )
    if measure not in {known.code for known in measures}:
        errors["measure"] = _("Choose the measure you want to check")
    if not purpose:
        errors["purpose"] = _("Say why you are checking: it is shown to the person or organization")
    elif len(purpose) > PURPOSE_LENGTH_MAX:
        errors["purpose"] = _("Say it in %(count)s characters or fewer") % {
            "count": PURPOSE_LENGTH_MAX
        }
    answer = None
    if not errors:
        try:
            answer = registry.check(subject_id, measure, principal.who, purpose)
        except Refused as refused:
            field = "purpose" if "purpose" in str(refused) else "measure"
            errors[field] = _("The registry refused the check: %(why)s") % {"why": str(refused)}
    twin = "/v1/checks?" + urlencode(
        {"subject_id": subject_id, "measure": measure, "purpose": purpose}
    )
    return render(
        request,
        "check.html",
        {
            "measures": measures,
            "errors": errors,
            "error_title": bool(errors),
            "values": values,
            "answer": answer,
            "measure": next((known for known in measures if known.code == measure), None),
        },
        json_twin=twin if answer else "/v1/checks",
        status_code=422 if errors else 200,
    )
