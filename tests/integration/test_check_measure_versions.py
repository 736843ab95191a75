"""SPEC §7.3: the relying party's check answers by the measure "as defined by the catalogue
version in effect on T". Two versions define the same measure differently (what it applies
to, and who may rely on it); a date in the earlier version is answered by the earlier
definition, a date in the later one by the later. The party asking is named by both versions,
so that whichever version judges who may check (today's, by the current SPEC), it may."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialcredit.cli.app import app
from socialcredit.registry import Registry
from tests.helpers import (
    ORGANIZATION,
    PERSON,
    catalogue_document,
    catalogue_yaml,
    record,
    write_records,
)

PARTY = "civil-aviation"
IN_VERSION_1 = dt.date(2024, 7, 1)
IN_VERSION_2 = dt.date(2025, 6, 1)


def measure(applies_to: dict, relying_parties: list[str]) -> dict:
    return {
        "code": "no_air_travel",
        "title": "May not buy air tickets",
        "kind": "sanction",
        "legal_basis": "Opinions on joint punishment of dishonest judgment debtors",
        "applies_to": applies_to,
        "relying_parties": relying_parties,
    }


@pytest.fixture
def two_versions(registry: Registry, tmp_path: Path) -> Registry:
    """Version 1 (from 2020): the measure reaches the black list; version 2 (from 2025): the
    list of tax violators. A person on the black list and an organization on the tax list, both
    since 2024-06-01, on either list in both versions."""
    versions = [
        catalogue_document(
            version=1,
            effective_from="2020-01-01",
            measures=[measure({"list": "blacklist"}, [PARTY, "railway"])],
        ),
        catalogue_document(
            version=2,
            effective_from="2025-01-01",
            measures=[measure({"list": "tax_arrears"}, [PARTY, "bank"])],
        ),
    ]
    # Both versions before any record: a store without records may load its history.
    for document in versions:
        assert registry.publish_catalogue(catalogue_yaml(document)).version is not None
    for source, row in {
        "court": record("j1", "court.judgment_default", PERSON, "2024-06-01"),
        "tax-office": record("x1", "tax.arrears_major", ORGANIZATION, "2024-06-01"),
    }.items():
        result = registry.ingest(write_records(tmp_path / f"{source}.csv", [row]), source)
        assert result.counts.accepted == 1
    return registry


def answer(registry: Registry, subject_id: str, day: dt.date) -> tuple:
    found = registry.check(subject_id, "no_air_travel", PARTY, "ticket sale", day)
    return found.applies, found.because, found.catalogue_version


def test_a_date_in_the_earlier_version_is_answered_by_its_definition(
    two_versions: Registry,
) -> None:
    assert answer(two_versions, PERSON, IN_VERSION_1) == (True, "list:blacklist", 1)
    assert answer(two_versions, ORGANIZATION, IN_VERSION_1) == (False, None, 1)


def test_a_date_in_the_later_version_is_answered_by_its_definition(
    two_versions: Registry,
) -> None:
    assert answer(two_versions, PERSON, IN_VERSION_2) == (False, None, 2)
    assert answer(two_versions, ORGANIZATION, IN_VERSION_2) == (True, "list:tax_arrears", 2)


def test_scs_check_answers_a_date_in_the_earlier_version_by_its_definition(
    two_versions: Registry, store_url: str
) -> None:
    arguments = ["--measure", "no_air_travel", "--party", PARTY, "--purpose", "ticket sale"]
    day = ["--as-of", IN_VERSION_1.isoformat()]
    result = CliRunner().invoke(
        app, ["check", PERSON, *arguments, *day, "--json", "--db", store_url]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "measure": "no_air_travel",
        "as_of": IN_VERSION_1.isoformat(),
        "applies": True,
        "because": "list:blacklist",
        "catalogue_version": 1,
    }
