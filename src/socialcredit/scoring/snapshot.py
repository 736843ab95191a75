"""A snapshot of the current ledger for a distributed engine (`scs export`): partitioned
Parquet that names nobody, with the catalogue versions, the objections' overdue intervals, the
granted repairs and a manifest. The layout is the Spark job's (`scoring/spark_job.py`), which
reads it.

What is in it, and what is not: records by compact subject key (row id, key, item, decision
date, quantity, status; no record id, reference or source), each key's kind, the overdue
intervals and the repairs by row id, the compiled rules and versions, each version's text as
published. A record's act (SPEC §10.3) travels as two numbers: `act_key`, equal for equal acts,
and `act_order`, the rank of (source, record id) among the records that name an act, which is
the tie-break's order; neither the act's reference nor the record's id leaves. No identifier,
no name: only the identity store names subjects, and it stays behind; `scs` joins the Spark
job's scores back to identifiers with `name_scores`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from socialcredit.domain.rules import Rulebook
from socialcredit.scoring import spark_job
from socialcredit.scoring.batch import SUBJECT

# About 4 million records a part: large enough for Parquet, small enough that a cluster
# reads many parts at once.
RECORDS_PER_PART = 4_000_000
HASH_CHUNK_BYTES = 1 << 20

LEDGER_COLUMNS = {
    "id": pl.Int64,
    SUBJECT: pl.Int64,
    "item": pl.String,
    "decided_on": pl.Date,
    "quantity": pl.Int32,
    "status": pl.String,
    "act_key": pl.Int64,
    "act_order": pl.Int64,
}
SUBJECT_COLUMNS = {SUBJECT: pl.Int64, "kind": pl.String}
OVERDUE_COLUMNS = {"id": pl.Int64, "overdue_from": pl.Date, "overdue_until": pl.Date}
REPAIR_COLUMNS = {"id": pl.Int64, "granted_on": pl.Date}


class SnapshotDirectoryNotEmpty(ValueError):
    """`scs export` writes only into a new or empty directory."""


@dataclass(frozen=True, slots=True)
class SnapshotSummary:
    directory: Path
    records: int
    subjects: int
    overdue_intervals: int
    catalogue_versions: int
    parts: int
    repairs: int = 0


def parts_for(records: int) -> int:
    return max(1, math.ceil(records / RECORDS_PER_PART))


def write_snapshot(
    directory: Path,
    ledger: pl.DataFrame,
    subjects: pl.DataFrame,
    overdue: pl.DataFrame,
    rulebook: Rulebook,
    published: Mapping[int, str],
    snapshot_at: dt.datetime,
    parts: int | None = None,
    repairs: pl.DataFrame | None = None,
    jurisdiction: str | None = None,
    national_directory: str | None = None,
) -> SnapshotSummary:
    """Write the snapshot into `directory` (new or empty).

    `ledger` is the current ledger with row ids (`Store.current_ledger(with_ids=True)`),
    `subjects` has at least `subject` and `kind` (identifiers, if any, are dropped here),
    `overdue` the overdue intervals (`SubjectRights.overdue`), `published` each version's
    text, `repairs` the granted repairs (`id` of the record's current revision, `granted_on`;
    see `scoring.batch.repaired_ids`). Ledger and subjects are split alike by `subject % parts`.
    SPEC §11: `jurisdiction` is recorded in the manifest; `national_directory`, the relative
    directory where the caller writes the national snapshot the job reads the national lists
    from (None: the store has one jurisdiction)."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise SnapshotDirectoryNotEmpty(f"{directory}: exists and is not an empty directory")
    ledger = act_numbers(ledger).select(list(LEDGER_COLUMNS)).cast(LEDGER_COLUMNS)
    # Only the kind of each key the ledger uses: never an identifier.
    subjects = (
        subjects.select(list(SUBJECT_COLUMNS))
        .cast(SUBJECT_COLUMNS)
        .join(ledger.select(SUBJECT).unique(), on=SUBJECT, how="semi")
    )
    overdue = overdue.select(list(OVERDUE_COLUMNS)).cast(OVERDUE_COLUMNS)
    if repairs is None:
        repairs = pl.DataFrame(schema=REPAIR_COLUMNS)
    repairs = repairs.select(list(REPAIR_COLUMNS)).cast(REPAIR_COLUMNS)
    parts = parts or parts_for(ledger.height)
    files: dict[str, pl.DataFrame] = {}
    for name, frame in (
        (spark_job.LEDGER_DIRECTORY, ledger),
        (spark_job.SUBJECTS_DIRECTORY, subjects),
    ):
        part_of = frame.select((pl.col(SUBJECT) % parts).alias("part"))["part"]
        for part in range(parts):
            files[f"{name}/{spark_job.PART_NAME.format(part)}"] = frame.filter(part_of == part)
    files[spark_job.OVERDUE_FILE] = overdue
    files[spark_job.REPAIRS_FILE] = repairs
    files[spark_job.RULES_FILE] = _rules_frame(rulebook)

    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, dict] = {}
    for relative, frame in files.items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(path, compression="zstd")
        written[relative] = {"rows": frame.height, **_file_facts(path)}
    for version, text in sorted(published.items()):
        relative = f"{spark_job.PUBLISHED_DIRECTORY}/v{version:04d}.yaml"
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written[relative] = _file_facts(path)

    points = rulebook.item_rules_frame["points"].abs().max() or 0
    manifest = {
        "schema_version": spark_job.SNAPSHOT_SCHEMA_VERSION,
        "snapshot_at": snapshot_at.isoformat(),
        "ledger": {
            "records": ledger.height,
            "max_quantity": ledger["quantity"].max() or 0,
            "naming_an_act": ledger.height - ledger["act_key"].null_count(),
            "parts": parts,
            "partitioned_by": f"{SUBJECT} % {parts}",
        },
        "subjects": {"count": subjects.height},
        "objections": {"overdue_intervals": overdue.height},
        "repairs": {"granted": repairs.height},
        "catalogue": {
            "versions": _versions(rulebook),
            "item_lists": list(rulebook.item_list_names),
            "max_abs_points": int(points),
            "repeat_items": list(rulebook.repeat_item_codes),
            "max_repeat_factor": rulebook.max_repeat_factor,
        },
        "files": written,
        "jurisdiction": jurisdiction,
        "national": national_directory,
    }
    (directory / spark_job.MANIFEST_FILE).write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return SnapshotSummary(
        directory,
        ledger.height,
        subjects.height,
        overdue.height,
        len(rulebook.catalogues),
        parts,
        repairs.height,
    )


def act_numbers(ledger: pl.DataFrame) -> pl.DataFrame:
    """The ledger's acts as numbers (SPEC §10.3): `act_key` equal for equal acts, and
    `act_order` the rank of (source, record id) among the records that name an act. A
    ledger without the act's columns names no act."""
    if "act" not in ledger.columns:
        return ledger.with_columns(
            pl.lit(None, pl.Int64).alias("act_key"), pl.lit(None, pl.Int64).alias("act_order")
        )
    acting = (
        ledger.filter(pl.col("act").is_not_null())
        .select(
            "id",
            pl.col("act").cast(pl.String).rank("dense").cast(pl.Int64).alias("act_key"),
            pl.col("act_source").cast(pl.String).alias("__source"),
            pl.col("act_record_id").cast(pl.String).alias("__record_id"),
        )
        .sort("__source", "__record_id")
        .with_row_index("act_order")
        .select("id", "act_key", pl.col("act_order").cast(pl.Int64))
    )
    return ledger.join(acting, on="id", how="left")


def _file_facts(path: Path) -> dict:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def _rules_frame(rulebook: Rulebook) -> pl.DataFrame:
    return rulebook.item_rules_frame.select(
        "version_index",
        "version",
        "item",
        "points",
        "counts_for_days",
        "cap_per_year",
        "lists",
        "repeat_within_days",
        "repeat_factor",
    )


def _versions(rulebook: Rulebook) -> list[dict]:
    """Per version, what scoring on a day it is in effect takes from it (SPEC §5.1)."""
    return [
        {
            "version_index": index,
            "version": catalogue.version,
            "effective_from": catalogue.effective_from.isoformat(),
            "base_score": catalogue.base_score,
            "national_floors": dict(catalogue.national_floors),  # SPEC §11
            "tiers": [{"name": tier.name, "min": tier.min} for tier in catalogue.tiers],
            "lists": [
                {
                    "name": name,
                    "score_below": definition.score_below,
                    "score_at_least": definition.score_at_least,
                }
                for name, definition in sorted(catalogue.lists.items())
            ],
        }
        for index, catalogue in enumerate(rulebook.catalogues)
    ]


def read_scores(directory: Path) -> pl.DataFrame:
    """The Spark job's output (a directory of Parquet parts), keyed by subject."""
    parts = sorted(directory.glob("*.parquet"))
    if not parts:
        return pl.DataFrame(
            schema={
                SUBJECT: pl.Int64,
                "kind": pl.String,
                "score": pl.Int64,
                "tier": pl.String,
                "lists": pl.String,
            }
        )
    return pl.concat([pl.read_parquet(part) for part in parts], how="vertical_relaxed")


def name_scores(scores: pl.DataFrame, subjects: pl.DataFrame) -> pl.DataFrame:
    """Scores by subject key joined back to identifiers, in the shape and order of `scs score`."""
    return (
        scores.join(subjects.select(SUBJECT, "subject_id"), on=SUBJECT, how="left")
        .select("subject_id", pl.col("kind").cast(pl.String), "score", "tier", "lists")
        .sort("subject_id", "kind")
    )
