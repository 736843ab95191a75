"""Web pages through the service's app, in process: forms refuse requests without their
token, redirects stay on the site, static files stay in their folder, keys stay secret."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from socialcredit.registry import Registry
from socialcredit.store.store import Store
from tests.conftest import fixed_clock
from tests.e2e.world import build_app, populate
from tests.helpers import form_token


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    directory: Path = tmp_path_factory.mktemp("pages")
    store_url = f"sqlite:///{directory / 'registry.db'}"
    registry = Registry(Store.open(store_url), fixed_clock)
    populate(registry, directory)
    keys = {
        "subject": registry.keys.create("subject", "398106198902192457").secret,
        "operator": registry.keys.create("operator", None).secret,
    }
    registry.store.close()
    with TestClient(build_app(store_url), base_url="http://127.0.0.1") as client:
        yield client, keys


def test_sign_in_without_the_form_token_is_refused(world) -> None:
    client, keys = world
    client.cookies.clear()
    response = client.post("/sign-in", data={"key": keys["subject"]}, follow_redirects=False)
    assert response.status_code == 422
    assert "scs_session" not in response.cookies
    assert "The form had expired" in response.text


def test_sign_in_with_the_token_sets_a_strict_http_only_session(world) -> None:
    client, keys = world
    client.cookies.clear()
    token = form_token(client.get("/sign-in").text)
    response = client.post(
        "/sign-in", data={"key": keys["subject"], "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/my-file"
    cookie = response.headers["set-cookie"]
    assert "scs_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert keys["subject"] not in cookie  # a session id, never the key


def test_a_revoked_key_ends_the_session(world, tmp_path: Path) -> None:
    client, keys = world
    client.cookies.clear()
    token = form_token(client.get("/sign-in").text)
    client.post("/sign-in", data={"key": keys["operator"], "csrf_token": token})
    assert client.get("/me", follow_redirects=False).headers["location"] == "/operator"
    registry = client.app.state.registry
    number = registry.keys.principal(keys["operator"]).key_number
    registry.keys.revoke(number)
    assert client.get("/me", follow_redirects=False).headers["location"] == "/sign-in"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_the_language_switch_never_leaves_the_site(world, target: str) -> None:
    client, _keys = world
    response = client.get("/language/zh", params={"next": target}, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_sign_in_never_sends_you_elsewhere_afterwards(world) -> None:
    client, keys = world
    client.cookies.clear()
    token = form_token(client.get("/sign-in").text)
    response = client.post(
        "/sign-in",
        data={"key": keys["subject"], "csrf_token": token, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/my-file"


@pytest.mark.parametrize("name", ["..%2Fweb.js", "%2E%2E%2F__init__.py", ".hidden", "missing.css"])
def test_static_files_stay_in_their_folder(world, name: str) -> None:
    client, _keys = world
    assert client.get(f"/static/{name}").status_code == 404


def test_every_page_names_its_json_twin_in_a_link_header(world) -> None:
    client, _keys = world
    response = client.get("/catalogue/items/traffic.red_light")
    assert (
        response.headers["link"]
        == '</v1/catalogue?as_of=2025-01-01>; rel="alternate"; type="application/json"'
    )
    assert client.get(response.headers["link"][1:].split(">")[0]).status_code == 200


def test_pages_allow_no_script_from_elsewhere(world) -> None:
    client, _keys = world
    policy = client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy


@pytest.mark.parametrize(
    ("accept", "language", "heading"),
    [
        ("text/html,application/xhtml+xml", "en-GB", "Page not found"),
        ("text/html", "zh-CN", "找不到页面"),
    ],
)
def test_a_browser_at_an_address_that_is_not_there_gets_a_page(
    world, accept, language, heading
) -> None:
    client, _keys = world
    response = client.get(
        "/no/such/<page>", headers={"Accept": accept, "Accept-Language": language}
    )
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert f"<h1>{heading}</h1>" in response.text
    assert "&lt;page&gt;" in response.text and "<page>" not in response.text  # escaped


def test_a_program_at_an_address_that_is_not_there_gets_json(world) -> None:
    client, _keys = world
    for path in ("/no/such/page", "/v1/no/such/thing"):
        headers = {"Accept": "text/html"} if path.startswith("/v1/") else {}
        response = client.get(path, headers=headers)
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


EXTERNAL = re.compile(r"""(?:src|href|action|content)\s*=\s*["']?\s*(?:https?:)?//""", re.I)
ANONYMOUS_PAGES = [
    "/",
    "/catalogue",
    "/catalogue?q=red",
    "/catalogue/items/traffic.red_light",
    "/organizations?code=91350100M000100Y43",
    "/sign-in",
    "/signed-out",
    "/no/such/page",
    "/v1/docs",
]
SIGNED_IN_PAGES = {
    "subject": ["/my-file", "/my-file/objections/new", "/my-file/statement"],
    "operator": ["/operator", "/operator/catalogue"],
}


def _signed_in(client: TestClient, key: str) -> TestClient:
    token = form_token(client.get("/sign-in").text)
    client.post("/sign-in", data={"key": key, "csrf_token": token})
    return client


def test_no_page_loads_or_links_anything_from_another_origin(world) -> None:
    """Issue 16, defect 4 (SPEC §9): the pages, the API description included, name no other
    site in an address the browser would load or follow."""
    client, keys = world
    pages = [(client, path) for path in ANONYMOUS_PAGES]
    for role, paths in SIGNED_IN_PAGES.items():
        signed_in = _signed_in(TestClient(client.app, base_url="http://127.0.0.1"), keys[role])
        pages += [(signed_in, path) for path in paths]
    for browser, path in pages:
        response = browser.get(path, headers={"Accept": "text/html"})
        assert response.headers["content-type"].startswith("text/html"), path
        assert response.status_code in (200, 404), (path, response.status_code)
        assert not EXTERNAL.findall(response.text), (path, EXTERNAL.findall(response.text))
    docs_policy = client.get("/v1/docs").headers["content-security-policy"]
    assert "script-src 'self'" in docs_policy and "default-src 'self'" in docs_policy
