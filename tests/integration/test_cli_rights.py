"""`scs objection`, `scs statement`, `scs check`, `scs measures` and the file of `scs show`
(SPEC §6, §7): outputs, JSON shapes and exit codes, on both stores."""

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
            record("j2", "court.judgment_default", PERSON, "2025-01-01"),
            record("j3", "court.judgment_default", OTHER_PERSON, "2025-01-01"),
        ],
    )
    assert run("ingest", str(records), "--source", "court").exit_code == 0
    return run


def test_file_uphold_and_list(scs) -> None:
    filed = scs(
        "objection",
        "file",
        "--source",
        "court",
        "--record",
        "j1",
        "--reason",
        "I paid",
        "--on",
        "2025-02-01",
    )
    assert (filed.exit_code, filed.stdout) == (0, "objection 1\n")
    assert (
        scs(
            "objection",
            "file",
            "--source",
            "court",
            "--record",
            "j3",
            "--reason",
            "Not me",
            "--on",
            "2025-02-01",
        ).stdout
        == "objection 2\n"
    )
    upheld = scs("objection", "uphold", "1", "--note", "The judgment stands.", "--on", "2025-03-01")
    assert (upheld.exit_code, upheld.stdout) == (0, "objection 1 upheld on 2025-03-01\n")
    listed = scs("objection", "list")
    assert listed.exit_code == 0
    header, first, second = listed.stdout.splitlines()
    assert header.split()[:8] == [
        "number",
        "source",
        "record",
        "rev",
        "subject",
        "filed",
        "due",
        "state",
    ]
    assert first.split()[:9] == [
        "1",
        "court",
        "j1",
        "1",
        PERSON,
        "2025-02-01",
        "2025-03-03",
        "upheld",
        "2025-03-01",
    ]
    assert second.split()[7:9] == ["overdue", "-"]
    assert second.endswith("Not me")
    open_only = scs("objection", "list", "--open", "--json")
    (only,) = json.loads(open_only.stdout)
    assert only == {
        "number": 2,
        "source": "court",
        "record_id": "j3",
        "revision": 1,
        "subject_id": OTHER_PERSON,
        "kind": "person",
        "filed_on": "2025-02-01",
        "due_on": "2025-03-03",
        "reason": "Not me",
        "state": "overdue",
        "answered_on": None,
        "note": None,
    }
    mine = json.loads(
        scs("objection", "list", "--subject", PERSON, "--source", "court", "--json").stdout
    )
    assert [objection["number"] for objection in mine] == [1]
    assert scs("objection", "list", "--source", "nobody").stdout == "no objections\n"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ("file", "--source", "court", "--record", "zz", "--reason", "x"),
            "source 'court' has no record 'zz'",
        ),
        (
            ("file", "--source", "court", "--record", "j1", "--reason", "x", "--on", "2999-01-01"),
            "lies after today",
        ),
        (
            ("file", "--source", "court", "--record", "j1", "--reason", "x", "--on", "2024-12-31"),
            "before the record's decision",
        ),
        (("uphold", "9"), "there is no objection 9"),
        (("list", "--subject", "12345"), "not a valid identifier"),
    ],
)
def test_objection_refusals_are_one_line_and_exit_1(scs, arguments, message) -> None:
    result = scs("objection", *arguments)
    assert result.exit_code == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_second_open_objection_is_refused_and_a_bad_date_cannot_run(scs) -> None:
    assert (
        scs("objection", "file", "--source", "court", "--record", "j1", "--reason", "x").exit_code
        == 0
    )
    again = scs("objection", "file", "--source", "court", "--record", "j1", "--reason", "y")
    assert again.exit_code == 1 and "is still open" in again.stderr
    bad = scs("objection", "uphold", "1", "--on", "1 March")
    assert bad.exit_code == 2 and "is not a date" in bad.stderr


def test_check_text_and_json(scs) -> None:
    applies = scs(
        "check",
        PERSON,
        "--measure",
        "no_air_travel",
        "--party",
        "civil-aviation",
        "--purpose",
        "ticket sale",
        "--as-of",
        "2025-06-01",
    )
    assert applies.exit_code == 0
    assert applies.stdout.splitlines() == [
        "applies",
        "because list blacklist",
        "catalogue version 1, as of 2025-06-01",
    ]
    document = json.loads(
        scs(
            "check",
            PERSON,
            "--measure",
            "no_air_travel",
            "--party",
            "civil-aviation",
            "--purpose",
            "p",
            "--as-of",
            "2025-06-01",
            "--json",
        ).stdout
    )
    assert document == {
        "measure": "no_air_travel",
        "as_of": "2025-06-01",
        "applies": True,
        "because": "list:blacklist",
        "catalogue_version": 1,
    }
    nobody = scs(
        "check",
        "91350100M000100Y43",
        "--measure",
        "no_air_travel",
        "--party",
        "civil-aviation",
        "--purpose",
        "p",
        "--json",
    )
    assert (
        json.loads(nobody.stdout)["applies"] is False
        and json.loads(nobody.stdout)["because"] is None
    )
    before = scs(
        "check",
        PERSON,
        "--measure",
        "no_air_travel",
        "--party",
        "civil-aviation",
        "--purpose",
        "p",
        "--as-of",
        "2024-12-31",
    )
    assert before.stdout.splitlines()[0] == "does not apply"
    unknown = scs(
        "check", PERSON, "--measure", "fly", "--party", "civil-aviation", "--purpose", "p"
    )
    assert unknown.exit_code == 1 and "unknown measure 'fly'" in unknown.stderr
    party = scs("check", PERSON, "--measure", "no_air_travel", "--party", "bank", "--purpose", "p")
    assert party.exit_code == 1 and "'bank' may not rely on measure" in party.stderr


def test_statement_and_the_file(scs) -> None:
    kept = scs("statement", PERSON, "--text", "I paid the fine on 3 March.")
    assert (kept.exit_code, kept.stdout) == (0, f"statement kept for {PERSON} (person)\n")
    long = scs("statement", PERSON, "--text", "x" * 501)
    assert long.exit_code == 1 and "at most 500" in long.stderr
    nobody = scs("statement", "91350100M000100Y43", "--text", "Hello.")
    assert nobody.exit_code == 1 and "has no credit file" in nobody.stderr
    scs(
        "objection",
        "file",
        "--source",
        "court",
        "--record",
        "j1",
        "--reason",
        "I paid",
        "--on",
        "2025-02-01",
    )
    scs(
        "check",
        PERSON,
        "--measure",
        "no_air_travel",
        "--party",
        "civil-aviation",
        "--purpose",
        "ticket sale",
        "--as-of",
        "2025-03-05",
    )
    shown = scs(
        "show", PERSON, "--as-of", "2025-03-05", "--json", "--viewer", "clerk", "--purpose", "audit"
    )
    document = json.loads(shown.stdout)
    assert document["score"] == 900  # j1 overdue since 2025-03-03: only j2 counts
    assert [entry["record_id"] for entry in document["counting_records"]] == ["j2"]
    (objection,) = document["objections"]
    assert {
        key: objection[key]
        for key in (
            "number",
            "source",
            "record_id",
            "filed_on",
            "due_on",
            "reason",
            "state",
            "answered_on",
        )
    } == {
        "number": 1,
        "source": "court",
        "record_id": "j1",
        "filed_on": "2025-02-01",
        "due_on": "2025-03-03",
        "reason": "I paid",
        "state": "overdue",
        "answered_on": None,
    }
    assert document["statement"]["text"] == "I paid the fine on 3 March."
    assert [(v["viewer"], v["purpose"], v["channel"]) for v in document["views"]] == [
        ("civil-aviation", "ticket sale", "check"),
        ("clerk", "audit", "cli"),
    ]
    text = scs("show", PERSON, "--as-of", "2025-03-05")
    assert "Objections: 1" in text.stdout and "overdue" in text.stdout
    assert "Statement of" in text.stdout and "I paid the fine on 3 March." in text.stdout


def test_measures(scs) -> None:
    listed = scs("measures", "--as-of", "2025-06-01")
    assert listed.exit_code == 0
    assert listed.stdout.splitlines() == [
        "catalogue version 1, as of 2025-06-01",
        "no_air_travel: May not buy air tickets; applies to list blacklist: 2 subjects; "
        "relied on by civil-aviation",
    ]
    (document,) = json.loads(scs("measures", "--as-of", "2025-06-01", "--json").stdout)
    assert document["subjects"] == 2 and document["relying_parties"] == ["civil-aviation"]
    early = scs("measures", "--as-of", "2023-01-01")
    assert early.exit_code == 1 and "no catalogue version is in effect" in early.stderr
