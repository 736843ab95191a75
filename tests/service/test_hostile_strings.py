"""Every string the API takes, with the strings a hostile client sends: a NUL (which
PostgreSQL cannot store or even compare), other control characters, and values far longer
than any field. Each gets a 4xx with a short error, never a 5xx, on both stores; the error
quotes a long value by its start and length, not whole."""

from __future__ import annotations

from urllib.parse import quote

import orjson

from tests.helpers import PERSON, record
from tests.service.conftest import Api

HOSTILE = ["a\x00b", "\x00", "x\x1by", "\x7f", "9" * 5_000]
LONG_BODY_TEXT = "长" * 100_000
# Every operation's key: the one role that may call it, so that calls reach the handlers.
ROLE = {
    ("post", "/v1/records"): "court",
    ("put", "/v1/subjects/{subject_id}/statement"): "subject",
    ("post", "/v1/objections"): "subject",
    ("post", "/v1/repairs"): "subject",
    ("post", "/v1/repairs/{number}/grant"): "court",
    ("post", "/v1/repairs/{number}/refuse"): "court",
    ("get", "/v1/checks"): "civil-aviation",
}


def _value(schema: dict, hostile: str):
    kind = schema.get("type") or next((part.get("type") for part in schema.get("anyOf", [])), None)
    if kind == "integer":
        return 1
    if kind == "boolean":
        return True
    return hostile


def _requests(document: dict, hostile: str):
    """(method, path, query, json body) for every operation, each string set to `hostile`."""
    schemas = document["components"]["schemas"]
    for template, operations in document["paths"].items():
        for method, operation in operations.items():
            path, query = template, {}
            for parameter in operation.get("parameters", []):
                value = _value(parameter["schema"], hostile)
                if parameter["in"] == "path":
                    path = path.replace("{" + parameter["name"] + "}", quote(str(value), safe=""))
                elif parameter["in"] == "query" and parameter["name"] != "as_of":
                    query[parameter["name"]] = value
            body = None
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                schema = content["application/json"]["schema"]
                reference = next(
                    part for part in [schema, *schema.get("anyOf", [])] if "$ref" in part
                )
                reference = reference["$ref"].rsplit("/", 1)[-1]
                properties = schemas[reference]["properties"]
                body = {name: _value(schema, hostile) for name, schema in properties.items()}
            yield method, template, path, query, body


def _submit_one_record(api: Api) -> None:
    """Record c1 of the court about PERSON, so that objections have something to name."""
    body = orjson.dumps(record("c1", "court.judgment_default", PERSON, "2026-01-05")) + b"\n"
    response = api.client.post(
        "/v1/records",
        content=body,
        headers={**api.as_("court"), "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 200, response.text


def test_hostile_strings_get_a_short_4xx_never_a_5xx(api: Api) -> None:
    _submit_one_record(api)
    document = api.client.get("/v1/openapi.json").json()
    seen = 0
    for hostile in HOSTILE:
        for method, template, path, query, body in _requests(document, hostile):
            if template == "/v1/records":
                continue  # its body is a file: the ingest tests cover NULs and long fields in rows
            role = ROLE.get((method, template), "operator")
            response = api.client.request(
                method, path, params=query, json=body, headers=api.as_(role)
            )
            where = f"{method.upper()} {template} with {hostile[:10]!r}"
            assert response.status_code < 500, (
                f"{where}: {response.status_code} {response.text[:300]}"
            )
            assert len(response.content) < 2_000 or response.status_code == 200, (
                f"{where}: {len(response.content)} bytes"
            )
            seen += 1
    assert seen >= 9 * len(HOSTILE)


def test_an_objection_with_a_control_character_is_refused_naming_the_field(api: Api) -> None:
    _submit_one_record(api)
    for field in ["reason", "source", "record_id"]:
        body = {"source": "court", "record_id": "c1", "reason": "wrong person"}
        body[field] += "\x00"
        response = api.client.post("/v1/objections", json=body, headers=api.as_("subject"))
        assert response.status_code in (404, 422), response.text
        if field == "reason":
            assert (
                response.json()["detail"]
                == "the reason holds a control character ('\\x00' at position 13)"
            )
    # The real objection goes through afterwards: nothing was half stored.
    body = {"source": "court", "record_id": "c1", "reason": "wrong person"}
    assert (
        api.client.post("/v1/objections", json=body, headers=api.as_("subject")).status_code == 201
    )


def test_a_statement_of_a_hundred_thousand_characters_is_refused_briefly(api: Api) -> None:
    response = api.client.put(
        f"/v1/subjects/{PERSON}/statement",
        json={"text": LONG_BODY_TEXT},
        headers=api.as_("subject"),
    )
    assert response.status_code in (413, 422)  # the body limit, or the statement's own
    assert len(response.content) < 2_000
