"""The HTTP API under load: `scs serve` on loopback, driven open-loop at fixed rates.

    python bench/service.py [--stores sqlite,postgresql] [--servers uvicorn,granian]
                            [--scale 0.02] [--seconds 10] [--workers 2]
                            [--records-rate 25] [--checks-rate 1500]

For each store, a demo city (`scs demo --scale`) is built once. For each ASGI server,
`scs serve --server NAME` is started on 127.0.0.1 and given, in turn:
- `POST /v1/records`: batches of 1,000 new records at `--records-rate` batches per second;
- `GET /v1/checks`: one check of a random subject at `--checks-rate` requests per second
  (when the service has the endpoint);
- `GET /healthz` at the checks' rate: the baseline, the cost of the server and the generator
  alone, in the same run.
Latencies are measured from each request's scheduled start (bench/loadgen.py), so a server
that falls behind shows it in p99. The in-process baseline for records is `Registry.ingest` of
the same batches without HTTP. Targets (issue 10): ≥ 20,000 records/s; checks ≥ 1,500
requests/s with p99 ≤ 25 ms. Bounded: every phase ends after `--seconds`, loopback only.
"""

from __future__ import annotations

import argparse
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import orjson
import polars as pl
from loadgen import http_request, run_open_loop
from workload import recreate_postgresql_database, scs_command

from socialcredit.registry import Registry
from socialcredit.store.store import Store

POSTGRESQL_ADMIN_URL = "postgresql://postgres@127.0.0.1/postgres"
RECORDS_PER_BATCH = 1000
RECORDS_TARGET_PER_S = 20_000
CHECKS_TARGET_PER_S = 1_500
CHECKS_P99_TARGET_MS = 25
SERVER_START_TIMEOUT_S = 120
SUBJECTS_SAMPLED = 20_000
WARM_UP_REQUESTS = 200


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build_store(store: str, scale: float, directory: Path) -> str:
    url = (
        f"sqlite:///{directory / 'bench-service.db'}"
        if store == "sqlite"
        else recreate_postgresql_database(POSTGRESQL_ADMIN_URL, "scs_bench_service")
    )
    subprocess.run(
        [
            *scs_command(),
            "demo",
            "--scale",
            str(scale),
            "--db",
            url,
            "--out",
            str(directory / "city"),
        ],
        check=True,
        capture_output=True,
    )
    return url


class Fixture:
    """What the load needs from the demo city: keys, a source's item, subjects, a measure."""

    def __init__(self, url: str, directory: Path):
        registry = Registry(Store.open(url))
        catalogue = registry.rulebook.latest
        today = registry.today()
        scores = registry.score_all(today)
        persons = scores.filter(pl.col("kind") == "person")["subject_id"].to_list()
        self.subjects = random.Random(3).sample(persons, min(SUBJECTS_SAMPLED, len(persons)))
        item = next(
            item for item in catalogue.items if item.subject == "person" and item.points < 0
        )
        self.item, self.source = item.code, item.issuers[0]
        self.decided_on = str(today)
        measure = next((m for m in catalogue.measures if m.relying_parties), None)
        self.measure = measure.code if measure else None
        self.party = measure.relying_parties[0] if measure else None
        self.source_key = registry.keys.create("source", self.source).secret
        self.party_key = registry.keys.create("party", self.party).secret if self.party else None
        self.registry = registry
        self.directory = directory

    def batch(self, prefix: str, index: int) -> bytes:
        rows = (
            {
                "record_id": f"{prefix}-{index}-{i}",
                "item": self.item,
                "subject_id": self.subjects[(index * RECORDS_PER_BATCH + i) % len(self.subjects)],
                "decided_on": self.decided_on,
                "reference": f"BENCH-{prefix}-{index}-{i}",
            }
            for i in range(RECORDS_PER_BATCH)
        )
        return b"".join(orjson.dumps(row) + b"\n" for row in rows)

    def in_process_records_per_s(self, batches: int) -> float:
        """The ceiling without HTTP: Registry.ingest of the same batches, one after another."""
        started = time.perf_counter()
        for index in range(batches):
            path = self.directory / "in-process.jsonl"
            path.write_bytes(self.batch("inproc", index))
            self.registry.ingest(path, self.source, self.directory / "in-process.rejects.csv")
        return batches * RECORDS_PER_BATCH / (time.perf_counter() - started)


def start_server(url: str, server: str, workers: int, port: int, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            *scs_command(),
            "serve",
            "--server",
            server,
            "--workers",
            str(workers),
            "--port",
            str(port),
            "--rate-limit",
            "0",
            "--db",
            url,
        ],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    sys.exit(f"{server} did not start:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def has_checks(port: int) -> bool:
    paths = httpx.get(f"http://127.0.0.1:{port}/v1/openapi.json").json()["paths"]
    return "/v1/checks" in paths


def bench_server(fixture: Fixture, url: str, server: str, arguments) -> dict:
    port = free_port()
    process = start_server(
        url, server, arguments.workers, port, fixture.directory / f"{server}.log"
    )
    figures: dict = {"server": server}
    try:
        prefix = f"{server}-{time.time_ns()}"
        records_headers = {
            "Authorization": f"Bearer {fixture.source_key}",
            "Content-Type": "application/x-ndjson",
        }
        bodies = [
            fixture.batch(prefix, index)
            for index in range(int(arguments.records_rate * arguments.seconds))
        ]
        outcome = run_open_loop(
            port,
            arguments.records_rate,
            arguments.seconds,
            lambda index: http_request("POST", "/v1/records", port, records_headers, bodies[index]),
        )
        figures["records_per_s"] = (
            outcome.statuses.get(200, 0) * RECORDS_PER_BATCH / outcome.seconds
        )
        figures["records"] = outcome
        health = {"Connection": "keep-alive"}
        warm = run_open_loop(
            port,
            500,
            WARM_UP_REQUESTS / 500,
            lambda _: http_request("GET", "/healthz", port, health),
        )
        del warm
        figures["healthz"] = run_open_loop(
            port,
            arguments.checks_rate,
            arguments.seconds,
            lambda _: http_request("GET", "/healthz", port, health),
        )
        if fixture.party_key and has_checks(port):
            check_headers = {"Authorization": f"Bearer {fixture.party_key}"}
            subjects = fixture.subjects

            def check(index: int) -> bytes:
                path = (
                    f"/v1/checks?subject_id={subjects[index % len(subjects)]}"
                    f"&measure={fixture.measure}&purpose=bench"
                )
                return http_request("GET", path, port, check_headers)

            run_open_loop(port, 200, 1, check)  # warm up
            figures["checks"] = run_open_loop(port, arguments.checks_rate, arguments.seconds, check)
    finally:
        stop(process)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--servers", default="uvicorn,granian")
    parser.add_argument("--scale", type=float, default=0.02)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--records-rate", type=float, default=25, help="batches of 1,000 per second"
    )
    parser.add_argument("--checks-rate", type=float, default=1500, help="checks per second")
    arguments = parser.parse_args()
    for store in arguments.stores.split(","):
        with tempfile.TemporaryDirectory(prefix="scs-bench-service-") as name:
            directory = Path(name)
            started = time.perf_counter()
            url = build_store(store, arguments.scale, directory)
            fixture = Fixture(url, directory)
            print(
                f"\n{store}: demo city at scale {arguments.scale} built in "
                f"{time.perf_counter() - started:.0f} s; {len(fixture.subjects):,} subjects "
                f"sampled; measure {fixture.measure} for {fixture.party}"
            )
            in_process = fixture.in_process_records_per_s(20)
            print(
                "  in-process baseline: Registry.ingest of 1,000-record batches: "
                f"{in_process:,.0f} records/s"
            )
            for server in arguments.servers.split(","):
                figures = bench_server(fixture, url, server, arguments)
                records = figures["records"]
                print(f"  {server}, {arguments.workers} workers:")
                print(
                    f"    POST /v1/records at {arguments.records_rate:g} batches/s: "
                    f"{figures['records_per_s']:,.0f} records/s "
                    f"({figures['records_per_s'] / in_process:.2f} of in-process; "
                    f"target {RECORDS_TARGET_PER_S:,}); {records.summary()}"
                )
                if "checks" in figures:
                    checks = figures["checks"]
                    met = (
                        checks.completed / checks.seconds >= CHECKS_TARGET_PER_S
                        and checks.percentile_ms(99) <= CHECKS_P99_TARGET_MS
                    )
                    print(
                        f"    GET /v1/checks: {checks.summary()} "
                        f"({'meets' if met else 'misses'} the target)"
                    )
                print(f"    GET /healthz (baseline): {figures['healthz'].summary()}")
            fixture.registry.store.close()


if __name__ == "__main__":
    main()
