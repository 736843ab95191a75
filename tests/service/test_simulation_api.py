"""POST /v1/catalogue/simulation (SPEC §10.6 through the API): the operator's, the report of
`scs catalog simulate --json`, the publication's refusals as 422, nothing stored."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from socialcredit.cli.app import app
from socialcredit.service.settings import ServiceSettings
from tests.helpers import PERSON, catalogue_document, catalogue_yaml, record, write_records
from tests.service.conftest import Api, make_app

YAML = {"Content-Type": "application/yaml"}


def candidate(court_points: int = -100, **changes) -> str:
    document = copy.deepcopy(catalogue_document(version=2, effective_from="2030-01-01"))
    for item in document["items"]:
        if item["code"] == "court.judgment_default":
            item["points"] = court_points
    document.update(changes)
    return catalogue_yaml(document)


def with_a_record(api: Api, tmp_path: Path) -> None:
    rows = [record("j1", "court.judgment_default", PERSON, "2026-10-01")]
    result = api.registry.ingest(write_records(tmp_path / "court.csv", rows), "court")
    assert result.counts.accepted == 1


def test_the_operator_gets_the_report_the_command_line_prints(
    api: Api, store_url: str, tmp_path: Path
) -> None:
    with_a_record(api, tmp_path)
    text = candidate(-200)
    response = api.client.post(
        "/v1/catalogue/simulation?as_of=2026-11-20",
        content=text.encode(),
        headers={**api.as_("operator"), **YAML},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    # 900 (B, black list) → 800 (D, and on the low-score list below 850)
    assert body["subjects_changed"] == 1
    assert body["tier_changes"] == {"B>D": 1}
    assert body["lists"]["low_score"] == {"enter": 1, "leave": 0}
    assert body["items"] == [
        {"item": "court.judgment_default", "points_before": -100, "points_after": -200}
    ]
    path = tmp_path / "candidate.yaml"
    path.write_text(text)
    printed = CliRunner().invoke(
        app,
        ["catalog", "simulate", str(path), "--as-of", "2026-11-20", "--json", "--db", store_url],
    )
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.stdout) == body
    assert [row.version for row in api.registry.catalogue_rows()] == [1]


def test_only_the_operator_may_simulate(api: Api) -> None:
    for name, status in ((None, 401), ("court", 403), ("subject", 403), ("civil-aviation", 403)):
        response = api.client.post(
            "/v1/catalogue/simulation",
            content=candidate().encode(),
            headers={**api.as_(name), **YAML},
        )
        assert response.status_code == status, (name, response.text)


def test_what_publication_refuses_is_422_naming_the_problem(api: Api, tmp_path: Path) -> None:
    with_a_record(api, tmp_path)
    document = catalogue_document(version=2, effective_from="2030-01-01")
    document["items"][0]["issuers"] = ["ghost"]
    response = api.client.post(
        "/v1/catalogue/simulation",
        content=catalogue_yaml(document).encode(),
        headers={**api.as_("operator"), **YAML},
    )
    assert response.status_code == 422
    assert "issuer 'ghost' is not a declared source" in response.json()["detail"]
    back_dated = api.client.post(
        "/v1/catalogue/simulation",
        content=candidate(effective_from="2025-01-01").encode(),
        headers={**api.as_("operator"), **YAML},
    )
    assert back_dated.status_code == 422
    before_every_version = api.client.post(
        "/v1/catalogue/simulation?as_of=2020-01-01",
        content=candidate().encode(),
        headers={**api.as_("operator"), **YAML},
    )
    assert before_every_version.status_code == 422
    assert before_every_version.json()["detail"].startswith("query parameter as_of:")


def test_a_body_that_is_not_yaml_text_is_refused(api: Api) -> None:
    operator = api.as_("operator")
    wrong_type = api.client.post(
        "/v1/catalogue/simulation",
        content=candidate().encode(),
        headers={**operator, "Content-Type": "application/json"},
    )
    assert wrong_type.status_code == 415
    not_utf8 = api.client.post(
        "/v1/catalogue/simulation", content=b"catalog: \xff\xfe", headers={**operator, **YAML}
    )
    assert not_utf8.status_code == 422 and "UTF-8" in not_utf8.json()["detail"]


def test_a_body_over_the_catalogue_limit_gets_413(store_url: str) -> None:
    settings = ServiceSettings(catalogue_body_max_bytes=100_000)
    with TestClient(make_app(store_url, settings)) as client:
        key = client.app.state.registry.keys.create("operator", None).secret
        headers = {"Authorization": f"Bearer {key}", **YAML}
        big = candidate() + "# " + "x" * 200_000 + "\n"
        assert (
            client.post("/v1/catalogue/simulation", content=big, headers=headers).status_code == 413
        )
        # Larger than other bodies' 64 KiB, within the catalogue's limit: read and judged
        within = candidate() + "# " + "x" * 80_000 + "\n"
        response = client.post("/v1/catalogue/simulation", content=within, headers=headers)
        assert response.status_code == 422  # no version is in effect: nothing to compare
        assert response.json()["detail"].startswith("query parameter as_of:")
