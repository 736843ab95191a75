"""Rendering registry results for the terminal and for files. Presentation only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import polars as pl
from rich.console import Console
from rich.table import Table

from socialcredit.csv_files import write_csv
from socialcredit.registry import SubjectFile
from socialcredit.store.store import CatalogueRow, IngestBatch


def catalogue_versions(rows: list[CatalogueRow]) -> Table:
    table = Table("version", "catalog", "effective from", "published at", "sha256")
    for row in rows:
        table.add_row(
            str(row.version),
            row.catalog,
            str(row.effective_from),
            f"{row.published_at:%Y-%m-%d %H:%M}",
            row.sha256[:12],
        )
    return table


def batches(rows: list[IngestBatch]) -> Table:
    table = Table("batch", "source", "file", "submitted", "accepted", "duplicates", "rejected")
    for row in rows:
        table.add_row(
            str(row.id),
            row.source,
            row.file_name,
            str(row.submitted_on),
            str(row.accepted),
            str(row.duplicates),
            str(row.rejected),
        )
    return table


def write_scores(scores: pl.DataFrame, out: Path) -> None:
    """CSV (an empty `lists` is an empty field) or Parquet, by the file's extension."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".parquet":
        scores.write_parquet(out)
        return
    write_csv(scores, str(out))


def file_document(subject_file: SubjectFile) -> dict[str, Any]:
    score = subject_file.score
    return {
        "subject_id": score.subject_id,
        "kind": score.subject_kind,
        "as_of": score.as_of.isoformat(),
        "catalogue_version": score.catalogue_version,
        "base_score": score.base_score,
        "score": score.score,
        "tier": score.tier,
        "lists": list(score.lists),
        "key_factors": [
            {"item": factor.item, "title": factor.title, "points": factor.points}
            for factor in score.key_factors
        ],
        "counting_records": [
            {
                "source": entry.record.source,
                "record_id": entry.record.record_id,
                "revision": entry.record.revision,
                "item": entry.record.item,
                "title": entry.rule.title,
                "decided_on": entry.record.decided_on.isoformat(),
                "quantity": entry.record.quantity,
                "points": entry.points,
                "reference": entry.record.reference,
                "legal_basis": entry.rule.legal_basis,
                "catalogue_version": entry.rule.version,
                "counts_until": entry.counts_until.isoformat() if entry.counts_until else None,
            }
            for entry in score.counting_records
        ],
        "views": [
            {
                "viewed_at": view.viewed_at.isoformat(),
                "viewer": view.viewer,
                "purpose": view.purpose,
                "channel": view.channel,
            }
            for view in subject_file.views
        ],
    }


def files_json(files: list[SubjectFile]) -> str:
    documents = [file_document(subject_file) for subject_file in files]
    payload = documents[0] if len(documents) == 1 else documents
    return orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode()


def print_file(console: Console, subject_file: SubjectFile) -> None:
    score = subject_file.score
    lists = ", ".join(score.lists) or "none"
    console.print(
        f"[bold]{score.subject_id}[/] ({score.subject_kind}) as of {score.as_of}: "
        f"score [bold]{score.score}[/], tier [bold]{score.tier}[/], lists: {lists}"
    )
    console.print(
        f"base {score.base_score} under catalogue version {score.catalogue_version}"
    )
    factors = Table("item", "title", "points", title="Key factors")
    for factor in score.key_factors:
        factors.add_row(factor.item, factor.title, f"{factor.points:+d}")
    console.print(factors)
    records = Table(
        "decided", "item", "points", "source", "reference", "legal basis", "counts until",
        title="Counting records",
    )
    for entry in score.counting_records:
        records.add_row(
            str(entry.record.decided_on),
            entry.record.item,
            f"{entry.points:+d}",
            entry.record.source,
            entry.record.reference,
            entry.rule.legal_basis,
            str(entry.counts_until or "-"),
        )
    console.print(records)
    views = Table("when", "who", "purpose", "channel", title="Who looked at this file")
    for view in subject_file.views:
        views.add_row(f"{view.viewed_at:%Y-%m-%d %H:%M}", view.viewer, view.purpose, view.channel)
    console.print(views)
