"""A large load refreshes PostgreSQL's planner statistics at once.

After a bulk load into a young table, autovacuum refreshes the statistics only later, and until
then the per-subject read behind `scs show` and `scs check` was planned as a scan of the whole
ledger (13 s a subject on the demo city, against 4 ms once analyzed; docs/PERFORMANCE.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import sqlalchemy as sa

from socialcredit.registry import Registry
from socialcredit.store.ingest_sessions import POSTGRESQL_ANALYZE_AFTER_ROWS
from socialcredit.store.store import Store
from socialcredit.synth.identifiers import person_identifiers
from tests.conftest import fixed_clock
from tests.helpers import catalogue_document, catalogue_yaml, record, write_records


def _last_analyzed(store: Store) -> dict[str, object]:
    query = sa.text(
        "SELECT schemaname || '.' || relname AS name, last_analyze FROM pg_stat_user_tables"
        " WHERE relname IN ('records', 'subjects')"
    )
    with store.engine.connect() as connection:
        return {row.name: row.last_analyze for row in connection.execute(query)}


def test_a_large_load_is_analyzed_a_small_one_is_not(postgresql_url: str, tmp_path: Path) -> None:
    store = Store.open(postgresql_url)
    try:
        registry = Registry(store, clock=fixed_clock)
        assert registry.publish_catalogue(catalogue_yaml(catalogue_document())).version == 1
        people = person_identifiers(np.random.default_rng(7), POSTGRESQL_ANALYZE_AFTER_ROWS)
        small = [record("s1", "traffic.red_light", people[0], "2025-01-01")]
        registry.ingest(write_records(tmp_path / "small.csv", small), "traffic-police")
        assert not any(_last_analyzed(store).values())

        rows = [
            record(f"r{number}", "traffic.red_light", person, "2025-01-01")
            for number, person in enumerate(people)
        ]
        result = registry.ingest(write_records(tmp_path / "large.csv", rows), "traffic-police")
        assert result.counts.accepted == POSTGRESQL_ANALYZE_AFTER_ROWS
        analyzed = _last_analyzed(store)
        assert analyzed["public.records"] is not None
        assert analyzed["identities.subjects"] is not None
    finally:
        store.close()
