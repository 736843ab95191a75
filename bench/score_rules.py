"""What SPEC §10's rules cost the batch scorer: the same ledger scored without them, with
repeats, with acts, and with both, against the bare pipeline of `score.py`, in one run.

    python bench/score_rules.py [--records 5000000] [--subjects 500000] [--repeat 3]

The ledger is `score.py`'s (its catalogue declares repeats on three items, and 5 % of records
name an act, most of them shared with another record of the subject). "without" drops the acts
and the repeats from the same ledger and rulebook. Each variant runs in its own process; the
fastest of `--repeat` runs is kept, in CPU seconds (every thread's, so less sensitive to other
load on the machine) and wall seconds. (Peak memory: `score.py`'s end-to-end `scs score`.)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

VARIANTS = ("bare", "without", "repeats", "acts", "both")


def child(records: int, subjects: int, variant: str, repeat: int) -> None:
    import polars as pl
    from score import AS_OF, bare_pipeline, rulebook, scoring_ledger

    from socialcredit.scoring.batch import score_ledger

    (ledger, named), rules = scoring_ledger(records, subjects), rulebook()
    if variant in ("without", "repeats"):
        dtype = ledger.schema["act"]
        ledger = ledger.with_columns(
            pl.lit(None, dtype).alias(name) for name in ("act", "act_source", "act_record_id")
        )
    if variant in ("without", "acts"):
        rules.__dict__["repeat_item_codes"] = ()  # the cached property, emptied: no repeat
        rules.__dict__["max_repeat_factor"] = 1
    runs = []
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        if variant == "bare":
            bare_pipeline(ledger, rules)
        else:
            score_ledger(ledger, rules, AS_OF, subjects=named)
        runs.append((time.process_time() - cpu, time.perf_counter() - wall))
    print(json.dumps({"cpu": min(run[0] for run in runs), "wall": min(run[1] for run in runs)}))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        child(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=5_000_000)
    parser.add_argument("--subjects", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    print(f"{arguments.records:,} records over {arguments.subjects:,} subjects")
    results = {}
    for variant in VARIANTS:
        command = [
            sys.executable,
            __file__,
            "child",
            str(arguments.records),
            str(arguments.subjects),
            variant,
            str(arguments.repeat),
        ]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        results[variant] = json.loads(output.strip().splitlines()[-1])
        result = results[variant]
        print(f"   {variant:<8} cpu {result['cpu']:.2f} s, wall {result['wall']:.2f} s")
    for variant in ("repeats", "acts", "both"):
        ratio = results[variant]["cpu"] / results["without"]["cpu"]
        print(f"   ratio {variant} / without (cpu): {ratio:.2f}")
    print(
        f"   ratio without / bare (cpu): {results['without']['cpu'] / results['bare']['cpu']:.2f}"
    )


if __name__ == "__main__":
    main()
