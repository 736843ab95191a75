"""The app factory: `create_app(store URL or registry factory, settings)`.

No engine or registry lives at module level: each app opens its own store when it starts and
closes it when it stops, so tests make as many apps as they like, on any store.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio
from fastapi import Depends, FastAPI
from fastapi.responses import Response

from socialcredit import __version__
from socialcredit.registry import Registry
from socialcredit.service import docs
from socialcredit.service.auth import bearer_key, require_roles
from socialcredit.service.errors import install_error_handlers
from socialcredit.service.limits import ServiceLimits
from socialcredit.service.observability import (
    BodyLimitMiddleware,
    RequestMiddleware,
    ServiceMetrics,
)
from socialcredit.service.routes import catalogue, public, records, repairs, rights, subjects
from socialcredit.service.settings import ServiceSettings

logger = logging.getLogger("socialcredit.service")
OPENAPI_URL = "/v1/openapi.json"
WEB_MODULE = "socialcredit.web"
INGESTS_AT_ONCE = 2

RegistryFactory = Callable[[], Registry]


def registry_factory_for(store_url: str | None) -> RegistryFactory:
    return lambda: Registry.open(store_url)


def include_web(app: FastAPI) -> None:
    """The web pages (SPEC §9), when the package that serves them is there: its
    `create_router()`, its `authenticators()` (a sign-in cookie) after the bearer key, and
    its `not_found_page(request)` for a browser that asks for an address that is not there."""
    try:
        module = importlib.import_module(WEB_MODULE)
    except ModuleNotFoundError as error:
        if error.name != WEB_MODULE:
            raise
        return
    if hasattr(module, "create_router"):
        app.include_router(module.create_router())
    if hasattr(module, "authenticators"):
        app.state.authenticators.extend(module.authenticators())
    if hasattr(module, "not_found_page"):
        app.state.not_found_page = module.not_found_page


def create_app(
    store: str | RegistryFactory | None = None, settings: ServiceSettings | None = None
) -> FastAPI:
    """The API on the store at `store` (a URL, None for $SCS_DB or ./scs.db) or on the
    registry a factory makes (tests inject one with a fixed clock)."""
    settings = settings or ServiceSettings()
    make_registry = store if callable(store) else registry_factory_for(store)
    metrics = ServiceMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        registry = make_registry()
        app.state.registry = registry
        # Batches are ingested a few at a time per process; the rest wait their turn instead of
        # each opening connections of its own (a burst of 80 exhausted PostgreSQL's 100).
        app.state.ingest_limiter = anyio.CapacityLimiter(INGESTS_AT_ONCE)
        try:
            yield
        finally:
            registry.close()

    app = FastAPI(
        title="Social credit information registry",
        version=__version__,
        openapi_url=OPENAPI_URL,
        docs_url=None,  # served by `service.docs`, with no script from elsewhere
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.limits = ServiceLimits(settings)
    app.state.authenticators = [bearer_key]
    install_error_handlers(app)
    for router in (
        docs.router,
        public.router,
        public.health_router,
        records.router,
        subjects.router,
        rights.router,
        repairs.router,
        catalogue.router,
    ):
        app.include_router(router)

    # The operator's: counts of checks by measure and answer, of requests by route, of rejects
    # by kind tell an outsider what the registry is being asked and says (README: "Security").
    @app.get("/metrics", include_in_schema=False, dependencies=[Depends(require_roles("operator"))])
    def prometheus_metrics() -> Response:
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    include_web(app)
    app.add_middleware(BodyLimitMiddleware, settings=settings)
    app.add_middleware(RequestMiddleware, metrics=metrics, settings=settings)
    return app
