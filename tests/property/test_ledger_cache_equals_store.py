"""The ledger cache never changes what the scorer sees: over random files (new records,
revisions, revocations) and random damage to the segments, the current ledger read through the
cache is the one read from the store, and so are the scores."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialcredit.registry import Registry
from socialcredit.scoring.batch import score_ledger
from socialcredit.store import ledger_read
from socialcredit.store.ledger_cache import SEGMENT_SUFFIX
from socialcredit.store.store import Store
from tests.conftest import fixed_clock, fresh_store_url
from tests.helpers import (
    OTHER_PERSON,
    PERSON,
    catalogue_document,
    catalogue_yaml,
    record,
    write_records,
)

AS_OF = dt.date(2026, 11, 20)

rows = st.tuples(
    st.sampled_from(["r1", "r2", "r3", "r4"]),
    st.integers(1, 3),  # revision
    st.sampled_from([PERSON, OTHER_PERSON]),
    st.integers(1, 4),  # quantity
    st.sampled_from(["active", "revoked"]),
)
files = st.lists(st.lists(rows, min_size=1, max_size=6), min_size=1, max_size=4)
damage = st.lists(st.sampled_from(["keep", "delete", "truncate"]), min_size=4, max_size=4)


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col("item").cast(pl.String)).sort(frame.columns)


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(files=files, damage=damage)
def test_the_cache_gives_the_stores_ledger_and_scores(backend: str, files, damage) -> None:
    with (
        tempfile.TemporaryDirectory() as temporary,
        fresh_store_url(backend, Path(temporary)) as url,
    ):
        registry = Registry(Store.open(url), clock=fixed_clock)
        try:
            registry.publish_catalogue(catalogue_yaml(catalogue_document()))
            for number, file_rows in enumerate(files):
                submitted = [
                    record(
                        record_id,
                        "traffic.red_light",
                        subject,
                        "2025-01-01",
                        revision=revision,
                        quantity=quantity,
                        status=status,
                    )
                    for record_id, revision, subject, quantity, status in file_rows
                ]
                registry.ingest(
                    write_records(Path(temporary) / f"f{number}.jsonl", submitted), "traffic-police"
                )
            segments = sorted(registry.store.ledger_cache.directory.glob("*" + SEGMENT_SUFFIX))
            for path, harm in zip(segments, damage):
                if harm == "delete":
                    path.unlink()
                elif harm == "truncate":
                    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
            direct = ledger_read.read_current_ledger(registry.store.url, with_ids=True)
            cached = registry.store.current_ledger(with_ids=True)
            assert _sorted(cached).equals(_sorted(direct))
            subjects = registry.store.subjects()
            assert registry.score_all(AS_OF).equals(
                score_ledger(direct.drop("id"), registry.rulebook, AS_OF, subjects=subjects)
            )
        finally:
            registry.store.close()
