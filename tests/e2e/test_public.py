"""The public pages, as a visitor uses them: in English and in Chinese, at desktop and phone
widths, with the keyboard, each page checked by axe-core."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import NARROW_WIDTH_PX, assert_accessible, new_page, screenshot


def test_home_says_what_is_never_scored_and_links_its_json_twin(page: Page, server: str) -> None:
    page.goto(server + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Credit information registry")
    expect(page.get_by_role("heading", name="What it will never score")).to_be_visible()
    expect(page.get_by_text("political opinions or activity")).to_be_visible()
    expect(page.locator("link[rel=alternate][type='application/json']")).to_have_attribute(
        "href", "/v1/catalogue"
    )
    expect(
        page.get_by_role("contentinfo").get_by_role("link", name="/v1/catalogue")
    ).to_be_visible()
    assert_accessible(page)
    screenshot(page, "home")


def test_the_public_searches_the_catalogue_in_chinese(chinese_page: Page, server: str) -> None:
    page = chinese_page
    page.goto(server + "/catalogue")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("信用信息目录")
    page.get_by_label("搜索目录").fill("红灯")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_role("status")).to_contain_text("1")
    page.get_by_role("link", name="闯红灯").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("闯红灯")
    expect(page.locator(".summary-list")).to_contain_text("Road Traffic Safety Law art. 38")
    expect(page.locator(".timeline")).to_contain_text("2025年1月1日")
    assert_accessible(page)
    screenshot(page, "catalogue-item-zh")


def test_an_item_shows_its_history_across_versions(page: Page, server: str) -> None:
    page.goto(server + "/catalogue?q=red+light")
    assert_accessible(page)
    screenshot(page, "catalogue-search")
    page.get_by_role("link", name="Ran a red light").click()
    expect(page.locator(".summary-list")).to_contain_text("−8")
    history = page.locator(".timeline")
    expect(history).to_contain_text("Version 2, in force from 1 Jan 2025")
    expect(history).to_contain_text("the points changed from -5 to -8")
    expect(history).to_contain_text("Added to the catalogue.")
    assert_accessible(page)


def test_the_language_switch_keeps_the_page(page: Page, server: str) -> None:
    page.goto(server + "/catalogue?q=blood")
    page.get_by_role("link", name="中文").click()
    expect(page).to_have_url(re.compile(r"/catalogue\?q=blood$"))
    expect(page.get_by_role("link", name="无偿献血")).to_be_visible()
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("link", name="Donated blood")).to_be_visible()


def test_organization_lookup_reports_an_invalid_code_in_an_error_summary(
    page: Page, server: str
) -> None:
    page.goto(server + "/organizations")
    page.get_by_label("Unified social credit code").fill("NOT-A-CODE")
    page.get_by_role("button", name="Look up").click()
    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()
    assert_accessible(page)
    screenshot(page, "organization-error")


def test_catalogue_works_by_keyboard_at_phone_width(browser: Browser, server: str) -> None:
    page = new_page(browser, width=NARROW_WIDTH_PX)
    page.goto(server + "/catalogue")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    # Nothing spills sideways out of the page at 390 px: the table scrolls in its own region.
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    page.get_by_label("Search the catalogue").focus()
    page.keyboard.type("tax")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Owed major tax arrears")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "catalogue-phone")
    page.context.close()


def test_organization_lookup_shows_the_lists_in_chinese(chinese_page: Page, server: str) -> None:
    page = chinese_page
    page.goto(server + "/organizations")
    page.get_by_label("统一社会信用代码").fill("91189977WWYP96NLA9")
    page.get_by_role("button", name="查询").click()
    result = page.get_by_role("region", name="机构 91189977WWYP96NLA9")
    expect(result).to_contain_text("低分名单")
    expect(result).to_contain_text("重大税收违法失信主体名单")
    expect(page.locator("link[rel=alternate]")).to_have_attribute(
        "href", "/v1/organizations/91189977WWYP96NLA9"
    )
    assert_accessible(page)
    screenshot(page, "organization-zh")


def test_the_api_description_loads_nothing_from_elsewhere(page: Page, server: str) -> None:
    """Issue 16, defect 4: Swagger UI, its styles and the page's icon come from the registry;
    the browser asks no other origin for anything, and the description works."""
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if message.type == "error" else None
    )
    page.goto(server + "/v1/docs")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    expect(page.get_by_text("/v1/checks", exact=True)).to_be_visible()
    assert asked and all(url.startswith(server + "/") for url in asked), asked
    assert not [text for text in refused if "Content Security Policy" in text], refused
