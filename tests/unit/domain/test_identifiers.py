from __future__ import annotations

import polars as pl
import pytest

from socialcredit.domain.identifiers import (
    identifier_problem,
    identifier_problems,
    kinds_of_identifier,
    normalize_identifier,
    organization_check_character,
    person_check_character,
)
from tests.helpers import ORGANIZATION, OTHER_PERSON, PERSON


def test_published_examples_are_valid() -> None:
    # GB 11643's worked example ends in X; GB 32100's example code is 91350100M000100Y43.
    assert identifier_problem("person", PERSON) is None
    assert identifier_problem("person", OTHER_PERSON) is None
    assert identifier_problem("organization", ORGANIZATION) is None
    assert person_check_character(PERSON[:17]) == "X"
    assert organization_check_character(ORGANIZATION[:17]) == "3"


def test_normalizing_trims_and_uppercases_a_trailing_x() -> None:
    assert normalize_identifier("  11010519491231002x ") == PERSON
    # Only a trailing x: anything else is left for the checks to refuse.
    assert normalize_identifier("91350100m000100y43") == "91350100m000100y43"


@pytest.mark.parametrize(
    ("kind", "identifier", "fragment"),
    [
        ("person", "1101051949123100", "18 characters"),
        ("person", "11010519491231002XX", "18 characters"),
        ("person", "1101051949A231002X", "17 digits"),
        ("person", "110105194913310029", "not a real date"),
        ("person", "110105000001010029", "not a real date"),
        ("person", "110105194912310021", "expected 'X'"),
        ("organization", "91350100I000100Y43", "character 9 ('I') is not allowed"),
        ("organization", "91350100m000100Y43", "character 9 ('m') is not allowed"),
        ("organization", "91350100M000100Y44", "expected '3'"),
        ("organization", "91350100M000100Y4", "18 characters"),
    ],
)
def test_invalid_identifiers_are_named(kind: str, identifier: str, fragment: str) -> None:
    problem = identifier_problem(kind, identifier)
    assert problem is not None and fragment in problem


def test_kinds_of_an_identifier() -> None:
    assert kinds_of_identifier(PERSON) == ["person"]
    assert kinds_of_identifier(ORGANIZATION) == ["organization"]
    assert kinds_of_identifier("garbage") == []


def test_vectorized_problems_match_the_scalar_ones() -> None:
    samples = [PERSON, OTHER_PERSON, ORGANIZATION, "", "x", "é" * 18, "1" * 17 + "é", None]
    frame = identifier_problems(pl.Series(samples, dtype=pl.String))
    for identifier, person, organization in frame.iter_rows():
        if identifier is None:
            continue
        assert person == identifier_problem("person", identifier)
        assert organization == identifier_problem("organization", identifier)
