"""A store busy past its lock timeout (another process holds SQLite's write lock, as a long
ingest does) is the store's problem, not the request's: 503 with Retry-After, nothing stored,
and the retry stores the batch once. PostgreSQL has no store-wide write lock."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient

from socialcredit.store import connections
from tests.helpers import PERSON, catalogue_document, catalogue_yaml, record
from tests.service.conftest import make_app


def test_a_busy_store_answers_503_and_the_retry_stores_the_batch_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connections, "SQLITE_BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "busy.db"
    with TestClient(make_app(f"sqlite:///{path}"), raise_server_exceptions=False) as client:
        registry = client.app.state.registry
        registry.publish_catalogue(catalogue_yaml(catalogue_document()))
        headers = {
            "Authorization": f"Bearer {registry.keys.create('source', 'court').secret}",
            "Content-Type": "application/x-ndjson",
        }
        body = b"".join(
            orjson.dumps(record(f"c{i}", "court.judgment_default", PERSON, "2026-01-05")) + b"\n"
            for i in range(3)
        )
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        try:
            busy = client.post("/v1/records", content=body, headers=headers)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert busy.status_code == 503, busy.text
        assert busy.headers["Retry-After"] == "5"
        assert busy.json()["error"] == "unavailable" and str(path) not in busy.text
        assert registry.store.current_ledger().height == 0

        retried = client.post("/v1/records", content=body, headers=headers)
        assert retried.status_code == 200, retried.text
        assert retried.json()["accepted"] == 3
        assert registry.store.current_ledger().height == 3


def test_a_burst_of_batches_is_ingested_a_few_at_a_time_and_all_stored(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many batches at once wait for an ingest slot (two per process) instead of each opening
    connections of its own: a burst once exhausted PostgreSQL's connections and got 500s."""
    from socialcredit.service.routes import records as records_route

    running, most = [0], [0]
    ingest = records_route._ingest

    def counted(*arguments):
        running[0] += 1
        most[0] = max(most[0], running[0])
        try:
            return ingest(*arguments)
        finally:
            running[0] -= 1

    monkeypatch.setattr(records_route, "_ingest", counted)
    with TestClient(make_app(store_url), raise_server_exceptions=False) as client:
        registry = client.app.state.registry
        registry.publish_catalogue(catalogue_yaml(catalogue_document()))
        headers = {
            "Authorization": f"Bearer {registry.keys.create('source', 'court').secret}",
            "Content-Type": "application/x-ndjson",
        }

        def submit(batch: int) -> int:
            body = b"".join(
                orjson.dumps(
                    record(f"b{batch}-{i}", "court.judgment_default", PERSON, "2026-01-05")
                )
                + b"\n"
                for i in range(20)
            )
            return client.post("/v1/records", content=body, headers=headers).status_code

        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(submit, range(12)))
        assert statuses == [200] * 12
        assert most[0] <= 2
        assert registry.store.current_ledger().height == 12 * 20
