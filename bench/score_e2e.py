"""`scs score` end to end against a bare Polars program, both timed as whole processes (issue 12).

    python bench/score_e2e.py [--records 5000000] [--subjects 380000] [--items 60]
                              [--repeat 3] [--stores sqlite,postgresql] [--cache on,off]

One ledger of `--records` valid records over `--subjects` subjects (9 in 10 persons), one
catalogue of `--items` items. For each store: an empty store, the catalogue published, the
records ingested as one CSV file with `scs ingest` (timed: the ingest rate into an empty store),
then `scs score --out scores.csv`, each a whole process.

The baseline, timed in the same run the same way, each of its runs just before one of `scs
score`'s (so that both see the same load on a shared machine): a bare Polars program (`bare`
below, its own process) that reads the same records from Parquet, scores them by SPEC §5 with
`scoring.batch.score_ledger` (the scorer without the store) and writes the same CSV. The two
outputs must be byte-identical; the run stops if they are not. `--bare keyed` (the default, the
strict baseline) reads the records as the store holds them: subject keys, item, decision date,
quantity, status in the scorer's types, and the key → kind, identifier table, so the only
difference left is getting the ledger out of the store. `--bare identifiers` reads records that
name their subjects by kind and identifier, and so also pays for keying them.

Before timing, the `socialcredit` package's bytecode is compiled (as `pip install` does): where
PYTHONDONTWRITEBYTECODE is set, every process would otherwise compile each module it imports
from source again, which costs `scs score` (which imports the CLI, the store, the registry)
far more than the bare program.

`--cache off` scores with the columnar ledger cache switched off (SCS_LEDGER_CACHE=off: the store
is read directly, as before the cache); `on` (the default) with it, as `scs ingest` left it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import filecmp
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import polars as pl
from workload import SOURCE, recreate_postgresql_database, run_measured, scs_command

from socialcredit.synth.identifiers import organization_identifiers, person_identifiers

AS_OF = dt.date(2026, 11, 1)
POSTGRESQL_ADMIN_URL = "postgresql://postgres@127.0.0.1/postgres"
ORGANIZATION_SHARE = 10  # one item and one subject in ten are an organization's


def items(count: int) -> list[dict]:
    """`count` items, one in ten for organizations; points, expiry, caps and lists varied."""
    rng = np.random.default_rng(60)
    made = []
    for number in range(count):
        kind = "organization" if number % ORGANIZATION_SHARE == 0 else "person"
        points = int(rng.choice([-150, -60, -20, -10, -5, 1, 5, 10, 30]))
        made.append(
            {
                "code": f"bench.{kind}_{number:03d}",
                "subject": kind,
                "points": points,
                "counts_for_days": int(rng.choice([365, 730, 1095, 1825])),
                "cap_per_year": int(abs(points) * 6) if number % 4 == 1 else None,
                "lists": ["blacklist"]
                if points <= -150
                else (["tax_arrears"] if kind == "organization" and points < -20 else []),
            }
        )
    return made


def catalogue_yaml(count: int) -> str:
    lines = [
        "catalog: bench-city",
        "version: 1",
        "effective_from: 2020-01-01",
        "base_score: 1000",
        "tiers:",
        "  - {name: AAA, min: 1050}",
        "  - {name: AA, min: 1000}",
        "  - {name: A, min: 950}",
        "  - {name: B, min: 900}",
        "  - {name: C, min: 850}",
        "  - {name: D}",
        "lists:",
        "  blacklist: {title: Seriously untrustworthy, score_below: 800}",
        "  redlist: {title: Trustworthy, score_at_least: 1050}",
        "  tax_arrears: {title: Major tax violators}",
        "sources:",
        f"  {SOURCE}: {{name: Benchmark source}}",
        "items:",
    ]
    for item in items(count):
        lines += [
            f"  - code: {item['code']}",
            f"    title: Benchmark item {item['code']}",
            f"    subject: {item['subject']}",
            f"    points: {item['points']}",
            f"    counts_for_days: {item['counts_for_days']}",
            f"    issuers: [{SOURCE}]",
            "    legal_basis: Benchmark Regulations art. 1",
        ]
        if item["cap_per_year"]:
            lines.append(f"    cap_per_year: {item['cap_per_year']}")
        if item["lists"]:
            lines.append(f"    lists: [{', '.join(item['lists'])}]")
    return "\n".join(lines) + "\n"


def records(count: int, subjects: int, item_count: int, seed: int = 12) -> pl.DataFrame:
    """`count` valid records over `subjects` subjects, skewed (few have many)."""
    rng = np.random.default_rng(seed)
    organizations = max(1, subjects // ORGANIZATION_SHARE)
    pool = person_identifiers(rng, subjects - organizations) + organization_identifiers(
        rng, organizations
    )
    weights = 1.0 / np.arange(1, subjects + 1) ** 0.6
    subject_index = rng.choice(subjects, count, p=weights / weights.sum())
    is_person = subject_index < subjects - organizations
    catalogue = items(item_count)
    person_codes = np.array([item["code"] for item in catalogue if item["subject"] == "person"])
    organization_codes = np.array(
        [item["code"] for item in catalogue if item["subject"] == "organization"]
    )
    start = (dt.date(2021, 1, 1) - dt.date(1970, 1, 1)).days
    end = (AS_OF - dt.date(1970, 1, 1)).days
    return pl.DataFrame(
        {
            "record_id": pl.int_range(0, count, eager=True).cast(pl.String).str.zfill(10),
            "item": np.where(
                is_person,
                person_codes[rng.integers(0, len(person_codes), count)],
                organization_codes[rng.integers(0, len(organization_codes), count)],
            ),
            "subject_id": pl.Series(pool).gather(subject_index),
            "decided_on": pl.Series(rng.integers(start, end, count)).cast(pl.Date),
            "quantity": rng.integers(1, 4, count),
            "reference": "DOC-" + pl.int_range(0, count, eager=True).cast(pl.String).str.zfill(9),
            "status": np.where(rng.random(count) < 0.03, "revoked", "active"),
        }
    )


def bare(parquet: str, catalogue: str, out: str) -> None:
    """The baseline program: Parquet → score by SPEC §5 (the store-less scorer) → CSV. With a
    subjects file beside the records (`--bare keyed`), the records are keyed as in the store."""
    from socialcredit.catalogue.validation import parse_catalogue_text, validate_catalogue
    from socialcredit.csv_files import write_csv
    from socialcredit.domain.rules import Rulebook
    from socialcredit.scoring.batch import score_ledger

    document, _ = parse_catalogue_text(Path(catalogue).read_text())
    rulebook = Rulebook([validate_catalogue(document).catalogue])
    ledger = pl.read_parquet(parquet)
    subjects_path = Path(parquet).with_suffix(".subjects.parquet")
    subjects = pl.read_parquet(subjects_path) if subjects_path.exists() else None
    write_csv(
        score_ledger(ledger, rulebook, AS_OF, subjects=subjects), out
    )  # as `scs score` writes it


def store_url(store: str, directory: Path) -> str:
    if store == "sqlite":
        return f"sqlite:///{directory / 'e2e.db'}"
    return recreate_postgresql_database(POSTGRESQL_ADMIN_URL, "scs_bench_e2e")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "bare":
        bare(*sys.argv[2:5])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=float, default=5_000_000)
    parser.add_argument("--subjects", type=float, default=380_000)
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--cache", default="on", help="on, off or on,off")
    parser.add_argument("--bare", choices=("keyed", "identifiers"), default="keyed")
    parser.add_argument("--directory", type=Path, default=None)
    arguments = parser.parse_args()
    count, subjects = int(arguments.records), int(arguments.subjects)
    import compileall

    import socialcredit

    compileall.compile_dir(Path(socialcredit.__file__).parent, quiet=1)
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"{count:,} records over {subjects:,} subjects, {arguments.items} items; {load}")
    with tempfile.TemporaryDirectory(prefix="scs-score-e2e-", dir=arguments.directory) as temporary:
        directory = Path(temporary)
        catalogue = directory / "catalogue.yaml"
        catalogue.write_text(catalogue_yaml(arguments.items))
        frame = records(count, subjects, arguments.items)
        csv_path, parquet = directory / "records.csv", directory / "records.parquet"
        frame.write_csv(csv_path)
        kinds = {item["code"]: item["subject"] for item in items(arguments.items)}
        named = frame.select(
            pl.col("item").replace_strict(kinds).alias("subject_kind"),
            "subject_id",
            "item",
            "decided_on",
            pl.col("quantity").cast(pl.Int32),
            "status",
        )
        del frame
        if arguments.bare == "keyed":
            from socialcredit.scoring.batch import with_subject_keys
            from socialcredit.store.ledger_read import as_ledger

            keyed, subject_table = with_subject_keys(named)
            as_ledger(keyed.collect()).write_parquet(parquet)
            subject_table.write_parquet(parquet.with_suffix(".subjects.parquet"))
        else:
            named.write_parquet(parquet)
        del named
        bare_out = directory / "bare.csv"
        bare_command = [
            sys.executable,
            __file__,
            "bare",
            str(parquet),
            str(catalogue),
            str(bare_out),
        ]
        for store in filter(None, arguments.stores.split(",")):
            url = store_url(store, directory)
            environment = {"SCS_DB": url, "SCS_LEDGER_CACHE": str(directory / f"cache-{store}")}
            run_measured([*scs_command(), "catalog", "publish", str(catalogue)], environment)
            ingest = run_measured(
                [*scs_command(), "ingest", str(csv_path), "--source", SOURCE], environment
            )
            print(
                f"{store}: `scs ingest` of {count:,} rows into the empty store "
                f"{ingest.seconds:.1f} s "
                f"({count / ingest.seconds:,.0f} rows/s, peak {ingest.peak_rss_mib:,.0f} MiB): "
                f"{ingest.output.strip()}"
            )
            for cache in arguments.cache.split(","):
                if cache == "off":
                    environment["SCS_LEDGER_CACHE"] = "off"
                out = directory / f"scores-{store}-{cache}.csv"
                # Interleaved, bare then `scs score`, so that both see the same load.
                runs, bare_runs = [], []
                for _ in range(arguments.repeat):
                    bare_runs.append(run_measured(bare_command))
                    runs.append(
                        run_measured(
                            [
                                *scs_command(),
                                "score",
                                "--as-of",
                                AS_OF.isoformat(),
                                "--out",
                                str(out),
                            ],
                            environment,
                        )
                    )
                if not filecmp.cmp(out, bare_out, shallow=False):
                    sys.exit(f"{store}, cache {cache}: `scs score` and the bare program disagree")
                seconds = statistics.median(run.seconds for run in runs)
                bare_seconds = statistics.median(run.seconds for run in bare_runs)
                print(
                    f"  cache {cache:<3} `scs score`: median {seconds:.2f} s, "
                    f"runs {', '.join(f'{run.seconds:.2f}' for run in runs)}, "
                    f"peak {max(r.peak_rss_mib for r in runs):,.0f} MiB; identical output"
                )
                print(
                    f"            bare program ({arguments.bare} records from Parquet → "
                    f"score_ledger → CSV): median {bare_seconds:.2f} s, "
                    f"runs {', '.join(f'{run.seconds:.2f}' for run in bare_runs)}, "
                    f"peak {max(r.peak_rss_mib for r in bare_runs):,.0f} MiB"
                )
                print(
                    f"            ratio `scs score` / bare program: {seconds / bare_seconds:.2f}; "
                    f"{subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
