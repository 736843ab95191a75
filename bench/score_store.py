"""`scs score` of a store already filled (say by `bench/ingest_scale.py --keep`, 100 million
records) against the bare Polars program of `bench/score_e2e.py`, both timed as whole processes.

    python bench/score_store.py --url sqlite:////path/ledger.db --catalogue /path/catalogue.yaml
                                [--as-of 2026-11-01] [--repeat 3]

Before timing (untimed), the store's current ledger and its key → kind, identifier table are
written to Parquet, in the types the scorer reads: the bare program's input, as `--bare keyed`
in `score_e2e.py`. The ledger cache is then in place (the ingests wrote it), as a registry's
would be. The two are run in turn, bare then `scs score`, so that both see the same load; their
outputs must be byte-identical.
"""

from __future__ import annotations

import argparse
import filecmp
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import score_e2e
from workload import run_measured, scs_command


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", required=True)
    parser.add_argument("--catalogue", type=Path, required=True)
    parser.add_argument("--as-of", default=score_e2e.AS_OF.isoformat())
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--directory", type=Path, default=None)
    arguments = parser.parse_args()
    if arguments.as_of != score_e2e.AS_OF.isoformat():
        sys.exit(f"the bare program scores as of {score_e2e.AS_OF}")

    from socialcredit.store.ledger_read import as_ledger
    from socialcredit.store.store import Store

    with tempfile.TemporaryDirectory(
        prefix="scs-score-store-", dir=arguments.directory
    ) as temporary:
        directory = Path(temporary)
        parquet = directory / "records.parquet"
        store = Store.open(arguments.url)
        try:
            ledger = as_ledger(store.current_ledger())
            ledger.write_parquet(parquet)
            store.subjects().write_parquet(parquet.with_suffix(".subjects.parquet"))
        finally:
            store.close()
        print(
            f"{ledger.height:,} current records; "
            f"{subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}"
        )
        del ledger
        bare_out, out = directory / "bare.csv", directory / "scores.csv"
        bare_command = [
            sys.executable,
            score_e2e.__file__,
            "bare",
            str(parquet),
            str(arguments.catalogue),
            str(bare_out),
        ]
        environment = {"SCS_DB": arguments.url}
        runs, bare_runs = [], []
        for _ in range(arguments.repeat):
            bare_runs.append(run_measured(bare_command))
            runs.append(
                run_measured(
                    [*scs_command(), "score", "--as-of", arguments.as_of, "--out", str(out)],
                    environment,
                )
            )
            print(
                f"  bare {bare_runs[-1].seconds:.2f} s, `scs score` {runs[-1].seconds:.2f} s",
                flush=True,
            )
        if not filecmp.cmp(out, bare_out, shallow=False):
            sys.exit("`scs score` and the bare program disagree")
        seconds = statistics.median(run.seconds for run in runs)
        bare_seconds = statistics.median(run.seconds for run in bare_runs)
        print(
            f"`scs score`: median {seconds:.2f} s, "
            f"peak {max(r.peak_rss_mib for r in runs):,.0f} MiB; "
            f"bare: median {bare_seconds:.2f} s, "
            f"peak {max(r.peak_rss_mib for r in bare_runs):,.0f} MiB; "
            f"ratio {seconds / bare_seconds:.2f}; identical output; "
            f"{subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}"
        )


if __name__ == "__main__":
    main()
