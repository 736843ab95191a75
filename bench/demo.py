"""`scs demo --city` (one city alone) end to end at the default scale (Rongcheng's): wall time
and peak memory.

    python bench/demo.py [--repeat 3] [--scale 1.0]

The budget is three minutes on a two-core machine. The baseline, timed in the same run, is
`scs synth` at the same scale: generating the city's files alone, so the ratio shows what
ingesting, scoring and summing up add.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from workload import run_measured, scs_command

BUDGET_S = 180


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0)
    arguments = parser.parse_args()
    demos, synths = [], []
    for _ in range(arguments.repeat):
        with tempfile.TemporaryDirectory(prefix="scs-demo-") as temporary:
            directory = Path(temporary)
            store = f"sqlite:///{directory / 'demo.db'}"
            demos.append(
                run_measured(
                    [
                        *scs_command(),
                        "demo",
                        "--city",
                        "--scale",
                        str(arguments.scale),
                        "--out",
                        str(directory / "city"),
                        "--db",
                        store,
                    ]
                )
            )
            persons, orgs = round(740_000 * arguments.scale), round(30_000 * arguments.scale)
            synths.append(
                run_measured(
                    [
                        *scs_command(),
                        "synth",
                        "--persons",
                        str(persons),
                        "--orgs",
                        str(orgs),
                        "--out",
                        str(directory / "synth"),
                    ]
                )
            )
    demo = statistics.median(run.seconds for run in demos)
    synth = statistics.median(run.seconds for run in synths)
    summary = [
        line
        for line in demos[-1].output.splitlines()
        if line.startswith(("A synthetic city", "Ingested", "Scored"))
    ]
    print("\n".join(summary))
    print(
        f"scs demo:  median {demo:.1f} s, "
        f"peak {max(run.peak_rss_mib for run in demos):,.0f} MiB (budget {BUDGET_S} s)"
    )
    print(
        f"scs synth: median {synth:.1f} s, peak {max(run.peak_rss_mib for run in synths):,.0f} MiB"
    )
    print(f"ratio demo / synth: {demo / synth:.2f}")
    if demo > BUDGET_S:
        sys.exit(f"over budget: {demo:.0f} s > {BUDGET_S} s")


if __name__ == "__main__":
    main()
