"""The web session and protection of its forms.

Signing in puts the API key, signed by the server, in a cookie that scripts cannot read
(HttpOnly) and that no other site's page can make the browser send (SameSite=Strict). The key
is resolved again on every request, so revoking it ends the session at once. Every form also
carries a token that must equal the one in a second cookie (double submit), because SameSite
alone leaves old browsers and same-site subdomains unguarded.
"""

from __future__ import annotations

import secrets
from functools import cache

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "scs_session"
CSRF_COOKIE = "scs_csrf"
CSRF_FIELD = "csrf_token"
SESSION_MAX_AGE_S = 8 * 60 * 60  # a working day; signing in again is cheap
CSRF_TOKEN_BYTES = 32


@cache
def _process_secret() -> str:
    # Sessions signed with it end when the server restarts; a deployment that wants them to
    # survive sets `app.state.web_secret`.
    return secrets.token_urlsafe(32)


def _serializer(request: Request) -> URLSafeTimedSerializer:
    secret = getattr(request.app.state, "web_secret", None) or _process_secret()
    return URLSafeTimedSerializer(secret, salt="scs-web-session")


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def session_key(request: Request) -> str | None:
    """The API key the browser signed in with, if its cookie is genuine and fresh."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        data = _serializer(request).loads(cookie, max_age=SESSION_MAX_AGE_S)
    except BadSignature:
        return None
    return data.get("key") if isinstance(data, dict) else None


def start_session(request: Request, response: Response, key: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        _serializer(request).dumps({"key": key}),
        max_age=SESSION_MAX_AGE_S,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/",
    )


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")


def csrf_token_for(request: Request, response: Response | None = None) -> str:
    """The token forms must carry; with `response`, set its cookie when it is new."""
    token = getattr(request.state, "csrf_token", None)
    if token is None:
        token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(CSRF_TOKEN_BYTES)
        request.state.csrf_token = token
    if response is not None and request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(
            CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request), path="/"
        )
    return token


def csrf_valid(request: Request, submitted: str | None) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE)
    return bool(cookie and submitted and secrets.compare_digest(cookie, submitted))


def local_path(path: str) -> str | None:
    """`path` when it is a path on this site, else None: never an open redirect (`//host`
    and `/\\host` are other sites to a browser)."""
    if path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return None
