"""Credit repair in the browser (SPEC §10.2), in one story on one registry per store: the
subject applies from its file for a repairable record, the source grants one application and
refuses another in its console, and the subject's file shows both, in English and Chinese; the
granted record no longer counts. axe-core checks every page on the way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from socialcredit.registry import Registry
from socialcredit.store.store import Store
from tests.conftest import fresh_store_url
from tests.e2e.conftest import assert_accessible, new_page, screenshot
from tests.e2e.world import build_app, fixed_clock, populate, serving

SUBJECT = "312683197508207580"  # the conformance example's subject, with court judgments
GRANTED_RECORD, GRANTED_REFERENCE = "cou-0000118", "DOC-79719235"  # serious, decided 2024-01-01
REFUSED_RECORD = "cou-0000003"  # serious, decided 2024-01-14


@dataclass(frozen=True)
class World:
    address: str
    keys: dict[str, str]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    directory = tmp_path_factory.mktemp("repairs")
    with fresh_store_url(request.param, directory) as store_url:
        registry = Registry(Store.open(store_url), fixed_clock)
        populate(registry, directory)
        keys = {
            "subject": registry.keys.create("subject", SUBJECT).secret,
            "source": registry.keys.create("source", "court").secret,
        }
        # An application made earlier (by letter, through the operator): the source refuses it.
        registry.apply_repair("court", REFUSED_RECORD, "I will pay next year.")
        registry.store.close()
        with serving(build_app(store_url)) as address:
            yield World(address, keys)


def sign_in(page: Page, world: World, role: str, language: str = "en") -> None:
    page.goto(world.address + "/sign-in")
    label, button = ("输入您的密钥", "登录") if language == "zh" else ("Enter your key", "Sign in")
    page.get_by_label(label).fill(world.keys[role])
    page.get_by_role("button", name=button).click()


def test_the_subject_applies_for_repair_from_its_file(page: Page, world: World) -> None:
    sign_in(page, world, "subject")
    record = page.locator("section.record", has_text=GRANTED_REFERENCE)
    score_before = page.locator(".score-card .value").first.inner_text()
    record.get_by_role("link", name=re.compile("Apply for repair of this record")).click()
    question = "How have you performed the duty, and what do you commit to?"
    expect(page.get_by_role("heading", level=1)).to_have_text(question)
    expect(page.locator(".summary-list")).to_contain_text("Repair may be applied for from")
    assert_accessible(page)
    page.get_by_role("button", name="Send the application").click()  # nothing said
    expect(page.get_by_role("alert")).to_contain_text("Say how you have performed the duty")
    expect(page.get_by_label(question)).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.get_by_label(question).fill("Paid in full on 2 March, receipt 118-7. I commit to comply.")
    page.get_by_role("button", name="Send the application").click()
    expect(page.get_by_role("status")).to_contain_text("Application for repair 2 sent")
    applications = page.get_by_role("region", name="Your applications for repair")
    expect(applications).to_contain_text(GRANTED_RECORD)
    expect(applications).to_contain_text("waiting for the issuer's decision")
    # Until the source decides, the record counts as before, and no second application is offered.
    expect(page.locator(".score-card .value").first).to_have_text(score_before)
    expect(
        page.locator("section.record", has_text=GRANTED_REFERENCE).get_by_role(
            "link", name=re.compile("Apply for repair")
        )
    ).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "repair-applied")


def test_the_source_grants_one_and_refuses_another(page: Page, world: World) -> None:
    sign_in(page, world, "source")
    waiting = page.get_by_role("region", name="Applications for repair waiting for your decision")
    expect(waiting).to_contain_text(GRANTED_RECORD)
    expect(waiting).to_contain_text(REFUSED_RECORD)
    assert_accessible(page)
    waiting.get_by_role("link", name="Repair 2").click()
    expect(page.locator(".summary-list")).to_contain_text("receipt 118-7")
    assert_accessible(page)
    screenshot(page, "source-repair")
    page.get_by_role("button", name="Grant repair").click()
    expect(page.get_by_role("status")).to_contain_text("Repair 2 granted")
    page.get_by_role("link", name="Repair 1").click()
    page.get_by_role("button", name="Refuse repair").click()  # no reason: refused
    expect(page.get_by_role("alert")).to_contain_text("Say why you refuse repair")
    assert_accessible(page)
    page.get_by_label("Why you refuse").fill("A promise to pay later is not performance.")
    page.get_by_role("button", name="Refuse repair").click()
    expect(page.get_by_role("status")).to_contain_text("Repair 1 refused")
    expect(
        page.get_by_text("No application for repair is waiting for your decision.")
    ).to_be_visible()


def test_the_subject_sees_the_decisions_and_the_record_no_longer_counting(
    browser: Browser, world: World
) -> None:
    page = new_page(browser)
    sign_in(page, world, "subject")
    applications = page.get_by_role("region", name="Your applications for repair")
    expect(applications).to_contain_text("granted: the record no longer counts")
    expect(applications).to_contain_text("refused by the issuer")
    expect(applications).to_contain_text("A promise to pay later is not performance.")
    expect(page.locator("section.record", has_text=GRANTED_REFERENCE)).to_have_count(0)
    assert_accessible(page)
    page.context.close()
    page = new_page(browser, "zh")
    sign_in(page, world, "subject", "zh")
    applications = page.get_by_role("region", name="我的信用修复申请")
    expect(applications).to_contain_text("已准予修复")
    expect(applications).to_contain_text("发布单位不予修复")
    assert_accessible(page)
    page.context.close()
