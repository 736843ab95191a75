"""SPEC §11 through the HTTP API, on both stores: `jurisdiction=` on the catalogue, checks and
files; `GET /v1/jurisdictions`; the public record of an organization with each list's deciding
record; the organizations on a national list, paged and searchable, persons never."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from socialcredit.registry import Registry
from tests.helpers import (
    ORGANIZATION,
    OTHER_PERSON,
    PERSON,
    catalogue_yaml,
    city_document,
    national_document,
    record,
    write_records,
)
from tests.service.conftest import Api, make_app


@pytest.fixture
def nation(store_url: str, tmp_path: Path) -> Iterator[Api]:
    with TestClient(make_app(store_url), raise_server_exceptions=False) as client:
        registry: Registry = client.app.state.registry
        floors = {"national_floors": {"dishonest_debtors": 150}}
        for document in (
            national_document(),
            city_document("alpha"),
            city_document("beta", base_score=800, **floors),
        ):
            assert registry.publish_catalogue(catalogue_yaml(document)).report.problems == []
        files = {
            "alpha-court": [record("a1", "court.judgment_default", PERSON, "2025-01-10")],
            "alpha-tax-office": [record("a2", "tax.arrears_major", ORGANIZATION, "2025-02-01")],
            "beta-charity": [record("b1", "charity.volunteer_hour", PERSON, "2025-03-01")],
            "supreme-court": [
                record("n1", "national.judgment_debtor", PERSON, "2025-04-01"),
                record("n2", "national.judgment_debtor", OTHER_PERSON, "2025-04-01"),
            ],
            "state-tax": [record("n3", "national.major_tax_violation", ORGANIZATION, "2025-05-01")],
        }
        for source, rows in files.items():
            registry.ingest(write_records(tmp_path / f"{source}.csv", rows), source)
        keys = {
            "operator": registry.keys.create("operator", None).secret,
            "subject": registry.keys.create("subject", PERSON).secret,
            "railway": registry.keys.create("party", "railway").secret,
            "civil-aviation": registry.keys.create("party", "civil-aviation").secret,
        }
        yield Api(client, registry, keys)


def test_the_jurisdictions_are_listed(nation: Api) -> None:
    response = nation.client.get("/v1/jurisdictions")
    assert response.status_code == 200
    assert [(j["jurisdiction"], j["national"], j["version"]) for j in response.json()] == [
        ("alpha", False, 1),
        ("beta", False, 1),
        ("national", True, 1),
    ]


def test_the_catalogue_of_a_jurisdiction(nation: Api) -> None:
    beta = nation.client.get("/v1/catalogue", params={"jurisdiction": "beta"}).json()
    assert (beta["jurisdiction"], beta["base_score"]) == ("beta", 800)
    national = nation.client.get("/v1/catalogue", params={"jurisdiction": "national"}).json()
    assert (national["jurisdiction"], national["base_score"], national["tiers"]) == (
        "national",
        None,
        [],
    )
    response = nation.client.get("/v1/catalogue")
    assert response.status_code == 422
    assert "query parameter jurisdiction" in response.json()["detail"]
    response = nation.client.get("/v1/catalogue", params={"jurisdiction": "wuhan"})
    assert response.status_code == 422
    assert "unknown jurisdiction 'wuhan'" in response.json()["detail"]


def test_the_public_record_of_an_organization(nation: Api) -> None:
    body = nation.client.get(f"/v1/organizations/{ORGANIZATION}?jurisdiction=alpha").json()
    assert body["lists"] == ["national.major_tax_violators", "tax_arrears"]
    assert body["listings"][1] == {
        "list": "national.major_tax_violators",
        "source": "state-tax",
        "reference": "DOC-n3",
        "decided_on": "2025-05-01",
        "published_until": "2028-04-29",
    }
    national = nation.client.get(f"/v1/organizations/{ORGANIZATION}").json()
    assert (national["jurisdiction"], national["lists"]) == (
        None,
        ["national.major_tax_violators"],
    )


def test_a_national_list_shows_organizations_never_persons(nation: Api) -> None:
    body = nation.client.get("/v1/national-lists/major_tax_violators").json()
    assert (body["total"], body["organizations"]) == (1, [ORGANIZATION])
    body = nation.client.get(
        "/v1/national-lists/major_tax_violators", params={"search": "zzz", "limit": 10}
    ).json()
    assert (body["total"], body["organizations"]) == (0, [])
    body = nation.client.get("/v1/national-lists/dishonest_debtors").json()
    assert (body["total"], body["organizations"]) == (0, [])
    assert nation.client.get("/v1/national-lists/blacklist").status_code == 404
    assert nation.client.get("/v1/national-lists/x?limit=0").status_code == 422


def test_a_file_in_each_city_or_in_one(nation: Api) -> None:
    headers = nation.as_("subject")
    every = nation.client.get(f"/v1/subjects/{PERSON}", headers=headers).json()
    assert [(d["jurisdiction"], d["score"]) for d in every] == [("alpha", 900), ("beta", 150)]
    beta = nation.client.get(
        f"/v1/subjects/{PERSON}", params={"jurisdiction": "beta"}, headers=headers
    ).json()
    assert beta["jurisdiction"] == "beta"
    assert "national.dishonest_debtors" in beta["lists"]
    response = nation.client.get(
        f"/v1/subjects/{PERSON}", params={"jurisdiction": "wuhan"}, headers=headers
    )
    assert response.status_code == 422


def test_checks_of_a_city_or_the_nation(nation: Api) -> None:
    query = {"subject_id": OTHER_PERSON, "measure": "no_high_speed_rail", "purpose": "ticket"}
    answer = nation.client.get("/v1/checks", params=query, headers=nation.as_("railway")).json()
    assert (answer["applies"], answer["because"]) == (True, "list:national.dishonest_debtors")
    query = {"subject_id": PERSON, "measure": "no_air_travel", "purpose": "ticket"}
    headers = nation.as_("civil-aviation")
    response = nation.client.get("/v1/checks", params=query, headers=headers)
    assert response.status_code == 422
    assert "query parameter jurisdiction" in response.json()["detail"]
    answer = nation.client.get(
        "/v1/checks", params={**query, "jurisdiction": "alpha"}, headers=headers
    ).json()
    assert (answer["applies"], answer["because"]) == (True, "list:blacklist")
