"""Who is signed in to the web pages, and what each page requires of them.

A signed-in browser carries its API key in the session cookie (`security.py`); the key is
resolved by the registry's key ring on every request, as the HTTP API resolves a bearer key,
so a revoked key ends its session at once and both edges see the same `Principal`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from starlette.requests import Request

from socialcredit.registry import Registry
from socialcredit.web.dependencies import registry_of
from socialcredit.web.security import session_key

if TYPE_CHECKING:
    from socialcredit.registry import Principal

# Where each role starts after signing in.
HOME_PAGES = {
    "subject": "/my-file",
    "source": "/source",
    "party": "/check",
    "operator": "/operator",
}


class SignInNeeded(Exception):
    """The page needs a signed-in person; they are sent to sign in and brought back."""

    def __init__(self, next_path: str):
        self.location = "/sign-in?next=" + quote(next_path, safe="/")


class WrongRole(Exception):
    """Signed in, but as someone this page is not for."""


def session_principal(request: Request, registry: Registry) -> Principal | None:
    """An authenticator (the service's `app.state.authenticators`): the signed-in key's
    principal, so that a page's JSON twin opens in the same browser session."""
    key = session_key(request)
    return registry.keys.principal(key) if key else None


def principal_of(request: Request) -> Principal | None:
    if not hasattr(request.state, "web_principal"):
        request.state.web_principal = session_principal(request, registry_of(request))
    return request.state.web_principal


def require(request: Request, *roles: str) -> Principal:
    principal = principal_of(request)
    if principal is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInNeeded(path)
    if principal.role not in roles:
        raise WrongRole()
    return principal
