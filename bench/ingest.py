"""Ingest throughput: `scs ingest` of a CSV file on SQLite and PostgreSQL.

    python bench/ingest.py [--rows 1000000] [--repeat 3] [--stores sqlite,postgresql]

Each run starts from an empty store with the catalogue published, and times the whole
`scs ingest` command (process start, reading, checks, revision lookups, bulk append, rejects
file) and its peak memory. The baseline, timed in the same run on the same file, is the floor
of any ingest: Polars reads the CSV and ADBC appends it, unchecked, to a bare table with the
same columns and no indexes, through the same driver.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import polars as pl
from workload import (
    SOURCE,
    ledger_frame,
    recreate_postgresql_database,
    run_measured,
    scs_command,
    with_faults,
    write_catalogue,
)

from socialcredit.store.urls import parse_store_url

POSTGRESQL_ADMIN_URL = "postgresql://postgres@127.0.0.1/postgres"


def store_url(store: str, directory: Path, run: int) -> str:
    if store == "sqlite":
        return f"sqlite:///{directory / f'bench-{run}.db'}"
    return recreate_postgresql_database(POSTGRESQL_ADMIN_URL, "scs_bench_ingest")


def baseline_seconds(csv_path: Path, url: str) -> float:
    """Read the CSV and append it unchecked to a bare table, by the same driver path the
    store uses (sqlite3 executemany, or ADBC COPY): the floor of any ingest."""
    parsed = parse_store_url(url)
    started = time.perf_counter()
    frame = pl.read_csv(csv_path, infer_schema=False)
    columns = ", ".join(f"{name} TEXT" for name in frame.columns)
    if parsed.dialect == "sqlite":
        connection = sqlite3.connect(parsed.adbc_uri, isolation_level=None)
        connection.execute("DROP TABLE IF EXISTS baseline_rows")
        connection.execute(f"CREATE TABLE baseline_rows ({columns})")
        connection.execute("BEGIN")
        placeholders = ", ".join("?" for _ in frame.columns)
        connection.executemany(
            f"INSERT INTO baseline_rows VALUES ({placeholders})", frame.iter_rows()
        )
        connection.execute("COMMIT")
        connection.close()
    else:
        import adbc_driver_postgresql.dbapi as driver

        with driver.connect(parsed.adbc_uri) as connection, connection.cursor() as cursor:
            cursor.adbc_ingest("baseline_rows", frame.to_arrow(), mode="replace")
            connection.commit()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--subjects", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stores", default="sqlite,postgresql")
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="scs-bench-") as temporary:
        directory = Path(temporary)
        catalogue = write_catalogue(directory)
        csv_path = directory / "records.csv"
        with_faults(ledger_frame(arguments.rows, arguments.subjects)).write_csv(csv_path)
        size_mib = csv_path.stat().st_size / 2**20
        print(f"{arguments.rows:,} rows, {size_mib:.0f} MiB CSV, {arguments.repeat} runs per store")
        print(
            f"{'store':<12}{'median s':>10}{'rows/s':>12}{'peak MiB':>10}"
            f"{'baseline s':>12}{'ratio':>8}"
        )
        for store in arguments.stores.split(","):
            times, peaks, baselines = [], [], []
            for run in range(arguments.repeat):
                url = store_url(store, directory, run)
                environment = {"SCS_DB": url}
                run_measured([*scs_command(), "catalog", "publish", str(catalogue)], environment)
                measured = run_measured(
                    [*scs_command(), "ingest", str(csv_path), "--source", SOURCE], environment
                )
                times.append(measured.seconds)
                peaks.append(measured.peak_rss_mib)
                baselines.append(baseline_seconds(csv_path, url))
                print(f"  run {run + 1}: {measured.output.strip().splitlines()[0]}", flush=True)
            median = statistics.median(times)
            baseline = statistics.median(baselines)
            print(
                f"{store:<12}{median:>10.2f}{arguments.rows / median:>12,.0f}"
                f"{max(peaks):>10.0f}{baseline:>12.2f}{median / baseline:>8.2f}"
            )


if __name__ == "__main__":
    main()
