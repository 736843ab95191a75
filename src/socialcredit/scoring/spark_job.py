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
- it counts at T when active, T < decided_on + counts_for_days, it has a rule, and no objection
  to it is overdue at T (its row id among the overdue intervals that cover T);
- one group-by per subject sums points × quantity and the item-named lists; capped items are
  grouped per (subject, item, calendar year, version) and only buckets beyond their cap
  correct the sum;
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

# -- the snapshot's layout (schema version 1) -------------------------------------------------
SNAPSHOT_SCHEMA_VERSION = 1
MANIFEST_FILE = "manifest.json"  # counts, checksums, and the catalogue versions (see snapshot.py)
LEDGER_DIRECTORY = "ledger"  # part-NNNNN.parquet: id, subject, item, decided_on, quantity, status
SUBJECTS_DIRECTORY = "subjects"  # part-NNNNN.parquet: subject, kind (partitioned as the ledger)
OVERDUE_FILE = "objections/overdue.parquet"  # id, overdue_from, overdue_until (exclusive, null)
# version_index, version, item, points, counts_for_days, cap_per_year, lists
RULES_FILE = "catalogue/rules.parquet"
PUBLISHED_DIRECTORY = "catalogue/published"  # vNNNN.yaml: each version's text as published
PART_NAME = "part-{:05d}.parquet"

LIST_SEPARATOR = ";"
SCORE_COLUMNS = ("subject", "kind", "score", "tier", "lists")
INT64_MAX = 2**63 - 1
# SPEC §5.4: integers throughout. A sum that could leave 64 bits is taken as DECIMAL(38, 0).
WIDE_SUM_TYPE = "decimal(38,0)"
LOCAL_MASTER = "local[2]"


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
    and lists (names sorted, joined by ";"). Lazy: nothing runs until it is written."""
    from pyspark.sql import functions as F

    manifest = read_manifest(spark, snapshot)
    versions = sorted(
        manifest["catalogue"]["versions"], key=lambda version: version["effective_from"]
    )
    for version in versions:
        version["effective_from"] = dt.date.fromisoformat(version["effective_from"])
    in_effect = [version for version in versions if version["effective_from"] <= as_of]
    if not in_effect:
        first = versions[0]["effective_from"] if versions else None
        raise AsOfBeforeCatalogue(
            f"no catalogue version is in effect on {as_of}"
            + (f"; the first takes effect on {first}" if first else "; none is published")
        )
    scoring = in_effect[-1]

    item_list_names = manifest["catalogue"]["item_lists"]
    rules = spark.read.parquet(_path(snapshot, RULES_FILE)).select(
        "version_index",
        "item",
        "points",
        "counts_for_days",
        "cap_per_year",
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
    counts = (
        (F.col("status") == "active")
        & F.col("points").isNotNull()
        & (F.datediff(as_of_literal, decided_on) < F.col("counts_for_days"))
        & F.col("__held_back").isNull()
    )
    value = F.when(F.coalesce(counts, F.lit(False)), F.col("points") * F.col("quantity")).otherwise(
        0
    )
    if not _sum_fits_64_bits(manifest, versions):
        value = value.cast(WIDE_SUM_TYPE)
    judged = (
        spark.read.parquet(_path(snapshot, LEDGER_DIRECTORY))
        .filter(decided_on <= as_of_literal)
        .withColumn("version_index", version_index.cast("int"))
        .join(F.broadcast(rules), on=["version_index", "item"], how="left")
        .join(held_back, on="id", how="left")
        .withColumn("counts", F.coalesce(counts, F.lit(False)))
        .withColumn("value", value)
    )

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
    per_subject = summed.join(corrections, on="subject", how="left").withColumn(
        "points", F.col("points") + F.coalesce(F.col("correction"), F.lit(0))
    )
    subjects = spark.read.parquet(_path(snapshot, SUBJECTS_DIRECTORY))
    score = F.col("score")
    return (
        per_subject.join(subjects, on="subject", how="left")
        .withColumn("score", F.lit(scoring["base_score"]) + F.col("points"))
        .select(
            "subject",
            "kind",
            score,
            _tier_column(scoring["tiers"], score).alias("tier"),
            _lists_column(scoring["lists"], item_list_names, score).alias("lists"),
        )
    )


def _sum_fits_64_bits(manifest: dict, versions: list) -> bool:
    """As `scoring.batch.sum_type`: rows × largest |points| × largest quantity + largest
    |base score| bounds every subject's sum (the manifest carries the first three)."""
    ledger = manifest["ledger"]
    base = max((abs(version["base_score"]) for version in versions), default=0)
    points = manifest["catalogue"]["max_abs_points"]
    bound = ledger["records"] * points * ledger["max_quantity"] + base
    return bound <= INT64_MAX


def _tier_column(tiers: list, score: Column) -> Column:
    """SPEC §5.5: the first tier whose min ≤ score, else the last tier."""
    from pyspark.sql import functions as F

    *ranked, last = tiers
    column = F.lit(last["name"])
    for tier in reversed(ranked):
        column = F.when(score >= F.lit(tier["min"]), F.lit(tier["name"])).otherwise(column)
    return column


def _lists_column(lists: list, item_list_names: list[str], score: Column) -> Column:
    """SPEC §5.6: the lists whose thresholds the score meets, or that a counting record's item
    names; sorted, joined by ";", "" when none."""
    from pyspark.sql import functions as F

    membership: dict[str, list[Column]] = {}
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
