"""`scs repair apply|grant|refuse|list` and the repairs in `scs show` (SPEC §10.2, §6): outputs,
JSON shapes and exit codes, on both stores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialcredit.cli.app import app
from tests.helpers import (
    OTHER_PERSON,
    PERSON,
    catalogue_document,
    catalogue_yaml,
    record,
    write_records,
)


@pytest.fixture
def scs(store_url: str, tmp_path: Path):
    runner = CliRunner()

    def run(*arguments: str):
        return runner.invoke(app, [*arguments, "--db", store_url], catch_exceptions=False)

    path = tmp_path / "catalogue.yaml"
    path.write_text(catalogue_yaml(catalogue_document()))
    assert run("catalog", "publish", str(path)).exit_code == 0
    records = write_records(
        tmp_path / "court.csv",
        [
            record("j1", "court.judgment_default", PERSON, "2025-01-01"),
            record("j2", "court.judgment_default", OTHER_PERSON, "2025-01-01"),
        ],
    )
    assert run("ingest", str(records), "--source", "court").exit_code == 0
    return run


def apply(scs, record_id: str, evidence: str, on: str | None = None):
    day = ["--on", on] if on else []
    return scs(
        "repair", "apply", "--source", "court", "--record", record_id, "--evidence", evidence, *day
    )


def test_apply_grant_refuse_and_list(scs) -> None:
    applied = apply(scs, "j1", "Paid in full.", "2026-01-01")
    assert (applied.exit_code, applied.stdout) == (0, "repair 1\n")
    assert apply(scs, "j2", "Paid too.", "2026-01-02").stdout == "repair 2\n"
    assert scs("repair", "list", "--pending").stdout.count("pending") == 2
    granted = scs("repair", "grant", "1", "--on", "2026-02-01")
    assert (granted.exit_code, granted.stdout) == (0, "repair 1 granted on 2026-02-01\n")
    refused = scs("repair", "refuse", "2", "--reason", "No receipt.", "--on", "2026-02-02")
    assert (refused.exit_code, refused.stdout) == (0, "repair 2 refused on 2026-02-02\n")
    listed = scs("repair", "list")
    header, first, second, reason = listed.stdout.splitlines()
    assert header.split() == [
        "number",
        "source",
        "record",
        "subject",
        "applied",
        "state",
        "decided",
        "evidence",
    ]
    assert first.split()[:7] == ["1", "court", "j1", PERSON, "2026-01-01", "granted", "2026-02-01"]
    assert first.endswith("Paid in full.")
    assert second.split()[5] == "refused"
    assert reason == "repair 2 refused: No receipt."
    assert scs("repair", "list", "--pending").stdout == "no repairs\n"
    as_json = json.loads(scs("repair", "list", "--subject", OTHER_PERSON, "--json").stdout)
    assert [(r["number"], r["state"], r["reason"], r["subject_id"]) for r in as_json] == [
        (2, "refused", "No receipt.", OTHER_PERSON)
    ]
    assert json.loads(scs("repair", "list", "--source", "tax-office", "--json").stdout) == []


def test_the_file_lists_repairs_and_a_grant_stops_the_record_counting(scs, tmp_path: Path) -> None:
    apply(scs, "j1", "Paid in full.", "2026-01-01")
    scs("repair", "grant", "1", "--on", "2026-02-01")
    before = json.loads(scs("show", PERSON, "--as-of", "2026-01-31", "--json").stdout)
    after = json.loads(scs("show", PERSON, "--as-of", "2026-02-01", "--json").stdout)
    assert (before["score"], before["lists"]) == (900, ["blacklist"])
    assert (after["score"], after["lists"], after["counting_records"]) == (1000, [], [])
    assert [(r["number"], r["state"], r["decided_on"]) for r in before["repairs"]] == [
        (1, "pending", None)
    ]
    assert {key: after["repairs"][0][key] for key in ("source", "record_id", "applied_on")} == {
        "source": "court",
        "record_id": "j1",
        "applied_on": "2026-01-01",
    }
    assert after["repairs"][0]["state"] == "granted"
    text = scs("show", PERSON, "--as-of", "2026-02-01").stdout
    assert "Repairs: 1" in text
    for day, expected in (("2026-01-31", "900"), ("2026-02-01", "1000")):
        out = tmp_path / f"scores-{day}.csv"
        assert scs("score", "--as-of", day, "--out", str(out)).exit_code == 0
        rows = [line.split(",") for line in out.read_text().splitlines()[1:]]
        assert [row[2] for row in rows if row[0] == PERSON] == [expected]


def test_refusals_are_one_line_and_exit_1(scs) -> None:
    cases = [
        (apply(scs, "nope", "x"), "source 'court' has no record 'nope'"),
        (apply(scs, "j1", "x", "2025-12-31"), "may be applied for from 2026-01-01"),
        (apply(scs, "j1", "x", "2999-01-01"), "lies after today"),
        (apply(scs, "j1", "x" * 2001), "the evidence has 2001 characters; at most 2000"),
        (scs("repair", "grant", "7"), "there is no repair 7"),
    ]
    assert apply(scs, "j1", "Paid.", "2026-01-01").exit_code == 0
    cases += [
        (apply(scs, "j1", "Again."), "repair 1 of record 'j1' of 'court' is still pending"),
        (scs("repair", "grant", "1", "--on", "2025-12-31"), "lies before the application"),
        (scs("repair", "refuse", "1", "--reason", " "), "the reason is empty"),
    ]
    assert scs("repair", "refuse", "1", "--reason", "No.").exit_code == 0
    cases.append((scs("repair", "grant", "1"), "repair 1 was already decided: refused on"))
    for result, message in cases:
        assert result.exit_code == 1, result.output
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    bad_day = scs("repair", "grant", "1", "--on", "soon")
    assert bad_day.exit_code == 2 and "is not a date" in bad_day.stderr
