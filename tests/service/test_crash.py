"""The server killed (SIGKILL) in the middle of bulk submissions from concurrent clients,
restarted, and the clients retrying what was not acknowledged: every acknowledged record is
stored exactly once, and a batch that was never acknowledged is stored whole or not at all."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import orjson
import sqlalchemy as sa

from socialcredit.registry import Registry
from socialcredit.store import schema
from socialcredit.store.store import Store
from tests.helpers import PERSON, catalogue_document, catalogue_yaml, record

CLIENTS = 4
BATCHES_PER_CLIENT = 12
RECORDS_PER_BATCH = 500
ACKNOWLEDGED_BEFORE_KILL = 6
SERVER_START_TIMEOUT_S = 180
TEST_TIMEOUT_S = 480
REQUEST_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(store_url: str, port: int, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "socialcredit",
            "serve",
            "--port",
            str(port),
            "--rate-limit",
            "0",
            "--db",
            store_url,
        ],
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"the server did not start: {log.read_text()[-2000:]}")


def batch_body(client: int, batch: int) -> bytes:
    rows = [
        record(f"k{client}-{batch}-{i}", "court.judgment_default", PERSON, "2026-01-05")
        for i in range(RECORDS_PER_BATCH)
    ]
    return b"".join(orjson.dumps(row) + b"\n" for row in rows)


class Client(threading.Thread):
    def __init__(self, number: int, port: int, key: str, deadline: float):
        super().__init__(daemon=True)
        self.number, self.port, self.key, self.deadline = number, port, key, deadline
        self.acknowledged: dict[int, dict] = {}
        self.failed_attempts = 0

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.key}", "Content-Type": "application/x-ndjson"}
        batch = 0
        while batch < BATCHES_PER_CLIENT and time.monotonic() < self.deadline:
            try:
                response = httpx.post(
                    f"http://127.0.0.1:{self.port}/v1/records",
                    content=batch_body(self.number, batch),
                    headers=headers,
                    timeout=REQUEST_TIMEOUT_S,
                )
            except httpx.TransportError:
                self.failed_attempts += 1
                time.sleep(0.5)  # not acknowledged: the same batch again
                continue
            if response.status_code != 200:
                self.failed_attempts += 1
                time.sleep(0.2)
                continue
            self.acknowledged[batch] = response.json()
            batch += 1


def stored_counts(store_url: str) -> dict[str, int]:
    store = Store.open(store_url)
    try:
        with store.engine.connect() as connection:
            rows = connection.execute(sa.select(schema.records.c.record_id))
            counts: dict[str, int] = {}
            for (record_id,) in rows:
                prefix = record_id.rsplit("-", 1)[0]
                counts[prefix] = counts.get(prefix, 0) + 1
            return counts
    finally:
        store.close()


def test_acknowledged_batches_survive_a_kill_and_retries_store_nothing_twice(
    store_url: str, tmp_path: Path
) -> None:
    registry = Registry(Store.open(store_url))
    registry.publish_catalogue(catalogue_yaml(catalogue_document(effective_from="2020-01-01")))
    key = registry.keys.create("source", "court").secret
    registry.store.close()
    port, log = free_port(), tmp_path / "server.log"
    server = start_server(store_url, port, log)
    deadline = time.monotonic() + TEST_TIMEOUT_S
    clients = [Client(number, port, key, deadline) for number in range(CLIENTS)]
    try:
        for client in clients:
            client.start()
        while sum(len(c.acknowledged) for c in clients) < ACKNOWLEDGED_BEFORE_KILL:
            assert time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.01)
        os.kill(server.pid, signal.SIGKILL)  # in the middle of the others' submissions
        server.wait()
        acknowledged_at_kill = {(c.number, b) for c in clients for b in list(c.acknowledged)}
        # While the server is down: every batch is in the store whole or not at all.
        for prefix, count in stored_counts(store_url).items():
            assert count == RECORDS_PER_BATCH, f"batch {prefix} is half-stored: {count} records"
        stored_at_kill = set(stored_counts(store_url))
        for client_number, batch in acknowledged_at_kill:
            assert f"k{client_number}-{batch}" in stored_at_kill
        server = start_server(store_url, port, log)
        for client in clients:
            client.join(timeout=max(1, deadline - time.monotonic()))
        assert all(len(c.acknowledged) == BATCHES_PER_CLIENT for c in clients), log.read_text()[
            -2000:
        ]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert sum(c.failed_attempts for c in clients) >= 1  # the kill did interrupt someone
    counts = stored_counts(store_url)
    assert counts == {
        f"k{c}-{b}": RECORDS_PER_BATCH for c in range(CLIENTS) for b in range(BATCHES_PER_CLIENT)
    }
    for client in clients:
        for answer in client.acknowledged.values():
            assert (
                answer["accepted"] + answer["duplicates"] == RECORDS_PER_BATCH
                and answer["rejected"] == 0
            )
