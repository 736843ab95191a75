"""The batch scorer: every subject of a ledger at once, vectorized with Polars (SPEC §5, §10).

It states the same rules as `socialcredit.domain.scoring.score_subject`, over a frame instead
of a list; `tests/property/test_batch_equals_incremental.py` holds the two equal on random
ledgers. The shape is chosen for speed: one group-by of all records by the subject's integer
key (SPEC §7.5: the ledger names nobody) gives each subject its uncapped points and its item
lists; only records of capped items are grouped per (item, year, version) first, and only
buckets beyond their cap correct the sum; list names are joined from boolean columns, never
from per-row lists; identifiers are joined back only to the one row per subject of the output.

The rules of §10 touch only the rows they concern, in the order §10.4 fixes: which records
count (§5.2, objections, repairs), then values (repeats: an as-of join per subject and item,
over the records of items that declare a repeat), then one act once (a sort of the counting
records that name an act), then caps. A ledger without acts, or a catalogue without repeats,
pays nothing for them.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from socialcredit.domain.catalogue import Catalogue, national_list_name
from socialcredit.domain.identifiers import SUBJECT_KINDS
from socialcredit.domain.jurisdictions import Jurisdictions
from socialcredit.domain.rules import Rulebook

SCORE_COLUMNS = ("subject_id", "kind", "score", "tier", "lists")
LIST_SEPARATOR = ";"
SUBJECT = "subject"  # the subject's key: one integer stands for (kind, identifier)
NATIONAL_LISTS = "national_lists"  # SPEC §11: the national lists a subject is on (bare names)


def with_subject_keys(ledger: pl.DataFrame | pl.LazyFrame) -> tuple[pl.LazyFrame, pl.DataFrame]:
    """A ledger that names its subjects (subject_kind, subject_id), as tests and benchmarks
    build them, keyed the way the store keys its own: the keyed ledger, and the subjects
    (subject, kind, subject_id) to name the output with."""
    ledger = ledger.lazy().with_columns(pl.col("subject_kind").cast(pl.String))
    subjects = (
        ledger.select(pl.col("subject_kind").alias("kind"), "subject_id")
        .unique()
        .collect()
        .with_row_index(SUBJECT)
        .select(pl.col(SUBJECT).cast(pl.Int64), "kind", "subject_id")
    )
    keyed = ledger.join(
        subjects.lazy(), left_on=["subject_kind", "subject_id"], right_on=["kind", "subject_id"]
    ).drop("subject_kind", "subject_id")
    return keyed, subjects.with_columns(pl.col("kind").cast(pl.Enum(SUBJECT_KINDS)))


def _keyed(
    ledger: pl.DataFrame | pl.LazyFrame, subjects: pl.DataFrame | None
) -> tuple[pl.LazyFrame, pl.DataFrame]:
    if subjects is None:
        return with_subject_keys(ledger)
    return ledger.lazy(), subjects


INT64_MAX = 2**63 - 1


def _list_column(position: int) -> str:
    """The column that holds membership of the list at `position` (list names are data)."""
    return f"__on_list_{position}"


ACT_COLUMNS = ("act", "act_source", "act_record_id")


def with_act_columns(ledger: pl.LazyFrame) -> pl.LazyFrame:
    """The ledger with the act's columns (`store.ledger_cache.LEDGER_COLUMNS`); a ledger
    without them (a test's, a benchmark's) names no act."""
    present = ledger.collect_schema()
    return ledger.with_columns(
        pl.lit(None, pl.String).alias(name) for name in ACT_COLUMNS if name not in present
    )


def held_back_ids(overdue: pl.DataFrame | None, as_of: dt.date) -> pl.Series | None:
    """Row ids (`id`) of the records that an objection overdue at `as_of` keeps from counting
    (SPEC §5.2). `overdue` has one row per objection: the `id` of its record's current revision,
    `overdue_from` and `overdue_until` (exclusive; null while unanswered)."""
    if overdue is None or overdue.height == 0:
        return None
    held = overdue.filter(
        (pl.col("overdue_from") <= as_of)
        & (pl.col("overdue_until").is_null() | (pl.lit(as_of) < pl.col("overdue_until")))
    )["id"]
    return held.unique() if held.len() else None


def repaired_ids(repairs: pl.DataFrame | None, as_of: dt.date) -> pl.Series | None:
    """Row ids (`id`) of the records that repair keeps from counting at `as_of` (SPEC §10.2:
    granted on G, the record does not count at any T ≥ G). `repairs` has one row per granted
    repair: the `id` of its record's current revision and `granted_on`."""
    if repairs is None or repairs.height == 0:
        return None
    repaired = repairs.filter(pl.col("granted_on") <= as_of)["id"]
    return repaired.unique() if repaired.len() else None


def sum_type(ledger: pl.LazyFrame, rulebook: Rulebook) -> type[pl.DataType]:
    """Int64 when no sum over this ledger can leave it, else Int128 (SPEC §5.4: integers
    throughout). A record's value is at most largest |points| × largest quantity × largest
    repeat factor; a subject's sum, base score included, is at most rows × that + largest
    |base_score|. Real ledgers stay on the faster Int64."""
    rows, quantity = ledger.select(pl.len(), pl.col("quantity").max()).collect().row(0)
    points = rulebook.item_rules_frame["points"].abs().max() or 0
    base = max((abs(catalogue.base) for catalogue in rulebook.catalogues), default=0)
    bound = rows * points * (quantity or 0) * rulebook.max_repeat_factor + base
    return pl.Int64 if bound <= INT64_MAX else pl.Int128


def names_acts(ledger: pl.LazyFrame) -> bool:
    """Whether any record of the ledger names an act (SPEC §10.3)."""
    return bool(ledger.select(pl.col("act").is_not_null().any()).collect().item())


def judged_records(
    ledger: pl.LazyFrame,
    rulebook: Rulebook,
    as_of: dt.date,
    overdue: pl.DataFrame | None = None,
    repairs: pl.DataFrame | None = None,
) -> pl.LazyFrame:
    """Every record decided by `as_of`, with its rule, whether it counts (SPEC §5.2, §10.2) and
    the value it scores (§10.4, §10.3: 0 when it does not count, or when another record of the
    same act scores), in a type no sum of them overflows. With `overdue` (see `held_back_ids`)
    or `repairs` (see `repaired_ids`) the ledger needs its row ids in `id`."""
    ledger = with_act_columns(ledger)
    rules = rulebook.item_rules_frame.lazy().select(
        "version_index",
        pl.col("item").cast(ledger.collect_schema()["item"]),
        "points",
        "counts_for_days",
        "cap_per_year",
        "repeat_within_days",
        "repeat_factor",
        *(
            pl.col("lists").list.contains(pl.lit(name)).alias(_list_column(position))
            for position, name in enumerate(rulebook.item_list_names)
        ),
    )
    as_of_days = pl.lit(as_of).cast(pl.Int32)
    counts = (
        (pl.col("status") == "active")
        & pl.col("points").is_not_null()
        & (as_of_days - pl.col("decided_on").cast(pl.Int32) < pl.col("counts_for_days"))
    )
    for kept_back in (held_back_ids(overdue, as_of), repaired_ids(repairs, as_of)):
        if kept_back is not None:
            counts = counts & ~pl.col("id").is_in(kept_back.implode())
    value_type = sum_type(ledger, rulebook)
    judged = (
        ledger.filter(pl.col("decided_on") <= as_of)
        .with_columns(rulebook.version_index_expr(pl.col("decided_on")).alias("version_index"))
        .join(rules, on=["version_index", "item"], how="left")
        .with_columns(counts.alias("counts"))
        .with_columns(
            pl.when("counts")
            .then(pl.col("points").cast(value_type) * pl.col("quantity"))
            .otherwise(0)
            .cast(value_type)
            .alias("value")
        )
    )
    return _with_repeats_and_acts(judged, rulebook, names_acts(ledger))


def _with_repeats_and_acts(judged: pl.LazyFrame, rulebook: Rulebook, acts: bool) -> pl.LazyFrame:
    """SPEC §10.4, then §10.3, on the only records they concern: the active records of items
    that declare a repeat, and the counting records that name an act. Those are judged once and
    kept (each rule reads them more than once); the others pass through untouched."""
    concerned = pl.lit(False)
    if rulebook.repeat_item_codes:
        concerned = concerned | (
            (pl.col("status") == "active") & pl.col("item").is_in(list(rulebook.repeat_item_codes))
        )
    if acts:
        concerned = concerned | (pl.col("counts") & pl.col("act").is_not_null())
    if not (rulebook.repeat_item_codes or acts):
        return judged
    rows = judged.filter(concerned).collect().lazy()
    if rulebook.repeat_item_codes:
        rows = _with_repeats(rows, rulebook)
    if acts:
        rows = _counted_once(rows)
    return pl.concat([judged.filter(~concerned), rows])


def _with_repeats(judged: pl.LazyFrame, rulebook: Rulebook) -> pl.LazyFrame:
    """SPEC §10.4: a counting record of an item that declares a repeat (in the version that
    scores it) is worth F times its points × quantity when the same subject has another record
    of the same item code, its current revision active, decided in the D days before it
    (D, F from the repeat); the earlier record need not count.

    Only the active records of repeating items take part (every record that may be repeated is
    one of them). Sorted by subject, item and day, each row's latest earlier day is the day of
    the nearest row above it in the same series with a day before its own: the row above's
    day where that differs, else (the same day: no repeat) what the row above found."""
    taking_part = (pl.col("status") == "active") & pl.col("item").is_in(
        list(rulebook.repeat_item_codes)
    )
    day = pl.col("decided_on")
    same_series = (pl.col(SUBJECT) == pl.col(SUBJECT).shift()) & (
        pl.col("item") == pl.col("item").shift()
    )
    # A series' first row has no earlier day: a sentinel (date.min), which also keeps the fill
    # from crossing into the next series. A row of the same day as the row above is left null
    # and filled with what that row found.
    earlier = (
        pl.when(~same_series.fill_null(False))
        .then(pl.lit(dt.date.min))
        .when(day != day.shift())
        .then(day.shift())
        .otherwise(pl.lit(None, pl.Date))
        .forward_fill()
    )
    repeated = (
        judged.filter(taking_part)
        # By the category's number, not its text: only the grouping matters here.
        .sort(SUBJECT, pl.col("item").to_physical(), "decided_on")
        .with_columns(earlier.alias("earlier_on"))
        .with_columns(
            pl.when(
                pl.col("counts")
                & (pl.col("earlier_on") > dt.date.min)
                & (
                    day.cast(pl.Int32) - pl.col("earlier_on").cast(pl.Int32)
                    <= pl.col("repeat_within_days")
                )
            )
            .then(pl.col("value") * pl.col("repeat_factor"))
            .otherwise(pl.col("value"))
            .alias("value")
        )
        .drop("earlier_on")
    )
    return pl.concat([judged.filter(~taking_part), repeated])


def _counted_once(judged: pl.LazyFrame) -> pl.LazyFrame:
    """SPEC §10.3: of a subject's counting records that name the same act, one scores: the
    lowest value when any is negative, else the highest; ties to the earliest decision, then
    the lowest source code, then the lowest record id. The others score 0 and still count (for
    lists). Only the counting records that name an act take part."""
    acting = pl.col("counts") & pl.col("act").is_not_null()
    any_negative = (pl.col("value") < 0).any().over(SUBJECT, "act")
    best_first = pl.when(any_negative).then(pl.col("value")).otherwise(-pl.col("value"))
    scored_once = (
        judged.filter(acting)
        .with_columns(best_first.alias("__best_first"))
        .sort(
            SUBJECT,
            pl.col("act").to_physical(),  # grouping only; the tie-break below is by text
            "__best_first",
            "decided_on",
            pl.col("act_source").cast(pl.String),
            pl.col("act_record_id").cast(pl.String),
        )
        .with_columns(
            pl.when(pl.int_range(pl.len()).over(SUBJECT, "act") == 0)
            .then(pl.col("value"))
            .otherwise(0)
            .cast(judged.collect_schema()["value"])
            .alias("value")
        )
        .drop("__best_first")
    )
    return pl.concat([judged.filter(~acting), scored_once])


def _per_subject(judged: pl.LazyFrame, rulebook: Rulebook) -> pl.LazyFrame:
    """SPEC §5.3–4, §5.6 (item lists) and §5.8 (who has a file): one row per subject with a
    record decided by T, its summed contributions and one boolean per item-named list."""
    summed = judged.group_by(SUBJECT).agg(
        pl.col("value").sum().alias("points"),
        *(
            (pl.col("counts") & pl.col(_list_column(position))).any().alias(_list_column(position))
            for position in range(len(rulebook.item_list_names))
        ),
    )
    # Capped items: one contribution per (item, calendar year, version), clipped to the cap.
    # The sum above took every record at face value; only buckets beyond their cap need a
    # correction, and those are few. (An item has one kind, so the item settles the kind.)
    corrections = (
        judged.filter(pl.col("counts") & pl.col("cap_per_year").is_not_null())
        .group_by(SUBJECT, "item", "version_index", pl.col("decided_on").dt.year().alias("year"))
        .agg(pl.col("value").sum(), pl.col("cap_per_year").first())
        .filter(pl.col("value").abs() > pl.col("cap_per_year"))
        .group_by(SUBJECT)
        .agg(
            (
                pl.col("value").clip(-pl.col("cap_per_year"), pl.col("cap_per_year"))
                - pl.col("value")
            )
            .sum()
            .alias("correction")
        )
    )
    return summed.join(corrections, on=SUBJECT, how="left").with_columns(
        (pl.col("points") + pl.col("correction").fill_null(0)).alias("points")
    )


def _tier_expr(catalogue: Catalogue, score: pl.Expr) -> pl.Expr:
    *ranked, last = catalogue.tiers
    expression = pl.lit(last.name)
    for tier in reversed(ranked):
        expression = pl.when(score >= tier.min).then(pl.lit(tier.name)).otherwise(expression)
    return expression


def _floored_expr(catalogue: Catalogue, score: pl.Expr, national: bool) -> pl.Expr:
    """SPEC §11: while the subject is on a national list with a floor here, its score is at most
    the floor."""
    if not national or not catalogue.national_floors:
        return score
    floors = [
        pl.when(pl.col(NATIONAL_LISTS).list.contains(pl.lit(name))).then(pl.lit(floor))
        for name, floor in catalogue.national_floors.items()
    ]
    lowest = pl.min_horizontal(floors)
    return pl.when(lowest.is_null()).then(score).otherwise(pl.min_horizontal(score, lowest))


def _lists_expr(
    catalogue: Catalogue,
    rulebook: Rulebook,
    score: pl.Expr,
    national_names: tuple[str, ...] = (),
) -> pl.Expr:
    """SPEC §5.6: names of the lists a subject is on, sorted, joined by ";" ("" when none);
    §11: the national lists as `national.LIST`."""
    membership: dict[str, list[pl.Expr]] = {}
    for name in national_names:
        membership[national_list_name(name)] = [
            pl.col(NATIONAL_LISTS).list.contains(pl.lit(name)).fill_null(False)
        ]
    for name, definition in catalogue.lists.items():
        if definition.score_below is not None:
            membership.setdefault(name, []).append(score < definition.score_below)
        if definition.score_at_least is not None:
            membership.setdefault(name, []).append(score >= definition.score_at_least)
    for position, name in enumerate(rulebook.item_list_names):
        membership.setdefault(name, []).append(pl.col(_list_column(position)))
    if not membership:
        return pl.lit("")
    return pl.concat_str(
        [
            pl.when(pl.any_horizontal(conditions)).then(pl.lit(name))
            for name, conditions in sorted(membership.items())
        ],
        separator=LIST_SEPARATOR,
        ignore_nulls=True,
    )


def score_ledger(
    ledger: pl.DataFrame | pl.LazyFrame,
    rulebook: Rulebook,
    as_of: dt.date,
    overdue: pl.DataFrame | None = None,
    subjects: pl.DataFrame | None = None,
    repairs: pl.DataFrame | None = None,
    national: pl.DataFrame | None = None,
    national_names: tuple[str, ...] = (),
) -> pl.DataFrame:
    """One row per subject with a file at `as_of` (SPEC §5.8), in the shape of `scs score`.

    `ledger` names subjects by key (column `subject`) and `subjects` maps the keys to kind and
    identifier, as the store hands them over; without `subjects`, the ledger names its
    subjects (subject_kind, subject_id) and is keyed here. `overdue` and `repairs`: see
    `held_back_ids` and `repaired_ids`. `national` (SPEC §11, see `national_lists_frame`):
    the national lists each subject key is on, of `national_names`; they lower the score to
    the version's floors and are listed as `national.LIST`."""
    catalogue = rulebook.scoring_version(as_of)
    ledger, subjects = _keyed(ledger, subjects)
    judged = judged_records(ledger, rulebook, as_of, overdue, repairs)
    per_subject = _per_subject(judged, rulebook).collect()
    if national is not None:
        per_subject = per_subject.join(national, on=SUBJECT, how="left")
    score = pl.col("score")
    raw = catalogue.base + pl.col("points")
    return (
        per_subject.lazy()
        .join(subjects.lazy(), on=SUBJECT, how="left")
        .with_columns(_floored_expr(catalogue, raw, national is not None).alias("score"))
        .select(
            "subject_id",
            pl.col("kind").cast(pl.String),
            score,
            _tier_expr(catalogue, score).alias("tier"),
            _lists_expr(
                catalogue, rulebook, score, national_names if national is not None else ()
            ).alias("lists"),
        )
        .sort("subject_id", "kind")
        .collect()
    )


def of_sources(ledger: pl.LazyFrame, sources: frozenset[str]) -> pl.LazyFrame:
    """The records of these sources (SPEC §11: a jurisdiction's)."""
    return ledger.filter(pl.col("source").cast(pl.String).is_in(sorted(sources)))


def national_lists_frame(
    ledger: pl.DataFrame | pl.LazyFrame,
    national: Rulebook,
    as_of: dt.date,
    overdue: pl.DataFrame | None = None,
    repairs: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """SPEC §11: per subject key, the national lists (bare names) it is on at `as_of`: those a
    counting record of a national source names (objections and repairs apply). `ledger` names
    subjects by key and carries `source`; only subjects on some list have a row."""
    names = national.item_list_names
    if not names:
        return pl.DataFrame(schema={SUBJECT: pl.Int64, NATIONAL_LISTS: pl.List(pl.String)})
    judged = judged_records(
        of_sources(ledger.lazy(), national.source_codes), national, as_of, overdue, repairs
    ).filter("counts")
    on_lists = judged.group_by(SUBJECT).agg(
        pl.col(_list_column(position)).any() for position in range(len(names))
    )
    return (
        on_lists.select(
            SUBJECT,
            pl.concat_list(
                pl.when(pl.col(_list_column(position))).then(pl.lit(name))
                for position, name in enumerate(names)
            )
            .list.drop_nulls()
            .alias(NATIONAL_LISTS),
        )
        .filter(pl.col(NATIONAL_LISTS).list.len() > 0)
        .collect()
    )


def score_jurisdiction(
    ledger: pl.DataFrame | pl.LazyFrame,
    jurisdictions: Jurisdictions,
    jurisdiction: str | None,
    as_of: dt.date,
    overdue: pl.DataFrame | None = None,
    subjects: pl.DataFrame | None = None,
    repairs: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """SPEC §11: the files of a local jurisdiction (None: the store's only one) at `as_of`: the
    subjects with a record of its sources decided by then, scored by its versions, with the
    national lists and floors. A store of one jurisdiction scores as `score_ledger` does (its
    ledger need not carry `source`)."""
    rulebook = jurisdictions.local(jurisdiction)
    if len(jurisdictions.rulebooks) <= 1:
        return score_ledger(ledger, rulebook, as_of, overdue, subjects, repairs)
    rulebook.scoring_version(as_of)
    keyed, subjects = _keyed(ledger, subjects)
    national_book = jurisdictions.national
    national = national_lists_frame(keyed, national_book, as_of, overdue, repairs)
    return score_ledger(
        of_sources(keyed, rulebook.source_codes),
        rulebook,
        as_of,
        overdue,
        subjects,
        repairs,
        national=national,
        national_names=national_book.item_list_names,
    )


def contributions_by_item(
    ledger: pl.DataFrame | pl.LazyFrame,
    rulebook: Rulebook,
    as_of: dt.date,
    overdue: pl.DataFrame | None = None,
    repairs: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """How many points each item moves across the population at `as_of`, caps applied, and
    how many subjects it touches: what an analyst asks first of a catalogue. `ledger` names
    subjects by key, or by (subject_kind, subject_id)."""
    if SUBJECT not in ledger.lazy().collect_schema():
        ledger, _ = with_subject_keys(ledger)
    judged = judged_records(ledger.lazy(), rulebook, as_of, overdue, repairs).filter("counts")
    return (
        judged.group_by(
            SUBJECT, "item", "version_index", pl.col("decided_on").dt.year().alias("year")
        )
        .agg(pl.col("value").sum(), pl.col("cap_per_year").first())
        .with_columns(
            pl.when(pl.col("cap_per_year").is_null())
            .then(pl.col("value"))
            .otherwise(pl.col("value").clip(-pl.col("cap_per_year"), pl.col("cap_per_year")))
            .alias("value")
        )
        .group_by("item")
        .agg(
            pl.col("value").sum().alias("points"),
            pl.col(SUBJECT).n_unique().alias("subjects"),
        )
        .with_columns(pl.col("item").cast(pl.String))
        .sort("points")
        .collect()
    )
