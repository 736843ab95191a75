"""`scs ingest` of one CSV file by two source trees, side by side in the same run.

    python bench/compare_ingest.py --old /path/to/old/src [--new src] [--rows 500000] [--runs 5]

The file is bench/ingest.py's (its rows, with the same share of faults). Runs alternate
old, new, new, old, ... so that a machine shared with others loads both alike; each starts from
an empty SQLite store with the catalogue published. Printed: the median wall time and the
median CPU time (user + system, less disturbed by other processes) of each tree, and new / old.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from workload import SOURCE, ledger_frame, with_faults, write_catalogue


def timed(command: list[str], source_tree: Path, database: Path) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds of the child, and its output."""
    environment = {**os.environ, "PYTHONPATH": str(source_tree), "SCS_DB": f"sqlite:///{database}"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.run(command, env=environment, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{process.stdout}{process.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, process.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--old", type=Path, required=True, help="the old tree's src folder")
    parser.add_argument("--new", type=Path, default=Path(__file__).parent.parent / "src")
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    trees = {"old": arguments.old.resolve(), "new": arguments.new.resolve()}

    with tempfile.TemporaryDirectory(prefix="scs-compare-") as temporary:
        directory = Path(temporary)
        catalogue = write_catalogue(directory)
        csv_path = directory / "records.csv"
        with_faults(ledger_frame(arguments.rows, arguments.subjects)).write_csv(csv_path)
        print(
            f"{arguments.rows:,} rows, {csv_path.stat().st_size / 2**20:.0f} MiB CSV, "
            f"{arguments.runs} runs each"
        )
        walls: dict[str, list[float]] = {"old": [], "new": []}
        cpus: dict[str, list[float]] = {"old": [], "new": []}
        scs = [sys.executable, "-m", "socialcredit"]
        for run in range(arguments.runs):
            order = ("old", "new") if run % 2 == 0 else ("new", "old")
            for name in order:
                database = directory / f"{name}-{run}.db"
                timed([*scs, "catalog", "publish", str(catalogue)], trees[name], database)
                wall, cpu, output = timed(
                    [*scs, "ingest", str(csv_path), "--source", SOURCE], trees[name], database
                )
                walls[name].append(wall)
                cpus[name].append(cpu)
                print(
                    f"  run {run + 1} {name}: {wall:6.2f} s wall, {cpu:6.2f} s CPU  {output}",
                    flush=True,
                )
                database.unlink()
        for label, figures in (("wall", walls), ("CPU", cpus)):
            old, new = statistics.median(figures["old"]), statistics.median(figures["new"])
            print(
                f"median {label:<5} old {old:7.2f} s   new {new:7.2f} s   new/old {new / old:.3f}"
            )


if __name__ == "__main__":
    main()
