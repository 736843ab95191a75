"""The store itself: schema and migrations, append-only enforcement, who looked at a file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.config import Config
from importlib import resources

from socialcredit.registry import Registry
from socialcredit.store import schema
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
def test_the_ledger_refuses_updates_and_deletes(registry: Registry, tmp_path: Path, table: str) -> None:
    registry.publish_catalogue(catalogue_yaml(catalogue_document()))
    path = write_records(tmp_path / "r.jsonl", [record("a", "traffic.red_light", PERSON, "2025-01-01"), record("b", "nope", PERSON, "2025-01-01")])
    registry.ingest(path, "traffic-police")
    registry.subject_files(PERSON, dt.date(2025, 6, 1), "tester", "test", "test")
    objection = registry.file_objection("traffic-police", "a", "not me", on=dt.date(2025, 2, 1))
    registry.uphold_objection(objection.number, on=dt.date(2025, 2, 3))
    registry.leave_statement(PERSON, "I paid the fine.")
    key = {"catalogue_versions": "version", "objections": "number", "objection_answers": "number"}.get(table, "id")
    for statement in (f"UPDATE {table} SET {key} = {key}", f"DELETE FROM {table}"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with registry.store.engine.begin() as connection:
                connection.execute(sa.text(statement))


def test_every_look_at_a_file_is_logged_and_shown(registry: Registry, tmp_path: Path) -> None:
    registry.publish_catalogue(catalogue_yaml(catalogue_document()))
    registry.ingest(write_records(tmp_path / "r.jsonl", [record("a", "traffic.red_light", PERSON, "2025-01-01")]), "traffic-police")
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
    from socialcredit.store import bulk

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
    monkeypatch.setattr(bulk, "SQLITE_READ_IDS", 2)
    ledger = registry.store.current_ledger()
    assert ledger.schema == bulk.LEDGER_COLUMNS
    assert sorted(ledger.select("item", "decided_on", "quantity", "status").iter_rows()) == [
        ('odd,"code"', dt.date(2025, 2, 3), 7, "active"),
        *sorted(
            ("traffic.red_light", dt.date(2025, 1, 1), quantity, status)
            for quantity, status in [(1, "active"), (3, "active"), (1, "active"), (1, "revoked"), (1, "active")]
        ),
    ]
    assert set(ledger["subject_id"]) == {PERSON} and set(ledger["subject_kind"]) == {"person"}
