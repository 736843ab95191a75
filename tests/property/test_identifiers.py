"""Properties of the two checksums (SPEC §2).

Every generated valid identifier passes. Every single-character change is caught, except
where the checksum cannot tell: the test computes, for each change, whether the rule can see
it (the changed character is allowed there, the weighted sum is unchanged modulo 11 or 31, a
birth date is still a date) and asserts validity exactly then.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from socialcredit.domain.identifiers import (
    ORGANIZATION_ALPHABET,
    ORGANIZATION_WEIGHTS,
    PERSON_CHECK_CHARACTERS,
    PERSON_WEIGHTS,
    identifier_problem,
    identifier_problems,
    organization_check_character,
    person_check_character,
)

CHANGE_CHARACTERS = "0123456789" + ORGANIZATION_ALPHABET[10:] + "IOSVZxa -é"


@st.composite
def person_identifiers(draw) -> str:
    region = draw(st.integers(110000, 659999))
    birth = draw(st.dates(dt.date(1900, 1, 1), dt.date(2025, 12, 31)))
    sequence = draw(st.integers(0, 999))
    body = f"{region:06d}{birth:%Y%m%d}{sequence:03d}"
    return body + person_check_character(body)


@st.composite
def organization_identifiers(draw) -> str:
    body = "".join(draw(st.lists(st.sampled_from(ORGANIZATION_ALPHABET), min_size=17, max_size=17)))
    return body + organization_check_character(body)


def _is_date(yyyymmdd: str) -> bool:
    try:
        dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return False
    return True


def person_checksum_cannot_tell(original: str, changed: str) -> bool:
    if not (changed[:17].isascii() and changed[:17].isdigit()):
        return False
    if not _is_date(changed[6:14]) or changed[17] not in PERSON_CHECK_CHARACTERS:
        return False
    total = sum(int(d) * w for d, w in zip(changed[:17], PERSON_WEIGHTS))
    return PERSON_CHECK_CHARACTERS[total % 11] == changed[17]


def organization_checksum_cannot_tell(original: str, changed: str) -> bool:
    if any(character not in ORGANIZATION_ALPHABET for character in changed):
        return False
    total = sum(
        ORGANIZATION_ALPHABET.index(c) * w for c, w in zip(changed[:17], ORGANIZATION_WEIGHTS)
    )
    return ORGANIZATION_ALPHABET[(31 - total % 31) % 31] == changed[17]


@given(person_identifiers())
def test_every_generated_person_identifier_is_valid(identifier: str) -> None:
    assert identifier_problem("person", identifier) is None


@given(organization_identifiers())
def test_every_generated_organization_identifier_is_valid(identifier: str) -> None:
    assert identifier_problem("organization", identifier) is None


@given(person_identifiers(), st.integers(0, 17), st.sampled_from(CHANGE_CHARACTERS))
def test_a_single_change_of_a_person_identifier_is_caught_unless_undetectable(
    identifier: str, position: int, character: str
) -> None:
    changed = identifier[:position] + character + identifier[position + 1 :]
    if changed == identifier:
        return
    valid = identifier_problem("person", changed) is None
    assert valid == person_checksum_cannot_tell(identifier, changed)


@given(organization_identifiers(), st.integers(0, 17), st.sampled_from(CHANGE_CHARACTERS))
def test_a_single_change_of_an_organization_code_is_caught_unless_undetectable(
    identifier: str, position: int, character: str
) -> None:
    changed = identifier[:position] + character + identifier[position + 1 :]
    if changed == identifier:
        return
    valid = identifier_problem("organization", changed) is None
    assert valid == organization_checksum_cannot_tell(identifier, changed)


@given(
    st.lists(
        st.one_of(
            person_identifiers(),
            organization_identifiers(),
            st.text(alphabet=CHANGE_CHARACTERS, min_size=0, max_size=20),
        ),
        max_size=30,
    )
)
def test_vectorized_checks_agree_with_the_scalar_ones(identifiers: list[str]) -> None:
    frame = identifier_problems(pl.Series(identifiers, dtype=pl.String))
    for identifier, person, organization in frame.iter_rows():
        assert person == identifier_problem("person", identifier)
        assert organization == identifier_problem("organization", identifier)
