"""`scs ingest`, `scs batches`, `scs rejected` (SPEC §4, §6): files of records in, the ingested
files and their rejected rows out. Parsing and rendering only; the registry ingests."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from socialcredit.cli import options, render
from socialcredit.cli.common import (
    EXIT_CANNOT_RUN,
    EXIT_REFUSED,
    fail,
    open_registry,
    stderr,
    stdout,
)
from socialcredit.cli.options import DatabaseOption
from socialcredit.csv_files import write_csv
from socialcredit.registry import UnknownSource

BATCHES_PAGE_ROWS = 100  # rows `scs batches` shows unless --limit says otherwise
BATCHES_PAGE_MAX_ROWS = 10_000


def ingest(
    file: Annotated[Path, typer.Argument(help="Records as .csv, .jsonl or .parquet.")],
    source: Annotated[str, typer.Option("--source", help="Code of the submitting source.")],
    rejects: Annotated[
        Path | None,
        typer.Option("--rejects", help="Where to write rejected rows. Default: FILE.rejects.csv."),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Check and append a file of records; write the rejected rows with their reasons."""
    from socialcredit.ingest.readers import UnreadableFile  # imports pyarrow: only here
    from socialcredit.ingest.rejects import RejectsPathUnusable

    with open_registry(database) as registry:
        try:
            result = registry.ingest(file, source, rejects)
        except (UnreadableFile, UnknownSource, RejectsPathUnusable) as error:
            raise fail(str(error), EXIT_CANNOT_RUN) from None
    if result.unknown_columns:
        stderr.print(f"warning: ignored columns: {', '.join(result.unknown_columns)}")
    print(result.counts.summary())
    if result.counts.rejected:
        stderr.print(f"rejected rows and their reasons: {result.rejects_path}")


def batches(
    source: Annotated[str | None, typer.Option("--source", help="Only this source.")] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit", min=1, max=BATCHES_PAGE_MAX_ROWS, help="At most this many, latest first."
        ),
    ] = BATCHES_PAGE_ROWS,
    before: Annotated[
        int | None,
        typer.Option(
            "--before",
            min=1,
            max=options.ROW_ID_MAX,
            help="Only batches with a lower id: the next page.",
            show_default=False,
        ),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """List the most recent ingested files with their counts, a page at a time."""
    with open_registry(database) as registry:
        rows = registry.batches(source, limit + 1, before)
    page = rows[:limit]
    stdout.print(render.batches(page))
    if len(rows) > limit:
        following = [
            "scs batches",
            *(["--source", source] if source else []),
            "--limit",
            str(limit),
        ]
        stdout.print(f"more batches are older: {' '.join(following)} --before {page[-1].id}")


def rejected(
    batch: Annotated[
        int,
        typer.Argument(min=1, max=options.ROW_ID_MAX, help="Batch id, as `scs batches` lists it."),
    ],
    database: DatabaseOption = None,
) -> None:
    """Print the rejected rows of one ingested file, with their reasons, as CSV."""
    with open_registry(database) as registry:
        if registry.batch(batch) is None:
            raise fail(f"no ingested file has batch id {batch}", EXIT_REFUSED)
        frame = registry.rejected_rows(batch)
    write_csv(frame, sys.stdout.buffer)
