"""Browser tests: a real headless Chromium (Debian's package) driven by Playwright, against
a real server on 127.0.0.1. No browser is downloaded: Playwright launches /usr/bin/chromium.

Every page visited is checked with axe-core (bundled by axe-playwright-python): no serious or
critical violation. Screenshots go to docs/screenshots/, which the README shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from socialcredit.registry import Registry
from socialcredit.store.store import Store
from tests.e2e.world import build_app, fixed_clock, populate, serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
NARROW_WIDTH_PX = 390  # a small phone (WCAG 1.4.10 reflow asks for 320 CSS px; we test both)
DESKTOP_VIEWPORT = {"width": 1100, "height": 900}
BLOCKING_IMPACTS = ("serious", "critical")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    directory = tmp_path_factory.mktemp("web")
    store_url = f"sqlite:///{directory / 'registry.db'}"
    registry = Registry(Store.open(store_url), fixed_clock)
    populate(registry, directory)
    registry.store.close()
    with serving(build_app(store_url)) as address:
        yield address


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_page(browser: Browser, language: str = "en", width: int | None = None) -> Page:
    viewport = {"width": width, "height": 844} if width else DESKTOP_VIEWPORT
    context = browser.new_context(
        locale="zh-CN" if language == "zh" else "en-GB",
        extra_http_headers={
            "Accept-Language": "zh-CN,zh;q=0.9" if language == "zh" else "en-GB,en;q=0.9"
        },
        viewport=viewport,
    )
    return context.new_page()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    page = new_page(browser)
    yield page
    page.context.close()


@pytest.fixture
def chinese_page(browser: Browser) -> Iterator[Page]:
    page = new_page(browser, "zh")
    yield page
    page.context.close()


_axe = Axe()


def assert_accessible(page: Page) -> None:
    """axe-core on the page as it stands: no serious or critical violation."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    blocking = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} – "
        + "; ".join(
            node["target"][0] if isinstance(node["target"][0], str) else str(node["target"])
            for node in violation["nodes"][:5]
        )
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert not blocking, f"{page.url}: " + " | ".join(blocking)


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
