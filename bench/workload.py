"""Shared workload for the benchmarks: a catalogue and record files of a chosen size.

Records are generated with NumPy and written with Polars, so making ten million rows takes
seconds, not minutes. About 2% of rows are faulty (bad identifiers, unknown items, future
dates), as in real feeds, so the checks do real work.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from socialcredit.synth.identifiers import organization_identifiers, person_identifiers

SOURCE = "bench-source"
FAULTY_SHARE = 0.02
SUBMISSION_DAY = dt.date(2026, 11, 1)

# code, points, counts_for_days, cap_per_year, lists, repeat (within_days, factor) or None.
# Negative items name the severity whose window holds counts_for_days (SPEC §10.1).
PERSON_ITEMS = [
    ("traffic.red_light", -5, 365, None, [], (365, 2)),
    ("traffic.speeding", -10, 365, None, [], (180, 3)),
    ("court.judgment_default", -100, 1095, None, ["blacklist"], None),
    ("charity.volunteer_hour", 1, 365, 30, [], None),
    ("charity.blood_donation", 10, 730, 20, [], None),
    ("utility.arrears", -20, 1095, 60, [], None),
    ("lending.default", -50, 1095, None, [], None),
    ("honours.city_commendation", 30, 1095, None, [], None),
]
ORGANIZATION_ITEMS = [
    ("tax.arrears_major", -150, 1095, None, ["tax_arrears"], None),
    ("tax.a_rating", 30, 365, None, [], None),
    ("market.product_safety_fine", -40, 365, 120, [], (365, 2)),
    ("market.late_annual_report", -5, 90, None, [], None),
    ("environment.emission_penalty", -60, 1095, None, [], None),
]
# Rows that name an act (SPEC §10.3), each shared with the subject's other rows of the same
# draw: so one act is often recorded twice.
ACT_SHARE = 0.05
ACTS_PER_SUBJECT = 2


def _severity(days: int) -> str:
    return "minor" if days <= 90 else "ordinary" if days <= 365 else "serious"


def catalogue_yaml() -> str:
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
        "  blacklist: {title: Seriously untrustworthy}",
        "  low_score: {title: Low score, score_below: 800}",
        "  redlist: {title: Trustworthy, score_at_least: 1050}",
        "  tax_arrears: {title: Major tax violators}",
        "sources:",
        f"  {SOURCE}: {{name: Benchmark source}}",
        "items:",
    ]
    for kind, items in (("person", PERSON_ITEMS), ("organization", ORGANIZATION_ITEMS)):
        for code, points, days, cap, lists, repeat in items:
            lines += [
                f"  - code: {code}",
                f"    title: Benchmark item {code}",
                f"    subject: {kind}",
                f"    points: {points}",
                f"    counts_for_days: {days}",
                f"    issuers: [{SOURCE}]",
                "    legal_basis: Benchmark Regulations art. 1",
            ]
            if points < 0:
                lines.append(f"    severity: {_severity(days)}")
            if repeat:
                lines.append(f"    repeat: {{within_days: {repeat[0]}, factor: {repeat[1]}}}")
            if cap:
                lines.append(f"    cap_per_year: {cap}")
            if lists:
                lines.append(f"    lists: [{', '.join(lists)}]")
    return "\n".join(lines) + "\n"


def ledger_frame(records: int, subjects: int, seed: int = 7) -> pl.DataFrame:
    """`records` valid rows over `subjects` subjects (9 in 10 persons), skewed: few have many."""
    rng = np.random.default_rng(seed)
    organizations = max(1, subjects // 10)
    pool = person_identifiers(rng, subjects - organizations) + organization_identifiers(
        rng, organizations
    )
    # Zipf-like skew: most subjects have few records, a few have many.
    weights = 1.0 / np.arange(1, subjects + 1) ** 0.6
    subject_index = rng.choice(subjects, records, p=weights / weights.sum())
    is_person = subject_index < subjects - organizations
    person_codes = np.array([code for code, *_ in PERSON_ITEMS])
    organization_codes = np.array([code for code, *_ in ORGANIZATION_ITEMS])
    items = np.where(
        is_person,
        person_codes[rng.integers(0, len(person_codes), records)],
        organization_codes[rng.integers(0, len(organization_codes), records)],
    )
    start = (dt.date(2021, 1, 1) - dt.date(1970, 1, 1)).days
    end = (SUBMISSION_DAY - dt.date(1970, 1, 1)).days
    names_act = rng.random(records) < ACT_SHARE
    act_draw = rng.integers(0, ACTS_PER_SUBJECT, records)
    return pl.DataFrame(
        {
            "record_id": pl.int_range(0, records, eager=True).cast(pl.String).str.zfill(10),
            "item": items,
            "subject_id": pl.Series(pool).gather(subject_index),
            "decided_on": pl.Series(rng.integers(start, end, records)).cast(pl.Date),
            "quantity": rng.integers(1, 4, records),
            "reference": pl.int_range(0, records, eager=True).cast(pl.String).str.zfill(9),
            "status": np.where(rng.random(records) < 0.03, "revoked", "active"),
            "act": pl.Series(subject_index).cast(pl.String)
            + "-"
            + pl.Series(act_draw).cast(pl.String),
        }
    ).with_columns(
        ("DOC-" + pl.col("reference")).alias("reference"),
        pl.when(pl.lit(names_act)).then("ACT-" + pl.col("act")).alias("act"),
    )


def with_faults(frame: pl.DataFrame, seed: int = 8) -> pl.DataFrame:
    """The same rows with FAULTY_SHARE of them broken in one of three ways."""
    rng = np.random.default_rng(seed)
    fault = rng.random(frame.height)
    share = FAULTY_SHARE / 3
    return frame.with_columns(
        pl.when(pl.lit(fault < share))
        .then(pl.col("subject_id").str.slice(0, 17) + "Z")
        .otherwise(pl.col("subject_id"))
        .alias("subject_id"),
        pl.when(pl.lit((fault >= share) & (fault < 2 * share)))
        .then(pl.lit("no.such_item"))
        .otherwise(pl.col("item"))
        .alias("item"),
        pl.when(pl.lit((fault >= 2 * share) & (fault < 3 * share)))
        .then(pl.lit(dt.date(2099, 1, 1)))
        .otherwise(pl.col("decided_on"))
        .alias("decided_on"),
    )


@dataclass
class Run:
    seconds: float
    peak_rss_mib: float
    output: str


def run_measured(command: list[str], environment: dict[str, str] | None = None) -> Run:
    """Run a command; its wall time and its own peak resident memory.

    Measured by GNU time, not by this process's wait4: on Linux a forked child's peak starts
    at its parent's size, and this process may hold gigabytes of generated data.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        started = time.perf_counter()
        process = subprocess.run(
            ["/usr/bin/time", "-o", report.name, "-f", "%M", *command],
            capture_output=True,
            env={**os.environ, **(environment or {})},
            text=True,
        )
        seconds = time.perf_counter() - started
        output = process.stdout + process.stderr
        if process.returncode != 0:
            sys.exit(f"{' '.join(command)} failed:\n{output}")
        peak_kib = int(report.read().strip().splitlines()[-1])
    return Run(seconds, peak_kib / 1024, process.stdout)


def own_peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def recreate_postgresql_database(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name}")
        connection.execute(f"CREATE DATABASE {name}")
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def scs_command() -> list[str]:
    return [sys.executable, "-m", "socialcredit"]


def write_catalogue(directory: Path) -> Path:
    path = directory / "catalogue.yaml"
    path.write_text(catalogue_yaml())
    return path
