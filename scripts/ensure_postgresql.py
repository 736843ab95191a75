"""Make sure the PostgreSQL server the tests use is up: start the local cluster if it is not.

    python scripts/ensure_postgresql.py postgresql://postgres@127.0.0.1/postgres

Exits non-zero, saying why, when the server cannot be reached or started: the PostgreSQL tests
must run, not be skipped.
"""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import time

import psycopg

STARTUP_WAIT_S = 30


def reachable(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def start_local_cluster() -> None:
    versions = sorted(os.path.basename(path) for path in glob.glob("/etc/postgresql/*"))
    if not versions:
        sys.exit("PostgreSQL is not running and no local cluster is installed (/etc/postgresql)")
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"]
    print("starting PostgreSQL:", " ".join(command), flush=True)
    subprocess.run(command, check=False)


def main() -> None:
    url = sys.argv[1]
    if reachable(url):
        return
    start_local_cluster()
    deadline = time.monotonic() + STARTUP_WAIT_S
    while time.monotonic() < deadline:
        if reachable(url):
            return
        time.sleep(1)
    sys.exit(f"PostgreSQL is not reachable at {url}")


if __name__ == "__main__":
    main()
