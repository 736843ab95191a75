"""Who is signed in to the web pages, and what each page requires of them.

A signed-in browser carries a session id in its cookie (`security.py`); the store resolves it
with the key it signed in with on every request, so signing out or revoking the key ends the
session at once and both edges see the same `Principal`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from starlette.requests import Request

from socialcredit.registry import Registry
from socialcredit.web.security import live_session

if TYPE_CHECKING:
    from socialcredit.registry import Principal

# Where each role starts after signing in.
HOME_PAGES = {
    "subject": "/my-file",
    "source": "/source",
    "party": "/check",
    "operator": "/operator",
}
# The API takes the web session for reading only, so that a page's JSON twin opens in the same
# browser; whatever changes something needs `Authorization: Bearer KEY` (README: "Security").
SESSION_READS = ("GET", "HEAD")


class SignInNeeded(Exception):
    """The page needs a signed-in person; they are sent to sign in and brought back."""

    def __init__(self, next_path: str):
        self.location = "/sign-in?next=" + quote(next_path, safe="/")


class WrongRole(Exception):
    """Signed in, but as someone this page is not for."""


def session_principal(request: Request, _registry: Registry) -> Principal | None:
    """An authenticator (the service's `app.state.authenticators`): the signed-in browser's
    principal, for the API's reading requests only. A form on another page can make the
    browser post with its cookie, never with a bearer key, so no API call that changes
    anything takes the cookie."""
    if request.method not in SESSION_READS:
        return None
    return principal_of(request)


def principal_of(request: Request) -> Principal | None:
    session = live_session(request)
    return session[1] if session is not None else None


def require(request: Request, *roles: str) -> Principal:
    principal = principal_of(request)
    if principal is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInNeeded(path)
    if principal.role not in roles:
        raise WrongRole()
    return principal
