"""`scs score`, `scs export`, `scs name-scores` (SPEC §5, §6): every subject's score, here or on
Spark; `scs show`: one subject's file (SPEC §7.4). Parsing and rendering only; the registry
scores."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from socialcredit.cli import render
from socialcredit.cli.common import (
    EXIT_CANNOT_RUN,
    EXIT_REFUSED,
    check_folder,
    check_output,
    fail,
    open_registry,
    parse_day,
    stdout,
)
from socialcredit.cli.options import AsOfOption, DatabaseOption, JurisdictionOption
from socialcredit.domain.rules import AsOfBeforeCatalogue
from socialcredit.registry import Engine, Refused
from socialcredit.scoring.snapshot import SnapshotDirectoryNotEmpty
from socialcredit.scoring.spark_job import SparkUnavailable


def score(
    out: Annotated[Path, typer.Option("--out", help="Output file: .csv, or .parquet.")],
    as_of: AsOfOption = None,
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine",
            help="polars: in this process; spark: export a snapshot and score it with the Spark "
            "job in local mode (needs pyspark and Java), the same output.",
        ),
    ] = Engine.polars,
    jurisdiction: JurisdictionOption = None,
    database: DatabaseOption = None,
) -> None:
    """Score every subject (of one local jurisdiction, SPEC §11) as of a date."""
    check_output(out, "--out")
    with open_registry(database) as registry:
        day = parse_day(as_of, registry)
        try:
            if engine is Engine.spark:
                scores = registry.score_all_on_spark(day, jurisdiction)
            else:
                scores = registry.score_all(day, jurisdiction)
        except (AsOfBeforeCatalogue, Refused) as error:
            raise fail(str(error), EXIT_REFUSED) from None
        except SparkUnavailable as error:
            raise fail(str(error), EXIT_CANNOT_RUN) from None
    try:
        render.write_scores(scores, out)
    except (OSError, pl.exceptions.PolarsError) as error:
        raise fail(f"--out {out}: cannot write: {error}", EXIT_CANNOT_RUN) from None
    stdout.print(f"scored {scores.height} subjects as of {day}: {out}")


def export(
    out: Annotated[
        Path, typer.Option("--out", help="A new or empty directory to write the snapshot into.")
    ],
    parts: Annotated[
        int | None,
        typer.Option(
            "--parts",
            min=1,
            help="Ledger parts (by subject key). Default: one per 4 million records.",
        ),
    ] = None,
    jurisdiction: JurisdictionOption = None,
    database: DatabaseOption = None,
) -> None:
    """A snapshot of the current ledger for Spark: partitioned Parquet by subject key (names
    nobody), catalogue versions, objections, manifest. SPEC §11: one local jurisdiction's, with
    the national snapshot beside it."""
    if out.exists() and not out.is_dir():
        raise fail(f"--out {out}: exists and is not an empty directory", EXIT_CANNOT_RUN)
    check_folder(out, "--out")
    with open_registry(database) as registry:
        try:
            summary = registry.export_snapshot(out, parts, jurisdiction)
        except SnapshotDirectoryNotEmpty as error:
            raise fail(f"--out {error}", EXIT_CANNOT_RUN) from None
        except Refused as error:
            raise fail(str(error), EXIT_REFUSED) from None
        except OSError as error:
            raise fail(
                f"--out {out}: cannot write: {error.strerror or error}", EXIT_CANNOT_RUN
            ) from None
    stdout.print(
        f"exported {summary.records} records of {summary.subjects} subjects in {summary.parts} "
        f"parts, {summary.overdue_intervals} overdue intervals, {summary.catalogue_versions} "
        f"catalogue versions: {out}"
    )


def name_scores(
    scores: Annotated[
        Path,
        typer.Argument(help="The Spark job's output directory (Parquet parts by subject key)."),
    ],
    out: Annotated[Path, typer.Option("--out", help="Output file: .csv, or .parquet.")],
    database: DatabaseOption = None,
) -> None:
    """Join a Spark job's scores back to identifiers: the file `scs score` writes."""
    check_output(out, "--out")
    if not scores.is_dir() or not any(scores.glob("*.parquet")):
        raise fail(
            f"{scores}: not a directory of Parquet scores from the Spark job", EXIT_CANNOT_RUN
        )
    with open_registry(database) as registry:
        try:
            named = registry.name_scores(scores)
        except (OSError, pl.exceptions.PolarsError) as error:
            raise fail(f"{scores}: cannot read the scores: {error}", EXIT_CANNOT_RUN) from None
    unknown = named.filter(pl.col("subject_id").is_null()).height
    if unknown:
        raise fail(
            f"{scores}: {unknown} subject keys are unknown to this store's identity store",
            EXIT_REFUSED,
        )
    try:
        render.write_scores(named, out)
    except (OSError, pl.exceptions.PolarsError) as error:
        raise fail(f"--out {out}: cannot write: {error}", EXIT_CANNOT_RUN) from None
    stdout.print(f"named {named.height} subjects: {out}")


DEFAULT_VIEWER = "operator"  # SPEC §7.4, with the purpose `inspection`


def show(
    subject_id: Annotated[str, typer.Argument(help="Resident identity number or credit code.")],
    as_of: AsOfOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    viewer: Annotated[
        str | None,
        typer.Option(
            "--viewer",
            help="Who is looking (logged in the file). Default: $SCS_VIEWER, else the operator.",
        ),
    ] = None,
    purpose: Annotated[
        str, typer.Option("--purpose", help="Why (logged in the file).")
    ] = "inspection",
    jurisdiction: JurisdictionOption = None,
    database: DatabaseOption = None,
) -> None:
    """One subject's file: score, tier, lists, key factors, counting records, objections,
    statement, who looked. SPEC §11: the national lists and every local file (only
    --jurisdiction's when given)."""
    # SPEC §7.4: the command line is the operator's; who runs it in the shell is not the
    # viewer. $SCS_VIEWER names a particular operator (`alice`), for offices with several.
    viewer = viewer or os.environ.get("SCS_VIEWER") or DEFAULT_VIEWER
    with open_registry(database) as registry:
        day = parse_day(as_of, registry)
        try:
            files = registry.subject_files(
                subject_id, day, viewer, purpose, channel="cli", jurisdiction=jurisdiction
            )
            national = registry.national_listings(subject_id, day)
        except (AsOfBeforeCatalogue, Refused) as error:
            raise fail(str(error), EXIT_REFUSED) from None
    if not files and not national:
        raise fail(f"no credit file for {subject_id} as of {day}", EXIT_REFUSED)
    if as_json:
        if files:
            sys.stdout.write(render.files_json(files) + "\n")
        else:
            sys.stdout.write(render.to_json({"national_listings": national}) + "\n")
    else:
        if not files:
            render.print_national_listings(stdout, subject_id, day, national)
        for subject_file in files:
            render.print_file(stdout, subject_file.document)
