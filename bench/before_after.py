"""`scs ingest` and `scs score`, this tree against an earlier commit, in one run.

    python bench/before_after.py --baseline 99d6bf3 [--rows 1000000] [--subjects 200000]
                                 [--repeat 3] [--stores sqlite,postgresql] [--demo-scale 0.1]

The baseline's code is taken with `git archive` into a temporary directory; every measured
command runs in its own process with PYTHONPATH pointing at one tree or the other, the two
trees alternating run by run so that the machine's load falls on both alike. Each run:
a fresh store, the catalogue published, one CSV file (the workload of bench/ingest.py, faults
included) ingested (timed), then `scs score` on that store (timed). Then, per tree, `scs demo`
builds a synthetic city (not timed) and `scs score` is timed on it, alternating again.
Prints each median and the ratio current / baseline (below 1: faster now).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from workload import (
    SOURCE,
    ledger_frame,
    recreate_postgresql_database,
    run_measured,
    with_faults,
    write_catalogue,
)

POSTGRESQL_ADMIN_URL = "postgresql://postgres@127.0.0.1/postgres"
AS_OF = "2026-11-01"
DEMO_AS_OF = "2026-11-20"
REPOSITORY = Path(__file__).resolve().parent.parent


def baseline_tree(commit: str, directory: Path) -> Path:
    tree = directory / f"baseline-{commit}"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(REPOSITORY), "archive", commit], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def scs(tree: Path) -> tuple[list[str], dict[str, str]]:
    return [sys.executable, "-m", "socialcredit"], {"PYTHONPATH": str(tree / "src")}


def store_url(store: str, directory: Path, name: str) -> str:
    if store == "sqlite":
        for leftover in directory.glob(f"{name}*.db*"):
            leftover.unlink()
        return f"sqlite:///{directory / f'{name}.db'}"
    return recreate_postgresql_database(POSTGRESQL_ADMIN_URL, f"scs_bench_{name}")


def ingest_and_score(
    tree: Path, store: str, directory: Path, name: str, csv_path: Path, catalogue: Path
) -> tuple[float, float]:
    command, environment = scs(tree)
    environment["SCS_DB"] = store_url(store, directory, name)
    run_measured([*command, "catalog", "publish", str(catalogue)], environment)
    ingest = run_measured([*command, "ingest", str(csv_path), "--source", SOURCE], environment)
    score = run_measured(
        [*command, "score", "--as-of", AS_OF, "--out", str(directory / f"{name}.csv")], environment
    )
    return ingest.seconds, score.seconds


def report(label: str, baseline: list[float], current: list[float]) -> None:
    before, after = statistics.median(baseline), statistics.median(current)
    print(f"{label:<34}{before:>10.2f}{after:>10.2f}{after / before:>8.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--baseline", default="99d6bf3")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--subjects", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--demo-scale", type=float, default=0.1, help="0 skips the demo store")
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="scs-before-after-") as temporary:
        directory = Path(temporary)
        trees = {"baseline": baseline_tree(arguments.baseline, directory), "current": REPOSITORY}
        catalogue = write_catalogue(directory)
        csv_path = directory / "records.csv"
        with_faults(ledger_frame(arguments.rows, arguments.subjects)).write_csv(csv_path)
        print(
            f"baseline {arguments.baseline} against the working tree; {arguments.rows:,} rows "
            f"over {arguments.subjects:,} subjects; medians of {arguments.repeat} runs, seconds"
        )
        print(f"{'':<34}{'baseline':>10}{'current':>10}{'ratio':>8}")
        for store in filter(None, arguments.stores.split(",")):
            times: dict[str, dict[str, list[float]]] = {
                which: {"ingest": [], "score": []} for which in trees
            }
            for _ in range(arguments.repeat):
                for which, tree in trees.items():
                    ingest, score = ingest_and_score(
                        tree, store, directory, which, csv_path, catalogue
                    )
                    times[which]["ingest"].append(ingest)
                    times[which]["score"].append(score)
            report(f"{store}: scs ingest", times["baseline"]["ingest"], times["current"]["ingest"])
            report(f"{store}: scs score", times["baseline"]["score"], times["current"]["score"])
            if arguments.demo_scale > 0:
                demo_urls = {}
                for which, tree in trees.items():
                    command, environment = scs(tree)
                    demo_urls[which] = store_url(store, directory, f"demo_{which}")
                    run_measured(
                        [
                            *command,
                            "demo",
                            "--scale",
                            str(arguments.demo_scale),
                            "--out",
                            str(directory / f"city-{which}"),
                            "--db",
                            demo_urls[which],
                        ],
                        environment,
                    )
                demo: dict[str, list[float]] = {which: [] for which in trees}
                for _ in range(arguments.repeat):
                    for which, tree in trees.items():
                        command, environment = scs(tree)
                        environment["SCS_DB"] = demo_urls[which]
                        demo[which].append(
                            run_measured(
                                [
                                    *command,
                                    "score",
                                    "--as-of",
                                    DEMO_AS_OF,
                                    "--out",
                                    str(directory / f"demo-{which}.csv"),
                                ],
                                environment,
                            ).seconds
                        )
                report(
                    f"{store}: scs score, demo x{arguments.demo_scale}",
                    demo["baseline"],
                    demo["current"],
                )


if __name__ == "__main__":
    main()
