"""What every page handler needs from the application: the registry."""

from __future__ import annotations

from starlette.requests import Request

from socialcredit.registry import Registry


def registry_of(request: Request) -> Registry:
    return request.app.state.registry
