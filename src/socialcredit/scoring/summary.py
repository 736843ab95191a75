"""What a scored population looks like: tiers, lists, and the items that moved the scores."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from socialcredit.domain.catalogue import Catalogue
from socialcredit.scoring.batch import LIST_SEPARATOR


@dataclass(frozen=True)
class PopulationSummary:
    subjects: int
    tiers: pl.DataFrame  # kind, tier, subjects, share — tiers in catalogue order
    lists: pl.DataFrame  # list, subjects
    scores: pl.DataFrame  # kind, median, lowest, highest


def summarize_scores(scores: pl.DataFrame, catalogue: Catalogue) -> PopulationSummary:
    """`scores` in the shape of `scs score`; `catalogue` the version in effect on its date."""
    order = {tier.name: position for position, tier in enumerate(catalogue.tiers)}
    tiers = (
        scores.group_by("kind", "tier")
        .agg(pl.len().alias("subjects"))
        .with_columns(
            (pl.col("subjects") / pl.col("subjects").sum().over("kind")).alias("share"),
            pl.col("tier").replace_strict(order, return_dtype=pl.Int32).alias("rank"),
        )
        .sort("kind", "rank", descending=[True, False])
        .drop("rank")
    )
    lists = (
        scores.filter(pl.col("lists") != "")
        .select(pl.col("lists").str.split(LIST_SEPARATOR).alias("list"))
        .explode("list")
        .group_by("list")
        .agg(pl.len().alias("subjects"))
        .sort("subjects", descending=True)
    )
    spread = (
        scores.group_by("kind")
        .agg(
            pl.col("score").median().alias("median"),
            pl.col("score").min().alias("lowest"),
            pl.col("score").max().alias("highest"),
        )
        .sort("kind", descending=True)
    )
    return PopulationSummary(scores.height, tiers, lists, spread)
