"""Every state-changing form refuses a token that does not match (SPEC §9; double submit, see
`web/security.py`): sign-in, sign-out, the objection (its check page and its sending), the
statement, the source's upholding answer, the relying party's check, and publication. Each
test walks the page flow as a browser does: it gets the form, takes the token the page holds,
posts it altered by one character, and finds nothing changed (in the store, or in the
session); then posts it unaltered and finds the change made, so that the refusal is known to
come from the token alone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from socialcredit.registry import Registry
from socialcredit.store.store import Store
from tests.conftest import fixed_clock
from tests.e2e.world import TODAY_DATE, build_app
from tests.helpers import PERSON, catalogue_document, catalogue_yaml, record, write_records

TOKEN_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
PARTY = "civil-aviation"  # the relying party of the test catalogue's measure


@dataclass
class Site:
    client: TestClient
    store_url: str
    keys: dict[str, str]  # role → secret
    objection: int  # an open objection of PERSON's to the court's record j1

    def registry(self) -> Registry:
        """A registry of its own on the same store: what was stored, not what a page holds."""
        return Registry(Store.open(self.store_url), clock=fixed_clock)


@pytest.fixture
def site(store_url: str, tmp_path: Path) -> Iterator[Site]:
    with TestClient(build_app(store_url), base_url="http://127.0.0.1") as client:
        registry: Registry = client.app.state.registry
        assert registry.publish_catalogue(catalogue_yaml(catalogue_document())).version == 1
        for source, rows in {
            "court": [record("j1", "court.judgment_default", PERSON, "2026-10-01")],
            "traffic-police": [record("t1", "traffic.red_light", PERSON, "2026-10-02")],
        }.items():
            result = registry.ingest(write_records(tmp_path / f"{source}.csv", rows), source)
            assert result.counts.accepted == len(rows)
        keys = {
            "subject": registry.keys.create("subject", PERSON).secret,
            "source": registry.keys.create("source", "court").secret,
            "party": registry.keys.create("party", PARTY).secret,
            "operator": registry.keys.create("operator", None).secret,
        }
        objection = registry.file_objection("court", "j1", "not mine").number
        yield Site(client, store_url, keys, objection)


def token_on(client: TestClient, path: str) -> str:
    """The token of the form on the page at `path`, as the browser would send it."""
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    found = TOKEN_FIELD.search(page.text)
    assert found is not None, f"no form token on {path}"
    return found.group(1)


def altered(token: str) -> str:
    """The same token with its first character changed: a character whose bits all carry data,
    whatever the encoding (the last character of base64 text may hold padding bits alone)."""
    return ("A" if token[0] != "A" else "B") + token[1:]


def sign_in(client: TestClient, key: str) -> None:
    response = client.post(
        "/sign-in",
        data={"key": key, "csrf_token": token_on(client, "/sign-in")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def assert_refused(response: httpx.Response, success_location: str | None = None) -> None:
    """Refused: an error status, or a redirect anywhere but where success leads (a pattern;
    None for a form that answers with a page, never a redirect)."""
    if response.is_redirect and success_location is not None:
        assert not re.match(success_location, response.headers["location"])
    else:
        assert 400 <= response.status_code < 500, response.status_code


def signed_in_home(client: TestClient) -> str:
    return client.get("/me", follow_redirects=False).headers["location"]


def test_sign_in(site: Site) -> None:
    client = site.client
    token = token_on(client, "/sign-in")
    response = client.post(
        "/sign-in",
        data={"key": site.keys["subject"], "csrf_token": altered(token)},
        follow_redirects=False,
    )
    assert_refused(response, "/my-file")
    assert "scs_session" not in response.cookies
    assert signed_in_home(client) == "/sign-in"
    response = client.post(
        "/sign-in",
        data={"key": site.keys["subject"], "csrf_token": token},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/my-file"
    assert signed_in_home(client) == "/my-file"


def test_sign_out(site: Site) -> None:
    client = site.client
    sign_in(client, site.keys["subject"])
    token = token_on(client, "/my-file")  # every signed-in page carries the sign-out form
    response = client.post("/sign-out", data={"csrf_token": altered(token)}, follow_redirects=False)
    assert_refused(response, "/signed-out")
    assert signed_in_home(client) == "/my-file"  # still signed in
    response = client.post("/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert response.headers["location"] == "/signed-out"
    assert signed_in_home(client) == "/sign-in"


def test_objection(site: Site) -> None:
    client = site.client
    sign_in(client, site.keys["subject"])
    token = token_on(client, "/my-file/objections/reason?record=traffic-police/t1")
    form = {"record": "traffic-police/t1", "reason": "I was abroad"}
    checked = client.post("/my-file/objections/check", data=form | {"csrf_token": altered(token)})
    assert_refused(checked)
    sent = client.post(
        "/my-file/objections",
        data=form | {"csrf_token": altered(token)},
        follow_redirects=False,
    )
    assert_refused(sent, r"/my-file/objections/\d")
    registry = site.registry()
    try:
        assert [o.number for o in registry.objections(source="traffic-police")] == []
    finally:
        registry.store.close()
    assert client.post("/my-file/objections/check", data=form | {"csrf_token": token}).is_success
    sent = client.post(
        "/my-file/objections", data=form | {"csrf_token": token}, follow_redirects=False
    )
    registry = site.registry()
    try:
        (filed,) = registry.objections(source="traffic-police")
    finally:
        registry.store.close()
    assert sent.headers["location"] == f"/my-file/objections/{filed.number}?filed=1"
    assert filed.reason == "I was abroad"


def test_statement(site: Site) -> None:
    client = site.client
    sign_in(client, site.keys["subject"])
    token = token_on(client, "/my-file/statement")
    text = "The court has my receipt."
    response = client.post(
        "/my-file/statement",
        data={"text": text, "csrf_token": altered(token)},
        follow_redirects=False,
    )
    assert_refused(response, r"/my-file\?done")
    assert statement_of(site) is None
    response = client.post(
        "/my-file/statement", data={"text": text, "csrf_token": token}, follow_redirects=False
    )
    assert response.headers["location"] == "/my-file?done=statement"
    assert statement_of(site) == text


def statement_of(site: Site) -> str | None:
    registry = site.registry()
    try:
        (subject_file,) = registry.subject_files(PERSON, TODAY_DATE, "tester", "test", "test")
    finally:
        registry.store.close()
    return None if subject_file.statement is None else subject_file.statement.text


def test_uphold(site: Site) -> None:
    client = site.client
    sign_in(client, site.keys["source"])
    path = f"/source/objections/{site.objection}"
    token = token_on(client, path)
    response = client.post(
        f"{path}/uphold",
        data={"note": "the judgment stands", "csrf_token": altered(token)},
        follow_redirects=False,
    )
    assert_refused(response, r"/source\?upheld")
    assert objection_state(site) == "open"
    response = client.post(
        f"{path}/uphold",
        data={"note": "the judgment stands", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.headers["location"] == f"/source?upheld={site.objection}"
    assert objection_state(site) == "upheld"


def objection_state(site: Site) -> str:
    registry = site.registry()
    try:
        (objection,) = registry.objections(source="court")
    finally:
        registry.store.close()
    assert objection.number == site.objection
    return objection.state


def test_check(site: Site) -> None:
    client = site.client
    sign_in(client, site.keys["party"])
    token = token_on(client, "/check")
    form = {"subject_id": PERSON, "measure": "no_air_travel", "purpose": "ticket sale"}
    response = client.post("/check", data=form | {"csrf_token": altered(token)})
    assert_refused(response)
    assert checks_logged(site) == []
    response = client.post("/check", data=form | {"csrf_token": token})
    assert response.status_code == 200
    assert checks_logged(site) == ["ticket sale"]


def checks_logged(site: Site) -> list[str]:
    """The purposes of the party's looks at PERSON's file (SPEC §7.3: each check is logged)."""
    registry = site.registry()
    try:
        (subject_file,) = registry.subject_files(PERSON, TODAY_DATE, "tester", "test", "test")
    finally:
        registry.store.close()
    return [view.purpose for view in subject_file.views if view.viewer == PARTY]


def test_publish(site: Site) -> None:
    client = site.client
    sign_in(client, site.keys["operator"])
    token = token_on(client, "/operator/catalogue")
    text = catalogue_yaml(catalogue_document(version=2, effective_from="2027-01-01"))
    response = client.post("/operator/catalogue", data={"text": text, "csrf_token": altered(token)})
    assert_refused(response)
    assert published_versions(site) == [1]
    response = client.post("/operator/catalogue", data={"text": text, "csrf_token": token})
    assert response.status_code == 200
    assert published_versions(site) == [1, 2]


def published_versions(site: Site) -> list[int]:
    registry = site.registry()
    try:
        return [catalogue.version for catalogue in registry.rulebook.catalogues]
    finally:
        registry.store.close()
