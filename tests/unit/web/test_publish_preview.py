"""The operator's publish page checks first and shows what the version would change (SPEC
§10.6), with a chart of tier changes drawn on the server; only the confirmation publishes, and
it publishes the text that was checked, byte for byte."""

from __future__ import annotations

import copy
import re

from fastapi.testclient import TestClient

from socialcredit.registry import Registry
from tests.e2e.world import build_app
from tests.helpers import catalogue_document, catalogue_yaml
from tests.unit.web.test_form_tokens import Site, sign_in, site, token_on

__all__ = ["site"]  # the fixture, on both stores

CHECKED_FIELD = re.compile(r'name="checked" value="([^"]+)"')


def candidate_text(court_points: int) -> str:
    document = copy.deepcopy(catalogue_document(version=2, effective_from="2027-01-01"))
    for item in document["items"]:
        if item["code"] == "court.judgment_default":
            item["points"] = court_points
    # CR LF and a comment: what was checked is published as it was sent
    return "# candidate\r\n" + catalogue_yaml(document)


def versions(site: Site) -> list[int]:
    registry = site.registry()
    try:
        return [row.version for row in registry.catalogue_rows()]
    finally:
        registry.store.close()


def test_checking_shows_the_simulation_and_publishes_nothing(site: Site) -> None:
    client = site.client
    sign_in(client, site.keys["operator"])
    token = token_on(client, "/operator/catalogue")
    text = candidate_text(-200)
    page = client.post(
        "/operator/catalogue", data={"text": text, "csrf_token": token, "step": "check"}
    )
    assert page.status_code == 200, page.text[:500]
    assert versions(site) == [1]
    html = page.text
    assert "Check version 2 before publishing it" in html
    # PERSON: 1000 - 100 - 5 = 895 (C) today; with -200, 795 (D)
    assert "1 of 1 files would change their score, tier or lists" in html
    assert 'role="img" aria-label="How many subjects would move from one tier to another"' in html
    assert "<script" not in html.split('id="simulation"')[1].split("</section>")[0]
    assert "C → D" in html
    assert "Publish version 2" in html
    # the confirmation publishes exactly the text checked
    checked = CHECKED_FIELD.search(html)
    assert checked is not None
    published = client.post(
        "/operator/catalogue",
        data={"checked": checked.group(1), "csrf_token": token, "step": "publish"},
    )
    assert published.status_code == 200
    assert "Version 2 published" in published.text
    registry = site.registry()
    try:
        assert registry.catalogue_rows()[-1].source_text == text
    finally:
        registry.store.close()


def test_an_invalid_catalogue_is_reported_without_a_confirm_button(site: Site) -> None:
    client = site.client
    sign_in(client, site.keys["operator"])
    token = token_on(client, "/operator/catalogue")
    document = catalogue_document(version=2, effective_from="2027-01-01")
    document["items"][0]["issuers"] = ["ghost"]
    page = client.post(
        "/operator/catalogue",
        data={"text": catalogue_yaml(document), "csrf_token": token, "step": "check"},
    )
    assert page.status_code == 422
    assert "issuer &#39;ghost&#39; is not a declared source" in page.text
    assert 'name="checked"' not in page.text and "What this version would change" not in page.text
    assert versions(site) == [1]


def test_the_page_shows_it_in_chinese(site: Site) -> None:
    client = site.client
    sign_in(client, site.keys["operator"])
    token = token_on(client, "/operator/catalogue")
    page = client.post(
        "/operator/catalogue",
        data={"text": candidate_text(-200), "csrf_token": token, "step": "check"},
        headers={"Accept-Language": "zh-CN"},
    )
    assert page.status_code == 200
    assert "这一版本将改变什么" in page.text
    assert "发布第2版" in page.text
    assert "分值变化" in page.text and "修改" not in page.text  # a change, not an edit


def test_the_first_version_is_checked_with_nothing_to_compare(store_url: str) -> None:
    with TestClient(build_app(store_url), base_url="http://127.0.0.1") as client:
        registry: Registry = client.app.state.registry
        sign_in(client, registry.keys.create("operator", None).secret)
        token = token_on(client, "/operator/catalogue")
        text = catalogue_yaml(catalogue_document())
        page = client.post(
            "/operator/catalogue", data={"text": text, "csrf_token": token, "step": "check"}
        )
        assert page.status_code == 200
        assert "No version is in effect today, so there is nothing to compare" in page.text
        assert registry.catalogue_rows() == []
        checked = CHECKED_FIELD.search(page.text)
        assert checked is not None
        published = client.post(
            "/operator/catalogue",
            data={"checked": checked.group(1), "csrf_token": token, "step": "publish"},
        )
        assert "Version 1 published" in published.text
        assert [row.version for row in registry.catalogue_rows()] == [1]
