"""A store made before jurisdictions (schema 0008) keeps working as jurisdiction `default`
(SPEC §11), and takes other jurisdictions' catalogues after it.

The fixture (`tests/fixtures/release_0008`, made by its `make_fixture.py` with commit be7a8d7's
code) holds that release's SQLite store and identity store as it wrote them, and its scores.
On both stores, a store taken back to schema 0008 by the migration's downgrade is converted
the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from importlib import resources
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from socialcredit.registry import Registry
from socialcredit.store import schema
from socialcredit.store.store import Store
from tests.helpers import catalogue_yaml, city_document

FIXTURE = Path(__file__).parent.parent / "fixtures" / "release_0008"
EXAMPLE = Path(__file__).parent.parent / "conformance" / "example"
SOURCES = (
    ("charity-fed", "csv"),
    ("court", "jsonl"),
    ("market-reg", "csv"),
    ("tax-office", "jsonl"),
    ("traffic-police", "csv"),
)
NOW = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC)


def release_0008_copy(directory: Path) -> str:
    shutil.copy(FIXTURE / "store.db", directory / "scs.db")
    shutil.copy(FIXTURE / "store.identities.db", directory / "scs.identities.db")
    return f"sqlite:///{directory / 'scs.db'}"


def assert_jurisdiction_default(registry: Registry) -> None:
    with registry.store.engine.connect() as connection:
        assert registry.store.schema_revision(connection) == schema.SCHEMA_REVISION
    rows = registry.catalogue_rows()
    assert [(row.jurisdiction, row.version) for row in rows] == [("default", 1), ("default", 2)]
    assert registry.jurisdictions.local_names == ("default",)
    assert (
        registry.rulebook.latest is not None and registry.rulebook.latest.jurisdiction == "default"
    )


def assert_takes_a_second_city(registry: Registry) -> None:
    # The refusal of SPEC §11's issue ("this store publishes 'example-city', not ...") is gone
    # for a catalogue that names its jurisdiction.
    result = registry.publish_catalogue(catalogue_yaml(city_document("nanyang", 1, "2026-11-22")))
    assert result.report.problems == [] and result.version == 1
    assert registry.jurisdictions.local_names == ("default", "nanyang")
    # And the old jurisdiction still publishes its own next version, and only that.
    text = (EXAMPLE / "catalog-v2.yaml").read_text()
    text = text.replace("version: 2", "version: 3").replace("2025-01-01", "2026-11-23")
    result = registry.publish_catalogue(text)
    assert result.report.problems == [] and result.version == 3
    assert [(row.jurisdiction, row.version) for row in registry.catalogue_rows()][-2:] == [
        ("nanyang", 1),
        ("default", 3),
    ]


def test_the_release_0008_sqlite_store_scores_as_it_did(tmp_path: Path) -> None:
    registry = Registry(Store.open(release_0008_copy(tmp_path)), clock=lambda: NOW)
    try:
        assert_jurisdiction_default(registry)
        expected = json.loads((FIXTURE / "scores.json").read_text())
        for day, rows in expected.items():
            scores = registry.score_all(dt.date.fromisoformat(day))
            assert [list(row) for row in scores.rows()] == rows, day
        assert_takes_a_second_city(registry)
    finally:
        registry.close()


def test_the_converted_catalogue_table_stays_append_only(tmp_path: Path) -> None:
    store = Store.open(release_0008_copy(tmp_path))
    try:
        for statement in (
            "UPDATE catalogue_versions SET version = version",
            "DELETE FROM catalogue_versions",
        ):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                with store.engine.begin() as connection:
                    connection.execute(sa.text(statement))
    finally:
        store.close()


def test_a_store_of_schema_0008_is_converted_on_every_backend(store_url: str) -> None:
    """The example published and ingested, the store taken back to schema 0008 by the
    migration's downgrade (a table of that release's shape, with its rows), then opened."""
    registry = Registry(Store.open(store_url), clock=lambda: NOW)
    for name in ("catalog-v1.yaml", "catalog-v2.yaml"):
        assert registry.publish_catalogue((EXAMPLE / name).read_text()).version is not None
    for source, extension in SOURCES:
        registry.ingest(EXAMPLE / f"records-{source}.{extension}", source, Path(os.devnull))
    days = [dt.date(2023, 6, 30), dt.date(2026, 11, 20)]
    before = [registry.score_all(day).rows() for day in days]
    engine = registry.store.engine
    registry.close()
    with sa.create_engine(engine.url).begin() as connection:
        config = Config()
        config.set_main_option(
            "script_location", str(resources.files("socialcredit.store").joinpath("migrations"))
        )
        config.attributes["connection"] = connection
        command.downgrade(config, "0008_record_act")
        columns = {
            column["name"] for column in sa.inspect(connection).get_columns("catalogue_versions")
        }
        assert "jurisdiction" not in columns
    registry = Registry(Store.open(store_url), clock=lambda: NOW)
    try:
        assert_jurisdiction_default(registry)
        assert [registry.score_all(day).rows() for day in days] == before
        assert_takes_a_second_city(registry)
    finally:
        registry.close()
