"""The web interface (SPEC §9): server-rendered pages in Chinese and English.

`create_router()` returns the routes the service's app factory includes at `/`. Pages call
the same registry functions as the HTTP API, and each names its JSON twin there.
"""

from __future__ import annotations

from fastapi import APIRouter

from socialcredit.web import account, public, static


def create_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    router.include_router(static.router)
    router.include_router(public.router)
    router.include_router(account.router)
    return router
