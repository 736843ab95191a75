"""Scoring at a province's scale: how time and memory grow from 1 million to 100 million
records, against a bare Polars group-by of the same data.

    python bench/scale.py [--sizes 1e6,3e6,1e7,3e7,1e8] [--repeat 3] [--plot ../docs/scaling.png]

Each size has one subject per ten records (100 million records over 10 million subjects at
the top). The ledger is written once as Parquet parts (bench/out/scale-cache-v2/, reused by later
runs) with the columns and types the store hands the scorer, and read lazily, so neither side
ever holds more than Polars' streaming engine needs. Each measured step runs in its own
process; its peak memory comes from GNU time.

- bare: group the records by subject and sum the quantities (the floor of any per-subject
  computation over this data);
- scorer: `score_ledger`, everything `scs score` computes (rules by decision date, expiry,
  caps, lists, tiers, every subject with a file, sorted by identifier).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
from workload import ORGANIZATION_ITEMS, PERSON_ITEMS, SUBMISSION_DAY, catalogue_yaml, run_measured

from socialcredit.synth.identifiers import organization_identifiers, person_identifiers

AS_OF = dt.date(2026, 11, 1)
PART_RECORDS = 10_000_000
CACHE = Path(__file__).parent / "out" / "scale-cache-v2"


def part_paths(records: int) -> list[Path]:
    directory = CACHE / f"{records}"
    return sorted(directory.glob("part-*.parquet"))


def generate(records: int, seed: int = 17) -> None:
    """Parquet parts of `records` records over records // 10 subjects, written once, in the
    types the store hands the scorer (item codes as categories, kinds and statuses as enums)."""
    from socialcredit.store.ledger_read import as_ledger

    directory = CACHE / f"{records}"
    if (directory / "complete").exists():
        return
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    subjects = records // 10
    organizations = subjects // 10
    persons = person_identifiers(rng, subjects - organizations)
    pool = pl.Series(persons + organization_identifiers(rng, organizations))
    kinds = np.array(["person"] * (subjects - organizations) + ["organization"] * organizations)
    weights = 1.0 / np.arange(1, subjects + 1) ** 0.6
    weights /= weights.sum()
    person_codes = np.array([code for code, *_ in PERSON_ITEMS])
    organization_codes = np.array([code for code, *_ in ORGANIZATION_ITEMS])
    start = (dt.date(2021, 1, 1) - dt.date(1970, 1, 1)).days
    end = (SUBMISSION_DAY - dt.date(1970, 1, 1)).days
    for number, offset in enumerate(range(0, records, PART_RECORDS)):
        size = min(PART_RECORDS, records - offset)
        index = rng.choice(subjects, size, p=weights)
        kind = kinds[index]
        items = np.where(
            kind == "person",
            person_codes[rng.integers(0, len(person_codes), size)],
            organization_codes[rng.integers(0, len(organization_codes), size)],
        )
        as_ledger(
            pl.DataFrame(
                {
                    "subject_kind": kind,
                    "subject_id": pool.gather(index),
                    "item": items,
                    "decided_on": pl.Series(rng.integers(start, end, size)).cast(pl.Date),
                    "quantity": rng.integers(1, 4, size).astype(np.int32),
                    "status": np.where(rng.random(size) < 0.03, "revoked", "active"),
                }
            )
        ).write_parquet(directory / f"part-{number:03d}.parquet")
    (directory / "complete").touch()


def ledger(records: int) -> pl.LazyFrame:
    from socialcredit.store.ledger_cache import LEDGER_COLUMNS

    return pl.scan_parquet(part_paths(records)).cast(LEDGER_COLUMNS)


def child(which: str, records: int) -> None:
    from socialcredit.catalogue.validation import parse_catalogue_text, validate_catalogue
    from socialcredit.domain.rules import Rulebook
    from socialcredit.scoring.batch import score_ledger

    document, _ = parse_catalogue_text(catalogue_yaml())
    rulebook = Rulebook([validate_catalogue(document).catalogue])
    started = time.perf_counter()
    if which == "bare":
        result = (
            ledger(records)
            .group_by("subject_kind", "subject_id")
            .agg(pl.col("quantity").sum())
            .collect()
        )
    else:
        result = score_ledger(ledger(records), rulebook, AS_OF)
    print(json.dumps({"seconds": time.perf_counter() - started, "subjects": result.height}))


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    records = [row["records"] for row in rows]
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for which, style in (("bare", "o--"), ("scorer", "o-")):
        left.plot(records, [row[f"{which}_s"] for row in rows], style, label=which)
        right.plot(records, [row[f"{which}_mib"] / 1024 for row in rows], style, label=which)
    for axis, label in ((left, "median seconds"), (right, "peak memory, GiB")):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("records (one subject per ten records)")
        axis.set_ylabel(label)
        axis.grid(True, which="both", alpha=0.3)
        axis.legend()
    figure.suptitle("Batch scoring on 2 cores: scorer against a bare group-by of the same data")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        child(sys.argv[2], int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1e6,3e6,1e7,3e7,1e8")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--plot", type=Path, default=None)
    arguments = parser.parse_args()
    sizes = [int(float(size)) for size in arguments.sizes.split(",")]
    rows = []
    print(
        f"{'records':>12}{'subjects':>12}{'bare s':>10}{'scorer s':>10}{'ratio':>8}"
        f"{'bare MiB':>10}{'scorer MiB':>12}"
    )
    for records in sizes:
        generate(records)
        row = {"records": records, "subjects": records // 10}
        for which in ("bare", "scorer"):
            runs = [
                run_measured([sys.executable, __file__, "child", which, str(records)])
                for _ in range(arguments.repeat)
            ]
            row[f"{which}_s"] = statistics.median(
                json.loads(run.output.strip().splitlines()[-1])["seconds"] for run in runs
            )
            row[f"{which}_mib"] = max(run.peak_rss_mib for run in runs)
        rows.append(row)
        print(
            f"{records:>12,}{records // 10:>12,}{row['bare_s']:>10.2f}{row['scorer_s']:>10.2f}"
            f"{row['scorer_s'] / row['bare_s']:>8.2f}{row['bare_mib']:>10,.0f}"
            f"{row['scorer_mib']:>12,.0f}",
            flush=True,
        )
    (CACHE.parent / "scale.json").write_text(json.dumps(rows, indent=2))
    if arguments.plot:
        plot(rows, arguments.plot)
        print(f"plot: {arguments.plot}")


if __name__ == "__main__":
    main()
