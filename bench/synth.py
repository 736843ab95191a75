"""Synthetic city generation: rows per second.

    python bench/synth.py [--scale 1.0] [--repeat 3]

Times `write_city` at a scale of Rongcheng (1.0: 740,000 residents, 30,000 organizations,
3 years). The baseline, timed in the same run, writes the very same rows again to the same
formats with Polars: the floor of producing those files, with no generation at all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

import polars as pl

from socialcredit.ingest.readers import RecordFile
from socialcredit.synth.city import write_city
from socialcredit.synth.demo import demo_plan


def rewrite_seconds(directory: Path, manifest) -> float:
    frames = {
        source.file: pl.concat(list(RecordFile.open(directory / source.file).chunks()))
        for source in manifest.sources
    }
    started = time.perf_counter()
    for name, frame in frames.items():
        target = directory / f"{name}.copy"
        frame = frame.drop("row", "malformed")
        if name.endswith(".csv"):
            frame.write_csv(target)
        elif name.endswith(".jsonl"):
            frame.write_ndjson(target)
        else:
            frame.write_parquet(target)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    plan = demo_plan(arguments.scale, seed=1, years=3, today=dt.date(2026, 11, 22))
    times, baselines = [], []
    for _ in range(arguments.repeat):
        with tempfile.TemporaryDirectory(prefix="scs-synth-") as temporary:
            directory = Path(temporary)
            started = time.perf_counter()
            manifest = write_city(plan, directory)
            times.append(time.perf_counter() - started)
            baselines.append(rewrite_seconds(directory, manifest))
    median, baseline = statistics.median(times), statistics.median(baselines)
    print(
        f"{plan.city.persons:,} residents, {plan.city.organizations:,} organizations, "
        f"{manifest.rows:,} rows in {len(manifest.sources)} files"
    )
    print(f"synth:    median {median:.2f} s  ({manifest.rows / median:,.0f} rows/s)")
    print(f"baseline: median {baseline:.2f} s  (rewriting the same rows to the same formats)")
    print(f"ratio {median / baseline:.2f}")


if __name__ == "__main__":
    main()
