"""Small builders for tests: catalogues and record files written on the fly."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import orjson
import polars as pl
import ryaml
import sqlalchemy as sa

from socialcredit.catalogue.validation import validate_catalogue
from socialcredit.domain.records import SUBMITTED_FIELDS, LedgerRecord
from socialcredit.domain.rules import Rulebook

PERSON = "11010519491231002X"
OTHER_PERSON = "440524188001010014"
ORGANIZATION = "91350100M000100Y43"


def catalogue_document(
    version: int = 1, effective_from: str = "2024-01-01", **changes: Any
) -> dict:
    document: dict[str, Any] = {
        "catalog": "test-city",
        "version": version,
        "effective_from": effective_from,
        "base_score": 1000,
        "tiers": [
            {"name": "AAA", "min": 1050},
            {"name": "AA", "min": 1000},
            {"name": "A", "min": 950},
            {"name": "B", "min": 900},
            {"name": "C", "min": 850},
            {"name": "D"},
        ],
        "lists": {
            "blacklist": {"title": "Seriously untrustworthy"},
            "low_score": {"title": "Low score", "score_below": 850},
            "redlist": {"title": "Trustworthy", "score_at_least": 1050},
            "tax_arrears": {"title": "Major tax violators"},
        },
        "sources": {
            "court": {"name": "Court"},
            "traffic-police": {"name": "Traffic police"},
            "charity": {"name": "Charity federation"},
            "tax-office": {"name": "Tax office"},
        },
        "items": [
            {
                "code": "traffic.red_light",
                "title": "Ran a red light",
                "subject": "person",
                "points": -5,
                "severity": "ordinary",
                "counts_for_days": 365,
                "issuers": ["traffic-police"],
                "legal_basis": "Road Traffic Safety Law art. 38",
            },
            {
                "code": "court.judgment_default",
                "title": "Failed to perform an effective judgment",
                "subject": "person",
                "points": -100,
                "severity": "serious",
                "counts_for_days": 1095,
                "lists": ["blacklist"],
                "issuers": ["court"],
                "legal_basis": "Civil Procedure Law art. 262",
            },
            {
                "code": "charity.volunteer_hour",
                "title": "Volunteered one hour",
                "subject": "person",
                "points": 1,
                "cap_per_year": 30,
                "counts_for_days": 365,
                "issuers": ["charity"],
                "legal_basis": "Volunteer Service Regulations art. 12",
            },
            {
                "code": "tax.arrears_major",
                "title": "Owed major tax arrears",
                "subject": "organization",
                "points": -150,
                "severity": "serious",
                "counts_for_days": 1095,
                "lists": ["tax_arrears"],
                "issuers": ["tax-office"],
                "legal_basis": "Tax Collection Law art. 45",
            },
        ],
        "measures": [
            {
                "code": "no_air_travel",
                "title": "May not buy air tickets",
                "kind": "sanction",
                "legal_basis": "Opinions on joint punishment of dishonest judgment debtors",
                "applies_to": {"list": "blacklist"},
                "relying_parties": ["civil-aviation"],
            }
        ],
    }
    document.update(changes)
    return document


def national_document(version: int = 1, effective_from: str = "2024-01-01", **changes: Any) -> dict:
    """The nation's catalogue (SPEC §11): sources, items with points 0, lists and measures."""
    document: dict[str, Any] = {
        "catalog": "nation",
        "jurisdiction": "national",
        "version": version,
        "effective_from": effective_from,
        "lists": {
            "dishonest_debtors": {"title": "Dishonest judgment debtors"},
            "major_tax_violators": {"title": "Major tax violators"},
        },
        "sources": {
            "supreme-court": {"name": "Supreme People's Court"},
            "state-tax": {"name": "State Taxation Administration"},
        },
        "items": [
            {
                "code": "national.judgment_debtor",
                "title": "Listed as a dishonest judgment debtor",
                "subject": "person",
                "points": 0,
                "counts_for_days": 1095,
                "lists": ["dishonest_debtors"],
                "issuers": ["supreme-court"],
                "legal_basis": "Provisions on the list of dishonest judgment debtors art. 1",
            },
            {
                "code": "national.judgment_debtor_org",
                "title": "Organization listed as a dishonest judgment debtor",
                "subject": "organization",
                "points": 0,
                "counts_for_days": 1095,
                "lists": ["dishonest_debtors"],
                "issuers": ["supreme-court"],
                "legal_basis": "Provisions on the list of dishonest judgment debtors art. 1",
            },
            {
                "code": "national.major_tax_violation",
                "title": "Major tax violation",
                "subject": "organization",
                "points": 0,
                "counts_for_days": 1095,
                "lists": ["major_tax_violators"],
                "issuers": ["state-tax"],
                "legal_basis": "Measures on major tax violations art. 5",
            },
        ],
        "measures": [
            {
                "code": "no_high_speed_rail",
                "title": "May not buy high-speed rail tickets",
                "kind": "sanction",
                "legal_basis": "Opinions on joint punishment of dishonest judgment debtors",
                "applies_to": {"list": "dishonest_debtors"},
                "relying_parties": ["railway"],
            }
        ],
    }
    document.update(changes)
    return document


def city_document(
    jurisdiction: str,
    version: int = 1,
    effective_from: str = "2024-01-01",
    base_score: int = 1000,
    **changes: Any,
) -> dict:
    """A city's catalogue (SPEC §11): `catalogue_document` with the city's own name, sources
    prefixed with the city (a source code is unique in the store)."""
    document = catalogue_document(version, effective_from, base_score=base_score)
    document["catalog"] = jurisdiction
    document["jurisdiction"] = jurisdiction
    document["sources"] = {
        f"{jurisdiction}-{code}": source for code, source in document["sources"].items()
    }
    for item in document["items"]:
        item["issuers"] = [f"{jurisdiction}-{code}" for code in item["issuers"]]
    document.update(changes)
    return document


def catalogue_yaml(document: dict) -> str:
    return ryaml.dumps(document)


def write_records(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Write rows as CSV, JSON Lines or Parquet, by the path's extension."""
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(SUBMITTED_FIELDS))
            writer.writeheader()
            for row in rows:
                writer.writerow({name: row.get(name, "") for name in SUBMITTED_FIELDS})
    elif path.suffix == ".jsonl":
        path.write_bytes(b"".join(orjson.dumps(row) + b"\n" for row in rows))
    elif path.suffix == ".parquet":
        pl.DataFrame(
            [{name: _text(row.get(name)) for name in SUBMITTED_FIELDS} for row in rows],
            schema=dict.fromkeys(SUBMITTED_FIELDS, pl.String),
            orient="row",
        ).write_parquet(path)
    else:
        raise ValueError(path)
    return path


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def record(record_id: str, item: str, subject_id: str, decided_on: str, **extra: Any) -> dict:
    return {
        "record_id": record_id,
        "item": item,
        "subject_id": subject_id,
        "decided_on": decided_on,
        "reference": f"DOC-{record_id}",
        **extra,
    }


def rulebook_of(*documents: dict) -> Rulebook:
    """The rulebook of these catalogue documents, each of which must be valid."""
    catalogues = []
    for document in documents:
        report = validate_catalogue(document)
        assert report.valid, report.problems
        catalogues.append(report.catalogue)
    return Rulebook(catalogues)


LEDGER_SCHEMA = {
    "subject_kind": pl.String,
    "subject_id": pl.String,
    "item": pl.String,
    "decided_on": pl.Date,
    "quantity": pl.Int32,
    "status": pl.String,
    "act": pl.String,
    "act_source": pl.String,
    "act_record_id": pl.String,
    "source": pl.String,  # SPEC §11: each jurisdiction scores its own sources' records
}


def ledger_frame(rows: list[tuple] | list[LedgerRecord]) -> pl.DataFrame:
    """The batch scorer's input from (kind, id, item, day, quantity, status) tuples (naming no
    act) or records (with their act, and its tie-break where they name one)."""
    tuples = [
        (
            row.subject_kind,
            row.subject_id,
            row.item,
            row.decided_on,
            row.quantity,
            row.status,
            row.act,
            row.source if row.act is not None else None,
            row.record_id if row.act is not None else None,
            row.source,
        )
        if isinstance(row, LedgerRecord)
        else (*row, None, None, None, None)
        for row in rows
    ]
    return pl.DataFrame(tuples, schema=LEDGER_SCHEMA, orient="row")


FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_token(html: str) -> str:
    """The CSRF token a page's forms carry (bound to the browser's session or pre-session)."""
    found = FORM_TOKEN.search(html)
    assert found, "the page has no form with a token"
    return found.group(1)


def column(registry, table: str, name: str) -> list:
    """One column of a table of the store, in row order: what was stored, read as it is."""
    with registry.store.engine.connect() as connection:
        return list(connection.execute(sa.text(f"SELECT {name} FROM {table} ORDER BY 1")).scalars())
