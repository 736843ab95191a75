"""What issue 16's security test sent to ingestion, on both stores: a revision that moves a
record to another subject (defect 21), rows that are not UTF-8 (defect 5), and every reject
reason counted under a kind from a fixed list (defect 7)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialcredit.cli.app import app
from socialcredit.ingest.reasons import OTHER, REJECT_KINDS, reject_kind
from socialcredit.registry import Registry
from tests.conftest import EXAMPLE_DIRECTORY
from tests.helpers import (
    OTHER_PERSON,
    PERSON,
    catalogue_document,
    catalogue_yaml,
    record,
    write_records,
)

DAY = dt.date(2026, 11, 22)


@pytest.fixture
def city(registry: Registry) -> Registry:
    assert registry.publish_catalogue(catalogue_yaml(catalogue_document())).version == 1
    return registry


def score_of(registry: Registry, subject_id: str) -> int | None:
    scores = registry.score_all(DAY)
    found = scores.filter(scores["subject_id"] == subject_id)["score"].to_list()
    return found[0] if found else None


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_revision_may_not_move_a_record_to_another_subject(
    city: Registry, tmp_path: Path, suffix: str
) -> None:
    first = record("t-1", "traffic.red_light", PERSON, "2026-03-01")
    city.ingest(write_records(tmp_path / f"first{suffix}", [first]), "traffic-police")
    before = score_of(city, PERSON)
    moved = {**first, "subject_id": OTHER_PERSON, "revision": 2}
    corrected = {**first, "quantity": 2, "revision": 2}
    result = city.ingest(
        write_records(tmp_path / f"second{suffix}", [moved, corrected]), "traffic-police"
    )
    assert (result.counts.accepted, result.counts.rejected) == (1, 1)
    reasons = city.rejected_rows(result.batch_id)["reason"].to_list()
    assert reasons == [
        "a revision may not change subject_id: revoke the record and submit a new one for the "
        "other subject"
    ]
    assert score_of(city, OTHER_PERSON) is None  # no file for the other subject
    assert score_of(city, PERSON) != before  # the correction of quantity went through
    # Within one file too: revision 1 and a revision 2 naming someone else.
    chain = [
        record("t-2", "traffic.red_light", PERSON, "2026-03-02"),
        {**record("t-2", "traffic.red_light", OTHER_PERSON, "2026-03-02"), "revision": 2},
    ]
    result = city.ingest(write_records(tmp_path / f"chain{suffix}", chain), "traffic-police")
    assert (result.counts.accepted, result.counts.rejected) == (1, 1)
    assert score_of(city, OTHER_PERSON) is None


def _with_bad_bytes(path: Path, line: int) -> Path:
    """The file with two bytes that are not UTF-8 put into its `line`-th line's reference."""
    lines = path.read_bytes().splitlines(keepends=True)
    lines[line - 1] = lines[line - 1].replace(b"DOC-", b"\xff\xfeDOC-", 1)
    path.write_bytes(b"".join(lines))
    return path


@pytest.mark.parametrize(("suffix", "row", "line"), [(".jsonl", 2, 2), (".csv", 2, 3)])
def test_a_row_that_is_not_utf8_is_rejected_and_the_rest_stored(
    store_url: str, tmp_path: Path, suffix: str, row: int, line: int
) -> None:
    runner = CliRunner()
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text(catalogue_yaml(catalogue_document()))
    assert (
        runner.invoke(app, ["catalog", "publish", str(catalogue), "--db", store_url]).exit_code == 0
    )
    rows = [record(f"u-{n}", "traffic.red_light", PERSON, "2026-03-01") for n in range(1, 4)]
    path = _with_bad_bytes(write_records(tmp_path / f"rows{suffix}", rows), line)
    rejects = tmp_path / "rejects.csv"
    result = runner.invoke(
        app,
        ["ingest", str(path), "--source", "traffic-police", "--rejects", str(rejects)],
        env={"SCS_DB": store_url},
    )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert result.stdout.strip() == "accepted 2, duplicates 0, rejected 1"
    assert f"\n{row},not valid UTF-8," in rejects.read_text()


def test_every_reject_reason_of_a_faulty_city_has_a_kind(
    example_registry: Registry, tmp_path: Path
) -> None:
    """The kinds are matched by the words the checks write: a new or reworded reason must be
    added to the list, not counted as `other`."""
    faulty = tmp_path / "faulty.jsonl"
    faulty.write_bytes(
        b"\n".join(
            [
                b'{"record_id": "x", "item": "court.judgment_default"',  # not JSON
                b"[1, 2]",  # not an object
                b'{"note": 1}',  # no record field
                b'{"record_id": "a", "record_id": "b"}',  # given twice
                b'{"record_id": {"a": 1}}',  # not a single value
                b'{"record_id": "\\ud800"}',  # unpaired surrogate
                b'{"record_id": "a\\u0000"}',  # NUL
                b'{"record_id": "\xff"}',  # not UTF-8
                b'{"record_id": "r", "item": "court.judgment_default", "subject_id": '
                b'"398106198902192457", "decided_on": "2024-01-01", "reference": "D",'
                b' "quantity": "x", "status": "gone"}',
                b'{"record_id": "r2", "item": "court.judgment_default", "subject_id": '
                b'"398106198902192457", "decided_on": "1999-01-01", "reference": "D"}',
            ]
        )
        + b"\n"
    )
    reasons = []
    for source, name in [
        ("court", "records-court.jsonl"),
        ("traffic-police", "records-traffic-police.csv"),
        ("market-reg", "records-market-reg.csv"),
        ("tax-office", "records-tax-office.jsonl"),
        ("charity-fed", "records-charity-fed.csv"),
        ("court", faulty),
    ]:
        path = name if isinstance(name, Path) else EXAMPLE_DIRECTORY / name
        result = example_registry.ingest(path, source, tmp_path / f"{source}.rejects.csv")
        reasons += example_registry.rejected_rows(result.batch_id)["reason"].to_list()
    problems = {problem for reason in reasons for problem in reason.split("; ")}
    assert len(problems) > 12
    kinds = {problem: reject_kind(problem) for problem in problems}
    assert set(kinds.values()) <= set(REJECT_KINDS)
    assert [problem for problem, kind in kinds.items() if kind == OTHER] == []
