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
that falls behind shows it in p99.

With --closed-loop N (issue 16), the same server is then driven by one closed-loop client with
N keep-alive connections, in alternating rounds of `GET /healthz` and `GET /v1/checks` (the
same client, the same connections count, the same run), and the rate of checks is given as
the ratio to the rate of healthz, with both absolute rates and p99s. Goals: checks ≥ 0.5 ×
healthz, p99 ≤ 25 ms, ≥ 1,500 checks/s. `--records-rate 0` skips the records phase.
The in-process baseline for records is `Registry.ingest` of
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
import numpy as np
import orjson
import polars as pl
from loadgen import http_request, run_closed_loop, run_open_loop
from workload import recreate_postgresql_database, scs_command

from socialcredit.registry import Registry
from socialcredit.store.store import Store

POSTGRESQL_ADMIN_URL = "postgresql://postgres@127.0.0.1/postgres"
RECORDS_PER_BATCH = 1000
RECORDS_TARGET_PER_S = 20_000
CHECKS_TARGET_PER_S = 1_500
CHECKS_P99_TARGET_MS = 25
CHECKS_TO_HEALTHZ_TARGET = 0.5
CLOSED_LOOP_ROUNDS = 3  # alternating rounds of each, so that drift of the machine hits both
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
            "--city",
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
        if arguments.closed_loop:
            figures["closed"] = closed_loop(fixture, port, arguments)
        if arguments.records_rate <= 0:
            return figures
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


def closed_loop(fixture: Fixture, port: int, arguments) -> dict:
    """Alternating rounds of healthz and checks by one closed-loop client: the figures of each
    pooled over its rounds."""
    health = http_request("GET", "/healthz", port, {})
    check_headers = {"Authorization": f"Bearer {fixture.party_key}"}
    subjects = fixture.subjects

    def check(index: int) -> bytes:
        path = (
            f"/v1/checks?subject_id={subjects[index % len(subjects)]}"
            f"&measure={fixture.measure}&purpose=bench"
        )
        return http_request("GET", path, port, check_headers)

    connections, seconds = arguments.closed_loop, arguments.seconds / CLOSED_LOOP_ROUNDS
    run_closed_loop(port, connections, 1, lambda _: health)  # warm up
    # The first pass over the subjects computes and keeps each file's state: as a day's first
    # check of each subject would. Then the measured rounds.
    run_closed_loop(port, connections, max(2.0, seconds), check)
    rounds: dict[str, list] = {"healthz": [], "checks": []}
    for _ in range(CLOSED_LOOP_ROUNDS):
        rounds["healthz"].append(run_closed_loop(port, connections, seconds, lambda _: health))
        rounds["checks"].append(run_closed_loop(port, connections, seconds, check))
    pooled = {}
    for name, outcomes in rounds.items():
        completed = sum(outcome.completed for outcome in outcomes)
        elapsed = sum(outcome.seconds for outcome in outcomes)
        latencies = np.concatenate([outcome.latencies_ms for outcome in outcomes])
        statuses: dict[int, int] = {}
        for outcome in outcomes:
            for status, count in outcome.statuses.items():
                statuses[status] = statuses.get(status, 0) + count
        pooled[name] = {
            "rate": completed / elapsed,
            "p50": float(np.percentile(latencies, 50)),
            "p99": float(np.percentile(latencies, 99)),
            "statuses": statuses,
            "errors": sum(outcome.errors for outcome in outcomes),
        }
    return pooled


def print_closed_loop(pooled: dict, connections: int) -> None:
    checks, health = pooled["checks"], pooled["healthz"]
    ratio = checks["rate"] / health["rate"]
    for name, figures in (("GET /healthz", health), ("GET /v1/checks", checks)):
        print(
            f"    closed loop, {connections} connections, {name}: {figures['rate']:,.0f}/s, "
            f"p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms; statuses "
            f"{dict(sorted(figures['statuses'].items()))}, errors {figures['errors']}"
        )
    goals = [
        ("checks/healthz", ratio >= CHECKS_TO_HEALTHZ_TARGET, f"{ratio:.2f} (goal ≥ 0.5)"),
        (
            "checks/s",
            checks["rate"] >= CHECKS_TARGET_PER_S,
            f"{checks['rate']:,.0f} (goal ≥ {CHECKS_TARGET_PER_S:,})",
        ),
        (
            "checks p99",
            checks["p99"] <= CHECKS_P99_TARGET_MS,
            f"{checks['p99']:.1f} ms (goal ≤ {CHECKS_P99_TARGET_MS} ms)",
        ),
    ]
    for name, met, text in goals:
        print(f"    {name}: {text}: {'met' if met else 'NOT met'}")


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
    parser.add_argument(
        "--check-subjects",
        type=int,
        default=2000,
        help="subjects the closed-loop checks ask about (their states computed first)",
    )
    parser.add_argument(
        "--closed-loop",
        type=int,
        default=0,
        metavar="N",
        help="also compare checks with healthz by a closed-loop client of N connections",
    )
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
            in_process = 0.0
            if arguments.records_rate > 0:
                in_process = fixture.in_process_records_per_s(20)
                print(
                    "  in-process baseline: Registry.ingest of 1,000-record batches: "
                    f"{in_process:,.0f} records/s"
                )
            if arguments.closed_loop:
                # Each subject's first check of the day computes and keeps its file's state;
                # the measured checks read it, as every later check of that day would.
                warmed = time.perf_counter()
                for subject_id in fixture.subjects[: arguments.check_subjects]:
                    fixture.registry.check(subject_id, fixture.measure, fixture.party, "warm")
                print(
                    f"  {arguments.check_subjects:,} subjects' first checks of the day, in "
                    f"process: {time.perf_counter() - warmed:.1f} s"
                )
                fixture.subjects = fixture.subjects[: arguments.check_subjects]
            fixture.registry.store.close()  # the server's alone while it is measured
            for server in arguments.servers.split(","):
                figures = bench_server(fixture, url, server, arguments)
                print(f"  {server}, {arguments.workers} workers:")
                if "closed" in figures:
                    print_closed_loop(figures["closed"], arguments.closed_loop)
                if "records" not in figures:
                    continue
                records = figures["records"]
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


if __name__ == "__main__":
    main()
