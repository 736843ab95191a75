"""A record corrected twice, each revision in a file of its own: every new revision replaces the
current one, whichever file it arrives in (SPEC §4.3), and only the last counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from socialcredit.registry import Registry
from tests.helpers import PERSON, catalogue_document, catalogue_yaml, record, write_records

AS_OF = dt.date(2025, 6, 1)


def test_a_third_revision_in_a_third_file_replaces_the_second(
    registry: Registry, tmp_path: Path
) -> None:
    assert registry.publish_catalogue(catalogue_yaml(catalogue_document())).version == 1
    for revision in (1, 2, 3):
        rows = [
            record(
                "r1",
                "traffic.red_light",
                PERSON,
                "2025-01-01",
                revision=revision,
                quantity=revision,
            ),
            record(f"other{revision}", "traffic.red_light", PERSON, "2025-01-02"),
        ]
        path = write_records(tmp_path / f"revision-{revision}.csv", rows)
        result = registry.ingest(path, "traffic-police")
        assert (result.counts.accepted, result.counts.rejected) == (2, 0)

    [subject_file] = registry.subject_files(PERSON, AS_OF, "auditor", "inspection", "cli")
    counting = {
        (item.record.record_id, item.record.revision)
        for item in subject_file.score.counting_records
    }
    assert ("r1", 3) in counting and not {("r1", 1), ("r1", 2)} & counting
    # 1000 - 5 × 3 (r1, revision 3) - 5 × 3 (other1, other2, other3)
    assert subject_file.score.score == 970
    scores = registry.score_all(AS_OF)
    assert scores.filter(scores["subject_id"] == PERSON)["score"].to_list() == [970]
