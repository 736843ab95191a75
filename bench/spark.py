"""The Spark job in local mode against the Polars scorer, on one snapshot of the same ledger.

    python bench/spark.py [--records 10000000] [--subjects 1000000] [--repeat 3] [--cores 2]

One synthetic ledger (bench/workload.py, keyed as the store keys it) is written once as an
`scs export` snapshot. Then, each `--repeat` times and alternately:

- polars: read the snapshot's ledger parts, `score_ledger` (SPEC §5), write the scores as
  Parquet: what `scs score` does after its read of the store;
- spark: the Spark job (`spark_job.write_scores`) in `local[CORES]`, from the same snapshot
  to Parquet, in one session started beforehand (the JVM's start is timed apart).

It prints the medians, their ratio and the rates per core (records per second per core, the
core count being `--cores` for both: Polars uses every core, Spark `local[CORES]`): the figure
docs/SCALE.md projects a national rescore from.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
from score import AS_OF, rulebook, scoring_ledger

from socialcredit.scoring import spark_job
from socialcredit.scoring.batch import score_ledger
from socialcredit.scoring.snapshot import write_snapshot


def polars_run(snapshot: Path, subjects: pl.DataFrame, rules, out: Path) -> tuple[float, int]:
    started = time.perf_counter()
    ledger = pl.read_parquet(snapshot / spark_job.LEDGER_DIRECTORY / "*.parquet")
    scores = score_ledger(ledger, rules, AS_OF, subjects=subjects)
    scores.write_parquet(out)
    return time.perf_counter() - started, scores.height


def spark_run(spark, snapshot: Path, out: Path) -> tuple[float, int]:
    started = time.perf_counter()
    spark_job.write_scores(spark, str(snapshot), AS_OF, str(out))
    seconds = time.perf_counter() - started
    return seconds, pl.scan_parquet(out / "*.parquet").select(pl.len()).collect().item()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--driver-memory", default="6g")
    arguments = parser.parse_args()
    os.environ.setdefault("POLARS_MAX_THREADS", str(arguments.cores))
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} CPUs seen")

    with tempfile.TemporaryDirectory(prefix="scs-bench-spark-") as temporary:
        directory = Path(temporary)
        started = time.perf_counter()
        ledger, subjects = scoring_ledger(arguments.records, arguments.subjects)
        ledger = ledger.with_row_index("id", offset=1).cast({"id": pl.Int64})
        rules = rulebook()
        print(
            f"generated {ledger.height:,} records of {subjects.height:,} subjects in "
            f"{time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        overdue = pl.DataFrame(
            schema={"id": pl.Int64, "overdue_from": pl.Date, "overdue_until": pl.Date}
        )
        summary = write_snapshot(
            directory / "snapshot", ledger, subjects, overdue, rules, {}, dt.datetime.now(dt.UTC)
        )
        ledger_bytes = sum(
            path.stat().st_size
            for path in (directory / "snapshot" / spark_job.LEDGER_DIRECTORY).glob("*.parquet")
        )
        print(
            f"snapshot written in {time.perf_counter() - started:.1f} s ({summary.parts} parts; "
            f"ledger {ledger_bytes / 2**20:,.0f} MiB, "
            f"{ledger_bytes / summary.records:.1f} bytes/record)"
        )
        del ledger

        started = time.perf_counter()
        spark = spark_job.local_session(f"local[{arguments.cores}]", arguments.driver_memory)
        print(f"Spark session (JVM start) in {time.perf_counter() - started:.1f} s")

        runs: dict[str, list[float]] = {"polars": [], "spark": []}
        heights = {}
        for attempt in range(arguments.repeat):
            for engine in ("polars", "spark"):
                out = directory / f"scores-{engine}-{attempt}"
                if engine == "polars":
                    seconds, heights[engine] = polars_run(
                        directory / "snapshot", subjects, rules, out.with_suffix(".parquet")
                    )
                else:
                    seconds, heights[engine] = spark_run(spark, directory / "snapshot", out)
                shutil.rmtree(out, ignore_errors=True)
                runs[engine].append(seconds)
                print(
                    f"   {engine:<6} run {attempt + 1}: {seconds:.2f} s "
                    f"({heights[engine]:,} subjects), load {os.getloadavg()[0]:.2f}",
                    flush=True,
                )
        spark.stop()

    assert heights["polars"] == heights["spark"], heights
    print(
        f"\n{arguments.records:,} records, {arguments.subjects:,} subjects, "
        f"{arguments.cores} cores, medians of {arguments.repeat}:"
    )
    medians = {engine: statistics.median(seconds) for engine, seconds in runs.items()}
    for engine, median in medians.items():
        rate = arguments.records / median / arguments.cores
        print(f"   {engine:<6} median {median:.2f} s, {rate:,.0f} records/s/core")
    print(f"   ratio spark / polars: {medians['spark'] / medians['polars']:.2f}")
    print(f"load after: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
