"""Fixtures for the HTTP API: an app on each store, with the tests' fixed clock, and keys."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from socialcredit.registry import Registry
from socialcredit.service.app import create_app
from socialcredit.service.settings import ServiceSettings
from socialcredit.store.store import Store
from tests.conftest import fixed_clock
from tests.helpers import PERSON, catalogue_document, catalogue_yaml


@dataclass
class Api:
    client: TestClient
    registry: Registry
    keys: dict[str, str]  # name → secret

    def as_(self, name: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[name]}"} if name else {}


def make_app(store_url: str, settings: ServiceSettings | None = None):
    return create_app(lambda: Registry(Store.open(store_url), clock=fixed_clock), settings)


@pytest.fixture
def api(store_url: str, tmp_path: Path) -> Iterator[Api]:
    """An app on a store with the test catalogue published and a key for each role."""
    with TestClient(make_app(store_url), raise_server_exceptions=False) as client:
        registry: Registry = client.app.state.registry
        result = registry.publish_catalogue(catalogue_yaml(catalogue_document()))
        assert result.version == 1, result.report.problems
        keys = {
            "operator": registry.keys.create("operator", None).secret,
            "court": registry.keys.create("source", "court").secret,
            "traffic-police": registry.keys.create("source", "traffic-police").secret,
            "subject": registry.keys.create("subject", PERSON).secret,
            "civil-aviation": registry.keys.create("party", "civil-aviation").secret,
        }
        yield Api(client, registry, keys)
