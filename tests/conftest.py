"""Shared fixtures: a store on every backend, a registry with a fixed clock, catalogues.

Every test that touches storage takes `store_url` and so runs once on SQLite and once on a
real PostgreSQL server (a fresh database per test). PostgreSQL is never mocked: when it cannot
be reached the PostgreSQL tests fail, they are not skipped. Point them elsewhere with
SCS_TEST_POSTGRESQL (an admin URL; default postgresql://postgres@127.0.0.1/postgres).
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from hypothesis import Phase, settings

from socialcredit.registry import Registry
from socialcredit.store.identities import identity_path
from socialcredit.store.store import Store

EXAMPLE_DIRECTORY = Path(__file__).parent / "conformance" / "example"
POSTGRESQL_ADMIN_URL = os.environ.get(
    "SCS_TEST_POSTGRESQL", "postgresql://postgres@127.0.0.1/postgres"
)
# The registry's "today" in tests: the conformance example's last scoring date is 2026-11-20.
TODAY = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC)

# Hypothesis profiles for the scripts, registered here so that any selection of tests takes
# them (`--hypothesis-profile=NAME`):
# - `planted` generates without shrinking: scripts/planted_bugs.py only asks whether a test
#   fails, and shrinking a store case can take minutes. No deadline: on a loaded machine a
#   slow example is not a failure, and would count a bug as caught.
# - `mutation` also runs a tenth of the examples: scripts/mutation.py runs the tests once per
#   mutant. The reference tests ask for their number of examples through
#   `tests.reference.cases.examples`, which scales it by the profile's `max_examples`.
WITHOUT_SHRINKING = [Phase.explicit, Phase.reuse, Phase.generate]
settings.register_profile("planted", phases=WITHOUT_SHRINKING, deadline=None)
settings.register_profile(
    "mutation", phases=WITHOUT_SHRINKING, max_examples=10, derandomize=True, deadline=None
)
# The default profile has no deadline either: tests prove behaviour, never time (timings are
# measured in bench/), and on a machine shared by CI jobs a slow example is not a failure.
settings.register_profile("default-no-deadline", deadline=None)
settings.load_profile("default-no-deadline")


def fixed_clock() -> dt.datetime:
    return TODAY


# Each test process migrates one empty store per backend once, and every fresh store is a copy
# of it: running the migrations took a second per store, most of the suite's time. The
# migrations themselves are tested from nothing (test_conversion, test_store).
_templates: dict[str, str] = {}


def _template(backend: str) -> str:
    """The path of the migrated empty SQLite store, or the name of the PostgreSQL database."""
    if backend not in _templates:
        tag = f"{os.getpid()}_{uuid.uuid4().hex[:8]}"
        if backend == "sqlite":
            path = Path(tempfile.mkdtemp(prefix="scs-template-")) / "template.db"
            Store.open(f"sqlite:///{path}").close()
            _templates[backend] = str(path)
        else:
            name = f"scs_template_{tag}"
            with psycopg.connect(POSTGRESQL_ADMIN_URL, autocommit=True) as connection:
                connection.execute(f"CREATE DATABASE {name}")
            Store.open(POSTGRESQL_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}").close()
            atexit.register(_drop_database, name)
            _templates[backend] = name
    return _templates[backend]


def _drop_database(name: str) -> None:
    with psycopg.connect(POSTGRESQL_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def fresh_store_url(backend: str, directory: Path, migrated: bool = True) -> Iterator[str]:
    """A new, empty store of this backend, at the current schema (`migrated=False`: no
    tables at all); a PostgreSQL database is dropped afterwards."""
    if backend == "sqlite":
        path = directory / f"registry-{uuid.uuid4().hex[:8]}.db"
        if migrated:
            template = Path(_template("sqlite"))
            shutil.copyfile(template, path)
            shutil.copyfile(identity_path(template), identity_path(path))
        yield f"sqlite:///{path}"
        return
    name = f"scs_test_{uuid.uuid4().hex[:12]}"
    template = f" TEMPLATE {_template('postgresql')}" if migrated else ""
    with psycopg.connect(POSTGRESQL_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}{template}")
    try:
        yield POSTGRESQL_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(POSTGRESQL_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(autouse=True)
def ledger_cache_in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's ledger cache (`store.ledger_cache`) in its own temporary folder: a PostgreSQL
    store's would otherwise go to ~/.cache and outlive the test's database."""
    folder = tmp_path / "ledger-cache"
    monkeypatch.setenv("SCS_LEDGER_CACHE", str(folder))
    return folder


@pytest.fixture
def postgresql_url(tmp_path: Path) -> Iterator[str]:
    with fresh_store_url("postgresql", tmp_path) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def backend(request: pytest.FixtureRequest) -> str:
    """The store backend, for tests that open stores of their own (property tests)."""
    return request.param


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)],
)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_store_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)],
)
def unmigrated_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables yet, for the tests of migrations and conversions."""
    with fresh_store_url(request.param, tmp_path, migrated=False) as url:
        yield url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = Store.open(store_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def registry(store: Store) -> Registry:
    return Registry(store, clock=fixed_clock)


@pytest.fixture
def example_registry(registry: Registry) -> Registry:
    """A registry with both catalogue versions of the conformance example published."""
    for name in ("catalog-v1.yaml", "catalog-v2.yaml"):
        result = registry.publish_catalogue((EXAMPLE_DIRECTORY / name).read_text())
        assert result.version is not None, result.report.problems
    return registry
