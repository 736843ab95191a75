"""SPEC §3 is silent on how large a catalogue's numbers may be; the scorers are not. Every
number outside what they represent is refused at publication, naming the item and field."""

from __future__ import annotations

import pytest

from socialcredit.catalogue.validation import validate_catalogue
from socialcredit.domain.catalogue import (
    MAX_CAP_PER_YEAR,
    MAX_COUNTS_FOR_DAYS,
    MAX_ITEM_POINTS,
    MAX_SCORE_MAGNITUDE,
)
from tests.helpers import catalogue_document


def problems_of(document) -> list[str]:
    return validate_catalogue(document).problems


def test_the_bounds_themselves_are_published() -> None:
    document = catalogue_document(base_score=-MAX_SCORE_MAGNITUDE)
    document["items"][0]["points"] = -MAX_ITEM_POINTS
    document["items"][1]["points"] = MAX_ITEM_POINTS
    del document["items"][1]["severity"]  # a merit names none (SPEC §10.1)
    document["items"][2]["counts_for_days"] = MAX_COUNTS_FOR_DAYS
    document["items"][2]["cap_per_year"] = MAX_CAP_PER_YEAR
    document["tiers"][0]["min"] = MAX_SCORE_MAGNITUDE
    document["tiers"][4]["min"] = -MAX_SCORE_MAGNITUDE
    document["lists"]["low_score"]["score_below"] = -MAX_SCORE_MAGNITUDE
    document["lists"]["redlist"]["score_at_least"] = MAX_SCORE_MAGNITUDE
    assert problems_of(document) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("points", MAX_ITEM_POINTS + 1),
        ("points", -MAX_ITEM_POINTS - 1),
        ("points", 2**63 - 1),
        ("counts_for_days", MAX_COUNTS_FOR_DAYS + 1),
        ("counts_for_days", 2**31),
        ("cap_per_year", MAX_CAP_PER_YEAR + 1),
        ("cap_per_year", 2**64),
    ],
)
def test_an_item_number_beyond_the_scorer_is_refused(field: str, value: int) -> None:
    document = catalogue_document()
    document["items"][1][field] = value
    problems = problems_of(document)
    assert any(
        problem.startswith(f"item 'court.judgment_default' (items[1]): {field}:")
        for problem in problems
    ), problems


@pytest.mark.parametrize("value", [MAX_SCORE_MAGNITUDE + 1, -MAX_SCORE_MAGNITUDE - 1, 2**70])
def test_a_score_number_beyond_the_scorer_is_refused(value: int) -> None:
    document = catalogue_document(base_score=value)
    document["tiers"][1]["min"] = value
    document["lists"]["blacklist"]["score_below"] = value
    document["lists"]["redlist"]["score_at_least"] = value
    problems = problems_of(document)
    for where in (
        "base_score:",
        "tiers.1.min:",
        "lists.blacklist.score_below:",
        "lists.redlist.score_at_least:",
    ):
        assert any(problem.startswith(where) for problem in problems), (where, problems)


def test_an_item_with_one_bad_field_still_has_its_other_checks() -> None:
    document = catalogue_document()
    item = document["items"][0]
    item["points"] = 2.5  # a bad field: the item cannot be typed
    item["issuers"] = ["nobody"]
    item["lists"] = ["greylist"]
    item["title"] = "Criticized the government online"
    problems = problems_of(document)
    name = "item 'traffic.red_light'"
    assert any(problem.startswith(f"{name} (items[0]): points") for problem in problems), problems
    assert f"{name}: issuer 'nobody' is not a declared source" in problems
    assert f"{name}: list 'greylist' is not declared" in problems
    assert any(problem.startswith(f"{name}: scores a prohibited ground") for problem in problems)


def test_an_item_without_a_code_is_still_checked_by_position() -> None:
    document = catalogue_document()
    del document["items"][3]["code"]
    document["items"][3]["lists"] = ["greylist"]
    problems = problems_of(document)
    assert "items[3]: code: missing field" in problems
    assert "items[3]: list 'greylist' is not declared" in problems


def test_items_are_checked_even_when_the_head_is_broken() -> None:
    document = catalogue_document(base_score="high")
    document["items"][0]["issuers"] = ["nobody"]
    problems = problems_of(document)
    assert any(problem.startswith("base_score:") for problem in problems)
    assert "item 'traffic.red_light': issuer 'nobody' is not a declared source" in problems
