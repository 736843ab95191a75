"""SPEC §11 through the registry, on both stores: each city's files, the national lists in
every city's output, floors, every local file of a subject, the public record of an
organization and the organizations on a national list, and checks of local and national
measures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from socialcredit.domain.jurisdictions import JurisdictionRequired
from socialcredit.registry import Refused, Registry
from tests.helpers import (
    ORGANIZATION,
    OTHER_PERSON,
    PERSON,
    catalogue_yaml,
    city_document,
    national_document,
    record,
    write_records,
)

DAY = dt.date(2025, 6, 1)


@pytest.fixture
def nation(registry: Registry, tmp_path: Path) -> Registry:
    """The nation and two cities. PERSON: a court judgment in Alpha, volunteering in Beta, and
    the national list of dishonest debtors (Beta floors it at 150). ORGANIZATION: tax arrears in
    Alpha and on the national list of major tax violators. OTHER_PERSON: only nationally."""
    floors = {"national_floors": {"dishonest_debtors": 150}}
    for document in (
        national_document(),
        city_document("alpha"),
        city_document("beta", base_score=800, **floors),
    ):
        result = registry.publish_catalogue(catalogue_yaml(document))
        assert result.report.problems == []
    files = {
        "alpha-court": [record("a1", "court.judgment_default", PERSON, "2025-01-10")],
        "alpha-tax-office": [record("a2", "tax.arrears_major", ORGANIZATION, "2025-02-01")],
        "beta-charity": [record("b1", "charity.volunteer_hour", PERSON, "2025-03-01", quantity=5)],
        "supreme-court": [
            record("n1", "national.judgment_debtor", PERSON, "2025-04-01"),
            record("n2", "national.judgment_debtor", OTHER_PERSON, "2025-04-01"),
        ],
        "state-tax": [record("n3", "national.major_tax_violation", ORGANIZATION, "2025-05-01")],
    }
    for source, rows in files.items():
        result = registry.ingest(write_records(tmp_path / f"{source}.csv", rows), source)
        assert result.counts.rejected == 0, result.rejects_path.read_text()
    return registry


def test_each_city_scores_its_own_sources_with_the_national_lists(nation: Registry) -> None:
    assert nation.score_all(DAY, "alpha").rows() == [
        (PERSON, "person", 900, "B", "blacklist;national.dishonest_debtors"),
        (ORGANIZATION, "organization", 850, "C", "national.major_tax_violators;tax_arrears"),
    ]
    # Beta: base 800 + 5 volunteering = 805, floored to 150 by the national listing; the
    # tier and the score list follow the floored score.
    assert nation.score_all(DAY, "beta").rows() == [
        (PERSON, "person", 150, "D", "low_score;national.dishonest_debtors")
    ]
    # Before the national record, no floor.
    assert nation.score_all(dt.date(2025, 3, 15), "beta").rows() == [
        (PERSON, "person", 805, "D", "low_score")
    ]
    with pytest.raises(JurisdictionRequired, match="alpha, beta"):
        nation.score_all(DAY)


def test_a_subject_has_a_file_in_each_city_where_it_has_records(nation: Registry) -> None:
    files = nation.subject_files(PERSON, DAY, "auditor", "inspection", "cli")
    assert [(f.document.jurisdiction, f.document.score) for f in files] == [
        ("alpha", 900),
        ("beta", 150),
    ]
    listing = next(
        entry for entry in files[1].document.listings if entry.list == "national.dishonest_debtors"
    )
    assert (listing.source, listing.reference, listing.decided_on) == (
        "supreme-court",
        "DOC-n1",
        dt.date(2025, 4, 1),
    )
    assert listing.published_until == dt.date(2025, 4, 1) + dt.timedelta(days=1094)
    (only,) = nation.subject_files(PERSON, DAY, "auditor", "inspection", "cli", "beta")
    assert only.score.score_before_floor == 805
    # Only nationally listed: no local file, the national lists all the same.
    assert nation.subject_files(OTHER_PERSON, DAY, "auditor", "inspection", "cli") == []
    assert [entry.list for entry in nation.national_listings(OTHER_PERSON, DAY)] == [
        "national.dishonest_debtors"
    ]


def test_the_public_record_of_an_organization(nation: Registry) -> None:
    record_ = nation.organization_record(ORGANIZATION, DAY, "alpha")
    assert record_ is not None
    assert record_.lists == ["national.major_tax_violators", "tax_arrears"]
    assert [(e.list, e.source, e.reference) for e in record_.listings] == [
        ("tax_arrears", "alpha-tax-office", "DOC-a2"),
        ("national.major_tax_violators", "state-tax", "DOC-n3"),
    ]
    # Without a city, in a store of several: the national lists.
    national = nation.organization_record(ORGANIZATION, DAY)
    assert national is not None and national.lists == ["national.major_tax_violators"]
    assert national.jurisdiction is None


def test_the_organizations_on_a_national_list(nation: Registry) -> None:
    assert nation.national_list_members("major_tax_violators", DAY) == (1, [ORGANIZATION])
    assert nation.national_list_members("major_tax_violators", DAY, search="m0001") == (
        1,
        [ORGANIZATION],
    )
    assert nation.national_list_members("major_tax_violators", DAY, search="ZZZ") == (0, [])
    # Persons are never listed publicly.
    assert nation.national_list_members("dishonest_debtors", DAY) == (0, [])
    with pytest.raises(Refused, match="unknown national list 'blacklist'"):
        nation.national_list_members("blacklist", DAY)


def test_a_check_finds_the_measure_in_the_city_or_the_nation(nation: Registry) -> None:
    answer = nation.check(OTHER_PERSON, "no_high_speed_rail", "railway", "ticket", DAY)
    assert (answer.applies, answer.because) == (True, "list:national.dishonest_debtors")
    answer = nation.check(ORGANIZATION, "no_high_speed_rail", "railway", "ticket", DAY)
    assert not answer.applies
    local = nation.check(
        PERSON, "no_air_travel", "civil-aviation", "ticket", DAY, jurisdiction="alpha"
    )
    assert (local.applies, local.because) == (True, "list:blacklist")
    with pytest.raises(JurisdictionRequired):
        nation.check(PERSON, "no_air_travel", "civil-aviation", "ticket", DAY)


def test_the_jurisdictions_are_listed(nation: Registry) -> None:
    summaries = nation.jurisdiction_summaries(DAY)
    assert [(s.jurisdiction, s.national, s.version) for s in summaries] == [
        ("alpha", False, 1),
        ("beta", False, 1),
        ("national", True, 1),
    ]
