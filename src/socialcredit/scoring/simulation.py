"""What a new catalogue version would change, before anyone publishes it (SPEC §10.6).

`simulate` scores every subject at T twice with the batch scorer: under the published rules,
and as if the candidate had replaced the version in effect on T, both for the records that
version scores (those decided from its `effective_from` until the next version's) and for the
tiers, lists, base score and measures of T. It compares the two: who changed, how tiers and
lists move, which measures start or stop, and the items whose summed value moves most. Pure:
the ledger and the rules come in, a report goes out; nothing is read, stored or logged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from socialcredit.domain.catalogue import Catalogue, Measure
from socialcredit.domain.rules import Rulebook
from socialcredit.scoring.batch import LIST_SEPARATOR, score_ledger_and_items

ITEMS_SHOWN = 10  # SPEC §10.6: the ten items whose summed value changes most


@dataclass(frozen=True, slots=True)
class ItemChange:
    """An item's summed value over every subject (caps applied), before and after."""

    item: str
    points_before: int
    points_after: int

    @property
    def change(self) -> int:
        return self.points_after - self.points_before


@dataclass(frozen=True, slots=True)
class Simulation:
    """The report of `scs catalog simulate` (SPEC §10.6); `document()` is its `--json`."""

    as_of: dt.date
    replaced_version: int  # the version in effect on `as_of`, which the candidate replaces
    candidate_version: int
    subjects: int
    subjects_changed: int  # score, tier or lists differ
    tier_changes: dict[str, int]  # "FROM>TO": subjects, only moves that happen
    lists: dict[str, dict[str, int]]  # every list of either version: {"enter", "leave"}
    measures: dict[str, dict[str, int]]  # every measure of either version: {"start", "stop"}
    items: tuple[ItemChange, ...]  # at most ten, the largest change first

    def document(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "subjects": self.subjects,
            "subjects_changed": self.subjects_changed,
            "tier_changes": dict(self.tier_changes),
            "lists": {name: dict(moves) for name, moves in self.lists.items()},
            "measures": {code: dict(moves) for code, moves in self.measures.items()},
            "items": [
                {
                    "item": change.item,
                    "points_before": change.points_before,
                    "points_after": change.points_after,
                }
                for change in self.items
            ],
        }


def replaced_rulebook(rulebook: Rulebook, candidate: Catalogue, as_of: dt.date) -> Rulebook:
    """The rules as if `candidate` had replaced the version in effect on `as_of`: it takes that
    version's place (from its `effective_from` to the next version's), whatever day the
    candidate itself names. AsOfBeforeCatalogue when no version is in effect on `as_of`."""
    current = rulebook.scoring_version(as_of)
    others = [catalogue for catalogue in rulebook.catalogues if catalogue is not current]
    version = candidate.version
    if any(catalogue.version == version for catalogue in others):
        # Rules are keyed by version: a candidate that reuses another's number gets a free one.
        version = max(catalogue.version for catalogue in rulebook.catalogues) + 1
    standing_in = candidate.model_copy(
        update={"effective_from": current.effective_from, "version": version}
    )
    return Rulebook([*others, standing_in])


def simulate(
    ledger: pl.DataFrame | pl.LazyFrame,
    rulebook: Rulebook,
    candidate: Catalogue,
    as_of: dt.date,
    overdue: pl.DataFrame | None = None,
    subjects: pl.DataFrame | None = None,
    repairs: pl.DataFrame | None = None,
) -> Simulation:
    """Every subject at `as_of` under `rulebook` and as if `candidate` had replaced the version
    in effect then (`replaced_rulebook`). The arguments are those of `score_ledger`."""
    current = rulebook.scoring_version(as_of)
    simulated = replaced_rulebook(rulebook, candidate, as_of)
    ledger = ledger.lazy()
    before, items_before = score_ledger_and_items(
        ledger, rulebook, as_of, overdue, subjects, repairs
    )
    after, items_after = score_ledger_and_items(
        ledger, simulated, as_of, overdue, subjects, repairs
    )
    compared = _compared(before, after)
    lists = {
        name: _list_moves(compared, name)
        for name in sorted(
            {*rulebook.item_list_names, *simulated.item_list_names, *current.lists}
            | set(candidate.lists)
        )
    }
    return Simulation(
        as_of=as_of,
        replaced_version=current.version,
        candidate_version=candidate.version,
        subjects=compared.height,
        subjects_changed=compared.filter(_changed()).height,
        tier_changes=_tier_changes(compared),
        # Every list either version declares; a list only older versions name, when it moves.
        lists={
            name: moves
            for name, moves in lists.items()
            if name in current.lists or name in candidate.lists or any(moves.values())
        },
        measures=_measure_moves(compared, current.measures, candidate.measures),
        items=_item_changes(items_before, items_after),
    )


def _compared(before: pl.DataFrame, after: pl.DataFrame) -> pl.DataFrame:
    """One row per subject: score, tier and lists (as lists of names) before and after. Both
    sides score the same subjects (SPEC §5.8: a file depends on records, not on rules)."""
    names = (
        pl.col("lists").str.split(LIST_SEPARATOR).list.eval(pl.element().filter(pl.element() != ""))
    )
    return before.with_columns(names).join(
        after.with_columns(names),
        on=["subject_id", "kind"],
        how="full",
        coalesce=True,
        suffix="_after",
    )


def _changed() -> pl.Expr:
    return (
        (pl.col("score") != pl.col("score_after"))
        | (pl.col("tier") != pl.col("tier_after"))
        | (pl.col("lists") != pl.col("lists_after"))
    ).fill_null(True)


def _tier_changes(compared: pl.DataFrame) -> dict[str, int]:
    moves = (
        compared.filter(pl.col("tier") != pl.col("tier_after"))
        .group_by("tier", "tier_after")
        .len()
        .sort("tier", "tier_after")
    )
    return {f"{row[0]}>{row[1]}": row[2] for row in moves.iter_rows()}


def _list_moves(compared: pl.DataFrame, name: str) -> dict[str, int]:
    on_before = pl.col("lists").list.contains(pl.lit(name))
    on_after = pl.col("lists_after").list.contains(pl.lit(name))
    enter, leave = compared.select(
        (~on_before & on_after).sum().alias("enter"), (on_before & ~on_after).sum().alias("leave")
    ).row(0)
    return {"enter": int(enter), "leave": int(leave)}


def _applies(measure: Measure | None, suffix: str) -> pl.Expr:
    """Whether a measure (None: absent from that version) applies to each subject, on the
    before (`suffix` "") or after ("_after") columns (SPEC §7.3)."""
    if measure is None:
        return pl.lit(False)
    applies_to = measure.applies_to
    if applies_to.list_name is not None:
        return pl.col("lists" + suffix).list.contains(pl.lit(applies_to.list_name))
    return pl.col("tier" + suffix).is_in(list(applies_to.tier_names()))


def _measure_moves(
    compared: pl.DataFrame, before: Iterable[Measure], after: Iterable[Measure]
) -> dict[str, dict[str, int]]:
    defined_before = {measure.code: measure for measure in before}
    defined_after = {measure.code: measure for measure in after}
    moves: dict[str, dict[str, int]] = {}
    for code in sorted({*defined_before, *defined_after}):
        was = _applies(defined_before.get(code), "")
        will = _applies(defined_after.get(code), "_after")
        start, stop = compared.select(
            (~was & will).sum().alias("start"), (was & ~will).sum().alias("stop")
        ).row(0)
        moves[code] = {"start": int(start), "stop": int(stop)}
    return moves


def _item_changes(before: pl.DataFrame, after: pl.DataFrame) -> tuple[ItemChange, ...]:
    """The items whose summed value changes, the largest change first (then by code), ten."""
    joined = (
        before.select("item", pl.col("points").alias("points_before"))
        .join(
            after.select("item", pl.col("points").alias("points_after")),
            on="item",
            how="full",
            coalesce=True,
        )
        .with_columns(pl.col("points_before", "points_after").fill_null(0))
        .filter(pl.col("points_before") != pl.col("points_after"))
        .with_columns((pl.col("points_after") - pl.col("points_before")).abs().alias("change"))
        .sort(["change", "item"], descending=[True, False])
        .head(ITEMS_SHOWN)
    )
    return tuple(
        ItemChange(row["item"], int(row["points_before"]), int(row["points_after"]))
        for row in joined.iter_rows(named=True)
    )
