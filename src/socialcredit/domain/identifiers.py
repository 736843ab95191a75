"""Subject identifiers (SPEC §2): resident identity numbers and unified social credit codes.

Two forms of the same rules live side by side: scalar functions for one identifier (the API,
`scs show`, tests) and Polars expressions for a column of them (ingestion). A property test
holds the two equal, so they cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

import polars as pl

from socialcredit.domain.text import shown

if TYPE_CHECKING:
    import numpy as np

# NumPy and pyarrow are imported by the vectorized checks only (ingestion), not with this
# module: every command names subjects, and importing them cost `scs score` a fifth of a
# second (issue 12).

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
        return (
            f"organization identifier: check character is {identifier[17]!r}, expected {expected!r}"
        )
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


def subject_identifier_problem(identifier: str) -> str | None:
    """Why a (normalized) identifier names no subject of either kind, or None (SPEC §2)."""
    problems = [identifier_problem(kind, identifier) for kind in SUBJECT_KINDS]
    if not all(problems):
        return None
    return f"{shown(identifier)} is not a valid identifier: " + "; ".join(filter(None, problems))


@dataclass(frozen=True, slots=True)
class SubjectRef:
    """A subject as the identity store knows it: its kind, its normalized identifier and the
    key that names it everywhere else (SPEC §7.5). Resolved once per request, then carried."""

    kind: SubjectKind
    subject_id: str
    key: int


@dataclass(frozen=True, slots=True)
class IdentifiedSubjects:
    """An identifier as a request gave it, normalized and valid for some kind, with the subjects
    it names: one per kind the identity store knows it as (nearly always one; none when no
    record ever named it)."""

    subject_id: str
    subjects: tuple[SubjectRef, ...]


# ---------------------------------------------------------------------------------------------
# Vectorized forms, for ingestion. Each returns a String expression: the problem, or null.


def normalize_identifier_expr(column: pl.Expr) -> pl.Expr:
    trimmed = column.str.strip_chars()
    return (
        pl.when(trimmed.str.ends_with("x"))
        .then(trimmed.str.slice(0, 17) + pl.lit("X"))
        .otherwise(trimmed)
    )


def _body_bytes(identifiers: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """The first 17 bytes of every identifier that has at least 17, as an (n, 17) matrix, and
    which rows those are. Reads the Arrow buffers directly: no Python object per identifier."""
    import numpy as np
    import pyarrow as pa

    array = identifiers.cast(pl.Binary).to_arrow().cast(pa.large_binary())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    _, offsets_buffer, data_buffer = array.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[
        array.offset : array.offset + len(array) + 1
    ]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer else np.zeros(0, np.uint8)
    readable = (np.diff(offsets) >= 17) & ~identifiers.is_null().to_numpy()
    starts = offsets[:-1][readable]
    return data[starts[:, None] + np.arange(17)], readable


_CHARACTER_OF_CODE = {code: chr(code) for code in range(128)}


def _as_check_series(name: str, readable: np.ndarray, checks: np.ndarray) -> pl.Series:
    """Check-character codes (-1: none) at the readable rows, as a String series with nulls."""
    import numpy as np

    codes = np.full(readable.shape, -1, dtype=np.int64)
    codes[readable] = checks
    return pl.select(
        pl.when(pl.lit(codes) >= 0)
        .then(
            pl.lit(codes).replace_strict(_CHARACTER_OF_CODE, default=None, return_dtype=pl.String)
        )
        .alias(name)
    ).to_series()


@cache
def _check_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The person check characters' codes, the organization alphabet's codes, and each byte's
    value in that alphabet (-1: not in it)."""
    import numpy as np

    person_codes = np.frombuffer(PERSON_CHECK_CHARACTERS.encode(), dtype=np.uint8)
    organization_codes = np.frombuffer(ORGANIZATION_ALPHABET.encode(), dtype=np.uint8)
    organization_value_of_byte = np.full(256, -1, dtype=np.int64)
    organization_value_of_byte[organization_codes] = np.arange(len(ORGANIZATION_ALPHABET))
    return person_codes, organization_codes, organization_value_of_byte


def expected_check_characters(identifiers: pl.Series) -> pl.DataFrame:
    """For each identifier, the check character each kind's rule expects from its first 17
    characters: `person_check`, `organization_check` (null where those characters are not of
    that kind)."""
    import numpy as np

    person_codes, organization_codes, organization_value_of_byte = _check_tables()
    body, readable = _body_bytes(identifiers)
    digits = body.astype(np.int64) - ord("0")
    person = np.where(
        ((digits >= 0) & (digits <= 9)).all(axis=1),
        person_codes[(digits @ np.array(PERSON_WEIGHTS)) % 11],
        -1,
    )
    values = organization_value_of_byte[body]
    organization = np.where(
        (values >= 0).all(axis=1),
        organization_codes[(31 - (values @ np.array(ORGANIZATION_WEIGHTS)) % 31) % 31],
        -1,
    )
    return pl.DataFrame(
        [
            _as_check_series("person_check", readable, person.astype(np.int64)),
            _as_check_series("organization_check", readable, organization.astype(np.int64)),
        ]
    )


def person_identifier_problem_expr(column: pl.Expr, expected_check: pl.Expr) -> pl.Expr:
    """The problem with each identifier as a person's, given `expected_check_characters`."""
    birth = column.str.slice(PERSON_BIRTH_DATE_SLICE.start, 8)
    birth_date = birth.str.to_date("%Y%m%d", strict=False)
    actual_check = column.str.slice(17, 1)
    length = column.str.len_chars()
    return (
        pl.when(length != IDENTIFIER_LENGTH)
        .then(
            pl.format("person identifier must have 18 characters, not {}", length.cast(pl.String))
        )
        .when(expected_check.is_null())
        .then(pl.lit("person identifier must start with 17 digits"))
        .when(birth_date.is_null() | (birth.str.slice(0, 4) == "0000"))
        .then(pl.lit("person identifier: characters 7-14 are not a real date"))
        .when(actual_check != expected_check)
        .then(
            pl.format(
                "person identifier: check character is '{}', expected '{}'",
                actual_check,
                expected_check,
            )
        )
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def organization_identifier_problem_expr(column: pl.Expr, expected_check: pl.Expr) -> pl.Expr:
    """The problem with each identifier as an organization's, given `expected_check_characters`."""
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
        .when(actual_check != expected_check)
        .then(
            pl.format(
                "organization identifier: check character is '{}', expected '{}'",
                actual_check,
                expected_check,
            )
        )
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def identifier_problems(identifiers: pl.Series) -> pl.DataFrame:
    """Each identifier with its problem as a person's and as an organization's (null: valid)."""
    frame = pl.DataFrame({"identifier": identifiers}).with_columns(
        expected_check_characters(identifiers)
    )
    column = pl.col("identifier")
    return frame.select(
        "identifier",
        person_identifier_problem_expr(column, pl.col("person_check")).alias("person_problem"),
        organization_identifier_problem_expr(column, pl.col("organization_check")).alias(
            "organization_problem"
        ),
    )
