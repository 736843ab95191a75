"""Every error the API returns has one shape: `{"error": CODE, "detail": TEXT}`.

`detail` names the field or row at fault, so a client can act on it without reading a trace.
"""

from __future__ import annotations

import logging
import traceback

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger("socialcredit.service")
# A store busy past its lock timeout (a long ingest holds SQLite's write lock) is worth a retry.
STORE_RETRY_AFTER_S = 5

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "internal",
    503: "unavailable",
}


class ErrorBody(BaseModel):
    error: str
    detail: str


class ApiError(Exception):
    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers


def error_response(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": ERROR_CODES.get(status, "error"), "detail": detail}
    return JSONResponse(body, status_code=status, headers=headers)


def _field_name(location: tuple) -> str:
    parts = [str(part) for part in location]
    where = {
        "query": "query parameter ",
        "path": "path parameter ",
        "header": "header ",
        "body": "body field ",
    }
    if parts and parts[0] in where:
        name = ".".join(parts[1:]) or "body"
        return where[parts[0]] + name
    return ".".join(parts)


def validation_detail(error: RequestValidationError) -> str:
    problems = []
    for problem in error.errors():
        problems.append(
            f"{_field_name(tuple(problem.get('loc', ())))}: {problem.get('msg', 'invalid')}"
        )
    return "; ".join(problems) or "invalid request"


def _wants_a_page(request: Request) -> bool:
    """A browser asking for a page outside the API gets the web's page, not JSON."""
    api = request.url.path.startswith("/v1/") or request.url.path in (
        "/metrics",
        "/healthz",
        "/readyz",
    )
    return not api and "text/html" in request.headers.get("accept", "")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, error: ApiError) -> JSONResponse:
        return error_response(error.status, error.detail, error.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        # A page's address whose number can name nothing (`/source/batches/99…99/…`) is a
        # page that is not there, for a browser.
        page = getattr(request.app.state, "not_found_page", None)
        in_path = all(problem.get("loc", ("",))[0] == "path" for problem in error.errors())
        if page is not None and in_path and _wants_a_page(request):
            return page(request)
        return error_response(422, validation_detail(error))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        page = getattr(request.app.state, "not_found_page", None)
        if error.status_code == 404 and page is not None and _wants_a_page(request):
            return page(request)
        detail = error.detail if isinstance(error.detail, str) else str(error.detail)
        return error_response(error.status_code, detail, getattr(error, "headers", None))


def route_template(scope) -> str:
    """The route as declared (`/v1/subjects/{subject_id}`): what logs and metrics name, never
    the path as sent, which may hold a subject's identifier."""
    return getattr(scope.get("route"), "path", None) or "unmatched"


def unexpected_error_response(request: Request, error: Exception) -> JSONResponse:
    """The answer to an exception no handler took (`RequestMiddleware` calls it and never lets
    the exception reach the server, whose log would print its message): 503 or 422 when the
    store is the problem, else 500. The log line names the route template and the traceback's
    frames, never the message, which may quote what the request sent."""
    where = f"{request.method} {route_template(request.scope)}"
    registry = getattr(request.app.state, "registry", None)
    problem = registry.problem(error) if registry is not None else None
    if problem is not None and registry.refused_value(error):  # the message may quote it
        logger.warning("the store refused a value on %s", where)
        return error_response(422, "the store cannot hold a value of this request")
    if problem is not None:  # the store, not the request: busy, read-only, gone
        logger.warning("store problem on %s: %s", where, problem)
        detail = "the store is busy or unavailable; nothing of this request was stored: retry later"
        return error_response(503, detail, {"Retry-After": str(STORE_RETRY_AFTER_S)})
    frames = "".join(traceback.format_tb(error.__traceback__))
    logger.error("unexpected %s on %s\n%s", type(error).__name__, where, frames.rstrip())
    return error_response(500, "the server failed; the request may be retried")


ERROR_RESPONSES = {
    status: {"model": ErrorBody, "description": ERROR_CODES[status]}
    for status in (401, 403, 404, 413, 422, 429)
}
