"""The demo nation (SPEC §11) on the generated data alone, without a store: the national
catalogue, three cities with catalogues of their own, subjects in two cities, the court's
national list in all three, and each city and the nation within the realism ranges, scored
with the project's batch scorer."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from socialcredit.catalogue.validation import StoreContext, validate_catalogue
from socialcredit.synth.catalogue import NATIONAL_LISTS
from socialcredit.synth.nation import (
    NationPlan,
    NationRecords,
    NationResult,
    draw_nation,
    local_catalogue,
    score_nation,
)
from socialcredit.synth.national import NATIONAL_ITEM_OF, national_catalogue

TODAY = dt.date(2026, 12, 3)
PLAN = NationPlan(today=TODAY).scaled(0.03)


@pytest.fixture(scope="module")
def drawn() -> NationRecords:
    return draw_nation(PLAN)


@pytest.fixture(scope="module")
def scored(drawn: NationRecords) -> NationResult:
    return score_nation(drawn)


def test_the_national_catalogue_scores_nobody_and_names_the_law_of_each_sanction() -> None:
    document = national_catalogue().document(PLAN.effective_from)
    assert document["jurisdiction"] == "national"
    assert "base_score" not in document and "tiers" not in document
    assert {item["points"] for item in document["items"]} == {0}
    assert not any("severity" in item for item in document["items"])
    assert set(document["lists"]) == set(NATIONAL_LISTS)
    assert all(set(entry) == {"title", "titles"} for entry in document["lists"].values())
    assert {measure["code"] for measure in document["measures"]} >= {
        "no_air_travel",
        "no_high_speed_rail",
        "tax_inspection_priority",
    }
    for measure in document["measures"]:
        assert measure["kind"] == "sanction" and measure["legal_basis"]
        assert measure["applies_to"]["list"] in NATIONAL_LISTS
    # The court's list is the court's, the tax list the tax administration's.
    issuers = {item["code"]: item["issuers"] for item in document["items"]}
    assert issuers["national.dishonest_debtor"] == ["supreme-court"]
    assert issuers["national.major_tax_violator_organization"] == ["tax-administration"]


def test_three_cities_with_catalogues_of_their_own() -> None:
    documents = [plan.catalogue.document(PLAN.effective_from) for plan in PLAN.city_plans]
    assert [document["jurisdiction"] for document in documents] == [
        "rongcheng",
        "nanyang",
        "suqian",
    ]
    assert len({document["base_score"] for document in documents}) == 3
    assert (
        len({tuple(tier.get("min") for tier in document["tiers"]) for document in documents}) == 3
    )
    assert (
        len({frozenset(item["code"] for item in document["items"]) for document in documents}) == 3
    )
    points = [
        {item["code"]: item["points"] for item in document["items"]}["traffic.drunk_driving"]
        for document in documents
    ]
    assert len(set(points)) == 3
    # Only Nanyang and Suqian set floors, on national lists; no city declares a national list.
    assert [document.get("national_floors") for document in documents] == [
        None,
        {"dishonest_debtors": 150, "major_tax_violators": 150},
        {"dishonest_debtors": 40},
    ]
    for document in documents:
        assert not set(document["lists"]) & set(NATIONAL_LISTS)
        assert not any(
            set(item.get("lists", ())) & set(NATIONAL_LISTS) for item in document["items"]
        )
    # A source code is unique in the store: each city's are its own, and none is national.
    sources = [set(document["sources"]) for document in documents]
    sources.append(set(national_catalogue().sources))
    assert sum(len(codes) for codes in sources) == len(set().union(*sources))
    # Each publishes as a local catalogue (its floors are judged against the national lists
    # of the store, so they are left out when it is judged alone).
    for plan in PLAN.city_plans:
        assert (
            local_catalogue(plan.catalogue, PLAN.effective_from).base_score == plan.city.base_score
        )
    alone = PLAN.city_plans[0].catalogue.document(PLAN.effective_from)
    assert validate_catalogue(alone).problems == []


def test_every_catalogue_of_the_nation_passes_publication() -> None:
    national = national_catalogue().document(PLAN.effective_from)
    assert validate_catalogue(national).problems == []
    context = StoreContext(national_lists=frozenset(national["lists"]))
    for plan in PLAN.city_plans:
        document = plan.catalogue.document(PLAN.effective_from)
        assert validate_catalogue(document, context=context).problems == [], plan.city.name
    # Without the national catalogue, a city's floors name lists the store does not declare.
    nanyang = PLAN.city_plans[1].catalogue.document(PLAN.effective_from)
    assert validate_catalogue(nanyang).problems != []


def test_each_source_issues_only_its_own_sectors_items(drawn: NationRecords) -> None:
    specs = [plan.catalogue for plan in PLAN.city_plans] + [national_catalogue()]
    frames = [*drawn.records, drawn.national]
    for spec, records in zip(specs, frames, strict=True):
        sector_of_item = {item.code: item.sector for item in spec.items}
        sectors = records.select(
            pl.col("source").replace_strict(spec.sector_of_source).alias("source_sector"),
            pl.col("item").replace_strict(sector_of_item).alias("item_sector"),
        )
        assert sectors.height > 0
        assert sectors.filter(pl.col("source_sector") != pl.col("item_sector")).height == 0
        # And every item names as issuers the sources of one sector only.
        for item in spec.items:
            assert len({spec.sector_of_source[issuer] for issuer in spec.issuers_of(item)}) == 1


def test_every_national_record_is_a_citys_decision_on_the_same_act(
    drawn: NationRecords,
) -> None:
    leads = pl.concat(drawn.records).filter(pl.col("item").is_in(list(NATIONAL_ITEM_OF)))
    assert leads["act"].null_count() == 0 and leads["act"].n_unique() == leads.height
    joined = drawn.national.join(
        leads.select("act", "subject_id", "kind", pl.col("decided_on").alias("city_day"), "item"),
        on="act",
        suffix="_city",
    )
    assert joined.height == drawn.national.height > 0
    assert (joined["subject_id"] == joined["subject_id_city"]).all()
    assert (joined["item"] == joined["item_city"].replace_strict(NATIONAL_ITEM_OF)).all()
    assert (joined["decided_on"] == joined["city_day"]).all()
    assert (drawn.national["decided_on"] <= TODAY).all()


def test_some_subjects_have_records_in_two_cities(drawn: NationRecords) -> None:
    cities = [set(records["subject_id"]) for records in drawn.records]
    assert len(cities[0] & cities[1]) > 0 and len((cities[0] | cities[1]) & cities[2]) > 0


def test_each_city_and_the_nation_look_like_real_ones(scored: NationResult) -> None:
    for city in scored.cities:
        outside = [
            f"{figure.name}: {figure.shown} not in {figure.shown_range}"
            for figure in city.realism
            if not figure.inside
        ]
        assert outside == [], city.city.name
        figures = {figure.name: figure.value for figure in city.realism}
        assert 0.005 <= figures["persons on a list that carries a sanction, of residents"] <= 0.02
        assert figures["organizations on a list that carries a sanction, of organizations"] <= 0.05
        assert 0.10 <= figures["merits (records of items with positive points), of records"] <= 0.2
        assert city.scores["score"].min() >= 0
    outside = [figure.name for figure in scored.realism if not figure.inside]
    assert outside == []
    nation = {figure.name: figure.value for figure in scored.realism}
    assert nation["cities whose files show the court's national list"] == 3
    assert nation["files showing a national listing that another city decided"] >= 1
    assert nation["records a source issued outside its sector"] == 0


def test_the_floors_hold_where_a_city_sets_them(scored: NationResult) -> None:
    for city in scored.cities:
        listed = city.scores.filter(pl.col("lists").str.contains("national.dishonest_debtors"))
        assert listed.height > 0, city.city.name
        floor = city.spec.national_floors.get("dishonest_debtors")
        if floor is not None:
            assert listed["score"].max() <= floor
            assert set(listed["tier"]) == {city.catalogue.tiers[-1].name}
            assert listed["lists"].str.contains("low_score").all()
            assert not listed["lists"].str.contains("redlist").any()
    # Rongcheng sets no floor: someone listed through another city's court keeps the score
    # Rongcheng's own records give.
    rongcheng = scored.cities[0].scores.filter(
        pl.col("lists").str.contains("national.dishonest_debtors")
    )
    assert rongcheng["score"].max() > 150


def test_the_same_seed_draws_the_same_nation(drawn: NationRecords) -> None:
    again = draw_nation(PLAN)
    assert all(a.equals(b) for a, b in zip(again.records, drawn.records, strict=True))
    assert again.national.equals(drawn.national)


def test_no_decision_that_lists_nationally_is_revoked(tmp_path) -> None:
    """A revocation would have to reach the national record too: the generator revokes none of
    the decisions that lead to a national list (nor the national records)."""
    from socialcredit.ingest.readers import RecordFile
    from socialcredit.synth.nation import write_nation

    manifest, _ = write_nation(NationPlan(today=TODAY).scaled(0.01), tmp_path)
    revoked = 0
    for name, place in {"national": manifest.national, **manifest.cities}.items():
        for source in place.sources:
            for chunk in RecordFile.open(tmp_path / name / source.file).chunks():
                if "status" not in chunk.columns:
                    continue
                gone = chunk.filter(pl.col("status") == "revoked")
                revoked += gone.height
                listing = set(NATIONAL_ITEM_OF) | set(NATIONAL_ITEM_OF.values())
                assert not gone["item"].is_in(sorted(listing)).any(), source.source
    assert revoked > 0
