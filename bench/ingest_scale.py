"""Ingest throughput as the ledger grows: file after file of `--file-rows` rows into one store,
up to `--total` records, on SQLite or PostgreSQL.

    python bench/ingest_scale.py --store postgresql [--total 100000000] [--file-rows 10000000]

Prints, for every file, the ledger's size before it, the `scs ingest` wall time, rows/s and
peak memory. The baseline, timed in the same run on the first and the last file, appends the
same rows unchecked to a bare table of the same store (as bench/ingest.py does): how far the
checks and indexes keep ingestion above or below the raw append rate at that size.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

import polars as pl
from ingest import baseline_seconds
from workload import (
    SOURCE,
    ledger_frame,
    recreate_postgresql_database,
    run_measured,
    scs_command,
    with_faults,
    write_catalogue,
)

POSTGRESQL_ADMIN_URL = "postgresql://postgres@127.0.0.1/postgres"
# Server settings a registry's PostgreSQL would run with for bulk loads (all take effect on
# reload). The defaults (1 GB of WAL between checkpoints) make every checkpoint during a large
# load rewrite whole index pages into the WAL. --tune sets these for the run, then resets them.
BULK_LOAD_SETTINGS = {
    "max_wal_size": "16GB",
    "checkpoint_timeout": "30min",
    "wal_compression": "on",
}


@contextmanager
def server_settings(tune: bool):
    if not tune:
        yield
        return
    import psycopg

    with psycopg.connect(POSTGRESQL_ADMIN_URL, autocommit=True) as connection:
        for name, value in BULK_LOAD_SETTINGS.items():
            connection.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        connection.execute("SELECT pg_reload_conf()")
    try:
        yield
    finally:
        with psycopg.connect(POSTGRESQL_ADMIN_URL, autocommit=True) as connection:
            for name in BULK_LOAD_SETTINGS:
                connection.execute(f"ALTER SYSTEM RESET {name}")
            connection.execute("SELECT pg_reload_conf()")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--total", type=float, default=1e8)
    parser.add_argument("--file-rows", type=float, default=1e7)
    parser.add_argument(
        "--directory", type=Path, default=None, help="where the SQLite store and files go"
    )
    parser.add_argument(
        "--tune", action="store_true", help="PostgreSQL: run with BULK_LOAD_SETTINGS"
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the store afterwards (to score it: bench/score_store.py)",
    )
    arguments = parser.parse_args()
    with server_settings(arguments.tune and arguments.store == "postgresql"):
        run(arguments)


def run(arguments) -> None:
    total, file_rows = int(arguments.total), int(arguments.file_rows)
    folder = (
        nullcontext(tempfile.mkdtemp(prefix="scs-ingest-scale-", dir=arguments.directory))
        if arguments.keep
        else tempfile.TemporaryDirectory(prefix="scs-ingest-scale-", dir=arguments.directory)
    )
    with folder as temporary:
        directory = Path(temporary)
        url = (
            f"sqlite:///{directory / 'ledger.db'}"
            if arguments.store == "sqlite"
            else recreate_postgresql_database(POSTGRESQL_ADMIN_URL, "scs_bench_ingest_scale")
        )
        environment = {"SCS_DB": url}
        run_measured(
            [*scs_command(), "catalog", "publish", str(write_catalogue(directory))], environment
        )
        rows = []
        tuned = (
            " (tuned: " + ", ".join(f"{k}={v}" for k, v in BULK_LOAD_SETTINGS.items()) + ")"
            if arguments.tune
            else ""
        )
        print(f"{arguments.store}{tuned}: {total:,} records in files of {file_rows:,}")
        print(
            f"{'ledger before':>14}{'seconds':>9}{'rows/s':>10}{'peak MiB':>10}"
            f"{'baseline rows/s':>17}"
        )
        for number, offset in enumerate(range(0, total, file_rows)):
            path = directory / "part.csv"
            frame = with_faults(
                ledger_frame(file_rows, file_rows // 5, seed=100 + number), seed=200 + number
            )
            frame.with_columns(
                (pl.lit(f"p{number}-") + pl.col("record_id")).alias("record_id")
            ).write_csv(path)
            del frame
            run = run_measured(
                [*scs_command(), "ingest", str(path), "--source", SOURCE], environment
            )
            row = {
                "ledger_before": offset,
                "seconds": run.seconds,
                "rows_per_s": file_rows / run.seconds,
                "peak_mib": run.peak_rss_mib,
            }
            baseline = ""
            if number == 0 or offset + file_rows >= total:
                row["baseline_rows_per_s"] = file_rows / baseline_seconds(path, url)
                baseline = f"{row['baseline_rows_per_s']:>17,.0f}"
            rows.append(row)
            print(
                f"{offset:>14,}{run.seconds:>9.1f}{row['rows_per_s']:>10,.0f}{run.peak_rss_mib:>10,.0f}{baseline}",
                flush=True,
            )
            path.unlink()
        (Path(__file__).parent / "out").mkdir(exist_ok=True)
        name = f"ingest-scale-{arguments.store}{'-tuned' if arguments.tune else ''}.json"
        (Path(__file__).parent / "out" / name).write_text(json.dumps(rows, indent=2))
        overall = total / sum(row["seconds"] for row in rows)
        print(f"overall: {overall:,.0f} rows/s over {total:,} records")
        if arguments.keep:
            print(f"the store: {url} (catalogue: {directory / 'catalogue.yaml'})")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"bench wall time {time.perf_counter() - started:.0f} s")
