"""`scs serve` as it runs for real, in processes of its own (issue 16): both servers bound a
request's head (defect 12), and with several worker processes sign-in sessions hold on every
request and /metrics counts every process (defect 18)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from socialcredit.registry import Registry
from socialcredit.service.server import HEADER_MAX_BYTES
from socialcredit.store.store import Store
from tests.helpers import form_token

SERVER_START_TIMEOUT_S = 120
REQUESTS = 40


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served(store_url: str, log: Path, *options: str) -> Iterator[str]:
    """`scs serve` on a free port with `options`; its address while it runs."""
    port = free_port()
    command = [sys.executable, "-m", "socialcredit", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, *options, "--db", store_url],
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            try:
                if httpx.get(f"{address}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise AssertionError(f"the server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield address
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def status_line(port: int, header_bytes: int) -> bytes:
    """Send a request whose one header field holds `header_bytes` bytes; the answer's first
    line (empty when the server closed without one)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        try:
            connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: registry\r\nX-Filler: ")
            for start in range(0, header_bytes, 65536):
                connection.sendall(b"a" * min(65536, header_bytes - start))
            connection.sendall(b"\r\n\r\n")
        except OSError:  # refused and closed while we were still sending: read the answer
            pass
        answer = b""
        while b"\r\n" not in answer:
            piece = connection.recv(4096)
            if not piece:
                break
            answer += piece
    return answer.split(b"\r\n", 1)[0]


@pytest.mark.parametrize("server", ["uvicorn", "granian"])
def test_a_huge_request_header_gets_431(tmp_path: Path, server: str) -> None:
    store_url = f"sqlite:///{tmp_path / 'registry.db'}"
    with served(store_url, tmp_path / "server.log", "--server", server) as address:
        port = int(address.rsplit(":", 1)[1])
        started = time.monotonic()
        assert status_line(port, 50_000_000).startswith(b"HTTP/1.1 431")
        assert time.monotonic() - started < 10  # refused early, not read whole
        assert status_line(port, HEADER_MAX_BYTES // 2).startswith(b"HTTP/1.1 200")
        assert httpx.get(f"{address}/healthz").status_code == 200  # still serving


def test_sessions_and_metrics_hold_across_worker_processes(store_url: str, tmp_path: Path) -> None:
    registry = Registry(Store.open(store_url))
    keys = {
        "operator": registry.keys.create("operator", None).secret,
        "signed in": registry.keys.create("operator", None).secret,
    }
    registry.store.close()
    with served(store_url, tmp_path / "server.log", "--workers", "2") as address:
        # A new connection for every request, so that both workers answer some.
        with httpx.Client(base_url=address) as browser:
            token = form_token(browser.get("/sign-in").text)
            signed_in = browser.post(
                "/sign-in", data={"key": keys["signed in"], "csrf_token": token}
            )
            assert signed_in.status_code == 303, signed_in.text
            cookie = browser.cookies["scs_session"]
        homes = []
        for _ in range(REQUESTS):
            with httpx.Client(base_url=address, cookies={"scs_session": cookie}) as browser:
                homes.append(browser.get("/me").headers["location"])
        assert homes == ["/operator"] * REQUESTS
        for _ in range(REQUESTS):
            with httpx.Client(base_url=address) as client:
                assert client.get("/healthz").status_code == 200
        operator = {"Authorization": f"Bearer {keys['operator']}"}
        metrics = httpx.get(f"{address}/metrics", headers=operator).text
    (line,) = [
        line
        for line in metrics.splitlines()
        if line.startswith("scs_http_requests_total") and 'route="/healthz"' in line
    ]
    assert line.endswith(f" {REQUESTS + 1}.0")  # and the server's own first look when it started
