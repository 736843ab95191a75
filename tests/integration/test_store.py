"""The store itself: schema and migrations, append-only enforcement, who looked at a file."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from socialcredit.registry import Registry
from socialcredit.store import schema
from socialcredit.store.ledger_cache import LEDGER_COLUMNS, LEDGER_COLUMNS_WITH_IDS
from socialcredit.store.store import Store, StoreUnavailable
from socialcredit.store.urls import BadStoreURL, parse_store_url
from tests.helpers import PERSON, catalogue_document, catalogue_yaml, record, write_records


def test_the_migrated_schema_is_the_declared_one(store: Store) -> None:
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), schema.metadata)
    assert differences == []


def test_the_schema_revision_is_the_alembic_head() -> None:
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("socialcredit.store").joinpath("migrations"))
    )
    assert ScriptDirectory.from_config(config).get_current_head() == schema.SCHEMA_REVISION


def test_opening_twice_is_harmless(store_url: str) -> None:
    Store.open(store_url).close()
    reopened = Store.open(store_url)
    with reopened.engine.connect() as connection:
        assert reopened.schema_revision(connection) == schema.SCHEMA_REVISION
    reopened.close()


@pytest.mark.parametrize("table", schema.APPEND_ONLY_TABLES)
def test_the_ledger_refuses_updates_and_deletes(
    registry: Registry, tmp_path: Path, table: str
) -> None:
    registry.publish_catalogue(catalogue_yaml(catalogue_document()))
    path = write_records(
        tmp_path / "r.jsonl",
        [
            record("a", "traffic.red_light", PERSON, "2025-01-01"),
            record("b", "nope", PERSON, "2025-01-01"),
        ],
    )
    registry.ingest(path, "traffic-police")
    registry.subject_files(PERSON, dt.date(2025, 6, 1), "tester", "test", "test")
    objection = registry.file_objection("traffic-police", "a", "not me", on=dt.date(2025, 2, 1))
    registry.uphold_objection(objection.number, on=dt.date(2025, 2, 3))
    registry.leave_statement(PERSON, "I paid the fine.")
    repair = registry.apply_repair("traffic-police", "a", "paid", on=dt.date(2025, 4, 1))
    registry.grant_repair(repair.number, on=dt.date(2025, 4, 2))
    key = {
        "catalogue_versions": "version",
        "objections": "number",
        "objection_answers": "number",
        "repairs": "number",
        "repair_decisions": "number",
    }.get(table, "id")
    for statement in (f"UPDATE {table} SET {key} = {key}", f"DELETE FROM {table}"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with registry.store.engine.begin() as connection:
                connection.execute(sa.text(statement))


def test_every_look_at_a_file_is_logged_and_shown(registry: Registry, tmp_path: Path) -> None:
    registry.publish_catalogue(catalogue_yaml(catalogue_document()))
    registry.ingest(
        write_records(
            tmp_path / "r.jsonl", [record("a", "traffic.red_light", PERSON, "2025-01-01")]
        ),
        "traffic-police",
    )
    registry.subject_files(PERSON, dt.date(2025, 6, 1), "airline-desk", "ticket sale", "api")
    files = registry.subject_files(PERSON, dt.date(2025, 6, 1), "subject", "own file", "cli")
    assert len(files) == 1
    views = files[0].views
    assert [(view.viewer, view.purpose, view.channel) for view in views] == [
        ("airline-desk", "ticket sale", "api"),
        ("subject", "own file", "cli"),
    ]


def test_store_urls() -> None:
    assert parse_store_url("sqlite:///x.db").adbc_uri == "x.db"
    postgresql = parse_store_url("postgresql://me:secret@db:5433/ledger")
    assert postgresql.sqlalchemy_url == "postgresql+psycopg://me:secret@db:5433/ledger"
    assert "secret" not in postgresql.display()
    with pytest.raises(BadStoreURL):
        parse_store_url("mysql://x")
    with pytest.raises(BadStoreURL):
        parse_store_url("sqlite:///:memory:")


def test_an_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(StoreUnavailable, match="cannot open the store"):
        Store.open("postgresql://nobody@127.0.0.1:1/none")


def test_the_current_ledger_is_read_whole_across_chunks(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the highest revision of each record, every item code as written (a code may hold
    commas and quotes), whichever read chunk a record and its revisions fall in."""
    from socialcredit.store import ledger_read

    document = catalogue_document()
    odd = {**document["items"][0], "code": 'odd,"code"'}
    registry.publish_catalogue(catalogue_yaml({**document, "items": [*document["items"], odd]}))
    rows = [record(f"r{n}", "traffic.red_light", PERSON, "2025-01-01") for n in range(5)]
    rows += [
        record("r1", "traffic.red_light", PERSON, "2025-01-01", revision=2, quantity=2),
        record("r3", "traffic.red_light", PERSON, "2025-01-01", revision=2, status="revoked"),
        record("x", 'odd,"code"', PERSON, "2025-02-03", quantity=7),
        record("r1", "traffic.red_light", PERSON, "2025-01-01", revision=3, quantity=3),
    ]
    registry.ingest(write_records(tmp_path / "r.jsonl", rows), "traffic-police")
    monkeypatch.setattr(ledger_read, "SQLITE_READ_IDS", 2)
    ledger = registry.store.current_ledger()
    assert ledger.schema == LEDGER_COLUMNS
    assert sorted(ledger.select("item", "decided_on", "quantity", "status").iter_rows()) == [
        ('odd,"code"', dt.date(2025, 2, 3), 7, "active"),
        *sorted(
            ("traffic.red_light", dt.date(2025, 1, 1), quantity, status)
            for quantity, status in [
                (1, "active"),
                (3, "active"),
                (1, "active"),
                (1, "revoked"),
                (1, "active"),
            ]
        ),
    ]
    (key,) = set(ledger["subject"])
    assert registry.store.subjects().filter(subject=key).select("kind", "subject_id").rows() == [
        ("person", PERSON)
    ]


def test_the_current_ledger_with_row_ids(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Objections name records by the row id of their current revision (SPEC §5.2)."""
    from socialcredit.store import ledger_read

    registry.publish_catalogue(catalogue_yaml(catalogue_document()))
    rows = [record(f"r{n}", "traffic.red_light", PERSON, "2025-01-01") for n in range(3)]
    rows.append(record("r1", "traffic.red_light", PERSON, "2025-01-01", revision=2, quantity=4))
    registry.ingest(write_records(tmp_path / "r.jsonl", rows), "traffic-police")
    monkeypatch.setattr(ledger_read, "SQLITE_READ_IDS", 2)
    ledger = registry.store.current_ledger(with_ids=True)
    assert ledger.schema == LEDGER_COLUMNS_WITH_IDS
    with registry.store.engine.connect() as connection:
        stored = dict(
            connection.execute(
                sa.text("SELECT id, quantity FROM records WHERE record_id <> 'r1' OR revision = 2")
            ).all()
        )
    assert dict(ledger.select("id", "quantity").iter_rows()) == stored


def test_a_ledger_read_is_one_snapshot_while_an_ingest_commits_between_its_chunks(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file committed while the scorer reads the ledger chunk by chunk is either wholly in
    the read or wholly out of it: here it commits after the first chunk, so it is out, and no
    record it supersedes goes missing."""
    from socialcredit.store import ledger_read

    registry.publish_catalogue(catalogue_yaml(catalogue_document()))
    first = [record(f"r{n}", "traffic.red_light", PERSON, "2025-01-01") for n in range(6)]
    registry.ingest(write_records(tmp_path / "first.jsonl", first), "traffic-police")
    later = [
        record("r5", "traffic.red_light", PERSON, "2025-01-01", revision=2, quantity=9),
        record("r6", "traffic.red_light", PERSON, "2025-01-01"),
    ]
    monkeypatch.setattr(ledger_read, "SQLITE_READ_IDS", 2)
    monkeypatch.setattr(ledger_read, "POSTGRESQL_READ_BATCH_BYTES", 64)
    chunks = []

    def ingest_between_chunks() -> None:
        chunks.append(len(chunks) + 1)
        if len(chunks) == 1:
            registry.ingest(write_records(tmp_path / "later.jsonl", later), "traffic-police")

    ledger = ledger_read.read_current_ledger(
        registry.store.url, between_chunks=ingest_between_chunks
    )
    assert len(chunks) >= 2, "the read must come in several chunks for this test to mean anything"
    assert sorted(ledger["quantity"]) == [1] * 6
    assert sorted(registry.store.current_ledger()["quantity"]) == [1] * 6 + [9]


def _published_order(store: Store) -> list[tuple[int, dt.date]]:
    """Versions in the order they were published."""
    rows = sorted(store.catalogue_rows(), key=lambda row: row.published_at)
    return [(row.version, row.effective_from) for row in rows]


def test_a_publication_is_judged_against_the_latest_version_stored_not_a_stale_read(
    store_url: str,
) -> None:
    """Two registries on one store (two servers, two shells): the second one's view of the
    catalogue is stale, and its older version must still be refused."""
    first, second = Store.open(store_url), Store.open(store_url)
    try:
        one, two = Registry(first), Registry(second)
        assert (
            one.publish_catalogue(catalogue_yaml(catalogue_document(1, "2024-01-01"))).version == 1
        )
        assert two.rulebook.latest is not None  # read (and cached) before the next publication
        assert (
            one.publish_catalogue(catalogue_yaml(catalogue_document(3, "2026-01-01"))).version == 3
        )
        late = two.publish_catalogue(catalogue_yaml(catalogue_document(2, "2025-01-01")))
        assert late.version is None
        assert "not higher than the published version 3" in " ".join(late.report.problems)
        assert _published_order(first) == [(1, dt.date(2024, 1, 1)), (3, dt.date(2026, 1, 1))]
    finally:
        first.close()
        second.close()


def test_two_concurrent_publications_are_stored_in_order(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both publishers validate at once, against the same latest version; the slower one must
    not then store an older version after the newer one."""
    import threading
    import time

    from socialcredit.registry import facade as registry_module

    Registry(setup := Store.open(store_url)).publish_catalogue(
        catalogue_yaml(catalogue_document(1, "2024-01-01"))
    )
    setup.close()
    validate = registry_module.validate_catalogue
    delay_seconds = {2: 0.6, 3: 0.1}  # version 2 validates slowest, so version 3 lands first

    def slow_validate(document, *arguments, **keywords):
        time.sleep(delay_seconds[document["version"]])
        return validate(document, *arguments, **keywords)

    monkeypatch.setattr(registry_module, "validate_catalogue", slow_validate)
    results: dict[int, int | None] = {}

    def publish(version: int, effective_from: str) -> None:
        store = Store.open(store_url)
        try:
            text = catalogue_yaml(catalogue_document(version, effective_from))
            results[version] = Registry(store).publish_catalogue(text).version
        finally:
            store.close()

    publishers = [
        threading.Thread(target=publish, args=(2, "2025-01-01")),
        threading.Thread(target=publish, args=(3, "2026-01-01")),
    ]
    for publisher in publishers:
        publisher.start()
    for publisher in publishers:
        publisher.join()
    check = Store.open(store_url)
    try:
        order = _published_order(check)
    finally:
        check.close()
    assert [version for version, _ in order] == sorted(version for version, _ in order)
    assert [day for _, day in order] == sorted(day for _, day in order)
    assert {version for version, published in results.items() if published} == {
        version for version, _ in order if version > 1
    }
    assert set(results) == {2, 3}, results  # both publications ran to an answer


def test_instants_read_back_in_utc_with_their_offset_on_both_stores(
    store: Store, tmp_path: Path
) -> None:
    """Whatever zone the clock gives, the store keeps the instant and hands it back in UTC."""
    beijing = dt.timezone(dt.timedelta(hours=8))
    instant = dt.datetime(2026, 11, 22, 17, 30, 15, 250_000, tzinfo=beijing)
    registry = Registry(store, clock=lambda: instant)
    registry.publish_catalogue(catalogue_yaml(catalogue_document()))
    registry.ingest(
        write_records(
            tmp_path / "r.jsonl", [record("a", "traffic.red_light", PERSON, "2025-01-01")]
        ),
        "traffic-police",
    )
    files = registry.subject_files(PERSON, dt.date(2025, 6, 1), "clerk", "test", "cli")
    for read_back in (
        files[0].views[0].viewed_at,
        store.catalogue_rows()[0].published_at,
        store.batches()[0].received_at,
    ):
        assert read_back == instant
        assert read_back.tzinfo is not None and read_back.utcoffset() == dt.timedelta(0)
        assert read_back.isoformat() == "2026-11-22T09:30:15.250000+00:00"
