"""One JSON log line per request, Prometheus metrics, and the per-request timeout.

Log lines and metric labels name the route template (`/v1/subjects/{subject_id}`), never the
path as sent, and the caller by key number and role: no subject's identifier reaches a log.
Every label value comes from a fixed set. /metrics is the operator's (an operator key).
With several worker processes, metrics go through prometheus-client's multiprocess mode
(PROMETHEUS_MULTIPROC_DIR, set by `scs serve`), so /metrics sums every worker.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time

import orjson
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from socialcredit.ingest.pipeline import IngestCounts
from socialcredit.ingest.reasons import reject_kind
from socialcredit.service.errors import (
    error_response,
    route_template,
    unexpected_error_response,
)

request_logger = logging.getLogger("socialcredit.service.requests")
LATENCY_BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
RECORDS_PATH = "/v1/records"
CATALOGUE_PUBLICATION_PATH = "/operator/catalogue"
CATALOGUE_SIMULATION_PATH = "/v1/catalogue/simulation"  # a whole catalogue, as publication
# Label values come from fixed sets only: a label made of what a client sends (a reject's
# reason, an HTTP method) would let one request make thousands of series.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "other"


class ServiceMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "scs_http_requests",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "scs_http_request_duration_seconds",
            "Time from request to response",
            ["method", "route"],
            buckets=LATENCY_BUCKETS_S,
            registry=self.registry,
        )
        self.records = Counter(
            "scs_records", "Submitted rows by outcome", ["outcome"], registry=self.registry
        )
        self.rejected = Counter(
            "scs_records_rejected",
            "Rejected rows by the kind of their first problem",
            ["kind"],
            registry=self.registry,
        )
        self.checks = Counter(
            "scs_checks",
            "Relying parties' checks by measure and answer",
            ["measure", "applies"],
            registry=self.registry,
        )

    def count_records(self, counts: IngestCounts, rejects) -> None:
        self.records.labels("accepted").inc(counts.accepted)
        self.records.labels("duplicate").inc(counts.duplicates)
        self.records.labels("rejected").inc(counts.rejected)
        for reject in rejects:
            self.rejected.labels(reject_kind(reject.reason)).inc()

    def count_check(self, measure: str, applies: bool) -> None:
        self.checks.labels(measure, "yes" if applies else "no").inc()

    def exposition(self) -> tuple[bytes, str]:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class RequestMiddleware:
    """Times, logs and counts each request, ends one that runs past its timeout, answers one
    that fails unexpectedly, and marks each answer not to be stored by caches."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics, settings) -> None:
        self.app = app
        self.metrics = metrics
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]
        response_started = [False]

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                response_started[0] = True
                message = _not_stored(message)
            await send(message)

        records = scope["path"] == RECORDS_PATH
        timeout_s = (
            self.settings.records_request_timeout_s if records else self.settings.request_timeout_s
        )
        try:
            async with asyncio.timeout(timeout_s):
                await self.app(scope, receive, send_and_note)
        except TimeoutError:
            if response_started[0]:
                raise
            response = error_response(
                503, f"the request took longer than {timeout_s:.0f} s; retry later"
            )
            await response(scope, receive, send_and_note)
        except Exception as error:  # answered and logged here; re-raised, the server would log it
            response = unexpected_error_response(Request(scope), error)
            if not response_started[0]:
                await response(scope, receive, send_and_note)
        finally:
            self._record(scope, status[0], time.perf_counter() - started)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        template = route_template(scope)
        method = scope["method"] if scope["method"] in METHODS else OTHER_METHOD
        self.metrics.requests.labels(method, template, str(status)).inc()
        self.metrics.latency.labels(method, template).observe(seconds)
        if self.settings.log_requests and request_logger.isEnabledFor(logging.INFO):
            principal = scope.get("state", {}).get("principal")
            request_logger.info(
                orjson.dumps(
                    {
                        "at": time.time(),
                        "method": method,
                        "route": template,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 3),
                        "caller": principal.label if principal else None,
                    }
                ).decode()
            )


def _not_stored(start: Message) -> Message:
    """The response with `Cache-Control: no-store` unless it says otherwise (only the static
    files do): files, objections, checks and keys must not stay in a browser's or a proxy's
    cache, and an answer that holds none of them loses nothing by it."""
    headers = start.get("headers", [])
    if any(name.lower() == b"cache-control" for name, _value in headers):
        return start
    return {**start, "headers": [*headers, (b"cache-control", b"no-store")]}


class BodyLimitMiddleware:
    """413 for a body over the limit: at once when Content-Length says so, else as soon as the
    bytes received pass it (a chunked body has none). Records and a catalogue publication have
    limits of their own, larger than any other body's.

    Past the limit the middleware answers 413 itself and tells the app the client went away:
    an exception raised from `receive` would reach the app's body parsing, which answers 400."""

    def __init__(self, app: ASGIApp, settings) -> None:
        self.app = app
        self.settings = settings

    def limit(self, path: str) -> int:
        if path == RECORDS_PATH:
            return self.settings.records_body_max_bytes
        if path in (CATALOGUE_PUBLICATION_PATH, CATALOGUE_SIMULATION_PATH):
            return self.settings.catalogue_body_max_bytes
        return self.settings.json_body_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            response = error_response(
                413, f"the body is {int(declared)} bytes; the limit is {limit}"
            )
            await response(scope, receive, send)
            return
        received = 0
        started = over = False

        async def counting_receive() -> Message:
            nonlocal received, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True
                    if not started:
                        response = error_response(
                            413, f"the body is over the limit of {limit} bytes"
                        )
                        await response(scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def send_unless_answered(message: Message) -> None:
            nonlocal started
            if not over:
                started = started or message["type"] == "http.response.start"
                await send(message)

        await self.app(scope, counting_receive, send_unless_answered)
