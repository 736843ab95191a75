"""What issue 16's security test sent the API and the web pages, and what each now gets, on
both stores: a short 4xx naming the field, never a 5xx, nothing stored, no identifier logged."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from socialcredit.cli.app import app as cli
from socialcredit.service.settings import ServiceSettings
from tests.helpers import (
    OTHER_PERSON,
    PERSON,
    catalogue_document,
    catalogue_yaml,
    column,
    form_token,
    record,
    write_records,
)
from tests.service.conftest import Api, make_app

NDJSON = {"Content-Type": "application/x-ndjson"}
RIGHT_TO_LEFT_OVERRIDE = "\u202e"
BEYOND_64_BITS = "9223372036854775808"


def submit(api: Api, *rows: dict) -> dict:
    body = b"".join(orjson.dumps(row) + b"\n" for row in rows)
    response = api.client.post("/v1/records", content=body, headers=api.as_("court") | NDJSON)
    assert response.status_code == 200, response.text
    return response.json()


def sign_in(client: TestClient, key: str) -> TestClient:
    token = form_token(client.get("/sign-in").text)
    response = client.post("/sign-in", data={"key": key, "csrf_token": token})
    assert response.status_code == 200, response.text  # followed to the role's page
    return client


@pytest.fixture
def browser(api: Api) -> TestClient:
    """A second browser on the same app, with cookies of its own. Not entered: entering would
    run the app's lifespan again, with a registry of its own."""
    return TestClient(api.client.app, raise_server_exceptions=False)


def _objection(api: Api) -> int:
    submit(api, record("c1", "court.judgment_default", PERSON, "2026-01-05"))
    filed = api.client.post(
        "/v1/objections",
        json={"source": "court", "record_id": "c1", "reason": "paid"},
        headers=api.as_("subject"),
    )
    assert filed.status_code == 201, filed.text
    return filed.json()["number"]


# -- defect 5: a row that is not UTF-8 --------------------------------------------------------


def test_a_json_line_that_is_not_utf8_is_one_rejected_row(api: Api) -> None:
    good = [
        orjson.dumps(record(f"u{n}", "court.judgment_default", PERSON, "2026-01-05"))
        for n in range(3)
    ]
    body = b"\n".join([good[0], good[1].replace(b"DOC-", b"\xff\xfeDOC-"), good[2]]) + b"\n"
    response = api.client.post("/v1/records", content=body, headers=api.as_("court") | NDJSON)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["accepted"], answer["rejected"]) == (2, 1)
    assert answer["rejects"] == [{"row": 2, "reason": "not valid UTF-8"}]


# -- defect 8: a control character in a purpose; a 500 logs no identifier --------------------


def test_a_control_character_in_a_purpose_is_refused_naming_it(api: Api) -> None:
    submit(api, record("c1", "court.judgment_default", PERSON, "2026-01-05"))
    response = api.client.get(
        f"/v1/subjects/{PERSON}", params={"purpose": "audit\x01"}, headers=api.as_("operator")
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("query parameter purpose: the purpose holds")
    check = api.client.get(
        "/v1/checks",
        params={"subject_id": PERSON, "measure": "no_air_travel", "purpose": "sale\x1b"},
        headers=api.as_("civil-aviation"),
    )
    assert check.status_code == 422 and "the purpose holds" in check.json()["detail"]
    assert column(api.registry, "file_views", "viewer") == []  # no look was logged


def test_an_unexpected_failure_logs_the_route_never_the_identifier(
    api: Api, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(subject_id, *_arguments, **_options):
        raise RuntimeError(f"something went wrong with {subject_id}")

    monkeypatch.setattr(api.registry, "subject_files", failing)
    caplog.set_level(logging.DEBUG)
    # The exception never reaches the server (whose own log would print its message): a
    # client that re-raises what reaches the server gets the answer instead.
    # (Not entered, so that it runs no lifespan of its own: the app keeps its registry.)
    client = TestClient(api.client.app, raise_server_exceptions=True)
    response = client.get(f"/v1/subjects/{PERSON}", headers=api.as_("operator"))
    assert response.status_code == 500 and response.json()["error"] == "internal"
    # Every line the service logged (httpx's lines are the test client's, not the server's).
    logged = "\n".join(
        record.getMessage() + (record.exc_text or "")
        for record in caplog.records
        if not record.name.startswith(("httpx", "httpcore"))
    )
    assert "GET /v1/subjects/{subject_id}" in logged and "RuntimeError" in logged
    assert PERSON not in logged


# -- defect 11: nothing a cache keeps ----------------------------------------------------------


def test_no_answer_but_static_files_may_be_stored_by_a_cache(api: Api, browser: TestClient) -> None:
    number = _objection(api)
    answers = [
        api.client.get(f"/v1/subjects/{PERSON}", headers=api.as_("subject")),
        api.client.get("/v1/objections", headers=api.as_("court")),
        api.client.post(f"/v1/objections/{number}/uphold", json={}, headers=api.as_("court")),
        api.client.get(
            "/v1/checks",
            params={"subject_id": PERSON, "measure": "no_air_travel", "purpose": "sale"},
            headers=api.as_("civil-aviation"),
        ),
        api.client.get("/v1/subjects/nobody", headers=api.as_("operator")),  # an error too
        sign_in(browser, api.keys["subject"]).get("/my-file"),
        browser.get("/my-file/statement"),
    ]
    for answer in answers:
        assert answer.headers["cache-control"] == "no-store", (answer.url, answer.status_code)
    assert "max-age" in browser.get("/static/style.css").headers["cache-control"]


# -- defect 14: a download named in Chinese ----------------------------------------------------


def test_the_rejects_of_a_file_named_in_chinese_download_with_its_name(
    api: Api, browser: TestClient, tmp_path: Path
) -> None:
    path = write_records(tmp_path / "法院记录.csv", [record("c1", "nope", PERSON, "2026-01-05")])
    batch = api.registry.ingest(path, "court", tmp_path / "rejects.csv").batch_id
    sign_in(browser, api.keys["court"])
    response = browser.get(f"/source/batches/{batch}/rejects.csv")
    assert response.status_code == 200 and "unknown item" in response.text
    disposition = response.headers["content-disposition"]
    assert disposition == (
        'attachment; filename="____.csv.rejects.csv"; '
        "filename*=UTF-8''%E6%B3%95%E9%99%A2%E8%AE%B0%E5%BD%95.csv.rejects.csv"
    )


# -- defect 15: numbers beyond 64 bits ---------------------------------------------------------


def test_numbers_beyond_64_bits_in_paths_and_queries_name_nothing(
    api: Api, browser: TestClient
) -> None:
    sign_in(browser, api.keys["court"])
    pages = [
        f"/source/batches/{BEYOND_64_BITS}/rejects.csv",
        f"/source/objections/{BEYOND_64_BITS}",
        f"/source?upheld={BEYOND_64_BITS}",
    ]
    for path in pages:
        answer = browser.get(path, headers={"Accept": "text/html"})
        assert answer.status_code in (404, 422), (path, answer.status_code)
    page = browser.get(pages[0], headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert browser.get(pages[0]).status_code == 422  # a program gets the error as JSON
    uphold = browser.post(
        f"/source/objections/{BEYOND_64_BITS}/uphold", data={"note": "", "csrf_token": "x"}
    )
    assert uphold.status_code in (404, 422)
    api_calls = [
        ("post", f"/v1/objections/{BEYOND_64_BITS}/uphold", "court"),
        ("get", f"/v1/objections?after={BEYOND_64_BITS}", "court"),
    ]
    for method, path, caller in api_calls:
        answer = api.client.request(method, path, headers=api.as_(caller))
        assert answer.status_code == 422, (path, answer.text)
    sign_in(browser, api.keys["subject"])
    assert browser.get(f"/my-file/objections/{BEYOND_64_BITS}").status_code in (404, 422)


# -- defect 16: the catalogue form's limit -----------------------------------------------------


def test_the_catalogue_form_says_its_limit_and_takes_a_catalogue_that_large(
    api: Api, browser: TestClient
) -> None:
    sign_in(browser, api.keys["operator"])
    form = browser.get("/operator/catalogue").text
    assert "At most 64 MB" in form
    document = catalogue_document()
    document["version"], document["effective_from"] = 2, "2027-01-01"
    # A comment makes the text a megabyte, far over the 64 KiB of other bodies.
    text = catalogue_yaml(document) + "# " + "x" * 1_000_000 + "\n"
    response = browser.post(
        "/operator/catalogue",
        data={"csrf_token": form_token(form)},
        files={"file": ("catalogue.yaml", text.encode(), "text/yaml")},
    )
    assert response.status_code == 200, response.text[:500]
    assert [version.version for version in api.registry.rulebook.catalogues] == [1, 2]


def test_a_catalogue_over_the_limit_is_refused(store_url: str) -> None:
    settings = ServiceSettings(catalogue_body_max_bytes=100_000)
    with TestClient(make_app(store_url, settings)) as client:
        key = client.app.state.registry.keys.create("operator", None).secret
        sign_in(client, key)
        token = form_token(client.get("/operator/catalogue").text)
        response = client.post(
            "/operator/catalogue",
            data={"csrf_token": token},
            files={"file": ("catalogue.yaml", b"# " + b"x" * 200_000, "text/yaml")},
        )
        assert response.status_code == 413
        assert client.app.state.registry.rulebook.catalogues == ()


# -- defect 17: a chunked body over the limit --------------------------------------------------


def test_a_chunked_body_over_the_limit_gets_413(api: Api) -> None:
    submit(api, record("c1", "court.judgment_default", PERSON, "2026-01-05"))
    text = orjson.dumps({"text": "x" * 200_000})

    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
        for start in range(0, len(text), 8192):
            yield text[start : start + 8192]

    response = api.client.put(
        f"/v1/subjects/{PERSON}/statement",
        content=chunks(),
        headers=api.as_("subject") | {"Content-Type": "application/json"},
    )
    assert response.status_code == 413, response.text
    assert response.json()["error"] == "too_large"
    assert column(api.registry, "statements", "text") == []
    records = b"".join(
        orjson.dumps(record(f"r{n}", "court.judgment_default", PERSON, "2026-01-05")) + b"\n"
        for n in range(2000)
    )
    settings = ServiceSettings(records_body_max_bytes=50_000)
    with TestClient(make_app(api.registry.store.url.given, settings)) as small:
        answer = small.post(
            "/v1/records",
            content=iter([records[:40_000], records[40_000:]]),
            headers=api.as_("court") | NDJSON,
        )
    assert answer.status_code == 413 and answer.json()["error"] == "too_large"


# -- defect 19: text that reads otherwise than written -----------------------------------------


def test_bidirectional_controls_are_refused_in_every_free_text(
    api: Api, browser: TestClient
) -> None:
    number = _objection(api)
    spoof = f"paid {RIGHT_TO_LEFT_OVERRIDE}gnp.exe"
    check = api.client.get(
        "/v1/checks",
        params={"subject_id": PERSON, "measure": "no_air_travel", "purpose": spoof},
        headers=api.as_("civil-aviation"),
    )
    uphold = api.client.post(
        f"/v1/objections/{number}/uphold", json={"note": spoof}, headers=api.as_("court")
    )
    statement = api.client.put(
        f"/v1/subjects/{PERSON}/statement", json={"text": spoof}, headers=api.as_("subject")
    )
    for answer, field in [(check, "purpose"), (uphold, "note"), (statement, "statement")]:
        assert answer.status_code == 422, answer.text
        detail = answer.json()["detail"]
        assert f"the {field} holds an invisible formatting character (U+202E" in detail, detail
    # Nothing of them was stored.
    assert column(api.registry, "statements", "text") == []
    assert api.registry.objections(source="court")[0].answer is None
    assert column(api.registry, "file_views", "viewer") == []
    sign_in(browser, api.keys["subject"])
    page = browser.get("/my-file/statement")
    refused = browser.post(
        "/my-file/statement", data={"text": spoof, "csrf_token": form_token(page.text)}
    )
    assert refused.status_code == 422 and "invisible formatting character" in refused.text


# -- defect 20: keys name only what their role may name ----------------------------------------


def test_keys_other_than_a_subject_s_may_not_name_a_subject(api: Api, store_url: str) -> None:
    runner = CliRunner()
    for role, who in [
        ("operator", PERSON),
        ("operator", "subject"),
        ("party", OTHER_PERSON.lower()),
        ("party", "Subject"),
        ("source", PERSON),
        ("operator", "inspector\x1b"),
    ]:
        result = runner.invoke(
            cli, ["keys", "create", "--role", role, "--for", who, "--db", store_url]
        )
        assert result.exit_code == 1, (role, who, result.output)
        assert len(result.stderr.strip().splitlines()) == 1
    named = api.registry.keys.create("operator", "inspector Li").secret
    submit(api, record("c1", "court.judgment_default", PERSON, "2026-01-05"))
    answer = api.client.get(f"/v1/subjects/{PERSON}", headers={"Authorization": f"Bearer {named}"})
    assert answer.status_code == 200
    assert column(api.registry, "file_views", "viewer") == ["inspector Li"]
