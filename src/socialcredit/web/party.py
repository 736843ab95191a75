"""A relying party's check (SPEC §7.3): does a measure apply to a subject? The answer and
what triggers it, nothing more: never the score or the records."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from socialcredit.domain.identifiers import normalize_identifier
from socialcredit.domain.limits import IDENTIFIER_MAX_CHARS, PURPOSE_MAX_CHARS
from socialcredit.registry import CheckRefused, Refused
from socialcredit.web.dependencies import chosen_jurisdiction, registry_of, rulebook_for
from socialcredit.web.principal import require
from socialcredit.web.routing import WebRoute
from socialcredit.web.security import csrf_valid
from socialcredit.web.templating import render, translate

router = APIRouter(route_class=WebRoute)


def _measures(registry, party: str, rulebook):
    """The measures of today's version (of the jurisdiction shown, and the nation's, SPEC §11)
    that name `party`: the only ones it may check."""
    today = registry.today()
    catalogues = [rulebook.version_on(today), registry.jurisdictions.national.version_on(today)]
    return [
        measure
        for catalogue in catalogues
        if catalogue is not None
        for measure in catalogue.measures
        if party in measure.relying_parties
    ]


@router.get("/check", include_in_schema=False)
def check_form(request: Request) -> Response:
    principal = require(request, "party")
    registry = registry_of(request)
    return render(
        request,
        "check.html",
        {
            "measures": _measures(registry, principal.who, rulebook_for(request)),
            "errors": {},
            "values": {},
            "answer": None,
            "purpose_max_chars": PURPOSE_MAX_CHARS,
        },
        json_twin="/v1/checks",
    )


def _messages(_) -> dict[tuple[str, str], str]:
    """Each problem the registry finds (`domain/measures.py`), as the form says it."""
    expired = _("The form had expired. Send it again.")
    choose = _("Choose the measure you want to check")
    return {
        ("csrf", ""): expired,
        ("subject_id", "blank"): _(
            "Enter the identity number or credit code of the person or organization"
        ),
        ("subject_id", "invalid"): _(
            "Enter a valid 18-character identity number or unified social credit code"
        ),
        ("measure", "unknown"): choose,
        ("party", "not_entitled"): choose,
        ("purpose", "blank"): _(
            "Say why you are checking: it is shown to the person or organization"
        ),
        ("purpose", "too_long"): _("Say it in %(count)s characters or fewer")
        % {"count": PURPOSE_MAX_CHARS},
    }


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
    messages = _messages(_)
    measures = _measures(registry, principal.who, rulebook_for(request))
    # Shown as the registry reads it; longer input than any identifier is refused unread.
    subject_id = normalize_identifier(subject_id[:IDENTIFIER_MAX_CHARS])
    purpose = purpose.strip()
    values = {"subject_id": subject_id, "measure": measure, "purpose": purpose}
    errors: dict[str, str] = {}
    answer = None
    if not csrf_valid(request, csrf_token):
        errors["subject_id"] = messages[("csrf", "")]
    try:
        answer = (
            registry.check(
                subject_id,
                measure,
                principal.who,
                purpose,
                jurisdiction=chosen_jurisdiction(request),
            )
            if not errors
            else None
        )
    except CheckRefused as refused:
        for problem in refused.problems:
            field = "measure" if problem.field in ("party", "as_of") else problem.field
            errors.setdefault(field, messages.get((problem.field, problem.code), problem.message))
    except Refused as refused:
        errors["measure"] = _("The registry refused the check: %(why)s") % {"why": str(refused)}
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
            "purpose_max_chars": PURPOSE_MAX_CHARS,
        },
        json_twin=twin if answer else "/v1/checks",
        status_code=422 if errors else 200,
    )
