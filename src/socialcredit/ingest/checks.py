"""The row checks of SPEC §4.2 that need no ledger: one vectorized pass over a chunk.

`check_chunk` returns the chunk with normalized, typed fields beside the raw ones and a
`reason` column: null for a row that passed, else every problem found, joined by "; ". The
checks against stored revisions (duplicates, conflicts, lower revisions) come after, in
`revisions`.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from socialcredit.domain.identifiers import identifier_problems, normalize_identifier_expr
from socialcredit.domain.limits import RECORD_ID_MAX_CHARS
from socialcredit.domain.records import (
    FIELD_DEFAULTS,
    MAX_COUNT,
    RECORD_STATUSES,
    REQUIRED_FIELDS,
    SUBMITTED_FIELDS,
)
from socialcredit.domain.rules import Rulebook

# [0-9], not \d: to the regular expression engine \d is any script's digit ("５", "٣"),
# which no integer or date parser reads.
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
COUNT_PATTERN = r"^\+?[0-9]+$"
ANY_SCRIPT_COUNT_PATTERN = r"^\+?\d+$"

# Normalized columns carry these names; the raw ones keep the submitted names.
NORMALIZED = {name: f"{name}_value" for name in SUBMITTED_FIELDS}


def _normalized_text(name: str) -> pl.Expr:
    """Trimmed; empty counts as absent (SPEC §4.1); defaults filled in."""
    value = pl.col(name).str.strip_chars()
    value = pl.when(value == "").then(None).otherwise(value)
    if name in FIELD_DEFAULTS:
        value = value.fill_null(pl.lit(FIELD_DEFAULTS[name]))
    if name == "subject_id":
        value = normalize_identifier_expr(value)
    return value.alias(NORMALIZED[name])


def _positive_count(name: str) -> tuple[pl.Expr, pl.Expr]:
    """The value as an integer, and the problem with it (or null)."""
    text = pl.col(NORMALIZED[name])
    number = text.str.strip_prefix("+").cast(pl.Int64, strict=False)
    well_formed = text.str.contains(COUNT_PATTERN)
    problem = (
        pl.when(~well_formed & text.str.contains(ANY_SCRIPT_COUNT_PATTERN))
        .then(
            pl.format(
                f"{name} must be a positive integer written with the digits 0-9, not '{{}}'", text
            )
        )
        .when(~well_formed)
        .then(pl.format(f"{name} must be a positive integer, not '{{}}'", text))
        .when(number.is_null() | (number > MAX_COUNT))  # null: too long even for 64 bits
        .then(pl.lit(f"{name} is larger than {MAX_COUNT}"))
        .when(number < 1)
        .then(pl.format(f"{name} must be a positive integer, not '{{}}'", text))
    )
    return pl.when(well_formed).then(number), problem


def check_chunk(
    chunk: pl.DataFrame, rulebook: Rulebook, source: str, submitted_on: dt.date
) -> pl.DataFrame:
    frame = chunk.with_columns(_normalized_text(name) for name in SUBMITTED_FIELDS)

    revision, revision_problem = _positive_count("revision")
    quantity, quantity_problem = _positive_count("quantity")
    decided_text = pl.col(NORMALIZED["decided_on"])
    decided_on = (
        pl.when(decided_text.str.contains(DATE_PATTERN))
        .then(decided_text.str.to_date("%Y-%m-%d", strict=False))
        .alias("decided_on_date")
    )
    frame = frame.with_columns(
        revision.cast(pl.Int64).alias("revision_number"),
        quantity.cast(pl.Int64).alias("quantity_number"),
        decided_on,
    ).with_columns(rulebook.version_index_expr(pl.col("decided_on_date")).alias("version_index"))

    # The rule for (version in effect on decided_on, item): kind, issuers.
    rules = rulebook.item_rules_frame.select(
        "version_index",
        pl.col("item").alias(NORMALIZED["item"]),
        "version",
        "subject_kind",
        pl.col("issuers").list.contains(pl.lit(source)).alias("source_is_issuer"),
    )
    frame = frame.join(rules, on=["version_index", NORMALIZED["item"]], how="left")

    # Each distinct identifier is checked once, as either kind; subjects recur in a file.
    identifiers = frame[NORMALIZED["subject_id"]].drop_nulls().unique()
    frame = frame.join(
        identifier_problems(identifiers),
        left_on=NORMALIZED["subject_id"],
        right_on="identifier",
        how="left",
    )
    person_problem = pl.col("person_problem")
    organization_problem = pl.col("organization_problem")
    identifier_problem = (
        pl.when(pl.col("subject_kind") == "person")
        .then(
            pl.when(person_problem.is_not_null() & organization_problem.is_null())
            .then(pl.lit("subject_id is an organization code, but the item concerns persons"))
            .otherwise(person_problem)
        )
        .when(pl.col("subject_kind") == "organization")
        .then(
            pl.when(organization_problem.is_not_null() & person_problem.is_null())
            .then(
                pl.lit(
                    "subject_id is a person's identity number, but the item concerns organizations"
                )
            )
            .otherwise(organization_problem)
        )
    )

    decided_ok = pl.col("decided_on_date").is_not_null()
    item_known = pl.col("subject_kind").is_not_null()
    has = {name: pl.col(NORMALIZED[name]).is_not_null() for name in SUBMITTED_FIELDS}
    problems = [
        *(pl.when(~has[name]).then(pl.lit(f"missing field {name}")) for name in REQUIRED_FIELDS),
        pl.when(pl.col(NORMALIZED["record_id"]).str.len_chars() > RECORD_ID_MAX_CHARS).then(
            pl.lit(f"record_id is longer than {RECORD_ID_MAX_CHARS} characters")
        ),
        revision_problem,
        quantity_problem,
        pl.when(~pl.col(NORMALIZED["status"]).is_in(RECORD_STATUSES)).then(
            pl.format("status must be active or revoked, not '{}'", pl.col(NORMALIZED["status"]))
        ),
        pl.when(has["decided_on"] & ~decided_ok).then(
            pl.format("decided_on is not a date (YYYY-MM-DD): '{}'", decided_text)
        ),
        pl.when(decided_ok & (pl.col("decided_on_date") > submitted_on)).then(
            pl.lit(f"decided_on lies after the day of submission ({submitted_on})")
        ),
        pl.when(decided_ok & (pl.col("version_index") < 0)).then(
            pl.format("no catalogue version is in effect on {}", decided_text)
        ),
        pl.when(decided_ok & (pl.col("version_index") >= 0) & has["item"] & ~item_known).then(
            pl.format(
                "unknown item '{}' in the catalogue in effect on {}",
                pl.col(NORMALIZED["item"]),
                decided_text,
            )
        ),
        pl.when(item_known & ~pl.col("source_is_issuer")).then(
            pl.format(f"source '{source}' is not an issuer of '{{}}'", pl.col(NORMALIZED["item"]))
        ),
        pl.when(item_known & has["subject_id"]).then(identifier_problem),
    ]
    reason = pl.concat_str(problems, separator="; ", ignore_nulls=True)
    # A row that could not be split into fields is reported as such, not field by field.
    reason = pl.coalesce(pl.col("malformed"), pl.when(reason != "").then(reason))
    return frame.with_columns(reason.alias("reason")).sort("row")
