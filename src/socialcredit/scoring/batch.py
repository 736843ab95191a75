"""The batch scorer: every subject of a ledger at once, vectorized with Polars (SPEC §5).

It states the same rules as `socialcredit.domain.scoring.score_subject`, over a frame instead
of a list; `tests/property/test_batch_equals_incremental.py` holds the two equal on random
ledgers. Only items with a yearly cap need the per-(item, year, version) grouping, so uncapped
points go straight to the per-subject sum.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from socialcredit.domain.catalogue import Catalogue
from socialcredit.domain.rules import Rulebook

SCORE_COLUMNS = ("subject_id", "kind", "score", "tier", "lists")
LIST_SEPARATOR = ";"
SUBJECT = ["subject_kind", "subject_id"]


def _days(value: pl.Expr) -> pl.Expr:
    return value.cast(pl.Int32)


def counting_records(ledger: pl.LazyFrame, rulebook: Rulebook, as_of: dt.date) -> pl.LazyFrame:
    """Records that count at `as_of` (SPEC §5.2), each with its rule and points × quantity."""
    rules = rulebook.item_rules_frame.lazy().select(
        "version_index", "item", "points", "counts_for_days", "cap_per_year", "lists"
    )
    as_of_days = _days(pl.lit(as_of))
    return (
        ledger.filter(pl.col("status") == "active")
        .with_columns(rulebook.version_index_expr(pl.col("decided_on")).alias("version_index"))
        .join(rules, on=["version_index", "item"], how="inner")
        .filter(
            (pl.col("decided_on") <= as_of)
            & (as_of_days - _days(pl.col("decided_on")) < pl.col("counts_for_days"))
        )
        .with_columns((pl.col("points") * pl.col("quantity")).alias("value"))
    )


def _points_per_subject(counting: pl.LazyFrame) -> pl.LazyFrame:
    """SPEC §5.3–4: contributions per (item, year, version), capped, summed per subject."""
    capped = (
        counting.filter(pl.col("cap_per_year").is_not_null())
        .group_by(
            *SUBJECT, "item", "version_index", pl.col("decided_on").dt.year().alias("year")
        )
        .agg(pl.col("value").sum(), pl.col("cap_per_year").first())
        .select(*SUBJECT, pl.col("value").clip(-pl.col("cap_per_year"), pl.col("cap_per_year")))
    )
    uncapped = counting.filter(pl.col("cap_per_year").is_null()).select(*SUBJECT, "value")
    return (
        pl.concat([uncapped, capped])
        .group_by(SUBJECT)
        .agg(pl.col("value").sum().alias("points"))
    )


def _item_lists_per_subject(counting: pl.LazyFrame) -> pl.LazyFrame:
    """SPEC §5.6, second half: the lists a counting record's item names."""
    return (
        counting.filter(pl.col("lists").list.len() > 0)
        .select(*SUBJECT, pl.col("lists").alias("list"))
        .explode("list")
        .group_by(SUBJECT)
        .agg(pl.col("list").unique().alias("item_lists"))
    )


def _tier_expr(catalogue: Catalogue, score: pl.Expr) -> pl.Expr:
    *ranked, last = catalogue.tiers
    expression = pl.lit(last.name)
    for tier in reversed(ranked):
        expression = pl.when(score >= tier.min).then(pl.lit(tier.name)).otherwise(expression)
    return expression


def _threshold_lists_expr(catalogue: Catalogue, score: pl.Expr) -> pl.Expr:
    memberships = []
    for name, definition in catalogue.lists.items():
        if definition.score_below is not None:
            memberships.append(pl.when(score < definition.score_below).then(pl.lit(name)))
        if definition.score_at_least is not None:
            memberships.append(pl.when(score >= definition.score_at_least).then(pl.lit(name)))
    if not memberships:
        return pl.lit([], dtype=pl.List(pl.String))
    return pl.concat_list(memberships).list.drop_nulls()


def score_ledger(ledger: pl.DataFrame | pl.LazyFrame, rulebook: Rulebook, as_of: dt.date) -> pl.DataFrame:
    """One row per subject with a file at `as_of` (SPEC §5.8), in the shape of `scs score`."""
    catalogue = rulebook.scoring_version(as_of)
    ledger = ledger.lazy().filter(pl.col("decided_on") <= as_of)
    counting = counting_records(ledger, rulebook, as_of)
    subjects = ledger.select(SUBJECT).unique()
    score = pl.col("score")
    lists = pl.concat_list(
        _threshold_lists_expr(catalogue, score),
        pl.col("item_lists").fill_null(pl.lit([], dtype=pl.List(pl.String))),
    ).list.unique().list.sort().list.join(LIST_SEPARATOR)
    return (
        subjects.join(_points_per_subject(counting), on=SUBJECT, how="left")
        .join(_item_lists_per_subject(counting), on=SUBJECT, how="left")
        .with_columns((catalogue.base_score + pl.col("points").fill_null(0)).alias("score"))
        .select(
            "subject_id",
            pl.col("subject_kind").alias("kind"),
            score.cast(pl.Int64),
            _tier_expr(catalogue, score).alias("tier"),
            lists.alias("lists"),
        )
        .sort("subject_id", "kind")
        .collect()
    )
