"""Every row check of SPEC §4.2 that needs no ledger, with the reason it gives."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from socialcredit.domain.records import SUBMITTED_FIELDS
from socialcredit.ingest.checks import check_chunk
from socialcredit.ingest.readers import CHUNK_SCHEMA
from tests.helpers import ORGANIZATION, PERSON
from tests.unit.domain.test_scoring import RULES

SUBMITTED_ON = dt.date(2025, 6, 1)
GOOD = {
    "record_id": "r1",
    "item": "traffic.red_light",
    "subject_id": PERSON,
    "decided_on": "2025-01-10",
    "reference": "DOC-1",
}


def check(source: str = "traffic-police", **changes) -> dict:
    row = {**GOOD, **changes, "row": 1}
    chunk = pl.from_dicts([row], schema=CHUNK_SCHEMA)
    return check_chunk(chunk, RULES, source, SUBMITTED_ON).row(0, named=True)


def test_a_good_row_passes_normalized_with_defaults() -> None:
    checked = check(subject_id=" 11010519491231002x ", quantity=" 3 ")
    assert checked["reason"] is None
    assert checked["subject_id_value"] == PERSON
    assert (checked["revision_number"], checked["quantity_number"]) == (1, 3)
    assert checked["status_value"] == "active"
    assert checked["subject_kind"] == "person" and checked["version"] == 1


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"record_id": ""}, "missing field record_id"),
        ({"reference": "   "}, "missing field reference"),
        ({"item": None}, "missing field item"),
        ({"record_id": "x" * 65}, "longer than 64"),
        ({"revision": "0"}, "revision must be a positive integer"),
        ({"revision": "two"}, "revision must be a positive integer"),
        ({"quantity": "-1"}, "quantity must be a positive integer"),
        ({"quantity": "1.5"}, "quantity must be a positive integer"),
        ({"quantity": "99999999999"}, "quantity is larger than 2147483647"),
        ({"quantity": "9" * 25}, "quantity is larger than 2147483647"),
        ({"revision": "0000"}, "revision must be a positive integer"),
        # Digits of other scripts are digits to a regular expression, not to an integer parser.
        (
            {"quantity": "\uff15"},
            "quantity must be a positive integer written with the digits 0-9, not '\uff15'",
        ),
        (
            {"revision": "\u0663"},
            "revision must be a positive integer written with the digits 0-9, not '\u0663'",
        ),
        ({"decided_on": "\uff12025-01-10"}, "decided_on is not a date (YYYY-MM-DD)"),
        ({"status": "Active"}, "status must be active or revoked"),
        ({"decided_on": "2025-13-01"}, "not a date"),
        ({"decided_on": "10/01/2025"}, "not a date"),
        ({"decided_on": "2025-06-02"}, "after the day of submission"),
        ({"decided_on": "2023-12-31"}, "no catalogue version is in effect on 2023-12-31"),
        ({"item": "traffic.speeding"}, "unknown item 'traffic.speeding'"),
        ({"item": "court.judgment_default"}, "source 'traffic-police' is not an issuer"),
        ({"subject_id": "110105194912310021"}, "check character"),
        ({"subject_id": ORGANIZATION}, "is an organization code, but the item concerns persons"),
    ],
)
def test_each_bad_row_is_rejected_with_its_reason(changes: dict, fragment: str) -> None:
    reason = check(**changes)["reason"]
    assert reason is not None and fragment in reason


def test_a_person_identifier_for_an_organization_item() -> None:
    reason = check(source="tax-office", item="tax.arrears_major", subject_id=PERSON)["reason"]
    assert "person's identity number, but the item concerns organizations" in reason


def test_every_problem_of_a_row_is_listed() -> None:
    reason = check(reference="", quantity="0", status="gone")["reason"]
    assert reason.count("; ") == 2


def test_a_malformed_row_is_reported_as_such() -> None:
    assert check(malformed="the row has 9 fields, the header 8")["reason"] == (
        "the row has 9 fields, the header 8"
    )


def test_the_submitted_fields_are_kept_as_they_came() -> None:
    checked = check(subject_id=" 11010519491231002x ")
    assert set(SUBMITTED_FIELDS) <= set(checked)
    assert checked["subject_id"] == " 11010519491231002x "
