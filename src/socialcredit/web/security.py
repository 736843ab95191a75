"""The web session and protection of its forms.

Signing in starts a session held by the store (`registry/sessions.py`): the cookie carries
only its random id, never the key. The cookie is HttpOnly (no script reads it), SameSite=Strict
(no other site's page makes the browser send it) and Secure over https. Signing out and
revoking the key end the session at once, in every worker process.

Every form carries a token bound to the session: an HMAC of the session id. Only this browser
holds the id (its cookie is HttpOnly), so nobody else can make the token, and a token seen in
one session is worth nothing in another. Before signing in, the sign-in form's token is bound
the same way to a pre-session cookie, a random id of this browser's own, so that another site
cannot sign the browser in as someone else. SameSite alone would leave old browsers and
same-site subdomains unguarded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from socialcredit.registry import SESSION_LIFETIME_S, NewSession
from socialcredit.web.dependencies import registry_of

if TYPE_CHECKING:
    from socialcredit.registry import Principal

SESSION_COOKIE = "scs_session"
PRESESSION_COOKIE = "scs_presession"
CSRF_FIELD = "csrf_token"
PRESESSION_ID_BYTES = 32
CSRF_PURPOSE = b"scs web form token"


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _set_cookie(request: Request, response: Response, name: str, value: str, **options) -> None:
    response.set_cookie(
        name, value, httponly=True, samesite="strict", secure=_secure(request), path="/", **options
    )


def live_session(request: Request) -> tuple[str, Principal] | None:
    """The browser's session id and whom it stands for, when the session is live (looked up
    once per request)."""
    if not hasattr(request.state, "web_session"):
        secret = request.cookies.get(SESSION_COOKIE, "")
        principal = registry_of(request).sessions.principal(secret) if secret else None
        request.state.web_session = (secret, principal) if principal else None
    return request.state.web_session


def start_session(request: Request, response: Response, session: NewSession) -> None:
    """Signed in: the new session's id goes in the cookie. A session this browser had before
    ends: one browser, one session."""
    end_session(request, response)
    _set_cookie(request, response, SESSION_COOKIE, session.secret, max_age=SESSION_LIFETIME_S)


def end_session(request: Request, response: Response) -> None:
    """Sign out: the session ends in the store now, and the browser forgets its id."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        registry_of(request).sessions.end(secret)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request)
    )


def _token(basis: str) -> str:
    digest = hmac.new(basis.encode(), CSRF_PURPOSE, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def csrf_token_for(request: Request, response: Response | None = None) -> str:
    """The token this browser's forms must carry: bound to its live session, else to its
    pre-session cookie (made now when it has none; `response` then sets it)."""
    session = live_session(request)
    if session is not None:
        return _token(session[0])
    presession = request.cookies.get(PRESESSION_COOKIE) or getattr(
        request.state, "new_presession", None
    )
    if presession is None:
        presession = request.state.new_presession = secrets.token_urlsafe(PRESESSION_ID_BYTES)
    if response is not None and request.cookies.get(PRESESSION_COOKIE) != presession:
        _set_cookie(request, response, PRESESSION_COOKIE, presession)
    return _token(presession)


def csrf_valid(request: Request, submitted: str | None) -> bool:
    session = live_session(request)
    basis = session[0] if session is not None else request.cookies.get(PRESESSION_COOKIE)
    return bool(
        basis and submitted and hmac.compare_digest(_token(basis).encode(), submitted.encode())
    )


def local_path(path: str) -> str | None:
    """`path` when it is a path on this site, else None: never an open redirect (`//host`
    and `/\\host` are other sites to a browser)."""
    if path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return None
