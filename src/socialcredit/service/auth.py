"""Who is calling: the `Principal` behind a request, as a FastAPI dependency.

A request names its caller with `Authorization: Bearer KEY`. Authenticators are tried in turn
(`app.state.authenticators`): the API key one is always there; the web pages add one for their
sign-in cookie, and an OpenID Connect one could be added for subjects signing in with a
national eID. Each returns a `Principal` or None; routes check roles, never how one signed in.
A missing, malformed, unknown or revoked key all get the same 401.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from socialcredit.registry import Principal, Registry
from socialcredit.service.errors import ApiError
from socialcredit.service.limits import retry_after_header

Authenticator = Callable[[Request, Registry], Principal | None]
UNAUTHORIZED_DETAIL = "a valid API key is needed: Authorization: Bearer KEY"
BEARER = "bearer "


def get_registry(request: Request) -> Registry:
    return request.app.state.registry


def bearer_key(request: Request, registry: Registry) -> Principal | None:
    header = request.headers.get("authorization", "")
    if not header[: len(BEARER)].lower() == BEARER:
        return None
    return registry.keys.principal(header[len(BEARER) :].strip())


def _refuse_if_waiting(wait_s: float) -> None:
    if wait_s:
        raise ApiError(
            429, "too many requests from this caller; retry later", retry_after_header(wait_s)
        )


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def authenticate(request: Request) -> Principal | None:
    """The caller's principal, or None. Cached on the request: dependencies may ask twice."""
    if "principal" in request.scope.get("state", {}):
        return request.state.principal
    registry = get_registry(request)
    principal = None
    for authenticator in request.app.state.authenticators:
        principal = authenticator(request, registry)
        if principal is not None:
            break
    request.state.principal = principal
    return principal


def current_principal(request: Request) -> Principal:
    """The caller's principal; 401 when there is none; 429 when it calls too often."""
    principal = authenticate(request)
    limits = request.app.state.limits
    if principal is None:
        # Guessing keys costs the guesser: few tries a second from one address.
        _refuse_if_waiting(limits.unknown_keys.take(f"address:{client_address(request)}"))
        raise ApiError(401, UNAUTHORIZED_DETAIL, {"WWW-Authenticate": "Bearer"})
    _refuse_if_waiting(limits.take_for_key(principal.key_number, principal.role, principal.rate))
    return principal


def public_caller(request: Request) -> None:
    """Public endpoints: no key needed; limited per client address."""
    _refuse_if_waiting(request.app.state.limits.public.take(f"address:{client_address(request)}"))


def require_roles(*roles: str) -> Callable[..., Principal]:
    def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role not in roles:
            raise ApiError(
                403, f"this needs a key of role {' or '.join(roles)}, not {principal.role}"
            )
        return principal

    return dependency


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
RegistryDependency = Annotated[Registry, Depends(get_registry)]
