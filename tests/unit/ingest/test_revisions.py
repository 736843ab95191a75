"""Judging revisions against the stored ones (SPEC §4.2), checked against a plain model."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcredit.ingest.revisions import (
    ACCEPTED,
    DUPLICATE,
    REJECTED,
    SUBJECT_CHANGED,
    judge_revisions,
)
from socialcredit.store.ingest_sessions import STORED_REVISION_COLUMNS

CONTENTS = [
    ("traffic.red_light", "P1", dt.date(2025, 1, 1), 1, "DOC-1", "active", None),
    ("traffic.red_light", "P1", dt.date(2025, 1, 1), 2, "DOC-1", "active", None),
    ("traffic.red_light", "P2", dt.date(2025, 1, 2), 1, "DOC-1", "revoked", None),
    # The same as the first but for the act: other content (SPEC §4.1).
    ("traffic.red_light", "P1", dt.date(2025, 1, 1), 1, "DOC-1", "active", "ACT-1"),
    ("traffic.red_light", "P1", dt.date(2025, 1, 1), 1, "DOC-1", "active", "ACT-2"),
]


def candidates(rows: list[tuple[int, str, int, tuple]]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "row": row,
                "record_id_value": record_id,
                "revision_number": revision,
                "item_value": content[0],
                "subject_id_value": content[1],
                "decided_on_date": content[2],
                "quantity_number": content[3],
                "reference_value": content[4],
                "status_value": content[5],
                "act_value": content[6],
            }
            for row, record_id, revision, content in rows
        ],
        schema={
            "row": pl.Int64,
            "record_id_value": pl.String,
            "revision_number": pl.Int64,
            "item_value": pl.String,
            "subject_id_value": pl.String,
            "decided_on_date": pl.Date,
            "quantity_number": pl.Int64,
            "reference_value": pl.String,
            "status_value": pl.String,
            "act_value": pl.String,
        },
    )


def stored(rows: list[tuple[int, str, int, tuple]]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            (stored_id, record_id, revision, *content)
            for stored_id, record_id, revision, content in rows
        ],
        schema=STORED_REVISION_COLUMNS,
        orient="row",
    )


def model(history: dict, submissions: list[tuple[int, str, int, tuple]]) -> list[tuple[int, str]]:
    """SPEC §4.2, row by row, in the plainest possible terms."""
    outcomes = []
    for row, record_id, revision, content in submissions:
        revisions = history.setdefault(record_id, {})
        if revision in revisions:
            outcomes.append((row, DUPLICATE if revisions[revision] == content else REJECTED))
        elif revisions and revision < max(revisions):
            outcomes.append((row, REJECTED))
        elif revisions and content[1] != revisions[max(revisions)][1]:  # another subject
            outcomes.append((row, REJECTED))
        else:
            revisions[revision] = content
            outcomes.append((row, ACCEPTED))
    return outcomes


def test_duplicates_conflicts_lower_revisions_and_chains() -> None:
    existing = stored([(10, "a", 2, CONTENTS[0])])
    submitted = candidates(
        [
            (1, "a", 2, CONTENTS[0]),  # duplicate
            (2, "a", 2, CONTENTS[1]),  # conflict
            (3, "a", 1, CONTENTS[0]),  # lower than stored 2
            (4, "b", 1, CONTENTS[0]),  # new
            (5, "b", 2, CONTENTS[1]),  # supersedes row 4 in this chunk
            (6, "c", 3, CONTENTS[2]),  # new, alone
            (7, "b", 3, CONTENTS[2]),  # names another subject than row 5
            (8, "a", 3, CONTENTS[2]),  # names another subject than the stored revision 2
        ]
    )
    judged = judge_revisions(submitted, existing)
    assert judged["outcome"].to_list() == [
        DUPLICATE,
        REJECTED,
        REJECTED,
        ACCEPTED,
        ACCEPTED,
        ACCEPTED,
        REJECTED,
        REJECTED,
    ]
    reasons = judged["revision_reason"].to_list()
    assert reasons[1].startswith("conflict: revision 2 of record a")
    assert reasons[2] == "revision 1 is lower than the stored revision 2"
    assert reasons[6] == reasons[7] == SUBJECT_CHANGED
    assert reasons[6].startswith("a revision may not change subject_id: revoke the record")
    assert judged["supersedes_row"].to_list()[4] == 4
    single = judge_revisions(candidates([(1, "a", 3, CONTENTS[1])]), existing)
    assert single["supersedes"].to_list() == [10]
    moved = judge_revisions(candidates([(1, "a", 3, CONTENTS[2])]), existing)
    assert moved["outcome"].to_list() == [REJECTED]
    assert moved["revision_reason"].to_list() == [SUBJECT_CHANGED]


submissions = st.lists(
    st.tuples(st.sampled_from("abc"), st.integers(1, 3), st.sampled_from(CONTENTS)), max_size=30
)


@settings(max_examples=200, deadline=None)
@given(submissions, st.integers(1, 8))
def test_chunked_judging_agrees_with_the_row_by_row_model(rows, chunk_size) -> None:
    numbered = [
        (row, record_id, revision, content)
        for row, (record_id, revision, content) in enumerate(rows, start=1)
    ]
    expected = model({}, numbered)
    ledger: list[tuple[int, str, int, tuple]] = []
    got = []
    for start in range(0, len(numbered), chunk_size):
        chunk = numbered[start : start + chunk_size]
        judged = judge_revisions(candidates(chunk), stored(ledger))
        by_row = {row: outcome for row, outcome in zip(judged["row"], judged["outcome"])}
        for row, record_id, revision, content in chunk:
            got.append((row, by_row[row]))
            if by_row[row] == ACCEPTED:
                ledger.append((1000 + row, record_id, revision, content))
    assert got == expected


def test_the_act_is_part_of_a_record_s_content() -> None:
    """SPEC §4.1: a stored revision without an act is repeated by a row without one; adding,
    changing or dropping the act is a conflict. Each record once per chunk (the vectorized
    path) and all in one (the row-by-row path)."""
    cases = [
        (CONTENTS[0], CONTENTS[0], DUPLICATE),  # no act either time
        (CONTENTS[0], CONTENTS[3], REJECTED),  # an act added
        (CONTENTS[3], CONTENTS[3], DUPLICATE),  # the same act
        (CONTENTS[3], CONTENTS[4], REJECTED),  # another act
        (CONTENTS[3], CONTENTS[0], REJECTED),  # the act dropped
    ]
    existing = stored([(10 + n, f"r{n}", 1, kept) for n, (kept, _, _) in enumerate(cases)])
    submitted = [(n + 1, f"r{n}", 1, sent) for n, (_, sent, _) in enumerate(cases)]
    expected = [outcome for _, _, outcome in cases]
    assert judge_revisions(candidates(submitted), existing)["outcome"].to_list() == expected
    twice = submitted + [(len(cases) + 1, "r0", 1, CONTENTS[0])]
    assert judge_revisions(candidates(twice), existing)["outcome"].to_list() == [
        *expected,
        DUPLICATE,
    ]
