"""`scs serve` (SPEC §8, §9): the HTTP API and the web pages. Translation only."""

from __future__ import annotations

from typing import Annotated

import typer

from socialcredit.cli.common import EXIT_CANNOT_RUN, fail, open_registry
from socialcredit.cli.options import DatabaseOption
from socialcredit.service.server import DEFAULT_SERVER, SERVERS


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port to listen on.")
    ] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Worker processes.")] = 1,
    server: Annotated[
        str, typer.Option("--server", help=f"ASGI server: {', '.join(SERVERS)}.")
    ] = DEFAULT_SERVER,
    rate_limit: Annotated[
        float | None,
        typer.Option(
            "--rate-limit",
            min=0,
            help="Requests per second for every key, in place of each key's own rate "
            "(0: no per-key limit). Default: each key's rate (`scs keys create --rate`).",
        ),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Serve the HTTP API under /v1 (OpenAPI at /v1/openapi.json) and the web interface at /."""
    from socialcredit.service.server import serve as run  # the service: only when it runs

    if server not in SERVERS:
        raise fail(f"--server must be one of {', '.join(SERVERS)}", EXIT_CANNOT_RUN)
    with open_registry(database) as registry:  # open (and migrate) once, before any worker
        store_url = registry.store_url
    print(
        f"serving on http://{host}:{port} (API: http://{host}:{port}/v1/openapi.json)", flush=True
    )
    run(store_url, host, port, workers, server, rate_limit)  # type: ignore[arg-type]
