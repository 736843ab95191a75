"""The web pages' route class: a page that needs someone signed in sends others to sign in,
and one for another role answers 403 with a page that says so, whatever the handler."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from socialcredit.web.principal import SignInNeeded, WrongRole
from socialcredit.web.templating import render


class WebRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInNeeded as needed:
                return RedirectResponse(needed.location, status_code=303)
            except WrongRole:
                return render(request, "wrong_role.html", {}, json_twin=None, status_code=403)

        return handle
