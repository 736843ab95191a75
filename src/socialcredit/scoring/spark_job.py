"""Score a snapshot (`scs export`) on Apache Spark, by SPEC §5 and §7.1: the batch scorer of
`scoring/batch.py` stated again in the Spark DataFrame API, for a ledger no one machine holds.

On a cluster:

    spark-submit src/socialcredit/scoring/spark_job.py SNAPSHOT_DIR --as-of DATE --out OUT

writes one row per subject with a file at DATE (`subject`, `kind`, `score`, `tier`, `lists`) as
Parquet under OUT, by subject key: the snapshot names nobody, and neither do the scores; `scs`
joins the keys back to identifiers. On one machine, `scs score --engine spark` exports, runs
`score_locally` and joins back.

This file is the snapshot's reader and so the statement of its layout (`scoring/snapshot.py`,
the writer, takes the names from here). It needs only the standard library and PySpark, which
is imported when a job runs, so that `spark-submit` can ship this one file to a cluster and
the package imports it without PySpark installed.

The semantics, step for step as in `scoring/batch.py`:
- a record is scored by the catalogue version in effect on its decision date (a CASE over the
  few versions' effective dates), its rule joined from the compiled rules (broadcast: small);
- it counts at T when active, T < decided_on + counts_for_days, it has a rule, no objection to
  it is overdue at T (its row id among the overdue intervals that cover T), and it was not
  granted repair on or before T (§10.2);
- its value is points × quantity, × F when its item declares a repeat and the same subject has
  another active record of the item in the D days before (§10.4: the latest such day by a
  window over each subject's records of the repeating items, strictly before the row's day);
- of a subject's counting records with the same act only one scores (§10.3: a row number over
  each (subject, act) in the order of the rule; the snapshot's `act_order` is the tie-break of
  source and record id);
- one group-by per subject sums the values and the item-named lists; capped items are grouped
  per (subject, item, calendar year, version) and only buckets beyond their cap correct the sum;
- base score, tier, threshold lists and list names from the version in effect on T; every
  subject with a record decided by T has a file (revoked and expired included).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import Column, DataFrame, SparkSession

# -- the snapshot's layout (schema version 2: acts, repeats, repairs) ---------------------------
SNAPSHOT_SCHEMA_VERSION = 2
MANIFEST_FILE = "manifest.json"  # counts, checksums, and the catalogue versions (see snapshot.py)
# part-NNNNN.parquet: id, subject, item, decided_on, quantity, status, act_key, act_order
LEDGER_DIRECTORY = "ledger"
SUBJECTS_DIRECTORY = "subjects"  # part-NNNNN.parquet: subject, kind (partitioned as the ledger)
OVERDUE_FILE = "objections/overdue.parquet"  # id, overdue_from, overdue_until (exclusive, null)
REPAIRS_FILE = "repairs/granted.parquet"  # id, granted_on
# version_index, version, item, points, counts_for_days, cap_per_year, lists,
# repeat_within_days, repeat_factor
RULES_FILE = "catalogue/rules.parquet"
PUBLISHED_DIRECTORY = "catalogue/published"  # vNNNN.yaml: each version's text as published
PART_NAME = "part-{:05d}.parquet"

LIST_SEPARATOR = ";"
SCORE_COLUMNS = ("subject", "kind", "score", "tier", "lists")
INT64_MAX = 2**63 - 1
# SPEC §5.4: integers throughout. A sum that could leave 64 bits is taken as DECIMAL(38, 0).
WIDE_SUM_TYPE = "decimal(38,0)"
LOCAL_MASTER = "local[2]"
EPOCH = dt.date(1970, 1, 1)


class AsOfBeforeCatalogue(ValueError):
    """SPEC §5.9: scoring before the first version's effective date is an error."""


class SparkUnavailable(RuntimeError):
    """Local mode needs PySpark and a Java runtime."""


class UnknownSnapshot(ValueError):
    """The directory is not a snapshot of a schema version this job reads."""


def _path(snapshot: str, name: str) -> str:
    return snapshot.rstrip("/") + "/" + name


def read_manifest(spark: SparkSession, snapshot: str) -> dict:
    """The manifest, read through Spark so that any file system Spark reads will do."""
    text = "\n".join(
        row.value
        for row in spark.read.text(_path(snapshot, MANIFEST_FILE), wholetext=True).collect()
    )
    manifest = json.loads(text)
    if manifest.get("schema_version") != SNAPSHOT_SCHEMA_VERSION:
        raise UnknownSnapshot(
            f"{snapshot}: snapshot schema version {manifest.get('schema_version')!r}; "
            f"this job reads version {SNAPSHOT_SCHEMA_VERSION}"
        )
    return manifest


def _list_column(position: int) -> str:
    return f"__on_list_{position}"


def score_snapshot(spark: SparkSession, snapshot: str, as_of: dt.date) -> DataFrame:
    """One row per subject with a file at `as_of` (SPEC §5.8): subject key, kind, score, tier
    and lists (names sorted, joined by ";"). Lazy: nothing runs until it is written.

    SPEC §11: a snapshot of one jurisdiction of a store of several carries the national
    snapshot in `manifest["national"]` (a directory of the same layout): the national lists a
    subject is on at `as_of` are shown as `national.LIST` and floor its score."""
    from pyspark.sql import functions as F

    manifest = read_manifest(spark, snapshot)
    versions = _dated_versions(manifest)
    in_effect = [version for version in versions if version["effective_from"] <= as_of]
    if not in_effect:
        first = versions[0]["effective_from"] if versions else None
        raise AsOfBeforeCatalogue(
            f"no catalogue version is in effect on {as_of}"
            + (f"; the first takes effect on {first}" if first else "; none is published")
        )
    scoring = in_effect[-1]
    item_list_names = manifest["catalogue"]["item_lists"]
    per_subject = _per_subject(spark, snapshot, manifest, versions, as_of)
    national_names: list[str] = []
    if manifest.get("national"):
        national_path = _path(snapshot, manifest["national"])
        national_manifest = read_manifest(spark, national_path)
        national_names = national_manifest["catalogue"]["item_lists"]
        national = _per_subject(
            spark, national_path, national_manifest, _dated_versions(national_manifest), as_of
        ).select(
            "subject",
            *(
                F.col(_list_column(position)).alias(_national_column(position))
                for position in range(len(national_names))
            ),
        )
        per_subject = per_subject.join(national, on="subject", how="left")
    subjects = spark.read.parquet(_path(snapshot, SUBJECTS_DIRECTORY))
    score = F.col("score")
    raw = F.lit(scoring["base_score"]) + F.col("points")
    return (
        per_subject.join(subjects, on="subject", how="left")
        .withColumn("score", _floored(raw, scoring.get("national_floors") or {}, national_names))
        .select(
            "subject",
            "kind",
            score,
            _tier_column(scoring["tiers"], score).alias("tier"),
            _lists_column(scoring["lists"], item_list_names, score, national_names).alias("lists"),
        )
    )


NATIONAL_PREFIX = "national."


def _national_column(position: int) -> str:
    return f"__national_{position}"


def _floored(raw: Column, floors: dict, national_names: list[str]) -> Column:
    """SPEC §11: while the subject is on a national list with a floor, the score is at most it."""
    from pyspark.sql import functions as F

    applying = [
        F.when(F.coalesce(F.col(_national_column(position)), F.lit(False)), F.lit(floors[name]))
        for position, name in enumerate(national_names)
        if name in floors
    ]
    if not applying:
        return raw
    lowest = applying[0] if len(applying) == 1 else F.least(*applying)
    return F.when(lowest.isNull(), raw).otherwise(F.least(raw, lowest))


def _dated_versions(manifest: dict) -> list[dict]:
    versions = sorted(
        manifest["catalogue"]["versions"], key=lambda version: version["effective_from"]
    )
    for version in versions:
        version["effective_from"] = dt.date.fromisoformat(version["effective_from"])
    return versions


def _per_subject(
    spark: SparkSession, snapshot: str, manifest: dict, versions: list[dict], as_of: dt.date
) -> DataFrame:
    """SPEC §5.2–5.4, §5.6 (item lists), §10: per subject key with a record decided by T, its
    summed contributions (`points`) and one boolean per item-named list."""
    from pyspark.sql import functions as F

    item_list_names = manifest["catalogue"]["item_lists"]
    rules = spark.read.parquet(_path(snapshot, RULES_FILE)).select(
        "version_index",
        "item",
        "points",
        "counts_for_days",
        "cap_per_year",
        "repeat_within_days",
        "repeat_factor",
        *(
            F.array_contains("lists", name).alias(_list_column(position))
            for position, name in enumerate(item_list_names)
        ),
    )

    decided_on = F.col("decided_on")
    version_index = F.lit(-1)
    for version in versions:  # ascending: the last date not after decided_on wins
        version_index = F.when(
            decided_on >= F.lit(version["effective_from"]), F.lit(version["version_index"])
        ).otherwise(version_index)

    as_of_literal = F.lit(as_of)
    held_back = (
        spark.read.parquet(_path(snapshot, OVERDUE_FILE))
        .filter(
            (F.col("overdue_from") <= as_of_literal)
            & (F.col("overdue_until").isNull() | (as_of_literal < F.col("overdue_until")))
        )
        .select("id")
        .distinct()
        .withColumn("__held_back", F.lit(True))
    )
    repaired = (
        spark.read.parquet(_path(snapshot, REPAIRS_FILE))
        .filter(F.col("granted_on") <= as_of_literal)
        .select("id")
        .distinct()
        .withColumn("__repaired", F.lit(True))
    )
    counts = (
        (F.col("status") == "active")
        & F.col("points").isNotNull()
        & (F.datediff(as_of_literal, decided_on) < F.col("counts_for_days"))
        & F.col("__held_back").isNull()
        & F.col("__repaired").isNull()
    )
    value_type = "bigint" if _sum_fits_64_bits(manifest, versions) else WIDE_SUM_TYPE
    value = F.when(
        F.coalesce(counts, F.lit(False)), F.col("points").cast(value_type) * F.col("quantity")
    ).otherwise(F.lit(0).cast(value_type))
    judged = (
        spark.read.parquet(_path(snapshot, LEDGER_DIRECTORY))
        .filter(decided_on <= as_of_literal)
        .withColumn("version_index", version_index.cast("int"))
        .join(F.broadcast(rules), on=["version_index", "item"], how="left")
        .join(held_back, on="id", how="left")
        .join(repaired, on="id", how="left")
        .withColumn("counts", F.coalesce(counts, F.lit(False)))
        .withColumn("value", value.cast(value_type))
    )
    repeat_items = manifest["catalogue"]["repeat_items"]
    if repeat_items:
        judged = _with_repeats(judged, repeat_items, value_type)
    if manifest["ledger"]["naming_an_act"]:
        judged = _counted_once(judged, value_type)

    summed = judged.groupBy("subject").agg(
        F.sum("value").alias("points"),
        *(
            F.bool_or(
                F.coalesce(F.col("counts") & F.col(_list_column(position)), F.lit(False))
            ).alias(_list_column(position))
            for position in range(len(item_list_names))
        ),
    )
    cap = F.col("cap_per_year")
    corrections = (
        judged.filter(F.col("counts") & cap.isNotNull())
        .groupBy("subject", "item", "version_index", F.year(decided_on).alias("year"))
        .agg(F.sum("value").alias("value"), F.first("cap_per_year").alias("cap_per_year"))
        .filter(F.abs(F.col("value")) > cap)
        .groupBy("subject")
        .agg(
            F.sum(F.least(F.greatest(F.col("value"), -cap), cap) - F.col("value")).alias(
                "correction"
            )
        )
    )
    return summed.join(corrections, on="subject", how="left").withColumn(
        "points", F.col("points") + F.coalesce(F.col("correction"), F.lit(0))
    )


def _with_repeats(judged: DataFrame, repeat_items: list[str], value_type: str) -> DataFrame:
    """As `scoring.batch._with_repeats` (SPEC §10.4): the latest day before a record's own on
    which the same subject has an active record of the same item, by a window over the records
    of the repeating items ranging up to the day before; within D days, the value × F."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    day = F.datediff(F.col("decided_on"), F.lit(EPOCH))
    before = (
        Window.partitionBy("subject", "item")
        .orderBy(day)
        .rangeBetween(Window.unboundedPreceding, -1)
    )
    repeating = F.col("counts") & F.col("repeat_factor").isNotNull()
    earlier_day = F.max(F.when(F.col("status") == "active", day)).over(before)
    repeated = (
        judged.filter(F.col("item").isin(repeat_items))
        .withColumn("__earlier_day", earlier_day)
        .filter(repeating)
        .withColumn(
            "value",
            F.when(
                (day - F.col("__earlier_day")) <= F.col("repeat_within_days"),
                F.col("value") * F.col("repeat_factor"),
            )
            .otherwise(F.col("value"))
            .cast(value_type),
        )
        .drop("__earlier_day")
    )
    return judged.filter(~repeating).unionByName(repeated)


def _counted_once(judged: DataFrame, value_type: str) -> DataFrame:
    """As `scoring.batch._counted_once` (SPEC §10.3): of a subject's counting records with the
    same act, the first in the rule's order scores (lowest value when any is negative, else
    highest; then earliest decision, then `act_order`: source, record id); the others 0."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    acting = F.col("counts") & F.col("act_key").isNotNull()
    same_act = Window.partitionBy("subject", "act_key")
    any_negative = F.max(F.when(F.col("value") < 0, 1).otherwise(0)).over(same_act) == 1
    best_first = F.when(any_negative, F.col("value")).otherwise(-F.col("value"))
    scoring_order = same_act.orderBy("__best_first", "decided_on", "act_order")
    scored_once = (
        judged.filter(acting)
        .withColumn("__best_first", best_first)
        .withColumn("__position", F.row_number().over(scoring_order))
        .withColumn(
            "value",
            F.when(F.col("__position") == 1, F.col("value")).otherwise(F.lit(0).cast(value_type)),
        )
        .drop("__best_first", "__position")
    )
    return judged.filter(~acting).unionByName(scored_once)


def _sum_fits_64_bits(manifest: dict, versions: list) -> bool:
    """As `scoring.batch.sum_type`: rows × largest |points| × largest quantity × largest repeat
    factor + largest |base score| bounds every subject's sum (the manifest carries them)."""
    ledger = manifest["ledger"]
    base = max((abs(version["base_score"] or 0) for version in versions), default=0)
    catalogue = manifest["catalogue"]
    points, factor = catalogue["max_abs_points"], catalogue["max_repeat_factor"]
    bound = ledger["records"] * points * ledger["max_quantity"] * factor + base
    return bound <= INT64_MAX


def _tier_column(tiers: list, score: Column) -> Column:
    """SPEC §5.5: the first tier whose min ≤ score, else the last tier."""
    from pyspark.sql import functions as F

    *ranked, last = tiers
    column = F.lit(last["name"])
    for tier in reversed(ranked):
        column = F.when(score >= F.lit(tier["min"]), F.lit(tier["name"])).otherwise(column)
    return column


def _lists_column(
    lists: list, item_list_names: list[str], score: Column, national_names: list[str] = ()
) -> Column:
    """SPEC §5.6: the lists whose thresholds the score meets, or that a counting record's item
    names; §11: the national lists as `national.LIST`; sorted, joined by ";", "" when none."""
    from pyspark.sql import functions as F

    membership: dict[str, list[Column]] = {
        NATIONAL_PREFIX + name: [F.col(_national_column(position))]
        for position, name in enumerate(national_names)
    }
    for definition in lists:
        if definition["score_below"] is not None:
            membership.setdefault(definition["name"], []).append(
                score < F.lit(definition["score_below"])
            )
        if definition["score_at_least"] is not None:
            membership.setdefault(definition["name"], []).append(
                score >= F.lit(definition["score_at_least"])
            )
    for position, name in enumerate(item_list_names):
        membership.setdefault(name, []).append(F.col(_list_column(position)))
    if not membership:
        return F.lit("")
    named = []
    for name, conditions in sorted(membership.items()):
        condition = conditions[0]
        for other in conditions[1:]:
            condition = condition | other
        named.append(F.when(F.coalesce(condition, F.lit(False)), F.lit(name)))
    return F.concat_ws(LIST_SEPARATOR, *named)


def write_scores(spark: SparkSession, snapshot: str, as_of: dt.date, out: str) -> None:
    score_snapshot(spark, snapshot, as_of).write.mode("errorifexists").parquet(out)


def local_session(master: str = LOCAL_MASTER, driver_memory: str = "2g") -> SparkSession:
    """A Spark session in local mode for one machine: no UI, few shuffle partitions."""
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(master)
        .appName("scs-score")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", driver_memory)
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def score_locally(snapshot: str, as_of: dt.date, out: str) -> None:
    """`scs score --engine spark`: the job in local mode. A session already running in this
    process (a test's) is used and left running; one started here is stopped."""
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise SparkUnavailable("the Spark engine needs Java: no java on the PATH and no JAVA_HOME")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable(
            "the Spark engine needs PySpark: pip install 'socialcredit[spark]'"
        ) from None

    running = SparkSession.getActiveSession()
    spark = running or local_session()
    try:
        write_scores(spark, snapshot, as_of, out)
    finally:
        if running is None:
            spark.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="spark_job.py", description="Score an `scs export` snapshot on Spark (SPEC §5)."
    )
    parser.add_argument("snapshot", help="The snapshot directory (any path Spark reads).")
    parser.add_argument("--as-of", required=True, type=dt.date.fromisoformat, help="YYYY-MM-DD")
    parser.add_argument("--out", required=True, help="Where to write the scores (Parquet).")
    arguments = parser.parse_args(argv)
    from pyspark.sql import SparkSession

    running = SparkSession.getActiveSession()
    spark = running or SparkSession.builder.appName("scs-score").getOrCreate()
    try:
        write_scores(spark, arguments.snapshot, arguments.as_of, arguments.out)
    except (AsOfBeforeCatalogue, UnknownSnapshot) as error:
        print(f"spark_job.py: {error}", file=sys.stderr)
        return 2
    finally:
        if running is None:
            spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
