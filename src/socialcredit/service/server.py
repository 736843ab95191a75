"""Running the app under an ASGI server: uvicorn or granian, one or more worker processes.

Worker processes import the app by name, so what they need (the store URL, the limits) travels
in environment variables that `serve` sets before it starts them.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from typing import TYPE_CHECKING, Literal

from socialcredit.registry import STORE_URL_VARIABLE
from socialcredit.service.settings import ServiceSettings

if TYPE_CHECKING:  # the app is imported only when served: `scs score` need not load FastAPI
    from fastapi import FastAPI

Server = Literal["uvicorn", "granian"]
SERVERS: tuple[Server, ...] = ("uvicorn", "granian")
DEFAULT_SERVER: Server = "uvicorn"
RATE_LIMIT_VARIABLE = "SCS_RATE_LIMIT"  # requests per second per key; 0 turns the limit off
APP_FACTORY = "socialcredit.service.server:app_from_environment"
KEEP_ALIVE_TIMEOUT_S = 5
# A request's line and header fields together: far more than any client of the registry sends
# (a key or a session cookie is under 100 bytes), and little enough that a request cannot make
# a worker hold megabytes before the app sees it. Larger ones get 431 from either server.
HEADER_MAX_BYTES = 64 * 1024
BOUNDED_HTTP_PROTOCOL = "socialcredit.service.http_protocol:BoundedHeadersProtocol"


def settings_from_environment() -> ServiceSettings:
    rate = os.environ.get(RATE_LIMIT_VARIABLE)
    if rate is None:
        return ServiceSettings()
    return ServiceSettings(requests_per_second_per_key=float(rate))


def configure_logging() -> None:
    """Request lines are JSON already: print them as they are, one per line, on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    requests = logging.getLogger("socialcredit.service.requests")
    requests.handlers[:] = [handler]
    requests.setLevel(logging.INFO)
    requests.propagate = False


def app_from_environment() -> FastAPI:
    from socialcredit.service.app import create_app

    configure_logging()
    return create_app(os.environ.get(STORE_URL_VARIABLE), settings_from_environment())


def serve(
    store_url: str, host: str, port: int, workers: int, server: Server, rate_limit: float | None
) -> None:
    os.environ[STORE_URL_VARIABLE] = store_url
    if rate_limit is not None:
        os.environ[RATE_LIMIT_VARIABLE] = str(rate_limit)
    if workers > 1 and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="scs-metrics-")
    if server == "granian":
        from granian import Granian
        from granian.constants import Interfaces
        from granian.http import HTTP1Settings

        Granian(
            APP_FACTORY,
            address=host,
            port=port,
            interface=Interfaces.ASGI,
            workers=workers,
            factory=True,
            log_access=False,
            # hyper answers 431 to a head that does not fit its read buffer.
            http1_settings=HTTP1Settings(max_buffer_size=HEADER_MAX_BYTES),
        ).serve()
        return
    import uvicorn

    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        timeout_keep_alive=KEEP_ALIVE_TIMEOUT_S,
        http=BOUNDED_HTTP_PROTOCOL,
        log_level="warning",
    )
