"""Batch scoring: the scorer against a bare Polars join + filter + group-by of the same columns.

    python bench/score.py [--records 10000000] [--subjects 1000000] [--repeat 3]
                          [--stores sqlite,postgresql]   # "" for the in-memory part only

Two comparisons, each timed in the same run:

1. In memory. The ledger's current records as the store hands them to the scorer (subject
   key, item, decision date, quantity, status; the scorer also gets the key → kind, identifier
   map to name its output). `score_ledger` (versions, expiry, caps,
   lists, tiers, every subject with a file, sorted output) against two bare pipelines: join the
   rules on the item, filter, sum points × quantity per subject. "bare-counting" keeps only the
   records that count; "bare-filed" keeps every record decided by the date (the rows the scorer
   must group, for a subject whose records all expired still has a file) and sums the counting
   ones.
2. End to end, per store: `scs score` (open the store, read the ledger, score, write the CSV)
   against a process that reads the same columns from the same store and runs the bare
   pipeline. The store is filled once with `scs ingest`, which is timed too.

Each measured step runs in its own process, so that its peak memory (from wait4) is its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
from workload import (
    SOURCE,
    catalogue_yaml,
    ledger_frame,
    recreate_postgresql_database,
    run_measured,
    scs_command,
    write_catalogue,
)

AS_OF = dt.date(2026, 11, 1)
POSTGRESQL_ADMIN_URL = "postgresql://postgres@127.0.0.1/postgres"
INGEST_FILE_ROWS = 2_000_000


def rulebook():
    from socialcredit.catalogue.validation import parse_catalogue_text, validate_catalogue
    from socialcredit.domain.rules import Rulebook

    document, _ = parse_catalogue_text(catalogue_yaml())
    return Rulebook([validate_catalogue(document).catalogue])


def bare_pipeline(ledger: pl.DataFrame, rules, rows: str = "counting") -> pl.DataFrame:
    """The floor: join the rules on the item, filter, sum points × quantity per subject.

    rows="counting" keeps only the records that count (the strict baseline). rows="filed"
    keeps every record decided by the date and sums only the counting ones: the same rows the
    scorer must group, since a subject whose records have all expired still has a file.
    """
    bare_rules = rules.item_rules_frame.select(
        pl.col("item").cast(ledger.schema["item"]), "points", "counts_for_days"
    ).lazy()
    counts = (pl.col("status") == "active") & (
        (pl.lit(AS_OF) - pl.col("decided_on")).dt.total_days() < pl.col("counts_for_days")
    )
    joined = ledger.lazy().join(bare_rules, on="item").filter(pl.col("decided_on") <= AS_OF)
    if rows == "counting":
        return (
            joined.filter(counts)
            .group_by("subject")
            .agg((pl.col("points") * pl.col("quantity")).sum())
            .collect()
        )
    return (
        joined.group_by("subject")
        .agg(pl.when(counts).then(pl.col("points") * pl.col("quantity")).otherwise(0).sum())
        .collect()
    )


def scoring_ledger(records: int, subjects: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The generated ledger in exactly the columns and types the store hands the scorer (acts
    and repeats included, SPEC §10), and the subjects (key, kind, identifier) it joins back to
    its output."""
    from socialcredit.scoring.batch import with_subject_keys
    from socialcredit.store.ledger_read import as_ledger

    frame = ledger_frame(records, subjects).with_columns(
        pl.when(pl.col("subject_id").str.contains(r"^\d{17}"))
        .then(pl.lit("person"))
        .otherwise(pl.lit("organization"))
        .alias("subject_kind")
    )
    # As the store hands them over: the act's tie-break only where a record names an act.
    frame = frame.with_columns(
        pl.when(pl.col("act").is_not_null()).then(pl.lit(SOURCE)).alias("act_source"),
        pl.when(pl.col("act").is_not_null()).then(pl.col("record_id")).alias("act_record_id"),
    )
    keyed, named = with_subject_keys(frame)
    return as_ledger(keyed.collect()), named


def child_core(records: int, subjects: int, which: str) -> None:
    """In a child process: time one side of the in-memory comparison."""
    from socialcredit.scoring.batch import score_ledger

    (ledger, named), rules = scoring_ledger(records, subjects), rulebook()
    started = time.perf_counter()
    if which == "scorer":
        result = score_ledger(ledger, rules, AS_OF, subjects=named)
    else:
        result = bare_pipeline(ledger, rules, rows=which.removeprefix("bare-"))
    print(json.dumps({"seconds": time.perf_counter() - started, "subjects": result.height}))


def child_store_baseline(url: str) -> None:
    """In a child process: read the ledger as `scs score` does, then the bare pipeline."""
    from socialcredit.store.store import Store

    started = time.perf_counter()
    store = Store.open(url)
    ledger = store.current_ledger()
    result = bare_pipeline(ledger, rulebook())
    print(json.dumps({"seconds": time.perf_counter() - started, "subjects": result.height}))


def measure_core(arguments) -> None:
    print(f"\n1. in memory: {arguments.records:,} records over {arguments.subjects:,} subjects")
    results = {}
    for which in ("bare-counting", "bare-filed", "scorer"):
        runs = []
        for _ in range(arguments.repeat):
            run = run_measured(
                [
                    sys.executable,
                    __file__,
                    "child-core",
                    str(arguments.records),
                    str(arguments.subjects),
                    which,
                ]
            )
            runs.append(
                (json.loads(run.output.strip().splitlines()[-1])["seconds"], run.peak_rss_mib)
            )
        results[which] = (
            statistics.median(seconds for seconds, _ in runs),
            max(peak for _, peak in runs),
        )
        print(
            f"   {which:<14} median {results[which][0]:.2f} s, peak {results[which][1]:,.0f} MiB "
            "(whole process, data generation included)"
        )
    for bare in ("bare-counting", "bare-filed"):
        print(f"   ratio scorer / {bare}: {results['scorer'][0] / results[bare][0]:.2f}")


def fill_store(url: str, directory: Path, records: int, subjects: int) -> float:
    environment = {"SCS_DB": url}
    run_measured(
        [*scs_command(), "catalog", "publish", str(write_catalogue(directory))], environment
    )
    ledger = ledger_frame(records, subjects)
    seconds = 0.0
    for number, start in enumerate(range(0, records, INGEST_FILE_ROWS)):
        path = directory / f"part-{number}.csv"
        ledger.slice(start, INGEST_FILE_ROWS).write_csv(path)
        seconds += run_measured(
            [*scs_command(), "ingest", str(path), "--source", SOURCE], environment
        ).seconds
        path.unlink()
    return seconds


def measure_store(arguments, store: str, directory: Path) -> None:
    if store == "sqlite":
        url = f"sqlite:///{directory / 'score-bench.db'}"
    else:
        url = recreate_postgresql_database(POSTGRESQL_ADMIN_URL, "scs_bench_score")
    ingest_seconds = fill_store(url, directory, arguments.records, arguments.subjects)
    print(
        f"\n2. {store}: filled with `scs ingest` in {ingest_seconds:.1f} s "
        f"({arguments.records / ingest_seconds:,.0f} rows/s)"
    )
    environment = {"SCS_DB": url}
    score_runs, bare_runs = [], []
    for _ in range(arguments.repeat):
        out = directory / "scores.csv"
        score_runs.append(
            run_measured(
                [*scs_command(), "score", "--as-of", AS_OF.isoformat(), "--out", str(out)],
                environment,
            )
        )
        bare_runs.append(run_measured([sys.executable, __file__, "child-store-baseline", url]))
    score = statistics.median(run.seconds for run in score_runs)
    bare = statistics.median(run.seconds for run in bare_runs)
    print(
        f"   scs score        median {score:.2f} s, "
        f"peak {max(run.peak_rss_mib for run in score_runs):,.0f} MiB"
    )
    print(
        f"   read + bare      median {bare:.2f} s, "
        f"peak {max(run.peak_rss_mib for run in bare_runs):,.0f} MiB"
    )
    print(f"   ratio: {score / bare:.2f}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "child-core":
        child_core(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "child-store-baseline":
        child_store_baseline(sys.argv[2])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stores", default="sqlite,postgresql")
    arguments = parser.parse_args()
    measure_core(arguments)
    with tempfile.TemporaryDirectory(prefix="scs-score-") as temporary:
        for store in filter(None, arguments.stores.split(",")):
            measure_store(arguments, store, Path(temporary))


if __name__ == "__main__":
    main()
