"""An open-loop HTTP/1.1 load generator for loopback benchmarks.

Requests are *scheduled* at a fixed rate, whatever the server does, and each latency is
measured from its scheduled start, not from when a connection was free to send it: a server
that falls behind shows its queue in the percentiles instead of quietly slowing the client
down (coordinated omission, as wrk2 and HdrHistogram's authors call it). Raw asyncio streams
with keep-alive connections, so the generator is not what runs out of CPU first.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

CONNECTIONS_MAX = 64
LOOPBACK = "127.0.0.1"
PERCENTILES = (50, 90, 99, 99.9)


@dataclass
class Outcome:
    scheduled: int
    completed: int
    errors: int
    statuses: dict[int, int]
    seconds: float  # from the first scheduled start to the last response
    rate_per_s: float  # as scheduled
    latencies_ms: np.ndarray  # from each request's scheduled start

    def percentile_ms(self, percentile: float) -> float:
        return (
            float(np.percentile(self.latencies_ms, percentile))
            if self.latencies_ms.size
            else float("nan")
        )

    def summary(self) -> str:
        parts = [f"p{p:g} {self.percentile_ms(p):.1f} ms" for p in PERCENTILES]
        maximum = float(self.latencies_ms.max()) if self.latencies_ms.size else float("nan")
        return (
            f"{self.rate_per_s:,.0f} requests/s scheduled, "
            f"{self.completed / self.seconds:,.0f}/s completed "
            f"({self.completed:,} in {self.seconds:.1f} s); "
            + ", ".join(parts)
            + f", max {maximum:.1f} ms; statuses {dict(sorted(self.statuses.items()))}, "
            + f"errors {self.errors}"
        )


def http_request(
    method: str, path: str, port: int, headers: dict[str, str], body: bytes = b""
) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {LOOPBACK}:{port}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, payload: bytes
) -> int:
    writer.write(payload)
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split()[1])
    length = 0
    chunked = False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value:
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readline()).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.readexactly(length)
    return status


async def _run(
    port: int, rate_per_s: float, seconds: float, next_request: Callable[[int], bytes]
) -> Outcome:
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    opened = 0
    slots = asyncio.Semaphore(CONNECTIONS_MAX)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    total = int(rate_per_s * seconds)
    started = time.perf_counter()

    async def one(index: int, scheduled_at: float) -> None:
        nonlocal opened, errors
        async with slots:  # waiting here is queueing, and counts in the latency
            connection = idle.pop() if idle else None
            if connection is None:
                opened += 1
                connection = await asyncio.open_connection(LOOPBACK, port)
            try:
                status = await _exchange(*connection, next_request(index))
            except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError, IndexError):
                errors += 1
                connection[1].close()
                return
            latencies.append((time.perf_counter() - scheduled_at) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
            idle.append(connection)

    tasks = []
    for index in range(total):
        scheduled_at = started + index / rate_per_s
        delay = scheduled_at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(index, scheduled_at)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    for _, writer in idle:
        writer.close()
    return Outcome(
        total, len(latencies), errors, statuses, elapsed, rate_per_s, np.array(latencies)
    )


def run_open_loop(
    port: int, rate_per_s: float, seconds: float, next_request: Callable[[int], bytes]
) -> Outcome:
    """Send `rate_per_s × seconds` requests, one every 1/rate s, to 127.0.0.1:`port`."""
    return asyncio.run(_run(port, rate_per_s, seconds, next_request))


async def _run_closed(
    port: int, connections: int, seconds: float, next_request: Callable[[int], bytes]
) -> Outcome:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    counter = 0
    started = time.perf_counter()
    deadline = started + seconds

    async def client() -> None:
        nonlocal errors, counter
        connection = await asyncio.open_connection(LOOPBACK, port)
        try:
            while time.perf_counter() < deadline:
                index, counter = counter, counter + 1
                sent_at = time.perf_counter()
                try:
                    status = await _exchange(*connection, next_request(index))
                except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError):
                    errors += 1
                    connection[1].close()
                    connection = await asyncio.open_connection(LOOPBACK, port)
                    continue
                latencies.append((time.perf_counter() - sent_at) * 1000)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            connection[1].close()

    await asyncio.gather(*(client() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    completed = len(latencies)
    return Outcome(
        counter, completed, errors, statuses, elapsed, completed / elapsed, np.array(latencies)
    )


def run_closed_loop(
    port: int, connections: int, seconds: float, next_request: Callable[[int], bytes]
) -> Outcome:
    """`connections` keep-alive connections to 127.0.0.1:`port`, each sending its next request
    as soon as the last is answered, for `seconds`; latencies from each request's send."""
    return asyncio.run(_run_closed(port, connections, seconds, next_request))
