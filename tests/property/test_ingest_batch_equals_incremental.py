"""Ingestion on a real store: a file ingested whole gives the same ledger, the same counts and
the same scores as the same rows ingested piece by piece; and again, it changes nothing."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialcredit.registry import Registry
from socialcredit.store.store import Store
from tests.conftest import fixed_clock, fresh_store_url
from tests.helpers import (
    ORGANIZATION,
    OTHER_PERSON,
    PERSON,
    catalogue_document,
    catalogue_yaml,
    write_records,
)

rows = st.lists(
    st.fixed_dictionaries(
        {
            "record_id": st.sampled_from(["r0", "r1", "r2", "r3"]),
            "revision": st.sampled_from([None, 1, 2, 3]),
            "item": st.sampled_from(
                ["traffic.red_light", "traffic.red_light", "court.judgment_default", "x.unknown"]
            ),
            "subject_id": st.sampled_from([PERSON, OTHER_PERSON, ORGANIZATION, "123"]),
            "decided_on": st.sampled_from(
                ["2024-03-01", "2025-01-10", "2023-05-05", "2099-01-01", "bad"]
            ),
            "quantity": st.sampled_from([None, 1, 2, 0]),
            "reference": st.sampled_from(["DOC-1", "DOC-2", ""]),
            "status": st.sampled_from([None, "active", "revoked"]),
        }
    ),
    min_size=1,
    max_size=25,
)


def open_registry(url: str) -> Registry:
    registry = Registry(Store.open(url), clock=fixed_clock)
    assert registry.publish_catalogue(catalogue_yaml(catalogue_document())).version == 1
    return registry


def ingest(registry: Registry, directory: Path, pieces: list[list[dict]]) -> tuple[int, int, int]:
    totals = [0, 0, 0]
    for number, piece in enumerate(pieces):
        path = write_records(directory / f"piece-{number}-{id(pieces)}.jsonl", piece)
        counts = registry.ingest(path, "traffic-police").counts
        totals = [
            totals[0] + counts.accepted,
            totals[1] + counts.duplicates,
            totals[2] + counts.rejected,
        ]
    return tuple(totals)


def state(registry: Registry) -> tuple:
    """The ledger with each subject named by its identifier: the compact keys are internal and
    numbered in the order subjects first arrive, which depends on how the rows were cut."""
    ledger = (
        registry.store.current_ledger()
        .join(registry.store.subjects(), on="subject")
        .drop("subject")
    )
    ledger = ledger.sort(ledger.columns)
    scores = registry.score_all(dt.date(2025, 6, 1))
    return ledger.rows(), scores.rows()


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=rows, cuts=st.lists(st.integers(0, 25), max_size=4))
def test_whole_equals_pieces_and_a_retry_changes_nothing(backend: str, rows, cuts) -> None:
    bounds = sorted({0, len(rows), *(cut for cut in cuts if cut < len(rows))})
    pieces = [rows[start:end] for start, end in zip(bounds, bounds[1:])]
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        with (
            fresh_store_url(backend, directory) as whole_url,
            fresh_store_url(backend, directory) as pieces_url,
        ):
            whole, split = open_registry(whole_url), open_registry(pieces_url)
            try:
                whole_counts = ingest(whole, directory, [rows])
                split_counts = ingest(split, directory, pieces)
                assert whole_counts == split_counts
                assert sum(whole_counts) == len(rows)
                assert state(whole) == state(split)
                before = state(whole)
                again = ingest(whole, directory, [rows])
                assert again[0] == 0 and again[1] == whole_counts[0] + whole_counts[1]
                assert state(whole) == before
            finally:
                whole.store.close()
                split.store.close()
