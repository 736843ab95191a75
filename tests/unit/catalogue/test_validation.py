from __future__ import annotations

import copy

import pytest

from socialcredit.catalogue.validation import (
    parse_catalogue_text,
    validate_catalogue,
)
from tests.conftest import EXAMPLE_DIRECTORY
from tests.helpers import catalogue_document


def problems_of(document, previous=None) -> list[str]:
    return validate_catalogue(document, previous).problems


def test_the_example_catalogues_are_valid() -> None:
    for name in ("catalog-v1.yaml", "catalog-v2.yaml"):
        document, syntax = parse_catalogue_text((EXAMPLE_DIRECTORY / name).read_text())
        assert syntax == []
        report = validate_catalogue(document)
        assert report.valid, report.problems


def test_a_valid_catalogue_is_typed() -> None:
    report = validate_catalogue(catalogue_document())
    assert report.valid
    catalogue = report.catalogue
    assert catalogue is not None
    assert catalogue.effective_from.isoformat() == "2024-01-01"
    assert catalogue.items[2].cap_per_year == 30
    assert catalogue.tier_for(1000) == "AA" and catalogue.tier_for(10) == "D"
    assert catalogue.threshold_lists(849) == {"low_score"}


def test_every_problem_is_reported_at_once_and_names_the_item() -> None:
    document = catalogue_document()
    items = document["items"]
    del items[0]["legal_basis"]  # a missing field
    items[1]["points"] = 2.5  # a non-integer
    items[2]["counts_for_days"] = 0  # below 1
    items[3]["issuers"] = ["nobody"]  # not declared
    items[3]["lists"] = ["greylist"]  # not declared
    items.append(copy.deepcopy(items[1]))  # a duplicate code
    problems = problems_of(document)
    expected = [
        "item 'traffic.red_light' (items[0]): legal_basis: missing field",
        "item 'court.judgment_default' (items[1]): points",
        "item 'charity.volunteer_hour' (items[2]): counts_for_days",
        "item 'court.judgment_default': duplicate item code",
    ]
    for fragment in expected:
        assert any(problem.startswith(fragment) for problem in problems), (fragment, problems)
    assert "item 'tax.arrears_major': issuer 'nobody' is not a declared source" in problems
    assert "item 'tax.arrears_major': list 'greylist' is not declared" in problems


@pytest.mark.parametrize("points", ["5", True, 1.0, None])
def test_points_must_be_an_integer(points) -> None:
    document = catalogue_document()
    document["items"][0]["points"] = points
    assert any("points" in problem for problem in problems_of(document))


def test_tiers_must_descend_strictly_and_end_without_a_min() -> None:
    document = catalogue_document(
        tiers=[{"name": "A", "min": 900}, {"name": "B", "min": 900}, {"name": "C", "min": 10}]
    )
    problems = problems_of(document)
    assert any("strictly descending" in problem for problem in problems)
    assert any("the last tier must have no min" in problem for problem in problems)


def test_a_middle_tier_needs_a_min() -> None:
    document = catalogue_document(tiers=[{"name": "A", "min": 900}, {"name": "B"}, {"name": "C"}])
    assert any("every tier but the last needs a min" in p for p in problems_of(document))


def test_measures_must_name_declared_lists_and_tiers() -> None:
    document = catalogue_document(
        measures=[
            {"code": "m1", "title": "One", "applies_to": {"list": "nolist"}},
            {"code": "m2", "title": "Two", "applies_to": {"tiers": ["AAA", "ZZZ"]}},
            {"code": "m3", "title": "Three", "applies_to": {"tier": "D", "list": "blacklist"}},
        ]
    )
    problems = problems_of(document)
    assert "measure 'm1': list 'nolist' is not declared" in problems
    assert "measure 'm2': tier 'ZZZ' is not declared" in problems
    assert any("exactly one of list, tier, tiers" in problem for problem in problems)


def test_versions_must_move_forward() -> None:
    first = validate_catalogue(catalogue_document(version=2, effective_from="2024-06-01")).catalogue
    assert first is not None
    problems = problems_of(catalogue_document(version=2, effective_from="2024-06-01"), first)
    assert any(problem.startswith("version: 2 is not higher") for problem in problems)
    assert any(
        problem.startswith("effective_from: 2024-06-01 is not later") for problem in problems
    )
    renamed = catalogue_document(version=3, effective_from="2025-01-01", catalog="other-city")
    assert any(problem.startswith("catalog:") for problem in problems_of(renamed, first))
    assert problems_of(catalogue_document(version=3, effective_from="2025-01-01"), first) == []


def test_syntax_errors_and_wrong_shapes_are_problems() -> None:
    _, syntax = parse_catalogue_text("items: [1,\n")
    assert syntax and syntax[0].startswith("not valid YAML")
    assert problems_of(["a", "list"]) == ["the catalogue must be a YAML mapping"]
    assert "items: must be a list" in problems_of({"items": "nope"})
    missing = problems_of({})
    for field in (
        "catalog",
        "version",
        "effective_from",
        "base_score",
        "tiers",
        "sources",
        "items",
    ):
        assert any(problem.startswith(f"{field}: missing field") for problem in missing), field


def test_unknown_keys_are_warnings_not_problems() -> None:
    document = catalogue_document()
    document["items"][0]["category"] = "traffic"
    report = validate_catalogue(document)
    assert report.valid
    assert report.warnings == [
        "item 'traffic.red_light' (items[0]): unknown key 'category' is ignored"
    ]


def test_a_prohibited_item_is_refused_with_its_ground() -> None:
    document = catalogue_document()
    document["items"][0]["title"] = "Criticized the government online"
    problems = problems_of(document)
    assert any(
        problem.startswith("item 'traffic.red_light': scores a prohibited ground")
        for problem in problems
    ), problems


@pytest.mark.parametrize(
    "effective_from",
    [
        "2024-01-01T00:00:00",
        "2024-01-01T00:00:00Z",
        "2024-01-01 10:00",
        "20240101",
        20240101,
        "2024-1-1",
        "2024-02-30",
    ],
)
def test_effective_from_is_a_day_as_yyyy_mm_dd_and_nothing_looser(effective_from) -> None:
    document = catalogue_document()
    document["effective_from"] = effective_from
    problems = problems_of(document)
    assert [problem for problem in problems if problem.startswith("effective_from:")], problems
    assert any("YYYY-MM-DD" in problem for problem in problems)


def test_effective_from_as_yaml_reads_it_is_accepted() -> None:
    text = "effective_from: 2024-01-01\n"
    document, syntax = parse_catalogue_text(text)
    assert syntax == []
    whole = catalogue_document() | {"effective_from": document["effective_from"]}
    assert validate_catalogue(whole).valid


@pytest.mark.parametrize(
    "where", ["catalog", "item code", "item title", "legal basis", "source name"]
)
def test_control_characters_in_published_text_are_refused(where: str) -> None:
    document = catalogue_document()
    item = document["items"][0]
    if where == "catalog":
        document["catalog"] = "city\x00"
    elif where == "item code":
        item["code"] = "traffic.\x1bred"
    elif where == "item title":
        item["title"] = "Ran a red\x00light"
    elif where == "legal basis":
        item["legal_basis"] = "Road Traffic Safety Law\x7f"
    else:
        first = next(iter(document["sources"]))
        document["sources"][first]["name"] = "Traffic\x00police"
    problems = problems_of(document)
    assert any("holds a control character" in problem for problem in problems), problems


def test_a_title_may_break_lines_but_a_code_may_not() -> None:
    document = catalogue_document()
    document["items"][0]["title"] = "Ran a red light\nat a crossing"
    assert problems_of(document) == []
    document["items"][0]["code"] = "traffic.red\nlight"
    assert any("holds a control character" in problem for problem in problems_of(document))


def test_a_long_bad_value_is_quoted_by_its_start_and_length() -> None:
    document = catalogue_document()
    document["effective_from"] = "9" * 100_000
    (problem,) = [
        problem for problem in problems_of(document) if problem.startswith("effective_from")
    ]
    assert len(problem) < 200 and "100002 characters" in problem, problem
