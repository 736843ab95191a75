"""Judging rows against the revisions already stored (SPEC §4.2, the checks that need the ledger).

For a row that passed the field checks, with revision r of (source, record_id):
- r is stored with the same content: a duplicate, acknowledged and not stored again;
- r is stored with other content: rejected, a conflict;
- a higher revision is stored: rejected, the revision is lower;
- the highest stored revision names another subject: rejected (the README's rule: a record
  stays about its subject; a record about someone else is revoked and submitted anew, so no
  subject's score changes by another's record silently);
- otherwise accepted; it supersedes the highest stored revision, if any.

Rows are judged in file order, so a file may carry revision 1 and then revision 2 of a record.
Record ids that occur once in a chunk (nearly all) are judged by a vectorized join; the few
that occur more than once are walked in order in plain Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from socialcredit.domain.records import CONTENT_FIELDS

ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"
SUBJECT_CHANGED = (
    "a revision may not change subject_id: revoke the record and submit a new one "
    "for the other subject"
)
SUBJECT_POSITION = CONTENT_FIELDS.index("subject_id")
# Issue 16 (defect 21): a revision may not name another subject. Ledgers written before this
# rule may hold such revisions, and every reader still handles them (an objection stays with
# the subject its revision named); the tests build such a ledger by turning the rule off.
REFUSE_SUBJECT_CHANGE = True

# Candidate columns compared with the stored ones, in CONTENT_FIELDS order.
CANDIDATE_CONTENT = {
    "item": "item_value",
    "subject_id": "subject_id_value",
    "decided_on": "decided_on_date",
    "quantity": "quantity_number",
    "reference": "reference_value",
    "status": "status_value",
    "act": "act_value",
}
JUDGED_SCHEMA = {
    "row": pl.Int64(),
    "outcome": pl.String(),
    "revision_reason": pl.String(),
    "supersedes": pl.Int64(),  # a stored record's id
    "supersedes_row": pl.Int64(),  # or the row of this file accepted just before
}


def judge_revisions(candidates: pl.DataFrame, stored: pl.DataFrame) -> pl.DataFrame:
    """One row per candidate with its outcome; `candidates` passed the field checks."""
    occurrences = pl.col("record_id_value").count().over("record_id_value")
    candidates = candidates.with_columns(occurrences.alias("occurrences"))
    single = candidates.filter(pl.col("occurrences") == 1)
    repeated = candidates.filter(pl.col("occurrences") > 1)
    return pl.concat([_judge_single(single, stored), _judge_repeated(repeated, stored)]).sort("row")


def _judge_single(candidates: pl.DataFrame, stored: pl.DataFrame) -> pl.DataFrame:
    latest = stored.group_by("record_id").agg(
        pl.col("stored_revision").max().alias("latest_revision"),
        pl.col("stored_id").sort_by("stored_revision").last().alias("latest_id"),
        pl.col("stored_subject_id").sort_by("stored_revision").last().alias("latest_subject_id"),
    )
    frame = candidates.join(
        latest, left_on="record_id_value", right_on="record_id", how="left"
    ).join(
        stored,
        left_on=["record_id_value", "revision_number"],
        right_on=["record_id", pl.col("stored_revision").cast(pl.Int64)],
        how="left",
    )
    # eq_missing: an act left out of both is the same content (every other field is set).
    same_content = pl.all_horizontal(
        pl.col(CANDIDATE_CONTENT[field]).eq_missing(pl.col(f"stored_{field}"))
        for field in CONTENT_FIELDS
    )
    revision_is_stored = pl.col("stored_id").is_not_null()
    is_lower = pl.col("revision_number") < pl.col("latest_revision")
    other_subject = (pl.col("subject_id_value") != pl.col("latest_subject_id")).fill_null(False)
    if not REFUSE_SUBJECT_CHANGE:
        other_subject = pl.lit(False)
    outcome = (
        pl.when(revision_is_stored & same_content)
        .then(pl.lit(DUPLICATE))
        .when(revision_is_stored | is_lower.fill_null(False) | other_subject)
        .then(pl.lit(REJECTED))
        .otherwise(pl.lit(ACCEPTED))
    )
    reason = (
        pl.when(revision_is_stored & ~same_content)
        .then(
            pl.format(
                "conflict: revision {} of record {} is stored with other content",
                pl.col("revision_number"),
                pl.col("record_id_value"),
            )
        )
        .when(~revision_is_stored & is_lower)
        .then(
            pl.format(
                "revision {} is lower than the stored revision {}",
                pl.col("revision_number"),
                pl.col("latest_revision"),
            )
        )
        .when(~revision_is_stored & other_subject)
        .then(pl.lit(SUBJECT_CHANGED))
    )
    return frame.select(
        "row",
        outcome.alias("outcome"),
        reason.alias("revision_reason"),
        pl.when(outcome == ACCEPTED).then(pl.col("latest_id")).alias("supersedes"),
        pl.lit(None, dtype=pl.Int64).alias("supersedes_row"),
    ).cast(JUDGED_SCHEMA)


@dataclass(slots=True)
class _Revision:
    content: tuple
    stored_id: int | None  # set for a stored revision
    row: int | None  # set for a revision accepted earlier in this file


def _judge_repeated(candidates: pl.DataFrame, stored: pl.DataFrame) -> pl.DataFrame:
    if candidates.height == 0:
        return pl.DataFrame(schema=JUDGED_SCHEMA)
    stored = stored.filter(pl.col("record_id").is_in(candidates["record_id_value"].implode()))
    revisions: dict[str, dict[int, _Revision]] = {}
    for entry in stored.iter_rows(named=True):
        content = tuple(entry[f"stored_{field}"] for field in CONTENT_FIELDS)
        revisions.setdefault(entry["record_id"], {})[entry["stored_revision"]] = _Revision(
            content, entry["stored_id"], None
        )
    judged = []
    columns = ["row", "record_id_value", "revision_number", *CANDIDATE_CONTENT.values()]
    for entry in candidates.sort("row").select(columns).iter_rows(named=True):
        known = revisions.setdefault(entry["record_id_value"], {})
        revision = entry["revision_number"]
        content = tuple(entry[CANDIDATE_CONTENT[field]] for field in CONTENT_FIELDS)
        if revision in known:
            if known[revision].content == content:
                judged.append((entry["row"], DUPLICATE, None, None, None))
            else:
                judged.append(
                    (
                        entry["row"],
                        REJECTED,
                        f"conflict: revision {revision} of record {entry['record_id_value']} "
                        "is stored with other content",
                        None,
                        None,
                    )
                )
            continue
        latest_revision = max(known, default=None)
        if latest_revision is not None and revision < latest_revision:
            judged.append(
                (
                    entry["row"],
                    REJECTED,
                    f"revision {revision} is lower than the stored revision {latest_revision}",
                    None,
                    None,
                )
            )
            continue
        latest = known.get(latest_revision) if latest_revision is not None else None
        if (
            REFUSE_SUBJECT_CHANGE
            and latest is not None
            and latest.content[SUBJECT_POSITION] != content[SUBJECT_POSITION]
        ):
            judged.append((entry["row"], REJECTED, SUBJECT_CHANGED, None, None))
            continue
        judged.append(
            (
                entry["row"],
                ACCEPTED,
                None,
                latest.stored_id if latest else None,
                latest.row if latest else None,
            )
        )
        known[revision] = _Revision(content, None, entry["row"])
    return pl.DataFrame(judged, schema=JUDGED_SCHEMA, orient="row")
