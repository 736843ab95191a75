"""The demo's catalogue follows SPEC §10: severities and their windows, repeats, items that
cannot be repaired, measures with a kind and a legal basis, sanctions only on lists entered
through items; each item issued by one sector; nothing on a prohibited ground, and no measure
that reaches a relative."""

from __future__ import annotations

import datetime as dt

from socialcredit.catalogue.prohibited import find_prohibited_ground
from socialcredit.catalogue.validation import validate_catalogue
from socialcredit.synth.catalogue import (
    ITEMS,
    MEASURES,
    SANCTION_LISTS,
    SECTOR_OF_SOURCE,
    SECTORS,
    SOURCES,
    catalogue_document,
)
from socialcredit.synth.catalogue_chinese import MEASURE_TITLES
from socialcredit.synth.scale import RONGCHENG

DOCUMENT = catalogue_document(RONGCHENG, dt.date(2023, 10, 1))
SEVERITY_WINDOWS_DAYS = {"minor": (1, 90), "ordinary": (90, 365), "serious": (365, 1095)}
# What a measure that reaches the subject's family would say (SPEC §10.5), in both languages.
RELATIVES = (
    "family",
    "child",
    "spouse",
    "parent",
    "relative",
    "子女",
    "配偶",
    "父母",
    "亲属",
    "家属",
)


def test_every_negative_item_names_a_severity_and_counts_within_its_window() -> None:
    for item in DOCUMENT["items"]:
        if item["points"] < 0:
            low, high = SEVERITY_WINDOWS_DAYS[item["severity"]]
            assert low <= item["counts_for_days"] <= high, item["code"]
        else:
            assert "severity" not in item, item["code"]
        assert item["counts_for_days"] <= 1095, item["code"]
    severities = {item["severity"] for item in DOCUMENT["items"] if item["points"] < 0}
    assert severities == set(SEVERITY_WINDOWS_DAYS)


def test_a_few_items_escalate_repeats_and_a_few_cannot_be_repaired() -> None:
    repeats = [item for item in DOCUMENT["items"] if "repeat" in item]
    assert 3 <= len(repeats) <= 12
    for item in repeats:
        assert item["points"] < 0
        assert item["repeat"]["within_days"] >= 1 and 2 <= item["repeat"]["factor"] <= 5
    assert any(item["code"].startswith("traffic.") for item in repeats)
    unrepairable = [item for item in DOCUMENT["items"] if item.get("repairable") is False]
    assert 1 <= len(unrepairable) <= 5
    assert all(item["severity"] == "serious" for item in unrepairable)


def test_sanctions_apply_only_to_lists_entered_through_serious_items() -> None:
    lists = DOCUMENT["lists"]
    entered = {name for item in DOCUMENT["items"] for name in item.get("lists", [])}
    assert "score_below" not in lists["blacklist"]
    for measure in DOCUMENT["measures"]:
        assert measure["kind"] in ("sanction", "reward"), measure["code"]
        assert measure["legal_basis"].strip(), measure["code"]
        if measure["kind"] == "sanction":
            target = measure["applies_to"].get("list")
            assert target is not None, measure["code"]  # never a tier
            assert not {"score_below", "score_at_least"} & set(lists[target]), measure["code"]
            assert target in entered, measure["code"]
    for item in DOCUMENT["items"]:
        if set(item.get("lists", [])) & SANCTION_LISTS:
            assert item["severity"] == "serious", item["code"]
    by_score = {name for name, definition in lists.items() if "score_below" in definition}
    assert by_score == {"low_score"}
    assert SANCTION_LISTS == {
        measure["applies_to"]["list"]
        for measure in DOCUMENT["measures"]
        if measure["kind"] == "sanction"
    }


def test_the_catalogue_names_its_jurisdiction_and_publishes() -> None:
    assert DOCUMENT["jurisdiction"] == RONGCHENG.jurisdiction == "rongcheng"
    report = validate_catalogue(DOCUMENT)
    assert report.valid, report.problems


def test_each_item_is_issued_by_the_sources_of_one_sector() -> None:
    assert sorted(SECTOR_OF_SOURCE) == sorted(SOURCES)
    assert sum(len(sources) for sources in SECTORS.values()) == len(SOURCES)
    for item in DOCUMENT["items"]:
        sectors = {SECTOR_OF_SOURCE[issuer] for issuer in item["issuers"]}
        assert len(sectors) == 1, item["code"]
    heating = next(item for item in ITEMS if item.code == "utility.heating_arrears")
    water = next(item for item in ITEMS if item.code == "utility.water_arrears")
    assert heating.sector != water.sector
    traffic = [item for item in DOCUMENT["items"] if item["code"].startswith("traffic.")]
    assert all(SECTOR_OF_SOURCE[issuer] == "traffic" for i in traffic for issuer in i["issuers"])


def test_no_measure_is_on_a_prohibited_ground_or_reaches_a_relative() -> None:
    for measure in MEASURES:
        texts = (measure.code, measure.title, MEASURE_TITLES[measure.code])
        assert find_prohibited_ground(*texts) is None, measure.code
        lowered = " ".join(texts).lower()
        assert not any(word in lowered for word in RELATIVES), measure.code
