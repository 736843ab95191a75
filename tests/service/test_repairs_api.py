"""SPEC §10.2 and §8: the repair endpoints. The subject applies (201), the source grants or
refuses; refusals are 422 naming why; the file the API serves lists the repairs and a granted
record stops counting from the grant day. On both stores; who may do what across every kind of
caller is tested in test_authorization.py."""

from __future__ import annotations

import orjson

from tests.helpers import PERSON, record
from tests.service.conftest import Api

NDJSON = {"Content-Type": "application/x-ndjson"}


def submit(api: Api, key: str, rows: list[dict]) -> None:
    body = b"".join(orjson.dumps(row) + b"\n" for row in rows)
    response = api.client.post("/v1/records", content=body, headers=api.as_(key) | NDJSON)
    assert response.json()["accepted"] == len(rows), response.text


def test_apply_grant_and_the_file(api: Api) -> None:
    submit(api, "court", [record("j1", "court.judgment_default", PERSON, "2025-01-05")])
    before = api.client.get(f"/v1/subjects/{PERSON}", headers=api.as_("subject")).json()
    assert (before["score"], before["repairs"]) == (900, [])
    applied = api.client.post(
        "/v1/repairs",
        json={"source": "court", "record_id": "j1", "evidence": "Paid in full."},
        headers=api.as_("subject"),
    )
    assert applied.status_code == 201, applied.text
    body = applied.json()
    assert {key: body[key] for key in ("number", "source", "record_id", "state", "applied_on")} == {
        "number": 1,
        "source": "court",
        "record_id": "j1",
        "state": "pending",
        "applied_on": "2026-11-22",
    }
    pending = api.client.get("/v1/repairs?pending=true", headers=api.as_("court")).json()
    assert [repair["number"] for repair in pending["repairs"]] == [1]
    granted = api.client.post("/v1/repairs/1/grant", headers=api.as_("court"))
    assert granted.status_code == 200, granted.text
    assert (granted.json()["state"], granted.json()["decided_on"]) == ("granted", "2026-11-22")
    assert api.client.get("/v1/repairs?pending=true", headers=api.as_("court")).json() == {
        "repairs": [],
        "next": None,
    }
    after = api.client.get(f"/v1/subjects/{PERSON}", headers=api.as_("subject")).json()
    assert (after["score"], after["lists"], after["counting_records"]) == (1000, [], [])
    assert [(r["number"], r["state"]) for r in after["repairs"]] == [(1, "granted")]
    again = api.client.post("/v1/repairs/1/refuse", json={"reason": "no"}, headers=api.as_("court"))
    assert again.status_code == 422
    assert "repair 1 was already decided: granted on 2026-11-22" in again.json()["detail"]


def test_refusals_are_422_saying_why(api: Api) -> None:
    submit(
        api,
        "court",
        [
            record("j1", "court.judgment_default", PERSON, "2025-01-05"),
            record("j2", "court.judgment_default", PERSON, "2026-10-01"),
        ],
    )

    def apply(record_id: str, evidence: str = "Paid."):
        return api.client.post(
            "/v1/repairs",
            json={"source": "court", "record_id": record_id, "evidence": evidence},
            headers=api.as_("subject"),
        )

    early = apply("j2")
    assert early.status_code == 422
    assert "may be applied for from 2027-10-01" in early.json()["detail"]
    too_long = apply("j1", "x" * 2001)
    assert too_long.status_code == 422 and "evidence" in too_long.json()["detail"]
    assert apply("j1").status_code == 201
    pending = apply("j1")
    assert pending.status_code == 422 and "still pending" in pending.json()["detail"]
    no_reason = api.client.post("/v1/repairs/1/refuse", json={}, headers=api.as_("court"))
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["detail"]
    refused = api.client.post(
        "/v1/repairs/1/refuse", json={"reason": "No receipt."}, headers=api.as_("court")
    )
    assert (refused.status_code, refused.json()["state"], refused.json()["reason"]) == (
        200,
        "refused",
        "No receipt.",
    )
    assert apply("j1", "Receipt attached.").status_code == 201  # refused: may apply again
    listed = api.client.get("/v1/repairs", headers=api.as_("subject")).json()["repairs"]
    assert [(r["number"], r["state"]) for r in listed] == [(1, "refused"), (2, "pending")]
    wrong_source = api.client.post("/v1/repairs/2/grant", headers=api.as_("traffic-police"))
    assert wrong_source.status_code == 404
    assert '"applied_on"' not in wrong_source.text


def test_evidence_with_a_control_character_is_refused_naming_the_field(api: Api) -> None:
    submit(api, "court", [record("j1", "court.judgment_default", PERSON, "2025-01-05")])
    body = {"source": "court", "record_id": "j1", "evidence": "paid\x00"}
    response = api.client.post("/v1/repairs", json=body, headers=api.as_("subject"))
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "body field evidence: the evidence holds a control character ('\\x00' at position 5)"
    )
    assert api.registry.repairs() == []  # nothing was half stored
