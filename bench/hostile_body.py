"""Peak memory of one POST /v1/records of many tiny JSON Lines (issue 16, defect 6).

    python bench/hostile_body.py [--lines 2000000] [--db URL]

A body of `{}` lines (3 bytes each: 2,000,000 lines are 6 MB, far under the 64 MiB limit) is
all rejected rows. The service must hold memory bounded by its ingest chunks, whatever the
number of lines. Prints the request's time and the process's peak resident memory; the
baseline, measured in the same process before the request, is the app started and idle.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from socialcredit.registry import Registry
from socialcredit.service.app import create_app
from socialcredit.service.settings import ServiceSettings
from socialcredit.store.store import Store

CATALOGUE = Path(__file__).parents[1] / "tests" / "conformance" / "example" / "catalog-v1.yaml"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=2_000_000)
    parser.add_argument("--db", help="a store URL (default: a new SQLite file)")
    arguments = parser.parse_args()
    url = arguments.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'registry.db'}"
    registry = Registry(Store.open(url))
    registry.publish_catalogue(CATALOGUE.read_text())
    key = registry.keys.create("source", "court").secret
    registry.store.close()
    body = b"{}\n" * arguments.lines
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/x-ndjson"}
    with TestClient(create_app(url, ServiceSettings(log_requests=False))) as client:
        client.get("/healthz")
        idle = peak_mib()
        started = time.perf_counter()
        response = client.post("/v1/records", content=body, headers=headers)
        seconds = time.perf_counter() - started
    answer = response.json()
    print(
        f"{arguments.lines:,} lines ({len(body) / 1e6:.1f} MB): status {response.status_code}, "
        f"rejected {answer['rejected']:,}, listed {len(answer['rejects']):,}, {seconds:.1f} s; "
        f"peak RSS {peak_mib():,.0f} MiB (idle app {idle:,.0f} MiB, ratio {peak_mib() / idle:.2f})"
    )


if __name__ == "__main__":
    main()
