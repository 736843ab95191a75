"""Subject identifiers (SPEC §2): resident identity numbers and unified social credit codes.

Two forms of the same rules live side by side: scalar functions for one identifier (the API,
`scs show`, tests) and Polars expressions for a column of them (ingestion). A property test
holds the two equal, so they cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import polars as pl

SubjectKind = Literal["person", "organization"]
SUBJECT_KINDS: tuple[SubjectKind, ...] = ("person", "organization")

IDENTIFIER_LENGTH = 18

# GB 11643: the check character of a resident identity number.
PERSON_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
PERSON_CHECK_CHARACTERS = "10X98765432"
PERSON_BIRTH_DATE_SLICE = slice(6, 14)  # characters 7–14, YYYYMMDD

# GB 32100: the unified social credit code; a character's value is its index here.
ORGANIZATION_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ORGANIZATION_WEIGHTS = tuple(pow(3, position, 31) for position in range(17))


def normalize_identifier(identifier: str) -> str:
    """Trim white space and upper-case a trailing `x` (SPEC §2)."""
    identifier = identifier.strip()
    if identifier.endswith("x"):
        identifier = identifier[:-1] + "X"
    return identifier


def person_check_character(first_17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first_17, PERSON_WEIGHTS))
    return PERSON_CHECK_CHARACTERS[total % 11]


def organization_check_character(first_17: str) -> str:
    total = sum(
        ORGANIZATION_ALPHABET.index(character) * weight
        for character, weight in zip(first_17, ORGANIZATION_WEIGHTS)
    )
    return ORGANIZATION_ALPHABET[(31 - total % 31) % 31]


def _is_calendar_date(yyyymmdd: str) -> bool:
    try:
        dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return False
    return True


def person_identifier_problem(identifier: str) -> str | None:
    """Why `identifier` is not a valid resident identity number, or None when it is."""
    if len(identifier) != IDENTIFIER_LENGTH:
        return f"person identifier must have 18 characters, not {len(identifier)}"
    body, check = identifier[:17], identifier[17]
    if not (body.isascii() and body.isdigit()):
        return "person identifier must start with 17 digits"
    if not _is_calendar_date(identifier[PERSON_BIRTH_DATE_SLICE]):
        return "person identifier: characters 7-14 are not a real date"
    expected = person_check_character(body)
    if check != expected:
        return f"person identifier: check character is {check!r}, expected {expected!r}"
    return None


def organization_identifier_problem(identifier: str) -> str | None:
    """Why `identifier` is not a valid unified social credit code, or None when it is."""
    if len(identifier) != IDENTIFIER_LENGTH:
        return f"organization identifier must have 18 characters, not {len(identifier)}"
    for position, character in enumerate(identifier, start=1):
        if character not in ORGANIZATION_ALPHABET:
            return f"organization identifier: character {position} ({character!r}) is not allowed"
    expected = organization_check_character(identifier[:17])
    if identifier[17] != expected:
        return f"organization identifier: check character is {identifier[17]!r}, expected {expected!r}"
    return None


def identifier_problem(kind: SubjectKind, identifier: str) -> str | None:
    if kind == "person":
        return person_identifier_problem(identifier)
    return organization_identifier_problem(identifier)


def is_valid_identifier(kind: SubjectKind, identifier: str) -> bool:
    return identifier_problem(kind, identifier) is None


def kinds_of_identifier(identifier: str) -> list[SubjectKind]:
    """The kinds for which a (normalized) identifier is valid; rarely both, usually one."""
    return [kind for kind in SUBJECT_KINDS if is_valid_identifier(kind, identifier)]


# ---------------------------------------------------------------------------------------------
# Vectorized forms, for ingestion. Each returns a String expression: the problem, or null.


def normalize_identifier_expr(column: pl.Expr) -> pl.Expr:
    trimmed = column.str.strip_chars()
    return (
        pl.when(trimmed.str.ends_with("x"))
        .then(trimmed.str.slice(0, 17) + pl.lit("X"))
        .otherwise(trimmed)
    )


def person_identifier_problem_expr(column: pl.Expr) -> pl.Expr:
    digits = [column.str.slice(position, 1).cast(pl.Int64, strict=False) for position in range(17)]
    total = pl.sum_horizontal(
        [digit * weight for digit, weight in zip(digits, PERSON_WEIGHTS)]
    )
    expected = (total % 11).replace_strict(
        dict(enumerate(PERSON_CHECK_CHARACTERS)), return_dtype=pl.String
    )
    birth = column.str.slice(PERSON_BIRTH_DATE_SLICE.start, 8)
    birth_date = birth.str.to_date("%Y%m%d", strict=False)
    actual_check = column.str.slice(17, 1)
    length = column.str.len_chars()
    return (
        pl.when(length != IDENTIFIER_LENGTH)
        .then(
            pl.format(
                "person identifier must have 18 characters, not {}", length.cast(pl.String)
            )
        )
        .when(~column.str.contains(r"^[0-9]{17}"))
        .then(pl.lit("person identifier must start with 17 digits"))
        .when(birth_date.is_null() | (birth.str.slice(0, 4) == "0000"))
        .then(pl.lit("person identifier: characters 7-14 are not a real date"))
        .when(actual_check != expected)
        .then(
            pl.format(
                "person identifier: check character is '{}', expected '{}'",
                actual_check,
                expected,
            )
        )
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def organization_identifier_problem_expr(column: pl.Expr) -> pl.Expr:
    value_of = {character: value for value, character in enumerate(ORGANIZATION_ALPHABET)}
    values = [
        column.str.slice(position, 1).replace_strict(value_of, default=0, return_dtype=pl.Int64)
        for position in range(17)
    ]
    total = pl.sum_horizontal([value * weight for value, weight in zip(values, ORGANIZATION_WEIGHTS)])
    expected = ((31 - total % 31) % 31).replace_strict(
        dict(enumerate(ORGANIZATION_ALPHABET)), return_dtype=pl.String
    )
    actual_check = column.str.slice(17, 1)
    length = column.str.len_chars()
    first_bad_position = column.str.find(r"[^0-9A-HJ-NP-RTUWXY]")
    return (
        pl.when(length != IDENTIFIER_LENGTH)
        .then(
            pl.format(
                "organization identifier must have 18 characters, not {}",
                length.cast(pl.String),
            )
        )
        .when(first_bad_position.is_not_null())
        .then(
            pl.format(
                "organization identifier: character {} ('{}') is not allowed",
                (first_bad_position + 1).cast(pl.String),
                column.str.slice(first_bad_position, 1),
            )
        )
        .when(actual_check != expected)
        .then(
            pl.format(
                "organization identifier: check character is '{}', expected '{}'",
                actual_check,
                expected,
            )
        )
        .otherwise(pl.lit(None, dtype=pl.String))
    )
