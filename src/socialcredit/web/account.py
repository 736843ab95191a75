"""Signing in with an API key (SPEC §9: a form whose field `key` takes it) and out again."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from socialcredit.web.dependencies import registry_of
from socialcredit.web.principal import HOME_PAGES, principal_of, require
from socialcredit.web.routing import WebRoute
from socialcredit.web.security import csrf_valid, end_session, local_path, start_session
from socialcredit.web.templating import render, translate

KEY_MAX_CHARS = 200  # far longer than any key; longer input is refused unread

router = APIRouter(route_class=WebRoute)


@router.get("/sign-in", include_in_schema=False)
def sign_in_form(request: Request, next: str = "") -> Response:
    return render(
        request, "sign_in.html", {"errors": {}, "next": local_path(next) or ""}, json_twin=None
    )


@router.post("/sign-in", include_in_schema=False)
def sign_in(
    request: Request,
    key: str = Form(""),
    next: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    _ = translate(request)
    errors: dict[str, str] = {}
    key = key.strip()
    status_code = 422
    if _too_many_attempts(request):
        errors["key"] = _("Too many sign-in attempts from your address. Wait a minute.")
        status_code = 429
    elif not csrf_valid(request, csrf_token):
        errors["key"] = _("The form had expired. Enter your key again.")
    elif not key:
        errors["key"] = _("Enter your key")
    else:
        registry = registry_of(request)
        session = registry.sessions.start(key) if len(key) <= KEY_MAX_CHARS else None
        if session is not None:
            home = HOME_PAGES[session.principal.role]
            response = RedirectResponse(local_path(next) or home, status_code=303)
            start_session(request, response, session)
            return response
        # The same words for a mistyped, unknown or revoked key: nothing to probe with.
        errors["key"] = _(
            "This key is not valid. Check it, or ask the registry office for a new one."
        )
    return render(
        request,
        "sign_in.html",
        {"errors": errors, "next": local_path(next) or "", "error_title": True},
        json_twin=None,
        status_code=status_code,
    )


def _too_many_attempts(request: Request) -> bool:
    """Sign-in attempts are limited per client address (README: "Limits"): a key cannot be
    guessed at the speed of the network."""
    limits = getattr(request.app.state, "limits", None)
    if limits is None:
        return False
    address = request.client.host if request.client else "unknown"
    return limits.sign_ins.take(f"address:{address}") > 0


@router.post("/sign-out", include_in_schema=False)
def sign_out(request: Request, csrf_token: str = Form("")) -> Response:
    if not csrf_valid(request, csrf_token):
        return RedirectResponse("/", status_code=303)
    response = RedirectResponse("/signed-out", status_code=303)
    end_session(request, response)
    return response


@router.get("/signed-out", include_in_schema=False)
def signed_out(request: Request) -> Response:
    return render(request, "signed_out.html", {}, json_twin=None)


@router.get("/me", include_in_schema=False)
def my_pages(request: Request) -> Response:
    principal = principal_of(request)
    if principal is None:
        return RedirectResponse("/sign-in", status_code=303)
    require(request, principal.role)
    return RedirectResponse(HOME_PAGES[principal.role], status_code=303)
