"""A file's score over time (the subject's chart) equals the file as `subject_files` scores it
on each day, objections included, and reading it leaves no trace in the access log."""

from __future__ import annotations

import datetime as dt

from socialcredit.registry import Registry
from tests.conftest import EXAMPLE_DIRECTORY

SUBJECT = "312683197508207580"  # two court judgments, of 2024-01-01 and 2024-01-14
DAYS = [
    dt.date(2023, 6, 30),
    dt.date(2024, 1, 1),
    dt.date(2024, 3, 15),
    dt.date(2025, 6, 1),
    dt.date(2026, 11, 20),
]


def test_score_history_matches_the_file_on_each_day_and_is_not_logged(
    example_registry: Registry, tmp_path
) -> None:
    registry = example_registry
    registry.ingest(
        EXAMPLE_DIRECTORY / "records-court.jsonl", "court", tmp_path / "court.rejects.csv"
    )
    registry.file_objection("court", "cou-0000003", "not mine", on=dt.date(2024, 2, 1))
    history = registry.score_history(SUBJECT, "person", DAYS)
    assert registry.store.file_views("person", SUBJECT) == []
    expected = []
    for day in DAYS:
        files = registry.subject_files(SUBJECT, day, "test", "check", "test")
        if files:
            expected.append((day, files[0].score.score))
    assert history == expected
    assert len(history) == 4  # the file exists from 2024 on
    # On 2024-03-15 the objection to one of the two judgments is overdue: one counts.
    assert history[1] == (dt.date(2024, 3, 15), 900)


def test_no_history_before_the_first_record(example_registry: Registry) -> None:
    assert example_registry.score_history(SUBJECT, "person", [dt.date(2023, 1, 1)]) == []
