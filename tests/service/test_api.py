"""The endpoints of SPEC §8 delivered so far, on both stores, through the ASGI app."""

from __future__ import annotations

import orjson
from fastapi.testclient import TestClient

from socialcredit.ingest.reasons import REJECT_KINDS, reject_kind
from socialcredit.service.settings import ServiceSettings
from tests.helpers import ORGANIZATION, OTHER_PERSON, PERSON, record
from tests.service.conftest import Api, make_app


def jsonl(rows: list[dict]) -> bytes:
    return b"".join(orjson.dumps(row) + b"\n" for row in rows)


NDJSON = {"Content-Type": "application/x-ndjson"}


def submit(api: Api, key: str, rows: list[dict], **headers: str):
    return api.client.post(
        "/v1/records", content=jsonl(rows), headers=api.as_(key) | NDJSON | headers
    )


def test_the_catalogue_is_public_and_complete(api: Api) -> None:
    body = api.client.get("/v1/catalogue").json()
    assert body["version"] == 1 and body["base_score"] == 1000
    items = {item["code"]: item for item in body["items"]}
    assert items["court.judgment_default"] == {
        "code": "court.judgment_default",
        "title": "Failed to perform an effective judgment",
        "subject": "person",
        "points": -100,
        "counts_for_days": 1095,
        "cap_per_year": None,
        "lists": ["blacklist"],
        "issuers": ["court"],
        "legal_basis": "Civil Procedure Law art. 262",
        "severity": "serious",
        "repairable": True,
        "repeat": None,
    }
    assert body["measures"][0]["applies_to"]["list"] == "blacklist"
    assert (body["measures"][0]["kind"], body["measures"][0]["legal_basis"]) == (
        "sanction",
        "Opinions on joint punishment of dishonest judgment debtors",
    )
    assert [tier["name"] for tier in body["tiers"]] == ["AAA", "AA", "A", "B", "C", "D"]
    before = api.client.get("/v1/catalogue", params={"as_of": "2020-01-01"})
    assert before.status_code == 422 and "as_of" in before.json()["detail"]
    bad = api.client.get("/v1/catalogue", params={"as_of": "yesterday"})
    assert (
        bad.status_code == 422
        and bad.json()["error"] == "invalid"
        and "as_of" in bad.json()["detail"]
    )


def test_an_organization_shows_its_lists_and_a_person_never_does(api: Api) -> None:
    assert api.client.get(f"/v1/organizations/{ORGANIZATION}").status_code == 404
    rows = [
        record("t1", "tax.arrears_major", ORGANIZATION, "2026-01-05"),
        record("c1", "court.judgment_default", PERSON, "2026-01-05"),
    ]
    assert submit(api, "court", rows[1:]).json()["accepted"] == 1
    tax = api.registry.keys.create("source", "tax-office").secret
    api.client.post(
        "/v1/records", content=jsonl(rows[:1]), headers={"Authorization": f"Bearer {tax}"} | NDJSON
    )
    body = api.client.get(f"/v1/organizations/{ORGANIZATION}").json()
    assert body == {
        "subject_id": ORGANIZATION,
        "lists": ["tax_arrears"],
        # SPEC §11: the jurisdiction read, and why it is on each list entered through records.
        "jurisdiction": "default",
        "listings": [
            {
                "list": "tax_arrears",
                "source": "tax-office",
                "reference": "DOC-t1",
                "decided_on": "2026-01-05",
                "published_until": "2029-01-03",
            }
        ],
    }
    person = api.client.get(f"/v1/organizations/{PERSON}")
    assert person.status_code == 422 and "code" in person.json()["detail"]


def test_a_source_submits_json_lines_and_csv_and_a_retry_changes_nothing(api: Api) -> None:
    rows = [
        record("r1", "traffic.red_light", PERSON, "2026-01-05"),
        record("r2", "traffic.red_light", "123", "2026-01-05"),
        record("r3", "court.judgment_default", PERSON, "2026-01-05"),
    ]
    first = submit(api, "traffic-police", rows)
    assert first.status_code == 200
    body = first.json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (1, 0, 2)
    assert [reject["row"] for reject in body["rejects"]] == [2, 3]
    assert "not an issuer" in body["rejects"][1]["reason"]
    again = submit(api, "traffic-police", rows).json()
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, 1, 2)
    assert again["batch"] == body["batch"] + 1
    csv_body = (
        b"record_id,item,subject_id,decided_on,reference\nr4,traffic.red_light,%s,2026-02-01,D4\n"
        % PERSON.encode()
    )
    response = api.client.post(
        "/v1/records",
        content=csv_body,
        headers=api.as_("traffic-police") | {"Content-Type": "text/csv; charset=utf-8"},
    )
    assert response.json()["accepted"] == 1
    records = api.registry.store.records_naming(PERSON)
    assert sorted(r.record_id for r in records) == ["r1", "r4"]
    assert {r.source for r in records} == {"traffic-police"}


def test_only_a_source_submits_and_only_known_formats(api: Api) -> None:
    rows = [record("r1", "traffic.red_light", PERSON, "2026-01-05")]
    for key in (None, "operator", "subject", "civil-aviation"):
        assert submit(api, key, rows).status_code == (401 if key is None else 403)
    wrong = api.client.post(
        "/v1/records",
        content=b"{}",
        headers=api.as_("court") | {"Content-Type": "application/json"},
    )
    assert wrong.status_code == 415 and "content-type" in wrong.json()["detail"]
    assert api.registry.store.records_naming(PERSON) == []


def test_a_body_over_the_limit_gets_413_before_it_is_read_whole(store_url: str) -> None:
    settings = ServiceSettings(records_body_max_bytes=1000)
    with TestClient(make_app(store_url, settings)) as client:
        registry = client.app.state.registry
        from tests.helpers import catalogue_document, catalogue_yaml

        registry.publish_catalogue(catalogue_yaml(catalogue_document()))
        headers = {
            "Authorization": f"Bearer {registry.keys.create('source', 'court').secret}"
        } | NDJSON
        rows = [record(f"r{i}", "court.judgment_default", PERSON, "2026-01-05") for i in range(40)]
        declared = client.post("/v1/records", content=jsonl(rows), headers=headers)
        assert declared.status_code == 413 and declared.json()["error"] == "too_large"

        def chunks():  # no Content-Length: counted as it streams
            for row in rows:
                yield orjson.dumps(row) + b"\n"

        streamed = client.post("/v1/records", content=chunks(), headers=headers)
        assert streamed.status_code == 413
        assert registry.store.records_naming(PERSON) == []


def test_a_subject_reads_its_own_file_and_each_read_is_logged(api: Api) -> None:
    submit(
        api,
        "court",
        [
            record("c1", "court.judgment_default", PERSON, "2026-01-05"),
            record("c2", "court.judgment_default", OTHER_PERSON, "2026-01-05"),
        ],
    )
    own = api.client.get(f"/v1/subjects/{PERSON}", headers=api.as_("subject"))
    assert own.status_code == 200
    body = own.json()
    assert (body["subject_id"], body["score"], body["tier"], body["lists"]) == (
        PERSON,
        900,
        "B",
        ["blacklist"],
    )
    assert body["counting_records"][0]["legal_basis"] == "Civil Procedure Law art. 262"
    assert [(v["viewer"], v["channel"]) for v in body["views"]] == [("subject", "api")]
    other = api.client.get(f"/v1/subjects/{OTHER_PERSON}", headers=api.as_("subject"))
    assert other.status_code == 403 and OTHER_PERSON not in other.text
    for key in ("court", "civil-aviation"):
        assert api.client.get(f"/v1/subjects/{PERSON}", headers=api.as_(key)).status_code == 403
    by_operator = api.client.get(
        f"/v1/subjects/{OTHER_PERSON}", headers=api.as_("operator"), params={"purpose": "audit"}
    )
    assert by_operator.json()["views"][-1]["purpose"] == "audit"
    assert api.client.get("/v1/subjects/123", headers=api.as_("operator")).status_code == 422


def test_too_many_requests_get_429_with_retry_after(store_url: str) -> None:
    settings = ServiceSettings(requests_per_second_per_key=0.01, request_burst_per_key=2)
    with TestClient(make_app(store_url, settings)) as client:
        key = client.app.state.registry.keys.create("operator", None).secret
        statuses = [
            client.get(f"/v1/subjects/{PERSON}", headers={"Authorization": f"Bearer {key}"})
            for _ in range(3)
        ]
        assert [response.status_code == 429 for response in statuses] == [False, False, True]
        assert int(statuses[2].headers["Retry-After"]) >= 1
        assert statuses[2].json()["error"] == "rate_limited"


def test_health_openapi_and_metrics(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    assert api.client.get("/readyz").json()["status"] == "ready"
    paths = api.client.get("/v1/openapi.json").json()["paths"]
    assert {
        "/v1/catalogue",
        "/v1/organizations/{code}",
        "/v1/records",
        "/v1/subjects/{subject_id}",
    } <= set(paths)
    submit(
        api,
        "court",
        [
            record("c1", "court.judgment_default", PERSON, "2026-01-05"),
            record("c2", "nope", PERSON, "2026-01-05"),
        ],
    )
    api.client.get(f"/v1/subjects/{PERSON}", headers=api.as_("operator"))
    metrics = api.client.get("/metrics", headers=api.as_("operator")).text
    assert (
        'scs_http_requests_total{method="GET",route="/v1/subjects/{subject_id}",status="200"} 1.0'
        in metrics
    )
    assert 'scs_records_total{outcome="accepted"} 1.0' in metrics
    assert 'scs_records_rejected_total{kind="unknown_item"} 1.0' in metrics
    assert PERSON not in metrics


def test_metrics_are_the_operator_s_alone(api: Api) -> None:
    """Issue 16, defect 10: /metrics counts checks by answer, so no one else may read it."""
    assert api.client.get("/metrics").status_code == 401
    for other in ("civil-aviation", "court", "subject"):
        assert api.client.get("/metrics", headers=api.as_(other)).status_code == 403
    response = api.client.get("/metrics", headers=api.as_("operator"))
    assert response.status_code == 200 and "scs_http_requests_total" in response.text


def test_reject_kinds_come_from_a_fixed_list() -> None:
    assert reject_kind("source 'x' is not an issuer of 'y'; missing field item") == "not_an_issuer"
    assert reject_kind("none of the record fields is given (keys: a, b)") == "no_record_field"
    assert reject_kind("anything a client could send") == "other"


def test_one_request_cannot_make_many_metric_series(api: Api) -> None:
    """Issue 16, defect 7: 2,000 rows each with keys of their own, and 200 requests each with
    a method of its own, add a handful of series, not thousands."""
    rows = b"".join(b'{"k%d": 1}\n' % number for number in range(2000))
    response = api.client.post(
        "/v1/records",
        content=rows,
        headers=api.as_("court") | {"Content-Type": "application/x-ndjson"},
    )
    assert response.json()["rejected"] == 2000
    for number in range(200):
        api.client.request(f"M{number}", "/healthz")
    metrics = api.client.get("/metrics", headers=api.as_("operator")).text
    series = [line for line in metrics.splitlines() if line and not line.startswith("#")]
    rejected = [line for line in series if line.startswith("scs_records_rejected_total")]
    assert rejected == ['scs_records_rejected_total{kind="no_record_field"} 2000.0']
    assert not any("M1" in line for line in series)
    assert len(series) < 200
    kinds = {line.split('kind="')[1].split('"')[0] for line in rejected}
    assert kinds <= set(REJECT_KINDS)
