"""SPEC §11 at publication: a catalogue's jurisdiction, the national catalogue and the floors a
local catalogue sets on national lists."""

from __future__ import annotations

import pytest

from socialcredit.catalogue.validation import StoreContext, validate_catalogue
from socialcredit.domain.catalogue import DEFAULT_JURISDICTION, NATIONAL
from tests.helpers import catalogue_document, city_document, national_document

NATIONAL_LISTS = StoreContext(national_lists=frozenset({"dishonest_debtors"}))


def test_a_catalogue_without_a_jurisdiction_belongs_to_default() -> None:
    report = validate_catalogue(catalogue_document())
    assert report.valid and report.catalogue is not None
    assert report.catalogue.jurisdiction == DEFAULT_JURISDICTION
    assert not report.catalogue.national


@pytest.mark.parametrize("name", ["nanyang", "city-2", "a", "x9-y"])
def test_a_jurisdiction_is_lowercase_letters_digits_and_hyphens(name: str) -> None:
    report = validate_catalogue(city_document(name))
    assert report.valid, report.problems
    assert report.catalogue is not None and report.catalogue.jurisdiction == name


@pytest.mark.parametrize("name", ["Nanyang", "nan yang", "南阳", "nan_yang", "", "a.b", 7])
def test_any_other_jurisdiction_is_refused_by_name(name: object) -> None:
    problems = validate_catalogue(catalogue_document(jurisdiction=name)).problems
    assert any(problem.startswith("jurisdiction:") for problem in problems), problems


def test_the_national_catalogue_is_valid() -> None:
    report = validate_catalogue(national_document())
    assert report.valid, report.problems
    catalogue = report.catalogue
    assert catalogue is not None and catalogue.national and catalogue.jurisdiction == NATIONAL
    assert catalogue.base_score is None and catalogue.tiers == []


def test_the_national_catalogue_scores_nobody_and_ranks_nobody() -> None:
    document = national_document(
        base_score=1000,
        tiers=[{"name": "A", "min": 900}, {"name": "B"}],
        national_floors={"dishonest_debtors": 100},
    )
    document["lists"]["low"] = {"title": "Low", "score_below": 600}
    document["items"][0]["points"] = -5
    document["items"][0]["severity"] = "serious"
    problems = validate_catalogue(document).problems
    for fragment in (
        "base_score: the national catalogue has none",
        "tiers: the national catalogue has none",
        "national_floors: the national catalogue has none",
        "list 'low': a national list has no score threshold",
        "item 'national.judgment_debtor': points -5; every national item has points 0",
    ):
        assert any(problem.startswith(fragment) for problem in problems), (fragment, problems)


@pytest.mark.parametrize("key", ["base_score", "tiers"])
def test_a_local_catalogue_needs_a_base_score_and_tiers(key: str) -> None:
    document = city_document("nanyang")
    del document[key]
    assert f"{key}: missing field" in validate_catalogue(document).problems


def test_a_local_catalogue_needs_at_least_one_tier() -> None:
    problems = validate_catalogue(city_document("nanyang", tiers=[])).problems
    assert "tiers: a local catalogue needs at least one tier" in problems


def test_floors_name_the_national_lists_of_the_store() -> None:
    document = city_document("nanyang", national_floors={"dishonest_debtors": 150})
    report = validate_catalogue(document, context=NATIONAL_LISTS)
    assert report.valid, report.problems
    assert report.catalogue is not None
    assert report.catalogue.national_floors == {"dishonest_debtors": 150}
    assert report.catalogue.floor_for(["dishonest_debtors", "other"]) == 150
    assert report.catalogue.floor_for(["other"]) is None


def test_a_floor_on_an_unknown_national_list_is_refused() -> None:
    document = city_document("nanyang", national_floors={"blacklist": 150})
    problems = validate_catalogue(document, context=NATIONAL_LISTS).problems
    assert problems == [
        "national_floors: 'blacklist' is not a national list (declared: dishonest_debtors)"
    ]


def test_a_floor_before_any_national_catalogue_is_refused() -> None:
    document = city_document("nanyang", national_floors={"dishonest_debtors": 150})
    (problem,) = validate_catalogue(document).problems
    assert problem.startswith("national_floors: 'dishonest_debtors': no national catalogue")


def test_a_floor_is_a_score() -> None:
    document = city_document("nanyang", national_floors={"dishonest_debtors": "low"})
    problems = validate_catalogue(document, context=NATIONAL_LISTS).problems
    assert any(problem.startswith("national_floors.dishonest_debtors:") for problem in problems)


def test_a_source_of_another_jurisdiction_is_refused() -> None:
    context = StoreContext(sources_elsewhere={"nanyang-court": "nanyang"})
    document = city_document("rongcheng")
    document["sources"]["nanyang-court"] = {"name": "Nanyang court"}
    problems = validate_catalogue(document, context=context).problems
    assert problems == [
        "source 'nanyang-court': declared by jurisdiction 'nanyang'; a source belongs to one "
        "jurisdiction and its code is unique in the store"
    ]
    # Its own jurisdiction may declare it again in a later version.
    assert validate_catalogue(city_document("nanyang"), context=context).valid


def test_within_a_jurisdiction_the_catalogue_keeps_its_name() -> None:
    previous = validate_catalogue(catalogue_document(catalog="rongcheng")).catalogue
    document = catalogue_document(2, "2025-01-01", catalog="nanyang")
    problems = validate_catalogue(document, previous).problems
    assert problems == [
        "catalog: jurisdiction 'default' publishes 'rongcheng', not 'nanyang'; name another "
        "jurisdiction (`jurisdiction: ...`) to publish another catalogue"
    ]
