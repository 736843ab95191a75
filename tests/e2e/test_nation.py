"""SPEC §11 in the browser: the public picks a jurisdiction, reads an organization's public
record (each list's deciding body, decision, date and last day published) and the paged,
searchable national lists (organizations only); the operator's overview shows each city and
the national lists. Every page checked by axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from socialcredit.registry import Registry
from socialcredit.store.store import Store
from tests.e2e.conftest import assert_accessible
from tests.e2e.world import build_app, fixed_clock, serving
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


@pytest.fixture(scope="module")
def nation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A server on a store of the nation and two cities; its address and an operator key."""
    directory: Path = tmp_path_factory.mktemp("nation")
    store_url = f"sqlite:///{directory / 'registry.db'}"
    registry = Registry(Store.open(store_url), fixed_clock)
    floors = {"national_floors": {"dishonest_debtors": 150}}
    beta = city_document("beta", base_score=800, **floors)
    beta["lists"]["blacklist"]["title"] = "Beta's own black list"
    for document in (national_document(), city_document("alpha"), beta):
        assert registry.publish_catalogue(catalogue_yaml(document)).report.problems == []
    files = {
        "alpha-tax-office": [record("a2", "tax.arrears_major", ORGANIZATION, "2025-02-01")],
        "supreme-court": [record("n2", "national.judgment_debtor", OTHER_PERSON, "2025-04-01")],
        "state-tax": [record("n3", "national.major_tax_violation", ORGANIZATION, "2025-05-01")],
        "beta-court": [record("b2", "court.judgment_default", PERSON, "2025-01-10")],
    }
    for source, rows in files.items():
        registry.ingest(write_records(directory / f"{source}.csv", rows), source)
    key = registry.keys.create("operator", None).secret
    subject_key = registry.keys.create("subject", PERSON).secret
    registry.store.close()
    with serving(build_app(store_url)) as address:
        yield address, key + " " + subject_key


def test_the_public_picks_a_jurisdiction(page: Page, nation: tuple[str, str]) -> None:
    address, _key = nation
    page.goto(address + "/catalogue")
    switch = page.get_by_role("list", name="Jurisdiction")
    expect(switch.locator("[aria-current=true]")).to_have_text("alpha")
    switch.get_by_role("link", name="beta").click()
    expect(page).to_have_url(address + "/catalogue")
    expect(switch.locator("[aria-current=true]")).to_have_text("beta")
    page.goto(address + "/")
    expect(
        page.get_by_role("list", name="Jurisdiction").locator("[aria-current=true]")
    ).to_have_text("beta")
    assert_accessible(page)


def test_an_organizations_public_record(page: Page, nation: tuple[str, str]) -> None:
    address, _key = nation
    page.goto(address + f"/organizations?code={ORGANIZATION}&jurisdiction=alpha")
    table = page.get_by_role("table", name="Why it is on each list")
    expect(table).to_contain_text("national.major_tax_violators")
    expect(table).to_contain_text("state-tax")
    expect(table).to_contain_text("DOC-n3")
    expect(table).to_contain_text("alpha-tax-office")
    assert_accessible(page)


def test_the_national_lists_show_organizations_never_persons(
    page: Page, nation: tuple[str, str]
) -> None:
    address, _key = nation
    page.goto(address + "/national-lists")
    page.get_by_role("link", name="Major tax violators").click()
    expect(page.get_by_role("status")).to_contain_text("1")
    expect(page.get_by_role("link", name=ORGANIZATION)).to_be_visible()
    page.get_by_label("Search by unified social credit code").fill("ZZZ")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_contain_text("0")
    assert_accessible(page)
    page.goto(address + "/national-lists/dishonest_debtors")
    expect(page.get_by_role("status")).to_contain_text("0")
    expect(page.get_by_text(OTHER_PERSON)).to_have_count(0)


def test_the_operator_sees_each_city_and_the_national_lists(
    page: Page, nation: tuple[str, str]
) -> None:
    address, keys = nation
    key = keys.split()[0]
    page.goto(address + "/sign-in")
    page.get_by_label("Enter your key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.goto(address + "/operator")
    cities = page.get_by_role("region", name="Jurisdictions")
    for name in ("alpha", "beta", "national"):
        expect(cities).to_contain_text(name)
    national = page.get_by_role("region", name="National lists")
    expect(national.get_by_role("row", name="dishonest_debtors")).to_contain_text("1")
    expect(national.get_by_role("row", name="major_tax_violators")).to_contain_text("1")
    assert_accessible(page)


def test_a_subject_sees_its_file_in_its_city(page: Page, nation: tuple[str, str]) -> None:
    address, keys = nation
    page.goto(address + "/sign-in")
    page.get_by_label("Enter your key").fill(keys.split()[1])
    page.get_by_role("button", name="Sign in").click()
    page.goto(address + "/my-file")
    # Beta: base 800, a court judgment (-100); the file is Beta's, its only one.
    expect(page.get_by_role("main")).to_contain_text("700")
    expect(page.get_by_role("main")).to_contain_text("beta-court")
    assert_accessible(page)
