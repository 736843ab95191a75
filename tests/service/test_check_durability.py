"""Access-log writes by group commit (issue 16): a check is answered only once its look is
durable, so every check a party got an answer to is in the access log, even when the server is
killed (SIGKILL, no chance to flush anything) in the middle of many concurrent checks. On both
stores, against `scs serve` in a process of its own."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

from socialcredit.registry import Registry
from socialcredit.store import schema
from socialcredit.store.store import Store
from tests.helpers import (
    OTHER_PERSON,
    PERSON,
    catalogue_document,
    catalogue_yaml,
    record,
    write_records,
)
from tests.service.test_served import served

CLIENTS = 16
ACKNOWLEDGED_BEFORE_KILL = 200
TRAFFIC_DEADLINE_S = 120


def test_every_acknowledged_check_is_in_the_access_log_after_a_sigkill(
    store_url: str, tmp_path: Path
) -> None:
    registry = Registry(Store.open(store_url))
    try:
        assert registry.publish_catalogue(catalogue_yaml(catalogue_document())).version == 1
        records = [record("c1", "court.judgment_default", PERSON, "2026-01-05")]
        registry.ingest(write_records(tmp_path / "court.csv", records), "court")
        key = registry.keys.create("party", "civil-aviation").secret
    finally:
        registry.close()

    acknowledged: list[str] = []
    failures: list[BaseException] = []
    stop = threading.Event()

    def party(address: str, number: int) -> None:
        with httpx.Client(base_url=address, headers={"Authorization": f"Bearer {key}"}) as client:
            sent = 0
            while not stop.is_set():
                sent += 1
                purpose = f"sale {number}-{sent}"
                # Every other check is of a subject without a file: nothing to log, same wait.
                subject = PERSON if sent % 2 else OTHER_PERSON
                try:
                    response = client.get(
                        "/v1/checks",
                        params={
                            "subject_id": subject,
                            "measure": "no_air_travel",
                            "purpose": purpose,
                        },
                        timeout=10,
                    )
                except httpx.TransportError:
                    return  # the server is gone: this check was never answered
                if response.status_code != 200:
                    failures.append(AssertionError(f"{response.status_code}: {response.text}"))
                    return
                if subject == PERSON:
                    if response.json()["applies"] is not True:
                        failures.append(AssertionError(response.text))
                        return
                    acknowledged.append(purpose)

    log = tmp_path / "serve.log"
    with served(store_url, log) as address:
        pid = _listening_pid(int(address.rsplit(":", 1)[1]))
        threads = [threading.Thread(target=party, args=(address, n)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        # Traffic until checks are being answered steadily (a loaded machine is slow to start).
        deadline = time.monotonic() + TRAFFIC_DEADLINE_S
        while len(acknowledged) < ACKNOWLEDGED_BEFORE_KILL and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)  # mid-traffic: checks in flight, looks being committed
        for thread in threads:
            thread.join(timeout=30)
        stop.set()
    assert not failures, failures[:3]
    assert len(acknowledged) >= CLIENTS  # the server answered checks before it was killed

    store = Store.open(store_url)
    try:
        with store.engine.connect() as connection:
            logged = set(
                connection.execute(
                    sa.select(schema.file_views.c.purpose).where(
                        schema.file_views.c.channel == "check"
                    )
                ).scalars()
            )
            counts = connection.execute(sa.select(schema.access_log_counts)).one()
    finally:
        store.close()
    missing = [purpose for purpose in acknowledged if purpose not in logged]
    assert missing == [], f"{len(missing)} of {len(acknowledged)} acknowledged checks not logged"
    # Checks of the subject without a file were counted too, in fewer commits than checks.
    assert counts.checks >= 2 * len(acknowledged) - CLIENTS
    assert 0 < counts.commits < counts.checks  # grouped: many checks a commit


def _listening_pid(port: int) -> int:
    """The process listening on `port`: `scs serve` with one worker serves in its own."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "0A":  # LISTEN
            socket_link = f"socket:[{fields[9]}]"
            break
    else:
        raise AssertionError(f"nothing listens on port {port}")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            descriptors = [f"/proc/{pid}/fd/{fd}" for fd in os.listdir(f"/proc/{pid}/fd")]
            if any(_link(descriptor) == socket_link for descriptor in descriptors):
                return int(pid)
        except OSError:
            continue
    raise AssertionError(f"no process holds the socket on port {port}")


def _link(path: str) -> str | None:
    try:
        return os.readlink(path)
    except OSError:
        return None
