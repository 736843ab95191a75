"""A source's console: recent submissions with their counts, rejected rows as CSV, the
objections to its records waiting for an answer, which it may uphold with a note, and the
applications for repair of its records waiting for its decision, which it grants or refuses
(SPEC §10.2). (To correct or revoke a record, a source submits a new revision, as SPEC §7.1
says.)"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from socialcredit.domain.limits import NOTE_MAX_CHARS, REFUSAL_MAX_CHARS, ROW_ID_MAX
from socialcredit.registry import Refused
from socialcredit.web.dependencies import registry_of
from socialcredit.web.principal import require
from socialcredit.web.routing import WebRoute
from socialcredit.web.security import csrf_valid
from socialcredit.web.templating import render, translate

RECENT_BATCHES = 20

router = APIRouter(route_class=WebRoute)
Number = Annotated[int, Path(ge=1, le=ROW_ID_MAX)]


def _waiting(registry, source: str):
    """Objections to this source's records not yet answered, the soonest due first."""
    waiting = registry.objections(source=source, open_only=True)
    return sorted(waiting, key=lambda objection: (objection.due_on, objection.number))


@router.get("/source", include_in_schema=False)
def console(
    request: Request,
    upheld: Annotated[int | None, Query(ge=1, le=ROW_ID_MAX)] = None,
    granted: Annotated[int | None, Query(ge=1, le=ROW_ID_MAX)] = None,
    refused: Annotated[int | None, Query(ge=1, le=ROW_ID_MAX)] = None,
) -> Response:
    principal = require(request, "source")
    registry = registry_of(request)
    return render(
        request,
        "source.html",
        {
            "source": principal.who,
            "batches": registry.batches(principal.who, limit=RECENT_BATCHES),
            "waiting": _waiting(registry, principal.who),
            "today": registry.today(),
            "upheld": upheld,
            "repairs": registry.repairs(source=principal.who, pending_only=True),
            "granted": granted,
            "refused": refused,
        },
        json_twin="/v1/objections?open=true",
    )


@router.get("/source/batches/{batch_id}/rejects.csv", include_in_schema=False)
def rejects_csv(request: Request, batch_id: Number) -> Response:
    principal = require(request, "source")
    registry = registry_of(request)
    batch = registry.batch(batch_id)
    if batch is None or batch.source != principal.who:  # another source's batch: as if absent
        return render(
            request, "not_found.html", {"what": str(batch_id)}, json_twin=None, status_code=404
        )
    csv_text = registry.rejected_rows(batch_id).write_csv()
    return Response(
        csv_text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": attachment(f"{batch.file_name}.rejects.csv")},
    )


def attachment(name: str) -> str:
    """A Content-Disposition for a download named `name` (RFC 6266): the name in UTF-8 as
    `filename*`, and for older clients a `filename` of its printable ASCII (others as `_`).
    A header holds Latin-1 only, so `法院记录.csv` cannot go in a plain `filename`."""
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in name)
    encoded = quote(name, safe="", errors="replace")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def _own_objection(registry, source: str, number: int):
    return next(
        (found for found in registry.objections(source=source) if found.number == number), None
    )


@router.get("/source/objections/{number}", include_in_schema=False)
def objection_page(request: Request, number: Number) -> Response:
    principal = require(request, "source")
    registry = registry_of(request)
    objection = _own_objection(registry, principal.who, number)
    if objection is None:
        return render(
            request, "not_found.html", {"what": str(number)}, json_twin=None, status_code=404
        )
    return render(
        request,
        "source_objection.html",
        {"objection": objection, "errors": {}, "note": "", "today": registry.today()},
        json_twin="/v1/objections",
    )


@router.post("/source/objections/{number}/uphold", include_in_schema=False)
def uphold(
    request: Request, number: Number, note: str = Form(""), csrf_token: str = Form("")
) -> Response:
    principal = require(request, "source")
    registry = registry_of(request)
    _ = translate(request)
    objection = _own_objection(registry, principal.who, number)
    if objection is None:
        return render(
            request, "not_found.html", {"what": str(number)}, json_twin=None, status_code=404
        )
    note = note.strip()
    errors = {}
    if not csrf_valid(request, csrf_token):
        errors["note"] = _("The form had expired. Send it again.")
    elif len(note) > NOTE_MAX_CHARS:
        errors["note"] = _("Say it in %(count)s characters or fewer") % {"count": NOTE_MAX_CHARS}
    else:
        try:
            registry.uphold_objection(number, note or None)
        except Refused as refused:
            errors["note"] = _("The registry refused: %(why)s") % {"why": str(refused)}
    if errors:
        return render(
            request,
            "source_objection.html",
            {
                "objection": objection,
                "errors": errors,
                "error_title": True,
                "note": note,
                "today": registry.today(),
            },
            json_twin="/v1/objections",
            status_code=422,
        )
    return RedirectResponse(f"/source?upheld={number}", status_code=303)


# -- credit repair (SPEC §10.2) ------------------------------------------------------------------


def _own_repair(registry, source: str, number: int):
    """Application `number` when it is for a record of `source`, else None (as if absent)."""
    try:
        repair = registry.repair(number)
    except Refused:
        return None
    return repair if repair.source == source else None


def _repair_page(request: Request, repair, status_code: int = 200, **context) -> Response:
    values = {"repair": repair, "errors": {}, "reason": "", "limit": REFUSAL_MAX_CHARS} | context
    return render(
        request, "source_repair.html", values, json_twin="/v1/repairs", status_code=status_code
    )


def _not_found(request: Request, number: int) -> Response:
    return render(request, "not_found.html", {"what": str(number)}, json_twin=None, status_code=404)


@router.get("/source/repairs/{number}", include_in_schema=False)
def repair_page(request: Request, number: Number) -> Response:
    principal = require(request, "source")
    repair = _own_repair(registry_of(request), principal.who, number)
    if repair is None:
        return _not_found(request, number)
    return _repair_page(request, repair)


@router.post("/source/repairs/{number}/grant", include_in_schema=False)
def grant_repair(request: Request, number: Number, csrf_token: str = Form("")) -> Response:
    principal = require(request, "source")
    registry = registry_of(request)
    _ = translate(request)
    repair = _own_repair(registry, principal.who, number)
    if repair is None:
        return _not_found(request, number)
    error = None
    if not csrf_valid(request, csrf_token):
        error = _("The form had expired. Send it again.")
    else:
        try:
            registry.grant_repair(number, source=principal.who)
        except Refused as refusal:
            error = _("The registry refused: %(why)s") % {"why": str(refusal)}
    if error is not None:
        return _repair_page(request, repair, 422, errors={"grant": error}, error_title=True)
    return RedirectResponse(f"/source?granted={number}", status_code=303)


@router.post("/source/repairs/{number}/refuse", include_in_schema=False)
def refuse_repair(
    request: Request, number: Number, reason: str = Form(""), csrf_token: str = Form("")
) -> Response:
    principal = require(request, "source")
    registry = registry_of(request)
    _ = translate(request)
    repair = _own_repair(registry, principal.who, number)
    if repair is None:
        return _not_found(request, number)
    reason = reason.strip()
    error = None
    if not csrf_valid(request, csrf_token):
        error = _("The form had expired. Send it again.")
    elif not reason:
        error = _("Say why you refuse repair")
    elif len(reason) > REFUSAL_MAX_CHARS:
        error = _("Say it in %(count)s characters or fewer") % {"count": REFUSAL_MAX_CHARS}
    else:
        try:
            registry.refuse_repair(number, reason, source=principal.who)
        except Refused as refusal:
            error = _("The registry refused: %(why)s") % {"why": str(refusal)}
    if error is not None:
        return _repair_page(
            request, repair, 422, errors={"reason": error}, error_title=True, reason=reason
        )
    return RedirectResponse(f"/source?refused={number}", status_code=303)
