"""The web interface (SPEC §9): server-rendered pages in Chinese and English.

`create_router()` returns the routes the service's app factory includes at `/`;
`authenticators()` lets the API accept the pages' sign-in cookie too, so that a page's JSON
twin opens in the same browser session. Pages call the same registry functions as the HTTP
API, and each names its JSON twin there.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from socialcredit.web import account, operator, party, public, source, static, subject
from socialcredit.web.principal import session_principal
from socialcredit.web.templating import render


def create_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    router.include_router(static.router)
    router.include_router(public.router)
    router.include_router(account.router)
    router.include_router(subject.router)
    router.include_router(source.router)
    router.include_router(party.router)
    router.include_router(operator.router)
    return router


def authenticators() -> list:
    return [session_principal]


def not_found_page(request: Request) -> HTMLResponse:
    """The page for an address that is not there, in the reader's language."""
    return render(
        request, "not_found.html", {"what": request.url.path}, json_twin=None, status_code=404
    )
