"""SPEC §7.1, §7.4, §8: an objection belongs to the subject the objected revision named. A
record that one subject objects to and that its source then corrects to name another subject
does not bring the objection into the other's list: not in `Registry.objections`, not in `scs
objection list --subject`, not in `GET /v1/objections` with the other's key, not on the other's
pages. The one who objected keeps it.

Ingest now refuses a revision that names another subject (issue 16, defect 21), but a ledger
written before that rule may hold one, and the lists must still be right there: the fixture
writes such a ledger with the rule turned off."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from socialcredit.cli.app import app
from socialcredit.ingest import revisions
from socialcredit.registry import Registry
from tests.e2e.world import TODAY_DATE, build_app
from tests.helpers import (
    OTHER_PERSON,
    PERSON,
    catalogue_document,
    catalogue_yaml,
    record,
    write_records,
)

OBJECTOR, NAMED_AFTER = PERSON, OTHER_PERSON
REASON = "This judgment is not mine"


@dataclass
class Corrected:
    client: TestClient
    registry: Registry
    keys: dict[str, str]  # identifier → a subject key's secret
    number: int  # the objection


@pytest.fixture
def corrected(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Corrected]:
    """OBJECTOR objects to the court's record j1; the court then corrects j1 to name
    NAMED_AFTER (revision 2), which also answers the objection. Each has another record, so
    that each has a file."""
    with TestClient(build_app(store_url), base_url="http://127.0.0.1") as client:
        registry: Registry = client.app.state.registry
        assert registry.publish_catalogue(catalogue_yaml(catalogue_document())).version == 1

        def ingest(name: str, source: str, rows: list[dict]) -> None:
            result = registry.ingest(write_records(tmp_path / name, rows), source)
            assert result.counts.accepted == len(rows)

        ingest(
            "court.csv",
            "court",
            [
                record("j1", "court.judgment_default", OBJECTOR, "2026-09-01"),
                record("j2", "court.judgment_default", NAMED_AFTER, "2026-09-02"),
            ],
        )
        ingest(
            "traffic.csv",
            "traffic-police",
            [record("t1", "traffic.red_light", OBJECTOR, "2026-09-03")],
        )
        number = registry.file_objection("court", "j1", REASON, on=dt.date(2026, 10, 1)).number
        monkeypatch.setattr(revisions, "REFUSE_SUBJECT_CHANGE", False)  # a ledger of before
        ingest(
            "correction.csv",
            "court",
            [record("j1", "court.judgment_default", NAMED_AFTER, "2026-09-01", revision=2)],
        )
        keys = {
            subject: registry.keys.create("subject", subject).secret
            for subject in (OBJECTOR, NAMED_AFTER)
        }
        yield Corrected(client, registry, keys, number)


def test_the_registry_lists_it_for_the_objector_only(corrected: Corrected) -> None:
    registry = corrected.registry
    assert [o.number for o in registry.objections(subject_id=NAMED_AFTER)] == []
    (kept,) = registry.objections(subject_id=OBJECTOR)
    assert (kept.number, kept.subject_id, kept.state) == (corrected.number, OBJECTOR, "corrected")
    (other_file,) = registry.subject_files(NAMED_AFTER, TODAY_DATE, "tester", "test", "test")
    assert [entry.record.record_id for entry in other_file.score.counting_records] == ["j1", "j2"]
    assert other_file.objections == []
    (own_file,) = registry.subject_files(OBJECTOR, TODAY_DATE, "tester", "test", "test")
    assert [o.number for o in own_file.objections] == [corrected.number]


def test_scs_objection_list_for_the_subject_named_after(
    corrected: Corrected, store_url: str
) -> None:
    def listed(subject: str) -> list[int]:
        result = CliRunner().invoke(
            app, ["objection", "list", "--subject", subject, "--json", "--db", store_url]
        )
        assert result.exit_code == 0, result.output
        return [objection["number"] for objection in json.loads(result.stdout)]

    assert listed(NAMED_AFTER) == []
    assert listed(OBJECTOR) == [corrected.number]


def test_the_api_lists_it_for_the_objector_only(corrected: Corrected) -> None:
    def listed(subject: str) -> list[int]:
        response = corrected.client.get(
            "/v1/objections", headers={"Authorization": f"Bearer {corrected.keys[subject]}"}
        )
        assert response.status_code == 200, response.text
        return [objection["number"] for objection in response.json()["objections"]]

    assert listed(NAMED_AFTER) == []
    assert listed(OBJECTOR) == [corrected.number]


def test_the_pages_of_the_subject_named_after_do_not_show_it(corrected: Corrected) -> None:
    client = corrected.client
    page = client.get("/sign-in")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    signed_in = client.post(
        "/sign-in",
        data={"key": corrected.keys[NAMED_AFTER], "csrf_token": token},
        follow_redirects=False,
    )
    assert signed_in.headers["location"] == "/my-file"
    own_file = client.get("/my-file")
    assert own_file.status_code == 200
    assert "DOC-j1" in own_file.text  # the corrected record is there
    assert f"/my-file/objections/{corrected.number}" not in own_file.text
    assert client.get(f"/my-file/objections/{corrected.number}").status_code == 404
