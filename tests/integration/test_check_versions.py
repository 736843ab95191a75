"""The relying party's check across catalogue versions (SPEC §7.3), through the registry and
`scs check`, on both stores: whether a measure applies at T is judged by the version in effect
on T; whether the party may ask, by the version in effect today (issue 16, defect 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialcredit.cli.app import app
from socialcredit.registry import Refused, Registry
from socialcredit.store.store import Store
from tests.check_versions import EARLIER_DAY, MEASURE, publish_two_versions
from tests.helpers import PERSON


@pytest.fixture
def two_versions(registry: Registry, tmp_path: Path) -> Registry:
    publish_two_versions(registry, tmp_path)
    return registry


def test_what_applies_on_a_day_is_the_measure_as_that_days_version_defines_it(
    two_versions: Registry,
) -> None:
    earlier = two_versions.check(PERSON, MEASURE, "civil-aviation", "ticket sale", EARLIER_DAY)
    assert (earlier.applies, earlier.because, earlier.catalogue_version) == (
        True,
        "list:blacklist",
        1,
    )
    today = two_versions.check(PERSON, MEASURE, "civil-aviation", "ticket sale")
    assert (today.applies, today.because, today.catalogue_version) == (False, None, 2)


def test_a_party_that_lost_the_measure_may_not_check_an_earlier_day(
    two_versions: Registry,
) -> None:
    with pytest.raises(
        Refused, match="'railway' may not rely on measure 'no_air_travel'; who may: civil-aviation"
    ):
        two_versions.check(PERSON, MEASURE, "railway", "ticket sale", EARLIER_DAY)
    (subject_file,) = two_versions.subject_files(PERSON, EARLIER_DAY, "v", "p", "cli")
    assert [view.viewer for view in subject_file.views] == ["v"]  # the refusal is not logged


def test_a_party_named_only_by_todays_version_may_check_an_earlier_day(
    two_versions: Registry,
) -> None:
    answer = two_versions.check(PERSON, MEASURE, "airport", "boarding", EARLIER_DAY)
    assert (answer.applies, answer.because, answer.catalogue_version) == (
        True,
        "list:blacklist",
        1,
    )


def test_scs_check_judges_the_party_by_todays_version(store_url: str, tmp_path: Path) -> None:
    registry = Registry(Store.open(store_url))  # the machine's clock, as the command's
    try:
        publish_two_versions(registry, tmp_path)
    finally:
        registry.close()
    runner = CliRunner()

    def check(party: str) -> object:
        arguments = ["check", PERSON, "--measure", MEASURE, "--party", party]
        arguments += ["--purpose", "ticket sale", "--as-of", str(EARLIER_DAY), "--json"]
        return runner.invoke(app, [*arguments, "--db", store_url], catch_exceptions=False)

    lost = check("railway")
    assert lost.exit_code == 1 and "'railway' may not rely on measure" in lost.stderr
    gained = check("airport")
    assert gained.exit_code == 0, gained.stderr
    assert json.loads(gained.stdout) == {
        "measure": MEASURE,
        "as_of": str(EARLIER_DAY),
        "applies": True,
        "because": "list:blacklist",
        "catalogue_version": 1,
    }
