"""SPEC §5.7: a file's key factors are its contributions summed per item, most negative first,
then most positive. Two positive items of different sizes list the larger first, in the file
the registry builds and in `scs show --json`, on both stores."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

from socialcredit.cli.app import app
from socialcredit.registry import Registry
from tests.helpers import PERSON, catalogue_document, catalogue_yaml, record, write_records

AS_OF = dt.date(2025, 6, 1)
# The larger positive item sorts after the smaller one by code, so that neither the order by
# code nor the order by points ascending gives the expected list by chance.
EXPECTED = [
    ("court.judgment_default", -100),
    ("traffic.red_light", -5),
    ("charity.volunteer_hour", 20),  # 20 hours of 1 point
    ("charity.blood_donation", 8),
]


def file_with_two_positive_items(registry: Registry, tmp_path: Path) -> None:
    document = catalogue_document()
    document["items"].append(
        {
            "code": "charity.blood_donation",
            "title": "Donated blood",
            "subject": "person",
            "points": 8,
            "counts_for_days": 365,
            "issuers": ["charity"],
            "legal_basis": "Blood Donation Law art. 6",
        }
    )
    assert registry.publish_catalogue(catalogue_yaml(document)).version == 1
    batches = {
        "charity": [
            record("c1", "charity.volunteer_hour", PERSON, "2025-03-01", quantity=20),
            record("c2", "charity.blood_donation", PERSON, "2025-03-02"),
        ],
        "court": [record("j1", "court.judgment_default", PERSON, "2025-02-01")],
        "traffic-police": [record("t1", "traffic.red_light", PERSON, "2025-02-02")],
    }
    for source, rows in batches.items():
        result = registry.ingest(write_records(tmp_path / f"{source}.csv", rows), source)
        assert result.counts.accepted == len(rows)


def test_the_larger_positive_item_comes_first_in_the_file(
    registry: Registry, tmp_path: Path
) -> None:
    file_with_two_positive_items(registry, tmp_path)
    (subject_file,) = registry.subject_files(PERSON, AS_OF, "tester", "test", "test")
    factors = [(factor.item, factor.points) for factor in subject_file.score.key_factors]
    assert factors == EXPECTED
    assert subject_file.score.score == 1000 + sum(points for _item, points in EXPECTED)


def test_the_larger_positive_item_comes_first_in_scs_show(
    registry: Registry, store_url: str, tmp_path: Path
) -> None:
    file_with_two_positive_items(registry, tmp_path)
    shown = CliRunner().invoke(
        app, ["show", PERSON, "--as-of", AS_OF.isoformat(), "--json", "--db", store_url]
    )
    assert shown.exit_code == 0, shown.output
    document = json.loads(shown.stdout)
    assert [(factor["item"], factor["points"]) for factor in document["key_factors"]] == EXPECTED
