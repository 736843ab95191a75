"""`scs catalog simulate` against `scs score` on the same store: what the preview of a version
costs compared with scoring everyone once.

    python bench/simulate.py [--repeat 3] [--scale 0.05] [--db URL]

Builds a demo city (`scs demo --scale F`, a twentieth of the default scale unless told: the
size of `scs demo --small`) in a temporary SQLite store, or fills the empty store at `--db`.
The candidate is the city's catalogue as a next version, in force a month from today, with every
negative item's points doubled (so most files move). Then, in turn and `--repeat` times each,
in processes of their own: `scs score --out scores.csv` (the baseline) and
`scs catalog simulate candidate.yaml --json`, both as of the same day. Prints the medians, the
peak memory and the ratio. Simulation scores everyone twice (before and after) and validates the
candidate, so a ratio near 2 is what a straightforward implementation costs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
from pathlib import Path

import ryaml
from workload import run_measured, scs_command

SMALL_SCALE = 0.05  # `scs demo --small`


def candidate(catalogue: Path, out: Path) -> Path:
    document = ryaml.loads(catalogue.read_text(encoding="utf-8"))
    document["version"] += 1
    document["effective_from"] = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    for item in document["items"]:
        if item["points"] < 0:
            item["points"] *= 2
    out.write_text(ryaml.dumps(document), encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", type=float, default=SMALL_SCALE)
    parser.add_argument("--db", default=None, help="An empty store to fill (default: SQLite)")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scs-simulate-") as temporary:
        directory = Path(temporary)
        store = arguments.db or f"sqlite:///{directory / 'demo.db'}"
        demo = run_measured(
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
        print(f"scs demo --scale {arguments.scale}: {demo.seconds:.1f} s")
        proposed = candidate(directory / "city" / "catalogue.yaml", directory / "candidate.yaml")
        as_of = dt.date.today().isoformat()
        scores, simulations = [], []
        for _ in range(arguments.repeat):
            scores.append(
                run_measured(
                    [
                        *scs_command(),
                        "score",
                        "--as-of",
                        as_of,
                        "--out",
                        str(directory / "scores.csv"),
                        "--db",
                        store,
                    ]
                )
            )
            simulations.append(
                run_measured(
                    [
                        *scs_command(),
                        "catalog",
                        "simulate",
                        str(proposed),
                        "--as-of",
                        as_of,
                        "--json",
                        "--db",
                        store,
                    ]
                )
            )
    report = json.loads(simulations[-1].output)
    records = next(
        (line for line in demo.output.splitlines() if line.startswith("Ingested")), ""
    ).strip()
    print(records)
    print(
        f"simulated: {report['subjects']:,} subjects, {report['subjects_changed']:,} changed, "
        f"{sum(report['tier_changes'].values()):,} changed tier"
    )
    score = statistics.median(run.seconds for run in scores)
    simulate = statistics.median(run.seconds for run in simulations)
    print(
        f"scs score:            median {score:.2f} s, "
        f"peak {max(run.peak_rss_mib for run in scores):,.0f} MiB"
    )
    print(
        f"scs catalog simulate: median {simulate:.2f} s, "
        f"peak {max(run.peak_rss_mib for run in simulations):,.0f} MiB"
    )
    print(f"ratio simulate / score: {simulate / score:.2f}")


if __name__ == "__main__":
    main()
