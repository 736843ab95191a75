"""Two catalogue versions whose measure differs, for the relying party's check (SPEC §7.3;
issue 16, defect 1; issue 17): who may rely on `no_air_travel`, and what it applies to,
change between version 1 and version 2.

- version 1 (from 2024-01-01): applies to the list `blacklist`; civil-aviation and railway
  may rely on it;
- version 2 (from 2026-06-01, in effect on the tests' today and on the machine's): applies to
  tier AAA; civil-aviation and airport may rely on it.

PERSON has a judgment default decided on 2025-03-01: on the black list (version 1's
definition applies), tier B (version 2's does not).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from socialcredit.registry import Registry
from tests.helpers import PERSON, catalogue_document, catalogue_yaml, record, write_records

EARLIER_DAY = dt.date(2025, 6, 1)  # version 1 is in effect
MEASURE = "no_air_travel"


def _measure(applies_to: dict, parties: list[str]) -> list[dict]:
    return [
        {
            "code": MEASURE,
            "title": "May not buy air tickets",
            "applies_to": applies_to,
            "relying_parties": parties,
        }
    ]


def publish_two_versions(registry: Registry, directory: Path) -> None:
    first = catalogue_document(
        1, "2024-01-01", measures=_measure({"list": "blacklist"}, ["civil-aviation", "railway"])
    )
    second = catalogue_document(
        2, "2026-06-01", measures=_measure({"tier": "AAA"}, ["civil-aviation", "airport"])
    )
    for document in (first, second):
        result = registry.publish_catalogue(catalogue_yaml(document))
        assert result.version == document["version"], result.report.problems
    rows = [record("j1", "court.judgment_default", PERSON, "2025-03-01")]
    result = registry.ingest(write_records(directory / "court.csv", rows), "court")
    assert result.counts.accepted == 1
