"""A store made by the release before the identity store is converted when first opened
(SPEC §6, §7.5), and scores and files come out as that release gave them.

The fixture (`tests/fixtures/release_0001`, made by `make_fixture.py` with commit 99d6bf3's
code) holds that release's SQLite file as it wrote it, every row of its tables (to build the
same store on PostgreSQL), and that release's `scs score` and `scs show --json` output.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from importlib import resources
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from socialcredit.cli import render
from socialcredit.registry import Registry
from socialcredit.store import schema
from socialcredit.store.store import Store
from socialcredit.store.urls import parse_store_url
from tests.privacy import identifiers_found, unknown_keys

FIXTURE = Path(__file__).parent.parent / "fixtures" / "release_0001"
RELEASE_REVISION = "0001"
NOW = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC)
TABLE_ORDER = ("catalogue_versions", "ingest_batches", "records", "rejected_rows", "file_views")


def release_store_from_rows(url: str, upgrade_to: str | None = None) -> None:
    """The release's schema by its own migration, filled with the rows that release wrote
    (then, with `upgrade_to`, migrated to that later revision)."""
    store_url = parse_store_url(url)
    tables = orjson.loads((FIXTURE / "tables.json").read_bytes())
    engine = sa.create_engine(store_url.sqlalchemy_url)
    with engine.begin() as connection:
        config = Config()
        config.set_main_option(
            "script_location", str(resources.files("socialcredit.store").joinpath("migrations"))
        )
        config.attributes["connection"] = connection
        command.upgrade(config, RELEASE_REVISION)
        reflected = sa.MetaData()
        reflected.reflect(connection)
        for name in TABLE_ORDER:
            table = reflected.tables[name]
            rows = [_typed(table, row, store_url.dialect) for row in tables[name]]
            if rows:
                connection.execute(table.insert(), rows)
        if store_url.dialect == "postgresql":
            connection.execute(
                sa.text("SELECT setval('records_id_seq', (SELECT max(id) FROM records))")
            )
            for name in ("ingest_batches", "rejected_rows", "file_views"):
                connection.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT max(id) FROM {name}))"
                    )
                )
        if upgrade_to is not None:
            command.upgrade(config, upgrade_to)
    engine.dispose()


def _typed(table: sa.Table, row: dict, dialect: str) -> dict:
    typed = dict(row)
    for column in table.columns:
        value = row.get(column.name)
        if value is None:
            continue
        if isinstance(column.type, sa.DateTime):
            moment = dt.datetime.fromisoformat(value)
            typed[column.name] = (
                moment.replace(tzinfo=dt.UTC) if dialect == "postgresql" else moment
            )
        elif isinstance(column.type, sa.Date):
            typed[column.name] = dt.date.fromisoformat(value)
    return typed


def assert_same_as_the_release(store: Store) -> None:
    registry = Registry(store, clock=lambda: NOW)
    expected_scores = json.loads((FIXTURE / "scores.json").read_text())
    for day, rows in expected_scores.items():
        scores = registry.score_all(dt.date.fromisoformat(day))
        assert [list(row) for row in scores.rows()] == rows, day
    expected_files = json.loads((FIXTURE / "files.json").read_text())
    for subject_id, documents in expected_files.items():
        day = dt.date.fromisoformat(documents[0]["as_of"])
        files = registry.subject_files(subject_id, day, "auditor", "inspection", "cli")
        converted = [_as_utc(render.file_document(subject_file)) for subject_file in files]
        # Later releases add to a file; what the release showed must be shown the same.
        assert [
            _as_shown_by(document, expected) for document, expected in zip(converted, documents)
        ] == [_as_utc(document) for document in documents]
        assert len(converted) == len(documents)


def _as_shown_by(document: dict, release: dict) -> dict:
    """`document` with only the keys the release's document had, in its records too (SPEC
    §10 added each counting record's value, repeat factor, act and counted-once record, and
    each look its `applies`, null for the looks logged before)."""
    shown = {key: document[key] for key in release}
    for part in ("counting_records", "views"):
        shown[part] = [
            {key: entry[key] for key in old} for entry, old in zip(document[part], release[part])
        ]
    assert all(view["applies"] is None for view in document["views"])
    return shown


def _as_utc(document: dict) -> dict:
    """The release rendered a look's instant as SQLite returned it (naive UTC) or as
    PostgreSQL did (with its offset): compare the instants."""
    views = [
        {**view, "viewed_at": dt.datetime.fromisoformat(view["viewed_at"]).replace(tzinfo=None)}
        for view in document["views"]
    ]
    return {**document, "views": views}


def assert_converted(store: Store) -> None:
    with store.engine.connect() as connection:
        assert store.schema_revision(connection) == schema.SCHEMA_REVISION
    identifiers = json.loads((FIXTURE / "identifiers.json").read_text())
    assert identifiers_found(store, identifiers) == []
    assert unknown_keys(store) == set()
    assert_same_as_the_release(store)


def test_the_release_sqlite_file_is_converted_when_first_opened(tmp_path: Path) -> None:
    path = tmp_path / "scs.db"
    shutil.copy(FIXTURE / "store.db", path)
    store = Store.open(f"sqlite:///{path}")
    try:
        assert (tmp_path / "scs.identities.db").exists()
        assert_converted(store)
        # The rejected rows read back whole, from the identity store.
        rows = store.rejected_rows(6)
        assert rows["subject_id"].to_list()[:2] == ["562062199304113980", "91350100m000100y43"]
        assert "'0', expected '9'" in rows["reason"][0]
    finally:
        store.close()


def test_a_release_store_is_converted_on_every_backend(unmigrated_store_url: str) -> None:
    store_url = unmigrated_store_url
    release_store_from_rows(store_url)
    store = Store.open(store_url)
    try:
        assert_converted(store)
    finally:
        store.close()


@pytest.mark.parametrize("table", ["records", "rejected_rows", "file_views"])
def test_the_rebuilt_tables_stay_append_only(unmigrated_store_url: str, table: str) -> None:
    store_url = unmigrated_store_url
    release_store_from_rows(store_url)
    store = Store.open(store_url)
    try:
        for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                with store.engine.begin() as connection:
                    connection.execute(sa.text(statement))
    finally:
        store.close()


def test_converting_again_changes_nothing(unmigrated_store_url: str) -> None:
    store_url = unmigrated_store_url
    release_store_from_rows(store_url)
    Store.open(store_url).close()
    store = Store.open(store_url)
    try:
        assert_converted(store)
    finally:
        store.close()


def test_a_store_with_statements_and_objections_is_converted(unmigrated_store_url: str) -> None:
    """A store of schema 0002 (objections, statements named by identifier) converts too."""
    store_url = unmigrated_store_url
    release_store_from_rows(store_url, upgrade_to="0002_objections")
    subject_id, day = "398106198902192457", dt.date(2023, 6, 30)
    engine = sa.create_engine(parse_store_url(store_url).sqlalchemy_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO statements (subject_kind, subject_id, text, made_at) "
                "VALUES ('person', :subject_id, 'I paid in full.', :made_at)"
            ),
            {"subject_id": subject_id, "made_at": NOW},
        )
        connection.execute(
            sa.text(
                "INSERT INTO objections "
                "(source, record_id, revision, filed_on, reason, registered_at) "
                "VALUES ('court', 'cou-0000004', 2, :filed_on, 'not me', :at)"
            ),
            {"filed_on": dt.date(2023, 6, 25), "at": NOW},
        )
    engine.dispose()
    store = Store.open(store_url)
    try:
        identifiers = json.loads((FIXTURE / "identifiers.json").read_text())
        assert identifiers_found(store, identifiers) == []
        assert unknown_keys(store) == set()
        registry = Registry(store, clock=lambda: NOW)
        (subject_file,) = registry.subject_files(subject_id, day, "auditor", "inspection", "cli")
        document = render.file_document(subject_file)
        assert document["statement"]["text"] == "I paid in full."
        assert [(entry["record_id"], entry["reason"]) for entry in document["objections"]] == [
            ("cou-0000004", "not me")
        ]
        assert [objection.subject_id for objection in registry.objections()] == [subject_id]
    finally:
        store.close()


def store_of_release_0005(url: str) -> None:
    """The release store brought to schema 0005 as the release before migration 0008 did: its
    identity store first (made by that release without the `act` of rejected rows, which this
    one drops again to build the same layout), then the migrations up to 0005."""
    release_store_from_rows(url)
    store_url = parse_store_url(url)
    engine = sa.create_engine(store_url.sqlalchemy_url)
    store = Store(store_url, engine)
    try:
        with engine.begin() as connection:
            store.identities.create(connection)
            if store_url.dialect == "postgresql":
                connection.execute(
                    sa.text(f"ALTER TABLE {schema.IDENTITY_SCHEMA}.submitted_rows DROP COLUMN act")
                )
            else:
                with store.identities.engine.begin() as own:
                    own.execute(sa.text("ALTER TABLE submitted_rows DROP COLUMN act"))
            config = Config()
            config.set_main_option(
                "script_location",
                str(resources.files("socialcredit.store").joinpath("migrations")),
            )
            config.attributes["connection"] = connection
            config.attributes["identities"] = store.identities
            command.upgrade(config, "0005_subject_hash_index")
    finally:
        store.close()
        engine.dispose()


def _columns(store: Store) -> tuple[set[str], set[str]]:
    """The columns of `records` and of the identity store's `submitted_rows`."""
    with store.engine.connect() as connection:
        records = {column["name"] for column in sa.inspect(connection).get_columns("records")}
    if store.identities.path is None:
        with store.engine.connect() as connection:
            submitted = sa.inspect(connection).get_columns(
                "submitted_rows", schema=schema.IDENTITY_SCHEMA
            )
    else:
        with store.identities.engine.connect() as connection:
            submitted = sa.inspect(connection).get_columns("submitted_rows")
    return records, {column["name"] for column in submitted}


def test_a_store_of_schema_0005_gains_the_act_and_scores_as_before(
    unmigrated_store_url: str, tmp_path: Path
) -> None:
    """Migration 0008 (SPEC §4.1's act): records and rejected rows of before name no act, the
    scores stay the release's, and the converted store takes acts."""
    from tests.helpers import PERSON, write_records

    store_url = unmigrated_store_url
    store_of_release_0005(store_url)
    store = Store.open(store_url)
    try:
        records, submitted = _columns(store)
        assert "act" in records and "act" in submitted
        assert_converted(store)
        rejected = store.rejected_rows(6)
        assert rejected.height and rejected["act"].null_count() == rejected.height
        assert store.current_ledger()["act"].null_count() == store.current_ledger().height

        registry = Registry(store, clock=lambda: NOW)
        rows = [
            {
                "record_id": "tra-act-1",
                "item": "traffic.red_light",
                "subject_id": PERSON,
                "decided_on": "2026-11-01",
                "reference": "DOC-ACT-1",
                "act": "CASE-1",
            }
        ]
        ingested = registry.ingest(write_records(tmp_path / "act.csv", rows), "traffic-police")
        assert ingested.counts.accepted == 1
        (stored,) = [r for r in store.records_naming(PERSON) if r.record_id == "tra-act-1"]
        assert stored.act == "CASE-1"
    finally:
        store.close()
    reopened = Store.open(store_url)  # converting again changes nothing
    try:
        assert "act" in _columns(reopened)[0]
    finally:
        reopened.close()
