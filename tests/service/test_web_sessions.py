"""Web sessions held by the store and forms bound to them (issue 16, defects 2, 3 and 22), on
both stores: the cookie holds a random id kept only as a hash; signing out and revoking the key
end it at once; a form's token works only in the session it was made for; the API takes the
cookie for reading only."""

from __future__ import annotations

import datetime as dt
import hashlib

import orjson
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from socialcredit.registry import SESSION_LIFETIME_S, Registry
from socialcredit.store import schema
from socialcredit.store.store import Store
from tests.conftest import TODAY
from tests.helpers import (
    PERSON,
    catalogue_document,
    catalogue_yaml,
    column,
    form_token,
    record,
)
from tests.service.conftest import Api, make_app


def sign_in(client: TestClient, key: str) -> str:
    """Sign `client` in with `key` through the form; the session cookie it got."""
    token = form_token(client.get("/sign-in").text)
    response = client.post(
        "/sign-in", data={"key": key, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return response.cookies["scs_session"]


def signed_in_as(client: TestClient) -> str | None:
    """Where /me sends this browser: a role's home page when signed in, else None."""
    location = client.get("/me", follow_redirects=False).headers["location"]
    return None if location == "/sign-in" else location


@pytest.fixture
def browser(api: Api) -> TestClient:
    """A second browser on the same app, with cookies of its own. Not entered: entering would
    run the app's lifespan again, with a registry of its own."""
    return TestClient(api.client.app, raise_server_exceptions=False)


def test_the_cookie_holds_a_random_id_kept_only_as_a_hash(api: Api) -> None:
    cookie = sign_in(api.client, api.keys["subject"])
    assert api.keys["subject"] not in cookie and len(cookie) >= 43
    with api.registry.store.engine.connect() as connection:
        rows = connection.execute(sa.select(schema.web_sessions)).all()
    assert len(rows) == 1
    (session,) = rows
    assert session.session_sha256 == hashlib.sha256(cookie.encode()).hexdigest()
    assert cookie not in {str(value) for value in session}
    assert session.key_number == api.registry.keys.principal(api.keys["subject"]).key_number
    assert session.created_at == TODAY
    assert session.expires_at == TODAY + dt.timedelta(seconds=SESSION_LIFETIME_S)
    assert signed_in_as(api.client) == "/my-file"


def test_the_cookie_is_http_only_strict_and_secure_over_https(store_url: str) -> None:
    registry = Registry(Store.open(store_url))
    key = registry.keys.create("operator", None).secret
    registry.store.close()
    app = make_app(store_url)
    with TestClient(app, base_url="https://registry.example") as client:
        sign_in(client, key)
        token = form_token(client.get("/sign-in").text)
        response = client.post(
            "/sign-in", data={"key": key, "csrf_token": token}, follow_redirects=False
        )
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie


def test_signing_out_ends_the_session_at_once_even_for_a_copied_cookie(
    api: Api, browser: TestClient
) -> None:
    cookie = sign_in(api.client, api.keys["subject"])
    browser.cookies.set("scs_session", cookie)  # a copy of the cookie, as a thief would have
    assert signed_in_as(browser) == "/my-file"
    token = form_token(api.client.get("/my-file").text)
    response = api.client.post("/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert response.headers["location"] == "/signed-out"
    assert signed_in_as(api.client) is None
    assert signed_in_as(browser) is None
    assert browser.get(f"/v1/subjects/{PERSON}").status_code == 401
    with api.registry.store.engine.connect() as connection:
        ends = connection.execute(sa.select(schema.web_session_ends)).all()
    assert [end.ended_at for end in ends] == [TODAY]


def test_revoking_the_key_ends_every_session_of_it(api: Api, browser: TestClient) -> None:
    sign_in(api.client, api.keys["subject"])
    sign_in(browser, api.keys["subject"])
    other = sign_in(TestClient(api.client.app), api.keys["operator"])
    number = api.registry.keys.principal(api.keys["subject"]).key_number
    api.registry.keys.revoke(number)
    assert signed_in_as(api.client) is None and signed_in_as(browser) is None
    assert api.registry.sessions.principal(other).role == "operator"  # another key's session


def test_a_session_expires_after_its_lifetime(store_url: str) -> None:
    now = [TODAY]
    registry = Registry(Store.open(store_url), clock=lambda: now[0])
    try:
        key = registry.keys.create("operator", None).secret
        session = registry.sessions.start(key)
        assert session is not None
        now[0] = TODAY + dt.timedelta(seconds=SESSION_LIFETIME_S - 1)
        assert registry.sessions.principal(session.secret).role == "operator"
        now[0] = TODAY + dt.timedelta(seconds=SESSION_LIFETIME_S)
        assert registry.sessions.principal(session.secret) is None
        assert registry.sessions.principal("made-up") is None
        assert registry.sessions.start("scs_op_not-a-key") is None
    finally:
        registry.store.close()


def test_signing_in_again_ends_the_browser_s_earlier_session(api: Api) -> None:
    first = sign_in(api.client, api.keys["subject"])
    second = sign_in(api.client, api.keys["operator"])
    assert first != second
    assert api.registry.sessions.principal(first) is None
    assert api.registry.sessions.principal(second).role == "operator"


def _record(api: Api) -> None:
    """A record of the court about PERSON, who then has a file."""
    body = orjson.dumps(record("c-1", "court.judgment_default", PERSON, "2026-01-05")) + b"\n"
    submitted = api.client.post(
        "/v1/records",
        content=body,
        headers=api.as_("court") | {"Content-Type": "application/x-ndjson"},
    )
    assert submitted.json()["accepted"] == 1


def test_a_form_token_works_only_in_its_own_session(api: Api, browser: TestClient) -> None:
    _record(api)
    sign_in(api.client, api.keys["subject"])
    sign_in(browser, api.keys["subject"])  # the same person, another browser
    own = form_token(browser.get("/my-file/statement").text)
    foreign = form_token(api.client.get("/my-file/statement").text)
    assert own != foreign
    refused = browser.post("/my-file/statement", data={"text": "Not mine", "csrf_token": foreign})
    assert refused.status_code == 422 and "The form had expired" in refused.text
    assert column(api.registry, "statements", "text") == []
    accepted = browser.post(
        "/my-file/statement", data={"text": "Mine", "csrf_token": own}, follow_redirects=False
    )
    assert accepted.status_code == 303
    assert column(api.registry, "statements", "text") == ["Mine"]


def test_the_sign_in_form_token_is_bound_to_the_browser_s_pre_session(
    api: Api, browser: TestClient
) -> None:
    """Another site cannot sign a browser in as someone else with a token it got itself."""
    attackers = form_token(browser.get("/sign-in").text)
    api.client.get("/sign-in")  # the victim's browser has a pre-session of its own
    response = api.client.post(
        "/sign-in",
        data={"key": api.keys["operator"], "csrf_token": attackers},
        follow_redirects=False,
    )
    assert response.status_code == 422 and "scs_session" not in response.cookies
    no_cookie = TestClient(api.client.app)
    response = no_cookie.post(
        "/sign-in",
        data={"key": api.keys["operator"], "csrf_token": attackers},
        follow_redirects=False,
    )
    assert response.status_code == 422 and "scs_session" not in response.cookies


def _objection(api: Api) -> int:
    _record(api)
    filed = api.client.post(
        "/v1/objections",
        json={"source": "court", "record_id": "c-1", "reason": "paid"},
        headers=api.as_("subject"),
    )
    assert filed.status_code == 201
    return filed.json()["number"]


@pytest.mark.parametrize("encoding", ["form", "json"])
def test_the_api_refuses_a_change_made_with_the_cookie_alone(
    api: Api, browser: TestClient, encoding: str
) -> None:
    number = _objection(api)
    sign_in(browser, api.keys["court"])
    body = {"data": {"note": "stands"}} if encoding == "form" else {"json": {"note": "stands"}}
    response = browser.post(f"/v1/objections/{number}/uphold", **body)
    assert response.status_code == 401
    (objection,) = api.registry.objections(source="court")
    assert objection.answer is None
    # Reading works with the cookie (a page's JSON twin), and changing works with the key.
    assert browser.get("/v1/objections?open=true").json()["objections"][0]["number"] == number
    upheld = browser.post(
        f"/v1/objections/{number}/uphold", json={"note": "stands"}, headers=api.as_("court")
    )
    assert upheld.status_code == 200 and upheld.json()["state"] == "upheld"


def test_session_tables_are_append_only(api: Api) -> None:
    sign_in(api.client, api.keys["operator"])
    api.registry.sessions.end(api.client.cookies["scs_session"])
    for table in schema.WEB_SESSION_TABLES:
        for statement in (f"UPDATE {table} SET number = number", f"DELETE FROM {table}"):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                with api.registry.store.engine.begin() as connection:
                    connection.execute(sa.text(statement))


def test_a_catalogue_publication_by_form_needs_the_session_s_token(api: Api) -> None:
    sign_in(api.client, api.keys["operator"])
    document = catalogue_document()
    document["version"], document["effective_from"] = 2, "2027-01-01"
    response = api.client.post(
        "/operator/catalogue", data={"text": catalogue_yaml(document), "csrf_token": "forged"}
    )
    assert response.status_code == 422
    assert [c.version for c in api.registry.rulebook.catalogues] == [1]
