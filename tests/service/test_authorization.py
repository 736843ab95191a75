"""The authorization matrix (OWASP API1, broken object-level authorization): every endpoint ×
every kind of caller × an object of its own and another's. Only the intended cells succeed;
the others get 401 (no key, a revoked key) or 403/404 (a key of another principal), and never
the object. On both stores."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import orjson
import pytest
from fastapi.testclient import TestClient

from socialcredit.registry import Registry
from socialcredit.service.settings import ServiceSettings
from tests.helpers import (
    ORGANIZATION,
    OTHER_PERSON,
    PERSON,
    catalogue_document,
    catalogue_yaml,
    record,
)
from tests.service.conftest import make_app

SOURCE_A, SOURCE_B = "court", "traffic-police"
ITEM_OF = {SOURCE_A: "court.judgment_default", SOURCE_B: "traffic.red_light"}
SUBJECT_OF = {"subject A": PERSON, "subject B": OTHER_PERSON}
CALLERS = (
    "no key",
    "revoked key",
    "operator",
    "source A",
    "source B",
    "subject A",
    "subject B",
    "named party",
    "other party",
)
OWN, ANOTHERS = "own", "another's"
REPAIRABLE_DECIDED_ON = "2025-01-05"  # serious: repair may be applied for from 2026-01-05


@dataclass
class World:
    client: TestClient
    registry: Registry
    keys: dict[str, str]
    counter: itertools.count

    def headers(self, caller: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[caller]}"} if caller in self.keys else {}

    def new_record(self, source: str, subject_id: str, decided_on: str = "2026-01-05") -> str:
        """A fresh record of `source` about `subject_id`, so each cell acts on an untouched one."""
        record_id = f"m{next(self.counter)}"
        body = orjson.dumps(record(record_id, ITEM_OF[source], subject_id, decided_on)) + b"\n"
        key = self.keys["source A" if source == SOURCE_A else "source B"]
        response = self.client.post(
            "/v1/records",
            content=body,
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/x-ndjson"},
        )
        assert response.json()["accepted"] == 1
        return record_id

    def new_objection(self, source: str, subject_id: str) -> int:
        return self.registry.file_objection(
            source, self.new_record(source, subject_id), "not mine"
        ).number

    def new_repair(self, source: str, subject_id: str) -> int:
        """A pending application for repair of a fresh record, old enough to be repaired today
        whatever its severity (SPEC §10.1)."""
        record_id = self.new_record(source, subject_id, REPAIRABLE_DECIDED_ON)
        return self.registry.apply_repair(source, record_id, "paid").number


def subject_of(caller: str, whose: str) -> str:
    """A subject's own identifier, or the other subject's; for others, subject A's or B's."""
    mine = SUBJECT_OF.get(caller, PERSON)
    return mine if whose == OWN else (OTHER_PERSON if mine == PERSON else PERSON)


def source_of(caller: str, whose: str) -> str:
    mine = SOURCE_A if caller != "source B" else SOURCE_B
    return mine if whose == OWN else (SOURCE_B if mine == SOURCE_A else SOURCE_A)


# Each endpoint: (call, who succeeds). `call(world, caller, whose)` returns the response and a
# marker the body must not contain when the call fails (the object's identifying content).
def catalogue(world: World, caller: str, whose: str):
    return world.client.get("/v1/catalogue", headers=world.headers(caller)), None


def organization(world: World, caller: str, whose: str):
    return world.client.get(
        f"/v1/organizations/{ORGANIZATION}", headers=world.headers(caller)
    ), None


def submit(world: World, caller: str, whose: str):
    body = (
        orjson.dumps(
            record(f"s{next(world.counter)}", "court.judgment_default", PERSON, "2026-01-05")
        )
        + b"\n"
    )
    return world.client.post(
        "/v1/records",
        content=body,
        headers=world.headers(caller) | {"Content-Type": "application/x-ndjson"},
    ), None


def read_file(world: World, caller: str, whose: str):
    subject_id = subject_of(caller, whose)
    return world.client.get(f"/v1/subjects/{subject_id}", headers=world.headers(caller)), '"score"'


def statement(world: World, caller: str, whose: str):
    subject_id = subject_of(caller, whose)
    return world.client.put(
        f"/v1/subjects/{subject_id}/statement",
        json={"text": f"mine, says {caller}"},
        headers=world.headers(caller),
    ), '"made_at"'


def object_to(world: World, caller: str, whose: str):
    record_id = world.new_record(SOURCE_A, subject_of(caller, whose))
    body = {"source": SOURCE_A, "record_id": record_id, "reason": "not mine"}
    return world.client.post("/v1/objections", json=body, headers=world.headers(caller)), '"due_on"'


def list_objections(world: World, caller: str, whose: str):
    response = world.client.get("/v1/objections", headers=world.headers(caller))
    if response.status_code == 200:  # only the caller's own, whatever "whose" asks
        for objection in response.json()["objections"]:
            if caller.startswith("source"):
                assert objection["source"] == source_of(caller, OWN), (caller, objection)
            if caller.startswith("subject"):
                assert objection["subject_id"] == SUBJECT_OF[caller], (caller, objection)
    return response, '"due_on"'


def uphold(world: World, caller: str, whose: str):
    number = world.new_objection(source_of(caller, whose), PERSON)
    return world.client.post(
        f"/v1/objections/{number}/uphold", json={"note": "stands"}, headers=world.headers(caller)
    ), '"due_on"'


def apply_for_repair(world: World, caller: str, whose: str):
    record_id = world.new_record(SOURCE_A, subject_of(caller, whose), REPAIRABLE_DECIDED_ON)
    body = {"source": SOURCE_A, "record_id": record_id, "evidence": "paid in full"}
    return world.client.post(
        "/v1/repairs", json=body, headers=world.headers(caller)
    ), '"applied_on"'


def list_repairs(world: World, caller: str, whose: str):
    response = world.client.get("/v1/repairs", headers=world.headers(caller))
    if response.status_code == 200:  # only the caller's own, whatever "whose" asks
        assert response.json()["repairs"], caller
        for repair in response.json()["repairs"]:
            if caller.startswith("source"):
                assert repair["source"] == source_of(caller, OWN), (caller, repair)
            if caller.startswith("subject"):
                assert repair["subject_id"] == SUBJECT_OF[caller], (caller, repair)
    return response, '"applied_on"'


def grant_repair(world: World, caller: str, whose: str):
    number = world.new_repair(source_of(caller, whose), PERSON)
    return world.client.post(
        f"/v1/repairs/{number}/grant", headers=world.headers(caller)
    ), '"applied_on"'


def refuse_repair(world: World, caller: str, whose: str):
    number = world.new_repair(source_of(caller, whose), PERSON)
    return world.client.post(
        f"/v1/repairs/{number}/refuse", json={"reason": "no proof"}, headers=world.headers(caller)
    ), '"applied_on"'


def check(world: World, caller: str, whose: str):
    params = {
        "subject_id": subject_of(caller, whose),
        "measure": "no_air_travel",
        "purpose": "ticket sale",
    }
    return world.client.get("/v1/checks", params=params, headers=world.headers(caller)), '"applies"'


ANYONE = set(itertools.product(CALLERS, (OWN, ANOTHERS)))
ENDPOINTS: dict[str, tuple[Callable, set[tuple[str, str]]]] = {
    "GET /v1/catalogue": (catalogue, ANYONE),
    "GET /v1/organizations/{code}": (organization, ANYONE),
    "POST /v1/records": (
        submit,
        {("source A", OWN), ("source A", ANOTHERS), ("source B", OWN), ("source B", ANOTHERS)},
    ),
    "GET /v1/subjects/{id}": (
        read_file,
        {("operator", OWN), ("operator", ANOTHERS), ("subject A", OWN), ("subject B", OWN)},
    ),
    "PUT /v1/subjects/{id}/statement": (statement, {("subject A", OWN), ("subject B", OWN)}),
    "POST /v1/objections": (object_to, {("subject A", OWN), ("subject B", OWN)}),
    "GET /v1/objections": (
        list_objections,
        {
            (c, w)
            for c in ("operator", "source A", "source B", "subject A", "subject B")
            for w in (OWN, ANOTHERS)
        },
    ),
    "POST /v1/objections/{n}/uphold": (uphold, {("source A", OWN), ("source B", OWN)}),
    "GET /v1/checks": (check, {("named party", OWN), ("named party", ANOTHERS)}),
    "POST /v1/repairs": (apply_for_repair, {("subject A", OWN), ("subject B", OWN)}),
    "GET /v1/repairs": (
        list_repairs,
        {
            (c, w)
            for c in ("operator", "source A", "source B", "subject A", "subject B")
            for w in (OWN, ANOTHERS)
        },
    ),
    "POST /v1/repairs/{n}/grant": (grant_repair, {("source A", OWN), ("source B", OWN)}),
    "POST /v1/repairs/{n}/refuse": (refuse_repair, {("source A", OWN), ("source B", OWN)}),
}


# The matrix sends hundreds of requests with no key or a revoked one from one address: the
# per-address limit on unknown keys (tested in test_limits.py) is lifted so that each cell
# shows the authorization's answer, not the limit's.
UNLIMITED = ServiceSettings(
    unknown_key_requests_per_second_per_address=1e9, unknown_key_request_burst_per_address=10**9
)


@pytest.fixture
def world(store_url: str):
    with TestClient(make_app(store_url, UNLIMITED), raise_server_exceptions=False) as client:
        registry: Registry = client.app.state.registry
        registry.publish_catalogue(catalogue_yaml(catalogue_document()))
        make = registry.keys.create
        keys = {
            "operator": make("operator", None).secret,
            "source A": make("source", SOURCE_A).secret,
            "source B": make("source", SOURCE_B).secret,
            "subject A": make("subject", PERSON).secret,
            "subject B": make("subject", OTHER_PERSON).secret,
            "named party": make("party", "civil-aviation").secret,
            "other party": make("party", "bank").secret,
        }
        revoked = make("operator", None)
        registry.keys.revoke(revoked.number)
        keys["revoked key"] = revoked.secret
        world = World(client, registry, keys, itertools.count())
        for source in (SOURCE_A, SOURCE_B):  # every subject has a file from each source
            for subject_id in (PERSON, OTHER_PERSON):
                world.new_record(source, subject_id)
        world.new_objection(SOURCE_A, PERSON)
        world.new_objection(SOURCE_B, OTHER_PERSON)
        for source in (SOURCE_A, SOURCE_B):  # each source and subject has a repair to list
            for subject_id in (PERSON, OTHER_PERSON):
                world.new_repair(source, subject_id)
        tax = make("source", "tax-office").secret
        body = orjson.dumps(record("o1", "tax.arrears_major", ORGANIZATION, "2026-01-05")) + b"\n"
        client.post(
            "/v1/records",
            content=body,
            headers={"Authorization": f"Bearer {tax}", "Content-Type": "application/x-ndjson"},
        )
        yield world


def test_only_the_intended_cells_succeed(world: World) -> None:
    wrong = []
    for endpoint, (call, allowed) in ENDPOINTS.items():
        for caller, whose in itertools.product(CALLERS, (OWN, ANOTHERS)):
            response, marker = call(world, caller, whose)
            status = response.status_code
            if (caller, whose) in allowed:
                if status >= 300:
                    wrong.append(
                        f"{endpoint} by {caller} on {whose}: {status} {response.text[:200]}"
                    )
                continue
            expected = {401} if caller in ("no key", "revoked key") else {403, 404}
            if status not in expected or (marker and marker in response.text):
                wrong.append(
                    f"{endpoint} by {caller} on {whose}: {status}, "
                    f"expected {sorted(expected)}: {response.text[:200]}"
                )
            elif set(response.json()) != {"error", "detail"}:
                wrong.append(f"{endpoint} by {caller} on {whose}: error body {response.text[:200]}")
    assert not wrong, "\n".join(wrong)
